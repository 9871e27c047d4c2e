// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The inode table.  Each inode knows its parent and its Linux name, so
 * the share path is rebuilt on demand and a directory rename moves every
 * descendant at once.  Inode numbers are the server's file ids
 * (FileInternalInformation IndexNumber) unless noserverino is set, so they
 * stay stable across lookups and remounts; the root is always
 * FUSE_ROOT_ID.  Two hash tables find inodes by number and by
 * (parent, name).  fs->lock protects the tables and the inode fields.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs.h"

#define INODE_HASH_INITIAL 65536
/* Numbers handed out when the server's id cannot be used. */
#define INODE_LOCAL_BASE (1ull << 62)

static size_t hash_ino(const struct smbfs *fs, fuse_ino_t ino)
{
	uint64_t x = ino * 0x9E3779B97F4A7C15ull;

	return (size_t)(x >> 32) & (fs->ino_hash_size - 1);
}

static size_t hash_name(const struct smbfs *fs, const struct smbfs_inode *p,
			const char *name)
{
	uint64_t h = 1469598103934665603ull ^ (uintptr_t)p;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29)) & (fs->ino_hash_size - 1);
}

static void ino_hash_add(struct smbfs *fs, struct smbfs_inode *in)
{
	size_t b = hash_ino(fs, in->ino);

	in->hash_next = fs->ino_hash[b];
	fs->ino_hash[b] = in;
}

static void ino_hash_del(struct smbfs *fs, struct smbfs_inode *in)
{
	struct smbfs_inode **pp = &fs->ino_hash[hash_ino(fs, in->ino)];

	for (; *pp; pp = &(*pp)->hash_next) {
		if (*pp == in) {
			*pp = in->hash_next;
			return;
		}
	}
}

static void name_hash_add(struct smbfs *fs, struct smbfs_inode *in)
{
	size_t b = hash_name(fs, in->parent, in->name);

	in->name_next = fs->name_hash[b];
	fs->name_hash[b] = in;
	in->name_hashed = true;
}

static void name_hash_del(struct smbfs *fs, struct smbfs_inode *in)
{
	struct smbfs_inode **pp;

	if (!in->name_hashed)
		return;
	pp = &fs->name_hash[hash_name(fs, in->parent, in->name)];
	for (; *pp; pp = &(*pp)->name_next) {
		if (*pp == in) {
			*pp = in->name_next;
			break;
		}
	}
	in->name_hashed = false;
}

static struct smbfs_inode *find_by_ino(struct smbfs *fs, fuse_ino_t ino)
{
	struct smbfs_inode *in = fs->ino_hash[hash_ino(fs, ino)];

	while (in && in->ino != ino)
		in = in->hash_next;
	return in;
}

static struct smbfs_inode *find_by_name(struct smbfs *fs,
					struct smbfs_inode *parent,
					const char *name)
{
	struct smbfs_inode *in = fs->name_hash[hash_name(fs, parent, name)];

	while (in && !(in->parent == parent && !strcmp(in->name, name)))
		in = in->name_next;
	return in;
}

static void inode_free_unlocked(struct smbfs *fs, struct smbfs_inode *in);

/* Drops one internal reference; frees the inode when nothing holds it. */
static void inode_unref(struct smbfs *fs, struct smbfs_inode *in)
{
	while (in) {
		struct smbfs_inode *parent = in->parent;

		in->refs--;
		if (in->refs || in->nlookup || in->open_count || in == fs->root)
			return;
		inode_free_unlocked(fs, in);
		in = parent;
	}
}

static void inode_free_unlocked(struct smbfs *fs, struct smbfs_inode *in)
{
	name_hash_del(fs, in);
	ino_hash_del(fs, in);
	fs_unix_forget_templates(in);
	free(in->name);
	free(in);
}

/* Detaches in from its name; the parent loses the reference it gave. */
static void inode_detach(struct smbfs *fs, struct smbfs_inode *in)
{
	struct smbfs_inode *parent = in->parent;

	name_hash_del(fs, in);
	in->parent = NULL;
	if (parent)
		inode_unref(fs, parent);
}

