// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Session establishment: connect, NEGOTIATE, SESSION_SETUP rounds with
 * SPNEGO/NTLMSSP, key derivation and signing activation (MS-SMB2
 * 3.2.4.2 and 3.2.5.2 - 3.2.5.3).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client_internal.h"
#include "smbfs/auth.h"
#include "smbfs/ntlmssp.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_echo.h"
#include "smbfs/wire/smb2_logoff.h"
#include "smbfs/wire/smb2_negotiate.h"
#include "smbfs/wire/smb2_session_setup.h"

#define SESSION_SETUP_MAX_ROUNDS 8

static const uint16_t all_dialects[] = {SMB2_DIALECT_202, SMB2_DIALECT_210,
					SMB2_DIALECT_300, SMB2_DIALECT_302,
					SMB2_DIALECT_311};
static const uint16_t default_sign_algos[] = {
	SMB2_SIGNING_AES_GMAC, SMB2_SIGNING_AES_CMAC, SMB2_SIGNING_HMAC_SHA256};
static const uint16_t default_ciphers[] = {
	SMB2_ENCRYPTION_AES128_GCM, SMB2_ENCRYPTION_AES128_CCM,
	SMB2_ENCRYPTION_AES256_GCM, SMB2_ENCRYPTION_AES256_CCM};

