// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The client's Kerberos exchange (src/auth/krb5_gss.c behind
 * smb_auth_step(), with Heimdal's gss_init_sec_context() below it) fed
 * the server's SESSION_SETUP tokens: a NegTokenResp carrying the AP-REP
 * and perhaps a mechListMIC, then perhaps a final NegTokenResp.
 *
 * No KDC is needed: tests/fuzz/krb5/ holds a throwaway realm's krb5.conf,
 * a credential cache with a ticket for cifs/fileserver.smbfs.test that
 * lasts until 2037 (the cache format stores 32-bit times) and that
 * service's keytab (tests/fuzz/krb5/README says how to renew them; once
 * the ticket has expired every input fails the first check).  Every input
 * starts a fresh mechanism, which sends an AP-REQ with a fresh
 * authenticator.
 *
 * Input: a mode byte.
 *   bit 7 clear: raw.  Then the server's reply and its final token, each
 *     a 16-bit little-endian length and that many bytes (a short last
 *     token takes what is left).  Captured AP-REPs (the seeds) answered
 *     another authenticator, so they never verify here: these inputs
 *     exercise the SPNEGO and AP-REP parsing and the error paths.
 *   bit 7 set: answered.  Heimdal's acceptor, with the service keytab,
 *     accepts the harness's own AP-REQ, and the reply is built around its
 *     real AP-REP and real mechListMICs, so the success path, the
 *     client's mechListMIC and the session key are reached and checked.
 *     Mode bit 0: supportedMech is the Microsoft Kerberos OID; bit 1: the
 *     final token says accept-incomplete; bit 2: the final token is empty.
 *     Next a fields byte: bits 0-1 the reply's negState, bit 2 negState
 *     left out, bit 3 supportedMech sent, bit 4 supportedMech is NTLMSSP,
 *     bit 5 responseToken left out, bit 6 the reply carries a mechListMIC,
 *     bit 7 the final token does.  The rest: mutations of 4 bytes each,
 *     {what, offset (16-bit LE), value}: what bits 0-1 the target (AP-REP,
 *     reply MIC, final MIC, the whole reply), bits 2-3 the edit (xor the
 *     byte, cut the buffer there, set the byte, insert the value there).
 *     Without mutations the outcome is known and checked exactly.
 */
#include <stdio.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "smbfs/asn1.h"
#include "smbfs/auth.h"
#include "smbfs/bytes.h"
#include "smbfs/spnego.h"

#define TEST_REALM_DIR "tests/fuzz/krb5"
#define SERVICE_HOST   "fileserver.smbfs.test"
#define TOKEN_MAX      65536

enum { RAW, ANSWERED };
enum { TARGET_AP_REP, TARGET_REPLY_MIC, TARGET_FINAL_MIC, TARGET_REPLY };
enum { EDIT_XOR, EDIT_CUT, EDIT_SET, EDIT_INSERT };

/* A growable byte string the mutations work on. */
struct blob {
	uint8_t *p;
	size_t len;
	bool present;
};

static void blob_set(struct blob *b, const void *p, size_t len)
{
	b->p = fuzz_copy(p, len);
	b->len = len;
	b->present = true;
}

static void blob_edit(struct blob *b, unsigned edit, size_t off, uint8_t val)
{
	uint8_t *grown;

	if (!b->present)
		return;
	switch (edit) {
	case EDIT_XOR:
	case EDIT_SET:
		if (!b->len)
			return;
		off %= b->len;
		b->p[off] = edit == EDIT_XOR ? b->p[off] ^ val : val;
		return;
	case EDIT_CUT:
		b->len = off % (b->len + 1);
		return;
	default:
		off %= b->len + 1;
		grown = realloc(b->p, b->len + 1);
		if (!grown)
			abort();
		memmove(grown + off + 1, grown + off, b->len - off);
		grown[off] = val;
		b->p = grown;
		b->len++;
	}
}

static krb5_context harness_ctx;
/* Open for as long as the process runs: a memory cache lives while open. */
static krb5_ccache harness_cache;

/*
 * A private copy of the committed cache: Heimdal refuses to read a cache
 * file that others may read, and a checkout makes it 0644.  0 or -1.
 */
