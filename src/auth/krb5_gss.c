// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kerberos for SESSION_SETUP through Heimdal GSS-API (MS-SMB2 3.2.5.3,
 * [MS-SPNG], RFC 4121, RFC 4178):
 *   1. NegTokenInit { mechTypes [krb5], mechToken AP-REQ (mutual) }
 *   2. NegTokenResp { supportedMech krb5, AP-REP } -> done when the
 *      server says accept-completed, else our mechListMIC
 *   3. NegTokenResp { accept-completed } -> done
 * Credentials come from the caller's credential cache as it is at each
 * log-on, or, for unattended mounts, from a keytab: a fresh AS exchange
 * into a private memory cache every time.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>

#include "krb5_mech.h"
#include "smbfs/asn1.h"
#include "smbfs/crypto.h"
#include "smbfs/spnego.h"

#define KRB5_ERR_LEN 320

enum krb5_state {
	KRB5_START,
	KRB5_AP_REQ_SENT,
	KRB5_MIC_SENT,
	KRB5_DONE,
	KRB5_FAILED,
};

struct krb5_mech {
	enum krb5_state state;
	bool complete; /* the GSS context is established */
	krb5_context ctx;
	krb5_ccache ccache;
	bool own_ccache; /* the memory cache filled from the keytab */
	gss_cred_id_t cred;
	gss_name_t target;
	char *target_text; /* the service principal, for messages */
	gss_ctx_id_t gss;
	char error[KRB5_ERR_LEN];
};

/*
 * What a Kerberos error code means to the person mounting, and the
 * errno it becomes: -EKEYEXPIRED whenever a new ticket (kinit) is the
 * cure, so a reconnect can say so too.
 */
static int classify(krb5_error_code code, const char **what)
{
	switch (code) {
	case KRB5_FCC_NOFILE:
	case KRB5_CC_NOTFOUND:
	case KRB5_CC_END:
		*what = "no Kerberos ticket: run kinit (or mount with keytab=)";
		return -EKEYEXPIRED;
	case KRB5KRB_AP_ERR_TKT_EXPIRED:
		*what = "the Kerberos ticket has expired: run kinit";
		return -EKEYEXPIRED;
	case KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN:
		*what = "the KDC does not know the service principal (spn= "
			"names another)";
		return -EACCES;
	case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
		*what = "the KDC does not know the client principal";
		return -EACCES;
	case KRB5KRB_AP_ERR_SKEW:
		*what = "clock skew too great between this machine and the KDC "
			"or server";
		return -EACCES;
	case KRB5_KDC_UNREACH:
		*what = "cannot reach a KDC for the realm (unknown realm, or "
			"the KDC is down)";
		return -EHOSTUNREACH;
	case KRB5_REALM_UNKNOWN:
	case KRB5_REALM_CANT_RESOLVE:
	case KRB5_CONFIG_NODEFREALM:
		*what = "unknown Kerberos realm (check krb5.conf)";
		return -EACCES;
	case KRB5_KT_NOTFOUND:
	case KRB5_KT_END:
		*what = "the keytab holds no key for the principal";
		return -EACCES;
	case KRB5KDC_ERR_PREAUTH_FAILED:
	case KRB5KRB_AP_ERR_BAD_INTEGRITY:
		*what = "the keytab's key does not match the KDC's";
		return -EACCES;
	case KRB5KRB_AP_ERR_MODIFIED:
		*what = "the server cannot decrypt its ticket (its keytab does "
			"not match the KDC)";
		return -EACCES;
	default:
		*what = NULL;
		return -EACCES;
	}
}

/* "Kerberos: <meaning> (<library's own words>)" into buf; the errno. */
static int describe(char *buf, size_t len, krb5_error_code code,
		    const char *detail)
{
	const char *what;
	int rc = classify(code, &what);

	if (what && detail && *detail)
		snprintf(buf, len, "Kerberos: %s (%s)", what, detail);
	else if (what)
		snprintf(buf, len, "Kerberos: %s", what);
	else
		snprintf(buf, len, "Kerberos: %s",
			 detail && *detail ? detail : "authentication failed");
	return rc;
}

