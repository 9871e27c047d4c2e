// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB 3.x message encryption (MS-SMB2 3.1.4.3) and decryption
 * (MS-SMB2 3.2.5.1.1.1) with the SMB2 TRANSFORM_HEADER (MS-SMB2 2.2.41):
 *
 *   0  ProtocolId     0xFD 'S' 'M' 'B'
 *   4  Signature      16-byte AEAD tag
 *  20  Nonce          16 bytes: 11 used by CCM, 12 by GCM, rest zero
 *  36  OriginalMessageSize (4)
 *  40  Reserved (2)
 *  42  Flags / EncryptionAlgorithm (2) = 0x0001
 *  44  SessionId (8)
 *  52  ciphertext
 *
 * The additional authenticated data is the header from Nonce to the end
 * (32 bytes), so the tag also protects the SessionId and the size.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_internal.h"
#include "smbfs/bytes.h"
#include "smbfs/smb2.h"

#define TH_SIGNATURE	 4
#define TH_NONCE	 20
#define TH_NONCE_SIZE	 16
#define TH_ORIGINAL_SIZE 36
#define TH_FLAGS	 42
#define TH_SESSION_ID	 44
#define TH_AAD_LEN	 (SMB2_TRANSFORM_HEADER_SIZE - TH_NONCE)
/* 3.1.1 "Encrypted"; 3.0.x reads it as EncryptionAlgorithm AES-128-CCM. */
#define TH_FLAG_ENCRYPTED 0x0001
#define AEAD_TAG_LEN	  16

struct aead {
	const EVP_CIPHER *cipher;
	int nonce_len;
	int is_ccm;
};

static int aead_lookup(uint16_t cipher, struct aead *aead)
{
	const struct smb_crypto_algs *a = smb_crypto_algs();

	if (!a)
		return -EIO;
	switch (cipher) {
	case SMB2_ENCRYPTION_AES128_CCM:
		*aead = (struct aead){ a->aes128_ccm, 11, 1 };
		return 0;
	case SMB2_ENCRYPTION_AES256_CCM:
		*aead = (struct aead){ a->aes256_ccm, 11, 1 };
		return 0;
	case SMB2_ENCRYPTION_AES128_GCM:
		*aead = (struct aead){ a->aes128_gcm, 12, 0 };
		return 0;
	case SMB2_ENCRYPTION_AES256_GCM:
		*aead = (struct aead){ a->aes256_gcm, 12, 0 };
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * Sets up ctx for one message of len bytes and feeds the AAD.  CCM needs
 * the tag (length, or value when decrypting) and the total length
 * before the key and the AAD; GCM takes its tag at the end.
 */
static int aead_start(EVP_CIPHER_CTX *ctx, const struct aead *aead,
		      const uint8_t *key, const uint8_t *hdr, size_t len,
		      int enc)
{
	uint8_t tag[AEAD_TAG_LEN];
	int outl;

	memcpy(tag, hdr + TH_SIGNATURE, AEAD_TAG_LEN);
	if (!EVP_CipherInit_ex2(ctx, aead->cipher, NULL, NULL, enc, NULL) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, aead->nonce_len,
				NULL) <= 0)
		return -EIO;
	if (aead->is_ccm &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_LEN,
				enc ? NULL : tag) <= 0)
		return -EIO;
	if (!EVP_CipherInit_ex2(ctx, NULL, key, hdr + TH_NONCE, enc, NULL))
		return -EIO;
	if (aead->is_ccm && !EVP_CipherUpdate(ctx, NULL, &outl, NULL, (int)len))
		return -EIO;
	if (!EVP_CipherUpdate(ctx, NULL, &outl, hdr + TH_NONCE, TH_AAD_LEN))
		return -EIO;
	return 0;
}

/* Encrypts len bytes at in to out (GCM may take them in several calls). */
static int aead_update(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in,
		       size_t len)
{
	int outl;

	while (len) {
		size_t n = len > SMB_CRYPTO_MAX_UPDATE ? SMB_CRYPTO_MAX_UPDATE
						       : len;

		if (!EVP_EncryptUpdate(ctx, out, &outl, in, (int)n) ||
		    (size_t)outl != n)
			return -EIO;
		in += n;
		out += n;
		len -= n;
	}
	return 0;
}