static int private_cache_copy(char *path, size_t len)
{
	FILE *in = fopen(TEST_REALM_DIR "/ccache", "rb");
	uint8_t buf[4096];
	size_t n;
	int fd, rc = 0;

	snprintf(path, len, "/tmp/smbfs-fuzz-krb5.XXXXXX");
	fd = in ? mkstemp(path) : -1;
	if (fd < 0) {
		if (in)
			fclose(in);
		return -1;
	}
	while (!rc && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		rc = write(fd, buf, n) == (ssize_t)n ? 0 : -1;
	fclose(in);
	close(fd);
	return rc;
}

/*
 * Environment for the library's krb5 contexts, and the acceptor's keytab:
 * once, before anything calls Heimdal.  The cache is copied into a memory
 * cache (kept open, so it lives on): nothing writes the committed file,
 * and no input reads a file.
 */
static void setup_realm(void)
{
	krb5_ccache file = NULL;
	char path[64], name[80];
	int rc;

	if (harness_ctx)
		return;
	setenv("KRB5_CONFIG", TEST_REALM_DIR "/krb5.conf", 1);
	rc = private_cache_copy(path, sizeof(path));
	snprintf(name, sizeof(name), "FILE:%s", path);
	if (rc || krb5_init_context(&harness_ctx) ||
	    krb5_cc_resolve(harness_ctx, name, &file) ||
	    krb5_cc_resolve(harness_ctx, "MEMORY:smbfs-fuzz-krb5",
			    &harness_cache) ||
	    krb5_cc_copy_cache(harness_ctx, file, harness_cache) ||
	    GSS_ERROR(gsskrb5_register_acceptor_identity(TEST_REALM_DIR
							 "/cifs.keytab"))) {
		fprintf(stderr,
			"fuzz_krb5: cannot load the test realm in %s "
			"(run from the repository root)\n",
			TEST_REALM_DIR);
		abort();
	}
	krb5_cc_close(harness_ctx, file);
	unlink(path);
	setenv("KRB5CCNAME", "MEMORY:smbfs-fuzz-krb5", 1);
}

/*
 * Heimdal allocates its mechanism tables, error tables and plugin state
 * on first use and keeps them: one answered exchange here, before
 * libFuzzer starts counting allocations per input.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t warm_up[] = { 0x80, 0x48 };

	(void)argc;
	(void)argv;
	setup_realm();
	LLVMFuzzerTestOneInput(warm_up, sizeof(warm_up));
	return 0;
}

/* The server's side: Heimdal's acceptor and the answers it gives. */
struct server {
	gss_ctx_id_t gss;
	struct blob ap_rep, reply_mic, final_mic;
};

static void server_mic(struct server *s, struct blob *b)
{
	gss_buffer_desc msg, mic = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	size_t len;

	msg.value = (void *)spnego_krb5_mech_types(&len);
	msg.length = len;
	major = gss_get_mic(&minor, s->gss, GSS_C_QOP_DEFAULT, &msg, &mic);
	FUZZ_CHECK(!GSS_ERROR(major) && mic.length);
	if (!GSS_ERROR(major))
		blob_set(b, mic.value, mic.length);
	gss_release_buffer(&minor, &mic);
}

/* Accepts the client's AP-REQ: true when the server has an AP-REP. */
static bool server_accept(struct server *s, const uint8_t *ap_req, size_t len)
{
	gss_buffer_desc in = { .length = len, .value = (void *)ap_req };
	gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor, flags = 0;

	major = gss_accept_sec_context(&minor, &s->gss, GSS_C_NO_CREDENTIAL,
				       &in, GSS_C_NO_CHANNEL_BINDINGS, NULL,
				       NULL, &out, &flags, NULL, NULL);
	/* The client's AP-REQ is good and asks for mutual authentication. */
	FUZZ_CHECK(major == GSS_S_COMPLETE);
	FUZZ_CHECK(flags & GSS_C_MUTUAL_FLAG);
	FUZZ_CHECK(out.length > 0);
	if (major != GSS_S_COMPLETE || !out.length) {
		gss_release_buffer(&minor, &out);
		return false;
	}
	blob_set(&s->ap_rep, out.value, out.length);
	gss_release_buffer(&minor, &out);
	server_mic(s, &s->reply_mic);
	server_mic(s, &s->final_mic);
	return true;
}

static bool client_mic_verifies(struct server *s, const struct spnego_resp *r)
{
	gss_buffer_desc msg, mic;
	OM_uint32 major, minor;
	size_t len;

	msg.value = (void *)spnego_krb5_mech_types(&len);
	msg.length = len;
	mic.value = (void *)r->mech_list_mic;
	mic.length = r->mech_list_mic_len;
	major = gss_verify_mic(&minor, s->gss, &msg, &mic, NULL);
	return major == GSS_S_COMPLETE;
}

static bool same_key_as_server(struct server *s, const uint8_t *key, size_t len)
{
	krb5_keyblock *kb = NULL;
	OM_uint32 major, minor;
	bool same;

	major = gsskrb5_get_subkey(&minor, s->gss, &kb);
	if (GSS_ERROR(major) || !kb)
		return false;
	same = kb->keyvalue.length == len &&
	       !memcmp(kb->keyvalue.data, key, len);
	krb5_free_keyblock(harness_ctx, kb);
	return same;
}

static void server_free(struct server *s)
{
	OM_uint32 minor;

	if (s->gss != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &s->gss, GSS_C_NO_BUFFER);
	free(s->ap_rep.p);
	free(s->reply_mic.p);
	free(s->final_mic.p);
}

/* [1] NegTokenResp { negState, supportedMech, responseToken, mechListMIC }. */
static uint8_t *build_resp(int neg_state, const uint8_t *mech, size_t mech_len,
			   const struct blob *tok, const struct blob *mic,
			   size_t *len)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t choice, seq, field;

	choice = asn1_begin(&w, ASN1_CONTEXT(1));
	seq = asn1_begin(&w, ASN1_SEQUENCE);
	if (neg_state != SPNEGO_NEG_STATE_ABSENT) {
		field = asn1_begin(&w, ASN1_CONTEXT(0));
		asn1_put_int(&w, ASN1_ENUMERATED, neg_state);
		asn1_end(&w, field);
	}
	if (mech) {
		field = asn1_begin(&w, ASN1_CONTEXT(1));
		asn1_put(&w, ASN1_OID, mech, mech_len);
		asn1_end(&w, field);
	}
	if (tok && tok->present) {
		field = asn1_begin(&w, ASN1_CONTEXT(2));
		asn1_put(&w, ASN1_OCTET_STRING, tok->p, tok->len);
		asn1_end(&w, field);
	}
	if (mic && mic->present) {
		field = asn1_begin(&w, ASN1_CONTEXT(3));
		asn1_put(&w, ASN1_OCTET_STRING, mic->p, mic->len);
		asn1_end(&w, field);
	}
	asn1_end(&w, seq);
	asn1_end(&w, choice);
	if (wbuf_error(&w))
		abort();
	return wbuf_steal(&w, len);
}