static int krb5_failure(krb5_context ctx, krb5_error_code code, char *err,
			size_t errlen)
{
	const char *detail = krb5_get_error_message(ctx, code);
	int rc = describe(err, errlen, code, detail);

	krb5_free_error_message(ctx, detail);
	return rc;
}

/* The mechanism's words for a GSS failure (minor status first). */
static void gss_detail(OM_uint32 major, OM_uint32 minor, char *buf, size_t len)
{
	gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
	OM_uint32 m, ctx = 0;

	buf[0] = '\0';
	if (minor)
		gss_display_status(&m, minor, GSS_C_MECH_CODE,
				   GSS_KRB5_MECHANISM, &ctx, &text);
	else
		gss_display_status(&m, major, GSS_C_GSS_CODE, GSS_C_NO_OID,
				   &ctx, &text);
	if (text.length)
		snprintf(buf, len, "%.*s", (int)text.length,
			 (const char *)text.value);
	gss_release_buffer(&m, &text);
}

static int gss_failure(struct krb5_mech *k, OM_uint32 major, OM_uint32 minor)
{
	char detail[200];

	gss_detail(major, minor, detail, sizeof(detail));
	if (minor)
		return describe(k->error, sizeof(k->error),
				(krb5_error_code)minor, detail);
	switch (GSS_ROUTINE_ERROR(major)) {
	case GSS_S_NO_CRED:
		return describe(k->error, sizeof(k->error), KRB5_CC_NOTFOUND,
				detail);
	case GSS_S_CREDENTIALS_EXPIRED:
		return describe(k->error, sizeof(k->error),
				KRB5KRB_AP_ERR_TKT_EXPIRED, detail);
	default:
		snprintf(k->error, sizeof(k->error),
			 "Kerberos: the server's reply did not verify (%s)",
			 detail);
		return -EACCES;
	}
}

/* The user's cache: present, and its ticket-granting ticket not expired. */
static int creds_from_cache(struct krb5_mech *k, char *err, size_t errlen)
{
	krb5_principal client = NULL;
	krb5_error_code code;
	time_t left = 0;

	code = krb5_cc_default(k->ctx, &k->ccache);
	if (!code)
		code = krb5_cc_get_principal(k->ctx, k->ccache, &client);
	if (code) {
		snprintf(err, errlen,
			 "Kerberos: no credential cache (%s): run kinit, or "
			 "mount with keytab=",
			 krb5_cc_default_name(k->ctx));
		return -EKEYEXPIRED;
	}
	krb5_free_principal(k->ctx, client);
	code = krb5_cc_get_lifetime(k->ctx, k->ccache, &left);
	if (code || left <= 0) {
		snprintf(err, errlen,
			 "Kerberos: the ticket in %s has expired: run kinit",
			 krb5_cc_default_name(k->ctx));
		return -EKEYEXPIRED;
	}
	return 0;
}

/* principal= or else the keytab's first entry. */
static krb5_error_code keytab_client(krb5_context ctx, krb5_keytab kt,
				     const char *name, krb5_principal *out)
{
	krb5_kt_cursor cursor;
	krb5_keytab_entry entry;
	krb5_error_code code;

	if (name)
		return krb5_parse_name(ctx, name, out);
	code = krb5_kt_start_seq_get(ctx, kt, &cursor);
	if (code)
		return code;
	code = krb5_kt_next_entry(ctx, kt, &entry, &cursor);
	if (!code) {
		code = krb5_copy_principal(ctx, entry.principal, out);
		krb5_kt_free_entry(ctx, &entry);
	}
	krb5_kt_end_seq_get(ctx, kt, &cursor);
	return code == KRB5_CC_END ? KRB5_KT_END : code;
}

