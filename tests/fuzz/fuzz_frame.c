// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the reader thread does with the bytes of the TCP stream: Direct
 * TCP framing (MS-SMB2 2.1), the transform header's session id, the
 * compound chain check (3.2.5.1.9), the SMB2 header of each element
 * (2.2.1), its signature check (3.2.5.1.3) and the body decoder each
 * element's command leads to.
 *
 * Input: the byte stream as it arrives from the server: any number of
 * 4-byte Direct TCP headers each followed by its frame.
 */
#include "fuzz_common.h"
#include "smbfs/crypto.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_change_notify.h"
#include "smbfs/wire/smb2_close.h"
#include "smbfs/wire/smb2_create.h"
#include "smbfs/wire/smb2_echo.h"
#include "smbfs/wire/smb2_error.h"
#include "smbfs/wire/smb2_flush.h"
#include "smbfs/wire/smb2_ioctl.h"
#include "smbfs/wire/smb2_lock.h"
#include "smbfs/wire/smb2_logoff.h"
#include "smbfs/wire/smb2_negotiate.h"
#include "smbfs/wire/smb2_oplock_break.h"
#include "smbfs/wire/smb2_query_directory.h"
#include "smbfs/wire/smb2_query_info.h"
#include "smbfs/wire/smb2_read.h"
#include "smbfs/wire/smb2_session_setup.h"
#include "smbfs/wire/smb2_set_info.h"
#include "smbfs/wire/smb2_tree_connect.h"
#include "smbfs/wire/smb2_tree_disconnect.h"
#include "smbfs/wire/smb2_write.h"

/* The reader's limit before NEGOTIATE (CONN_PRENEG_MAX_FRAME). */
#define FRAME_MAX (1u << 20)
#define MAX_FRAMES 16

/* Every decoder behind one signature; each returns 0 or -EBADMSG. */
#define DECODER(name, type, fn)                                    \
	static int name(const uint8_t *m, size_t n)                \
	{                                                          \
		type r;                                            \
		return fn(m, n, &r);                               \
	}
DECODER(d_negotiate, struct smb2_negotiate_response,
	smb2_negotiate_response_decode)
DECODER(d_session_setup, struct smb2_session_setup_response,
	smb2_session_setup_response_decode)
DECODER(d_tree_connect, struct smb2_tree_connect_response,
	smb2_tree_connect_response_decode)
DECODER(d_create, struct smb2_create_response, smb2_create_response_decode)
DECODER(d_close, struct smb2_close_response, smb2_close_response_decode)
DECODER(d_read, struct smb2_read_response, smb2_read_response_decode)
DECODER(d_write, struct smb2_write_response, smb2_write_response_decode)
DECODER(d_ioctl, struct smb2_ioctl_response, smb2_ioctl_response_decode)
DECODER(d_query_directory, struct smb2_query_directory_response,
	smb2_query_directory_response_decode)
DECODER(d_change_notify, struct smb2_change_notify_response,
	smb2_change_notify_response_decode)
DECODER(d_query_info, struct smb2_query_info_response,
	smb2_query_info_response_decode)
DECODER(d_error, struct smb2_error_response, smb2_error_response_decode)

static int d_oplock_break(const uint8_t *m, size_t n)
{
	struct smb2_break_notification b;
	struct smb2_break_response r;
	int rc = smb2_break_notification_decode(m, n, &b);

	return smb2_break_response_decode(m, n, &r) ? rc : 0;
}

static int (*const decoders[SMB2_COMMAND_COUNT])(const uint8_t *, size_t) = {
	[SMB2_NEGOTIATE] = d_negotiate,
	[SMB2_SESSION_SETUP] = d_session_setup,
	[SMB2_LOGOFF] = smb2_logoff_response_decode,
	[SMB2_TREE_CONNECT] = d_tree_connect,
	[SMB2_TREE_DISCONNECT] = smb2_tree_disconnect_response_decode,
	[SMB2_CREATE] = d_create,
	[SMB2_CLOSE] = d_close,
	[SMB2_FLUSH] = smb2_flush_response_decode,
	[SMB2_READ] = d_read,
	[SMB2_WRITE] = d_write,
	[SMB2_LOCK] = smb2_lock_response_decode,
	[SMB2_IOCTL] = d_ioctl,
	[SMB2_ECHO] = smb2_echo_response_decode,
	[SMB2_QUERY_DIRECTORY] = d_query_directory,
	[SMB2_CHANGE_NOTIFY] = d_change_notify,
	[SMB2_QUERY_INFO] = d_query_info,
	[SMB2_SET_INFO] = smb2_set_info_response_decode,
	[SMB2_OPLOCK_BREAK] = d_oplock_break,
};

/*
 * MS-SMB2 3.1.4.1 with a fixed key: the server's signature is refused
 * unless it is right; signed here, the element verifies, and one changed
 * byte (any byte of it) makes it fail again.  The algorithm follows the
 * MessageId, so all three get exercised.
 */