static int inode_attach(struct smbfs *fs, struct smbfs_inode *in,
			struct smbfs_inode *parent, const char *name)
{
	char *copy = strdup(name);

	if (!copy)
		return -ENOMEM;
	free(in->name);
	in->name = copy;
	in->parent = parent;
	parent->refs++;
	name_hash_add(fs, in);
	return 0;
}

static void inode_store_stat(struct smbfs_inode *in, const struct smb_stat *st)
{
	struct smb_stat keep = *st;

	smb_stat_keep_unix(&keep, &in->st);
	in->st = keep;
	in->is_dir = st->attributes & FILE_ATTRIBUTE_DIRECTORY;
	/*
	 * Only a 1067-byte regular file can be a Minshall+French symlink;
	 * anything else (the server may reuse a deleted link's file id)
	 * is not one, whatever was cached.
	 */
	if (in->is_dir || st->end_of_file != MFSYMLINK_SIZE)
		in->symlink_target_len = 0;
}

/*
 * Attributes a lookup found (maybe from the cache): while a read lease
 * covers the file, nobody else wrote it, and what we have - our own
 * writes included - is newer than any cached answer (fs->lock held).
 */
static void inode_remember_stat(struct smbfs_inode *in,
				const struct smb_stat *st)
{
	struct smb_stat keep = in->st;

	if (!(in->lease_state & SMB2_LEASE_READ_CACHING) ||
	    (st->attributes & FILE_ATTRIBUTE_DIRECTORY)) {
		inode_store_stat(in, st);
		return;
	}
	if (st->nlink)
		keep.nlink = st->nlink;
	inode_store_stat(in, &keep);
}

/*
 * Whether the file the server reports as st, with in's id, can be in
 * (fs->lock held; in was not found under st's name).  A server may give
 * a deleted file's id to a new file (its disk reuses inode numbers)
 * while the kernel still knows the old one, and taking the new file for
 * the old would serve the old one's cached pages and attributes under
 * the new name.  The same file shows under another name when it has
 * several links, or when another client renamed it while a program
 * here holds it open.  A handle only we keep (a deferred close) proves
 * nothing: Samba was seen giving its file's number to a new file while
 * it was kept.  Anything else gets a number of its own: at worst a file
 * another client renamed changes its inode number here.  (Creation
 * times cannot tell them apart: Samba makes one up from the other times
 * for files it did not create.)
 */
static bool same_file(struct smbfs *fs, const struct smbfs_inode *in,
		      const struct smb_stat *st)
{
	const struct smbfs_handle *h;

	if (in == fs->root)
		return true;
	if (!in->parent) /* its last name was removed here */
		return !in->is_dir && in->st.nlink > 1;
	if (st->nlink > 1)
		return true;
	for (h = in->handles; h; h = h->inode_next)
		if (!h->deferred && !h->closing)
			return true;
	return false;
}

/* The inode number for a server id, or 0 when one must be allocated. */
static fuse_ino_t ino_for_server_id(struct smbfs *fs, uint64_t id)
{
	if (!fs->cfg.serverino || !id)
		return 0;
	if (fs->root && id == fs->root->server_id)
		return FUSE_ROOT_ID;
	if (id == FUSE_ROOT_ID || id >= INODE_LOCAL_BASE)
		return 0;
	return id;
}

static struct smbfs_inode *inode_new(struct smbfs *fs, fuse_ino_t ino,
				     const struct smb_stat *st)
{
	struct smbfs_inode *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	if (pool_lease_key_new(in->lease_key) < 0) {
		free(in);
		return NULL;
	}
	in->ino = ino ? ino : fs->next_ino++;
	in->server_id = st->file_id;
	inode_store_stat(in, st);
	ino_hash_add(fs, in);
	return in;
}

