// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB2 message signing and verification (MS-SMB2 3.1.4.1, 3.1.5.1).
 *
 * The signature covers the whole message (header and body, and for a
 * compound element its trailing padding) with the 16-byte Signature
 * field zeroed.  Both directions work on a private copy of the 64-byte
 * header so the body is read straight from the caller's buffer and a
 * message being verified is never modified.  A message may come in
 * pieces (header and body, then a WRITE's data where it lies), which the
 * MACs take one after the other: nothing is copied together first.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto_internal.h"
#include "smbfs/smb2.h"

#define SIG_OFFSET	  48
#define FLAGS_OFFSET	  16
#define COMMAND_OFFSET	  12
#define MESSAGE_ID_OFFSET 24
#define GMAC_NONCE_LEN	  12

/* MS-SMB2 3.1.4.1: HMAC-SHA256 of the message, truncated to 16 bytes. */
static int sign_hmac_sha256(const uint8_t *key, const struct smb_iovec *iov,
			    int iovcnt, uint8_t sig[SMB_SIGNATURE_LEN])
{
	uint8_t mac[SMB_SHA256_LEN];
	int ret;

	ret = smb_hmac_sha256_vec(key, 16, iov, iovcnt, mac);
	if (!ret)
		memcpy(sig, mac, SMB_SIGNATURE_LEN);
	smb_secure_zero(mac, sizeof(mac));
	return ret;
}

/*
 * MS-SMB2 3.1.4.1 AES-GMAC nonce: MessageId (8 bytes, as on the wire),
 * then a 32-bit little-endian word with bit 0 set when the sender is the
 * server and bit 1 set for a CANCEL request; the other 30 bits are zero.
 */
static void gmac_nonce(const uint8_t *hdr, uint8_t nonce[GMAC_NONCE_LEN])
{
	uint32_t flags = le32_get(hdr + FLAGS_OFFSET);
	uint16_t command = le16_get(hdr + COMMAND_OFFSET);
	uint32_t role = 0;

	memcpy(nonce, hdr + MESSAGE_ID_OFFSET, 8);
	if (flags & SMB2_FLAGS_SERVER_TO_REDIR)
		role |= 1;
	else if (command == SMB2_CANCEL)
		role |= 2;
	le32_put(nonce + 8, role);
}

/* Feeds one chunk as GCM additional data, in int-sized slices. */
static int gcm_aad(EVP_CIPHER_CTX *ctx, const uint8_t *p, size_t len)
{
	int outl;

	while (len) {
		size_t n = len > SMB_CRYPTO_MAX_UPDATE ? SMB_CRYPTO_MAX_UPDATE
						       : len;

		if (!EVP_EncryptUpdate(ctx, NULL, &outl, p, (int)n))
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * AES-128-GMAC: AES-128-GCM with no plaintext, the message as AAD.
 * iov[0] is the header (the nonce comes from it).
 */
static int sign_gmac(const uint8_t *key, const struct smb_iovec *iov,
		     int iovcnt, uint8_t sig[SMB_SIGNATURE_LEN])
{
	const struct smb_crypto_algs *a = smb_crypto_algs();
	uint8_t nonce[GMAC_NONCE_LEN];
	uint8_t unused[16];
	EVP_CIPHER_CTX *ctx;
	int ret = -EIO;
	int outl, i;

	if (!a)
		return -EIO;
	gmac_nonce(iov[0].base, nonce);
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (!EVP_EncryptInit_ex2(ctx, a->aes128_gcm, NULL, NULL, NULL) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, GMAC_NONCE_LEN,
				NULL) <= 0 ||
	    !EVP_EncryptInit_ex2(ctx, NULL, key, nonce, NULL))
		goto out;
	for (i = 0; i < iovcnt; i++)
		if (gcm_aad(ctx, iov[i].base, iov[i].len))
			goto out;
	if (!EVP_EncryptFinal_ex(ctx, unused, &outl) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, SMB_SIGNATURE_LEN,
				sig) <= 0)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/*
 * Rewrites the pieces of a message as a private copy of its header with
 * the Signature zeroed, followed by the rest of the pieces, so the MACs
 * read everything but the header straight from the caller's memory.
 * Returns the number of pieces in out, or -EINVAL.
 */
static int split_header(const struct smb_iovec *iov, int iovcnt,
			uint8_t hdr[SMB2_HEADER_SIZE],
			struct smb_iovec out[SMB_MSG_MAX_IOV + 1])
{
	size_t have = 0, skip;
	int i, n = 1;

	if (iovcnt > SMB_MSG_MAX_IOV || smb_iov_check(iov, iovcnt))
		return -EINVAL;
	for (i = 0; i < iovcnt && have < SMB2_HEADER_SIZE; i++) {
		if (!iov[i].len)
			continue;
		skip = SMB2_HEADER_SIZE - have;
		if (skip > iov[i].len)
			skip = iov[i].len;
		memcpy(hdr + have, iov[i].base, skip);
		have += skip;
		if (skip < iov[i].len)
			out[n++] = (struct smb_iovec){
				(const uint8_t *)iov[i].base + skip,
				iov[i].len - skip };
	}
	if (have < SMB2_HEADER_SIZE)
		return -EINVAL;
	for (; i < iovcnt; i++)
		if (iov[i].len)
			out[n++] = iov[i];
	memset(hdr + SIG_OFFSET, 0, SMB_SIGNATURE_LEN);
	out[0] = (struct smb_iovec){ hdr, SMB2_HEADER_SIZE };
	return n;
}

int smb_message_signature(uint16_t algo, const uint8_t *signing_key,
			  const struct smb_iovec *iov, int iovcnt,
			  uint8_t sig[SMB_SIGNATURE_LEN])
{
	struct smb_iovec pieces[SMB_MSG_MAX_IOV + 1];
	uint8_t hdr[SMB2_HEADER_SIZE];
	int n;

	if (!signing_key || !sig)
		return -EINVAL;
	n = split_header(iov, iovcnt, hdr, pieces);
	if (n < 0)
		return n;
	switch (algo) {
	case SMB2_SIGNING_HMAC_SHA256:
		return sign_hmac_sha256(signing_key, pieces, n, sig);
	case SMB2_SIGNING_AES_CMAC:
		return smb_aes_cmac_vec(signing_key, pieces, n, sig);
	case SMB2_SIGNING_AES_GMAC:
		return sign_gmac(signing_key, pieces, n, sig);
	default:
		return -EINVAL;
	}
}

/* The signature of msg as if its Signature field were zero. */
static int compute_signature(uint16_t algo, const uint8_t *key,
			     const uint8_t *msg, size_t len,
			     uint8_t sig[SMB_SIGNATURE_LEN])
{
	struct smb_iovec whole = { msg, len };

	if (!msg)
		return -EINVAL;
	return smb_message_signature(algo, key, &whole, 1, sig);
}

int smb_sign_message(uint16_t algo, const uint8_t *signing_key, uint8_t *msg,
		     size_t len)
{
	uint8_t sig[SMB_SIGNATURE_LEN];
	int ret;

	ret = compute_signature(algo, signing_key, msg, len, sig);
	if (ret)
		return ret;
	memcpy(msg + SIG_OFFSET, sig, SMB_SIGNATURE_LEN);
	return 0;
}

int smb_verify_message(uint16_t algo, const uint8_t *signing_key,
		       const uint8_t *msg, size_t len)
{
	uint8_t sig[SMB_SIGNATURE_LEN];
	int ret;

	if (msg && len < SMB2_HEADER_SIZE)
		return -EBADMSG;
	ret = compute_signature(algo, signing_key, msg, len, sig);
	if (ret)
		return ret;
	/* Constant time, so a forger learns nothing from the timing. */
	if (CRYPTO_memcmp(sig, msg + SIG_OFFSET, SMB_SIGNATURE_LEN) != 0)
		return -EBADMSG;
	return 0;
}
