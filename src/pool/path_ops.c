// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Calls on paths: the client's compound operations, each run through
 * the attempt loop (attempt.c) so that it waits out a reconnect and is
 * sent again.
 *
 * A call that was in flight when the connection died may have been
 * carried out already.  Sent again, a delete then finds nothing and a
 * mkdir finds the directory; those outcomes of a resend count as
 * success, as they would have had the first answer arrived.
 */
#include <errno.h>

#include "pool_internal.h"

int pool_path_lookup(struct pool_tree *t, const char *dir, const char *name,
		     unsigned int flags, struct smb_stat *st, char **exact)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_path_lookup(a.tree, dir, name,
							   flags, st, exact));
	return rc;
}

int pool_path_stat(struct pool_tree *t, const char *path, struct smb_stat *st)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_path_stat(a.tree, path, st));
	return rc;
}

int pool_path_stat_sd(struct pool_tree *t, const char *path,
		      struct smb_stat *st, struct smb_stat_meta *m)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a,
				       smb_path_stat_sd(a.tree, path, st, m));
	return rc;
}

/* Setting the same descriptor twice does what setting it once does. */
int pool_path_set_sd(struct pool_tree *t, const char *path, uint32_t secinfo,
		     const struct smb_sd *sd, struct smb_stat *st,
		     struct smb_stat_meta *m)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_path_set_sd(a.tree, path,
							   secinfo, sd, st, m));
	return rc;
}

int pool_path_mkdir(struct pool_tree *t, const char *path,
		    const struct smb_sd *sd, struct smb_stat *st)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_path_mkdir_sd(a.tree, path, sd,
							     st));
	if (rc == -EEXIST && a.resent_after_loss) {
		rc = st ? pool_path_stat(t, path, st) : 0;
		if (rc == 0 && st && !(st->attributes & FILE_ATTRIBUTE_DIRECTORY))
			rc = -EEXIST;
	}
	return rc;
}

int pool_path_delete(struct pool_tree *t, const char *path, uint32_t options)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a,
				       smb_path_delete(a.tree, path, options));
	if (rc == -ENOENT && a.resent_after_loss)
		rc = 0;
	return rc;
}

int pool_path_rename(struct pool_tree *t, const char *from, const char *to,
		     bool replace)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_path_rename(a.tree, from, to,
							   replace));
	/* The first one went through if the source is gone and the
	 * target is there. */
	if (rc == -ENOENT && a.resent_after_loss &&
	    pool_path_stat(t, to, NULL) == 0)
		rc = 0;
	return rc;
}

int pool_path_link(struct pool_tree *t, const char *from, const char *to,
		   bool replace, struct smb_stat *st)
{
	struct pool_attempt a;
	int rc;

	struct smb_stat src, dst;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_path_link(a.tree, from, to,
							 replace, st));
	/* The first one went through if both names lead to one file. */
	if (rc == -EEXIST && a.resent_after_loss &&
	    pool_path_stat(t, from, &src) == 0 &&
	    pool_path_stat(t, to, &dst) == 0 && src.file_id &&
	    src.file_id == dst.file_id) {
		if (st)
			*st = src;
		rc = 0;
	}
	return rc;
}

int pool_path_setattr(struct pool_tree *t, const char *path,
		      const struct smb_setattr *sa, struct smb_stat *st)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a,
				       smb_path_setattr(a.tree, path, sa, st));
	return rc;
}

ssize_t pool_path_read(struct pool_tree *t, const char *path, void *buf,
		       size_t len, struct smb_stat *st)
{
	struct pool_attempt a;
	ssize_t n = 0;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc)) {
		n = smb_path_read(a.tree, path, buf, len, st);
		rc = pool_attempt_done(&a, n < 0 ? (int)n : 0);
	}
	return rc < 0 ? rc : n;
}

int pool_path_write_new(struct pool_tree *t, const char *tmp_path,
			const char *path, const void *buf, size_t len,
			uint32_t attributes, struct smb_stat *st)
{
	struct pool_attempt a;
	int rc;

	struct smb_stat got;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc)) {
		/* What a lost first try left under the temporary name. */
		if (a.resent_after_loss)
			smb_path_delete(a.tree, tmp_path,
					FILE_NON_DIRECTORY_FILE);
		rc = pool_attempt_done(&a, smb_path_write_new(a.tree, tmp_path,
							      path, buf, len,
							      attributes, st));
	}
	/* The first try went through if path holds a file of that size. */
	if (rc == -EEXIST && a.resent_after_loss &&
	    pool_path_stat(t, path, &got) == 0 &&
	    !(got.attributes & FILE_ATTRIBUTE_DIRECTORY) &&
	    got.end_of_file == len) {
		if (st)
			*st = got;
		rc = 0;
	}
	return rc;
}

int pool_path_query_info(struct pool_tree *t, const char *path,
			 uint32_t access, uint8_t info_type,
			 uint8_t info_class, uint32_t additional,
			 const void *input, uint32_t input_len,
			 uint32_t max_out, uint8_t **out, uint32_t *out_len)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(
			&a, smb_path_query_info(a.tree, path, access, info_type,
						info_class, additional, input,
						input_len, max_out, out,
						out_len));
	return rc;
}

int pool_path_set_info(struct pool_tree *t, const char *path,
		       uint32_t access, uint8_t info_type, uint8_t info_class,
		       uint32_t additional, const void *buf, uint32_t len)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_path_set_info(a.tree, path,
							     access, info_type,
							     info_class,
							     additional, buf,
							     len));
	return rc;
}

int pool_path_list(struct pool_tree *t, const char *path,
		   struct smb_dir_listing *out)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a,
				       smb_path_list_all(a.tree, path, out));
	return rc;
}

int pool_tree_statfs(struct pool_tree *t, struct smb_fs_size *fs)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_tree_statfs(a.tree, fs));
	return rc;
}

int pool_path_get_ea(struct pool_tree *t, const char *path, const char *name,
		     uint8_t **value, size_t *len)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_path_get_ea(a.tree, path, name,
							   value, len));
	return rc;
}

int pool_path_list_eas(struct pool_tree *t, const char *path, char **names,
		       size_t *len)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_path_list_eas(a.tree, path,
							     names, len));
	return rc;
}

int pool_path_set_ea(struct pool_tree *t, const char *path, const char *name,
		     const void *value, size_t len)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_path_set_ea(a.tree, path, name,
							   value, len));
	return rc;
}

/* FSCTLs on an open file (they belong with the calls of file_ops.c). */

int pool_file_set_sparse(struct pool_file *f, bool sparse)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a,
				       smb_file_set_sparse(a.tree, a.fid, sparse));
	return rc;
}

int pool_file_zero_data(struct pool_file *f, uint64_t off, uint64_t end)
{
	struct pool_attempt a;
	/* Queued writes into the range land first, then are zeroed. */
	int rc = pool_node_drain(f, 0, UINT64_MAX, NULL);

	if (rc < 0)
		return rc;
	pool_node_wrote(f, 0, 0);
	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_file_zero_data(a.tree, a.fid,
							      off, end));
	return rc;
}

int pool_file_allocated_ranges(struct pool_file *f, uint64_t off,
			       uint64_t len, struct smb_alloc_range **ranges,
			       size_t *n)
{
	struct pool_attempt a;
	/* Data still queued would be a hole to the server. */
	int rc = pool_node_drain(f, 0, UINT64_MAX, NULL);

	if (rc < 0)
		return rc;
	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_file_allocated_ranges(
						   a.tree, a.fid, off, len,
						   ranges, n));
	return rc;
}