struct smbfs_inode *inode_remember(struct smbfs *fs,
				   struct smbfs_inode *parent,
				   const char *name, const struct smb_stat *st)
{
	struct smbfs_inode *in;
	fuse_ino_t ino;

	pthread_mutex_lock(&fs->lock);
	in = find_by_name(fs, parent, name);
	/* The server replaced the file behind this name. */
	if (in && fs->cfg.serverino && st->file_id && in->server_id &&
	    in->server_id != st->file_id) {
		inode_detach(fs, in);
		in = NULL;
	}
	ino = ino_for_server_id(fs, st->file_id);
	if (!in && ino) {
		in = find_by_ino(fs, ino);
		if (in && !same_file(fs, in, st)) {
			in = NULL;
			ino = 0;
		}
	}
	if (in && (in->parent != parent || strcmp(in->name, name))) {
		/*
		 * A hard link or a rename done elsewhere: follow the name.
		 * A lease key belongs to one name (MS-SMB2 3.3.5.9.8), so
		 * opens by this one get a key of their own.
		 */
		if (in != fs->root) {
			inode_detach(fs, in);
			if (inode_attach(fs, in, parent, name))
				in = NULL;
			else
				pool_lease_key_new(in->lease_key);
		}
	} else if (!in) {
		in = inode_new(fs, ino, st);
		if (in && inode_attach(fs, in, parent, name)) {
			inode_free_unlocked(fs, in);
			in = NULL;
		}
	}
	if (in) {
		inode_remember_stat(in, st);
		in->nlookup++;
	}
	pthread_mutex_unlock(&fs->lock);
	return in;
}

struct smbfs_inode *inode_get(struct smbfs *fs, fuse_ino_t ino)
{
	struct smbfs_inode *in;

	pthread_mutex_lock(&fs->lock);
	in = find_by_ino(fs, ino);
	pthread_mutex_unlock(&fs->lock);
	return in;
}

struct smbfs_inode *inode_find_child(struct smbfs *fs,
				     struct smbfs_inode *parent,
				     const char *name)
{
	struct smbfs_inode *in;

	pthread_mutex_lock(&fs->lock);
	in = find_by_name(fs, parent, name);
	pthread_mutex_unlock(&fs->lock);
	return in;
}

bool inode_child_has_unix(struct smbfs *fs, struct smbfs_inode *parent,
			  const char *name, uint64_t file_id)
{
	struct smbfs_inode *in;
	bool has;

	pthread_mutex_lock(&fs->lock);
	in = find_by_name(fs, parent, name);
	has = in && in->st.has_unix &&
	      (!file_id || !in->server_id || in->server_id == file_id);
	pthread_mutex_unlock(&fs->lock);
	return has;
}

/* The inode the table keeps for a server id, or NULL (fs->lock held). */
static struct smbfs_inode *find_by_server_id(struct smbfs *fs, uint64_t id)
{
	fuse_ino_t ino = ino_for_server_id(fs, id);

	return ino ? find_by_ino(fs, ino) : NULL;
}

struct smbfs_inode *inode_find_server_id(struct smbfs *fs, uint64_t file_id)
{
	struct smbfs_inode *in;

	pthread_mutex_lock(&fs->lock);
	in = find_by_server_id(fs, file_id);
	pthread_mutex_unlock(&fs->lock);
	return in;
}

void inode_forget(struct smbfs *fs, struct smbfs_inode *in, uint64_t n)
{
	pthread_mutex_lock(&fs->lock);
	in->nlookup = n > in->nlookup ? 0 : in->nlookup - n;
	/* Borrow a reference so inode_unref applies the usual test. */
	in->refs++;
	inode_unref(fs, in);
	pthread_mutex_unlock(&fs->lock);
}

int inode_move(struct smbfs *fs, struct smbfs_inode *in,
	       struct smbfs_inode *new_parent, const char *new_name)
{
	struct smbfs_inode *victim;
	int rc;

