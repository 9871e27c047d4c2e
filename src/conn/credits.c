// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 credits and MessageId sequence (MS-SMB2 3.2.4.1.5, 3.2.5.1.4). */
#include "smbfs/credits.h"
#include "smbfs/smb2.h"

void smb_credits_init(struct smb_credits *cr)
{
	/* MS-SMB2 3.2.3: the sequence window starts as {0}, one credit. */
	cr->avail = 1;
	cr->in_flight = 0;
	cr->next_mid = 0;
	cr->dialect = 0;
	cr->multi_credit = false;
}

void smb_credits_set_negotiated(struct smb_credits *cr, uint16_t dialect,
				uint32_t capabilities)
{
	cr->dialect = dialect;
	cr->multi_credit = dialect >= SMB2_DIALECT_210 &&
			   (capabilities & SMB2_GLOBAL_CAP_LARGE_MTU);
}

unsigned int smb_credits_charge(const struct smb_credits *cr,
				uint32_t payload_send, uint32_t payload_recv)
{
	uint32_t payload = payload_send > payload_recv ? payload_send
						       : payload_recv;

	if (!cr->multi_credit || payload == 0)
		return 1;
	/* MS-SMB2 3.1.5.2: one credit per started 64 KiB. */
	return (payload - 1) / 65536 + 1;
}

uint16_t smb_credits_charge_field(const struct smb_credits *cr,
				  uint16_t command, unsigned int charge)
{
	/* NEGOTIATE goes out before the dialect is known (2.2.1.2). */
	if (command == SMB2_NEGOTIATE || cr->dialect == 0 ||
	    cr->dialect == SMB2_DIALECT_202)
		return 0;
	return charge > UINT16_MAX ? UINT16_MAX : (uint16_t)charge;
}

bool smb_credits_take(struct smb_credits *cr, unsigned int charge,
		      uint64_t *message_id, uint16_t *credit_request)
{
	unsigned int total = cr->avail + cr->in_flight;
	unsigned int extra = 0;
	unsigned int request;

	if (charge == 0 || cr->avail < charge)
		return false;
	/*
	 * Held plus in-flight credits is what the server believes the
	 * client has; ask for a step more until that reaches the target.
	 */
	if (total < SMB_CREDITS_TARGET)
		extra = SMB_CREDITS_TARGET - total;
	if (extra > SMB_CREDITS_STEP)
		extra = SMB_CREDITS_STEP;
	request = charge + extra;
	if (request > UINT16_MAX)
		request = UINT16_MAX;

	*message_id = cr->next_mid;
	*credit_request = (uint16_t)request;
	cr->next_mid += charge;
	cr->avail -= charge;
	cr->in_flight += charge;
	return true;
}

void smb_credits_grant(struct smb_credits *cr, uint16_t granted)
{
	if (granted == 0)
		return;
	if (cr->avail + granted > SMB_CREDITS_MAX)
		cr->avail = SMB_CREDITS_MAX;
	else
		cr->avail += granted;
}

void smb_credits_finish(struct smb_credits *cr, unsigned int charge)
{
	cr->in_flight = cr->in_flight > charge ? cr->in_flight - charge : 0;
}
