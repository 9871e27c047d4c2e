/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cryptographic primitives used by smbfs, all on OpenSSL 3.
 * Every function returns 0 on success or a negative errno
 * (-EIO when OpenSSL fails, -EINVAL on bad arguments).
 */
#ifndef SMBFS_CRYPTO_H
#define SMBFS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define SMB_SHA512_LEN 64
#define SMB_SHA256_LEN 32
#define SMB_MD5_LEN 16
#define SMB_MD4_LEN 16
#define SMB_SIGNATURE_LEN 16

/* --- primitives (src/crypto/primitives.c) --- */

/* Fills buf with cryptographically strong random bytes (RAND_bytes). */
int smb_random_bytes(void *buf, size_t len);
/* Wipes secrets (OPENSSL_cleanse). */
void smb_secure_zero(void *buf, size_t len);

/*
 * MD4 lives in OpenSSL 3's legacy provider; this loads that provider
 * into a private library context on first use, so NTLM works on a
 * stock Debian OpenSSL without touching openssl.cnf.
 */
int smb_md4(const void *data, size_t len, uint8_t out[SMB_MD4_LEN]);
int smb_md5(const void *data, size_t len, uint8_t out[SMB_MD5_LEN]);
int smb_hmac_md5(const void *key, size_t key_len, const void *data,
		 size_t len, uint8_t out[SMB_MD5_LEN]);
/* HMAC-MD5 over the concatenation of up to 4 (ptr, len) chunks. */
struct smb_iovec {
	const void *base;
	size_t len;
};
int smb_hmac_md5_vec(const void *key, size_t key_len,
		     const struct smb_iovec *iov, int iovcnt,
		     uint8_t out[SMB_MD5_LEN]);
int smb_hmac_sha256_vec(const void *key, size_t key_len,
			const struct smb_iovec *iov, int iovcnt,
			uint8_t out[SMB_SHA256_LEN]);
/* RC4 (ARCFOUR, legacy provider): out may equal in. */
int smb_rc4(const uint8_t *key, size_t key_len, const uint8_t *in,
	    uint8_t *out, size_t len);
/* SHA-512 over the concatenation of chunks. */
int smb_sha512_vec(const struct smb_iovec *iov, int iovcnt,
		   uint8_t out[SMB_SHA512_LEN]);
/* AES-128-CMAC over chunks (RFC 4493). */
int smb_aes_cmac_vec(const uint8_t key[16], const struct smb_iovec *iov,
		     int iovcnt, uint8_t out[16]);

/* --- MS-SMB2 3.1.4.2 key derivation (src/crypto/kdf.c) --- */

/*
 * SP800-108 counter-mode KDF with HMAC-SHA256, r = 32, L = out_len * 8
 * (128 or 256), as MS-SMB2 3.1.4.2 defines it.  label and context are
 * byte strings; for the 3.0 labels the trailing NUL is part of the label.
 */
int smb_kdf(const uint8_t *key, size_t key_len, const void *label,
	    size_t label_len, const void *context, size_t context_len,
	    uint8_t *out, size_t out_len);

/* Keys of one SMB session, as MS-SMB2 3.3.5.5.3 / 3.2.5.3.1 derive them. */
struct smb_session_keys {
	uint8_t session_key[16];
	uint8_t signing_key[16];
	uint8_t encryption_key[32]; /* client to server; 16 or 32 bytes used */
	uint8_t decryption_key[32]; /* server to client */
	uint8_t application_key[16];
	size_t cipher_key_len; /* 16 for AES-128-*, 32 for AES-256-* */
};

/*
 * Derives the signing, encryption, decryption and application keys for
 * dialect (SMB2_DIALECT_*).  For 2.x the signing key is the session key
 * itself.  For 3.0/3.0.2 the fixed labels/contexts ("SMB2AESCMAC",
 * "SmbSign" ...) are used; for 3.1.1 the labels "SMBSigningKey",
 * "SMBC2SCipherKey", "SMBS2CCipherKey", "SMBAppKey" with the preauth
 * integrity hash as context.  cipher is SMB2_ENCRYPTION_* (selects 16 or
 * 32-byte cipher keys; for AES-256 the full 16-byte session key... see
 * MS-SMB2 3.2.5.3.1) or 0 when no cipher was negotiated.
 */
int smb_derive_session_keys(uint16_t dialect, uint16_t cipher,
			    const uint8_t session_key[16],
			    const uint8_t preauth_hash[SMB_SHA512_LEN],
			    struct smb_session_keys *keys);

/*
 * As smb_derive_session_keys, but AES-256 cipher keys come from the full
 * (untruncated) GSS session key, as MS-SMB2 3.2.5.3.1 asks for Kerberos
 * keys longer than 16 bytes.  full_key may be NULL (then session_key).
 */
int smb_derive_session_keys_full(uint16_t dialect, uint16_t cipher,
				 const uint8_t session_key[16],
				 const uint8_t *full_key, size_t full_key_len,
				 const uint8_t preauth_hash[SMB_SHA512_LEN],
				 struct smb_session_keys *keys);

/* --- MS-SMB2 3.1.4.1 signing (src/crypto/sign.c) --- */

