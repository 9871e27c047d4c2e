/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Kerberos mechanism behind struct smb_auth (krb5_gss.c): the same
 * rounds, key and error as smb_auth_step() and friends describe.
 */
#ifndef SMBFS_AUTH_KRB5_MECH_H
#define SMBFS_AUTH_KRB5_MECH_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/auth.h"

struct krb5_mech;

int krb5_mech_new(const struct smb_krb5_creds *creds, struct krb5_mech **out,
		  char *err, size_t errlen);
int krb5_mech_step(struct krb5_mech *k, const uint8_t *in, size_t in_len,
		   uint8_t **out, size_t *out_len);
int krb5_mech_session_key(struct krb5_mech *k, uint8_t key[SMB_AUTH_KEY_MAX],
			  size_t *len);
const char *krb5_mech_error(const struct krb5_mech *k);
void krb5_mech_free(struct krb5_mech *k);

#endif
