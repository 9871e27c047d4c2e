// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE: directories (opendir, readdir, readdirplus, releasedir, fsyncdir,
 * mkdir, rmdir).
 *
 * opendir reads the whole listing into a snapshot (and so does every
 * later readdir at offset 0, i.e. after rewinddir); readdir serves
 * entries from it by index.  The FUSE offset of an entry is its index
 * + 1, so a reply cut short by a full buffer resumes exactly where it
 * stopped, and entries created or deleted between two calls cannot shift
 * the listing under the reader.
 *
 * The SMB directory handle lives only while a listing is read.  Samba,
 * like Windows, refuses to rename a directory while any handle below it
 * is open (STATUS_ACCESS_DENIED), so a handle kept from opendir to
 * releasedir would make "mv a b" fail whenever a program such as find
 * has a subdirectory of a open.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs.h"
#include "unix_meta.h"

/* The d_ino for an entry whose inode number is not known yet. */
#define DIR_UNKNOWN_INO 0xffffffffu

/*
 * cifsacl: a readdirplus reply waits for the stats (with descriptor) of
 * at most PLUS_FETCH_MAX of its entries, sent together (cache_stat_many
 * has 128 in flight): some 16 round trips, or what the server takes for
 * them, before the first entries reach the reader; the rest of a larger
 * listing goes in later replies.  A reply of fewer entries (a kernel
 * with a one-page buffer sends some 25 a time) fetches those up to
 * PLUS_FETCH_AHEAD from its first as well, so that the following
 * replies find them in the cache.
 */
#define PLUS_FETCH_MAX	 2048
#define PLUS_FETCH_AHEAD 512

struct dir_entry {
	char *name; /* Linux name */
	struct smb_stat st;
	bool fetched; /* its stat was asked for once (cifsacl) */
};

struct dir_handle {
	/*
	 * First, so code that treats fi->fh as a handle finds the inode;
	 * it has no open SMB handle (file is NULL, see above).
	 */
	struct smbfs_handle h;
	pthread_mutex_t lock;	/* the snapshot */
	struct dir_entry *ents; /* ".", ".." then the server's entries */
	size_t n, cap;
	bool fresh; /* loaded by opendir, not served yet */
};

static void snapshot_free(struct dir_handle *dh)
{
	size_t i;

	for (i = 0; i < dh->n; i++)
		free(dh->ents[i].name);
	free(dh->ents);
	dh->ents = NULL;
	dh->n = dh->cap = 0;
}

/* Takes ownership of name. */
static int snapshot_add(struct dir_handle *dh, char *name,
			const struct smb_stat *st)
{
	if (dh->n == dh->cap) {
		size_t cap = dh->cap ? dh->cap * 2 : 64;
		struct dir_entry *e = realloc(dh->ents, cap * sizeof(*e));

		if (!e) {
			free(name);
			return -ENOMEM;
		}
		dh->ents = e;
		dh->cap = cap;
	}
	dh->ents[dh->n].name = name;
	dh->ents[dh->n].st = *st;
	dh->ents[dh->n].fetched = false;
	dh->n++;
	return 0;
}

/* Adds a server entry under its Linux name; takes ownership of none. */
static int snapshot_add_entry(struct smbfs *fs, struct dir_handle *dh,
			      const struct smb_dir_entry *e,
			      const char *dir_path)
{
	char *name = NULL;
	int rc = name_from_smb(e->name, fs->cfg.mapposix, &name);

	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		smb_log(SMB_LOG_WARN,
			"skipping \"%s\" in \"\\%s\": not a valid Linux name",
			e->name, dir_path);
		return 0;
	}
	/* Files renamed away while open (see ops_ns.c) stay out. */
	if (!strncmp(name, HIDDEN_PREFIX, strlen(HIDDEN_PREFIX))) {
		free(name);
		return 0;
	}
	return snapshot_add(dh, name, &e->st);
}