/* A fresh ticket-granting ticket from the keytab, in a memory cache. */
static int creds_from_keytab(struct krb5_mech *k,
			     const struct smb_krb5_creds *c, char *err,
			     size_t errlen)
{
	krb5_get_init_creds_opt *opt = NULL;
	krb5_principal client = NULL;
	krb5_keytab kt = NULL;
	krb5_creds creds;
	bool have_creds = false;
	krb5_error_code code;
	int rc = 0;

	memset(&creds, 0, sizeof(creds));
	code = krb5_kt_resolve(k->ctx, c->keytab, &kt);
	if (!code)
		code = keytab_client(k->ctx, kt, c->principal, &client);
	if (!code)
		code = krb5_get_init_creds_opt_alloc(k->ctx, &opt);
	if (!code)
		code = krb5_get_init_creds_keytab(k->ctx, &creds, client, kt, 0,
						  NULL, opt);
	have_creds = !code;
	if (!code)
		code = krb5_cc_new_unique(k->ctx, "MEMORY", NULL, &k->ccache);
	k->own_ccache = !code;
	if (!code)
		code = krb5_cc_initialize(k->ctx, k->ccache, client);
	if (!code)
		code = krb5_cc_store_cred(k->ctx, k->ccache, &creds);
	if (code) {
		char what[KRB5_ERR_LEN];

		rc = krb5_failure(k->ctx, code, what, sizeof(what));
		snprintf(err, errlen, "%s [keytab %s]", what, c->keytab);
	}
	/* Heimdal wipes the key of freed credentials. */
	if (have_creds)
		krb5_free_cred_contents(k->ctx, &creds);
	if (opt)
		krb5_get_init_creds_opt_free(k->ctx, opt);
	if (client)
		krb5_free_principal(k->ctx, client);
	if (kt)
		krb5_kt_close(k->ctx, kt);
	return rc;
}

/* cifs@HOST (host-based service), or the principal spn= names. */
static int import_target(struct krb5_mech *k, const struct smb_krb5_creds *c)
{
	gss_buffer_desc name;
	OM_uint32 major, minor;
	gss_OID type = GSS_C_NT_HOSTBASED_SERVICE;

	if (c->spn) {
		name.value = strdup(c->spn);
		type = GSS_KRB5_NT_PRINCIPAL_NAME;
	} else if (asprintf((char **)&name.value, "cifs@%s", c->host) < 0) {
		name.value = NULL;
	}
	if (!name.value)
		return -ENOMEM;
	name.length = strlen(name.value);
	major = gss_import_name(&minor, &name, type, &k->target);
	if (GSS_ERROR(major)) {
		free(name.value);
		return -EINVAL;
	}
	k->target_text = name.value;
	return 0;
}

int krb5_mech_new(const struct smb_krb5_creds *creds, struct krb5_mech **out,
		  char *err, size_t errlen)
{
	struct krb5_mech *k;
	OM_uint32 major, minor;
	int rc;

	*out = NULL;
	k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	k->cred = GSS_C_NO_CREDENTIAL;
	k->target = GSS_C_NO_NAME;
	k->gss = GSS_C_NO_CONTEXT;
	if (krb5_init_context(&k->ctx)) {
		free(k);
		snprintf(err, errlen,
			 "Kerberos: cannot read its configuration (krb5.conf)");
		return -EINVAL;
	}
	rc = import_target(k, creds);
	if (rc < 0) {
		snprintf(err, errlen,
			 "Kerberos: bad service principal name '%s'",
			 creds->spn ? creds->spn : creds->host);
		goto fail;
	}
	rc = creds->keytab ? creds_from_keytab(k, creds, err, errlen)
			   : creds_from_cache(k, err, errlen);
	if (rc < 0)
		goto fail;
	major = gss_krb5_import_cred(&minor, k->ccache, NULL, NULL, &k->cred);
	if (GSS_ERROR(major)) {
		rc = gss_failure(k, major, minor);
		snprintf(err, errlen, "%s", k->error);
		goto fail;
	}
	*out = k;
	return 0;
fail:
	krb5_mech_free(k);
	return rc;
}

