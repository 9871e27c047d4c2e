// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cifsacl: the Unix mode and owners of files from their security
 * descriptors, and chmod/chown written back as descriptors, in the
 * layouts unix_meta.c makes (see smbfs-mount(8), "Unix metadata").
 *
 * The descriptor is read in the compound that stats a path, so a stat
 * stays one round trip; the cache keeps the Unix view with the other
 * attributes.  A chmod or chown reads the current descriptor, writes the
 * new one and stats again, so what the mount shows afterwards is what
 * the server kept, not what was asked.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs.h"
#include "unix_meta.h"

static void fs_idmap(struct smbfs *fs, struct unix_meta_idmap *map)
{
	memset(map, 0, sizeof(*map));
	map->fallback_uid = fs->cfg.uid;
	map->fallback_gid = fs->cfg.gid;
	map->self_uid = fs->cfg.uid;
	pthread_mutex_lock(&fs->lock);
	map->have_self = fs->have_self_sid;
	map->self_sid = fs->self_sid;
	pthread_mutex_unlock(&fs->lock);
}

const char *fs_unix_ea(const struct smbfs *fs)
{
	return fs->cfg.sfu ? UNIX_META_SFU_BITS_EA : NULL;
}

static unsigned int fs_unix_flags(const struct smbfs *fs)
{
	return fs->cfg.modefromsid ? UNIX_META_MODE_FROM_SID : 0;
}

static enum unix_meta_acl_style fs_acl_style(const struct smbfs *fs)
{
	return fs->cfg.modefromsid ? UNIX_META_ACL_MODE_SID
				   : UNIX_META_ACL_POSIX;
}

/*
 * sfu: a SYSTEM file small enough to be a FIFO, socket or device is one
 * when its first bytes say so (cifs.ko cifs_sfu_type()); one READ.
 */
static void fs_sfu_type(struct smbfs *fs, const char *path,
			struct smb_stat *st)
{
	uint8_t head[UNIX_META_SFU_HEAD];
	ssize_t n = 0;
	dev_t rdev = 0;
	mode_t type;

	if (!fs->cfg.sfu || (st->attributes & FILE_ATTRIBUTE_DIRECTORY) ||
	    !(st->attributes & FILE_ATTRIBUTE_SYSTEM) ||
	    st->end_of_file > UNIX_META_SFU_HEAD)
		return;
	if (st->end_of_file)
		n = pool_path_read(fs->tree, path, head, sizeof(head), NULL);
	if (n < 0)
		return;
	type = unix_meta_sfu_type(head, (size_t)n, st->end_of_file, &rdev);
	/* sfu symlinks are not followed: mfsymlinks are the symlinks. */
	if (type && type != S_IFLNK) {
		st->unix_mode |= type;
		st->rdev = rdev;
	}
}

void fs_unix_view(void *arg, const char *path, const struct smb_stat_meta *m,
		  struct smb_stat *st)
{
	struct smbfs *fs = arg;
	bool dir = st->attributes & FILE_ATTRIBUTE_DIRECTORY;
	mode_t base = dir ? S_IFDIR | fs->cfg.dir_mode
			  : S_IFREG | fs->cfg.file_mode;
	const struct smb_sd *sd = &m->sd;
	struct unix_meta_idmap map;
	struct unix_meta_attr ua;

	/* No descriptor shown: the mount's defaults, as without cifsacl. */
	fs_idmap(fs, &map);
	if (sd->has_owner || sd->has_group || sd->has_dacl) {
		unix_meta_from_sd(sd, &map, base, fs_unix_flags(fs), &ua);
	} else {
		ua.mode = base;
		ua.uid = fs->cfg.uid;
		ua.gid = fs->cfg.gid;
	}
	if (fs->cfg.sfu)
		ua.mode = unix_meta_sfu_bits_apply(ua.mode, m->ea_value,
						   m->ea_len);
	st->has_unix = true;
	st->unix_mode = ua.mode & 07777;
	st->uid = ua.uid;
	st->gid = ua.gid;
	st->rdev = 0;
	fs_sfu_type(fs, path, st);
}

static void fs_learn_self(struct smbfs *fs, const struct smb_sd *sd)
{
	if (!sd->has_owner)
		return;
	pthread_mutex_lock(&fs->lock);
	if (!fs->have_self_sid) {
		fs->self_sid = sd->owner;
		fs->have_self_sid = true;
	}
	pthread_mutex_unlock(&fs->lock);
}