/* Starts a snapshot with our own "." and ".." (the server's are skipped). */
static int snapshot_add_dots(struct dir_handle *dh)
{
	struct smb_stat dot = { .attributes = FILE_ATTRIBUTE_DIRECTORY };
	char *n1 = strdup("."), *n2 = strdup("..");
	int rc;

	if (!n1 || !n2) {
		free(n1);
		free(n2);
		return -ENOMEM;
	}
	rc = snapshot_add(dh, n1, &dot);
	if (rc < 0) {
		free(n2);
		return rc;
	}
	return snapshot_add(dh, n2, &dot);
}

/*
 * Reads the whole listing into a fresh snapshot (dh->lock held).  The
 * listing's memory is ours once the pool returned it.
 */
static int snapshot_load(struct smbfs *fs, struct smbfs_inode *dir,
			 struct dir_handle *dh)
{
	struct smb_dir_listing l = { 0 };
	char *path = inode_smb_path(fs, dir);
	size_t i;
	int rc;

	snapshot_free(dh);
	if (!path)
		return -errno;
	rc = snapshot_add_dots(dh);
	if (!rc)
		rc = cache_list(fs->cache, path, &l);
	if (!rc && l.skipped)
		smb_log(SMB_LOG_WARN,
			"skipped %u names in \"\\%s\" that are not valid "
			"UTF-16",
			l.skipped, path);
	for (i = 0; i < l.n; i++) {
		if (!rc)
			rc = snapshot_add_entry(fs, dh, &l.v[i], path);
		free(l.v[i].name);
	}
	free(l.v);
	free(path);
	if (rc < 0)
		snapshot_free(dh);
	return rc;
}

void smbfs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	struct dir_handle *dh;
	int rc;

	if (!in)
		return;
	dh = calloc(1, sizeof(*dh));
	if (!dh || pthread_mutex_init(&dh->lock, NULL)) {
		free(dh);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* Reading the listing now also reports ENOENT/ENOTDIR/EACCES. */
	rc = snapshot_load(fs, in, dh);
	if (rc < 0) {
		pthread_mutex_destroy(&dh->lock);
		free(dh);
		fs_reply_err(req, rc);
		return;
	}
	dh->h.fs = fs;
	dh->h.inode = in;
	dh->h.flags = fi->flags;
	dh->fresh = true;
	inode_open_get(fs, in);
	fi->fh = (uintptr_t)dh;
	fs_handle_publish(&dh->h);
	if (fuse_reply_open(req, fi) < 0) {
		/* Interrupted: the kernel will never release this handle. */
		inode_open_put(fs, in);
		snapshot_free(dh);
		pthread_mutex_destroy(&dh->lock);
		free(dh);
	}
}

void smbfs_op_releasedir(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_file_info *fi)
{
	struct smbfs *fs = fs_begin(req);
	struct dir_handle *dh = (struct dir_handle *)fs_handle_from_fi(fi);

	(void)ino;
	inode_open_put(fs, dh->h.inode);
	snapshot_free(dh);
	pthread_mutex_destroy(&dh->lock);
	free(dh);
	fuse_reply_err(req, 0);
}

void smbfs_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		       struct fuse_file_info *fi)
{
	/* Directory changes are synchronous on the server. */
	(void)ino;
	(void)datasync;
	(void)fi;
	fuse_reply_err(req, 0);
}

/*
 * The inode number readdir reports: the server's id mapped the way a
 * lookup maps it, else "unknown" (noserverino, or an id the table
 * cannot use; a lookup assigns the number).  The table is not consulted:
 * without a reference an inode found there may be freed at any time.
 */
static fuse_ino_t entry_ino(struct smbfs *fs, const struct dir_entry *e)
{
	uint64_t id = e->st.file_id;

	if (!fs->cfg.serverino || !id)
		return DIR_UNKNOWN_INO;
	if (id == fs->root->server_id)
		return FUSE_ROOT_ID;
	/* Ids that would collide with local numbers get new ones. */
	if (id == FUSE_ROOT_ID || id >= (1ull << 62))
		return DIR_UNKNOWN_INO;
	return id;
}