/*
 * One gss_init_sec_context() call; *tok gets the token to send.  1 when
 * the context needs the server's answer, 0 when it is established with
 * the server authenticated too.
 */
static int init_context(struct krb5_mech *k, const uint8_t *in, size_t in_len,
			gss_buffer_desc *tok)
{
	const OM_uint32 want = GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG |
			       GSS_C_CONF_FLAG | GSS_C_SEQUENCE_FLAG |
			       GSS_C_REPLAY_FLAG;
	gss_buffer_desc input = { .length = in_len, .value = (void *)in };
	OM_uint32 major, minor, got = 0;

	major = gss_init_sec_context(
		&minor, k->cred, &k->gss, k->target, GSS_KRB5_MECHANISM, want,
		GSS_C_INDEFINITE, GSS_C_NO_CHANNEL_BINDINGS,
		in ? &input : GSS_C_NO_BUFFER, NULL, tok, &got, NULL);
	if (GSS_ERROR(major)) {
		int rc = gss_failure(k, major, minor);
		size_t n = strlen(k->error);

		snprintf(k->error + n, sizeof(k->error) - n, " [service %s]",
			 k->target_text);
		return rc;
	}
	if (major & GSS_S_CONTINUE_NEEDED)
		return 1;
	/* RFC 4120 3.2.4: without the AP-REP the server proved nothing. */
	if (!(got & GSS_C_MUTUAL_FLAG)) {
		snprintf(k->error, sizeof(k->error),
			 "Kerberos: the server did not authenticate itself");
		return -EACCES;
	}
	k->complete = true;
	return 0;
}

/* AP-REQ and other tokens hold an authenticator: wiped, then released. */
static void release_token(gss_buffer_desc *tok)
{
	OM_uint32 minor;

	if (tok->value)
		smb_secure_zero(tok->value, tok->length);
	gss_release_buffer(&minor, tok);
}

/* Round 1: the AP-REQ inside a NegTokenInit offering Kerberos alone. */
static int step_ap_req(struct krb5_mech *k, uint8_t **out, size_t *out_len)
{
	gss_buffer_desc tok = GSS_C_EMPTY_BUFFER;
	const uint8_t *mechs;
	size_t mechs_len;
	int rc;

	rc = init_context(k, NULL, 0, &tok);
	if (rc == 0) {
		snprintf(k->error, sizeof(k->error),
			 "Kerberos: mutual authentication was not offered");
		rc = -EACCES;
	}
	if (rc > 0) {
		mechs = spnego_krb5_mech_types(&mechs_len);
		rc = spnego_build_init_mechs(mechs, mechs_len, tok.value,
					     tok.length, out, out_len);
		if (!rc) {
			k->state = KRB5_AP_REQ_SENT;
			rc = 1;
		}
	}
	release_token(&tok);
	return rc;
}

/* RFC 4178 5: a MIC over the DER of the mechTypes the client sent. */
static int mech_list_mic(struct krb5_mech *k, gss_buffer_desc *mic)
{
	gss_buffer_desc msg;
	OM_uint32 major, minor;
	size_t len;

	msg.value = (void *)spnego_krb5_mech_types(&len);
	msg.length = len;
	major = gss_get_mic(&minor, k->gss, GSS_C_QOP_DEFAULT, &msg, mic);
	return GSS_ERROR(major) ? gss_failure(k, major, minor) : 0;
}

static int check_server_mic(struct krb5_mech *k, const struct spnego_resp *r)
{
	gss_buffer_desc msg, mic;
	OM_uint32 major, minor;
	size_t len;

	if (!r->mech_list_mic)
		return 0;
	msg.value = (void *)spnego_krb5_mech_types(&len);
	msg.length = len;
	mic.value = (void *)r->mech_list_mic;
	mic.length = r->mech_list_mic_len;
	major = gss_verify_mic(&minor, k->gss, &msg, &mic, NULL);
	if (GSS_ERROR(major)) {
		snprintf(k->error, sizeof(k->error),
			 "Kerberos: the server's mechListMIC does not verify");
		return -EACCES;
	}
	return 0;
}