int client_error(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

void session_req_prepare(struct smb_session *s, struct smb_req *req)
{
	req->session_id = s->info.session_id;
	req->sign = s->info.signing;
}

static const char *connect_error_text(int rc)
{
	switch (rc) {
	case -ECONNREFUSED:
		return "connection refused (is the server running and the port right?)";
	case -ETIMEDOUT:
		return "connection timed out (server unreachable or not answering)";
	case -ENOENT:
		return "host name not found";
	case -EHOSTUNREACH:
	case -ENETUNREACH:
		return "server unreachable";
	default:
		return strerror(-rc);
	}
}

static int session_connect(struct smb_session *s,
			   const struct smb_client_config *cfg, char *err,
			   size_t errlen)
{
	struct smb_conn_config cc = {
		.host = cfg->host,
		.port = cfg->port,
		.connect_timeout_ms = cfg->connect_timeout_ms,
		.request_timeout_ms = cfg->request_timeout_ms,
		.on_break = cfg->on_break,
		.on_disconnect = cfg->on_disconnect,
		.cb_arg = cfg->cb_arg,
		.drop_on_timeout = cfg->drop_on_timeout,
		.stats = cfg->stats,
	};
	int rc = smb_conn_open(&cc, &s->conn);

	if (rc < 0)
		return client_error(err, errlen, rc, "cannot connect to %s:%u: %s",
				    cfg->host, cfg->port ? cfg->port : 445,
				    connect_error_text(rc));
	return 0;
}

static int dialect_offered(const struct smb_session *s, uint16_t dialect)
{
	int i;

	for (i = 0; i < s->dialect_count; i++)
		if (s->dialects[i] == dialect)
			return 1;
	return 0;
}

static void negotiate_request_fill(struct smb_session *s,
				   const struct smb_client_config *cfg,
				   struct smb2_negotiate_request *nr)
{
	memset(nr, 0, sizeof(*nr));
	nr->dialects = s->dialects;
	nr->dialect_count = s->dialect_count;
	nr->security_mode = s->client_security_mode;
	nr->capabilities = s->client_capabilities;
	memcpy(nr->client_guid, s->client_guid, 16);
	nr->ciphers = cfg->n_ciphers ? cfg->ciphers : default_ciphers;
	nr->cipher_count = cfg->n_ciphers ? cfg->n_ciphers : 4;
	nr->signing_algos =
		cfg->n_sign_algos ? cfg->sign_algos : default_sign_algos;
	nr->signing_algo_count = cfg->n_sign_algos ? cfg->n_sign_algos : 3;
	nr->netname = cfg->host;
	nr->netname_len = strlen(cfg->host);
}

/* MS-SMB2 2.2.4 SystemTime (FILETIME) against our clock; 0 if unset. */
static int64_t clock_skew_ns(uint64_t server_filetime)
{
	const uint64_t unix_epoch = 116444736000000000ull; /* MS-DTYP 2.3.3 */
	struct timespec ts;
	int64_t ours, theirs;

	if (server_filetime <= unix_epoch)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	ours = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	theirs = (int64_t)(server_filetime - unix_epoch) * 100;
	return theirs - ours;
}

/* Keeps what the NEGOTIATE response says; refuses what we did not offer. */
static int negotiate_response_apply(struct smb_session *s,
				    const struct smb2_negotiate_response *nr,
				    char *err, size_t errlen)
{
	struct smb_session_info *info = &s->info;

	if (!dialect_offered(s, nr->dialect))
		return client_error(err, errlen, -EPROTO,
				    "server chose dialect 0x%04x, which was not offered",
				    nr->dialect);
	info->dialect = nr->dialect;
	info->capabilities = nr->capabilities;
	info->server_security_mode = nr->security_mode;
	info->max_transact = nr->max_transact_size;
	info->max_read = nr->max_read_size;
	info->max_write = nr->max_write_size;
	memcpy(info->server_guid, nr->server_guid, 16);
	info->clock_skew_ns = clock_skew_ns(nr->system_time);
	if (info->max_read < 65536 || info->max_write < 65536)
		return client_error(err, errlen, -EPROTO,
				    "server offers a read/write size below 64 KiB");
	/* MS-SMB2 3.1.4.1: without a signing context 3.1.1 uses AES-CMAC. */
	if (nr->dialect == SMB2_DIALECT_311) {
		if (!nr->has_preauth ||
		    nr->preauth_hash != SMB2_PREAUTH_INTEGRITY_SHA512)
			return client_error(err, errlen, -EPROTO,
					    "server sent no usable preauth integrity context");
		info->sign_algo = nr->has_signing ? nr->signing_algo
						  : SMB2_SIGNING_AES_CMAC;
		info->cipher = nr->has_cipher ? nr->cipher : 0;
	} else if (nr->dialect >= SMB2_DIALECT_300) {
		info->sign_algo = SMB2_SIGNING_AES_CMAC;
		if (nr->capabilities & SMB2_GLOBAL_CAP_ENCRYPTION)
			info->cipher = SMB2_ENCRYPTION_AES128_CCM;
	} else {
		info->sign_algo = SMB2_SIGNING_HMAC_SHA256;
	}
	if (info->sign_algo > SMB2_SIGNING_AES_GMAC)
		return client_error(err, errlen, -EPROTO,
				    "server chose an unknown signing algorithm %u",
				    info->sign_algo);
	return 0;
}

static int session_negotiate(struct smb_session *s,
			     const struct smb_client_config *cfg, char *err,
			     size_t errlen)
{
	struct smb2_negotiate_request nr;
	struct smb2_negotiate_response rsp;
	struct smb_req *req = smb_req_new(SMB2_NEGOTIATE);
	int rc;

	if (!req)
		return client_error(err, errlen, -ENOMEM, "out of memory");
	negotiate_request_fill(s, cfg, &nr);
	rc = smb_random_bytes(nr.preauth_salt, sizeof(nr.preauth_salt));
	if (!rc)
		rc = smb2_negotiate_request_encode(&req->msg, &nr);
	if (rc < 0) {
		client_error(err, errlen, rc, "cannot build NEGOTIATE: %s",
			     strerror(-rc));
		goto out;
	}
	req->timeout_ms = s->establish_timeout_ms;
	smb_conn_submit(s->conn, req);
	rc = smb_req_wait(req);
	if (rc < 0) {
		client_error(err, errlen, rc, "no answer to NEGOTIATE from %s: %s",
			     s->host, rc == -ETIMEDOUT ? "timed out" : strerror(-rc));
		goto out;
	}
	if (req->status != STATUS_SUCCESS) {
		char buf[64];

		rc = client_error(err, errlen, nt_status_to_errno(req->status),
				  "negotiate failed: %s (no common dialect or signing algorithm?)",
				  nt_status_message(req->status, buf, sizeof(buf)));
		goto out;
	}
	rc = smb2_negotiate_response_decode(req->rsp, req->rsp_len, &rsp);
	if (rc < 0) {
		client_error(err, errlen, rc, "malformed NEGOTIATE response");
		goto out;
	}
	rc = negotiate_response_apply(s, &rsp, err, errlen);
	if (rc < 0)
		goto out;
	/* MS-SMB2 3.2.5.2: the hash covers the request and the response. */
	if (s->info.dialect == SMB2_DIALECT_311) {
		rc = smb_preauth_update(s->preauth_hash, req->msg.data,
					req->msg.len);
		if (!rc)
			rc = smb_preauth_update(s->preauth_hash, req->rsp,
						req->rsp_len);
		if (rc < 0)
			goto out;
	}
	smb_conn_set_negotiated(s->conn, s->info.dialect, s->info.capabilities,
				s->info.max_transact, s->info.max_read,
				s->info.max_write);
out:
	smb_req_free(req);
	return rc;
}

/* Sends one SESSION_SETUP round; the caller owns *out on success. */
static int session_setup_round(struct smb_session *s, const uint8_t *token,
			       size_t token_len, struct smb_req **out)
{
	struct smb2_session_setup_request sr = {
		.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED,
		.security_buffer = token,
		.security_buffer_len = token_len,
	};
	struct smb_req *req = smb_req_new(SMB2_SESSION_SETUP);
	int rc;

	if (!req)
		return -ENOMEM;
	if (s->client_security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED)
		sr.security_mode |= SMB2_NEGOTIATE_SIGNING_REQUIRED;
	req->session_id = s->info.session_id;
	req->timeout_ms = s->establish_timeout_ms;
	rc = smb2_session_setup_request_encode(&req->msg, &sr);
	if (rc < 0) {
		smb_req_free(req);
		return rc;
	}
	smb_conn_submit(s->conn, req);
	rc = smb_req_wait(req);
	if (rc < 0) {
		smb_req_free(req);
		return rc;
	}
	*out = req;
	return 0;
}

static int auth_failure(uint32_t status, char *err, size_t errlen)
{
	char buf[64];

	return client_error(err, errlen, nt_status_to_errno(status), "%s",
			    nt_status_message(status, buf, sizeof(buf)));
}

/*
 * MS-SMB2 3.2.5.3.1: derive keys, check the signature of the final
 * response (signed with the new key), and tell the connection.
 */
static int session_activate(struct smb_session *s, struct smb_auth *auth,
			    const struct smb_req *final, bool want_sign,
			    char *err, size_t errlen)
{
	struct smb_conn_security sec = {0};
	uint8_t key[16];
	int rc;

	/* Samba does not always set IS_NULL for a null session. */
	if (smb_auth_is_anonymous(auth))
		s->info.anonymous = true;
	if (s->info.anonymous || s->info.guest) {
		if (want_sign)
			return client_error(err, errlen, -EACCES,
					    "signing requested but the server gave a %s session, which cannot sign",
					    s->info.guest ? "guest" : "anonymous");
		return 0;
	}
	rc = smb_auth_session_key(auth, key);
	if (rc < 0)
		return client_error(err, errlen, rc, "no session key");
	rc = smb_derive_session_keys(s->info.dialect, s->info.cipher, key,
				     s->preauth_hash, &sec.keys);
	smb_secure_zero(key, sizeof(key));
	if (rc < 0)
		return client_error(err, errlen, rc, "key derivation failed");
	if (final->rsp_hdr.flags & SMB2_FLAGS_SIGNED) {
		rc = smb_verify_message(s->info.sign_algo, sec.keys.signing_key,
					final->rsp, final->rsp_len);
		if (rc < 0) {
			rc = client_error(err, errlen, -EBADMSG,
					  "bad signature on the SESSION_SETUP response: rejected");
			goto out;
		}
	} else if (want_sign && s->info.dialect >= SMB2_DIALECT_300) {
		rc = client_error(err, errlen, -EBADMSG,
				  "the final SESSION_SETUP response is not signed");
		goto out;
	}
	s->info.signing = want_sign;
	sec.session_id = s->info.session_id;
	sec.sign_algo = s->info.sign_algo;
	sec.cipher = s->info.cipher;
	sec.signing_required = want_sign;
	rc = smb_conn_set_security(s->conn, &sec);
out:
	smb_secure_zero(&sec, sizeof(sec));
	return rc;
}

/* Runs the SPNEGO rounds until the server says STATUS_SUCCESS. */
static int session_authenticate(struct smb_session *s, struct smb_auth *auth,
				const uint8_t *hint, size_t hint_len,
				struct smb_req **final, char *err,
				size_t errlen)
{
	uint8_t *token = NULL;
	size_t token_len = 0;
	struct smb_req *req = NULL;
	struct smb2_session_setup_response sr;
	int round, rc;

	rc = smb_auth_step(auth, hint, hint_len, &token, &token_len);
	for (round = 0; rc >= 0 && round < SESSION_SETUP_MAX_ROUNDS; round++) {
		rc = session_setup_round(s, token, token_len, &req);
		free(token);
		token = NULL;
		if (rc < 0)
			return client_error(err, errlen, rc,
					    "session setup failed: %s",
					    strerror(-rc));
		if (req->status != STATUS_SUCCESS &&
		    req->status != STATUS_MORE_PROCESSING_REQUIRED) {
			rc = auth_failure(req->status, err, errlen);
			break;
		}
		rc = smb2_session_setup_response_decode(req->rsp, req->rsp_len,
							&sr);
		if (rc < 0) {
			client_error(err, errlen, rc,
				     "malformed SESSION_SETUP response");
			break;
		}
		s->info.session_id = req->rsp_hdr.session_id;
		/* MS-SMB2 3.2.5.3: every round but the final response. */
		if (s->info.dialect == SMB2_DIALECT_311) {
			rc = smb_preauth_update(s->preauth_hash, req->msg.data,
						req->msg.len);
			if (!rc && req->status != STATUS_SUCCESS)
				rc = smb_preauth_update(s->preauth_hash,
							req->rsp, req->rsp_len);
			if (rc < 0)
				break;
		}
		rc = smb_auth_step(auth, sr.security_buffer,
				   sr.security_buffer_len, &token, &token_len);
		if (req->status == STATUS_SUCCESS) {
			free(token);
			if (rc < 0)
				client_error(err, errlen, rc,
					     "server's final authentication token rejected");
			else if (rc > 0)
				rc = client_error(err, errlen, -EPROTO,
						  "server ended authentication early");
			else {
				s->info.guest = sr.session_flags &
						SMB2_SESSION_FLAG_IS_GUEST;
				s->info.anonymous = sr.session_flags &
						    SMB2_SESSION_FLAG_IS_NULL;
				*final = req;
				return 0;
			}
			break;
		}
		smb_req_free(req);
		req = NULL;
		if (rc < 0)
			client_error(err, errlen, rc,
				     "bad authentication token from the server");
	}
	free(token);
	smb_req_free(req);
	if (rc >= 0)
		rc = client_error(err, errlen, -EPROTO,
				  "authentication did not finish");
	return rc;
}

static int session_login(struct smb_session *s,
			 const struct smb_client_config *cfg,
			 const uint8_t *hint, size_t hint_len, char *err,
			 size_t errlen)
{
	struct smb_auth_creds creds = {
		.user = cfg->user,
		.domain = cfg->domain,
		.password = cfg->password,
		.nt_hash = cfg->nt_hash,
		.workstation = cfg->workstation,
		.anonymous = cfg->anonymous,
	};
	struct smb_auth *auth = NULL;
	struct smb_req *final = NULL;
	bool want_sign;
	int rc;

	if (cfg->guest && !cfg->user)
		creds.user = "guest";
	if (cfg->guest && !cfg->password && !cfg->nt_hash)
		creds.password = "";
	rc = smb_auth_ntlmssp_new(&creds, &auth);
	if (rc < 0)
		return client_error(err, errlen, rc, "cannot start NTLMSSP: %s",
				    strerror(-rc));
	rc = session_authenticate(s, auth, hint, hint_len, &final, err, errlen);
	if (rc < 0)
		goto out;
	if (s->info.guest && !cfg->guest && !cfg->anonymous) {
		rc = client_error(err, errlen, -EACCES,
				  "the server logged us on as guest; use the guest option to accept that");
		goto out;
	}
	want_sign = cfg->sign ||
		    (s->info.server_security_mode &
		     SMB2_NEGOTIATE_SIGNING_REQUIRED);
	rc = session_activate(s, auth, final, want_sign, err, errlen);
out:
	smb_req_free(final);
	smb_auth_free(auth);
	return rc;
}

static int session_init(struct smb_session *s,
			const struct smb_client_config *cfg)
{
	uint16_t lo = cfg->dialect_min ? cfg->dialect_min : SMB2_DIALECT_202;
	uint16_t hi = cfg->dialect_max ? cfg->dialect_max : SMB2_DIALECT_311;
	size_t i;

	for (i = 0; i < sizeof(all_dialects) / sizeof(all_dialects[0]); i++)
		if (all_dialects[i] >= lo && all_dialects[i] <= hi)
			s->dialects[s->dialect_count++] = all_dialects[i];
	if (!s->dialect_count)
		return -EINVAL;
	s->client_security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	if (cfg->sign)
		s->client_security_mode |= SMB2_NEGOTIATE_SIGNING_REQUIRED;
	s->client_capabilities = SMB2_GLOBAL_CAP_LEASING |
				 SMB2_GLOBAL_CAP_LARGE_MTU |
				 SMB2_GLOBAL_CAP_ENCRYPTION;
	/* A server that does not answer the log-on fails it quickly. */
	s->establish_timeout_ms =
		cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 5000;
	if (cfg->request_timeout_ms > 0 &&
	    cfg->request_timeout_ms < s->establish_timeout_ms)
		s->establish_timeout_ms = cfg->request_timeout_ms;
	s->host = strdup(cfg->host);
	if (!s->host)
		return -ENOMEM;
	/*
	 * MS-SMB2 3.2.4.4 / 3.3.5.9.12: a leased durable handle can only be
	 * reconnected by the client that opened it, known by its ClientGuid,
	 * so a caller that reconnects keeps one for all its sessions.
	 */
	if (cfg->client_guid) {
		memcpy(s->client_guid, cfg->client_guid, sizeof(s->client_guid));
		return 0;
	}
	return smb_random_bytes(s->client_guid, sizeof(s->client_guid));
}

int smb_session_open(const struct smb_client_config *cfg,
		     struct smb_session **out, char *err, size_t errlen)
{
	struct smb_session *s;
	int rc;

	*out = NULL;
	if (!cfg->host || !*cfg->host)
		return client_error(err, errlen, -EINVAL, "no server name");
	s = calloc(1, sizeof(*s));
	if (!s)
		return client_error(err, errlen, -ENOMEM, "out of memory");
	rc = session_init(s, cfg);
	if (rc < 0) {
		client_error(err, errlen, rc, "bad dialect range or out of memory");
		goto fail;
	}
	rc = session_connect(s, cfg, err, errlen);
	if (rc < 0)
		goto fail;
	rc = session_negotiate(s, cfg, err, errlen);
	if (rc < 0)
		goto fail;
	/* No SPNEGO hint is needed: NTLMSSP is the only mechanism offered. */
	rc = session_login(s, cfg, NULL, 0, err, errlen);
	if (rc < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	smb_session_close(s);
	return rc;
}

static int session_logoff(struct smb_session *s)
{
	struct smb_req *req = smb_req_new(SMB2_LOGOFF);
	int rc;

	if (!req)
		return -ENOMEM;
	session_req_prepare(s, req);
	/* At unmount: a server that does not answer at once is let go. */
	req->timeout_ms = 1000;
	rc = smb2_logoff_request_encode(&req->msg);
	if (!rc) {
		smb_conn_submit(s->conn, req);
		rc = smb_req_wait(req);
	}
	smb_req_free(req);
	return rc;
}

void smb_session_close(struct smb_session *s)
{
	if (!s)
		return;
	if (s->conn) {
		if (s->info.session_id && smb_conn_is_connected(s->conn))
			session_logoff(s);
		smb_conn_close(s->conn);
	}
	free(s->host);
	smb_secure_zero(s, sizeof(*s));
	free(s);
}

void smb_session_get_info(const struct smb_session *s,
			  struct smb_session_info *info)
{
	*info = s->info;
}

struct smb_conn *smb_session_conn(struct smb_session *s)
{
	return s->conn;
}

int smb_password_nt_hash(const char *password, uint8_t out[16])
{
	return ntlmssp_nt_hash(password, out);
}

int smb_session_echo(struct smb_session *s)
{
	struct smb_req *req = smb_req_new(SMB2_ECHO);
	int rc;

	if (!req)
		return -ENOMEM;
	session_req_prepare(s, req);
	rc = smb2_echo_request_encode(&req->msg);
	if (!rc) {
		smb_conn_submit(s->conn, req);
		rc = smb_req_wait(req);
		if (!rc)
			rc = smb_req_result(req, 0);
	}
	smb_req_free(req);
	return rc;
}
