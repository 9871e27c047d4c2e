// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TREE_CONNECT / TREE_DISCONNECT (MS-SMB2 3.2.4.2.4, 3.2.5.5) and the
 * VALIDATE_NEGOTIATE check that 3.0 / 3.0.2 need after the first tree
 * connect.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_ioctl.h"
#include "smbfs/wire/smb2_tree_connect.h"
#include "smbfs/wire/smb2_tree_disconnect.h"
#include "smbfs/wire/smb2_validate_negotiate.h"

static int tree_connect_error(struct smb_session *s, const char *share,
			      uint32_t status, char *err, size_t errlen)
{
	char buf[64];
	int rc = nt_status_to_errno(status);

	if (status == STATUS_BAD_NETWORK_NAME)
		return client_error(err, errlen, -ENOENT,
				    "share '%s' not found on %s", share,
				    s->host);
	if (rc == -EACCES)
		return client_error(err, errlen, rc,
				    "access to share '%s' denied (%s)", share,
				    nt_status_message(status, buf, sizeof(buf)));
	return client_error(err, errlen, rc, "cannot connect to share '%s': %s",
			    share, nt_status_message(status, buf, sizeof(buf)));
}

static int tree_connect_send(struct smb_session *s, const char *share,
			     struct smb_req **out)
{
	struct smb2_tree_connect_request tr = {0};
	struct smb_req *req = smb_req_new(SMB2_TREE_CONNECT);
	char *path = NULL;
	int rc;

	if (!req)
		return -ENOMEM;
	/* MS-SMB2 2.2.9: the path is "\\server\share". */
	if (asprintf(&path, "\\\\%s\\%s", s->host, share) < 0) {
		smb_req_free(req);
		return -ENOMEM;
	}
	tr.path = path;
	tr.path_len = strlen(path);
	session_req_prepare(s, req);
	/*
	 * MS-SMB2 3.2.4.1.1: on 3.1.1 a TREE_CONNECT is signed even when
	 * the session does not sign, so the server can trust the preauth
	 * integrity of the session (Samba refuses it unsigned).
	 */
	if (s->info.dialect == SMB2_DIALECT_311 && !s->info.anonymous &&
	    !s->info.guest)
		req->sign = true;
	req->timeout_ms = s->establish_timeout_ms;
	rc = smb2_tree_connect_request_encode(&req->msg, &tr);
	free(path);
	if (!rc) {
		smb_conn_submit(s->conn, req);
		rc = smb_req_wait(req);
	}
	if (rc < 0) {
		smb_req_free(req);
		return rc;
	}
	*out = req;
	return 0;
}

int smb_tree_connect(struct smb_session *s, const char *share,
		     struct smb_tree **out, char *err, size_t errlen)
{
	struct smb2_tree_connect_response tr;
	struct smb_req *req = NULL;
	struct smb_tree *t;
	int rc;

	*out = NULL;
	if (!share || !*share || strpbrk(share, "\\/"))
		return client_error(err, errlen, -EINVAL, "bad share name");
	rc = tree_connect_send(s, share, &req);
	if (rc < 0)
		return client_error(err, errlen, rc,
				    "tree connect to '%s' failed: %s", share,
				    strerror(-rc));
	if (req->status != STATUS_SUCCESS) {
		rc = tree_connect_error(s, share, req->status, err, errlen);
		smb_req_free(req);
		return rc;
	}
	rc = smb2_tree_connect_response_decode(req->rsp, req->rsp_len, &tr);
	t = rc ? NULL : calloc(1, sizeof(*t));
	if (!t) {
		smb_req_free(req);
		return client_error(err, errlen, rc ? rc : -ENOMEM,
				    "malformed TREE_CONNECT response");
	}
	t->session = s;
	t->info.tree_id = req->rsp_hdr.tree_id;
	t->info.share_type = tr.share_type;
	t->info.share_flags = tr.share_flags;
	t->info.capabilities = tr.capabilities;
	t->info.maximal_access = tr.maximal_access;
	/* MS-SMB2 3.2.5.5: an encrypted share needs every request sealed. */
	t->encrypt = (tr.share_flags & SMB2_SHAREFLAG_ENCRYPT_DATA) &&
		     s->info.dialect >= SMB2_DIALECT_300;
	smb_req_free(req);
	if (t->encrypt && !s->info.cipher) {
		smb_tree_disconnect(t);
		return client_error(err, errlen, -EOPNOTSUPP,
				    "share '%s' requires encryption, which was not negotiated",
				    share);
	}
	rc = session_validate_negotiate(s, t, err, errlen);
	if (rc < 0) {
		smb_tree_disconnect(t);
		return rc;
	}
	*out = t;
	return 0;
}

