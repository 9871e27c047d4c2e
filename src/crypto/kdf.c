// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB 3.x key derivation: the SP800-108 counter-mode KDF with
 * HMAC-SHA256 (MS-SMB2 3.1.4.2) and the per-session keys derived from
 * it (MS-SMB2 3.2.5.3.1).
 */
#include <errno.h>
#include <string.h>

#include "crypto_internal.h"
#include "smbfs/smb2.h"

static void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * SP800-108 section 5.1, counter mode, PRF = HMAC-SHA256, r = 32:
 *   K(i) = PRF(key, [i]_32 || Label || 0x00 || Context || [L]_32)
 * for i = 1, 2, ... until L bits are produced.  SMB only ever asks for
 * one or (never in practice) two blocks, but any length is handled.
 */
int smb_kdf(const uint8_t *key, size_t key_len, const void *label,
	    size_t label_len, const void *context, size_t context_len,
	    uint8_t *out, size_t out_len)
{
	static const uint8_t separator;
	uint8_t counter[4], bits[4], block[SMB_SHA256_LEN];
	struct smb_iovec iov[5];
	uint32_t i;
	size_t done;
	int ret = 0;

	if (!key || !key_len || !out || !out_len || out_len > UINT32_MAX / 8 ||
	    (label_len && !label) || (context_len && !context))
		return -EINVAL;

	be32_put(bits, (uint32_t)(out_len * 8));
	iov[0] = (struct smb_iovec){ counter, sizeof(counter) };
	iov[1] = (struct smb_iovec){ label, label_len };
	iov[2] = (struct smb_iovec){ &separator, 1 };
	iov[3] = (struct smb_iovec){ context, context_len };
	iov[4] = (struct smb_iovec){ bits, sizeof(bits) };

	for (i = 1, done = 0; done < out_len; i++) {
		size_t n = out_len - done;

		be32_put(counter, i);
		ret = smb_hmac_sha256_vec(key, key_len, iov, 5, block);
		if (ret)
			break;
		if (n > sizeof(block))
			n = sizeof(block);
		memcpy(out + done, block, n);
		done += n;
	}
	smb_secure_zero(block, sizeof(block));
	if (ret)
		smb_secure_zero(out, out_len);
	return ret;
}

/* Labels and contexts include their terminating NUL (sizeof, not strlen). */
#define KDF_STR(s) s, sizeof(s)

static int derive_smb30_keys(const uint8_t session_key[16],
			     struct smb_session_keys *k)
{
	int ret;

	/* MS-SMB2 3.2.5.3.1: the 3.0/3.0.2 labels and fixed contexts. */
	ret = smb_kdf(session_key, 16, KDF_STR("SMB2AESCMAC"),
		      KDF_STR("SmbSign"), k->signing_key, 16);
	if (!ret)
		ret = smb_kdf(session_key, 16, KDF_STR("SMB2APP"),
			      KDF_STR("SmbRpc"), k->application_key, 16);
	/* "ServerIn " (trailing space) protects client-to-server traffic. */
	if (!ret)
		ret = smb_kdf(session_key, 16, KDF_STR("SMB2AESCCM"),
			      KDF_STR("ServerIn "), k->encryption_key, 16);
	if (!ret)
		ret = smb_kdf(session_key, 16, KDF_STR("SMB2AESCCM"),
			      KDF_STR("ServerOut"), k->decryption_key, 16);
	return ret;
}

static int derive_smb311_keys(const uint8_t session_key[16],
			      const uint8_t *cipher_key, size_t cipher_key_len,
			      const uint8_t preauth_hash[SMB_SHA512_LEN],
			      struct smb_session_keys *k)
{
	int ret;