/*
 * Encrypts the pieces (len bytes in all) into hdr's payload and stores
 * the tag in the header.  OpenSSL's CCM takes the plaintext in a single
 * update, so for CCM the pieces are gathered into the payload first and
 * encrypted in place.
 */
static int aead_seal(const struct aead *aead, const uint8_t *key, uint8_t *hdr,
		     const struct smb_iovec *iov, int iovcnt, size_t len)
{
	uint8_t *out = hdr + SMB2_TRANSFORM_HEADER_SIZE;
	EVP_CIPHER_CTX *ctx;
	size_t pos = 0;
	int ret, i, finl;

	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ret = aead_start(ctx, aead, key, hdr, len, 1);
	if (ret)
		goto out;
	ret = -EIO;
	if (aead->is_ccm) {
		for (i = 0; i < iovcnt; i++) {
			if (iov[i].len)
				memcpy(out + pos, iov[i].base, iov[i].len);
			pos += iov[i].len;
		}
		if (aead_update(ctx, out, out, len))
			goto out;
	} else {
		for (i = 0; i < iovcnt; i++) {
			if (aead_update(ctx, out + pos, iov[i].base,
					iov[i].len))
				goto out;
			pos += iov[i].len;
		}
	}
	if (!EVP_EncryptFinal_ex(ctx, out + len, &finl) || finl != 0 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_LEN,
				hdr + TH_SIGNATURE) <= 0)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/* Decrypts msg's payload into out; -EBADMSG when the tag does not match. */
static int aead_open(const struct aead *aead, const uint8_t *key,
		     const uint8_t *msg, size_t len, uint8_t *out)
{
	const uint8_t *in = msg + SMB2_TRANSFORM_HEADER_SIZE;
	uint8_t tag[AEAD_TAG_LEN];
	EVP_CIPHER_CTX *ctx;
	int ret, outl, finl;

	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ret = aead_start(ctx, aead, key, msg, len, 0);
	if (ret)
		goto out;
	/* CCM checks the tag inside this update, GCM in the final call. */
	ret = -EBADMSG;
	if (EVP_DecryptUpdate(ctx, out, &outl, in, (int)len) <= 0)
		goto out;
	if (!aead->is_ccm) {
		memcpy(tag, msg + TH_SIGNATURE, AEAD_TAG_LEN);
		if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
					AEAD_TAG_LEN, tag) <= 0) {
			ret = -EIO;
			goto out;
		}
		if (EVP_DecryptFinal_ex(ctx, out + outl, &finl) <= 0)
			goto out;
		outl += finl;
	}
	if ((size_t)outl == len)
		ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

int smb_nonce_seq_init(struct smb_nonce_seq *seq)
{
	seq->next = 0;
	return smb_random_bytes(seq->fixed, sizeof(seq->fixed));
}

int smb_nonce_next(struct smb_nonce_seq *seq, uint16_t cipher,
		   uint8_t nonce[SMB_NONCE_SIZE])
{
	struct aead aead;
	int ret = aead_lookup(cipher, &aead);

	if (ret)
		return ret;
	/* The last counter value is never used: a full sequence stays full. */
	if (seq->next == UINT64_MAX)
		return -EOVERFLOW;
	memset(nonce, 0, SMB_NONCE_SIZE);
	le64_put(nonce, seq->next++);
	memcpy(nonce + 8, seq->fixed, (size_t)aead.nonce_len - 8);
	return 0;
}

