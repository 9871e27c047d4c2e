// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Operations on paths, each one compound (compound.c): CREATE, what the
 * operation needs, CLOSE.  One round trip, no handle left open, and a
 * caller may send the whole operation again after a reconnect.  Also
 * attribute changes through an open handle, as one compound as well.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/log.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/fscc_info.h"
#include "smbfs/wire/smb2_query_directory.h"

/* Room for FileAllInformation with a long name. */
#define ALL_INFO_MAX 4096
/* A lookup's QUERY_DIRECTORY: the name and, rarely, a few look-alikes. */
#define LOOKUP_BUFFER 4096
#define FS_INFO_MAX   256

/* What every path open asks for besides what the operation needs. */
#define BASE_ACCESS (FILE_READ_ATTRIBUTES | SYNCHRONIZE)

static void op_query_all(struct compound_op *op)
{
	compound_query_info(op, SMB2_0_INFO_FILE, FILE_ALL_INFORMATION, 0, NULL,
			    0, ALL_INFO_MAX);
}

/* A SET_INFO of a file information class; w must outlive the call. */
static void op_set_file_info(struct compound_op *op, uint8_t info_class,
			     const struct smb_wbuf *w)
{
	compound_set_info(op, SMB2_0_INFO_FILE, info_class, 0, w->data,
			  (uint32_t)w->len);
}

/*
 * CREATE (path, access, disposition, options) + ops + CLOSE.  With st,
 * the last op is a FileAllInformation query (op_query_all) whose answer
 * fills it.
 */
static int path_run(struct smb_tree *t, const char *path, uint32_t access,
		    uint32_t disposition, uint32_t options,
		    struct compound_op *ops, int n, struct smb_stat *st)
{
	struct smb_open_args a;
	struct compound c = { .open = &a, .ops = ops, .n_ops = n };
	int rc;

	path_open_args(&a, path, access, disposition, options);
	rc = compound_run(t, &c);
	if (!rc && st)
		rc = stat_decode_all(ops[n - 1].out, ops[n - 1].out_len, st);
	compound_free(&c);
	return rc;
}

/* FileAllInformation brings times, sizes, link count and file id. */
int smb_path_stat(struct smb_tree *t, const char *path, struct smb_stat *st)
{
	struct compound_op op;

	op_query_all(&op);
	return path_run(t, path, FILE_READ_ATTRIBUTES, FILE_OPEN, 0, &op, 1,
			st);
}

/* --- lookup --- */

/*
 * Scans QUERY_DIRECTORY output for name: the exact spelling first; a
 * match in another case only counts with nocase, else it is -EEXIST.
 */
static int lookup_scan(const uint8_t *buf, size_t len, const char *name,
		       bool nocase, struct smb_stat *st, char **exact)
{
	struct smb2_dir_iter it;
	struct smb2_dirent d;
	int rc, found = -ENOENT;

	rc = smb2_dir_iter_init(&it, FILE_ID_BOTH_DIRECTORY_INFORMATION, buf,
				len);
	while (rc >= 0 && (rc = smb2_dirent_next(&it, &d)) != 0) {
		if (rc < 0) {
			if (rc == -EBADMSG)
				return rc;
			rc = 0; /* a name that is not valid UTF-16 */
			continue;
		}
		if (!strcmp(d.name, name) ||
		    (found == -ENOENT && !strcasecmp(d.name, name))) {
			found = !strcmp(d.name, name) || nocase ? 0 : -EEXIST;
			stat_from_dirent(st, &d);
			if (exact) {
				free(*exact);
				*exact = strdup(d.name);
			}
		}
		smb2_dirent_free(&d);
		if (found == 0)
			break;
	}
	return rc < 0 ? rc : found;
}

/*
 * The directory entry carries every attribute and the file id, and,
 * because Samba and Windows match names without regard to case, also
 * the name's stored spelling: a lookup of "Foo" that finds "foo" is not
 * a hit, so case-sensitive programs never take one file for another.
 */