	pthread_mutex_lock(&fs->lock);
	victim = find_by_name(fs, new_parent, new_name);
	if (victim && victim != in)
		inode_detach(fs, victim);
	/* Hold the old parent while re-linking, it may lose its last ref. */
	in->refs++;
	if (in->parent)
		inode_detach(fs, in);
	rc = inode_attach(fs, in, new_parent, new_name);
	inode_unref(fs, in);
	pthread_mutex_unlock(&fs->lock);
	return rc;
}

void inode_unlink_name(struct smbfs *fs, struct smbfs_inode *parent,
		       const char *name)
{
	struct smbfs_inode *in;

	pthread_mutex_lock(&fs->lock);
	in = find_by_name(fs, parent, name);
	if (in) {
		in->refs++;
		inode_detach(fs, in);
		inode_unref(fs, in);
	}
	pthread_mutex_unlock(&fs->lock);
}

void inode_set_stat(struct smbfs *fs, struct smbfs_inode *in,
		    const struct smb_stat *st)
{
	pthread_mutex_lock(&fs->lock);
	inode_store_stat(in, st);
	pthread_mutex_unlock(&fs->lock);
}

/* Appends "\name" components from the root down; called under the lock. */
static int path_build(struct smbfs *fs, struct smbfs_inode *in,
		      struct smb_wbuf *w)
{
	char *smb = NULL;
	int rc;

	if (in == fs->root)
		return 0;
	if (!in->parent)
		return -ESTALE; /* unlinked, or replaced on the server */
	rc = path_build(fs, in->parent, w);
	if (rc < 0)
		return rc;
	rc = name_to_smb(in->name, fs->cfg.mapposix, &smb);
	if (rc < 0)
		return rc;
	if (w->len)
		wbuf_u8(w, '\\');
	wbuf_bytes(w, smb, strlen(smb));
	free(smb);
	return wbuf_error(w);
}

static char *path_finish(struct smbfs *fs, struct smb_wbuf *w, int *err)
{
	const char *sub = fs->cfg.subdir;
	struct smb_wbuf full = SMB_WBUF_INIT;

	if (sub && *sub) {
		wbuf_bytes(&full, sub, strlen(sub));
		if (w->len)
			wbuf_u8(&full, '\\');
	}
	wbuf_bytes(&full, w->data, w->len);
	wbuf_u8(&full, '\0');
	wbuf_free(w);
	if (wbuf_error(&full)) {
		*err = -ENOMEM;
		wbuf_free(&full);
		return NULL;
	}
	return (char *)wbuf_steal(&full, NULL);
}

char *inode_smb_path(struct smbfs *fs, struct smbfs_inode *in)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	int rc, err = 0;
	char *p;

	pthread_mutex_lock(&fs->lock);
	rc = path_build(fs, in, &w);
	pthread_mutex_unlock(&fs->lock);
	if (rc < 0) {
		wbuf_free(&w);
		errno = -rc;
		return NULL;
	}
	p = path_finish(fs, &w, &err);
	if (!p)
		errno = -err;
	return p;
}

char *inode_child_smb_path(struct smbfs *fs, struct smbfs_inode *parent,
			   const char *name, int *err)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	char *smb = NULL;
	int rc;

	rc = name_to_smb(name, fs->cfg.mapposix, &smb);
	if (rc == 0) {
		pthread_mutex_lock(&fs->lock);
		rc = path_build(fs, parent, &w);
		pthread_mutex_unlock(&fs->lock);
	}
	if (rc == 0) {
		if (w.len)
			wbuf_u8(&w, '\\');
		wbuf_bytes(&w, smb, strlen(smb));
		rc = wbuf_error(&w);
	}
	free(smb);
	if (rc < 0) {
		wbuf_free(&w);
		*err = rc;
		return NULL;
	}
	return path_finish(fs, &w, err);
}