static fuse_ino_t dotdot_ino(struct smbfs *fs, struct smbfs_inode *dir)
{
	fuse_ino_t ino;

	pthread_mutex_lock(&fs->lock);
	ino = dir->parent ? dir->parent->ino : FUSE_ROOT_ID;
	pthread_mutex_unlock(&fs->lock);
	return ino;
}

/* A 1067-byte file may be an mfsymlink: only a read can tell. */
static bool maybe_mfsymlink(struct smbfs *fs, const struct dir_entry *e)
{
	return fs->cfg.mfsymlinks &&
	       !(e->st.attributes & FILE_ATTRIBUTE_DIRECTORY) &&
	       e->st.end_of_file == MFSYMLINK_SIZE;
}

static mode_t entry_type(struct smbfs *fs, const struct dir_entry *e)
{
	if (e->st.attributes & FILE_ATTRIBUTE_DIRECTORY)
		return S_IFDIR;
	/* DT_UNKNOWN: the reader asks with lstat, which reads the file. */
	return maybe_mfsymlink(fs, e) ? 0 : S_IFREG;
}

/*
 * Serves entries from index off into a reply buffer of size bytes.
 * Called with dh->lock held; releases it before replying: once the
 * reply is out the program may close the directory, and releasedir
 * frees dh on another thread.
 */
static void readdir_fill(fuse_req_t req, struct smbfs *fs,
			 struct smbfs_inode *dir, struct dir_handle *dh,
			 size_t size, size_t off)
{
	char *buf = malloc(size ? size : 1);
	size_t used = 0, i;

	if (!buf) {
		pthread_mutex_unlock(&dh->lock);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (i = off; i < dh->n; i++) {
		const struct dir_entry *e = &dh->ents[i];
		struct stat st = { .st_mode = entry_type(fs, e) };
		size_t len;

		if (i == 0)
			st.st_ino = dir->ino;
		else if (i == 1)
			st.st_ino = dotdot_ino(fs, dir);
		else
			st.st_ino = entry_ino(fs, e);
		len = fuse_add_direntry(req, buf + used, size - used, e->name,
					&st, (off_t)(i + 1));
		if (len > size - used)
			break;
		used += len;
	}
	pthread_mutex_unlock(&dh->lock);
	fuse_reply_buf(req, buf, used);
	free(buf);
}

/*
 * Reloads the snapshot at offset 0 (rewinddir), except for the first
 * call after opendir; returns with dh->lock held on success.
 */
static struct dir_handle *dir_prepare(fuse_req_t req, struct smbfs *fs,
				      struct smbfs_inode *dir,
				      struct fuse_file_info *fi, off_t off)
{
	struct dir_handle *dh = (struct dir_handle *)fs_handle_from_fi(fi);
	int rc;

	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return NULL;
	}
	pthread_mutex_lock(&dh->lock);
	if (off == 0 && !dh->fresh) {
		rc = snapshot_load(fs, dir, dh);
		if (rc < 0) {
			pthread_mutex_unlock(&dh->lock);
			fs_reply_err(req, rc);
			return NULL;
		}
	}
	dh->fresh = false;
	return dh;
}

static void readdirplus_fill(fuse_req_t req, struct smbfs *fs,
			     struct smbfs_inode *dir, struct dir_handle *dh,
			     size_t size, size_t off);

/* READDIR and READDIRPLUS: the listing of the handle from offset off. */
static void dir_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi, bool plus)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *dir = fs_inode_or_reply(req, ino);
	struct dir_handle *dh;

	if (!dir)
		return;
	dh = dir_prepare(req, fs, dir, fi, off);
	if (!dh)
		return;
	if (plus)
		readdirplus_fill(req, fs, dir, dh, size, (size_t)off);
	else
		readdir_fill(req, fs, dir, dh, size, (size_t)off);
}

void smbfs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	dir_read(req, ino, size, off, fi, false);
}

