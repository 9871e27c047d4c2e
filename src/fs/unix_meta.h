/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unix owners, modes and special files on SMB shares without POSIX
 * extensions, stored the way the Linux kernel client (cifs.ko) stores
 * them so that both clients see the same thing:
 *
 *   cifsacl      mode and owners from the security descriptor: owner,
 *                group and Everyone ACEs carry the rwx bits
 *   modefromsid  the whole mode in an ACE for S-1-5-88-3-<mode>
 *   idsfromsid   owner S-1-5-88-1-<uid>, group S-1-5-88-2-<gid>
 *   sfu          FIFOs, sockets, devices and symlinks as small files
 *                with the SYSTEM attribute (Interix / Services for
 *                Unix), setuid/setgid/sticky in the EA "SETFILEBITS"
 *
 * Pure functions over decoded security descriptors (smbfs/wire/
 * security_desc.h) and file contents: no FUSE, no network.
 */
#ifndef SMBFS_FS_UNIX_META_H
#define SMBFS_FS_UNIX_META_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "smbfs/bytes.h"
#include "smbfs/client.h" /* struct smb_sd: security descriptors */

/* --- SIDs --- */

enum unix_meta_sid_kind {
	UNIX_META_SID_EVERYONE,	  /* S-1-1-0 */
	UNIX_META_SID_AUTH_USERS, /* S-1-5-11, Authenticated Users */
	UNIX_META_SID_UNIX_USER,  /* S-1-22-1-<uid>, Samba's unmapped user */
	UNIX_META_SID_UNIX_GROUP, /* S-1-22-2-<gid>, Samba's unmapped group */
	UNIX_META_SID_NFS_USER,	  /* S-1-5-88-1-<uid> */
	UNIX_META_SID_NFS_GROUP,  /* S-1-5-88-2-<gid> */
	UNIX_META_SID_NFS_MODE,	  /* S-1-5-88-3-<mode> */
};

/* The SID of that kind; id is the last sub-authority where there is one. */
void unix_meta_sid(struct smb_sid *sid, enum unix_meta_sid_kind kind,
		   uint32_t id);
/* True when sid is of that kind; *id (may be NULL) gets its number. */
bool unix_meta_sid_is(const struct smb_sid *sid, enum unix_meta_sid_kind kind,
		      uint32_t *id);

/* --- owners --- */

struct unix_meta_idmap {
	uid_t fallback_uid; /* for SIDs nothing below maps */
	gid_t fallback_gid;
	/*
	 * The mount's own user, when known: the owner SID of a file the
	 * session created (Samba answers with the passdb SID
	 * S-1-5-21-...-<rid> for users in its passdb, which cannot be
	 * mapped without an RPC lookup).
	 */
	bool have_self;
	struct smb_sid self_sid;
	uid_t self_uid;
	/* Optional: other SIDs; 0 and *id when mapped, else -ENOENT. */
	int (*lookup)(void *arg, const struct smb_sid *sid, bool group,
		      uint32_t *id);
	void *lookup_arg;
};

/*
 * The uid (group false) or gid a SID stands for: S-1-22-1-N and
 * S-1-5-88-1-N are uid N, S-1-22-2-N and S-1-5-88-2-N gid N (as cifs.ko's
 * is_well_known_sid() with idsfromsid), then the mount's own SID, then
 * the lookup.  Returns true when mapped; false and the fallback id
 * otherwise.  N = 4294967295 (an invalid id) is never mapped.
 */
bool unix_meta_sid_to_id(const struct unix_meta_idmap *map,
			 const struct smb_sid *sid, bool group, uint32_t *id);

/* --- modes from descriptors --- */

/* modefromsid: an S-1-5-88-3-<mode> ACE decides all of 07777. */
#define UNIX_META_MODE_FROM_SID 0x1u
/*
 * cifs.ko's sticky rule: FILE_DELETE_CHILD on the owner ACE sets S_ISVTX,
 * on a group or Everyone ACE clears it.  Samba grants DELETE_CHILD with
 * every rwx ACE, so on Samba this marks files and directories whose owner
 * has rwx (and group and other do not) as sticky.
 */
#define UNIX_META_STICKY_FROM_ACL 0x2u

