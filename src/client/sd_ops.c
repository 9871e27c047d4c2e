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
#include "smbfs/wire/fscc_info.h"

/* Room for a descriptor with a few dozen ACEs. */
#define SD_MAX_OUT   16384
#define ALL_INFO_MAX 4096
#define EA_MAX_OUT   512

static void op_query_sd(struct compound_op *op)
{
	compound_query_info(op, SMB2_0_INFO_SECURITY, 0, SMB_SD_INFO_UNIX,
			    NULL, 0, SD_MAX_OUT);
}

/*
 * The queries a stat with metadata appends after ops[first]: the
 * attributes, the descriptor and the EA when asked.  Returns the number
 * of ops in all; *names holds the EA list and must outlive the call.
 */
static int meta_queries(struct compound_op *ops, int first,
			struct smb_stat_meta *m, struct smb_wbuf *names,
			uint32_t *access)
{
	int n = first;

	memset(&m->sd, 0, sizeof(m->sd));
	m->ea_len = 0;
	compound_query_info(&ops[n++], SMB2_0_INFO_FILE, FILE_ALL_INFORMATION,
			    0, NULL, 0, ALL_INFO_MAX);
	op_query_sd(&ops[n++]);
	*access |= READ_CONTROL;
	if (m->ea_name && !fscc_get_ea_encode(names, &m->ea_name, 1)) {
		compound_query_info(&ops[n++], SMB2_0_INFO_FILE,
				    FILE_FULL_EA_INFORMATION, 0, names->data,
				    (uint32_t)names->len, EA_MAX_OUT);
		*access |= FILE_READ_EA;
	}
	return n;
}

/*
 * A descriptor or EA that cannot be read (too large, not decodable) is
 * not an error of the stat: it is left empty.
 */
static int meta_results(const struct compound_op *ops, int first, int n,
			struct smb_stat *st, struct smb_stat_meta *m)
{
	struct fscc_ea e;
	int rc = ops[first].rc;

	if (!rc)
		rc = stat_decode_all(ops[first].out, ops[first].out_len, st);
	if (rc)
		return rc;
	if (ops[first + 1].rc ||
	    smb_sd_decode(ops[first + 1].out, ops[first + 1].out_len,
			  &m->sd) < 0)
		memset(&m->sd, 0, sizeof(m->sd));
	if (n < first + 3 || ops[first + 2].rc ||
	    fscc_ea_find(ops[first + 2].out, ops[first + 2].out_len,
			 m->ea_name, &e) != 1)
		return 0;
	m->ea_len = e.value_len < SMB_STAT_EA_MAX ? e.value_len
						  : SMB_STAT_EA_MAX;
	memcpy(m->ea_value, e.value, m->ea_len);
	return 0;
}

/*
 * CREATE asking READ_CONTROL, which needs no right the owner lacks and
 * which Samba counts as a stat open (no lease break), FileAllInformation,
 * the descriptor, the EA when asked, CLOSE.  When the CREATE is refused
 * (READ_CONTROL or FILE_READ_EA denied) the plain stat is the answer.
 */
int smb_path_stat_sd(struct smb_tree *t, const char *path, struct smb_stat *st,
		     struct smb_stat_meta *m)
{
	struct compound_op ops[3];
	struct smb_wbuf names = SMB_WBUF_INIT;
	struct smb_open_args a;
	struct compound c = { .open = &a, .ops = ops };
	uint32_t access = FILE_READ_ATTRIBUTES | SYNCHRONIZE;
	int rc;

	c.n_ops = meta_queries(ops, 0, m, &names, &access);
	path_open_args(&a, path, access, FILE_OPEN, 0);
	rc = compound_run(t, &c);
	if (c.create_rc == -EACCES)
		rc = smb_path_stat(t, path, st);
	else if (!c.create_rc)
		rc = meta_results(ops, 0, c.n_ops, st, m);
	compound_free(&c);
	wbuf_free(&names);
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

/*
 * CREATE, SET_INFO of the descriptor and, with st, the queries of
 * smb_path_stat_sd, CLOSE: what the server made of it in the same round
 * trip.  A failed SET_INFO fails the whole call.
 */
int smb_path_set_sd(struct smb_tree *t, const char *path, uint32_t secinfo,
		    const struct smb_sd *sd, struct smb_stat *st,
		    struct smb_stat_meta *m)
{
	struct compound_op ops[4];
	struct smb_wbuf w = SMB_WBUF_INIT, names = SMB_WBUF_INIT;
	struct smb_open_args a;
	struct compound c = { .open = &a, .ops = ops, .n_ops = 1 };
	uint32_t access = sd_write_access(secinfo);
	int rc = smb_sd_encode(&w, sd);

	compound_set_info(&ops[0], SMB2_0_INFO_SECURITY, 0, secinfo, w.data,
			  (uint32_t)w.len);
	if (st)
		c.n_ops = meta_queries(ops, 1, m, &names, &access);
	path_open_args(&a, path, access, FILE_OPEN, 0);
	if (!rc)
		rc = compound_run(t, &c);
	if (!c.create_rc && !ops[0].rc && st)
		rc = meta_results(ops, 1, c.n_ops, st, m);
	compound_free(&c);
	wbuf_free(&names);
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
