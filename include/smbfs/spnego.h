/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SPNEGO tokens ([MS-SPNG], RFC 4178) as the SMB client needs them:
 * the client's NegTokenInit and NegTokenResp, the server's NegTokenResp,
 * and the NegTokenInit2 hint of the NEGOTIATE response.
 *
 * Parsed tokens point into the caller's buffer.  Malformed input is
 * -EBADMSG; unknown optional fields are skipped.
 */
#ifndef SMBFS_SPNEGO_H
#define SMBFS_SPNEGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 4178 4.2.2 negState; SPNEGO_NEG_STATE_ABSENT when not sent. */
enum spnego_neg_state {
	SPNEGO_NEG_STATE_ABSENT = -1,
	SPNEGO_ACCEPT_COMPLETED = 0,
	SPNEGO_ACCEPT_INCOMPLETE = 1,
	SPNEGO_REJECT = 2,
	SPNEGO_REQUEST_MIC = 3,
};

/* OID contents (no identifier/length): 1.3.6.1.5.5.2 and NTLMSSP. */
extern const uint8_t spnego_oid_spnego[6];
extern const uint8_t spnego_oid_ntlmssp[10]; /* 1.3.6.1.4.1.311.2.2.10 */
extern const uint8_t spnego_oid_krb5[9];    /* 1.2.840.113554.1.2.2 */
/* 1.2.840.48018.1.2.2, the Kerberos OID older Windows servers answer. */
extern const uint8_t spnego_oid_ms_krb5[9];

struct spnego_resp {
	int neg_state; /* enum spnego_neg_state */
	bool has_supported_mech;
	bool supported_mech_ntlmssp;
	bool supported_mech_krb5; /* either Kerberos OID */
	const uint8_t *response_token; /* NULL when absent */
	size_t response_token_len;
	const uint8_t *mech_list_mic; /* NULL when absent */
	size_t mech_list_mic_len;
};

struct spnego_init {
	size_t mech_count;
	bool offers_ntlmssp;
	const uint8_t *mech_types_der; /* whole MechTypeList element */
	size_t mech_types_der_len;
	const uint8_t *mech_token; /* NULL when absent */
	size_t mech_token_len;
};

/*
 * DER of the MechTypeList this client sends (SEQUENCE OF one OID,
 * NTLMSSP): what the client's mechListMIC covers (RFC 4178 5).
 */
const uint8_t *spnego_ntlmssp_mech_types(size_t *len);
/* The same for Kerberos: SEQUENCE OF one OID, 1.2.840.113554.1.2.2. */
const uint8_t *spnego_krb5_mech_types(size_t *len);

/*
 * Builds the initial token: [APPLICATION 0] { OID spnego, [0]
 * NegTokenInit { mechTypes, mechToken } }; mech_types is the DER of the
 * MechTypeList (one of the two above).  *out malloc'd.
 * 0 or -ENOMEM/-EOVERFLOW.
 */
int spnego_build_init_mechs(const uint8_t *mech_types, size_t mech_types_len,
			    const uint8_t *mech_token, size_t mech_token_len,
			    uint8_t **out, size_t *out_len);
/* spnego_build_init_mechs() offering NTLMSSP. */
int spnego_build_init(const uint8_t *mech_token, size_t mech_token_len,
		      uint8_t **out, size_t *out_len);

/*
 * Builds [1] NegTokenResp { responseToken, mechListMIC } (either may be
 * NULL to omit it; negState is left out, as RFC 4178 allows for the
 * initiator's subsequent tokens).
 */
int spnego_build_resp(const uint8_t *token, size_t token_len,
		      const uint8_t *mic, size_t mic_len, uint8_t **out,
		      size_t *out_len);

/* Parses a server NegTokenResp ([1] ...): 0 or -EBADMSG. */
int spnego_parse_resp(const uint8_t *buf, size_t len, struct spnego_resp *out);

/*
 * Parses a NegTokenInit or NegTokenInit2 ([MS-SPNG] 2.2.1), with or
 * without the [APPLICATION 0] GSS-API framing; negHints, reqFlags and
 * mechListMIC are skipped.  0 or -EBADMSG.
 */
int spnego_parse_init(const uint8_t *buf, size_t len, struct spnego_init *out);

#endif