/* What an unmutated answered exchange must end in. */
struct expect {
	int reply; /* smb_auth_step() on the reply */
	int final; /* and on the final token, when the reply gave 1 */
};

/* krb5_gss.c: parse_server_token(), step_ap_rep(), step_finish(). */
static void expect_outcome(uint8_t mode, uint8_t fields, int neg_state,
			   struct expect *ex)
{
	if (neg_state == SPNEGO_REJECT)
		ex->reply = -EACCES;
	else if ((fields & 8) && (fields & 16))
		ex->reply = -EBADMSG; /* another mechanism chosen */
	else if (fields & 32)
		ex->reply = -EBADMSG; /* no AP-REP */
	else if (neg_state == SPNEGO_ACCEPT_COMPLETED)
		ex->reply = 0;
	else
		ex->reply = 1;
	ex->final = mode & 4 ? 0 : mode & 2 ? -EBADMSG : 0;
}

/*
 * The mutations of the input's 4-byte records aimed at the given
 * targets (reply: the whole reply, else the parts).  Returns how many
 * records there were.
 */
static unsigned apply_edits(const uint8_t *data, size_t size, struct server *s,
			    struct blob *reply)
{
	struct blob *target[] = { &s->ap_rep, &s->reply_mic, &s->final_mic,
				  reply };
	unsigned n = 0;

	for (; size >= 4; data += 4, size -= 4, n++) {
		unsigned t = data[0] & 3;

		if ((t == TARGET_REPLY) == (reply != NULL))
			blob_edit(target[t], data[0] >> 2 & 3,
				  le16_get(data + 1), data[3]);
	}
	return n;
}

/*
 * The answered tokens around the acceptor's AP-REP and MICs.  Returns
 * the number of mutations (the outcome is only known without them).
 */
static unsigned build_answer(struct server *s, uint8_t mode,
			     const uint8_t *data, size_t size,
			     struct blob *reply, struct blob *final,
			     struct expect *ex)
{
	uint8_t fields = fuzz_take_u8(&data, &size);
	int neg_state = fields & 4 ? SPNEGO_NEG_STATE_ABSENT : fields & 3;
	const uint8_t *mech = NULL;
	size_t mech_len = 0;

	if (fields & 8) {
		mech = fields & 16 ? spnego_oid_ntlmssp
		       : mode & 1  ? spnego_oid_ms_krb5
				   : spnego_oid_krb5;
		mech_len = fields & 16 ? sizeof(spnego_oid_ntlmssp)
				       : sizeof(spnego_oid_krb5);
	}
	s->ap_rep.present = !(fields & 32);
	s->reply_mic.present = fields & 64;
	s->final_mic.present = fields & 128;
	apply_edits(data, size, s, NULL);
	reply->p = build_resp(neg_state, mech, mech_len, &s->ap_rep,
			      &s->reply_mic, &reply->len);
	reply->present = true;
	if (mode & 4) {
		final->p = fuzz_copy(NULL, 0);
		final->len = 0;
	} else {
		final->p =
			build_resp(mode & 2 ? SPNEGO_ACCEPT_INCOMPLETE
					    : SPNEGO_ACCEPT_COMPLETED,
				   NULL, 0, NULL, &s->final_mic, &final->len);
	}
	final->present = true;
	expect_outcome(mode, fields, neg_state, ex);
	return apply_edits(data, size, s, reply);
}