/*
 * Signs or verifies one SMB2 message (header + body; for a compound,
 * one element up to NextCommand, padding included).
 * algo is SMB2_SIGNING_HMAC_SHA256 / _AES_CMAC / _AES_GMAC.
 * smb_sign_message writes the signature into bytes 48..63 of msg
 * (and sets nothing else: the caller sets SMB2_FLAGS_SIGNED first).
 * GMAC takes its nonce from the header: MessageId (8 bytes), then 4
 * bytes whose low bit is 1 for server-to-client... (MS-SMB2 3.1.4.1).
 * smb_verify_message returns 0 when the signature matches, -EBADMSG
 * otherwise; msg is left unchanged.
 */
int smb_sign_message(uint16_t algo, const uint8_t *signing_key,
		     uint8_t *msg, size_t len);
int smb_verify_message(uint16_t algo, const uint8_t *signing_key,
		       const uint8_t *msg, size_t len);

/*
 * Most pieces one message (or compound chain) may be given in to the
 * functions below: room for 32 compound elements of three pieces each.
 */
#define SMB_MSG_MAX_IOV 128

/*
 * The signature of one message given as up to SMB_MSG_MAX_IOV pieces
 * (iov[0..iovcnt-1] in order; together at least the 64-byte header), as
 * if its Signature field were zero; written to sig, the pieces are left
 * alone.  The same bytes as smb_sign_message over the concatenation.
 */
int smb_message_signature(uint16_t algo, const uint8_t *signing_key,
			  const struct smb_iovec *iov, int iovcnt,
			  uint8_t sig[SMB_SIGNATURE_LEN]);

/* --- MS-SMB2 3.2.5.2 / 3.1.5.1 preauth integrity (src/crypto/preauth.c) --- */

/* hash = SHA-512(hash || msg).  Start from 64 zero bytes. */
int smb_preauth_update(uint8_t hash[SMB_SHA512_LEN], const uint8_t *msg,
		       size_t len);

/* --- MS-SMB2 3.1.4.3 encryption (src/crypto/encrypt.c) --- */

/*
 * Nonces of one encryption key (MS-SMB2 3.1.4.3 asks that a nonce never
 * repeat under a key; for GCM that is the whole of its security).  Each
 * nonce is a 64-bit message counter (little-endian) followed by a fixed
 * random part chosen when the key is set up: 3 bytes for CCM (11-byte
 * nonce), 4 for GCM (12).  Only the counter has to be unique; the random
 * part keeps nonces of keys that were derived alike from looking alike.
 */
#define SMB_NONCE_SIZE 16 /* the TRANSFORM_HEADER field; unused bytes 0 */
struct smb_nonce_seq {
	uint64_t next; /* counter of the next message */
	uint8_t fixed[4];
};
/* Starts a sequence for a new key: counter 0, random fixed part. */
int smb_nonce_seq_init(struct smb_nonce_seq *seq);
/*
 * The next nonce for cipher (SMB2_ENCRYPTION_*), in nonce (16 bytes,
 * unused bytes zero).  -EOVERFLOW once 2^64 - 1 nonces were handed out:
 * the key must then not be used again.  -EINVAL for an unknown cipher.
 */
int smb_nonce_next(struct smb_nonce_seq *seq, uint16_t cipher,
		   uint8_t nonce[SMB_NONCE_SIZE]);

/*
 * Builds a TRANSFORM_HEADER + ciphertext for one plaintext SMB2 message
 * (or a whole compound chain).  cipher is SMB2_ENCRYPTION_*; key is
 * 16 or 32 bytes to match; nonce (16 bytes, from smb_nonce_next) goes
 * into the header as it is.  *out is malloc'd; caller frees.
 */
int smb_encrypt_message(uint16_t cipher, const uint8_t *key,
			uint64_t session_id,
			const uint8_t nonce[SMB_NONCE_SIZE],
			const uint8_t *plain, size_t plain_len, uint8_t **out,
			size_t *out_len);
/*
 * The same for a plaintext given as up to SMB_MSG_MAX_IOV pieces, which
 * are encrypted straight into *out (GCM), or copied there once and
 * encrypted in place (CCM, whose OpenSSL implementation takes the whole
 * plaintext in one call).
 */
int smb_encrypt_message_iov(uint16_t cipher, const uint8_t *key,
			    uint64_t session_id,
			    const uint8_t nonce[SMB_NONCE_SIZE],
			    const struct smb_iovec *iov, int iovcnt,
			    uint8_t **out, size_t *out_len);
/*
 * Checks and decrypts a TRANSFORM_HEADER message.  Returns 0 with a
 * malloc'd plaintext in *out, -EBADMSG on a malformed header or failed
 * authentication.  *session_id receives the header's SessionId so the
 * caller can pick the key (call smb_transform_session_id first).
 */
int smb_transform_session_id(const uint8_t *msg, size_t len,
			     uint64_t *session_id);
int smb_decrypt_message(uint16_t cipher, const uint8_t *key,
			const uint8_t *msg, size_t len, uint8_t **out,
			size_t *out_len);

#endif
