// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CREATE response (MS-SMB2 2.2.14) and its create contexts (2.2.14.2):
 * leases v1/v2, durable handles, maximal access, QFid.
 *
 * Input: a selector byte, then either (even selector) one whole CREATE
 * response message or (odd) a create context chain on its own.
 */
#include "fuzz_common.h"
#include "smbfs/wire/smb2_create.h"

#define KNOWN_CONTEXTS                                                      \
	(SMB2_CREATE_RSP_LEASE | SMB2_CREATE_RSP_DURABLE_V1 |               \
	 SMB2_CREATE_RSP_DURABLE_V2 | SMB2_CREATE_RSP_MXAC |                \
	 SMB2_CREATE_RSP_QFID)

/*
 * A decoded lease, sent back as a create context (the request and
 * response forms share one layout), decodes to itself.  A v1 request
 * carries no flags (MS-SMB2 2.2.13.2.8).
 */
static void check_lease_round_trip(const struct smb2_lease *l)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb2_create_ctx ctx = {.type = SMB2_CREATE_CTX_LEASE};
	struct smb2_create_ctx_response back;
	size_t off = 0, len = 0;

	ctx.u.lease = *l;
	FUZZ_CHECK(smb2_create_contexts_encode(&w, &ctx, 1, &off, &len) == 0);
	FUZZ_CHECK(off == 0 && len == w.len);
	FUZZ_CHECK(smb2_create_contexts_decode(w.data, w.len, &back) == 0);
	FUZZ_CHECK(back.present == SMB2_CREATE_RSP_LEASE);
	FUZZ_CHECK(back.lease.version == l->version);
	FUZZ_CHECK(!memcmp(back.lease.key, l->key, SMB2_LEASE_KEY_SIZE));
	FUZZ_CHECK(back.lease.state == l->state);
	FUZZ_CHECK(back.lease.duration == l->duration);
	FUZZ_CHECK(back.lease.flags == (l->version == 1 ? 0 : l->flags));
	if (l->version == 2) {
		FUZZ_CHECK(!memcmp(back.lease.parent_key, l->parent_key,
				   SMB2_LEASE_KEY_SIZE));
		FUZZ_CHECK(back.lease.epoch == l->epoch);
	}
	wbuf_free(&w);
}

static void check_contexts(const struct smb2_create_ctx_response *c)
{
	FUZZ_CHECK(!(c->present & ~KNOWN_CONTEXTS));
	if (c->present & SMB2_CREATE_RSP_LEASE) {
		FUZZ_CHECK(c->lease.version == 1 || c->lease.version == 2);
		check_lease_round_trip(&c->lease);
	}
	if (c->present & SMB2_CREATE_RSP_QFID)
		FUZZ_CHECK(c->qfid.disk_file_id == le64_get(c->qfid.raw));
}

static void check_chain(const uint8_t *data, size_t size)
{
	uint8_t *chain = fuzz_copy(data, size);
	struct smb2_create_ctx_response c;
	int rc = smb2_create_contexts_decode(chain, size, &c);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (!rc)
		check_contexts(&c);
	free(chain);
}

static void check_response(const uint8_t *data, size_t size)
{
	struct smb2_create_response rsp;
	int rc = smb2_create_response_decode(data, size, &rsp);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return;
	FUZZ_CHECK(size >= SMB2_HEADER_SIZE + 88);
	FUZZ_CHECK(le16_get(data + 64) == SMB2_CREATE_RESPONSE_STRUCTURE_SIZE);
	FUZZ_CHECK(rsp.file_id.persistent == le64_get(data + 64 + 64));
	FUZZ_CHECK(rsp.file_id.volatile_id == le64_get(data + 64 + 72));
	FUZZ_CHECK(rsp.end_of_file == le64_get(data + 64 + 48));
	check_contexts(&rsp.contexts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel = fuzz_take_u8(&data, &size);

	if (sel & 1)
		check_chain(data, size);
	else
		check_response(data, size);
	return 0;
}