/* Brings an inode's mfsymlink state in line with a listing entry. */
static void plus_check_symlink(struct smbfs *fs, struct smbfs_inode *in,
			       const struct dir_entry *e)
{
	char *path = NULL, *target = NULL;
	size_t len = 0;

	if (maybe_mfsymlink(fs, e)) {
		path = inode_smb_path(fs, in);
		if (path && mfsymlink_read(fs, path, &target) == 0)
			len = strlen(target);
		free(target);
		free(path);
	}
	pthread_mutex_lock(&fs->lock);
	in->symlink_target_len = len;
	pthread_mutex_unlock(&fs->lock);
}

/* Inodes given to the kernel in one readdirplus reply. */
struct plus_refs {
	struct smbfs_inode **v;
	size_t n, cap;
};

static int plus_refs_add(struct plus_refs *r, struct smbfs_inode *in)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct smbfs_inode **v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = in;
	return 0;
}

static bool plus_type_unknown(struct smbfs *fs, const struct dir_entry *e)
{
	return fs->cfg.sfu && !e->st.has_unix &&
	       (e->st.attributes & FILE_ATTRIBUTE_SYSTEM) &&
	       !(e->st.attributes & FILE_ATTRIBUTE_DIRECTORY) &&
	       e->st.end_of_file <= UNIX_META_SFU_HEAD;
}

/*
 * Adds one entry; 1 when the buffer is full, 0 when added, -errno.
 * Every entry but "." and ".." carries a lookup reference to the kernel
 * (FUSE counts readdirplus entries like lookups).
 */
static int plus_add(fuse_req_t req, struct smbfs *fs, struct smbfs_inode *dir,
		    const struct dir_entry *e, size_t idx, char *buf,
		    size_t room, size_t *used, struct plus_refs *refs)
{
	struct fuse_entry_param ep;
	struct smbfs_inode *in;
	size_t need = fuse_add_direntry_plus(req, NULL, 0, e->name, NULL, 0);

	if (need > room)
		return 1;
	memset(&ep, 0, sizeof(ep));
	if (idx < 2) {
		/* Zero ino: the kernel takes no reference for these. */
		ep.attr.st_mode = S_IFDIR;
		ep.attr.st_ino = idx == 0 ? dir->ino : dotdot_ino(fs, dir);
	} else if (plus_type_unknown(fs, e)) {
		/*
		 * sfu: whether this is a FIFO or a device takes a read; an
		 * entry of the wrong type would make the kernel's inode bad,
		 * so the kernel gets the name only and looks it up.
		 */
		ep.attr.st_ino = e->st.file_id ? e->st.file_id : 1;
	} else {
		in = inode_remember(fs, dir, e->name, &e->st);
		if (!in)
			return -ENOMEM;
		if (plus_refs_add(refs, in) < 0) {
			inode_forget(fs, in, 1);
			return -ENOMEM;
		}
		plus_check_symlink(fs, in, e);
		fs_entry_param(fs, in, &ep);
	}
	*used += fuse_add_direntry_plus(req, buf + *used, room, e->name, &ep,
					(off_t)(idx + 1));
	return 0;
}

/*
 * cifsacl: a listing's entry lacks the Unix view (mode, owner), which
 * comes from the descriptor; without it the entry goes out with
 * attr_timeout 0 and the kernel asks getattr for each one, one round
 * trip after another.
 */
static bool plus_needs_fetch(struct smbfs *fs, const struct dir_entry *e,
			     size_t idx)
{
	return idx >= 2 && fs->cfg.cifsacl && !e->st.has_unix && !e->fetched;
}

/*
 * Where a reply from off ends: after the entries that fit in size
 * bytes, or after PLUS_FETCH_MAX that need fetching.
 */