int inode_table_init(struct smbfs *fs, const struct smb_stat *root_st)
{
	fs->ino_hash_size = INODE_HASH_INITIAL;
	fs->ino_hash = calloc(fs->ino_hash_size, sizeof(*fs->ino_hash));
	fs->name_hash = calloc(fs->ino_hash_size, sizeof(*fs->name_hash));
	if (!fs->ino_hash || !fs->name_hash)
		return -ENOMEM;
	fs->next_ino = fs->cfg.serverino ? INODE_LOCAL_BASE : FUSE_ROOT_ID + 1;
	fs->root = inode_new(fs, FUSE_ROOT_ID, root_st);
	if (!fs->root)
		return -ENOMEM;
	fs->root->name = strdup("");
	if (!fs->root->name)
		return -ENOMEM;
	fs->root->nlookup = 1;
	return 0;
}

void inode_table_free(struct smbfs *fs)
{
	size_t i;

	for (i = 0; fs->ino_hash && i < fs->ino_hash_size; i++) {
		struct smbfs_inode *in = fs->ino_hash[i], *next;

		for (; in; in = next) {
			next = in->hash_next;
			fs_unix_forget_templates(in);
			free(in->name);
			free(in);
		}
	}
	free(fs->ino_hash);
	free(fs->name_hash);
	fs->ino_hash = fs->name_hash = NULL;
}

void inode_open_get(struct smbfs *fs, struct smbfs_inode *in)
{
	pthread_mutex_lock(&fs->lock);
	in->open_count++;
	pthread_mutex_unlock(&fs->lock);
}

void inode_open_put(struct smbfs *fs, struct smbfs_inode *in)
{
	pthread_mutex_lock(&fs->lock);
	in->open_count--;
	in->refs++;
	inode_unref(fs, in);
	pthread_mutex_unlock(&fs->lock);
}

/* The inodes with SMB handles, for breaks to find them (fs->lock held). */
static void open_list_add(struct smbfs *fs, struct smbfs_inode *in)
{
	in->open_prev = NULL;
	in->open_next = fs->open_inodes;
	if (fs->open_inodes)
		fs->open_inodes->open_prev = in;
	fs->open_inodes = in;
}

static void open_list_del(struct smbfs *fs, struct smbfs_inode *in)
{
	if (in->open_prev)
		in->open_prev->open_next = in->open_next;
	else
		fs->open_inodes = in->open_next;
	if (in->open_next)
		in->open_next->open_prev = in->open_prev;
	in->open_next = in->open_prev = NULL;
}

void inode_handle_add(struct smbfs *fs, struct smbfs_inode *in,
		      struct smbfs_handle *h)
{
	pthread_mutex_lock(&fs->lock);
	if (!in->handles)
		open_list_add(fs, in);
	h->inode_next = in->handles;
	in->handles = h;
	in->open_count++;
	pthread_mutex_unlock(&fs->lock);
}

void inode_handle_closing(struct smbfs *fs, struct smbfs_handle *h)
{
	pthread_mutex_lock(&fs->lock);
	h->closing = true;
	while (h->lent)
		pthread_cond_wait(&fs->closed, &fs->lock);
	pthread_mutex_unlock(&fs->lock);
}

void inode_handle_remove(struct smbfs *fs, struct smbfs_inode *in,
			 struct smbfs_handle *h)
{
	struct smbfs_handle **pp;

	pthread_mutex_lock(&fs->lock);
	for (pp = &in->handles; *pp; pp = &(*pp)->inode_next) {
		if (*pp == h) {
			*pp = h->inode_next;
			break;
		}
	}
	/* The last handle took the lease with it. */
	if (!in->handles) {
		open_list_del(fs, in);
		in->lease_state = 0;
	}
	pthread_cond_broadcast(&fs->closed);
	pthread_mutex_unlock(&fs->lock);
}

struct smbfs_inode *inode_by_lease_key(struct smbfs *fs, const uint8_t key[16])
{
	struct smbfs_inode *in;

	pthread_mutex_lock(&fs->lock);
	for (in = fs->open_inodes; in; in = in->open_next)
		if (!memcmp(in->lease_key, key, 16))
			break;
	/* Kept alive for the caller, like an open (inode_open_put). */
	if (in)
		in->open_count++;
	pthread_mutex_unlock(&fs->lock);
	return in;
}