/* The descriptor that gives a file with old the permission bits of mode. */
static int fs_chmod_sd(struct smbfs *fs, const struct smb_sd *old, mode_t mode,
		       struct smb_sd *out)
{
	if (!old->has_owner || !old->has_group)
		return -EPERM; /* no descriptor to derive one from */
	return unix_meta_chmod_sd(old, mode & 0777, fs_acl_style(fs), out,
				  NULL);
}

/* sfu: setuid, setgid and sticky in the SETFILEBITS EA (an empty value
 * removes it, MS-FSA 2.1.5.15.5). */
static int fs_sfu_set_bits(struct smbfs *fs, const char *path, mode_t mode,
			   bool had)
{
	uint8_t v[4];

	if (!fs->cfg.sfu || (!had && !(mode & UNIX_META_SFU_BITS_MASK)))
		return 0;
	unix_meta_sfu_bits_encode(mode, v);
	return pool_path_set_ea(fs->tree, path, UNIX_META_SFU_BITS_EA, v,
				mode & UNIX_META_SFU_BITS_MASK ? sizeof(v) : 0);
}

/* Writes a new file's descriptor through its handle or by path. */
static int set_new_sd(struct smbfs *fs, struct pool_file *f, const char *path,
		      uint32_t secinfo, const struct smb_sd *sd)
{
	return f ? pool_file_set_sd(f, secinfo, sd)
		 : pool_path_set_sd(fs->tree, path, secinfo, sd, NULL, NULL);
}

/*
 * The descriptor that gives a new file mode and, when it has another
 * one, the mount's group (*group set), as a local file gets its
 * creator's group.  0 with *out empty when nothing is to change.
 */
static int new_file_sd(struct smbfs *fs, const struct smb_sd *old,
		       const struct smb_stat *st, mode_t mode,
		       struct smb_sd *out, bool *group)
{
	struct smb_sd moded = { 0 };
	struct smb_sid sid;
	bool mode_differs = (st->unix_mode & 0777) != (mode & 0777);
	int rc = 0;

	*group = old->has_group && st->gid != fs->cfg.gid;
	if (!mode_differs && !*group)
		return 0;
	rc = fs_chmod_sd(fs, old, mode_differs ? mode : st->unix_mode,
			 &moded);
	if (rc || !*group) {
		*out = moded;
		return rc;
	}
	moded.has_owner = moded.has_group = true;
	moded.owner = old->owner;
	moded.group = old->group;
	unix_meta_id_to_sid(&sid, fs->cfg.idsfromsid, true, fs->cfg.gid);
	rc = unix_meta_chown_sd(&moded, NULL, &sid, out);
	smb_sd_free(&moded);
	return rc;
}

/*
 * The descriptor a new file was left with: its owner, the group it has
 * now and the DACL written (or the server's) - a deep copy in *left.
 */
static int created_left(const struct smb_sd *old, const struct smb_sd *set,
			bool group, struct smb_sd *left)
{
	struct smb_sd now = set->has_dacl ? *set : *old;

	now.has_owner = old->has_owner;
	now.owner = old->owner;
	now.has_group = true;
	now.group = group ? set->group : old->group;
	return unix_meta_chown_sd(&now, NULL, NULL, left);
}

/*
 * A new file: its mode as asked, and the mount's group.  The creator
 * holds WRITE_OWNER on a file it just created; a group the server's
 * account is not in is refused, and then only the mode is written.
 * left (may be NULL) receives the descriptor the file was left with,
 * has_owner false when that is not known for sure.
 */