int smb_tree_disconnect(struct smb_tree *t)
{
	struct smb_req *req;
	int rc;

	if (!t)
		return 0;
	req = smb_tree_req_new(t, SMB2_TREE_DISCONNECT);
	rc = req ? smb2_tree_disconnect_request_encode(&req->msg) : -ENOMEM;
	if (!rc) {
		/* At unmount: a server that does not answer at once is let go. */
		req->timeout_ms = 1000;
		rc = smb_call(t, req, 0);
	}
	smb_req_free(req);
	free(t);
	return rc;
}

void smb_tree_free(struct smb_tree *t)
{
	free(t);
}

void smb_tree_get_info(const struct smb_tree *t, struct smb_tree_info *info)
{
	*info = t->info;
}

struct smb_session *smb_tree_session(struct smb_tree *t)
{
	return t->session;
}

/*
 * MS-SMB2 3.2.5.5: on 3.0 and 3.0.2 the client proves that nobody
 * tampered with the NEGOTIATE exchange by sending what it offered in a
 * signed IOCTL and comparing the server's answer.  3.1.1 has the preauth
 * hash instead; 2.x has nothing.  Without signing or encryption (guest,
 * anonymous) the answer could be forged, so the check is skipped as
 * cifs.ko does.
 */
int session_validate_negotiate(struct smb_session *s, struct smb_tree *t,
			       char *err, size_t errlen)
{
	struct smb2_validate_negotiate_request vr = {
		.capabilities = s->client_capabilities,
		.security_mode = s->client_security_mode,
		.dialects = s->dialects,
		.dialect_count = s->dialect_count,
	};
	struct smb2_validate_negotiate_response vrsp;
	struct smb2_negotiate_response neg = {0};
	struct smb_wbuf in = SMB_WBUF_INIT;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	int rc;

	if (s->info.validated || !(s->info.signing || s->info.encrypting) ||
	    (s->info.dialect != SMB2_DIALECT_300 &&
	     s->info.dialect != SMB2_DIALECT_302))
		return 0;
	memcpy(vr.guid, s->client_guid, 16);
	rc = smb2_validate_negotiate_request_encode(&in, &vr);
	if (!rc)
		rc = smb_ioctl(t, smb2_ioctl_no_fileid(),
			       FSCTL_VALIDATE_NEGOTIATE_INFO, in.data, in.len,
			       SMB2_VALIDATE_NEGOTIATE_RESPONSE_SIZE, &out,
			       &out_len);
	wbuf_free(&in);
	if (rc < 0)
		goto out;
	rc = smb2_validate_negotiate_response_decode(out, out_len, &vrsp);
	neg.capabilities = s->info.capabilities;
	neg.security_mode = s->info.server_security_mode;
	neg.dialect = s->info.dialect;
	memcpy(neg.server_guid, s->info.server_guid, 16);
	if (!rc)
		rc = smb2_validate_negotiate_check(&vrsp, &neg);
out:
	free(out);
	if (rc == -EACCES)
		return client_error(err, errlen, -EPROTO,
				    "VALIDATE_NEGOTIATE: the server's answer differs from its NEGOTIATE response (dialect, capabilities, security mode or GUID): the negotiation may have been tampered with; connection aborted");
	if (rc < 0)
		return client_error(err, errlen, -EPROTO,
				    "VALIDATE_NEGOTIATE failed (%s): the negotiation may have been tampered with; connection aborted",
				    strerror(-rc));
	s->info.validated = true;
	return 0;
}