struct smbfs_inode *inode_by_file(struct smbfs *fs, struct pool_file *f)
{
	struct smbfs_inode *in;
	struct smbfs_handle *h;

	pthread_mutex_lock(&fs->lock);
	for (in = fs->open_inodes; in; in = in->open_next) {
		for (h = in->handles; h && h->file != f; h = h->inode_next)
			;
		if (h)
			break;
	}
	if (in)
		in->open_count++;
	pthread_mutex_unlock(&fs->lock);
	return in;
}

static bool inode_closing(const struct smbfs_inode *in)
{
	const struct smbfs_handle *h;

	for (h = in->handles; h; h = h->inode_next)
		if (h->closing)
			return true;
	return false;
}

void inode_wait_closes(struct smbfs *fs, struct smbfs_inode *in)
{
	pthread_mutex_lock(&fs->lock);
	while (inode_closing(in))
		pthread_cond_wait(&fs->closed, &fs->lock);
	pthread_mutex_unlock(&fs->lock);
}

int inode_handle_lend(struct smbfs *fs, struct smbfs_inode *in, bool writable,
		      struct smbfs_handle **lent)
{
	struct smbfs_handle *h;
	int rc = -ENOENT;

	pthread_mutex_lock(&fs->lock);
	for (h = in->handles; h; h = h->inode_next) {
		if (h->closing ||
		    (writable && (h->flags & O_ACCMODE) == O_RDONLY))
			continue;
		h->lent++;
		*lent = h;
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&fs->lock);
	return rc;
}

void inode_handle_return(struct smbfs *fs, struct smbfs_handle *h)
{
	pthread_mutex_lock(&fs->lock);
	if (--h->lent == 0 && h->closing)
		pthread_cond_broadcast(&fs->closed);
	pthread_mutex_unlock(&fs->lock);
}

void inode_lease_key(struct smbfs *fs, struct smbfs_inode *in, uint8_t key[16])
{
	pthread_mutex_lock(&fs->lock);
	memcpy(key, in->lease_key, 16);
	pthread_mutex_unlock(&fs->lock);
}

int inode_child_lease_key(struct smbfs *fs, struct smbfs_inode *parent,
			  const char *name, uint8_t key[16])
{
	struct smbfs_inode *in;

	pthread_mutex_lock(&fs->lock);
	in = find_by_name(fs, parent, name);
	if (in)
		memcpy(key, in->lease_key, 16);
	pthread_mutex_unlock(&fs->lock);
	return in ? 0 : pool_lease_key_new(key);
}

void inode_created(struct smbfs *fs, struct smbfs_inode *in,
		   struct smbfs_handle *h, const uint8_t key[16])
{
	pthread_mutex_lock(&fs->lock);
	if (!in->open_count)
		memcpy(in->lease_key, key, 16);
	h->inode = in;
	h->creating_path = NULL;
	pthread_mutex_unlock(&fs->lock);
}

/* The path below the mount's root: dir without the subdir prefix. */
static const char *path_below_root(struct smbfs *fs, const char *dir)
{
	const char *sub = fs->cfg.subdir ? fs->cfg.subdir : "";
	size_t len = strlen(sub);

	if (!len)
		return dir;
	if (strncmp(dir, sub, len) || (dir[len] && dir[len] != '\\'))
		return NULL; /* outside the mount */
	return dir[len] ? dir + len + 1 : dir + len;
}

/* The child named by SMB name smb (fs->lock held); NULL if unknown. */
static struct smbfs_inode *find_smb_child(struct smbfs *fs,
					  struct smbfs_inode *parent,
					  const char *smb, char **linux_name)
{
	struct smbfs_inode *in = NULL;
	char *name = NULL;

	if (name_from_smb(smb, fs->cfg.mapposix, &name) == 0)
		in = find_by_name(fs, parent, name);
	if (linux_name)
		*linux_name = name;
	else
		free(name);
	return in;
}