/*
 * The mode cifs.ko (parse_dacl) reads from sd.  base supplies the file
 * type and the special bits, and is the answer when sd has no DACL.  The
 * rwx bits come from the ACCESS ALLOWED / DENIED ACEs for the owner SID
 * (user bits), the group SID (group bits), Everyone and Authenticated
 * Users (other bits), in order: a bit denied before it is allowed stays
 * clear.  A class gets r for GENERIC_READ or all of FILE_READ_DATA,
 * FILE_READ_EA and FILE_READ_ATTRIBUTES; w for GENERIC_WRITE or all of
 * FILE_WRITE_DATA, FILE_APPEND_DATA, FILE_WRITE_EA and
 * FILE_WRITE_ATTRIBUTES; x for GENERIC_EXECUTE or FILE_EXECUTE; rwx for
 * GENERIC_ALL.  An ACE for both owner and group counts for the owner.
 * Like cifs.ko, inherit-only ACEs count too.
 */
mode_t unix_meta_mode_from_sd(const struct smb_sd *sd, mode_t base,
			      unsigned int flags);

struct unix_meta_attr {
	uid_t uid;
	gid_t gid;
	mode_t mode;
	bool uid_mapped, gid_mapped; /* false: the fallback id */
};

/* Owner, group and mode of sd together (see the two functions above). */
void unix_meta_from_sd(const struct smb_sd *sd,
		       const struct unix_meta_idmap *map, mode_t base,
		       unsigned int flags, struct unix_meta_attr *out);

/* --- descriptors from modes --- */

enum unix_meta_acl_style {
	/*
	 * Byte for byte what cifs.ko (cifsacl) writes: DENY ACEs where the
	 * owner or group has fewer rights than a later class, ALLOW ACEs
	 * with cifs.ko's SET_FILE_*_RIGHTS masks.  Samba maps those masks
	 * to other modes (FILE_WRITE_EA in the read mask reads as w, the
	 * execute mask as rwx) and ignores a DACL whose DENY follows an
	 * ALLOW: for servers that must match cifs.ko exactly.
	 */
	UNIX_META_ACL_CIFS,
	/*
	 * ALLOW ACEs for owner, group and Everyone only, with the masks
	 * Samba itself reports for r, w and x (0x120089, 0x116, 0x20), which
	 * Samba maps back one to one and cifs.ko reads as the same mode.
	 * FILE_DELETE_CHILD as cifs.ko places it: on the owner ACE, and on
	 * group and Everyone unless S_ISVTX is set (Samba ignores it).
	 */
	UNIX_META_ACL_POSIX,
	/*
	 * modefromsid: ACCESS DENIED, mask 0, for S-1-5-88-3-<mode & 07777>
	 * and ACCESS ALLOWED GENERIC_ALL for Authenticated Users.  Samba
	 * ignores (with success) any DACL holding an S-1-5-88 SID.
	 */
	UNIX_META_ACL_MODE_SID,
};

/*
 * The DACL chmod(2) writes, as cifs.ko's set_chmod_dacl(): the ACEs of
 * old (may be NULL) are kept, except those for owner, group, Everyone,
 * Authenticated Users and S-1-5-88-3-*, and the new ACEs go before the
 * first inherited ACE (or at the end).  When owner and group are one
 * SID, each class keeps only the bits both have (cifs.ko does the
 * same).  *stored (may be NULL) receives the mode the new ACEs stand
 * for.  Returns 0, -ENOMEM or -E2BIG.
 */
int unix_meta_chmod_dacl(const struct smb_acl *old, const struct smb_sid *owner,
			 const struct smb_sid *group, mode_t mode,
			 enum unix_meta_acl_style style, struct smb_acl *out,
			 mode_t *stored);

/*
 * The descriptor to send with DACL_SECURITY_INFORMATION for chmod(2):
 * old's control word (without SACL_PRESENT) and the DACL above, no
 * owner, group or SACL.  old must carry owner and group (-EINVAL).
 */
int unix_meta_chmod_sd(const struct smb_sd *old, mode_t mode,
		       enum unix_meta_acl_style style, struct smb_sd *out,
		       mode_t *stored);