int fs_unix_created(struct smbfs *fs, struct pool_file *f, const char *path,
		    mode_t mode, struct smb_stat *st, struct smb_sd *left)
{
	struct smb_stat_meta m = { .ea_name = fs_unix_ea(fs) };
	struct smb_sd set = { 0 };
	mode_t type = st->unix_mode & S_IFMT;
	bool group = false, refused = false;
	int rc;

	if (left)
		memset(left, 0, sizeof(*left));
	rc = f ? pool_file_get_sd(f, &m.sd)
	       : pool_path_stat_sd(fs->tree, path, st, &m);
	if (rc < 0)
		return rc;
	fs_learn_self(fs, &m.sd);
	if (f)
		m.ea_len = 0; /* a new file has no EA */
	fs_unix_view(fs, path, &m, st);
	st->unix_mode |= type;
	rc = new_file_sd(fs, &m.sd, st, mode, &set, &group);
	if (!rc && set.has_dacl) {
		rc = set_new_sd(fs, f, path,
				DACL_SECURITY_INFORMATION |
					(group ? GROUP_SECURITY_INFORMATION : 0),
				&set);
		if (rc < 0 && group) {
			group = false;
			refused = true;
			rc = set_new_sd(fs, f, path, DACL_SECURITY_INFORMATION,
					&set);
		}
	}
	if (!rc)
		rc = fs_sfu_set_bits(fs, path, mode, false);
	if (!rc) {
		st->unix_mode = (st->unix_mode & ~(mode_t)07777) |
				(mode & (0777 | (fs->cfg.sfu ? 07000 : 0)));
		if (group)
			st->gid = fs->cfg.gid;
	}
	if (!rc && left && !refused && m.sd.has_owner && m.sd.has_group &&
	    created_left(&m.sd, &set, group, left) < 0)
		memset(left, 0, sizeof(*left));
	smb_sd_free(&set);
	smb_sd_free(&m.sd);
	return rc;
}

static void template_free(struct smb_sd *sd)
{
	if (sd)
		smb_sd_free(sd);
	free(sd);
}

/* dir's template becomes sd (taken over), group: whether it is sent. */
static void template_set(struct smbfs *fs, struct smbfs_inode *dir,
			 enum fs_new_kind kind, struct smb_sd *sd, bool group)
{
	struct smb_sd *old;

	pthread_mutex_lock(&fs->lock);
	old = dir->new_sd[kind];
	dir->new_sd[kind] = sd;
	dir->new_sd_group[kind] = group;
	pthread_mutex_unlock(&fs->lock);
	template_free(old);
}

void fs_unix_forget_template(struct smbfs *fs, struct smbfs_inode *dir,
			     enum fs_new_kind kind)
{
	template_set(fs, dir, kind, NULL, false);
}

bool fs_unix_new_sd_refused(struct smbfs *fs, struct smbfs_inode *dir,
			    enum fs_new_kind kind, int rc)
{
	if (rc != -EACCES && rc != -EPERM && rc != -EINVAL)
		return false;
	fs_unix_forget_template(fs, dir, kind);
	return true;
}

void fs_unix_forget_templates(struct smbfs_inode *in)
{
	template_free(in->new_sd[FS_NEW_FILE]);
	template_free(in->new_sd[FS_NEW_DIR]);
	in->new_sd[FS_NEW_FILE] = in->new_sd[FS_NEW_DIR] = NULL;
}

void fs_unix_apply_created(struct smbfs *fs, struct smbfs_inode *dir,
			   struct pool_file *f, const char *path, mode_t mode,
			   struct smb_stat *st)
{
	struct smb_stat copy = *st;
	struct smb_sd *left = dir ? calloc(1, sizeof(*left)) : NULL;
	enum fs_new_kind kind = st->attributes & FILE_ATTRIBUTE_DIRECTORY
					? FS_NEW_DIR
					: FS_NEW_FILE;
	int rc = fs_unix_created(fs, f, path, mode, &copy, left);

	if (rc < 0) {
		smb_log(SMB_LOG_WARN, "\\%s: cannot set mode %04o: %s", path,
			(unsigned int)(mode & 07777), strerror(-rc));
	} else {
		*st = copy;
		cache_note_stat(fs->cache, path, st);
	}
	if (left && !rc && left->has_owner) {
		template_set(fs, dir, kind, left,
			     copy.gid == fs->cfg.gid && left->has_group);
		return;
	}
	template_free(left);
}

/*
 * cifsacl: a new file's or directory's descriptor goes in its CREATE
 * (MS-SMB2 2.2.13.2.2), so it needs neither the query nor the SET_INFO
 * above.  Samba applies such a descriptor as the creator may.  It is
 * made like chmod makes one, from what the last one of its kind created
 * in the same directory was left with: the same owner (this mount's
 * account), the same group and the same inherited entries, which depend
 * on the directory only.  The first of each kind in a directory takes
 * the long way and teaches the template.  The special bits of sfu live
 * in an EA, and a directory's setgid bit changes what inherits: not for
 * them.
 */