void inode_ino_of_path(struct smbfs *fs, const char *dir, const char *name,
		       fuse_ino_t *dir_ino, fuse_ino_t *child_ino,
		       char **linux_name)
{
	const char *rel = path_below_root(fs, dir), *p, *slash;
	struct smbfs_inode *in, *child = NULL;
	char *comp;

	*dir_ino = *child_ino = 0;
	if (linux_name)
		*linux_name = NULL;
	if (!rel)
		return;
	pthread_mutex_lock(&fs->lock);
	in = fs->root;
	for (p = rel; in && *p; p = slash ? slash + 1 : p + strlen(p)) {
		slash = strchr(p, '\\');
		comp = slash ? strndup(p, (size_t)(slash - p)) : strdup(p);
		in = comp ? find_smb_child(fs, in, comp, NULL) : NULL;
		free(comp);
	}
	if (in) {
		*dir_ino = in->ino;
		if (name)
			child = find_smb_child(fs, in, name, linux_name);
		if (child)
			*child_ino = child->ino;
	}
	pthread_mutex_unlock(&fs->lock);
}

bool inode_child_dir(struct smbfs *fs, fuse_ino_t dir_ino, const char *name,
		     uint64_t *file_id, char **smb_path)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smbfs_inode *dir, *in;
	int rc = -ENOENT, err = 0;

	*smb_path = NULL;
	pthread_mutex_lock(&fs->lock);
	dir = find_by_ino(fs, dir_ino);
	in = dir ? find_by_name(fs, dir, name) : NULL;
	if (in && (in->st.attributes & FILE_ATTRIBUTE_DIRECTORY)) {
		*file_id = in->st.file_id;
		rc = path_build(fs, in, &w);
	}
	pthread_mutex_unlock(&fs->lock);
	if (rc < 0) {
		wbuf_free(&w);
		return false;
	}
	*smb_path = path_finish(fs, &w, &err);
	return *smb_path != NULL;
}

int inode_children(struct smbfs *fs, fuse_ino_t dir_ino, char ***names,
		   size_t *n)
{
	struct smbfs_inode *dir, *in;
	char **v = NULL, **grown;
	size_t i, cnt = 0;
	int rc = 0;

	pthread_mutex_lock(&fs->lock);
	dir = find_by_ino(fs, dir_ino);
	for (i = 0; dir && rc == 0 && i < fs->ino_hash_size; i++) {
		for (in = fs->name_hash[i]; in && rc == 0; in = in->name_next) {
			if (in->parent != dir)
				continue;
			grown = realloc(v, (cnt + 1) * sizeof(*v));
			if (!grown || !(grown[cnt] = strdup(in->name))) {
				v = grown ? grown : v;
				rc = -ENOMEM;
				break;
			}
			v = grown;
			cnt++;
		}
	}
	pthread_mutex_unlock(&fs->lock);
	*names = v;
	*n = cnt;
	return rc;
}

bool inode_pages_stale(struct smbfs *fs, fuse_ino_t ino)
{
	struct smbfs_inode *in;
	bool stale = false;

	pthread_mutex_lock(&fs->lock);
	in = find_by_ino(fs, ino);
	/* With a read lease the change would have broken it first: ours. */
	if (in && !(in->lease_state & SMB2_LEASE_READ_CACHING)) {
		in->pages_valid = false;
		stale = true;
	}
	pthread_mutex_unlock(&fs->lock);
	return stale;
}

void inode_link_dropped(struct smbfs *fs, struct smbfs_inode *in,
			uint64_t file_id)
{
	bool linked;

	pthread_mutex_lock(&fs->lock);
	if (!in)
		in = find_by_server_id(fs, file_id);
	linked = in && in->st.nlink > 1;
	if (linked) {
		in->st.nlink--;
		file_id = in->server_id ? in->server_id : file_id;
	}
	pthread_mutex_unlock(&fs->lock);
	/* What the cache knows of the other names counts one link more. */
	if (linked)
		cache_forget_file(fs->cache, file_id);
}
