// SPDX-License-Identifier: GPL-2.0-or-later
/* MS-SMB2 2.2.1: the 64-byte SMB2 packet header. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "smbfs/smb2.h"

void smb2_header_encode_at(struct smb_wbuf *w, size_t off,
			   const struct smb2_header *h)
{
	uint8_t *p;

	if (w->err)
		return;
	if (bytes_range_check(w->len, off, SMB2_HEADER_SIZE)) {
		w->err = -EOVERFLOW;
		return;
	}
	p = w->data + off;
	le32_put(p, SMB2_PROTOCOL_ID);
	le16_put(p + 4, SMB2_HEADER_SIZE); /* StructureSize */
	le16_put(p + 6, h->credit_charge);
	le32_put(p + 8, h->status);
	le16_put(p + 12, h->command);
	le16_put(p + 14, h->credit);
	le32_put(p + 16, h->flags);
	le32_put(p + 20, h->next_command);
	le64_put(p + 24, h->message_id);
	if (h->flags & SMB2_FLAGS_ASYNC_COMMAND) {
		le64_put(p + 32, h->async_id);
	} else {
		le32_put(p + 32, h->process_id);
		le32_put(p + 36, h->tree_id);
	}
	le64_put(p + 40, h->session_id);
	memcpy(p + 48, h->signature, 16);
}

void smb2_header_encode(struct smb_wbuf *w, const struct smb2_header *h)
{
	size_t off = w->len;

	wbuf_zero(w, SMB2_HEADER_SIZE);
	smb2_header_encode_at(w, off, h);
}

int smb2_header_decode(const uint8_t *msg, size_t len, struct smb2_header *h)
{
	if (len < SMB2_HEADER_SIZE)
		return -EBADMSG;
	if (le32_get(msg) != SMB2_PROTOCOL_ID ||
	    le16_get(msg + 4) != SMB2_HEADER_SIZE)
		return -EBADMSG;
	memset(h, 0, sizeof(*h));
	h->credit_charge = le16_get(msg + 6);
	h->status = le32_get(msg + 8);
	h->command = le16_get(msg + 12);
	h->credit = le16_get(msg + 14);
	h->flags = le32_get(msg + 16);
	h->next_command = le32_get(msg + 20);
	h->message_id = le64_get(msg + 24);
	if (h->flags & SMB2_FLAGS_ASYNC_COMMAND) {
		h->async_id = le64_get(msg + 32);
	} else {
		h->process_id = le32_get(msg + 32);
		h->tree_id = le32_get(msg + 36);
	}
	h->session_id = le64_get(msg + 40);
	memcpy(h->signature, msg + 48, 16);
	return 0;
}

int smb2_direct_tcp_header_decode(const uint8_t hdr[4], size_t max,
				  size_t *len)
{
	*len = (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	if (hdr[0] == 0x85 && *len == 0)
		return 1;
	if (hdr[0] != 0 || *len < SMB2_HEADER_SIZE || *len > max)
		return -EBADMSG;
	return 0;
}

int smb2_chain_check(const uint8_t *frame, size_t len, bool encrypted,
		     uint64_t session_id)
{
	struct smb2_header h;
	size_t off = 0, remain;

	for (;;) {
		remain = len - off;
		if (smb2_header_decode(frame + off, remain, &h))
			return -EBADMSG;
		if (!(h.flags & SMB2_FLAGS_SERVER_TO_REDIR))
			return -EBADMSG;
		if (encrypted && h.message_id != SMB2_UNSOLICITED_MESSAGE_ID &&
		    h.session_id != session_id)
			return -EBADMSG;
		if (h.next_command == 0)
			return 0;
		if (h.next_command < SMB2_HEADER_SIZE || h.next_command % 8 ||
		    h.next_command > remain - SMB2_HEADER_SIZE)
			return -EBADMSG;
		off += h.next_command;
	}
}

static const char *const command_names[SMB2_COMMAND_COUNT] = {
	"NEGOTIATE",	   "SESSION_SETUP",   "LOGOFF",	    "TREE_CONNECT",
	"TREE_DISCONNECT", "CREATE",	      "CLOSE",	    "FLUSH",
	"READ",		   "WRITE",	      "LOCK",	    "IOCTL",
	"CANCEL",	   "ECHO",	      "QUERY_DIRECTORY", "CHANGE_NOTIFY",
	"QUERY_INFO",	   "SET_INFO",	      "OPLOCK_BREAK",
};

const char *smb2_command_name(uint16_t command)
{
	if (command < SMB2_COMMAND_COUNT)
		return command_names[command];
	return "UNKNOWN";
}

static const struct {
	uint16_t dialect;
	const char *name;
} dialect_names[] = {
	{SMB2_DIALECT_202, "2.0.2"}, {SMB2_DIALECT_210, "2.1"},
	{SMB2_DIALECT_300, "3.0"},   {SMB2_DIALECT_302, "3.0.2"},
	{SMB2_DIALECT_311, "3.1.1"},
};

const char *smb2_dialect_name(uint16_t dialect)
{
	size_t i;

	for (i = 0; i < sizeof(dialect_names) / sizeof(dialect_names[0]); i++)
		if (dialect_names[i].dialect == dialect)
			return dialect_names[i].name;
	return NULL;
}

const char *smb2_cipher_name(uint16_t cipher)
{
	switch (cipher) {
	case SMB2_ENCRYPTION_AES128_CCM:
		return "AES-128-CCM";
	case SMB2_ENCRYPTION_AES128_GCM:
		return "AES-128-GCM";
	case SMB2_ENCRYPTION_AES256_CCM:
		return "AES-256-CCM";
	case SMB2_ENCRYPTION_AES256_GCM:
		return "AES-256-GCM";
	default:
		return "unknown";
	}
}

const char *smb2_signing_algo_name(uint16_t algo)
{
	switch (algo) {
	case SMB2_SIGNING_HMAC_SHA256:
		return "HMAC-SHA256";
	case SMB2_SIGNING_AES_CMAC:
		return "AES-128-CMAC";
	case SMB2_SIGNING_AES_GMAC:
		return "AES-128-GMAC";
	default:
		return "unknown";
	}
}

int smb2_dialect_parse(const char *s, uint16_t *dialect)
{
	size_t i;

	for (i = 0; i < sizeof(dialect_names) / sizeof(dialect_names[0]); i++) {
		if (!strcmp(s, dialect_names[i].name)) {
			*dialect = dialect_names[i].dialect;
			return 0;
		}
	}
	/* mount.cifs spells 2.0.2 as "2.0" and 3.1.1 as "3.11" too. */
	if (!strcmp(s, "2.0")) {
		*dialect = SMB2_DIALECT_202;
		return 0;
	}
	if (!strcmp(s, "3.11")) {
		*dialect = SMB2_DIALECT_311;
		return 0;
	}
	return -EINVAL;
}