int fs_unix_new_sd(struct smbfs *fs, struct smbfs_inode *dir,
		   enum fs_new_kind kind, mode_t mode, struct smb_sd *sd,
		   struct smb_sd *full)
{
	const struct smb_sd *t;
	struct smb_sd with;
	int rc = 0;

	memset(sd, 0, sizeof(*sd));
	memset(full, 0, sizeof(*full));
	if (!fs->cfg.cifsacl || (mode & 07000))
		return 0;
	pthread_mutex_lock(&fs->lock);
	t = dir->new_sd[kind];
	if (t) {
		rc = unix_meta_chmod_sd(t, mode & 0777, fs_acl_style(fs), sd,
					NULL);
		with = *sd;
		with.has_owner = with.has_group = true;
		with.owner = t->owner;
		with.group = t->group;
		if (!rc)
			rc = unix_meta_chown_sd(&with, NULL, NULL, full);
		if (!rc && dir->new_sd_group[kind]) {
			sd->has_group = true;
			sd->group = with.group;
		}
		rc = rc ? rc : 1;
	}
	pthread_mutex_unlock(&fs->lock);
	if (rc < 0) {
		smb_sd_free(sd);
		smb_sd_free(full);
	}
	return rc;
}

void fs_unix_created_with(struct smbfs *fs, const char *path, mode_t mode,
			  const struct smb_sd *full, struct smb_stat *st)
{
	struct smb_stat_meta m = { .sd = *full };
	mode_t type = st->unix_mode & S_IFMT;

	fs_unix_view(fs, path, &m, st);
	/* What was asked is what the DACL says (fs_unix_created). */
	st->unix_mode = type | (mode & 0777);
}

/*
 * Writes sd and notes what the server made of it, read back in the same
 * compound, in the cache: the getattr that follows a chmod or chown is
 * answered from there.
 */
static int set_and_note(struct smbfs *fs, const char *path, uint32_t secinfo,
			const struct smb_sd *sd)
{
	struct smb_stat_meta m = { .ea_name = fs_unix_ea(fs) };
	struct smb_stat st;
	int rc = pool_path_set_sd(fs->tree, path, secinfo, sd, &st, &m);

	if (rc < 0) {
		cache_forget(fs->cache, path);
		return rc;
	}
	fs_unix_view(fs, path, &m, &st);
	smb_sd_free(&m.sd);
	cache_note_stat(fs->cache, path, &st);
	return 0;
}

/*
 * Samba grants WRITE_OWNER, which a change of owner or group needs, only
 * to an owner with rwx (its GENERIC_ALL).  The owner may always write
 * the DACL: its bits are widened for the change, whose own DACL puts
 * them back; when the change is refused the old DACL goes back.
 */
static int set_sd_widened(struct smbfs *fs, const char *path,
			  const struct smb_sd *old, mode_t cur, uint32_t secinfo,
			  const struct smb_sd *set)
{
	struct smb_sd wide = { 0 };
	int rc;

	rc = fs_chmod_sd(fs, old, cur | 0700, &wide);
	if (!rc)
		rc = pool_path_set_sd(fs->tree, path,
				      DACL_SECURITY_INFORMATION, &wide, NULL,
				      NULL);
	if (!rc) {
		rc = set_and_note(fs, path, secinfo, set);
		if (rc < 0 &&
		    pool_path_set_sd(fs->tree, path,
				     DACL_SECURITY_INFORMATION, old, NULL,
				     NULL) < 0)
			smb_log(SMB_LOG_WARN,
				"\\%s: cannot restore the mode after a "
				"refused chown", path);
	}
	smb_sd_free(&wide);
	return rc;
}

/* Reads path's descriptor, has change() make the new one, writes it. */
static int fs_unix_update(struct smbfs *fs, const char *path, uint32_t secinfo,
			  int (*change)(struct smbfs *fs, const struct smb_sd *,
					const void *, struct smb_sd *),
			  const void *arg, const mode_t *mode)
{
	struct smb_stat_meta m = { .ea_name = fs_unix_ea(fs) };
	struct smb_sd set = { 0 };
	struct smb_stat st;
	int rc = pool_path_stat_sd(fs->tree, path, &st, &m);

	if (rc < 0)
		return rc;
	rc = change(fs, &m.sd, arg, &set);
	fs_unix_view(fs, path, &m, &st);
	/* The EA first: the descriptor's write reads everything back. */
	if (!rc && mode)
		rc = fs_sfu_set_bits(fs, path, *mode, m.ea_len > 0);
	/* An owner without rwx would only be refused: widen at once. */
	if (!rc && (secinfo & (OWNER_SECURITY_INFORMATION |
			       GROUP_SECURITY_INFORMATION)) &&
	    (st.unix_mode & 0700) != 0700)
		rc = set_sd_widened(fs, path, &m.sd, st.unix_mode, secinfo,
				    &set);
	else if (!rc)
		rc = set_and_note(fs, path, secinfo, &set);
	smb_sd_free(&set);
	smb_sd_free(&m.sd);
	return rc;
}

