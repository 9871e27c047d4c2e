/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NTLMSSP client messages and keys ([MS-NLMP]), NTLMv2 only.
 *
 * The builders take every random or time-dependent input (client
 * challenge, timestamp, exported session key) as a parameter, so the
 * [MS-NLMP] 4.2.4 examples can be reproduced exactly; auth.c supplies
 * fresh random values.
 */
#ifndef SMBFS_NTLMSSP_H
#define SMBFS_NTLMSSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MS-NLMP 2.2.2.5 NegotiateFlags. */
#define NTLMSSP_NEGOTIATE_UNICODE		   0x00000001u
#define NTLMSSP_NEGOTIATE_OEM			   0x00000002u
#define NTLMSSP_REQUEST_TARGET			   0x00000004u
#define NTLMSSP_NEGOTIATE_SIGN			   0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL			   0x00000020u
#define NTLMSSP_NEGOTIATE_LM_KEY		   0x00000080u
#define NTLMSSP_NEGOTIATE_NTLM			   0x00000200u
#define NTLMSSP_NEGOTIATE_ANONYMOUS		   0x00000800u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN		   0x00008000u
#define NTLMSSP_TARGET_TYPE_DOMAIN		   0x00010000u
#define NTLMSSP_TARGET_TYPE_SERVER		   0x00020000u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO		   0x00800000u
#define NTLMSSP_NEGOTIATE_VERSION		   0x02000000u
#define NTLMSSP_NEGOTIATE_128			   0x20000000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH		   0x40000000u
#define NTLMSSP_NEGOTIATE_56			   0x80000000u

/* The flags this client asks for in its NEGOTIATE_MESSAGE. */
#define NTLMSSP_CLIENT_FLAGS                                         \
	(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET |        \
	 NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |    \
	 NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |                \
	 NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_VERSION | \
	 NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH |        \
	 NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |           \
	 NTLMSSP_NEGOTIATE_56)

/* MS-NLMP 2.2.2.1 AvId values. */
#define NTLMSSP_AV_EOL		     0
#define NTLMSSP_AV_NB_COMPUTER_NAME  1
#define NTLMSSP_AV_NB_DOMAIN_NAME    2
#define NTLMSSP_AV_DNS_COMPUTER_NAME 3
#define NTLMSSP_AV_DNS_DOMAIN_NAME   4
#define NTLMSSP_AV_DNS_TREE_NAME     5
#define NTLMSSP_AV_FLAGS	     6
#define NTLMSSP_AV_TIMESTAMP	     7
#define NTLMSSP_AV_SINGLE_HOST	     8
#define NTLMSSP_AV_TARGET_NAME	     9
#define NTLMSSP_AV_CHANNEL_BINDINGS  10

/* MsvAvFlags bit: the AUTHENTICATE_MESSAGE carries a MIC. */
#define NTLMSSP_AV_FLAG_MIC_PRESENT 0x00000002u

/* Fixed AUTHENTICATE_MESSAGE layout (MS-NLMP 2.2.1.3). */
#define NTLMSSP_AUTH_VERSION_OFFSET 64
#define NTLMSSP_AUTH_MIC_OFFSET	    72
#define NTLMSSP_MIC_LEN		    16
#define NTLMSSP_SIGNATURE_LEN	    16

/* A parsed CHALLENGE_MESSAGE; pointers point into the message. */
struct ntlmssp_challenge {
	uint32_t flags;
	uint8_t server_challenge[8];
	const uint8_t *target_name;
	size_t target_name_len;
	const uint8_t *target_info; /* AV pairs, validated, ends in EOL */
	size_t target_info_len;
	bool has_timestamp;
	uint64_t timestamp; /* MsvAvTimestamp (FILETIME) */
	bool has_version;
	uint8_t version[8];
};

/*
 * Parses a CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2), checking every offset
 * and length and the AV pair list.  0 or -EBADMSG.
 */
int ntlmssp_parse_challenge(const uint8_t *msg, size_t len,
			    struct ntlmssp_challenge *c);

/*
 * Checks that an AV pair list is well-formed (each pair inside the
 * buffer, a terminating MsvAvEOL) and returns the offset just past EOL,
 * or -EBADMSG.
 */
int ntlmssp_av_validate(const uint8_t *info, size_t len);

/*
 * Looks up AvId id in a validated list: 1 with val and val_len set,
 * 0 when absent, -EBADMSG.
 */
int ntlmssp_av_find(const uint8_t *info, size_t len, uint16_t id,
		    const uint8_t **val, size_t *val_len);

/* NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1) with no domain/workstation. */
int ntlmssp_build_negotiate(uint32_t flags, uint8_t **out, size_t *out_len);

/* NTOWFv1 (MS-NLMP 3.3.1): MD4(UTF-16LE(password)).  -EINVAL: bad UTF-8. */
int ntlmssp_nt_hash(const char *password, uint8_t out[16]);

/*
 * NTOWFv2 (MS-NLMP 3.3.2): HMAC_MD5(nt_hash, UTF-16LE(Uppercase(user)
 * || domain)).  user and domain are UTF-8 (NULL means "").
 */