int smb_encrypt_message_iov(uint16_t cipher, const uint8_t *key,
			    uint64_t session_id,
			    const uint8_t nonce[SMB_NONCE_SIZE],
			    const struct smb_iovec *iov, int iovcnt,
			    uint8_t **out, size_t *out_len)
{
	size_t plain_len = 0;
	struct aead aead;
	uint8_t *buf;
	int ret, i;

	if (!key || !nonce || !out || !out_len || iovcnt > SMB_MSG_MAX_IOV ||
	    smb_iov_check(iov, iovcnt))
		return -EINVAL;
	for (i = 0; i < iovcnt; i++)
		plain_len += iov[i].len;
	if (!plain_len || plain_len > UINT32_MAX ||
	    plain_len > SMB_CRYPTO_MAX_UPDATE - SMB2_TRANSFORM_HEADER_SIZE)
		return -EINVAL;
	ret = aead_lookup(cipher, &aead);
	if (ret)
		return ret;

	/* Only the header needs zeroing: the payload is all written. */
	buf = malloc(SMB2_TRANSFORM_HEADER_SIZE + plain_len);
	if (!buf)
		return -ENOMEM;
	memset(buf, 0, SMB2_TRANSFORM_HEADER_SIZE);
	le32_put(buf, SMB2_TRANSFORM_PROTOCOL_ID);
	/* Only the cipher's nonce length counts; the rest stays zero. */
	memcpy(buf + TH_NONCE, nonce, (size_t)aead.nonce_len);
	le32_put(buf + TH_ORIGINAL_SIZE, (uint32_t)plain_len);
	le16_put(buf + TH_FLAGS, TH_FLAG_ENCRYPTED);
	le64_put(buf + TH_SESSION_ID, session_id);

	ret = aead_seal(&aead, key, buf, iov, iovcnt, plain_len);
	if (ret)
		goto fail;
	*out = buf;
	*out_len = SMB2_TRANSFORM_HEADER_SIZE + plain_len;
	return 0;
fail:
	free(buf);
	return ret;
}

int smb_encrypt_message(uint16_t cipher, const uint8_t *key,
			uint64_t session_id,
			const uint8_t nonce[SMB_NONCE_SIZE],
			const uint8_t *plain, size_t plain_len, uint8_t **out,
			size_t *out_len)
{
	struct smb_iovec whole = { plain, plain_len };

	if (!plain)
		return -EINVAL;
	return smb_encrypt_message_iov(cipher, key, session_id, nonce, &whole,
				       1, out, out_len);
}

/* Checks the fixed fields of a transform header: 0 or -EBADMSG. */
static int transform_header_check(const uint8_t *msg, size_t len)
{
	if (len < SMB2_TRANSFORM_HEADER_SIZE ||
	    le32_get(msg) != SMB2_TRANSFORM_PROTOCOL_ID)
		return -EBADMSG;
	return 0;
}

int smb_transform_session_id(const uint8_t *msg, size_t len,
			     uint64_t *session_id)
{
	if (!msg || !session_id)
		return -EINVAL;
	if (transform_header_check(msg, len))
		return -EBADMSG;
	*session_id = le64_get(msg + TH_SESSION_ID);
	return 0;
}

int smb_decrypt_message(uint16_t cipher, const uint8_t *key, const uint8_t *msg,
			size_t len, uint8_t **out, size_t *out_len)
{
	struct aead aead;
	uint32_t original_size;
	uint8_t *plain;
	int ret;

	if (!key || !msg || !out || !out_len)
		return -EINVAL;
	ret = aead_lookup(cipher, &aead);
	if (ret)
		return ret;
	if (transform_header_check(msg, len) ||
	    le16_get(msg + TH_FLAGS) != TH_FLAG_ENCRYPTED)
		return -EBADMSG;
	/*
	 * One transform header carries exactly one encrypted message (or
	 * compound chain): the size must match what follows the header.
	 */
	original_size = le32_get(msg + TH_ORIGINAL_SIZE);
	if (original_size == 0 ||
	    original_size != len - SMB2_TRANSFORM_HEADER_SIZE ||
	    original_size > SMB_CRYPTO_MAX_UPDATE)
		return -EBADMSG;

	plain = malloc(original_size);
	if (!plain)
		return -ENOMEM;
	ret = aead_open(&aead, key, msg, original_size, plain);
	if (ret) {
		/* Never hand out (or leave behind) unauthenticated data. */
		smb_secure_zero(plain, original_size);
		free(plain);
		return ret;
	}
	*out = plain;
	*out_len = original_size;
	return 0;
}
