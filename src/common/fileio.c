/* POSIX file operations for snapshots; see fileio.h. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "common/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#ifndef O_DIRECTORY
#define O_DIRECTORY 0
#endif
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif

static int posix_create_excl(void *ctx, const char *path) {
  int fd;
  (void)ctx;
  do {
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

static int posix_open_read(void *ctx, const char *path) {
  int fd;
  (void)ctx;
  do {
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

static long posix_write(void *ctx, int fd, const void *bytes, size_t len) {
  ssize_t n;
  (void)ctx;
  do {
    n = write(fd, bytes, len);
  } while (n < 0 && errno == EINTR);
  return (long)n;
}

static long posix_read(void *ctx, int fd, void *bytes, size_t len) {
  ssize_t n;
  (void)ctx;
  do {
    n = read(fd, bytes, len);
  } while (n < 0 && errno == EINTR);
  return (long)n;
}

static int posix_fsync(void *ctx, int fd) {
  int rc;
  (void)ctx;
  do {
    rc = fsync(fd);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

static int posix_close(void *ctx, int fd) {
  (void)ctx;
  /* Not retried on EINTR: the descriptor is released either way (POSIX
   * leaves its state unspecified, Linux always frees it). */
  return close(fd);
}

static int posix_rename(void *ctx, const char *from, const char *to) {
  (void)ctx;
  return rename(from, to);
}

static int posix_unlink(void *ctx, const char *path) {
  (void)ctx;
  return unlink(path);
}

static int posix_fsync_dir(void *ctx, const char *dir) {
  int fd, rc;
  (void)ctx;
  do {
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return -1;
  rc = posix_fsync(ctx, fd);
  /* Some file systems cannot fsync a directory (EINVAL): nothing to flush
   * there, so that is not a failure. */
  if (rc != 0 && errno == EINVAL) rc = 0;
  (void)close(fd);
  return rc;
}

static void info_of(cxmi_file_info *info, const struct stat *st) {
  info->type = S_ISREG(st->st_mode) ? CXMI_FILE_REGULAR : S_ISLNK(st->st_mode) ? CXMI_FILE_LINK : CXMI_FILE_OTHER;
  info->mode = (uint32_t)(st->st_mode & 07777);
  info->uid = (uint32_t)st->st_uid;
  info->gid = (uint32_t)st->st_gid;
  info->size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
}

static int posix_lstat(void *ctx, const char *path, cxmi_file_info *info) {
  struct stat st;
  (void)ctx;
  if (lstat(path, &st) != 0) return -1;
  info_of(info, &st);
  return 0;
}

static int posix_fstat(void *ctx, int fd, cxmi_file_info *info) {
  struct stat st;
  (void)ctx;
  if (fstat(fd, &st) != 0) return -1;
  info_of(info, &st);
  return 0;
}

static long posix_readlink(void *ctx, const char *path, char *buf, size_t cap) {
  (void)ctx;
  return (long)readlink(path, buf, cap);
}

static int posix_fchmod(void *ctx, int fd, uint32_t mode) {
  (void)ctx;
  return fchmod(fd, (mode_t)mode);
}

static int posix_fchown(void *ctx, int fd, uint32_t uid, uint32_t gid) {
  (void)ctx;
  return fchown(fd, (uid_t)uid, (gid_t)gid);
}

static int posix_list_dir(void *ctx, const char *dir, cxmi_dir_visit visit, void *arg) {
  DIR *d;
  struct dirent *e;
  (void)ctx;
  d = opendir(dir);
  if (d == NULL) return -1;
  while ((e = readdir(d)) != NULL)
    if (visit(arg, e->d_name) != 0) break;
  (void)closedir(d);
  return 0;
}

static int64_t posix_pid(void *ctx) {
  (void)ctx;
  return (int64_t)getpid();
}

static int posix_process_gone(void *ctx, int64_t pid) {
  (void)ctx;
  /* pid_t is signed and at most 64 bits; 0 and negative values name
   * process groups, never one process. */
  if (pid <= 0 || (int64_t)(pid_t)pid != pid) return 0;
  return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

static int posix_open_rdwr(void *ctx, const char *path) {
  int fd;
  (void)ctx;
  do {
    fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

static int posix_lock(void *ctx, int fd) {
  struct flock l;
  (void)ctx;
  memset(&l, 0, sizeof l);
  l.l_type = F_WRLCK;
  l.l_whence = SEEK_SET;
  l.l_start = 0;
  l.l_len = 0; /* the whole file, however long it grows */
  return fcntl(fd, F_SETLK, &l);
}

static const cxmi_fileio posix_ops = {
    posix_create_excl, posix_open_read, posix_write,        posix_read,      posix_fsync,    posix_close,  posix_rename,
    posix_unlink,      posix_fsync_dir, posix_lstat,        posix_fstat,     posix_readlink, posix_fchmod, posix_fchown,
    posix_list_dir,    posix_pid,       posix_process_gone, posix_open_rdwr, posix_lock,     NULL,
};

const cxmi_fileio *cxmi_fileio_posix(void) { return &posix_ops; }