static void check_signature(const uint8_t *elem, size_t len, uint64_t mid)
{
	static const uint8_t key[16] = "signing-key-0123";
	static const uint16_t algos[] = {SMB2_SIGNING_HMAC_SHA256,
					 SMB2_SIGNING_AES_CMAC,
					 SMB2_SIGNING_AES_GMAC};
	uint16_t algo = algos[mid % 3];
	uint8_t *copy = fuzz_copy(elem, len);
	int rc = smb_verify_message(algo, key, copy, len);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	FUZZ_CHECK(smb_sign_message(algo, key, copy, len) == 0);
	FUZZ_CHECK(smb_verify_message(algo, key, copy, len) == 0);
	FUZZ_CHECK(!memcmp(copy, elem, 48) &&
		   !memcmp(copy + 64, elem + 64, len - 64));
	copy[(mid >> 8) % len] ^= 0x20;
	FUZZ_CHECK(smb_verify_message(algo, key, copy, len) == -EBADMSG);
	free(copy);
}

/* One element: its header round-trips, its body decodes or is refused. */
static void check_element(const uint8_t *elem, size_t len)
{
	struct smb2_header h;
	struct smb_wbuf w = SMB_WBUF_INIT;
	uint8_t *copy;
	int rc;

	FUZZ_CHECK(smb2_header_decode(elem, len, &h) == 0);
	FUZZ_CHECK(h.flags & SMB2_FLAGS_SERVER_TO_REDIR);
	smb2_header_encode(&w, &h);
	FUZZ_CHECK(w.len == SMB2_HEADER_SIZE &&
		   !memcmp(w.data, elem, SMB2_HEADER_SIZE));
	wbuf_free(&w);
	check_signature(elem, len, h.message_id);
	/* The element alone, exactly sized: no read into its neighbours. */
	copy = fuzz_copy(elem, len);
	if (h.command < SMB2_COMMAND_COUNT && decoders[h.command]) {
		rc = decoders[h.command](copy, len);
		FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	}
	if (nt_status_is_error(h.status)) {
		rc = d_error(copy, len);
		FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	}
	free(copy);
}

/* Walks a chain smb2_chain_check() accepted, as the reader does. */
static void walk_chain(const uint8_t *frame, size_t len)
{
	size_t off = 0, elen = 0, elements = 0;
	uint64_t session = le64_get(frame + 40);
	bool one_session = true;
	uint32_t next;

	do {
		const uint8_t *elem = frame + off;

		FUZZ_CHECK(off % 8 == 0 && len - off >= SMB2_HEADER_SIZE);
		next = le32_get(elem + 20);
		elen = next ? next : len - off;
		FUZZ_CHECK(elen >= SMB2_HEADER_SIZE && elen <= len - off);
		if (le64_get(elem + 24) != SMB2_UNSOLICITED_MESSAGE_ID &&
		    le64_get(elem + 40) != session)
			one_session = false;
		check_element(elem, elen);
		off += next;
		elements++;
	} while (next);
	/* The elements cover the frame exactly. */
	FUZZ_CHECK(off + elen == len);
	FUZZ_CHECK(elements <= len / SMB2_HEADER_SIZE);
	/*
	 * Decrypted for that session, the chain passes exactly when every
	 * element but unsolicited breaks names it.
	 */
	FUZZ_CHECK((smb2_chain_check(frame, len, true, session) == 0) ==
		   one_session);
}

static void check_frame(const uint8_t *frame, size_t len)
{
	uint64_t session = 0;
	int rc;

	if (le32_get(frame) == SMB2_TRANSFORM_PROTOCOL_ID) {
		/* The reader looks up the key by this session id. */
		rc = smb_transform_session_id(frame, len, &session);
		FUZZ_CHECK(rc == (len >= SMB2_TRANSFORM_HEADER_SIZE ? 0
								    : -EBADMSG));
		FUZZ_CHECK(rc || session == le64_get(frame + 44));
		return;
	}
	rc = smb2_chain_check(frame, len, false, 0);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (!rc)
		walk_chain(frame, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0, len, announced;
	int frames = 0, rc, want;

	while (size - pos >= 4 && frames++ < MAX_FRAMES) {
		const uint8_t *hdr = data + pos;

		rc = smb2_direct_tcp_header_decode(hdr, FRAME_MAX, &len);
		announced = (size_t)hdr[1] << 16 | hdr[2] << 8 | hdr[3];
		if (hdr[0] == 0x85 && announced == 0)
			want = 1;
		else if (hdr[0] || announced < SMB2_HEADER_SIZE ||
			 announced > FRAME_MAX)
			want = -EBADMSG;
		else
			want = 0;
		FUZZ_CHECK(rc == want && len == announced);
		pos += 4;
		if (rc == 1)
			continue; /* keepalive */
		if (rc || len > size - pos)
			break; /* the reader drops the connection / waits */
		hdr = fuzz_copy(data + pos, len);
		check_frame(hdr, len);
		free((void *)hdr);
		pos += len;
	}
	return 0;
}
