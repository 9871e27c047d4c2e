// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SPNEGO + NTLMSSP session setup mechanism ([MS-SPNG], [MS-NLMP]):
 *   1. (server hint) -> NegTokenInit { NEGOTIATE_MESSAGE }
 *   2. NegTokenResp { CHALLENGE_MESSAGE } -> NegTokenResp {
 *      AUTHENTICATE_MESSAGE, mechListMIC }
 *   3. NegTokenResp { accept-completed, mechListMIC } -> done
 * and the front of every mechanism: a Kerberos session hands each call
 * to krb5_gss.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "krb5_mech.h"
#include "smbfs/auth.h"
#include "smbfs/crypto.h"
#include "smbfs/ntlmssp.h"
#include "smbfs/spnego.h"

enum auth_state {
	AUTH_START,
	AUTH_NEGOTIATE_SENT,
	AUTH_AUTHENTICATE_SENT,
	AUTH_DONE,
	AUTH_FAILED,
};

struct smb_auth {
	struct krb5_mech *krb5; /* set: Kerberos, the rest unused */
	enum auth_state state;
	bool anonymous;
	char *user;
	char *domain;
	char *workstation;
	char *password;
	bool have_nt_hash; /* nt_hash given instead of the password */
	uint8_t nt_hash[16];
	uint8_t *negotiate_msg; /* kept for the MIC */
	size_t negotiate_len;
	uint32_t flags; /* negotiated */
	bool have_key;
	bool mic_requested;	 /* the server's negState was request-mic */
	uint8_t session_key[16]; /* ExportedSessionKey */
	struct ntlmssp_keys keys;
};

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int smb_auth_ntlmssp_new(const struct smb_auth_creds *creds,
			 struct smb_auth **out)
{
	struct smb_auth *a;

	*out = NULL;
	if (!creds)
		return -EINVAL;
	/* A named user is required unless the session is anonymous. */
	if (!creds->anonymous && (!creds->user || !creds->user[0]))
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->anonymous = creds->anonymous;
	a->user = dup_or_empty(creds->anonymous ? NULL : creds->user);
	a->domain = dup_or_empty(creds->anonymous ? NULL : creds->domain);
	a->workstation =
		dup_or_empty(creds->workstation ? creds->workstation : "SMBFS");
	a->password = dup_or_empty(creds->anonymous || creds->nt_hash
					   ? NULL
					   : creds->password);
	if (creds->nt_hash && !creds->anonymous) {
		memcpy(a->nt_hash, creds->nt_hash, sizeof(a->nt_hash));
		a->have_nt_hash = true;
	}
	if (!a->user || !a->domain || !a->workstation || !a->password) {
		smb_auth_free(a);
		return -ENOMEM;
	}
	*out = a;
	return 0;
}

int smb_auth_krb5_new(const struct smb_krb5_creds *creds,
		      struct smb_auth **out, char *err, size_t errlen)
{
	struct smb_auth *a;
	int ret;

	*out = NULL;
	if (!creds || !creds->host)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = krb5_mech_new(creds, &a->krb5, err, errlen);
	if (ret) {
		free(a);
		return ret;
	}
	*out = a;
	return 0;
}

const char *smb_auth_error(const struct smb_auth *a)
{
	return a && a->krb5 ? krb5_mech_error(a->krb5) : NULL;
}

/* Round 1: the server's hint (if any) only has to be well-formed. */
static int step_negotiate(struct smb_auth *a, const uint8_t *in, size_t in_len,
			  uint8_t **out, size_t *out_len)
{
	struct spnego_init hint;
	int ret;

	if (in_len) {
		ret = spnego_parse_init(in, in_len, &hint);
		if (ret)
			return ret;
	}
	ret = ntlmssp_build_negotiate(NTLMSSP_CLIENT_FLAGS, &a->negotiate_msg,
				      &a->negotiate_len);
	if (ret)
		return ret;
	ret = spnego_build_init(a->negotiate_msg, a->negotiate_len, out,
				out_len);
	if (ret)
		return ret;
	a->state = AUTH_NEGOTIATE_SENT;
	return 1;
}

/*
 * RFC 4178 5: the client's mechListMIC is the mechanism's MIC over the
 * DER of the mechTypes it sent, with the client-to-server keys.
 */
static int client_mech_list_mic(struct smb_auth *a, uint8_t mic[16])
{
	size_t len;
	const uint8_t *mech_types = spnego_ntlmssp_mech_types(&len);

	return ntlmssp_sign(&a->keys.client, mech_types, len, mic);
}