static int parse_server_token(struct krb5_mech *k, const uint8_t *in,
			      size_t in_len, struct spnego_resp *r)
{
	int rc = spnego_parse_resp(in, in_len, r);

	if (rc) {
		snprintf(k->error, sizeof(k->error),
			 "Kerberos: malformed SPNEGO token from the server");
		return rc;
	}
	if (r->neg_state == SPNEGO_REJECT) {
		snprintf(k->error, sizeof(k->error),
			 "Kerberos: the server rejected the ticket for %s",
			 k->target_text);
		return -EACCES;
	}
	if (r->has_supported_mech && !r->supported_mech_krb5) {
		snprintf(k->error, sizeof(k->error),
			 "Kerberos: the server chose another mechanism");
		return -EBADMSG;
	}
	return 0;
}

/*
 * RFC 2743 3.1 and RFC 4121 4.1: [APPLICATION 0] { OID krb5, token id,
 * message }, the server's token being an AP-REP (02 00) or a KRB-ERROR
 * (03 00).  Checked here because Heimdal's initiator hands a token whose
 * framing it cannot read to krb5_rd_rep() with an uninitialised buffer
 * (repl_mutual() in lib/gssapi/krb5/init_sec_context.c): a server could
 * crash the client with a token whose outer length is wrong.
 */
static bool server_token_framed(const uint8_t *tok, size_t len)
{
	struct asn1_elem outer, oid;
	const uint8_t *id;

	if (asn1_decode_only(tok, len, ASN1_APPLICATION(0), &outer) ||
	    asn1_decode(outer.val, outer.len, &oid) || oid.id != ASN1_OID ||
	    oid.len != sizeof(spnego_oid_krb5) ||
	    memcmp(oid.val, spnego_oid_krb5, oid.len) ||
	    outer.len - oid.total < 2)
		return false;
	id = oid.val + oid.len;
	return (id[0] == 2 || id[0] == 3) && id[1] == 0;
}

/* Round 2: the AP-REP; our mechListMIC if the server wants one. */
static int step_ap_rep(struct krb5_mech *k, const uint8_t *in, size_t in_len,
		       uint8_t **out, size_t *out_len)
{
	gss_buffer_desc tok = GSS_C_EMPTY_BUFFER;
	struct spnego_resp r;
	int rc;

	if (!in_len) {
		snprintf(k->error, sizeof(k->error),
			 "Kerberos: the server sent no AP-REP (mutual "
			 "authentication failed)");
		return -EACCES;
	}
	rc = parse_server_token(k, in, in_len, &r);
	if (rc)
		return rc;
	if (!r.response_token) {
		snprintf(k->error, sizeof(k->error),
			 "Kerberos: the server's answer holds no Kerberos "
			 "token");
		return -EBADMSG;
	}
	if (!server_token_framed(r.response_token, r.response_token_len)) {
		snprintf(k->error, sizeof(k->error),
			 "Kerberos: malformed AP-REP from the server");
		return -EBADMSG;
	}
	rc = init_context(k, r.response_token, r.response_token_len, &tok);
	/*
	 * A KRB-ERROR from the server carries any code it likes: none of them
	 * means the network failed (the mount would count it as unreachable).
	 */
	if (rc == -EHOSTUNREACH) {
		snprintf(k->error, sizeof(k->error),
			 "Kerberos: the server answered with an error "
			 "[service %s]",
			 k->target_text);
		rc = -EACCES;
	}
	if (rc > 0) {
		/* Another mechanism round (not seen with plain Kerberos). */
		rc = spnego_build_resp(tok.value, tok.length, NULL, 0, out,
				       out_len);
		release_token(&tok);
		return rc ? rc : 1;
	}
	release_token(&tok);
	if (!rc)
		rc = check_server_mic(k, &r);
	if (rc || r.neg_state == SPNEGO_ACCEPT_COMPLETED) {
		if (!rc)
			k->state = KRB5_DONE;
		return rc;
	}
	rc = mech_list_mic(k, &tok);
	if (!rc)
		rc = spnego_build_resp(NULL, 0, tok.value, tok.length, out,
				       out_len);
	release_token(&tok);
	if (rc)
		return rc;
	k->state = KRB5_MIC_SENT;
	return 1;
}