static size_t plus_reply_end(fuse_req_t req, struct smbfs *fs,
			     const struct dir_handle *dh, size_t size,
			     size_t off)
{
	size_t i, used = 0, fetch = 0;

	for (i = off; i < dh->n; i++) {
		const struct dir_entry *e = &dh->ents[i];

		used += fuse_add_direntry_plus(req, NULL, 0, e->name, NULL, 0);
		if (used > size)
			break;
		if (plus_needs_fetch(fs, e, i) && fetch++ == PLUS_FETCH_MAX)
			break;
	}
	return i;
}

/* The stats of one window of entries (plus_fetch). */
struct plus_batch {
	size_t *idx; /* the entry of each path */
	char **paths;
	struct smb_stat *sts;
	int *rcs;
	size_t n;
};

static void plus_batch_free(struct plus_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->paths[i]);
	free(b->idx);
	free(b->paths);
	free(b->sts);
	free(b->rcs);
}

/* The paths of the entries in [from, to) that need fetching. */
static int plus_batch_build(struct smbfs *fs, struct smbfs_inode *dir,
			    struct dir_handle *dh, size_t from, size_t to,
			    struct plus_batch *b)
{
	size_t max = to - from, i;
	int err;

	memset(b, 0, sizeof(*b));
	b->idx = calloc(max, sizeof(*b->idx));
	b->paths = calloc(max, sizeof(*b->paths));
	b->sts = calloc(max, sizeof(*b->sts));
	b->rcs = calloc(max, sizeof(*b->rcs));
	if (!b->idx || !b->paths || !b->sts || !b->rcs)
		return -ENOMEM;
	for (i = from; i < to; i++) {
		struct dir_entry *e = &dh->ents[i];

		if (!plus_needs_fetch(fs, e, i) ||
		    inode_child_has_unix(fs, dir, e->name, e->st.file_id))
			continue;
		/* Once: one that fails keeps the listing's attributes. */
		e->fetched = true;
		b->paths[b->n] = inode_child_smb_path(fs, dir, e->name, &err);
		if (b->paths[b->n])
			b->idx[b->n++] = i;
	}
	return 0;
}

/*
 * Fetches the entries of a reply [off, end), and of the window ahead,
 * all at once; each one fetched carries the Unix view from now on, as
 * a lookup's would.  Best effort: an entry whose stat fails (or no
 * memory) goes out as before.
 */
static void plus_fetch(struct smbfs *fs, struct smbfs_inode *dir,
		       struct dir_handle *dh, size_t off, size_t end)
{
	size_t to = off + PLUS_FETCH_AHEAD > end ? off + PLUS_FETCH_AHEAD : end;
	struct plus_batch b;
	size_t i;

	if (!fs->cfg.cifsacl)
		return;
	if (to > dh->n)
		to = dh->n;
	if (to <= off)
		return;
	/* No memory: b.n is 0, nothing was asked. */
	if (plus_batch_build(fs, dir, dh, off, to, &b) == 0)
		cache_stat_many(fs->cache, (const char *const *)b.paths, b.n,
				b.sts, b.rcs);
	for (i = 0; i < b.n; i++) {
		struct dir_entry *e = &dh->ents[b.idx[i]];
		uint64_t id = e->st.file_id;

		if (b.rcs[i] || !b.sts[i].has_unix)
			continue;
		e->st = b.sts[i];
		if (!e->st.file_id)
			e->st.file_id = id;
	}
	plus_batch_free(&b);
}

/* Like readdir_fill: releases dh->lock before replying. */
static void readdirplus_fill(fuse_req_t req, struct smbfs *fs,
			     struct smbfs_inode *dir, struct dir_handle *dh,
			     size_t size, size_t off)
{
	struct plus_refs refs = { 0 };
	char *buf = malloc(size ? size : 1);
	size_t used = 0, i, end;
	int rc = 0;

	if (!buf) {
		pthread_mutex_unlock(&dh->lock);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	end = plus_reply_end(req, fs, dh, size, off);
	plus_fetch(fs, dir, dh, off, end);
	for (i = off; i < end && rc == 0; i++)
		rc = plus_add(req, fs, dir, &dh->ents[i], i, buf, size - used,
			      &used, &refs);
	pthread_mutex_unlock(&dh->lock);
	/* Out of memory part way: send what is there, if anything. */
	if (rc < 0 && used == 0)
		fuse_reply_err(req, -rc);
	else if (fuse_reply_buf(req, buf, used) < 0)
		rc = -EINTR;
	else
		rc = 0;
	/* The kernel never saw these entries: give the references back. */
	for (i = 0; rc < 0 && i < refs.n; i++)
		inode_forget(fs, refs.v[i], 1);
	free(refs.v);
	free(buf);
}

void smbfs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			  off_t off, struct fuse_file_info *fi)
{
	dir_read(req, ino, size, off, fi, true);
}