static int make_authenticate(struct smb_auth *a, const uint8_t *challenge,
			     size_t challenge_len,
			     struct ntlmssp_auth_result *r)
{
	struct ntlmssp_auth_params p = { 0 };
	struct ntlmssp_challenge c;
	uint8_t nt_hash[16], response_key[16], client_challenge[8];
	uint8_t random_key[16];
	int ret;

	ret = ntlmssp_parse_challenge(challenge, challenge_len, &c);
	if (ret)
		return ret;
	p.user = a->user;
	p.domain = a->domain;
	p.workstation = a->workstation;
	p.anonymous = a->anonymous;
	p.negotiate_flags = NTLMSSP_CLIENT_FLAGS;
	p.negotiate_msg = a->negotiate_msg;
	p.negotiate_len = a->negotiate_len;
	p.challenge_msg = challenge;
	p.challenge_len = challenge_len;
	p.now = ntlmssp_filetime((int64_t)time(NULL));
	p.response_key = response_key;
	p.client_challenge = client_challenge;
	p.random_session_key = random_key;
	ret = smb_random_bytes(client_challenge, sizeof(client_challenge));
	if (!ret)
		ret = smb_random_bytes(random_key, sizeof(random_key));
	if (!ret && !a->anonymous && a->have_nt_hash)
		memcpy(nt_hash, a->nt_hash, sizeof(nt_hash));
	else if (!ret && !a->anonymous)
		ret = ntlmssp_nt_hash(a->password, nt_hash);
	if (!ret && !a->anonymous)
		ret = ntlmssp_ntowfv2(nt_hash, a->user, a->domain,
				      response_key);
	if (!ret)
		ret = ntlmssp_build_authenticate(&p, &c, r);
	smb_secure_zero(nt_hash, sizeof(nt_hash));
	smb_secure_zero(response_key, sizeof(response_key));
	smb_secure_zero(random_key, sizeof(random_key));
	return ret;
}

/* Round 2: CHALLENGE in, AUTHENTICATE (+ mechListMIC) out. */
static int step_authenticate(struct smb_auth *a, const uint8_t *in,
			     size_t in_len, uint8_t **out, size_t *out_len)
{
	struct ntlmssp_auth_result r;
	struct spnego_resp resp;
	uint8_t mic[NTLMSSP_SIGNATURE_LEN];
	int ret;

	ret = spnego_parse_resp(in, in_len, &resp);
	if (ret)
		return ret;
	if (resp.neg_state == SPNEGO_REJECT)
		return -EACCES;
	if (resp.neg_state == SPNEGO_ACCEPT_COMPLETED || !resp.response_token ||
	    (resp.has_supported_mech && !resp.supported_mech_ntlmssp))
		return -EBADMSG;
	a->mic_requested = resp.neg_state == SPNEGO_REQUEST_MIC;
	ret = make_authenticate(a, resp.response_token, resp.response_token_len,
				&r);
	if (ret)
		return ret;
	a->flags = r.flags;
	a->have_key = r.has_session_key;
	memcpy(a->session_key, r.exported_session_key, 16);
	if (a->have_key) {
		ret = ntlmssp_derive_keys(a->session_key, a->flags, &a->keys);
		if (!ret)
			ret = client_mech_list_mic(a, mic);
	}
	/* Anonymous: no keys, so no mechListMIC ([MS-SPNG] 3.1.5.1). */
	if (!ret)
		ret = spnego_build_resp(r.msg, r.len, a->have_key ? mic : NULL,
					sizeof(mic), out, out_len);
	ntlmssp_auth_result_clear(&r);
	smb_secure_zero(mic, sizeof(mic));
	if (ret)
		return ret;
	a->state = AUTH_AUTHENTICATE_SENT;
	return 1;
}

static int check_server_mic(struct smb_auth *a, const struct spnego_resp *resp)
{
	size_t len;
	const uint8_t *mech_types = spnego_ntlmssp_mech_types(&len);

	if (!a->have_key)
		return 0; /* nothing to verify with (anonymous) */
	if (!resp->mech_list_mic)
		return a->mic_requested ? -EACCES : 0;
	return ntlmssp_verify(&a->keys.server, mech_types, len,
			      resp->mech_list_mic, resp->mech_list_mic_len);
}

