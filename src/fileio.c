/* POSIX file operations for snapshots; see fileio.h. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#ifndef O_DIRECTORY
#define O_DIRECTORY 0
#endif

static int posix_create_excl(void *ctx, const char *path) {
  int fd;
  (void)ctx;
  do {
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

static int posix_open_read(void *ctx, const char *path) {
  int fd;
  (void)ctx;
  do {
    fd = open(path, O_RDONLY | O_CLOEXEC);
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

static const cxmi_fileio posix_ops = {
    posix_create_excl, posix_open_read, posix_write, posix_read, posix_fsync,
    posix_close,       posix_rename,    posix_unlink, posix_fsync_dir, NULL,
};

const cxmi_fileio *cxmi_fileio_posix(void) { return &posix_ops; }