int smb_path_lookup(struct smb_tree *t, const char *dir, const char *name,
		    unsigned int flags, struct smb_stat *st, char **exact)
{
	struct compound_op qd = {
		.kind = COMPOUND_QUERY_DIRECTORY,
		.info_class = FILE_ID_BOTH_DIRECTORY_INFORMATION,
		.flags = SMB2_RESTART_SCANS,
		.pattern = name,
		.max_out = LOOKUP_BUFFER,
	};
	struct smb_open_args a;
	struct compound c = { .open = &a, .ops = &qd, .n_ops = 1 };
	int rc;

	if (exact)
		*exact = NULL;
	path_open_args(&a, dir, FILE_LIST_DIRECTORY | BASE_ACCESS, FILE_OPEN,
		       FILE_DIRECTORY_FILE);
	rc = compound_run(t, &c);
	if (!c.create_rc && (qd.status == STATUS_NO_MORE_FILES ||
			     qd.status == STATUS_NO_SUCH_FILE))
		rc = -ENOENT;
	else if (!rc)
		rc = lookup_scan(qd.out, qd.out_len, name,
				 flags & SMB_LOOKUP_NOCASE, st, exact);
	compound_free(&c);
	if (rc < 0 && rc != -EEXIST && exact) {
		free(*exact);
		*exact = NULL;
	}
	return rc;
}

/* --- namespace --- */

/*
 * FileAllInformation tells the id a later lookup sees.  Once the CREATE
 * worked the directory exists: should the query fail, the CREATE's
 * attributes stand in.
 */
int smb_path_mkdir_sd(struct smb_tree *t, const char *path,
		      const struct smb_sd *sd, struct smb_stat *st)
{
	struct compound_op op;
	struct smb_open_args a;
	struct compound c = { .open = &a, .ops = &op, .n_ops = st ? 1 : 0 };
	int rc;

	op_query_all(&op);
	path_open_args(&a, path, BASE_ACCESS, FILE_CREATE, FILE_DIRECTORY_FILE);
	a.sd = sd;
	rc = compound_run(t, &c);
	if (!rc && st)
		rc = stat_decode_all(op.out, op.out_len, st);
	if (rc && !c.create_rc && st) {
		*st = c.created.st;
		rc = 0;
	}
	compound_free(&c);
	return rc;
}

int smb_path_mkdir(struct smb_tree *t, const char *path, struct smb_stat *st)
{
	return smb_path_mkdir_sd(t, path, NULL, st);
}

/* Delete-pending (MS-FSCC 2.4.11) takes effect at the last close. */
int smb_path_delete(struct smb_tree *t, const char *path, uint32_t options)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct compound_op op;
	int rc = fscc_disposition_info_encode(&w, 1);

	op_set_file_info(&op, FILE_DISPOSITION_INFORMATION, &w);
	if (!rc)
		rc = path_run(t, path, DELETE | FILE_READ_ATTRIBUTES, FILE_OPEN,
			      options, &op, 1, NULL);
	wbuf_free(&w);
	return rc;
}

/* MS-FSCC 2.4.42: ReplaceIfExists; the new name is share-relative. */
int smb_path_rename(struct smb_tree *t, const char *from, const char *to,
		    bool replace)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct compound_op op;
	int rc = fscc_rename_info_encode(&w, replace, to, strlen(to));

	op_set_file_info(&op, FILE_RENAME_INFORMATION, &w);
	if (!rc)
		rc = path_run(t, from, DELETE | BASE_ACCESS, FILE_OPEN, 0, &op,
			      1, NULL);
	wbuf_free(&w);
	return rc;
}

/* MS-FSCC 2.4.27: without ReplaceIfExists a taken name is -EEXIST. */
int smb_path_link(struct smb_tree *t, const char *from, const char *to,
		  bool replace, struct smb_stat *st)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct compound_op ops[2];
	int rc = fscc_link_info_encode(&w, replace, to, strlen(to));

	op_set_file_info(&ops[0], FILE_LINK_INFORMATION, &w);
	op_query_all(&ops[1]);
	if (!rc)
		rc = path_run(t, from, BASE_ACCESS, FILE_OPEN,
			      FILE_NON_DIRECTORY_FILE, ops, st ? 2 : 1, st);
	wbuf_free(&w);
	return rc;
}

/* --- attributes --- */

/* The buffers behind a setattr's SET_INFOs. */
struct setattr_bufs {
	struct smb_wbuf eof, basic;
};

static void setattr_bufs_free(struct setattr_bufs *b)
{
	wbuf_free(&b->eof);
	wbuf_free(&b->basic);
}

/*
 * The SET_INFOs sa asks for (MS-FSCC 2.4.13, 2.4.7), the size first,
 * then the FileAllInformation query when st is wanted.  Returns how many
 * ops were filled, or -errno.
 */
static int setattr_ops(const struct smb_setattr *sa, bool query,
		       struct setattr_bufs *b, struct compound_op *ops)
{
	struct fscc_basic_info bi = {
		.creation_time = sa->creation_time,
		.last_access_time = sa->last_access_time,
		.last_write_time = sa->last_write_time,
		.change_time = sa->change_time,
		.file_attributes = sa->attributes,
	};
	int n = 0, rc = 0;

