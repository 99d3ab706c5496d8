/* Snapshot files: atomic save (temporary file, fsync, rename, directory
 * fsync) and load, through the operations of fileio.h so tests can make
 * any step fail. */
#include "snapshot/snapshot_internal.h"

#include "common/alloc.h"
#include "store/store_internal.h"
#include "common/abi_check.h"
#include "common/strbuf.h"

#include <errno.h>
#include <string.h>
#include <time.h>

/* The longest file name (one path component) a save handles: NAME_MAX of
 * Linux, the BSDs and macOS file systems. A temporary name must fit too. */
#define NAME_BYTES 255
/* ".tmp-", a process id (at most 19 digits), "-", 8 letters. */
#define TMP_TAIL_MAX (5 + 19 + 1 + 8)
#define TMP_LETTERS 8
#define TMP_ATTEMPTS 64
/* Symlinks followed before giving up (Linux's own limit is 40). */
#define LINK_HOPS 40
#define LINK_BYTES 4096

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

static const char tmp_letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";

/* ---- where a save goes ------------------------------------------------------ */

/* The file a save replaces: `path` with its symlinks followed. */
typedef struct target {
  char *path; /* NUL-terminated; allocated with `size` bytes */
  size_t size, len;
  size_t base; /* offset of the file name (after the last '/') */
  int exists;
  cxmi_file_info info; /* of the existing regular file */
} target;

static char *dup_bytes(cxmi_alloc *a, const char *s, size_t len, size_t *size) {
  char *p;
  if (len > SIZE_MAX - 1) return NULL;
  p = cxmi_malloc(a, len + 1);
  if (p == NULL) return NULL;
  memcpy(p, s, len);
  p[len] = '\0';
  *size = len + 1;
  return p;
}

/* Follow `path` through symlinks to the file a save must replace: an
 * existing regular file, or a name that does not exist yet (a dangling
 * link's target is created). Anything else (a directory, FIFO, device,
 * socket) is CXM_E_NOT_FILE. Relative link text is relative to the link's
 * directory. */
static int32_t resolve(target *t, cxmi_alloc *a, const cxmi_fileio *io, const char *path) {
  char *link = NULL;
  int hops;
  int32_t rc = CXM_OK;
  memset(t, 0, sizeof *t);
  t->path = dup_bytes(a, path, strlen(path), &t->size);
  if (t->path == NULL) return CXM_E_NOMEM;
  t->len = t->size - 1;
  for (hops = 0;; hops++) {
    long n;
    size_t dir_len, new_len;
    char *next;
    if (io->lstat(io->ctx, t->path, &t->info) != 0) {
      if (errno != ENOENT) rc = CXM_E_IO;
      break; /* a new file */
    }
    if (t->info.type == CXMI_FILE_REGULAR) {
      t->exists = 1;
      break;
    }
    if (t->info.type != CXMI_FILE_LINK) {
      rc = CXM_E_NOT_FILE;
      break;
    }
    if (hops == LINK_HOPS) {
      rc = CXM_E_IO; /* a loop, as the kernel's ELOOP */
      break;
    }
    if (link == NULL && (link = cxmi_malloc(a, LINK_BYTES)) == NULL) {
      rc = CXM_E_NOMEM;
      break;
    }
    n = io->readlink(io->ctx, t->path, link, LINK_BYTES);
    if (n <= 0 || n >= LINK_BYTES) {
      rc = CXM_E_IO;
      break;
    }
    dir_len = t->len;
    while (dir_len > 0 && t->path[dir_len - 1] != '/') dir_len--;
    if (link[0] == '/') dir_len = 0;
    new_len = dir_len + (size_t)n;
    next = cxmi_malloc(a, new_len + 1);
    if (next == NULL) {
      rc = CXM_E_NOMEM;
      break;
    }
    memcpy(next, t->path, dir_len);
    memcpy(next + dir_len, link, (size_t)n);
    next[new_len] = '\0';
    cxmi_free(a, t->path, t->size);
    t->path = next;
    t->size = new_len + 1;
    t->len = new_len;
  }
  if (link != NULL) cxmi_free(a, link, LINK_BYTES);
  if (rc == CXM_OK) {
    t->base = t->len;
    while (t->base > 0 && t->path[t->base - 1] != '/') t->base--;
    if (t->base == t->len) rc = CXM_E_IO; /* "dir/": no file name */
  }
  return rc;
}

