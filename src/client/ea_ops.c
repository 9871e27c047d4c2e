// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Extended attributes of a path (MS-FSCC 2.4.15), each one path
 * compound: CREATE with FILE_READ_EA or FILE_WRITE_EA and no
 * (non-)directory option, so it serves files and directories alike,
 * QUERY_INFO or SET_INFO FileFullEaInformation, CLOSE.
 *
 * An EA with an empty value does not exist: setting one deletes the EA
 * (MS-FSA 2.1.5.15.5), and Samba answers a query for an EA the file
 * lacks with its name and no value.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/wire/fscc_info.h"

/* One FILE_FULL_EA_INFORMATION entry of the largest kind, rounded up. */
#define EA_ONE_MAX (8 + 255 + 1 + 65535 + 8)
/* All EAs: the first guess, and how far the buffer may grow. */
#define EA_LIST_FIRST (16u << 10)
#define EA_LIST_MAX   (1u << 20)

/* The largest QUERY_INFO output the session allows, up to want. */
static uint32_t ea_max_out(struct smb_tree *t, uint32_t want)
{
	uint32_t m = t->session->info.max_transact;

	return m && m < want ? m : want;
}

/*
 * QUERY_INFO FileFullEaInformation of name alone (through a
 * FILE_GET_EA_INFORMATION list, MS-FSCC 2.4.15.1) or, name NULL, of
 * every EA.
 */
static int ea_query(struct smb_tree *t, const char *path, const char *name,
		    uint32_t max_out, uint8_t **out, uint32_t *out_len)
{
	struct smb_wbuf names = SMB_WBUF_INIT;
	int rc = name ? fscc_get_ea_encode(&names, &name, 1) : 0;

	*out = NULL;
	if (!rc)
		rc = smb_path_query_info(
			t, path, FILE_READ_EA, SMB2_0_INFO_FILE,
			FILE_FULL_EA_INFORMATION, 0, names.data,
			(uint32_t)names.len, max_out, out, out_len);
	wbuf_free(&names);
	return rc;
}

int smb_path_get_ea(struct smb_tree *t, const char *path, const char *name,
		    uint8_t **value, size_t *len)
{
	struct fscc_ea e;
	uint8_t *buf;
	uint32_t buf_len = 0;
	int rc;

	if (value)
		*value = NULL;
	*len = 0;
	rc = ea_query(t, path, name, ea_max_out(t, EA_ONE_MAX), &buf, &buf_len);
	if (!rc)
		rc = fscc_ea_find(buf, buf_len, name, &e);
	if (rc == 1 && !e.value_len)
		rc = 0;
	if (rc == 1 && value) {
		*value = malloc(e.value_len);
		if (*value)
			memcpy(*value, e.value, e.value_len);
		else
			rc = -ENOMEM;
	}
	if (rc == 1) {
		*len = e.value_len;
		rc = 0;
	} else if (rc == 0) {
		rc = -ENODATA;
	}
	free(buf);
	return rc;
}

/* "a\0b\0" from the entries of a list that have a value. */
static int ea_names(const uint8_t *buf, size_t len, char **names,
		    size_t *names_len)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct fscc_ea_iter it;
	struct fscc_ea e;
	int rc;

	fscc_ea_iter_init(&it, buf, len);
	while ((rc = fscc_ea_next(&it, &e)) > 0)
		if (e.value_len)
			wbuf_bytes(&w, e.name, e.name_len + 1);
	if (!rc)
		rc = wbuf_error(&w);
	if (rc < 0) {
		wbuf_free(&w);
		return rc;
	}
	*names = (char *)wbuf_steal(&w, names_len);
	return 0;
}

/* The buffer grows while the server says it is too small. */
int smb_path_list_eas(struct smb_tree *t, const char *path, char **names,
		      size_t *len)
{
	uint32_t cap = ea_max_out(t, EA_LIST_MAX);
	uint32_t max = cap < EA_LIST_FIRST ? cap : EA_LIST_FIRST;
	uint32_t buf_len = 0;
	uint8_t *buf = NULL;
	int rc;

	*names = NULL;
	*len = 0;
	for (;;) {
		rc = ea_query(t, path, NULL, max, &buf, &buf_len);
		/* STATUS_BUFFER_OVERFLOW or STATUS_BUFFER_TOO_SMALL */
		if ((rc != -E2BIG && rc != -ERANGE) || max >= cap)
			break;
		max = max > cap / 4 ? cap : max * 4;
	}
	/* STATUS_NO_EAS_ON_FILE: an empty list. */
	if (rc == -ENODATA)
		rc = 0;
	if (!rc)
		rc = ea_names(buf, buf_len, names, len);
	free(buf);
	return rc;
}

int smb_path_set_ea(struct smb_tree *t, const char *path, const char *name,
		    const void *value, size_t len)
{
	struct fscc_ea e = {
		.name = name,
		.name_len = strlen(name),
		.value = value,
		.value_len = len,
	};
	struct smb_wbuf w = SMB_WBUF_INIT;
	int rc = fscc_full_ea_encode(&w, &e, 1);

	if (!rc)
		rc = smb_path_set_info(t, path, FILE_WRITE_EA, SMB2_0_INFO_FILE,
				       FILE_FULL_EA_INFORMATION, 0, w.data,
				       (uint32_t)w.len);
	wbuf_free(&w);
	return rc;
}