	b->eof = (struct smb_wbuf)SMB_WBUF_INIT;
	b->basic = (struct smb_wbuf)SMB_WBUF_INIT;
	if (sa->set_size) {
		rc = fscc_end_of_file_info_encode(&b->eof, sa->size);
		op_set_file_info(&ops[n++], FILE_END_OF_FILE_INFORMATION,
				 &b->eof);
	}
	if (!rc && sa->set_basic) {
		rc = fscc_basic_info_encode(&b->basic, &bi);
		op_set_file_info(&ops[n++], FILE_BASIC_INFORMATION, &b->basic);
	}
	if (query)
		op_query_all(&ops[n++]);
	return rc ? rc : n;
}

/* No (non-)directory option: the same open serves both kinds. */
int smb_path_setattr(struct smb_tree *t, const char *path,
		     const struct smb_setattr *sa, struct smb_stat *st)
{
	struct compound_op ops[3];
	struct setattr_bufs b;
	uint32_t access = FILE_WRITE_ATTRIBUTES | BASE_ACCESS;
	int n = setattr_ops(sa, st != NULL, &b, ops);

	if (sa->set_size)
		access |= FILE_WRITE_DATA;
	if (n >= 0)
		n = path_run(t, path, access, FILE_OPEN, 0, ops, n, st);
	setattr_bufs_free(&b);
	return n;
}

int smb_file_write_setattr(struct smb_tree *t, struct smb2_fileid fid,
			   const void *buf, uint32_t len, uint64_t off,
			   const struct smb_setattr *sa, struct smb_stat *st,
			   ssize_t *written)
{
	struct compound_op ops[4] = {
		{ .kind = COMPOUND_WRITE, .in = buf, .in_len = len,
		  .offset = off },
	};
	struct compound c = { .fid = fid, .ops = ops };
	int first = len ? 1 : 0, i, crc;
	struct setattr_bufs b;
	int rc = setattr_ops(sa, st != NULL, &b, ops + first);

	if (written)
		*written = 0;
	if (rc > 0) {
		c.n_ops = first + rc;
		crc = compound_run(t, &c);
		if (first && written)
			*written = ops[0].rc ? ops[0].rc : (ssize_t)ops[0].out_len;
		/* The setattr's outcome: its own operations only. */
		for (i = first, rc = 0; i < c.n_ops && !rc; i++)
			rc = ops[i].rc;
		/* Nothing sent (the compound could not be built). */
		if (!rc && crc && !(first && ops[0].rc == crc))
			rc = crc;
		if (!rc && st)
			rc = stat_decode_all(ops[c.n_ops - 1].out,
					     ops[c.n_ops - 1].out_len, st);
		compound_free(&c);
	}
	setattr_bufs_free(&b);
	return rc;
}

int smb_file_setattr(struct smb_tree *t, struct smb2_fileid fid,
		     const struct smb_setattr *sa, struct smb_stat *st)
{
	return smb_file_write_setattr(t, fid, NULL, 0, 0, sa, st, NULL);
}

/* --- data --- */

/* At most one READ's worth; the CREATE's attributes go to st. */
ssize_t smb_path_read(struct smb_tree *t, const char *path, void *buf,
		      size_t len, struct smb_stat *st)
{
	uint32_t max = io_max_payload(t, false);
	struct compound_op op = {
		.kind = COMPOUND_READ,
		.max_out = len < max ? (uint32_t)len : max,
		.buf = buf,
	};
	struct smb_open_args a;
	struct compound c = { .open = &a, .ops = &op, .n_ops = 1 };
	ssize_t n;

	path_open_args(&a, path, FILE_READ_DATA | BASE_ACCESS, FILE_OPEN,
		       FILE_NON_DIRECTORY_FILE);
	n = compound_run(t, &c);
	if (!c.create_rc && st)
		*st = c.created.st;
	if (!n)
		n = op.out_len;
	compound_free(&c);
	return n;
}

/*
 * Something after write_new's CREATE failed.  When the WRITE or the
 * rename failed, whichever name the file has is deleted: a server may
 * carry out the rename after a failed WRITE.  A file that is complete
 * and in place stays, and a stat stands in for the query.
 */