/*
 * chown(2) as cifs.ko does it: new owner and/or group SIDs (NULL: keep),
 * and every ACE of the old owner or group renamed to the new one.  Send
 * with OWNER (and/or GROUP) and DACL_SECURITY_INFORMATION.  Samba lets
 * only root-mapped users change owners, and refuses S-1-5-88 owner SIDs
 * with STATUS_INVALID_OWNER.
 */
int unix_meta_chown_sd(const struct smb_sd *old,
		       const struct smb_sid *new_owner,
		       const struct smb_sid *new_group, struct smb_sd *out);

/* The SID chown(2) names: S-1-22-x (Samba) or S-1-5-88-x (idsfromsid). */
void unix_meta_id_to_sid(struct smb_sid *sid, bool nfs_style, bool group,
			 uint32_t id);

/*
 * The descriptor cifs.ko puts in the SecD create context with
 * modefromsid and/or idsfromsid (smb2pdu.c create_sd_buf()): owner
 * S-1-5-88-1-<uid> and group S-1-5-88-2-<gid> with ids; a DACL of
 * DENY S-1-5-88-3-<mode> (mask 0), with ids ALLOW S-1-5-88-1-<uid>
 * GENERIC_ALL, and ALLOW Authenticated Users GENERIC_ALL.  (cifs.ko puts
 * the caller's gid in that S-1-5-88-1 ACE; this uses the uid.)  Samba
 * creates the file but ignores the whole descriptor.
 */
int unix_meta_create_sd(mode_t mode, bool ids, uid_t uid, gid_t gid,
			struct smb_sd *out);

/* --- sfu --- */

/* Bytes of a SYSTEM file that tell its sfu type (not the link target). */
#define UNIX_META_SFU_HEAD 24
/* Longest sfu symlink target accepted, in UTF-16 code units. */
#define UNIX_META_SFU_LINK_MAX 4095

/*
 * The sfu type of a file with FILE_ATTRIBUTE_SYSTEM, from its size and
 * its first min(size, UNIX_META_SFU_HEAD) bytes (cifs.ko cifs_sfu_type()):
 *   size 0                          FIFO
 *   size 1, the byte 0              socket
 *   "IntxCHR\0" / "IntxBLK\0"       character / block device; with 24
 *                                   bytes, major and minor as le64
 *   "IntxLNK\1"                     symlink (target: the rest, UTF-16LE)
 *   "LnxFIFO\0" / "LnxSOCK\0"       FIFO / socket (cifs.ko before 6.12)
 * Returns the S_IF* type and fills *rdev for devices, or 0 when the
 * file is an ordinary file.
 */
mode_t unix_meta_sfu_type(const uint8_t *head, size_t len, uint64_t size,
			  dev_t *rdev);
/*
 * The target of an sfu symlink from the whole file: "IntxLNK\1" then a
 * non-empty UTF-16LE target without NUL.  Returns 0 and a malloc'd
 * UTF-8 *target, -EINVAL when the file is no sfu symlink, -EILSEQ,
 * -ENAMETOOLONG or -ENOMEM.
 */
int unix_meta_sfu_link_target(const uint8_t *buf, size_t len, char **target);
/*
 * Appends the content for a new special file of type S_IFCHR, S_IFBLK,
 * S_IFIFO, S_IFSOCK or S_IFLNK (target for links only) as cifs.ko 6.12+
 * writes it; the file must be created with FILE_ATTRIBUTE_SYSTEM.
 * Returns 0, -EINVAL, -EILSEQ, -ENAMETOOLONG or the buffer's error.
 */
int unix_meta_sfu_encode(struct smb_wbuf *w, mode_t type, dev_t rdev,
			 const char *target);

/* EA holding setuid/setgid/sticky for sfu: a little-endian u32. */
#define UNIX_META_SFU_BITS_EA	"SETFILEBITS"
#define UNIX_META_SFU_BITS_MASK (S_ISUID | S_ISGID | S_ISVTX)
/*
 * mode with its setuid/setgid/sticky bits replaced by the EA value's
 * (cifs.ko cifs_sfu_mode(); values shorter than 4 bytes change nothing).
 */
mode_t unix_meta_sfu_bits_apply(mode_t mode, const uint8_t *value, size_t len);
/* The 4-byte EA value for mode (cifs.ko reads it but never writes it). */
void unix_meta_sfu_bits_encode(mode_t mode, uint8_t value[4]);

#endif