/* Bytes of the target's name that start its temporary names: all of it,
 * or as much as leaves room for the tail within NAME_BYTES. */
static size_t tmp_stem(const target *t) {
  size_t name = t->len - t->base;
  return name < NAME_BYTES - TMP_TAIL_MAX ? name : NAME_BYTES - TMP_TAIL_MAX;
}

/* ---- stale temporary files ---------------------------------------------------- */

typedef struct reclaim {
  const cxmi_fileio *io;
  const target *t;
  size_t stem;
  int64_t self;
  char *full; /* the directory part of the target, then a name */
  int reclaimed;
} reclaim;

/* The process id of a temporary name of this target ("STEM.tmp-PID-
 * XXXXXXXX"), or -1 when `name` is not one. */
static int64_t tmp_pid(const reclaim *r, const char *name) {
  const char *p;
  int64_t pid = 0;
  int digits = 0, i;
  /* (strncmp stops at the end of a shorter name, so `p` stays inside it) */
  if (strncmp(name, r->t->path + r->t->base, r->stem) != 0) return -1;
  p = name + r->stem;
  if (strncmp(p, ".tmp-", 5) != 0) return -1;
  for (p += 5; *p >= '0' && *p <= '9'; p++) {
    if (++digits > 18) return -1;
    pid = pid * 10 + (*p - '0');
  }
  if (digits == 0 || *p++ != '-') return -1;
  for (i = 0; i < TMP_LETTERS; i++)
    if (p[i] == '\0' || strchr(tmp_letters, p[i]) == NULL) return -1;
  return p[TMP_LETTERS] == '\0' ? pid : -1;
}

/* A temporary file left by a save that never finished: its process is
 * gone (a crash, kill -9, power loss) and nobody holds its lock. A saver
 * locks its temporary file from creation until it is renamed or removed,
 * so a file whose lock can be taken belongs to nobody; the process check
 * comes first so that a live saver's file is never even opened. */
static int reclaim_visit(void *arg, const char *name) {
  reclaim *r = arg;
  int64_t pid = tmp_pid(r, name);
  size_t name_len;
  cxmi_file_info info;
  int fd;
  if (pid < 0 || pid == r->self || !r->io->process_gone(r->io->ctx, pid)) return 0;
  name_len = strlen(name);
  if (name_len > NAME_BYTES) return 0;
  memcpy(r->full + r->t->base, name, name_len + 1);
  fd = r->io->open_rdwr(r->io->ctx, r->full);
  if (fd < 0) return 0;
  if (r->io->fstat(r->io->ctx, fd, &info) == 0 && info.type == CXMI_FILE_REGULAR && r->io->lock(r->io->ctx, fd) == 0 &&
      r->io->unlink(r->io->ctx, r->full) == 0)
    r->reclaimed++;
  (void)r->io->close(r->io->ctx, fd);
  return 0;
}

/* Remove the stale temporary files of this target; best effort, never a
 * reason for the save to fail. */
static void reclaim_stale(cxmi_alloc *a, const cxmi_fileio *io, const target *t, const char *dir) {
  reclaim r;
  size_t size = t->base + NAME_BYTES + 1;
  r.io = io;
  r.t = t;
  r.stem = tmp_stem(t);
  r.self = io->pid(io->ctx);
  r.reclaimed = 0;
  r.full = cxmi_malloc(a, size);
  if (r.full == NULL) return;
  memcpy(r.full, t->path, t->base);
  (void)io->list_dir(io->ctx, dir, reclaim_visit, &r);
  cxmi_free(a, r.full, size);
}

/* ---- the save -------------------------------------------------------------------- */

/* Create the temporary file (its name written to `tmp`, which has room for
 * the directory, the stem, the tail and a NUL) exclusively, trying other
 * names while one exists. */