	/*
	 * MS-SMB2 3.2.5.3.1: the context is the session's preauth
	 * integrity hash.  Signing and application keys stay 128-bit and
	 * come from Session.SessionKey; the cipher keys are as long as
	 * the cipher needs (L = 128 or 256).
	 */
	ret = smb_kdf(session_key, 16, KDF_STR("SMBSigningKey"), preauth_hash,
		      SMB_SHA512_LEN, k->signing_key, 16);
	if (!ret)
		ret = smb_kdf(session_key, 16, KDF_STR("SMBAppKey"),
			      preauth_hash, SMB_SHA512_LEN, k->application_key,
			      16);
	if (!ret)
		ret = smb_kdf(cipher_key, cipher_key_len,
			      KDF_STR("SMBC2SCipherKey"), preauth_hash,
			      SMB_SHA512_LEN, k->encryption_key,
			      k->cipher_key_len);
	if (!ret)
		ret = smb_kdf(cipher_key, cipher_key_len,
			      KDF_STR("SMBS2CCipherKey"), preauth_hash,
			      SMB_SHA512_LEN, k->decryption_key,
			      k->cipher_key_len);
	return ret;
}

static int cipher_key_len_for(uint16_t cipher, size_t *len)
{
	switch (cipher) {
	case 0: /* none negotiated: derive AES-128 keys anyway */
	case SMB2_ENCRYPTION_AES128_CCM:
	case SMB2_ENCRYPTION_AES128_GCM:
		*len = 16;
		return 0;
	case SMB2_ENCRYPTION_AES256_CCM:
	case SMB2_ENCRYPTION_AES256_GCM:
		*len = 32;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * Like smb_derive_session_keys(), but for AES-256 ciphers the 3.1.1
 * cipher keys are derived from full_key, the untruncated GSS session key
 * (Session.FullSessionKey, MS-SMB2 3.2.5.3.1).  A Kerberos AES-256
 * session key is 32 bytes; deriving from its first 16 bytes would give
 * keys the server does not share.  For NTLM both keys are the same 16
 * bytes.  full_key may be NULL (then session_key is used).
 */
int smb_derive_session_keys_full(uint16_t dialect, uint16_t cipher,
				 const uint8_t session_key[16],
				 const uint8_t *full_key, size_t full_key_len,
				 const uint8_t preauth_hash[SMB_SHA512_LEN],
				 struct smb_session_keys *keys)
{
	const uint8_t *cipher_key = session_key;
	size_t cipher_key_len = 16;
	int ret;

	if (!session_key || !keys || (full_key && !full_key_len))
		return -EINVAL;
	memset(keys, 0, sizeof(*keys));
	memcpy(keys->session_key, session_key, 16);

	switch (dialect) {
	case SMB2_DIALECT_202:
	case SMB2_DIALECT_210:
		/*
		 * MS-SMB2 3.1.4.1: 2.x signs with the session key itself
		 * and has no encryption (cipher keys zero, length 0).
		 */
		memcpy(keys->signing_key, session_key, 16);
		return 0;
	case SMB2_DIALECT_300:
	case SMB2_DIALECT_302:
		/* 3.0.x only knows AES-128-CCM. */
		if (cipher != 0 && cipher != SMB2_ENCRYPTION_AES128_CCM) {
			ret = -EINVAL;
			break;
		}
		keys->cipher_key_len = 16;
		ret = derive_smb30_keys(session_key, keys);
		break;
	case SMB2_DIALECT_311:
		if (!preauth_hash) {
			ret = -EINVAL;
			break;
		}
		ret = cipher_key_len_for(cipher, &keys->cipher_key_len);
		if (ret)
			break;
		if (keys->cipher_key_len == 32 && full_key) {
			cipher_key = full_key;
			cipher_key_len = full_key_len;
		}
		ret = derive_smb311_keys(session_key, cipher_key,
					 cipher_key_len, preauth_hash, keys);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (ret)
		smb_secure_zero(keys, sizeof(*keys));
	return ret;
}

int smb_derive_session_keys(uint16_t dialect, uint16_t cipher,
			    const uint8_t session_key[16],
			    const uint8_t preauth_hash[SMB_SHA512_LEN],
			    struct smb_session_keys *keys)
{
	return smb_derive_session_keys_full(dialect, cipher, session_key, NULL,
					    0, preauth_hash, keys);
}