/* Round 3: the verdict on our mechListMIC. */
static int step_finish(struct krb5_mech *k, const uint8_t *in, size_t in_len)
{
	struct spnego_resp r;
	int rc;

	if (!in_len)
		return 0; /* SMB success already says we were accepted */
	rc = parse_server_token(k, in, in_len, &r);
	if (rc)
		return rc;
	if (r.neg_state != SPNEGO_ACCEPT_COMPLETED) {
		snprintf(k->error, sizeof(k->error),
			 "Kerberos: the server did not complete SPNEGO");
		return -EBADMSG;
	}
	return check_server_mic(k, &r);
}

int krb5_mech_step(struct krb5_mech *k, const uint8_t *in, size_t in_len,
		   uint8_t **out, size_t *out_len)
{
	int rc;

	k->error[0] = '\0';
	switch (k->state) {
	case KRB5_START:
		rc = step_ap_req(k, out, out_len);
		break;
	case KRB5_AP_REQ_SENT:
		rc = step_ap_rep(k, in, in_len, out, out_len);
		break;
	case KRB5_MIC_SENT:
		rc = step_finish(k, in, in_len);
		if (!rc)
			k->state = KRB5_DONE;
		break;
	default:
		return -EINVAL;
	}
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*out_len = 0;
		k->state = KRB5_FAILED;
	}
	return rc;
}

/*
 * MS-SMB2 3.2.5.3: the session key is the GSS context's, what SSPI calls
 * the session key: the acceptor's subkey when the AP-REP carries one,
 * else the initiator's, else the ticket's (gsskrb5_get_subkey()).
 */
int krb5_mech_session_key(struct krb5_mech *k, uint8_t key[SMB_AUTH_KEY_MAX],
			  size_t *len)
{
	krb5_keyblock *kb = NULL;
	OM_uint32 major, minor;
	int rc = -ENOKEY;

	memset(key, 0, SMB_AUTH_KEY_MAX);
	*len = 0;
	/* No key from an exchange that failed after the context was made. */
	if (!k || !k->complete || k->state == KRB5_FAILED)
		return -ENOKEY;
	major = gsskrb5_get_subkey(&minor, k->gss, &kb);
	if (GSS_ERROR(major) || !kb)
		return -ENOKEY;
	if (kb->keyvalue.length && kb->keyvalue.length <= SMB_AUTH_KEY_MAX) {
		memcpy(key, kb->keyvalue.data, kb->keyvalue.length);
		*len = kb->keyvalue.length;
		rc = 0;
	}
	/* Heimdal wipes the key as it frees it. */
	krb5_free_keyblock(k->ctx, kb);
	return rc;
}

const char *krb5_mech_error(const struct krb5_mech *k)
{
	return k && k->error[0] ? k->error : NULL;
}

void krb5_mech_free(struct krb5_mech *k)
{
	OM_uint32 minor;

	if (!k)
		return;
	if (k->gss != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &k->gss, GSS_C_NO_BUFFER);
	if (k->cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &k->cred);
	if (k->target != GSS_C_NO_NAME)
		gss_release_name(&minor, &k->target);
	if (k->ccache && k->own_ccache)
		krb5_cc_destroy(k->ctx, k->ccache);
	else if (k->ccache)
		krb5_cc_close(k->ctx, k->ccache);
	if (k->ctx)
		krb5_free_context(k->ctx);
	free(k->target_text);
	smb_secure_zero(k, sizeof(*k));
	free(k);
}
