// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hashes, MACs and RC4 on OpenSSL 3 (EVP and EVP_MAC only).
 *
 * MD4 (NTLM's NT hash) and RC4 (NTLM key exchange) live in OpenSSL 3's
 * legacy provider, which a stock Debian openssl.cnf does not activate.
 * Rather than touch the process-wide configuration, smbfs loads the
 * legacy and default providers into a private OSSL_LIB_CTX and fetches
 * only MD4 and RC4 from it.  When the legacy provider is not installed,
 * smb_md4() and smb_rc4() fail with -EOPNOTSUPP and everything else keeps
 * working.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "crypto_internal.h"

/*
 * Write-once state: filled in by crypto_algs_init() under pthread_once
 * and only read afterwards, so no locking is needed.  The handles live
 * until the process exits.
 */
static pthread_once_t crypto_algs_once = PTHREAD_ONCE_INIT;
static struct smb_crypto_algs crypto_algs;
static int crypto_algs_ok;
static OSSL_LIB_CTX *legacy_libctx;

static void legacy_algs_init(struct smb_crypto_algs *a)
{
	OSSL_LIB_CTX *libctx = OSSL_LIB_CTX_new();

	if (!libctx)
		return;
	/* The library context owns the loaded providers. */
	if (!OSSL_PROVIDER_load(libctx, "legacy") ||
	    !OSSL_PROVIDER_load(libctx, "default")) {
		OSSL_LIB_CTX_free(libctx);
		return;
	}
	a->md4 = EVP_MD_fetch(libctx, "MD4", NULL);
	a->rc4 = EVP_CIPHER_fetch(libctx, "RC4", NULL);
	if (!a->md4 && !a->rc4) {
		OSSL_LIB_CTX_free(libctx);
		return;
	}
	legacy_libctx = libctx;
}

static void crypto_algs_init(void)
{
	struct smb_crypto_algs *a = &crypto_algs;

	a->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	a->cmac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	a->md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	a->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	a->sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
	a->aes128_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	a->aes256_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	a->aes128_ccm = EVP_CIPHER_fetch(NULL, "AES-128-CCM", NULL);
	a->aes256_ccm = EVP_CIPHER_fetch(NULL, "AES-256-CCM", NULL);
	crypto_algs_ok = a->hmac && a->cmac && a->md5 && a->sha256 &&
			 a->sha512 && a->aes128_gcm && a->aes256_gcm &&
			 a->aes128_ccm && a->aes256_ccm;
	legacy_algs_init(a);
}

const struct smb_crypto_algs *smb_crypto_algs(void)
{
	if (pthread_once(&crypto_algs_once, crypto_algs_init) != 0)
		return NULL;
	return crypto_algs_ok ? &crypto_algs : NULL;
}

int smb_iov_check(const struct smb_iovec *iov, int iovcnt)
{
	int i;

	if (iovcnt < 0 || (iovcnt > 0 && !iov))
		return -EINVAL;
	for (i = 0; i < iovcnt; i++)
		if (iov[i].len && !iov[i].base)
			return -EINVAL;
	return 0;
}

int smb_random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	if (len && !buf)
		return -EINVAL;
	while (len) {
		size_t n = len > SMB_CRYPTO_MAX_UPDATE ? SMB_CRYPTO_MAX_UPDATE
						       : len;

		if (RAND_bytes(p, (int)n) != 1)
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

void smb_secure_zero(void *buf, size_t len)
{
	if (buf && len)
		OPENSSL_cleanse(buf, len);
}

/* Digest of the concatenated chunks with an already fetched md. */
static int digest_vec(const EVP_MD *md, const struct smb_iovec *iov, int iovcnt,
		      uint8_t *out)
{
	EVP_MD_CTX *ctx;
	int ret = -EIO;
	int i;

	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (!EVP_DigestInit_ex2(ctx, md, NULL))
		goto out;
	for (i = 0; i < iovcnt; i++)
		if (!EVP_DigestUpdate(ctx, iov[i].base, iov[i].len))
			goto out;
	if (!EVP_DigestFinal_ex(ctx, out, NULL))
		goto out;
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

int smb_md4(const void *data, size_t len, uint8_t out[SMB_MD4_LEN])
{
	const struct smb_crypto_algs *a = smb_crypto_algs();
	struct smb_iovec iov = { data, len };

	if (!a)
		return -EIO;
	if (!a->md4)
		return -EOPNOTSUPP;
	if ((len && !data) || !out)
		return -EINVAL;
	return digest_vec(a->md4, &iov, 1, out);
}

int smb_md5(const void *data, size_t len, uint8_t out[SMB_MD5_LEN])
{
	const struct smb_crypto_algs *a = smb_crypto_algs();
	struct smb_iovec iov = { data, len };

	if (!a)
		return -EIO;
	if ((len && !data) || !out)
		return -EINVAL;
	return digest_vec(a->md5, &iov, 1, out);
}

int smb_sha512_vec(const struct smb_iovec *iov, int iovcnt,
		   uint8_t out[SMB_SHA512_LEN])
{
	const struct smb_crypto_algs *a = smb_crypto_algs();
	int ret;

	if (!a)
		return -EIO;
	ret = smb_iov_check(iov, iovcnt);
	if (ret)
		return ret;
	if (!out)
		return -EINVAL;
	return digest_vec(a->sha512, iov, iovcnt, out);
}

/*
 * MAC (HMAC or CMAC) over the concatenated chunks.  param_name/value
 * select the digest (HMAC) or the block cipher (CMAC).
 */
static int mac_vec(EVP_MAC *mac, const char *param_name,
		   const char *param_value, const void *key, size_t key_len,
		   const struct smb_iovec *iov, int iovcnt, uint8_t *out,
		   size_t out_len)
{
	/* An empty HMAC key is legal; OpenSSL wants a non-NULL pointer. */
	static const uint8_t empty_key[1];
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;
	size_t got = 0;
	int ret = -EIO;
	int i;

	if ((key_len && !key) || !out || smb_iov_check(iov, iovcnt))
		return -EINVAL;
	if (!key_len)
		key = empty_key;
	params[0] = OSSL_PARAM_construct_utf8_string(param_name,
						     (char *)param_value, 0);
	params[1] = OSSL_PARAM_construct_end();

	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx)
		return -ENOMEM;
	if (!EVP_MAC_init(ctx, key, key_len, params))
		goto out;
	for (i = 0; i < iovcnt; i++)
		if (!EVP_MAC_update(ctx, iov[i].base, iov[i].len))
			goto out;
	if (!EVP_MAC_final(ctx, out, &got, out_len) || got != out_len)
		goto out;
	ret = 0;
out:
	EVP_MAC_CTX_free(ctx);
	return ret;
}

int smb_hmac_md5_vec(const void *key, size_t key_len,
		     const struct smb_iovec *iov, int iovcnt,
		     uint8_t out[SMB_MD5_LEN])
{
	const struct smb_crypto_algs *a = smb_crypto_algs();

	if (!a)
		return -EIO;
	return mac_vec(a->hmac, OSSL_MAC_PARAM_DIGEST, "MD5", key, key_len, iov,
		       iovcnt, out, SMB_MD5_LEN);
}

int smb_hmac_md5(const void *key, size_t key_len, const void *data, size_t len,
		 uint8_t out[SMB_MD5_LEN])
{
	struct smb_iovec iov = { data, len };

	return smb_hmac_md5_vec(key, key_len, &iov, 1, out);
}

int smb_hmac_sha256_vec(const void *key, size_t key_len,
			const struct smb_iovec *iov, int iovcnt,
			uint8_t out[SMB_SHA256_LEN])
{
	const struct smb_crypto_algs *a = smb_crypto_algs();

	if (!a)
		return -EIO;
	return mac_vec(a->hmac, OSSL_MAC_PARAM_DIGEST, "SHA256", key, key_len,
		       iov, iovcnt, out, SMB_SHA256_LEN);
}

int smb_aes_cmac_vec(const uint8_t key[16], const struct smb_iovec *iov,
		     int iovcnt, uint8_t out[16])
{
	const struct smb_crypto_algs *a = smb_crypto_algs();

	if (!a)
		return -EIO;
	if (!key)
		return -EINVAL;
	/* RFC 4493 AES-CMAC is CMAC over AES-128 in CBC mode. */
	return mac_vec(a->cmac, OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", key, 16,
		       iov, iovcnt, out, 16);
}

int smb_rc4(const uint8_t *key, size_t key_len, const uint8_t *in, uint8_t *out,
	    size_t len)
{
	const struct smb_crypto_algs *a = smb_crypto_algs();
	EVP_CIPHER_CTX *ctx;
	int ret = -EIO;
	int outl;

	if (!a)
		return -EIO;
	if (!a->rc4)
		return -EOPNOTSUPP;
	if (!key || !key_len || key_len > INT_MAX || (len && (!in || !out)))
		return -EINVAL;

	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	/* RC4 defaults to a 128-bit key: set the real length first. */
	if (!EVP_EncryptInit_ex2(ctx, a->rc4, NULL, NULL, NULL) ||
	    EVP_CIPHER_CTX_set_key_length(ctx, (int)key_len) <= 0 ||
	    !EVP_EncryptInit_ex2(ctx, NULL, key, NULL, NULL))
		goto out;
	while (len) {
		size_t n = len > SMB_CRYPTO_MAX_UPDATE ? SMB_CRYPTO_MAX_UPDATE
						       : len;

		if (!EVP_EncryptUpdate(ctx, out, &outl, in, (int)n) ||
		    (size_t)outl != n)
			goto out;
		in += n;
		out += n;
		len -= n;
	}
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}