static int write_new_settle(struct smb_tree *t, const char *tmp_path,
			    const char *path, const struct compound_op *ops,
			    size_t len, struct smb_stat *st)
{
	int wrc = ops[0].rc ? ops[0].rc : ops[0].out_len != len ? -EIO : 0;
	const char *left = ops[1].rc ? tmp_path : path;

	if (!wrc && !ops[1].rc)
		return st ? smb_path_stat(t, path, st) : 0;
	if (smb_path_delete(t, left, FILE_NON_DIRECTORY_FILE) < 0)
		smb_log(SMB_LOG_WARN, "could not remove \"\\%s\"", left);
	return wrc ? wrc : ops[1].rc;
}

/*
 * The new file is complete before it has its name: CREATE tmp_path,
 * WRITE, rename (no replace), query, CLOSE in one compound.
 */
int smb_path_write_new(struct smb_tree *t, const char *tmp_path,
		       const char *path, const void *buf, size_t len,
		       uint32_t attributes, struct smb_stat *st)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct compound_op ops[3] = {
		{ .kind = COMPOUND_WRITE, .in = buf, .in_len = (uint32_t)len },
	};
	struct smb_open_args a;
	struct compound c = { .open = &a, .ops = ops, .n_ops = 3 };
	int rc = len > UINT32_MAX ? -EINVAL : 0;

	if (!rc)
		rc = fscc_rename_info_encode(&w, 0, path, strlen(path));
	if (rc) {
		wbuf_free(&w);
		return rc;
	}
	op_set_file_info(&ops[1], FILE_RENAME_INFORMATION, &w);
	op_query_all(&ops[2]);
	path_open_args(&a, tmp_path, FILE_WRITE_DATA | DELETE | BASE_ACCESS,
		       FILE_CREATE, FILE_NON_DIRECTORY_FILE);
	a.file_attributes = attributes;
	rc = compound_run(t, &c);
	if (!c.create_rc && (rc || ops[0].out_len != len))
		rc = write_new_settle(t, tmp_path, path, ops, len, st);
	else if (!rc && st)
		rc = stat_decode_all(ops[2].out, ops[2].out_len, st);
	compound_free(&c);
	wbuf_free(&w);
	return rc;
}

/* --- raw information classes --- */

int smb_path_query_info(struct smb_tree *t, const char *path, uint32_t access,
			uint8_t info_type, uint8_t info_class,
			uint32_t additional, const void *input,
			uint32_t input_len, uint32_t max_out, uint8_t **out,
			uint32_t *out_len)
{
	struct compound_op op;
	struct smb_open_args a;
	struct compound c = { .open = &a, .ops = &op, .n_ops = 1 };

	compound_query_info(&op, info_type, info_class, additional, input,
			    input_len, max_out);
	path_open_args(&a, path, access | FILE_READ_ATTRIBUTES, FILE_OPEN, 0);
	return compound_run_query(t, &c, out, out_len);
}

int smb_path_set_info(struct smb_tree *t, const char *path, uint32_t access,
		      uint8_t info_type, uint8_t info_class,
		      uint32_t additional, const void *buf, uint32_t len)
{
	struct compound_op op;

	compound_set_info(&op, info_type, info_class, additional, buf, len);
	return path_run(t, path, access | FILE_READ_ATTRIBUTES, FILE_OPEN, 0,
			&op, 1, NULL);
}

/* FileFsFullSizeInformation (MS-FSCC 2.5.4) of the share's root. */
int smb_tree_statfs(struct smb_tree *t, struct smb_fs_size *fs)
{
	struct fscc_fs_full_size_info fi;
	struct compound_op op = {
		.kind = COMPOUND_QUERY_INFO,
		.info_type = SMB2_0_INFO_FILESYSTEM,
		.info_class = FILE_FS_FULL_SIZE_INFORMATION,
		.max_out = FS_INFO_MAX,
	};
	struct smb_open_args a;
	struct compound c = { .open = &a, .ops = &op, .n_ops = 1 };
	int rc;

	path_open_args(&a, "", FILE_READ_ATTRIBUTES, FILE_OPEN,
		       FILE_DIRECTORY_FILE);
	rc = compound_run(t, &c);
	if (!rc)
		rc = fscc_fs_full_size_info_decode(op.out, op.out_len, &fi);
	compound_free(&c);
	if (rc < 0)
		return rc;
	fs->total_units = fi.total_units;
	fs->caller_avail_units = fi.caller_available_units;
	fs->actual_avail_units = fi.actual_available_units;
	fs->sectors_per_unit = fi.sectors_per_unit;
	fs->bytes_per_sector = fi.bytes_per_sector;
	return 0;
}
