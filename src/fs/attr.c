// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB attributes as struct stat.  With cifsacl the mode and owners are
 * what the file's security descriptor stands for (unix_attr.c).
 * Without it, like cifs.ko, every file shows the mount's uid, gid,
 * file_mode or dir_mode, and the DOS read-only attribute removes the
 * write bits.
 */
#include <string.h>

#include "smbfs.h"

/* Seconds between 1601-01-01 (FILETIME) and 1970-01-01 (Unix). */
#define FILETIME_UNIX_EPOCH 11644473600ull

void attr_filetime_to_unix(uint64_t ft, struct timespec *ts)
{
	uint64_t secs = ft / 10000000ull;

	if (secs < FILETIME_UNIX_EPOCH) {
		ts->tv_sec = 0;
		ts->tv_nsec = 0;
		return;
	}
	ts->tv_sec = (time_t)(secs - FILETIME_UNIX_EPOCH);
	ts->tv_nsec = (long)(ft % 10000000ull) * 100;
}

uint64_t attr_unix_to_filetime(const struct timespec *ts)
{
	if (ts->tv_sec < 0)
		return 0;
	return ((uint64_t)ts->tv_sec + FILETIME_UNIX_EPOCH) * 10000000ull +
	       (uint64_t)ts->tv_nsec / 100;
}

static mode_t attr_mode(const struct smbfs *fs, const struct smbfs_inode *in)
{
	mode_t mode;

	/* cifsacl: the bits the security descriptor stands for; sfu: the
	 * type of a special file. */
	if (in->st.has_unix) {
		mode = in->st.unix_mode & S_IFMT;
		if (!mode || in->is_dir)
			mode = in->is_dir ? S_IFDIR : S_IFREG;
		return mode | (in->st.unix_mode & 07777);
	}
	if (in->st.attributes & FILE_ATTRIBUTE_DIRECTORY)
		return S_IFDIR | fs->cfg.dir_mode;
	mode = S_IFREG | fs->cfg.file_mode;
	if (in->st.attributes & FILE_ATTRIBUTE_READONLY)
		mode &= ~(mode_t)0222;
	return mode;
}

void attr_fill(const struct smbfs *fs, const struct smbfs_inode *in,
	       struct stat *stbuf)
{
	memset(stbuf, 0, sizeof(*stbuf));
	stbuf->st_ino = in->ino;
	stbuf->st_mode = attr_mode(fs, in);
	if (in->symlink_target_len && fs->cfg.mfsymlinks && !in->is_dir &&
	    in->st.end_of_file == MFSYMLINK_SIZE)
		stbuf->st_mode = S_IFLNK | 0777;
	stbuf->st_nlink = in->st.nlink ? in->st.nlink : 1;
	if (in->is_dir)
		stbuf->st_nlink = 2;
	if (in->unlinked)
		stbuf->st_nlink = 0; /* open, but no name leads to it */
	stbuf->st_uid = in->st.has_unix ? in->st.uid : fs->cfg.uid;
	stbuf->st_gid = in->st.has_unix ? in->st.gid : fs->cfg.gid;
	stbuf->st_size = (off_t)in->st.end_of_file;
	if (S_ISLNK(stbuf->st_mode))
		stbuf->st_size = (off_t)in->symlink_target_len;
	if (S_ISFIFO(stbuf->st_mode) || S_ISSOCK(stbuf->st_mode) ||
	    S_ISCHR(stbuf->st_mode) || S_ISBLK(stbuf->st_mode)) {
		stbuf->st_size = 0; /* the sfu content is no data */
		stbuf->st_rdev = (dev_t)in->st.rdev;
	}
	stbuf->st_blksize = 1 << 20;
	stbuf->st_blocks = (blkcnt_t)((in->st.allocation_size + 511) / 512);
	attr_filetime_to_unix(in->st.last_access_time, &stbuf->st_atim);
	attr_filetime_to_unix(in->st.last_write_time, &stbuf->st_mtim);
	attr_filetime_to_unix(in->st.change_time, &stbuf->st_ctim);
}