static int create_temp(const cxmi_fileio *io, char *tmp, const target *t, const void *salt) {
  uint64_t seed = mix((uint64_t)(uintptr_t)salt ^ (uint64_t)(uintptr_t)&seed ^ (uint64_t)time(NULL));
  size_t at = t->base + tmp_stem(t);
  int64_t pid = io->pid(io->ctx);
  char digits[24];
  int n = 0, attempt;
  memcpy(tmp, t->path, at);
  memcpy(tmp + at, ".tmp-", 5);
  at += 5;
  if (pid < 0) pid = 0;
  do {
    digits[n++] = (char)('0' + pid % 10);
    pid /= 10;
  } while (pid > 0 && n < 19);
  while (n > 0) tmp[at++] = digits[--n];
  tmp[at++] = '-';
  for (attempt = 0; attempt < TMP_ATTEMPTS; attempt++) {
    uint64_t bits = mix(seed + (uint64_t)attempt * UINT64_C(0x9e3779b97f4a7c15));
    int fd, i;
    for (i = 0; i < TMP_LETTERS; i++) {
      tmp[at + (size_t)i] = tmp_letters[bits % 36];
      bits /= 36;
    }
    tmp[at + TMP_LETTERS] = '\0';
    fd = io->create_excl(io->ctx, tmp);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

/* The directory holding the target ("." for a bare name), NUL-terminated. */
static void dir_of(char *dir, const target *t) {
  size_t i = t->base;
  if (i == 0) {
    memcpy(dir, ".", 2);
    return;
  }
  /* Keep the root's slash; drop the one before the file name otherwise. */
  if (i > 1) i--;
  memcpy(dir, t->path, i);
  dir[i] = '\0';
}

/* Give the temporary file the owner, group and mode the file it replaces
 * had (or `mode` for a new file). Changing the owner needs privileges: a
 * group that cannot be kept loses its permission bits rather than pass
 * them to the saver's group. Fails only when the file cannot be examined. */
static int32_t set_mode(const cxmi_fileio *io, int fd, const target *t, uint32_t mode) {
  if (t->exists) {
    cxmi_file_info mine;
    mode = t->info.mode;
    if (io->fstat(io->ctx, fd, &mine) != 0) return CXM_E_IO;
    if ((mine.uid != t->info.uid || mine.gid != t->info.gid) &&
        io->fchown(io->ctx, fd, t->info.uid, t->info.gid) != 0) {
      /* Not privileged: keep at least the group when this user may. */
      if (mine.gid != t->info.gid && io->fchown(io->ctx, fd, mine.uid, t->info.gid) != 0) mode &= ~UINT32_C(070);
    }
  }
  /* A file system without permission bits (FAT, some network shares)
   * refuses fchmod: the file then keeps its creation mode, 0600 or
   * stricter, which is never more open than asked. */
  (void)io->fchmod(io->ctx, fd, mode & 07777);
  return CXM_OK;
}

int32_t cxmi_snapshot_save_file(const cxm_store *store, const char *path, uint32_t new_mode, const cxmi_fileio *io) {
  cxmi_alloc a;
  size_t size;
  char *tmp, *dir;
  target t;
  file_sink f;
  int32_t rc;
  if (store == NULL || path == NULL || io == NULL) return CXM_E_ARG;
  if (path[0] == '\0') return CXM_E_IO;
  if (new_mode > 07777) return CXM_E_OPTION;
  /* A snapshot holds a whole store: one without its customers' days would
   * load as a store whose customers have no history. */
  if (cxmi_store_keeps(store, CXM_OMIT_CUSTOMER_DAYS | CXM_OMIT_CUSTOMER_FIRSTS) != CXM_OK) return CXM_E_STATE;
  (void)cxmi_alloc_init(&a, cxmi_store_hooks(store));
  rc = resolve(&t, &a, io, path);
  if (rc != CXM_OK) {
    cxmi_free(&a, t.path, t.size);
    return rc;
  }
  /* the temporary name, then the directory's */
  size = (t.base + tmp_stem(&t) + TMP_TAIL_MAX + 1) + (t.base + 2);
  tmp = cxmi_malloc(&a, size);
  if (tmp == NULL) {
    cxmi_free(&a, t.path, t.size);
    return CXM_E_NOMEM;
  }
  dir = tmp + t.base + tmp_stem(&t) + TMP_TAIL_MAX + 1;
  dir_of(dir, &t);
  reclaim_stale(&a, io, &t, dir);

  f.io = io;
  f.fd = create_temp(io, tmp, &t, store);
  if (f.fd < 0) {
    cxmi_free(&a, tmp, size);
    cxmi_free(&a, t.path, t.size);
    return CXM_E_IO;
  }
  /* Held until the file is renamed or removed: tells other savers that this
   * temporary file is in use (locks unsupported: the process check alone). */
  (void)io->lock(io->ctx, f.fd);
  rc = set_mode(io, f.fd, &t, new_mode);
  if (rc == CXM_OK) rc = cxm_store_save_to(store, write_all, &f);
  if (rc == CXM_OK && io->fsync(io->ctx, f.fd) != 0) rc = CXM_E_IO;
  /* A failed close may mean lost data (NFS reports write errors there). */
  if (io->close(io->ctx, f.fd) != 0 && rc == CXM_OK) rc = CXM_E_IO;
  /* Re-checked right before the rename: the target may have been
   * replaced by a directory or a FIFO meanwhile. */
  if (rc == CXM_OK && t.exists) {
    cxmi_file_info now;
    if (io->lstat(io->ctx, t.path, &now) == 0 && now.type != CXMI_FILE_REGULAR) rc = CXM_E_NOT_FILE;
  }
  if (rc == CXM_OK && io->rename(io->ctx, tmp, t.path) != 0) rc = CXM_E_IO;
  if (rc != CXM_OK) {
    (void)io->unlink(io->ctx, tmp);
  } else if (io->fsync_dir(io->ctx, dir) != 0) {
    /* The new file is in place but its name may not survive a crash. */
    rc = CXM_E_IO;
  }
  cxmi_free(&a, tmp, size);
  cxmi_free(&a, t.path, t.size);
  return rc;
}

/* The header's verdict before the rest is read: foreign bytes and newer
 * versions are refused at once, whatever the file's size. */
static int32_t check_head(const unsigned char *head, size_t n) {
  if (memcmp(head, cxmi_snapshot_magic, n < 8 ? n : 8) != 0) return CXM_E_FORMAT;
  if (n >= 12) {
    uint32_t version = (uint32_t)head[8] | (uint32_t)head[9] << 8 | (uint32_t)head[10] << 16 | (uint32_t)head[11] << 24;
    if (version > CXMI_SNAPSHOT_VERSION) return CXM_E_VERSION;
  }
  return CXM_OK;
}

/* Read until `len` bytes are in or the file ends: the bytes read, or -1. */
static long read_some(const cxmi_fileio *io, int fd, unsigned char *buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    long n = io->read(io->ctx, fd, buf + got, len - got);
    if (n < 0 || (unsigned long)n > len - got) return -1;
    if (n == 0) break;
    got += (size_t)n;
  }
  return (long)got;
}

int32_t cxmi_snapshot_load_file(cxm_store **out, const char *path, const cxm_allocator *allocator,
                                const cxmi_fileio *io) {
  cxmi_alloc a;
  unsigned char head[CXMI_SNAPSHOT_HEADER_BYTES], *buf = NULL;
  size_t cap = 0, len = 0;
  cxmi_file_info info;
  long n;
  int fd;
  int32_t rc = CXM_OK;
  if (out == NULL) return CXM_E_ARG;
  *out = NULL;
  if (path == NULL || io == NULL) return CXM_E_ARG;
  if (cxmi_alloc_init(&a, allocator) != CXM_OK) return CXM_E_ARG;
  fd = io->open_read(io->ctx, path);
  if (fd < 0) return CXM_E_IO;
  /* Only a regular file has a size to trust and an end: a FIFO or a device
   * (/dev/zero) is refused before a byte is read. */
  if (io->fstat(io->ctx, fd, &info) != 0)
    rc = CXM_E_IO;
  else if (info.type != CXMI_FILE_REGULAR)
    rc = CXM_E_NOT_FILE;
  if (rc == CXM_OK) {
    n = read_some(io, fd, head, sizeof head);
    if (n < 0) {
      rc = CXM_E_IO;
    } else {
      len = (size_t)n;
      rc = check_head(head, len);
    }
  }
  /* Then the rest, into a buffer of the size the file says (one byte more
   * to see its end; a file that grows meanwhile gets more room). */
  if (rc == CXM_OK && len == sizeof head) {
    if (info.size >= SIZE_MAX / 2) {
      rc = CXM_E_NOMEM;
    } else {
      cap = info.size > len ? (size_t)info.size + 1 : len + 1;
      buf = cxmi_malloc(&a, cap);
      if (buf == NULL)
        rc = CXM_E_NOMEM;
      else
        memcpy(buf, head, len);
    }
    while (rc == CXM_OK) {
      if (len == cap) {
        unsigned char *p;
        if (cap > SIZE_MAX / 2) {
          rc = CXM_E_NOMEM;
          break;
        }
        p = cxmi_realloc(&a, buf, cap, cap * 2);
        if (p == NULL) {
          rc = CXM_E_NOMEM;
          break;
        }
        buf = p;
        cap *= 2;
      }
      n = read_some(io, fd, buf + len, cap - len);
      if (n < 0)
        rc = CXM_E_IO;
      else if (n == 0)
        break;
      else
        len += (size_t)n;
    }
  }
  (void)io->close(io->ctx, fd);
  if (rc == CXM_OK) rc = cxm_store_load_bytes(out, buf != NULL ? buf : head, len, allocator);
  cxmi_free(&a, buf, cap);
  return rc;
}

void cxm_save_options_init(cxm_save_options *options) {
  if (options == NULL) return;
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->new_file_mode = 0600;
}

int32_t cxm_store_save(const cxm_store *store, const char *path) {
  return cxmi_snapshot_save_file(store, path, 0600, cxmi_fileio_posix());
}

int32_t cxm_store_save_with(const cxm_store *store, const char *path, const cxm_save_options *options) {
  if (options == NULL) return cxm_store_save(store, path);
  if (!CXMI_STRUCT_OK(options, cxm_save_options)) return CXM_E_SIZE;
  return cxmi_snapshot_save_file(store, path, options->new_file_mode, cxmi_fileio_posix());
}

int32_t cxm_store_load(cxm_store **out, const char *path, const cxm_allocator *allocator) {
  return cxmi_snapshot_load_file(out, path, allocator, cxmi_fileio_posix());
}

/* ---- failures explained (cxm_detail) ------------------------------------ */

/* Tells `detail` (may be NULL) the outcome `rc` of `what` on `path`: for
 * CXM_E_IO the OS's reason for `err` (an errno value, 0 when unknown), for
 * anything else the status text. */
static int32_t tell(cxm_detail *detail, int32_t rc, const char *what, const char *path, int err) {
  cxm_detail d;
  cxmi_sb b;
  char os[128];
  if (detail == NULL) return rc;
  cxm_detail_init(&d);
  d.status = rc;
  if (rc != CXM_OK) {
    d.field = "path";
    cxmi_sb_init(&b, d.reason, sizeof d.reason);
    cxmi_sb_str(&b, what);
    cxmi_sb_putc(&b, ' ');
    cxmi_sb_quoted(&b, (const uint8_t *)(path != NULL ? path : ""), path != NULL ? strlen(path) : 0);
    cxmi_sb_str(&b, ": ");
    if (rc != CXM_E_IO) {
      cxmi_sb_str(&b, cxm_status_str(rc));
    } else if (err == 0 || strerror_r(err, os, sizeof os) != 0) {
      /* strerror() may share a buffer between threads; strerror_r() (POSIX) does not */
      cxmi_sb_str(&b, "unknown OS error");
    } else {
      os[sizeof os - 1] = '\0';
      cxmi_sb_str(&b, os);
    }
  }
  cxmi_struct_out(detail, &d, sizeof d);
  return rc;
}

int32_t cxmi_snapshot_save_file_ex(const cxm_store *store, const char *path, const cxmi_fileio *io,
                                   cxm_detail *detail) {
  int32_t rc;
  errno = 0;
  rc = cxmi_snapshot_save_file(store, path, 0600, io);
  return tell(detail, rc, "cannot save", path, errno);
}

int32_t cxmi_snapshot_load_file_ex(cxm_store **out, const char *path, const cxm_allocator *allocator,
                                   const cxmi_fileio *io, cxm_detail *detail) {
  int32_t rc;
  errno = 0;
  rc = cxmi_snapshot_load_file(out, path, allocator, io);
  return tell(detail, rc, "cannot load", path, errno);
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
