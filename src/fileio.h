/* The file operations snapshots use (POSIX), behind a table of function
 * pointers so tests can replace any of them with a failing version (ENOSPC
 * on the Nth write, short writes, EIO on read, fsync or rename failure).
 * No global state: the table is passed to the functions that use it. */
#ifndef CXM_SRC_FILEIO_H
#define CXM_SRC_FILEIO_H

#include <stddef.h>
#include <stdint.h>

typedef struct cxmi_fileio {
  /* Create `path` exclusively for writing (fails when it exists); a file
   * descriptor >= 0, or -1 with errno set. */
  int (*create_excl)(void *ctx, const char *path);
  /* Open `path` for reading; a descriptor >= 0, or -1. */
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
  void *ctx;
} cxmi_fileio;

/* The real POSIX operations (ctx unused). */
const cxmi_fileio *cxmi_fileio_posix(void);

#endif
