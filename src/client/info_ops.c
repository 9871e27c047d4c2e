// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Information classes through an open handle (QUERY_INFO / SET_INFO,
 * each a compound of one request), and POSIX paths in SMB form.  The
 * path operations built on CREATE + op + CLOSE are in path_ops.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/wire/fscc_info.h"

char *smb_path_from_posix(const char *path)
{
	char *p, *s;

	while (*path == '/')
		path++;
	s = strdup(path);
	if (!s)
		return NULL;
	for (p = s; *p; p++)
		if (*p == '/')
			*p = '\\';
	/* A trailing separator names the same object. */
	while (p > s && p[-1] == '\\')
		*--p = '\0';
	return s;
}

/* FileAllInformation has the times, sizes, link count and inode. */
int stat_decode_all(const uint8_t *buf, uint32_t len, struct smb_stat *st)
{
	struct fscc_all_info all;
	int rc = fscc_all_info_decode(buf, len, &all);

	if (rc < 0)
		return rc;
	memset(st, 0, sizeof(*st));
	st->creation_time = all.basic.creation_time;
	st->last_access_time = all.basic.last_access_time;
	st->last_write_time = all.basic.last_write_time;
	st->change_time = all.basic.change_time;
	st->attributes = all.basic.file_attributes;
	st->allocation_size = all.standard.allocation_size;
	st->end_of_file = all.standard.end_of_file;
	st->nlink = all.standard.number_of_links;
	st->file_id = all.index_number;
	fscc_all_info_free(&all);
	return 0;
}

int smb_file_stat(struct smb_tree *t, struct smb2_fileid fid,
		  struct smb_stat *st)
{
	uint8_t *buf = NULL;
	uint32_t len = 0;
	int rc;

	rc = smb_query_info(t, fid, SMB2_0_INFO_FILE, FILE_ALL_INFORMATION, 0,
			    NULL, 0, 4096, &buf, &len);
	if (rc == 0)
		rc = stat_decode_all(buf, len, st);
	free(buf);
	return rc;
}

int smb_query_info(struct smb_tree *t, struct smb2_fileid fid,
		   uint8_t info_type, uint8_t info_class, uint32_t additional,
		   const void *input, uint32_t input_len, uint32_t max_out,
		   uint8_t **out, uint32_t *out_len)
{
	struct compound_op op;
	struct compound c = { .fid = fid, .ops = &op, .n_ops = 1 };

	compound_query_info(&op, info_type, info_class, additional, input,
			    input_len, max_out);
	return compound_run_query(t, &c, out, out_len);
}

int smb_set_info(struct smb_tree *t, struct smb2_fileid fid, uint8_t info_type,
		 uint8_t info_class, uint32_t additional, const void *buf,
		 uint32_t len)
{
	struct compound_op op;
	struct compound c = { .fid = fid, .ops = &op, .n_ops = 1 };
	int rc;

	compound_set_info(&op, info_type, info_class, additional, buf, len);
	rc = compound_run(t, &c);
	compound_free(&c);
	return rc;
}
