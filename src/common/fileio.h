/* The file operations snapshots use (POSIX), behind a table of function
 * pointers so tests can replace any of them with a failing version (ENOSPC
 * on the Nth write, short writes, EIO on read, fsync or rename failure).
 * No global state: the table is passed to the functions that use it. */
#ifndef CXM_SRC_FILEIO_H
#define CXM_SRC_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* What lstat()/fstat() say about a file, as far as snapshots care. */
enum { CXMI_FILE_REGULAR = 1, CXMI_FILE_LINK = 2, CXMI_FILE_OTHER = 3 };
typedef struct cxmi_file_info {
  int32_t type;  /* CXMI_FILE_* (directories, FIFOs, devices, sockets: OTHER) */
  uint32_t mode; /* permission bits (07777) */
  uint32_t uid, gid;
  uint64_t size; /* bytes, for a regular file */
} cxmi_file_info;

/* Called for each name in a directory; nonzero stops the listing. */
typedef int (*cxmi_dir_visit)(void *arg, const char *name);

typedef struct cxmi_fileio {
  /* Create `path` exclusively for writing, mode 0600 before the umask,
   * never through a symlink (fails when it exists); a file descriptor
   * >= 0, or -1 with errno set. */
  int (*create_excl)(void *ctx, const char *path);
  /* Open `path` for reading without blocking on a FIFO; a descriptor >= 0,
   * or -1. */
  int (*open_read)(void *ctx, const char *path);
  /* As POSIX write()/read(): bytes moved (may be fewer), or -1. */
  long (*write)(void *ctx, int fd, const void *bytes, size_t len);
  long (*read)(void *ctx, int fd, void *bytes, size_t len);
  /* 0, or -1 with errno set. */
  int (*fsync)(void *ctx, int fd);
  int (*close)(void *ctx, int fd);
  int (*rename)(void *ctx, const char *from, const char *to);
  int (*unlink)(void *ctx, const char *path);
  /* Flush the directory `dir` (the entry a rename changed) to disk. */
  int (*fsync_dir)(void *ctx, const char *dir);
  /* lstat() / fstat(): 0, or -1 with errno set (ENOENT: no such file). */
  int (*lstat)(void *ctx, const char *path, cxmi_file_info *info);
  int (*fstat)(void *ctx, int fd, cxmi_file_info *info);
  /* readlink(): the length of the link's text (not NUL-terminated), or -1. */
  long (*readlink)(void *ctx, const char *path, char *buf, size_t cap);
  /* fchmod() / fchown(): 0, or -1 with errno set. */
  int (*fchmod)(void *ctx, int fd, uint32_t mode);
  int (*fchown)(void *ctx, int fd, uint32_t uid, uint32_t gid);
  /* Call `visit` with every name in `dir`; 0, or -1 when it cannot be read. */
  int (*list_dir)(void *ctx, const char *dir, cxmi_dir_visit visit, void *arg);
  /* This process's id. */
  int64_t (*pid)(void *ctx);
  /* 1 when no process `pid` exists (kill(pid, 0) fails with ESRCH), else 0
   * (alive, someone else's, or unknown). */
  int (*process_gone)(void *ctx, int64_t pid);
  /* Open an existing file for reading and writing, never through a
   * symlink and without blocking; a descriptor >= 0, or -1. */
  int (*open_rdwr)(void *ctx, const char *path);
  /* Take an exclusive fcntl() lock on the whole file without waiting: 0,
   * or -1 (held by another process, or locks unsupported). Released when
   * the descriptor is closed or the process ends, however it ends. */
  int (*lock)(void *ctx, int fd);
  void *ctx;
} cxmi_fileio;

/* The real POSIX operations (ctx unused). */
const cxmi_fileio *cxmi_fileio_posix(void);

#endif