static bool known_error(int rc)
{
	/* The documented ones, and "get a new ticket" from a KRB-ERROR. */
	return rc == -EBADMSG || rc == -EACCES || rc == -EKEYEXPIRED;
}

/* Invariants of one smb_auth_step() on a server token. */
static void check_step(struct smb_auth *a, int rc, const uint8_t *out,
		       size_t out_len)
{
	const char *err = smb_auth_error(a);
	struct spnego_resp r;

	FUZZ_CHECK(rc == 1 || rc == 0 || known_error(rc));
	FUZZ_CHECK(rc == 1 ? out && out_len && out_len < TOKEN_MAX
			   : !out && !out_len);
	/* A failure says why, in one printable line. */
	FUZZ_CHECK(rc >= 0 || (err && err[0] && !strchr(err, '\n')));
	if (rc == 1)
		FUZZ_CHECK(spnego_parse_resp(out, out_len, &r) == 0);
}

/* The session key: there exactly after success, as long as an AES key. */
static void check_key(struct smb_auth *a, int rc, struct server *s)
{
	uint8_t key[SMB_AUTH_KEY_MAX];
	size_t len = 99;
	int krc = smb_auth_full_session_key(a, key, &len);

	FUZZ_CHECK(rc == 0 ? krc == 0 && (len == 16 || len == 32)
			   : krc == -ENOKEY && len == 0);
	if (rc == 0 && s)
		FUZZ_CHECK(same_key_as_server(s, key, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mode = fuzz_take_u8(&data, &size);
	struct smb_krb5_creds creds = { .host = SERVICE_HOST };
	struct server srv = { .gss = GSS_C_NO_CONTEXT };
	struct server *s = mode & 0x80 ? &srv : NULL;
	struct blob reply = { 0 }, final = { 0 };
	struct expect ex = { 0 };
	struct smb_auth *a = NULL;
	struct spnego_init init;
	uint8_t *out = NULL;
	size_t out_len = 0;
	bool exact = false, ap_req;
	char err[256] = "";
	int rc;

	setup_realm();
	rc = smb_auth_krb5_new(&creds, &a, err, sizeof(err));
	FUZZ_CHECK(rc == 0);
	if (rc) {
		fprintf(stderr, "fuzz_krb5: %s\n", err);
		return 0;
	}
	/* Round 1: a NegTokenInit offering Kerberos, holding the AP-REQ. */
	rc = smb_auth_step(a, NULL, 0, &out, &out_len);
	FUZZ_CHECK(rc == 1 && out && out_len < TOKEN_MAX);
	ap_req = rc == 1 && spnego_parse_init(out, out_len, &init) == 0 &&
		 init.mech_count == 1 && !init.offers_ntlmssp &&
		 init.mech_token && init.mech_token_len;
	FUZZ_CHECK(ap_req);
	if (!ap_req)
		goto out;
	if (s) {
		if (!server_accept(s, init.mech_token, init.mech_token_len))
			goto out;
		exact = !build_answer(s, mode, data, size, &reply, &final, &ex);
	} else {
		reply.len = fuzz_take_token(&data, &size, &reply.p);
		final.len = fuzz_take_token(&data, &size, &final.p);
	}
	free(out);
	out = NULL;

	/* Round 2: the AP-REP. */
	rc = smb_auth_step(a, reply.p, reply.len, &out, &out_len);
	check_step(a, rc, out, out_len);
	if (exact)
		FUZZ_CHECK(rc == ex.reply);
	if (rc == 1 && s) {
		struct spnego_resp r;

		/* Our mechListMIC, and nothing else, goes to the server. */
		FUZZ_CHECK(spnego_parse_resp(out, out_len, &r) == 0 &&
			   !r.response_token && r.mech_list_mic &&
			   client_mic_verifies(s, &r));
	}
	if (rc == 1) {
		free(out);
		out = NULL;
		/* Round 3: the verdict. */
		rc = smb_auth_step(a, final.p, final.len, &out, &out_len);
		check_step(a, rc, out, out_len);
		FUZZ_CHECK(rc != 1);
		if (exact)
			FUZZ_CHECK(rc == ex.final);
	}
	check_key(a, rc, s);
	free(out);
	out = NULL;
	/* Once done or failed, the mechanism takes no more rounds. */
	FUZZ_CHECK(smb_auth_step(a, NULL, 0, &out, &out_len) == -EINVAL);
	FUZZ_CHECK(smb_auth_is_kerberos(a));
out:
	free(out);
	free(reply.p);
	free(final.p);
	server_free(&srv);
	smb_auth_free(a);
	return 0;
}
