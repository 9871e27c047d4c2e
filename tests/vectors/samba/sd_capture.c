// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dumps or sets the security descriptor of a file on a share, for the
 * sd_*.hex vectors (see README.md in this directory):
 *
 *   sd_capture get PATH [SECINFO]    hex of the QUERY_INFO output buffer
 *   sd_capture set PATH SECINFO HEX  SET_INFO with that descriptor
 *
 * SECINFO is the AdditionalInformation (default 7: owner, group, DACL).
 * The server comes from SMB_HOST, SMB_PORT, SMB_USER, SMB_PASS and
 * SMB_SHARE (scripts/samba.sh writes all but the share to DIR/env).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs/client.h"
#include "smbfs/smb2.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);

	if (!v) {
		fprintf(stderr, "sd_capture: %s not set\n", name);
		exit(2);
	}
	return v;
}

static uint8_t *unhex(const char *s, size_t *len)
{
	size_t n = strlen(s) / 2, i;
	uint8_t *b = malloc(n ? n : 1);
	unsigned int v;

	for (i = 0; b && i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			break;
		b[i] = (uint8_t)v;
	}
	if (!b || i != n || strlen(s) % 2) {
		free(b);
		return NULL;
	}
	*len = n;
	return b;
}

static int run(struct smb_tree *t, int argc, char **argv)
{
	struct smb_open_result res;
	uint32_t sec = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 7;
	uint8_t *buf = NULL;
	uint32_t len, i;
	size_t n = 0;
	bool get = !strcmp(argv[1], "get");
	int rc;

	rc = smb_path_open(t, argv[2], get ? READ_CONTROL : WRITE_DAC,
			   FILE_OPEN, 0, &res);
	if (rc)
		return rc;
	if (get) {
		rc = smb_query_info(t, res.fid, SMB2_0_INFO_SECURITY, 0, sec,
				    NULL, 0, 65536, &buf, &len);
		for (i = 0; !rc && i < len; i++)
			printf("%02x", buf[i]);
		if (!rc)
			printf("\n");
	} else if (argc > 4 && (buf = unhex(argv[4], &n))) {
		rc = smb_set_info(t, res.fid, SMB2_0_INFO_SECURITY, 0, sec, buf,
				  (uint32_t)n);
	} else {
		rc = -EINVAL;
	}
	free(buf);
	smb_file_close(t, res.fid, NULL);
	return rc;
}

int main(int argc, char **argv)
{
	struct smb_client_config cfg = { 0 };
	struct smb_session *s;
	struct smb_tree *t;
	char err[256];
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: sd_capture get PATH [SECINFO] | "
				"set PATH SECINFO HEX\n");
		return 2;
	}
	cfg.host = env("SMB_HOST");
	cfg.port = (uint16_t)atoi(env("SMB_PORT"));
	cfg.user = env("SMB_USER");
	cfg.password = env("SMB_PASS");
	rc = smb_session_open(&cfg, &s, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "sd_capture: %s\n", err);
		return 1;
	}
	rc = smb_tree_connect(s, env("SMB_SHARE"), &t, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "sd_capture: %s\n", err);
	} else {
		rc = run(t, argc, argv);
		if (rc)
			fprintf(stderr, "sd_capture: %s\n", strerror(-rc));
		smb_tree_disconnect(t);
	}
	smb_session_close(s);
	return rc ? 1 : 0;
}
