/* Snapshot files: atomic save (temporary file, fsync, rename, directory
 * fsync) and load, through the operations of fileio.h so tests can make
 * any step fail. */
#include "snapshot.h"

#include "alloc.h"
#include "store_internal.h"
#include "abi_check.h"
#include "strbuf.h"

#include <errno.h>
#include <string.h>
#include <time.h>

/* Bytes of the temporary name added to the path: ".tmp-" and 8 letters. */
#define TMP_SUFFIX 13
#define TMP_ATTEMPTS 64

typedef struct file_sink {
  const cxmi_fileio *io;
  int fd;
} file_sink;

/* Write everything: a short write goes on with the rest; an error, or a
 * write that moves nothing, fails. */
static int32_t write_all(void *opaque, const void *bytes, size_t len) {
  file_sink *f = opaque;
  const unsigned char *p = bytes;
  while (len > 0) {
    long n = f->io->write(f->io->ctx, f->fd, p, len);
    if (n <= 0 || (unsigned long)n > len) return CXM_E_IO;
    p += n;
    len -= (size_t)n;
  }
  return CXM_OK;
}

/* SplitMix64's mixer: spreads a few varying bits over the name. */
static uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Create `tmp` (the path plus ".tmp-XXXXXXXX", room for it and a NUL)
 * exclusively, trying other names while one exists. */
