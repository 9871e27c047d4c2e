// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOCTL response (MS-SMB2 2.2.32) and the FSCTL outputs smbfs decodes:
 * allocated ranges (MS-FSCC 2.3.34), copychunk results and resume keys
 * (MS-SMB2 2.2.32.1, 2.2.32.3), network interfaces (2.2.32.5), DFS
 * referrals (MS-DFSC 2.2.4) and VALIDATE_NEGOTIATE_INFO (2.2.32.6).
 *
 * Input: a selector byte, then data.  Selector (modulo 7) 0: a whole
 * IOCTL response message, whose output goes to the decoder its CtlCode
 * names; 1-6: an output buffer alone for, in order, allocated ranges,
 * copychunk result, resume key, network interfaces, DFS referral,
 * validate negotiate.
 */
#include <netinet/in.h>

#include "fuzz_common.h"
#include "smbfs/wire/smb2_fsctl.h"
#include "smbfs/wire/smb2_ioctl.h"
#include "smbfs/wire/smb2_validate_negotiate.h"

static void check_alloc_ranges(const uint8_t *buf, size_t len)
{
	struct smb2_alloc_range *r = NULL;
	size_t n = 99, i;
	int rc = smb2_fsctl_alloc_ranges_decode(buf, len, &r, &n);

	/* Exactly the 16-byte records the buffer holds, as sent. */
	FUZZ_CHECK(rc == (len % 16 ? -EBADMSG : 0));
	FUZZ_CHECK(n == (rc ? 0 : len / 16) && (n == 0) == (r == NULL));
	for (i = 0; i < n; i++)
		FUZZ_CHECK(r[i].offset == le64_get(buf + 16 * i) &&
			   r[i].length == le64_get(buf + 16 * i + 8));
	free(r);
}

static void check_copychunk(const uint8_t *buf, size_t len)
{
	struct smb2_copychunk_result res;
	uint8_t key[SMB2_RESUME_KEY_SIZE];
	int rc = smb2_fsctl_copychunk_result_decode(buf, len, &res);

	FUZZ_CHECK(rc == (len >= 12 ? 0 : -EBADMSG));
	FUZZ_CHECK(rc || res.total_bytes_written == le32_get(buf + 8));
	rc = smb2_fsctl_resume_key_decode(buf, len, key);
	FUZZ_CHECK(rc == (len >= SMB2_RESUME_KEY_SIZE ? 0 : -EBADMSG));
	FUZZ_CHECK(rc || !memcmp(key, buf, SMB2_RESUME_KEY_SIZE));
}

static void check_ifaces(const uint8_t *buf, size_t len)
{
	struct smb2_net_iface *ifs = NULL;
	size_t n = 99, i;
	int rc = smb2_fsctl_net_ifaces_decode(buf, len, &ifs, &n);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	FUZZ_CHECK((n == 0) == (ifs == NULL));
	/* Every entry is 152 bytes (MS-SMB2 2.2.32.5). */
	FUZZ_CHECK(n * 152 <= len);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(ifs[i].addr.ss_family == AF_INET ||
			   ifs[i].addr.ss_family == AF_INET6);
	free(ifs);
}

static void check_dfs(const uint8_t *buf, size_t len)
{
	struct smb2_dfs_referral_response rsp;
	size_t i;
	int rc = smb2_fsctl_dfs_referral_response_decode(buf, len, &rsp);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -EPROTONOSUPPORT);
	if (rc) {
		FUZZ_CHECK(rsp.count == 0 && rsp.referrals == NULL);
		return;
	}
	FUZZ_CHECK(rsp.count == le16_get(buf + 2));
	for (i = 0; i < rsp.count; i++) {
		const struct smb2_dfs_referral *r = &rsp.referrals[i];

		FUZZ_CHECK(r->version >= 2 && r->version <= 4);
		FUZZ_CHECK(fuzz_utf8_valid(r->path));
		FUZZ_CHECK(!r->network_address ||
			   fuzz_utf8_valid(r->network_address));
		/* Only a name list may lack the address. */
		FUZZ_CHECK(r->network_address ||
			   (r->entry_flags & DFS_NAME_LIST_REFERRAL));
	}
	smb2_fsctl_dfs_referral_response_free(&rsp);
}

static void check_validate(const uint8_t *buf, size_t len)
{
	struct smb2_validate_negotiate_response v;
	struct smb2_negotiate_response neg;
	int rc = smb2_validate_negotiate_response_decode(buf, len, &v);

	FUZZ_CHECK(rc == (len >= SMB2_VALIDATE_NEGOTIATE_RESPONSE_SIZE
				  ? 0
				  : -EBADMSG));
	if (rc)
		return;
	/* The check passes exactly when every field matches. */
	memset(&neg, 0, sizeof(neg));
	neg.capabilities = v.capabilities;
	memcpy(neg.server_guid, v.guid, SMB2_GUID_SIZE);
	neg.security_mode = v.security_mode;
	neg.dialect = v.dialect;
	FUZZ_CHECK(smb2_validate_negotiate_check(&v, &neg) == 0);
	neg.dialect ^= 1;
	FUZZ_CHECK(smb2_validate_negotiate_check(&v, &neg) == -EACCES);
}

static void check_output(int sel, const uint8_t *data, size_t size)
{
	uint8_t *buf = fuzz_copy(data, size);

	switch (sel) {
	case 1:
		check_alloc_ranges(buf, size);
		break;
	case 2:
	case 3:
		check_copychunk(buf, size);
		break;
	case 4:
		check_ifaces(buf, size);
		break;
	case 5:
		check_dfs(buf, size);
		break;
	default:
		check_validate(buf, size);
	}
	free(buf);
}

static int output_kind(uint32_t ctl_code)
{
	switch (ctl_code) {
	case FSCTL_QUERY_ALLOCATED_RANGES:
		return 1;
	case FSCTL_SRV_COPYCHUNK:
	case FSCTL_SRV_COPYCHUNK_WRITE:
	case FSCTL_SRV_REQUEST_RESUME_KEY:
		return 2;
	case FSCTL_QUERY_NETWORK_INTERFACE_INFO:
		return 4;
	case FSCTL_DFS_GET_REFERRALS:
	case FSCTL_DFS_GET_REFERRALS_EX:
		return 5;
	default:
		return 6;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel = fuzz_take_u8(&data, &size) % 7;
	struct smb2_ioctl_response rsp;
	int rc;

	if (sel) {
		check_output(sel, data, size);
		return 0;
	}
	rc = smb2_ioctl_response_decode(data, size, &rsp);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return 0;
	FUZZ_CHECK(fuzz_inside(data, size, rsp.input, rsp.input_len));
	FUZZ_CHECK(fuzz_inside(data, size, rsp.output, rsp.output_len));
	FUZZ_CHECK(!rsp.output || rsp.output >= data + 112);
	FUZZ_CHECK(!rsp.input || rsp.input >= data + 112);
	FUZZ_CHECK(rsp.ctl_code == le32_get(data + 68));
	check_output(output_kind(rsp.ctl_code), rsp.output, rsp.output_len);
	return 0;
}