/* Round 3: the server's verdict, and its mechListMIC if it sent one. */
static int step_finish(struct smb_auth *a, const uint8_t *in, size_t in_len)
{
	struct spnego_resp resp;
	int ret;

	/*
	 * Some servers end SESSION_SETUP with an empty buffer; SMB success
	 * already says we were accepted, and a MIC can only be missed when
	 * the server had not asked for one.
	 */
	if (!in_len)
		return a->mic_requested && a->have_key ? -EACCES : 0;
	ret = spnego_parse_resp(in, in_len, &resp);
	if (ret)
		return ret;
	if (resp.neg_state == SPNEGO_REJECT)
		return -EACCES;
	if (resp.neg_state != SPNEGO_ACCEPT_COMPLETED ||
	    (resp.response_token && resp.response_token_len) ||
	    (resp.has_supported_mech && !resp.supported_mech_ntlmssp))
		return -EBADMSG;
	return check_server_mic(a, &resp);
}

int smb_auth_step(struct smb_auth *a, const uint8_t *in, size_t in_len,
		  uint8_t **out, size_t *out_len)
{
	int ret;

	if (!a || !out || !out_len || (in_len && !in))
		return -EINVAL;
	*out = NULL;
	*out_len = 0;
	if (a->krb5)
		return krb5_mech_step(a->krb5, in, in_len, out, out_len);
	switch (a->state) {
	case AUTH_START:
		ret = step_negotiate(a, in, in_len, out, out_len);
		break;
	case AUTH_NEGOTIATE_SENT:
		ret = step_authenticate(a, in, in_len, out, out_len);
		break;
	case AUTH_AUTHENTICATE_SENT:
		ret = step_finish(a, in, in_len);
		if (!ret)
			a->state = AUTH_DONE;
		break;
	default:
		return -EINVAL;
	}
	if (ret < 0) {
		free(*out);
		*out = NULL;
		*out_len = 0;
		a->state = AUTH_FAILED;
	}
	return ret;
}

int smb_auth_full_session_key(struct smb_auth *a,
			      uint8_t key[SMB_AUTH_KEY_MAX], size_t *len)
{
	int ret;

	if (a && a->krb5)
		return krb5_mech_session_key(a->krb5, key, len);
	memset(key, 0, SMB_AUTH_KEY_MAX);
	*len = 0;
	ret = smb_auth_session_key(a, key);
	if (!ret)
		*len = 16;
	return ret;
}

int smb_auth_session_key(struct smb_auth *a, uint8_t key[16])
{
	uint8_t full[SMB_AUTH_KEY_MAX];
	size_t len;
	int ret;

	memset(key, 0, 16);
	/* MS-SMB2 3.2.5.3.1: the first 16 bytes, zero padded if shorter. */
	if (a && a->krb5) {
		ret = krb5_mech_session_key(a->krb5, full, &len);
		if (!ret)
			memcpy(key, full, len < 16 ? len : 16);
		smb_secure_zero(full, sizeof(full));
		return ret;
	}
	if (!a || a->anonymous)
		return -ENOKEY;
	/*
	 * Known once AUTHENTICATE is built: the caller may need it to check
	 * the signature of the final SESSION_SETUP response first.
	 */
	if (!a->have_key ||
	    (a->state != AUTH_AUTHENTICATE_SENT && a->state != AUTH_DONE))
		return -ENOKEY;
	memcpy(key, a->session_key, 16);
	return 0;
}

bool smb_auth_can_sign(const struct smb_auth *a)
{
	/* Kerberos always gives a key to sign with (MS-SPNG, RFC 4121). */
	if (a && a->krb5)
		return true;
	/* MS-NLMP 2.2.2.5: a server that cannot sign leaves the flag off. */
	return a && a->have_key && (a->flags & NTLMSSP_NEGOTIATE_SIGN);
}

bool smb_auth_is_kerberos(const struct smb_auth *a)
{
	return a && a->krb5;
}

bool smb_auth_is_anonymous(const struct smb_auth *a)
{
	return a && a->anonymous;
}

static void free_secret_string(char *s)
{
	if (s) {
		smb_secure_zero(s, strlen(s));
		free(s);
	}
}

void smb_auth_free(struct smb_auth *a)
{
	if (!a)
		return;
	krb5_mech_free(a->krb5);
	free_secret_string(a->password);
	free_secret_string(a->user);
	free_secret_string(a->domain);
	free(a->workstation);
	free(a->negotiate_msg);
	smb_secure_zero(a, sizeof(*a));
	free(a);
}
