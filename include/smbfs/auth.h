/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Authentication mechanisms for SESSION_SETUP: a mechanism turns the
 * server's security blobs into the client's, one round at a time.
 * SPNEGO ([MS-SPNG], RFC 4178) wraps NTLMSSP ([MS-NLMP]) or Kerberos
 * (RFC 4121 through GSS-API) behind the same interface.
 */
#ifndef SMBFS_AUTH_H
#define SMBFS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct smb_auth_creds {
	const char *user; /* NULL or "" with anonymous */
	const char *domain; /* NULL or "" for none */
	const char *password; /* caller keeps ownership; copied, wiped on free */
	/* Instead of password: its NT hash (16 bytes), copied, wiped on free. */
	const uint8_t *nt_hash;
	const char *workstation; /* NULL: "SMBFS" */
	bool anonymous; /* NTLMSSP anonymous (null session) */
};

/* Who logs on with Kerberos, and to whom. */
struct smb_krb5_creds {
	const char *host; /* server name: the service is cifs@host */
	/* Service principal instead of cifs@host ("cifs/name[@REALM]"). */
	const char *spn;
	/* NULL: the caller's credential cache (KRB5CCNAME or the default). */
	const char *keytab;
	/* With keytab: the client principal; NULL: the keytab's first. */
	const char *principal;
};

struct smb_auth;

/* Longest session key a mechanism gives (a Kerberos AES-256 key). */
#define SMB_AUTH_KEY_MAX 32

/* SPNEGO + NTLMv2.  0 or -ENOMEM / -EINVAL. */
int smb_auth_ntlmssp_new(const struct smb_auth_creds *creds,
			 struct smb_auth **out);

/*
 * SPNEGO + Kerberos through GSS-API, mutual authentication.  Takes the
 * credentials now (a fresh ticket from the keytab, or the cache as it is
 * now).  Returns 0; -EKEYEXPIRED when there is no usable ticket (kinit
 * needed), -EACCES, -EHOSTUNREACH (no KDC) or -ENOMEM, with a one-line
 * reason in err.
 */
int smb_auth_krb5_new(const struct smb_krb5_creds *creds,
		      struct smb_auth **out, char *err, size_t errlen);

/*
 * Why the last smb_auth_step() failed, in one line, when the mechanism
 * knows more than the errno (Kerberos); NULL otherwise.
 */
const char *smb_auth_error(const struct smb_auth *a);

/*
 * One round.  in/in_len: the security buffer of the server's last
 * response (the NEGOTIATE response's SPNEGO hint on the first call, may
 * be empty).  On return *out (malloc'd, may be NULL with *out_len 0 when
 * there is nothing more to send) is the next SESSION_SETUP buffer.
 * Returns 1 when another round is expected, 0 when the mechanism is done
 * (the final server token was accepted), or a negative errno:
 * -EBADMSG for a malformed server token, -EACCES when the server's final
 * token rejects us or its mechListMIC fails to verify.
 */
int smb_auth_step(struct smb_auth *a, const uint8_t *in, size_t in_len,
		  uint8_t **out, size_t *out_len);

/*
 * The session key once authentication succeeded (ExportedSessionKey for
 * NTLMSSP; zeros and -ENOKEY for anonymous).  Always 16 bytes for SMB
 * (longer Kerberos keys are truncated by the caller per MS-SMB2 3.2.5.3).
 */
int smb_auth_session_key(struct smb_auth *a, uint8_t key[16]);

/*
 * True once the mechanism agreed on message integrity, so the session
 * can sign: for NTLMSSP, the server's CHALLENGE carried NEGOTIATE_SIGN.
 */
bool smb_auth_can_sign(const struct smb_auth *a);

/*
 * The whole session key (MS-SMB2 Session.FullSessionKey): 16 bytes for
 * NTLMSSP, up to SMB_AUTH_KEY_MAX for Kerberos.  *len gets its length.
 */
int smb_auth_full_session_key(struct smb_auth *a,
			      uint8_t key[SMB_AUTH_KEY_MAX], size_t *len);

/* True for the Kerberos mechanism. */
bool smb_auth_is_kerberos(const struct smb_auth *a);

/* True when the session is anonymous (no signing key). */
bool smb_auth_is_anonymous(const struct smb_auth *a);

/* Wipes all secrets and frees. */
void smb_auth_free(struct smb_auth *a);

#endif
