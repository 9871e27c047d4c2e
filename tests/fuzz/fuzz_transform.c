// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB2 TRANSFORM_HEADER frames (MS-SMB2 2.2.41) and their decryption
 * (3.2.5.1.1.1) with a fixed key, for each of the four ciphers.
 *
 * Input: a mode byte, a cipher byte (modulo 4: AES-128-CCM, AES-128-GCM,
 * AES-256-CCM, AES-256-GCM), then data.  Mode (modulo 3):
 *  0  data is a frame as received: decrypted with the fixed key;
 *  1  data is a plaintext message: encrypted with the fixed key, the
 *     frame must decrypt back to it, and its chain is checked as the
 *     reader checks a decrypted frame;
 *  2  two bytes of position and change, then a plaintext: its frame,
 *     altered at one byte or truncated, must be refused.
 */
#include "fuzz_common.h"
#include "smbfs/crypto.h"
#include "smbfs/smb2.h"

static const uint8_t key[32] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15,
	0x88, 0x09, 0xcf, 0x4f, 0x3c, 0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca,
	0x71, 0xbe, 0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81,
};
static const uint64_t session = 0x0000400000000041ull;

static void decrypt_received(uint16_t cipher, const uint8_t *data,
			     size_t size)
{
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	uint64_t sid;
	int rc = smb_transform_session_id(data, size, &sid);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	rc = smb_decrypt_message(cipher, key, data, size, &plain, &plain_len);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc) {
		FUZZ_CHECK(plain == NULL);
		return;
	}
	/* Only a frame made with this key can get here. */
	FUZZ_CHECK(plain_len == size - SMB2_TRANSFORM_HEADER_SIZE);
	rc = smb2_chain_check(plain, plain_len, true, sid);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	free(plain);
}

static uint8_t *encrypt(uint16_t cipher, const uint8_t *plain, size_t len,
			size_t *frame_len)
{
	static struct smb_nonce_seq seq;
	static int seq_ready;
	uint8_t nonce[SMB_NONCE_SIZE], *frame = NULL;
	int rc;

	if (!seq_ready)
		seq_ready = smb_nonce_seq_init(&seq) == 0;
	FUZZ_CHECK(seq_ready && smb_nonce_next(&seq, cipher, nonce) == 0);
	rc = smb_encrypt_message(cipher, key, session, nonce, plain, len,
				 &frame, frame_len);

	FUZZ_CHECK(len ? rc == 0 : rc == -EINVAL);
	return rc ? NULL : frame;
}

static void round_trip(uint16_t cipher, const uint8_t *data, size_t size)
{
	uint8_t *frame, *plain = NULL;
	size_t frame_len, plain_len = 0;
	uint64_t sid = 0;

	frame = encrypt(cipher, data, size, &frame_len);
	if (!frame)
		return;
	FUZZ_CHECK(frame_len == size + SMB2_TRANSFORM_HEADER_SIZE);
	FUZZ_CHECK(smb_transform_session_id(frame, frame_len, &sid) == 0 &&
		   sid == session);
	FUZZ_CHECK(smb_decrypt_message(cipher, key, frame, frame_len, &plain,
				       &plain_len) == 0);
	FUZZ_CHECK(plain && plain_len == size && !memcmp(plain, data, size));
	if (plain) {
		int rc = smb2_chain_check(plain, plain_len, true, sid);

		FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
		/* Decryption adds no trust to a chain the plain check refuses. */
		FUZZ_CHECK(rc || !smb2_chain_check(plain, plain_len, false, 0));
	}
	free(plain);
	free(frame);
}

static void tampered(uint16_t cipher, const uint8_t *data, size_t size)
{
	uint8_t where = fuzz_take_u8(&data, &size);
	uint8_t change = fuzz_take_u8(&data, &size);
	uint8_t *frame, *plain = NULL;
	size_t frame_len, plain_len = 0, at;

	frame = encrypt(cipher, data, size, &frame_len);
	if (!frame)
		return;
	at = ((size_t)where * 257 + change) % frame_len;
	if (change & 0x80) {
		/* Cut the frame short. */
		FUZZ_CHECK(smb_decrypt_message(cipher, key, frame, at, &plain,
					       &plain_len) == -EBADMSG);
	} else {
		/* Every byte is authenticated: header, tag and payload. */
		frame[at] ^= (uint8_t)(change | 1);
		FUZZ_CHECK(smb_decrypt_message(cipher, key, frame, frame_len,
					       &plain, &plain_len) == -EBADMSG);
	}
	FUZZ_CHECK(plain == NULL);
	free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ciphers[] = {
		SMB2_ENCRYPTION_AES128_CCM, SMB2_ENCRYPTION_AES128_GCM,
		SMB2_ENCRYPTION_AES256_CCM, SMB2_ENCRYPTION_AES256_GCM};
	uint8_t mode = fuzz_take_u8(&data, &size) % 3;
	uint16_t cipher = ciphers[fuzz_take_u8(&data, &size) % 4];

	if (mode == 0)
		decrypt_received(cipher, data, size);
	else if (mode == 1)
		round_trip(cipher, data, size);
	else
		tampered(cipher, data, size);
	return 0;
}
