// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Security descriptors of files (MS-SMB2 2.2.37/2.2.39 with
 * SMB2_0_INFO_SECURITY, MS-DTYP 2.4.6): read together with the
 * attributes in one compound, and written by path or through a handle.
 * The caller sees decoded descriptors only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

/* Room for a descriptor with a few dozen ACEs. */
#define SD_MAX_OUT 16384
#define ALL_INFO_MAX 4096

static void op_query_sd(struct compound_op *op)
{
	compound_query_info(op, SMB2_0_INFO_SECURITY, 0, SMB_SD_INFO_UNIX,
			    NULL, 0, SD_MAX_OUT);
}

/*
 * A descriptor that cannot be read (no READ_CONTROL, too large, not
 * decodable) is not an error of the stat: sd is left empty.
 */
static void sd_from_op(const struct compound_op *op, struct smb_sd *sd)
{
	if (op->rc || smb_sd_decode(op->out, op->out_len, sd) < 0)
		memset(sd, 0, sizeof(*sd));
}

/*
 * CREATE asking READ_CONTROL, which needs no right the owner lacks and
 * which Samba counts as a stat open (no lease break), FileAllInformation,
 * the descriptor, CLOSE.  When READ_CONTROL is refused the plain stat is
 * the answer, without descriptor.
 */
int smb_path_stat_sd(struct smb_tree *t, const char *path, struct smb_stat *st,
		     struct smb_sd *sd)
{
	struct compound_op ops[2];
	struct smb_open_args a;
	struct compound c = { .open = &a, .ops = ops, .n_ops = 2 };
	int rc;

	compound_query_info(&ops[0], SMB2_0_INFO_FILE, FILE_ALL_INFORMATION, 0,
			    NULL, 0, ALL_INFO_MAX);
	op_query_sd(&ops[1]);
	path_open_args(&a, path,
		       FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE,
		       FILE_OPEN, 0);
	memset(sd, 0, sizeof(*sd));
	rc = compound_run(t, &c);
	if (c.create_rc == -EACCES) {
		compound_free(&c);
		return smb_path_stat(t, path, st);
	}
	if (!c.create_rc && !ops[0].rc) {
		/* Only the stat decides the outcome, not the descriptor. */
		rc = stat_decode_all(ops[0].out, ops[0].out_len, st);
		if (!rc)
			sd_from_op(&ops[1], sd);
	}
	compound_free(&c);
	return rc;
}

static uint32_t sd_write_access(uint32_t secinfo)
{
	uint32_t access = FILE_READ_ATTRIBUTES | SYNCHRONIZE;

	if (secinfo & DACL_SECURITY_INFORMATION)
		access |= WRITE_DAC;
	if (secinfo & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION))
		access |= WRITE_OWNER;
	return access;
}

int smb_path_set_sd(struct smb_tree *t, const char *path, uint32_t secinfo,
		    const struct smb_sd *sd)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	int rc = smb_sd_encode(&w, sd);

	if (!rc)
		rc = smb_path_set_info(t, path, sd_write_access(secinfo),
				       SMB2_0_INFO_SECURITY, 0, secinfo, w.data,
				       (uint32_t)w.len);
	wbuf_free(&w);
	return rc;
}

int smb_file_get_sd(struct smb_tree *t, struct smb2_fileid fid,
		    struct smb_sd *sd)
{
	uint8_t *out = NULL;
	uint32_t len = 0;
	int rc = smb_query_info(t, fid, SMB2_0_INFO_SECURITY, 0,
				SMB_SD_INFO_UNIX, NULL, 0, SD_MAX_OUT, &out,
				&len);

	memset(sd, 0, sizeof(*sd));
	if (!rc)
		rc = smb_sd_decode(out, len, sd); /* on error nothing to free */
	free(out);
	return rc;
}

int smb_file_set_sd(struct smb_tree *t, struct smb2_fileid fid,
		    uint32_t secinfo, const struct smb_sd *sd)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	int rc = smb_sd_encode(&w, sd);

	if (!rc)
		rc = smb_set_info(t, fid, SMB2_0_INFO_SECURITY, 0, secinfo,
				  w.data, (uint32_t)w.len);
	wbuf_free(&w);
	return rc;
}