static int change_mode(struct smbfs *fs, const struct smb_sd *old,
		       const void *arg, struct smb_sd *out)
{
	return fs_chmod_sd(fs, old, *(const mode_t *)arg, out);
}

/*
 * A chmod to the mode the file shows changes nothing (cp -a, rsync and
 * tar set the mode a file was just created with).
 */
int fs_unix_chmod(struct smbfs *fs, const char *path, mode_t mode)
{
	mode_t bits = fs->cfg.sfu ? 07777 : 0777;
	struct smb_stat st;

	if (cache_stat(fs->cache, path, &st) == 0 && st.has_unix &&
	    (st.unix_mode & bits) == (mode & bits))
		return 0;
	return fs_unix_update(fs, path, DACL_SECURITY_INFORMATION, change_mode,
			      &mode, &mode);
}

struct chown_ids {
	uid_t uid;
	gid_t gid;
};

/* The SID for uid: the mount's own for cfg.uid once known. */
static void fs_owner_sid(struct smbfs *fs, uid_t uid, struct smb_sid *sid)
{
	pthread_mutex_lock(&fs->lock);
	if (uid == fs->cfg.uid && fs->have_self_sid && !fs->cfg.idsfromsid) {
		*sid = fs->self_sid;
		pthread_mutex_unlock(&fs->lock);
		return;
	}
	pthread_mutex_unlock(&fs->lock);
	unix_meta_id_to_sid(sid, fs->cfg.idsfromsid, false, uid);
}

static int change_owner(struct smbfs *fs, const struct smb_sd *old,
			const void *arg, struct smb_sd *out)
{
	const struct chown_ids *ids = arg;
	struct smb_sid owner, group;

	if (ids->uid != (uid_t)-1)
		fs_owner_sid(fs, ids->uid, &owner);
	if (ids->gid != (gid_t)-1)
		unix_meta_id_to_sid(&group, fs->cfg.idsfromsid, true, ids->gid);
	return unix_meta_chown_sd(old, ids->uid != (uid_t)-1 ? &owner : NULL,
				  ids->gid != (gid_t)-1 ? &group : NULL, out);
}

/*
 * The ids chown(2) changes: those the file shows already are left out,
 * because changing an owner needs WRITE_OWNER, which a file's owner
 * does not have by itself.
 */
static void chown_changes(struct smbfs *fs, const char *path,
			  struct chown_ids *ids)
{
	struct smb_stat st;

	if (cache_stat(fs->cache, path, &st) < 0 || !st.has_unix)
		return;
	if (ids->uid == st.uid)
		ids->uid = (uid_t)-1;
	if (ids->gid == st.gid)
		ids->gid = (gid_t)-1;
}

/*
 * Samba lets only its administrators (root) give a file away, and the
 * owner change a group to one of its own: what the server refuses is
 * EPERM, as chown(2) says, whether it answered ACCESS_DENIED or
 * INVALID_OWNER.
 */
int fs_unix_chown(struct smbfs *fs, const char *path, uid_t uid, gid_t gid)
{
	struct chown_ids ids = { uid, gid };
	uint32_t secinfo = DACL_SECURITY_INFORMATION;
	int rc;

	chown_changes(fs, path, &ids);
	if (ids.uid == (uid_t)-1 && ids.gid == (gid_t)-1)
		return 0;
	if (ids.uid != (uid_t)-1)
		secinfo |= OWNER_SECURITY_INFORMATION;
	if (ids.gid != (gid_t)-1)
		secinfo |= GROUP_SECURITY_INFORMATION;
	rc = fs_unix_update(fs, path, secinfo, change_owner, &ids, NULL);
	return rc == -EACCES ? -EPERM : rc;
}
