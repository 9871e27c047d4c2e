// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB2 CREATE contexts (MS-SMB2 2.2.13.2, 2.2.14.2).
 *
 * Every context is SMB2_CREATE_CONTEXT: Next (4), NameOffset (2),
 * NameLength (2), Reserved (2), DataOffset (2), DataLength (4), then the
 * name and, 8-byte aligned, the data.  Offsets are relative to the start
 * of the context, and Next links 8-byte aligned contexts.
 */
#include <errno.h>
#include <string.h>

#include "smbfs/wire/fscc_info.h"
#include "smbfs/wire/smb2_create_contexts.h"

#define CTX_HEADER_SIZE 16
#define CTX_NAME_LEN	4

static const char *ctx_name(enum smb2_create_ctx_type type)
{
	switch (type) {
	case SMB2_CREATE_CTX_LEASE:
		return "RqLs";
	case SMB2_CREATE_CTX_DURABLE_V1:
		return "DHnQ";
	case SMB2_CREATE_CTX_DURABLE_V1_RECONNECT:
		return "DHnC";
	case SMB2_CREATE_CTX_DURABLE_V2:
		return "DH2Q";
	case SMB2_CREATE_CTX_DURABLE_V2_RECONNECT:
		return "DH2C";
	case SMB2_CREATE_CTX_MXAC:
		return "MxAc";
	case SMB2_CREATE_CTX_QFID:
		return "QFid";
	case SMB2_CREATE_CTX_EA:
		return "ExtA";
	case SMB2_CREATE_CTX_SECD:
		return "SecD";
	}
	return NULL;
}

static void put_fileid(struct smb_wbuf *w, const struct smb2_fileid *f)
{
	wbuf_u64(w, f->persistent);
	wbuf_u64(w, f->volatile_id);
}

/* MS-SMB2 2.2.13.2.8 (v1, 32 bytes) and 2.2.13.2.10 (v2, 52 bytes). */
static int put_lease(struct smb_wbuf *w, const struct smb2_lease *l)
{
	if (l->version != 1 && l->version != 2)
		return -EINVAL;
	wbuf_bytes(w, l->key, SMB2_LEASE_KEY_SIZE);
	wbuf_u32(w, l->state);
	/* LeaseFlags MUST be 0 in a v1 request. */
	wbuf_u32(w, l->version == 1 ? 0 : l->flags);
	wbuf_u64(w, l->duration);
	if (l->version == 2) {
		wbuf_bytes(w, l->parent_key, SMB2_LEASE_KEY_SIZE);
		wbuf_u16(w, l->epoch);
		wbuf_u16(w, 0); /* Reserved */
	}
	return 0;
}

/* Writes the data part of one context. */
static int put_ctx_data(struct smb_wbuf *w, const struct smb2_create_ctx *c)
{
	switch (c->type) {
	case SMB2_CREATE_CTX_LEASE:
		return put_lease(w, &c->u.lease);
	case SMB2_CREATE_CTX_DURABLE_V1:
		wbuf_zero(w, 16); /* 2.2.13.2.3: DurableRequest, reserved */
		return 0;
	case SMB2_CREATE_CTX_DURABLE_V1_RECONNECT:
		put_fileid(w, &c->u.reconnect_fileid); /* 2.2.13.2.4 */
		return 0;
	case SMB2_CREATE_CTX_DURABLE_V2: /* 2.2.13.2.11 */
		wbuf_u32(w, c->u.durable_v2.timeout);
		wbuf_u32(w, c->u.durable_v2.flags);
		wbuf_u64(w, 0); /* Reserved */
		wbuf_bytes(w, c->u.durable_v2.create_guid,
			   SMB2_CREATE_GUID_SIZE);
		return 0;
	case SMB2_CREATE_CTX_DURABLE_V2_RECONNECT: /* 2.2.13.2.12 */
		put_fileid(w, &c->u.durable_v2_reconnect.fileid);
		wbuf_bytes(w, c->u.durable_v2_reconnect.create_guid,
			   SMB2_CREATE_GUID_SIZE);
		wbuf_u32(w, c->u.durable_v2_reconnect.flags);
		return 0;
	case SMB2_CREATE_CTX_MXAC: /* 2.2.13.2.5: optional Timestamp */
		if (c->u.mxac.has_timestamp)
			wbuf_u64(w, c->u.mxac.timestamp);
		return 0;
	case SMB2_CREATE_CTX_QFID: /* 2.2.13.2.9: no data */
		return 0;
	case SMB2_CREATE_CTX_EA:   /* 2.2.13.2.1 */
	case SMB2_CREATE_CTX_SECD: /* 2.2.13.2.2 */
		if (!c->u.raw.data || c->u.raw.len == 0)
			return -EINVAL;
		wbuf_bytes(w, c->u.raw.data, c->u.raw.len);
		return 0;
	}
	return -EINVAL;
}

