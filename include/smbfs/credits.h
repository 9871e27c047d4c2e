/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2 credit accounting (MS-SMB2 3.2.4.1.5, 3.2.5.1.4), without any
 * locking: struct smb_conn keeps one of these under its mutex.
 *
 * A credit lets the client use one MessageId.  The client starts with
 * one credit (for NEGOTIATE, MessageId 0), every response element
 * grants CreditResponse more, and every request consumes CreditCharge
 * credits together with as many consecutive MessageIds.
 */
#ifndef SMBFS_CREDITS_H
#define SMBFS_CREDITS_H

#include <stdbool.h>
#include <stdint.h>

/* Credits the client tries to keep outstanding (held + in flight). */
#define SMB_CREDITS_TARGET 512
/* Most extra credits asked for in one request, so the total ramps up. */
#define SMB_CREDITS_STEP 64
/* Sanity cap on held credits: a server granting more is ignored. */
#define SMB_CREDITS_MAX 65535u

struct smb_credits {
	unsigned int avail; /* credits the client holds */
	unsigned int in_flight; /* charged to requests awaiting a response */
	uint64_t next_mid; /* next unused MessageId */
	uint16_t dialect; /* 0 until NEGOTIATE finished */
	bool multi_credit; /* Connection.SupportsMultiCredit */
};

/* One credit, MessageId 0, not negotiated. */
void smb_credits_init(struct smb_credits *cr);

/* MS-SMB2 3.2.5.2: multi-credit needs dialect 2.1+ and LARGE_MTU. */
void smb_credits_set_negotiated(struct smb_credits *cr, uint16_t dialect,
				uint32_t capabilities);

/*
 * Credits a request consumes (>= 1): MS-SMB2 3.1.5.2,
 * (max(send, recv) - 1) / 65536 + 1 when multi-credit, else 1.
 */
unsigned int smb_credits_charge(const struct smb_credits *cr,
				uint32_t payload_send, uint32_t payload_recv);

/*
 * The CreditCharge header field for a request that consumes charge
 * credits: 0 for NEGOTIATE and for 2.0.2 (where the field is
 * reserved), else charge.
 */
uint16_t smb_credits_charge_field(const struct smb_credits *cr,
				  uint16_t command, unsigned int charge);

/*
 * Consumes charge credits and MessageIds when the client holds enough:
 * stores the first MessageId and the CreditRequest to send (charge plus
 * a step towards SMB_CREDITS_TARGET, never 0, at most 65535) and
 * returns true.  Returns false and changes nothing otherwise.
 */
bool smb_credits_take(struct smb_credits *cr, unsigned int charge,
		      uint64_t *message_id, uint16_t *credit_request);

/* Adds the CreditResponse of one response element. */
void smb_credits_grant(struct smb_credits *cr, uint16_t granted);

/* A request charged charge credits got its final response (or gave up). */
void smb_credits_finish(struct smb_credits *cr, unsigned int charge);

#endif