/*
 * The CREATE carries the new directory's descriptor when dir has a
 * template (cifsacl, unix_attr.c); a server that refuses it gets the
 * long way, and without cifsacl dir_mode applies.
 */
static int mkdir_moded(struct smbfs *fs, struct smbfs_inode *dir,
		       const char *path, mode_t mode, struct smb_stat *st)
{
	struct smb_sd sd, full;
	/* Both come back empty when not made: freeing them is harmless. */
	bool moded =
		fs_unix_new_sd(fs, dir, FS_NEW_DIR, mode, &sd, &full) > 0;
	int rc;

	rc = cache_path_mkdir(fs->cache, path, moded ? &sd : NULL, st);
	if (moded && fs_unix_new_sd_refused(fs, dir, FS_NEW_DIR, rc)) {
		moded = false;
		rc = cache_path_mkdir(fs->cache, path, NULL, st);
	}
	if (!rc && moded) {
		fs_unix_created_with(fs, path, mode, &full, st);
		cache_note_stat(fs->cache, path, st);
	} else if (!rc && fs->cfg.cifsacl) {
		fs_unix_apply_created(fs, dir, NULL, path, mode, st);
	}
	smb_sd_free(&sd);
	smb_sd_free(&full);
	return rc;
}

/*
 * MS-SMB2 2.2.13: FILE_CREATE fails with OBJECT_NAME_COLLISION when the
 * name exists, and on a case-insensitive share also when it exists in
 * another case, so no entry is ever replaced.
 */
void smbfs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		    mode_t mode)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *dir = fs_inode_or_reply(req, parent);
	struct smb_stat st;
	char *path;
	int rc = 0;

	if (!dir)
		return;
	if (fs->cfg.read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	path = inode_child_smb_path(fs, dir, name, &rc);
	if (!path) {
		fs_reply_err(req, rc);
		return;
	}
	/* st carries the id a later lookup sees. */
	rc = mkdir_moded(fs, dir, path, mode, &st);
	free(path);
	if (rc < 0) {
		fs_reply_err(req, rc);
		return;
	}
	fs_reply_new_entry(req, fs, dir, name, &st, 0);
}

void smbfs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *dir = fs_inode_or_reply(req, parent);
	char *path;
	int rc = 0;

	if (!dir)
		return;
	if (fs->cfg.read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	path = inode_child_smb_path(fs, dir, name, &rc);
	if (!path) {
		fs_reply_err(req, rc);
		return;
	}
	/*
	 * Samba checks emptiness when the delete disposition is set and
	 * answers STATUS_DIRECTORY_NOT_EMPTY (ENOTEMPTY) there; a read-only
	 * directory (chmod a-w) is handled like a read-only file.
	 */
	rc = fs_delete_path(fs, path, FILE_DIRECTORY_FILE);
	if (rc == -ENOTEMPTY) {
		/*
		 * A file removed inside stays "delete pending" on the server
		 * while a handle this mount keeps for a deferred close holds
		 * it (one it knew under another name, say): give those up
		 * and try once more.
		 */
		fs_close_all_deferred(fs);
		rc = fs_delete_path(fs, path, FILE_DIRECTORY_FILE);
	}
	free(path);
	if (rc == 0)
		inode_unlink_name(fs, dir, name);
	fs_reply_err(req, rc);
}