static int put_ctx(struct smb_wbuf *w, const struct smb2_create_ctx *c,
		   int last)
{
	const char *name = ctx_name(c->type);
	size_t start = w->len, name_end, data_start, data_len;
	int rc;

	if (!name)
		return -EINVAL;
	wbuf_u32(w, 0);		      /* Next, patched below */
	wbuf_u16(w, CTX_HEADER_SIZE); /* NameOffset */
	wbuf_u16(w, CTX_NAME_LEN);    /* NameLength */
	wbuf_u16(w, 0);		      /* Reserved */
	wbuf_u16(w, 0);		      /* DataOffset, patched below */
	wbuf_u32(w, 0);		      /* DataLength, patched below */
	wbuf_bytes(w, name, CTX_NAME_LEN);
	name_end = w->len;
	wbuf_align(w, 8);
	data_start = w->len;
	rc = put_ctx_data(w, c);
	if (rc)
		return rc;
	if (wbuf_error(w))
		return wbuf_error(w);
	data_len = w->len - data_start;
	if (data_len > UINT32_MAX || data_start - start > UINT16_MAX)
		return -EINVAL;
	if (data_len == 0) {
		w->len = name_end; /* no data: no padding, DataOffset 0 */
	} else {
		wbuf_put_u16_at(w, start + 10, (uint16_t)(data_start - start));
		wbuf_put_u32_at(w, start + 12, (uint32_t)data_len);
	}
	if (!last) {
		wbuf_align(w, 8);
		wbuf_put_u32_at(w, start, (uint32_t)(w->len - start));
	}
	return wbuf_error(w);
}

int smb2_create_contexts_encode(struct smb_wbuf *w,
				const struct smb2_create_ctx *ctx, size_t n,
				size_t *chain_off, size_t *chain_len)
{
	size_t i, start;
	int rc;

	if (n && !ctx)
		return -EINVAL;
	wbuf_align(w, 8);
	start = w->len;
	for (i = 0; i < n; i++) {
		rc = put_ctx(w, &ctx[i], i + 1 == n);
		if (rc)
			return rc;
	}
	if (wbuf_error(w))
		return wbuf_error(w);
	if (chain_off)
		*chain_off = start;
	if (chain_len)
		*chain_len = w->len - start;
	return 0;
}

/* MS-SMB2 2.2.14.2.10 (32 bytes) / 2.2.14.2.11 (52 bytes). */
static int get_lease(const uint8_t *d, size_t len, struct smb2_lease *l)
{
	if (len != SMB2_LEASE_V1_SIZE && len != SMB2_LEASE_V2_SIZE)
		return -EBADMSG;
	memset(l, 0, sizeof(*l));
	l->version = len == SMB2_LEASE_V1_SIZE ? 1 : 2;
	memcpy(l->key, d, SMB2_LEASE_KEY_SIZE);
	l->state = le32_get(d + 16);
	l->flags = le32_get(d + 20);
	l->duration = le64_get(d + 24);
	if (l->version == 2) {
		memcpy(l->parent_key, d + 32, SMB2_LEASE_KEY_SIZE);
		l->epoch = le16_get(d + 48);
	}
	return 0;
}

/* Decodes one known context's data; unknown names are ignored. */
static int get_ctx(const uint8_t *name, const uint8_t *d, size_t len,
		   struct smb2_create_ctx_response *out)
{
	if (!memcmp(name, "RqLs", CTX_NAME_LEN)) {
		if (get_lease(d, len, &out->lease))
			return -EBADMSG;
		out->present |= SMB2_CREATE_RSP_LEASE;
	} else if (!memcmp(name, "DHnQ", CTX_NAME_LEN)) {
		/* 2.2.14.2.3: 8 reserved bytes, nothing to read. */
		out->present |= SMB2_CREATE_RSP_DURABLE_V1;
	} else if (!memcmp(name, "DH2Q", CTX_NAME_LEN)) {
		if (len < 8) /* 2.2.14.2.12: Timeout, Flags */
			return -EBADMSG;
		out->durable_v2.timeout = le32_get(d);
		out->durable_v2.flags = le32_get(d + 4);
		out->present |= SMB2_CREATE_RSP_DURABLE_V2;
	} else if (!memcmp(name, "MxAc", CTX_NAME_LEN)) {
		if (len < 8) /* 2.2.14.2.5: QueryStatus, MaximalAccess */
			return -EBADMSG;
		out->mxac.query_status = le32_get(d);
		out->mxac.maximal_access = le32_get(d + 4);
		out->present |= SMB2_CREATE_RSP_MXAC;
	} else if (!memcmp(name, "QFid", CTX_NAME_LEN)) {
		if (len < SMB2_QFID_SIZE) /* 2.2.14.2.9: DiskFileId */
			return -EBADMSG;
		memcpy(out->qfid.raw, d, SMB2_QFID_SIZE);
		out->qfid.disk_file_id = le64_get(d);
		out->qfid.volume_id = le64_get(d + 8);
		out->present |= SMB2_CREATE_RSP_QFID;
	}
	return 0;
}

int smb2_create_contexts_decode(const uint8_t *buf, size_t len,
				struct smb2_create_ctx_response *out)
{
	size_t pos = 0, entry_len;
	uint16_t name_off, name_len, data_off;
	uint32_t data_len;
	const uint8_t *e;
	int more = len > 0;

	memset(out, 0, sizeof(*out));
	while (more) {
		more = fscc_chain_entry(buf, len, pos, CTX_HEADER_SIZE, 8,
					&entry_len);
		if (more < 0)
			return more;
		e = buf + pos;
		name_off = le16_get(e + 4);
		name_len = le16_get(e + 6);
		data_off = le16_get(e + 10);
		data_len = le32_get(e + 12);
		if (bytes_range_check(entry_len, name_off, name_len) ||
		    name_off < CTX_HEADER_SIZE ||
		    (data_len &&
		     (data_off < CTX_HEADER_SIZE ||
		      bytes_range_check(entry_len, data_off, data_len))))
			return -EBADMSG;
		if (name_len == CTX_NAME_LEN &&
		    get_ctx(e + name_off, data_len ? e + data_off : e, data_len,
			    out))
			return -EBADMSG;
		pos += entry_len;
	}
	return 0;
}
