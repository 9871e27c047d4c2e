/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to src/crypto: OpenSSL algorithm handles fetched once per
 * process and shared by the signing, key-derivation and encryption code.
 *
 * OpenSSL 3 "fetches" an implementation every time a context is set up
 * from a name or from EVP_aes_128_gcm() and friends; that lookup takes a
 * lock.  Fetching once and reusing the handles keeps the per-message cost
 * of signing and encryption down on busy connections.
 */
#ifndef SMBFS_CRYPTO_INTERNAL_H
#define SMBFS_CRYPTO_INTERNAL_H

#include <limits.h>
#include <stddef.h>

#include <openssl/evp.h>

#include "smbfs/crypto.h"

struct smb_crypto_algs {
	/* From the default library context (honours the system config). */
	EVP_MAC *hmac;
	EVP_MAC *cmac;
	EVP_MD *md5;
	EVP_MD *sha256;
	EVP_MD *sha512;
	EVP_CIPHER *aes128_gcm;
	EVP_CIPHER *aes256_gcm;
	EVP_CIPHER *aes128_ccm;
	EVP_CIPHER *aes256_ccm;
	/*
	 * From a private library context with the legacy provider loaded;
	 * NULL when that provider is not installed.
	 */
	EVP_MD *md4;
	EVP_CIPHER *rc4;
};

/*
 * Returns the shared handles, fetching them on first use (thread-safe),
 * or NULL when a mandatory (non-legacy) algorithm is unavailable.
 */
const struct smb_crypto_algs *smb_crypto_algs(void);

/* OpenSSL's update calls take int lengths; larger inputs go in slices. */
#define SMB_CRYPTO_MAX_UPDATE ((size_t)INT_MAX & ~(size_t)15)

/* 0 when iov/iovcnt describe readable chunks, else -EINVAL. */
int smb_iov_check(const struct smb_iovec *iov, int iovcnt);


#endif