static int create_temp(const cxmi_fileio *io, char *tmp, size_t path_len, const void *salt) {
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  uint64_t seed = mix((uint64_t)(uintptr_t)salt ^ (uint64_t)(uintptr_t)&seed ^ (uint64_t)time(NULL));
  int attempt;
  for (attempt = 0; attempt < TMP_ATTEMPTS; attempt++) {
    uint64_t bits = mix(seed + (uint64_t)attempt * UINT64_C(0x9e3779b97f4a7c15));
    int fd, i;
    memcpy(tmp + path_len, ".tmp-", 5);
    for (i = 0; i < 8; i++) {
      tmp[path_len + 5 + (size_t)i] = letters[bits % 36];
      bits /= 36;
    }
    tmp[path_len + TMP_SUFFIX] = '\0';
    fd = io->create_excl(io->ctx, tmp);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

/* The directory holding `path` ("." for a bare name), NUL-terminated. */
static void dir_of(char *dir, const char *path, size_t path_len) {
  size_t i = path_len;
  while (i > 0 && path[i - 1] != '/') i--;
  if (i == 0) {
    memcpy(dir, ".", 2);
    return;
  }
  /* Keep the root's slash; drop the one before the file name otherwise. */
  if (i > 1) i--;
  memcpy(dir, path, i);
  dir[i] = '\0';
}

/* Fail with CXM_E_IO, telling `detail` (may be NULL) what failed on which
 * path and the OS's reason for `err` (an errno value, 0 when unknown). */
static int32_t io_fail(cxm_detail *detail, const char *what, const char *path, int err) {
  cxm_detail d;
  cxmi_sb b;
  char os[128];
  if (detail == NULL) return CXM_E_IO;
  cxm_detail_init(&d);
  d.status = CXM_E_IO;
  d.field = "path";
  cxmi_sb_init(&b, d.reason, sizeof d.reason);
  cxmi_sb_str(&b, what);
  cxmi_sb_putc(&b, ' ');
  cxmi_sb_quoted(&b, (const uint8_t *)path, strlen(path));
  cxmi_sb_str(&b, ": ");
  /* strerror() may share a buffer between threads; strerror_r() (POSIX) does not */
  if (err == 0 || strerror_r(err, os, sizeof os) != 0) {
    cxmi_sb_str(&b, "unknown OS error");
  } else {
    os[sizeof os - 1] = '\0';
    cxmi_sb_str(&b, os);
  }
  cxmi_struct_out(detail, &d, sizeof d);
  return CXM_E_IO;
}

/* Reports success (or a failure that is not a file's) into `detail`. */
static int32_t done(cxm_detail *detail, int32_t rc) {
  cxm_detail d;
  if (detail == NULL) return rc;
  cxm_detail_init(&d);
  d.status = rc;
  if (rc != CXM_OK) {
    cxmi_sb b;
    cxmi_sb_init(&b, d.reason, sizeof d.reason);
    cxmi_sb_str(&b, cxm_status_str(rc));
  }
  cxmi_struct_out(detail, &d, sizeof d);
  return rc;
}

int32_t cxmi_snapshot_save_file(const cxm_store *store, const char *path, const cxmi_fileio *io) {
  return cxmi_snapshot_save_file_ex(store, path, io, NULL);
}

int32_t cxmi_snapshot_save_file_ex(const cxm_store *store, const char *path, const cxmi_fileio *io,
                                   cxm_detail *detail) {
  cxmi_alloc a;
  size_t path_len, size;
  char *tmp, *dir;
  file_sink f;
  int32_t rc;
  if (store == NULL || path == NULL || io == NULL) return done(detail, CXM_E_ARG);
  path_len = strlen(path);
  if (path_len == 0) return io_fail(detail, "cannot save to", path, ENOENT);
  if (path_len > SIZE_MAX / 2 - TMP_SUFFIX) return done(detail, CXM_E_NOMEM);
  (void)cxmi_alloc_init(&a, cxmi_store_hooks(store));
  /* the temporary name, then the directory's */
  size = 2 * (path_len + TMP_SUFFIX + 1);
  tmp = cxmi_malloc(&a, size);
  if (tmp == NULL) return done(detail, CXM_E_NOMEM);
  dir = tmp + path_len + TMP_SUFFIX + 1;
  memcpy(tmp, path, path_len);
  dir_of(dir, path, path_len);

  f.io = io;
  f.fd = create_temp(io, tmp, path_len, store);
  if (f.fd < 0) {
    rc = io_fail(detail, "cannot create a temporary file next to", path, errno);
    cxmi_free(&a, tmp, size);
    return rc;
  }
  errno = 0;
  rc = cxm_store_save_to(store, write_all, &f);
  if (rc == CXM_E_IO) rc = io_fail(detail, "cannot write", tmp, errno);
  if (rc == CXM_OK && io->fsync(io->ctx, f.fd) != 0) rc = io_fail(detail, "cannot flush", tmp, errno);
  /* A failed close may mean lost data (NFS reports write errors there). */
  if (io->close(io->ctx, f.fd) != 0 && rc == CXM_OK) rc = io_fail(detail, "cannot close", tmp, errno);
  if (rc == CXM_OK && io->rename(io->ctx, tmp, path) != 0)
    rc = io_fail(detail, "cannot rename the temporary file to", path, errno);
  if (rc != CXM_OK) {
    (void)io->unlink(io->ctx, tmp);
  } else if (io->fsync_dir(io->ctx, dir) != 0) {
    /* The new file is in place but its name may not survive a crash. */
    rc = io_fail(detail, "cannot flush the directory", dir, errno);
  }
  cxmi_free(&a, tmp, size);
  return rc == CXM_E_IO ? rc : done(detail, rc);
}

int32_t cxmi_snapshot_load_file(cxm_store **out, const char *path, const cxm_allocator *allocator,
                                const cxmi_fileio *io) {
  return cxmi_snapshot_load_file_ex(out, path, allocator, io, NULL);
}

int32_t cxmi_snapshot_load_file_ex(cxm_store **out, const char *path, const cxm_allocator *allocator,
                                   const cxmi_fileio *io, cxm_detail *detail) {
  cxmi_alloc a;
  unsigned char *buf = NULL;
  size_t cap = 0, len = 0;
  int fd;
  int32_t rc = CXM_OK;
  if (out == NULL) return done(detail, CXM_E_ARG);
  *out = NULL;
  if (path == NULL || io == NULL) return done(detail, CXM_E_ARG);
  if (cxmi_alloc_init(&a, allocator) != CXM_OK) return done(detail, CXM_E_ARG);
  fd = io->open_read(io->ctx, path);
  if (fd < 0) return io_fail(detail, "cannot open", path, errno);
  for (;;) {
    long n;
    if (len == cap) {
      size_t new_cap = cap == 0 ? 65536 : cap * 2;
      unsigned char *p;
      if (cap > SIZE_MAX / 2) {
        rc = CXM_E_NOMEM;
        break;
      }
      p = cxmi_realloc(&a, buf, cap, new_cap);
      if (p == NULL) {
        rc = CXM_E_NOMEM;
        break;
      }
      buf = p;
      cap = new_cap;
    }
    n = io->read(io->ctx, fd, buf + len, cap - len);
    if (n < 0 || (unsigned long)n > cap - len) {
      rc = io_fail(detail, "cannot read", path, n < 0 ? errno : 0);
      break;
    }
    if (n == 0) break;
    len += (size_t)n;
  }
  (void)io->close(io->ctx, fd);
  if (rc == CXM_OK) {
    rc = cxm_store_load_bytes(out, buf, len, allocator);
    (void)done(detail, rc);
    if (rc != CXM_OK && detail != NULL && CXMI_STRUCT_OK(detail, cxm_detail)) {
      cxmi_sb b; /* say which file is not a snapshot */
      cxmi_sb_init(&b, detail->reason, sizeof detail->reason);
      cxmi_sb_quoted(&b, (const uint8_t *)path, strlen(path));
      cxmi_sb_str(&b, ": ");
      cxmi_sb_str(&b, cxm_status_str(rc));
    }
  } else if (rc != CXM_E_IO) {
    (void)done(detail, rc); /* out of memory while reading */
  }
  cxmi_free(&a, buf, cap);
  return rc;
}

int32_t cxm_store_save(const cxm_store *store, const char *path) {
  return cxmi_snapshot_save_file(store, path, cxmi_fileio_posix());
}

int32_t cxm_store_load(cxm_store **out, const char *path, const cxm_allocator *allocator) {
  return cxmi_snapshot_load_file(out, path, allocator, cxmi_fileio_posix());
}

int32_t cxm_store_save_ex(const cxm_store *store, const char *path, cxm_detail *detail) {
  if (detail != NULL && !CXMI_STRUCT_OK(detail, cxm_detail)) return CXM_E_SIZE;
  return cxmi_snapshot_save_file_ex(store, path, cxmi_fileio_posix(), detail);
}

int32_t cxm_store_load_ex(cxm_store **out, const char *path, const cxm_allocator *allocator, cxm_detail *detail) {
  if (detail != NULL && !CXMI_STRUCT_OK(detail, cxm_detail)) {
    if (out != NULL) *out = NULL;
    return CXM_E_SIZE;
  }
  return cxmi_snapshot_load_file_ex(out, path, allocator, cxmi_fileio_posix(), detail);
}