int ntlmssp_ntowfv2(const uint8_t nt_hash[16], const char *user,
		    const char *domain, uint8_t out[16]);

/* Inputs of one AUTHENTICATE_MESSAGE. */
struct ntlmssp_auth_params {
	const char *user; /* UTF-8; NULL or "" with anonymous */
	const char *domain;
	const char *workstation;
	bool anonymous;
	/* NTOWFv2 (ResponseKeyNT = ResponseKeyLM); unused with anonymous. */
	const uint8_t *response_key;
	const uint8_t *client_challenge; /* 8 bytes */
	/* FILETIME for the NTLMv2 blob when the server sent no timestamp. */
	uint64_t now;
	/* 16 bytes used as ExportedSessionKey when KEY_EXCH is negotiated. */
	const uint8_t *random_session_key;
	/* Optional SPN for MsvAvTargetName (UTF-8), NULL to leave it out. */
	const char *target_name;
	/* 8-byte VERSION field; NULL for smbfs's own. */
	const uint8_t *version;
	/* The flags of our NEGOTIATE_MESSAGE. */
	uint32_t negotiate_flags;
	/* The raw messages the MIC covers (MS-NLMP 3.1.5.1.2). */
	const uint8_t *negotiate_msg;
	size_t negotiate_len;
	const uint8_t *challenge_msg;
	size_t challenge_len;
};

/* Outputs: the message and the values later steps and tests need. */
struct ntlmssp_auth_result {
	uint8_t *msg; /* malloc'd AUTHENTICATE_MESSAGE */
	size_t len;
	uint32_t flags; /* the flags sent (negotiated) */
	bool mic_present;
	bool has_session_key; /* false with anonymous */
	uint8_t nt_proof_str[16];
	uint8_t session_base_key[16];
	uint8_t exported_session_key[16];
};

/*
 * Builds the NTLMv2 AUTHENTICATE_MESSAGE (MS-NLMP 3.1.5.1.2, 3.3.2):
 * NTLMv2 response over the server's AV pairs (plus MsvAvFlags with the
 * MIC bit when the server sent a timestamp, and MsvAvTargetName if
 * given), LMv2 response (zeros when a MIC is sent), KEY_EXCH session key
 * and MIC.  Anonymous: empty NT response, one zero LM byte, no key.
 * 0, -EBADMSG (server did not offer UNICODE), -EPROTONOSUPPORT (no
 * extended session security), -EINVAL, -ENOMEM or a crypto error.
 * Call ntlmssp_auth_result_clear() afterwards.
 */
int ntlmssp_build_authenticate(const struct ntlmssp_auth_params *p,
			       const struct ntlmssp_challenge *c,
			       struct ntlmssp_auth_result *r);

/* Frees r->msg and wipes the keys in r. */
void ntlmssp_auth_result_clear(struct ntlmssp_auth_result *r);

/*
 * One direction of NTLMSSP message integrity (MS-NLMP 3.4.4.2, extended
 * session security): signing key, sealing key, sequence number and the
 * position in the RC4 key stream (the RC4 handle runs across messages).
 */
struct ntlmssp_dir_keys {
	uint8_t sign_key[16];
	uint8_t seal_key[16];
	uint32_t seq;
	size_t rc4_pos;
	bool key_exch; /* checksum is RC4-sealed */
};

struct ntlmssp_keys {
	struct ntlmssp_dir_keys client; /* client-to-server */
	struct ntlmssp_dir_keys server; /* server-to-client */
};

/*
 * SIGNKEY and SEALKEY (MS-NLMP 3.4.5.2, 3.4.5.3) for both directions
 * from the ExportedSessionKey and negotiated flags.  Needs extended
 * session security (-EPROTONOSUPPORT otherwise).
 */
int ntlmssp_derive_keys(const uint8_t exported_session_key[16], uint32_t flags,
			struct ntlmssp_keys *k);

/* Longest RC4 stream one direction may use (only a few MICs here). */
#define NTLMSSP_RC4_STREAM_MAX (1u << 20)

/*
 * MAC (MS-NLMP 3.4.4.2): NTLMSSP_MESSAGE_SIGNATURE of msg with the next
 * sequence number; advances seq and the RC4 stream.
 */
int ntlmssp_sign(struct ntlmssp_dir_keys *d, const uint8_t *msg, size_t len,
		 uint8_t sig[NTLMSSP_SIGNATURE_LEN]);
/* Verifies sig (constant time): 0, or -EACCES on mismatch. */
int ntlmssp_verify(struct ntlmssp_dir_keys *d, const uint8_t *msg, size_t len,
		   const uint8_t *sig, size_t sig_len);
/*
 * SEAL (MS-NLMP 3.4.3): encrypts msg into out (may equal msg) and
 * writes the signature of the plaintext.
 */
int ntlmssp_seal(struct ntlmssp_dir_keys *d, const uint8_t *msg, size_t len,
		 uint8_t *out, uint8_t sig[NTLMSSP_SIGNATURE_LEN]);

/* Unix time in seconds -> FILETIME (100 ns ticks since 1601). */
uint64_t ntlmssp_filetime(int64_t unix_seconds);

#endif
