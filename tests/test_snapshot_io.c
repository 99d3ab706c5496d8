/* Snapshot files (cxm_store_save, cxm_store_load): the real POSIX path, and
 * every file operation made to fail through the injectable table of
 * src/fileio.h. A failed save must return CXM_E_IO, leave the previous
 * file byte for byte as it was, and leave no temporary file behind. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
/* mknod() is XSI */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if defined(__linux__)
#include <sys/sysmacros.h> /* makedev */
#endif
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cxm.h"
#include "common/fileio.h"
#include "snapshot/snapshot_internal.h"
#include "test_helpers.h"

/* ---- a scratch directory -------------------------------------------------- */

typedef struct scratch {
  char dir[256];
  char path[512];
} scratch;

static void scratch_init(scratch *s) {
  snprintf(s->dir, sizeof s->dir, "/tmp/cxm-snapshot-io-XXXXXX");
  assert_non_null(mkdtemp(s->dir));
  snprintf(s->path, sizeof s->path, "%s/store.snap", s->dir);
}

/* Names in the directory other than the snapshot itself. */
static int stray_files(const scratch *s) {
  DIR *d = opendir(s->dir);
  struct dirent *e;
  int n = 0;
  assert_non_null(d);
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && strcmp(e->d_name, "store.snap") != 0) n++;
  closedir(d);
  return n;
}

static void scratch_free(scratch *s) {
  (void)unlink(s->path);
  assert_int_equal(rmdir(s->dir), 0); /* fails when anything was left */
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *p = NULL;
  size_t cap = 0, n;
  *len = 0;
  if (f == NULL) return NULL;
  do {
    if (*len == cap) {
      cap = cap == 0 ? 4096 : cap * 2;
      p = realloc(p, cap);
      assert_non_null(p);
    }
    n = fread(p + *len, 1, cap - *len, f);
    *len += n;
  } while (n > 0);
  fclose(f);
  return p;
}

/* ---- stores ---------------------------------------------------------------- */

static cxm_store *store_with(int events, uint64_t seed) {
  cxm_store *s = NULL;
  int i;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = 0; i < events; i++) {
    cxm_event e;
    char customer[16], id[16];
    cxm_event_init(&e);
    snprintf(customer, sizeof customer, "c%u", (unsigned)test_below(&seed, 500));
    snprintf(id, sizeof id, "e%d", i);
    e.customer = customer;
    e.customer_len = strlen(customer);
    e.id = id;
    e.id_len = strlen(id);
    e.time = INT64_C(1700000000) + (int64_t)test_below(&seed, 86400 * 30);
    e.kind = CXM_KIND_NPS;
    e.has_value = 1;
    e.value = (double)test_below(&seed, 11);
    assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  }
  return s;
}

/* ---- failing operations ------------------------------------------------------ */

typedef struct faults {
  int writes;        /* write calls so far */
  int fail_write_at; /* this write call fails with ENOSPC (1-based; 0 never) */
  int short_writes;  /* every write moves at most 7 bytes */
  int zero_writes;   /* every write moves nothing */
  int fail_fsync, fail_close, fail_rename, fail_fsync_dir, fail_create;
  int reads;
  int fail_read_at; /* this read call fails with EIO */
  int short_reads;  /* every read moves at most 5 bytes */
} faults;

static const cxmi_fileio *posix(void) { return cxmi_fileio_posix(); }

static int f_create(void *ctx, const char *path) {
  faults *f = ctx;
  if (f->fail_create) {
    errno = EACCES;
    return -1;
  }
  return posix()->create_excl(NULL, path);
}

static int f_open_read(void *ctx, const char *path) {
  (void)ctx;
  return posix()->open_read(NULL, path);
}

static long f_write(void *ctx, int fd, const void *bytes, size_t len) {
  faults *f = ctx;
  f->writes++;
  if (f->writes == f->fail_write_at) {
    errno = ENOSPC;
    return -1;
  }
  if (f->zero_writes) return 0;
  if (f->short_writes && len > 7) len = 7;
  return posix()->write(NULL, fd, bytes, len);
}

static long f_read(void *ctx, int fd, void *bytes, size_t len) {
  faults *f = ctx;
  f->reads++;
  if (f->reads == f->fail_read_at) {
    errno = EIO;
    return -1;
  }
  if (f->short_reads && len > 5) len = 5;
  return posix()->read(NULL, fd, bytes, len);
}

static int f_fsync(void *ctx, int fd) {
  faults *f = ctx;
  if (f->fail_fsync) {
    errno = EIO;
    return -1;
  }
  return posix()->fsync(NULL, fd);
}

static int f_close(void *ctx, int fd) {
  faults *f = ctx;
  int rc = posix()->close(NULL, fd);
  if (f->fail_close) {
    errno = EIO;
    return -1;
  }
  return rc;
}

static int f_rename(void *ctx, const char *from, const char *to) {
  faults *f = ctx;
  if (f->fail_rename) {
    errno = EXDEV;
    return -1;
  }
  return posix()->rename(NULL, from, to);
}

static int f_unlink(void *ctx, const char *path) {
  (void)ctx;
  return posix()->unlink(NULL, path);
}

static int f_fsync_dir(void *ctx, const char *dir) {
  faults *f = ctx;
  if (f->fail_fsync_dir) {
    errno = EIO;
    return -1;
  }
  return posix()->fsync_dir(NULL, dir);
}

static cxmi_fileio ops_for(faults *f) {
  cxmi_fileio io = *posix();
  io.create_excl = f_create;
  io.open_read = f_open_read;
  io.write = f_write;
  io.read = f_read;
  io.fsync = f_fsync;
  io.close = f_close;
  io.rename = f_rename;
  io.unlink = f_unlink;
  io.fsync_dir = f_fsync_dir;
  io.ctx = f;
  return io;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_save_load_file(void **state) {
  scratch sc;
  cxm_store *s = store_with(3000, 1), *copy = NULL;
  uint8_t *bytes;
  size_t len;
  cxm_store_stats a, b;
  (void)state;
  scratch_init(&sc);
  assert_int_equal(cxm_store_save(s, sc.path), CXM_OK);
  assert_int_equal(stray_files(&sc), 0);
  assert_int_equal(cxm_store_load(&copy, sc.path, NULL), CXM_OK);
  a.size = b.size = sizeof a;
  assert_int_equal(cxm_store_stats_get(&a, s), CXM_OK);
  assert_int_equal(cxm_store_stats_get(&b, copy), CXM_OK);
  assert_int_equal(a.events, b.events);
  assert_int_equal(a.customers, b.customers);
  assert_int_equal(a.cells, b.cells);
  /* Saving again replaces the file with the same bytes. */
  bytes = read_file(sc.path, &len);
  assert_non_null(bytes);
  assert_int_equal(cxm_store_save(copy, sc.path), CXM_OK);
  {
    size_t len2;
    uint8_t *again = read_file(sc.path, &len2);
    assert_int_equal(len, len2);
    assert_memory_equal(bytes, again, len);
    free(again);
  }
  /* A bare file name goes to the current directory. */
  {
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(sc.dir), 0);
    assert_int_equal(cxm_store_save(s, "store.snap"), CXM_OK);
    assert_int_equal(chdir(cwd), 0);
  }
  assert_int_equal(stray_files(&sc), 0);
  free(bytes);
  cxm_store_free(copy);
  cxm_store_free(s);
  scratch_free(&sc);
}

static void test_load_missing_and_bad(void **state) {
  scratch sc;
  cxm_store *s = (cxm_store *)(uintptr_t)1;
  FILE *f;
  (void)state;
  scratch_init(&sc);
  assert_int_equal(cxm_store_load(&s, sc.path, NULL), CXM_E_IO);
  assert_null(s);
  f = fopen(sc.path, "wb");
  assert_non_null(f);
  fputs("id,time,kind\n", f);
  fclose(f);
  assert_int_equal(cxm_store_load(&s, sc.path, NULL), CXM_E_FORMAT);
  assert_null(s);
  /* A directory is not a snapshot. */
  assert_int_equal(cxm_store_load(&s, sc.dir, NULL), CXM_E_NOT_FILE);
  assert_null(s);
  /* Saving into a directory that does not exist. */
  {
    char missing[600];
    cxm_store *t = store_with(10, 2);
    snprintf(missing, sizeof missing, "%s/no/such/dir.snap", sc.dir);
    assert_int_equal(cxm_store_save(t, missing), CXM_E_IO);
    cxm_store_free(t);
  }
  scratch_free(&sc);
}

/* Save `next` over a file holding `previous`'s snapshot with the faults
 * `f`; expect `want`, and (for a failure) the old file untouched. */
static void save_with(const faults *f_in, int32_t want) {
  scratch sc;
  cxm_store *previous = store_with(200, 3), *next = store_with(5000, 4);
  faults f = *f_in;
  cxmi_fileio io = ops_for(&f);
  uint8_t *before, *after;
  size_t len_before, len_after;
  scratch_init(&sc);
  assert_int_equal(cxm_store_save(previous, sc.path), CXM_OK);
  before = read_file(sc.path, &len_before);
  assert_non_null(before);
  assert_int_equal(cxmi_snapshot_save_file(next, sc.path, 0600, &io), want);
  assert_int_equal(stray_files(&sc), 0);
  after = read_file(sc.path, &len_after);
  assert_non_null(after);
  if (want != CXM_OK) {
    assert_int_equal(len_before, len_after);
    assert_memory_equal(before, after, len_before);
  } else {
    cxm_store *copy = NULL;
    assert_int_equal(cxm_store_load(&copy, sc.path, NULL), CXM_OK);
    cxm_store_free(copy);
    assert_true(len_after > len_before);
  }
  free(before);
  free(after);
  cxm_store_free(previous);
  cxm_store_free(next);
  scratch_free(&sc);
}

static void test_write_failures(void **state) {
  faults f;
  int at;
  (void)state;
  /* ENOSPC on the first, second... write: the 5000-event store takes
   * several 4 KiB writes. */
  for (at = 1; at <= 6; at++) {
    memset(&f, 0, sizeof f);
    f.fail_write_at = at;
    save_with(&f, CXM_E_IO);
  }
  memset(&f, 0, sizeof f);
  f.zero_writes = 1;
  save_with(&f, CXM_E_IO);
  /* Short writes are not failures: the rest is written. */
  memset(&f, 0, sizeof f);
  f.short_writes = 1;
  save_with(&f, CXM_OK);
  memset(&f, 0, sizeof f);
  f.short_writes = 1;
  f.fail_write_at = 300;
  save_with(&f, CXM_E_IO);
}

static void test_other_failures(void **state) {
  faults f;
  (void)state;
  memset(&f, 0, sizeof f);
  f.fail_fsync = 1;
  save_with(&f, CXM_E_IO);
  memset(&f, 0, sizeof f);
  f.fail_close = 1;
  save_with(&f, CXM_E_IO);
  memset(&f, 0, sizeof f);
  f.fail_rename = 1;
  save_with(&f, CXM_E_IO);
  memset(&f, 0, sizeof f);
  f.fail_create = 1;
  save_with(&f, CXM_E_IO);
  memset(&f, 0, sizeof f);
  save_with(&f, CXM_OK);
}

/* When only the directory flush fails, the rename has happened: the new
 * file is in place, but the caller is told its name may not be durable. */
static void test_fsync_dir_failure(void **state) {
  scratch sc;
  cxm_store *s = store_with(100, 5), *copy = NULL;
  faults f;
  cxmi_fileio io;
  (void)state;
  memset(&f, 0, sizeof f);
  f.fail_fsync_dir = 1;
  io = ops_for(&f);
  scratch_init(&sc);
  assert_int_equal(cxmi_snapshot_save_file(s, sc.path, 0600, &io), CXM_E_IO);
  assert_int_equal(stray_files(&sc), 0);
  assert_int_equal(cxm_store_load(&copy, sc.path, NULL), CXM_OK);
  cxm_store_free(copy);
  cxm_store_free(s);
  scratch_free(&sc);
}

static void test_read_failures(void **state) {
  scratch sc;
  cxm_store *s = store_with(5000, 6), *copy;
  faults f;
  cxmi_fileio io;
  int at;
  (void)state;
  scratch_init(&sc);
  assert_int_equal(cxm_store_save(s, sc.path), CXM_OK);
  for (at = 1; at <= 3; at++) {
    failing_alloc fa = {-1, 0, 0};
    cxm_allocator hooks = failing_hooks(&fa);
    memset(&f, 0, sizeof f);
    f.fail_read_at = at;
    io = ops_for(&f);
    copy = (cxm_store *)(uintptr_t)1;
    assert_int_equal(cxmi_snapshot_load_file(&copy, sc.path, &hooks, &io), CXM_E_IO);
    assert_null(copy);
    assert_int_equal(fa.live_bytes, 0);
  }
  /* Short reads are not failures. */
  memset(&f, 0, sizeof f);
  f.short_reads = 1;
  io = ops_for(&f);
  copy = NULL;
  assert_int_equal(cxmi_snapshot_load_file(&copy, sc.path, NULL, &io), CXM_OK);
  assert_true(f.reads > 1000);
  cxm_store_free(copy);
  cxm_store_free(s);
  scratch_free(&sc);
}

/* Allocation failure while saving to a file or loading from one. */
static void test_file_nomem(void **state) {
  scratch sc;
  cxm_store *s = store_with(2000, 7), *copy;
  uint8_t *before;
  size_t len_before;
  long n;
  (void)state;
  scratch_init(&sc);
  assert_int_equal(cxm_store_save(s, sc.path), CXM_OK);
  before = read_file(sc.path, &len_before);
  for (n = 0;; n++) {
    failing_alloc fa = {n, 0, 0};
    cxm_allocator hooks = failing_hooks(&fa);
    int32_t rc;
    copy = NULL;
    rc = cxm_store_load(&copy, sc.path, &hooks);
    if (rc == CXM_OK) {
      /* and saving from a store whose allocator fails */
      long m;
      for (m = 0;; m++) {
        int32_t r2;
        fa.remaining = m;
        r2 = cxm_store_save(copy, sc.path);
        fa.remaining = FAILING_PAUSED;
        assert_int_equal(stray_files(&sc), 0);
        if (r2 == CXM_OK) break;
        assert_int_equal(r2, CXM_E_NOMEM);
      }
      assert_true(m >= 1);
      cxm_store_free(copy);
      assert_int_equal(fa.live_bytes, 0);
      break;
    }
    assert_int_equal(rc, CXM_E_NOMEM);
    assert_null(copy);
    assert_int_equal(fa.live_bytes, 0);
  }
  {
    size_t len_after;
    uint8_t *after = read_file(sc.path, &len_after);
    assert_int_equal(len_before, len_after);
    assert_memory_equal(before, after, len_before);
    free(after);
  }
  free(before);
  cxm_store_free(s);
  scratch_free(&sc);
}

/* ---- file safety (issue 12) ------------------------------------------------------ */

static uint32_t mode_of(const char *path) {
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  return (uint32_t)(st.st_mode & 07777);
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

/* Whether `path` holds a snapshot that loads with `events` events. */
static void assert_snapshot(const char *path, uint64_t events) {
  cxm_store *copy = NULL;
  cxm_store_stats st;
  assert_int_equal(cxm_store_load(&copy, path, NULL), CXM_OK);
  st.size = sizeof st;
  assert_int_equal(cxm_store_stats_get(&st, copy), CXM_OK);
  assert_int_equal(st.events, events);
  cxm_store_free(copy);
}

static void scratch_file(char *out, size_t cap, const scratch *sc, const char *name) {
  snprintf(out, cap, "%s/%s", sc->dir, name);
}

/* An existing file keeps its mode; a new one gets 0600 whatever the umask,
 * or the mode the caller asks for. */
static void test_mode(void **state) {
  scratch sc;
  cxm_store *s = store_with(50, 8);
  cxm_save_options o;
  mode_t old_umask;
  (void)state;
  scratch_init(&sc);
  old_umask = umask(0);
  assert_int_equal(cxm_store_save(s, sc.path), CXM_OK);
  assert_int_equal(mode_of(sc.path), 0600);
  assert_int_equal(chmod(sc.path, 0640), 0);
  assert_int_equal(cxm_store_save(s, sc.path), CXM_OK);
  assert_int_equal(mode_of(sc.path), 0640);
  assert_int_equal(chmod(sc.path, 0604), 0);
  (void)umask(077);
  assert_int_equal(cxm_store_save(s, sc.path), CXM_OK);
  assert_int_equal(mode_of(sc.path), 0604);
  assert_int_equal(unlink(sc.path), 0);
  cxm_save_options_init(&o);
  assert_int_equal(o.new_file_mode, 0600);
  o.new_file_mode = 0644;
  assert_int_equal(cxm_store_save_with(s, sc.path, &o), CXM_OK);
  assert_int_equal(mode_of(sc.path), 0644); /* as given: the umask 077 does not apply */
  o.new_file_mode = 0600;
  assert_int_equal(cxm_store_save_with(s, sc.path, &o), CXM_OK);
  assert_int_equal(mode_of(sc.path), 0644); /* the existing file's mode wins */
  o.new_file_mode = 010000;
  assert_int_equal(cxm_store_save_with(s, sc.path, &o), CXM_E_OPTION);
  o.new_file_mode = 0600;
  o.size = 3;
  assert_int_equal(cxm_store_save_with(s, sc.path, &o), CXM_E_SIZE);
  assert_int_equal(cxm_store_save_with(s, sc.path, NULL), CXM_OK);
  assert_int_equal(cxm_store_save_with(NULL, sc.path, NULL), CXM_E_ARG);
  (void)umask(old_umask);
  assert_int_equal(stray_files(&sc), 0);
  assert_snapshot(sc.path, 50);
  cxm_store_free(s);
  scratch_free(&sc);
}

/* Owner and group are kept where the process may set them (root). */
static void test_owner(void **state) {
  scratch sc;
  cxm_store *s = store_with(20, 9);
  struct stat st;
  (void)state;
  scratch_init(&sc);
  assert_int_equal(cxm_store_save(s, sc.path), CXM_OK);
  if (geteuid() == 0) {
    assert_int_equal(chown(sc.path, 4321, 4322), 0);
    assert_int_equal(chmod(sc.path, 0640), 0);
    assert_int_equal(cxm_store_save(s, sc.path), CXM_OK);
    assert_int_equal(stat(sc.path, &st), 0);
    assert_int_equal(st.st_uid, 4321);
    assert_int_equal(st.st_gid, 4322);
    assert_int_equal(st.st_mode & 07777, 0640);
  } else {
    /* Not root: the owner becomes this user; the mode is still kept. */
    assert_int_equal(chmod(sc.path, 0640), 0);
    assert_int_equal(cxm_store_save(s, sc.path), CXM_OK);
    assert_int_equal(mode_of(sc.path), 0640);
  }
  cxm_store_free(s);
  scratch_free(&sc);
}

/* A symlink is followed: its target is replaced (atomically, with the
 * temporary file in the target's directory) and the link stays a link. */
static void test_symlink(void **state) {
  scratch sc, other;
  cxm_store *s = store_with(30, 10), *t = store_with(40, 11);
  char real[600], link1[600], link2[600], loop[600], dangling[600], created[600], abs_link[600];
  struct stat st;
  (void)state;
  scratch_init(&sc);
  scratch_init(&other);
  /* store.snap -> link1 -> ../other/real.snap (relative), as a chain */
  snprintf(real, sizeof real, "%s/real.snap", other.dir);
  assert_int_equal(cxm_store_save(s, real), CXM_OK);
  assert_int_equal(chmod(real, 0640), 0);
  scratch_file(link1, sizeof link1, &sc, "link1");
  {
    char rel[600];
    const char *base = strrchr(other.dir, '/') + 1;
    snprintf(rel, sizeof rel, "../%s/real.snap", base);
    assert_int_equal(symlink(rel, link1), 0);
  }
  assert_int_equal(symlink("link1", sc.path), 0);
  assert_int_equal(cxm_store_save(t, sc.path), CXM_OK);
  assert_int_equal(lstat(sc.path, &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  assert_int_equal(lstat(link1, &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  assert_snapshot(real, 40);
  assert_snapshot(sc.path, 40);
  assert_int_equal(mode_of(real), 0640);
  /* an absolute link */
  scratch_file(abs_link, sizeof abs_link, &sc, "abs");
  assert_int_equal(symlink(real, abs_link), 0);
  assert_int_equal(cxm_store_save(s, abs_link), CXM_OK);
  assert_int_equal(lstat(abs_link, &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  assert_snapshot(real, 30);
  /* a dangling link: its target is created */
  scratch_file(dangling, sizeof dangling, &sc, "dangling");
  scratch_file(created, sizeof created, &sc, "created.snap");
  assert_int_equal(symlink("created.snap", dangling), 0);
  assert_int_equal(cxm_store_save(t, dangling), CXM_OK);
  assert_int_equal(lstat(dangling, &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  assert_snapshot(created, 40);
  assert_int_equal(mode_of(created), 0600);
  /* a loop is an I/O error and writes nothing */
  scratch_file(loop, sizeof loop, &sc, "loop");
  assert_int_equal(symlink("loop", loop), 0);
  assert_int_equal(cxm_store_save(s, loop), CXM_E_IO);
  /* a link to a directory is not a file */
  scratch_file(link2, sizeof link2, &sc, "to-dir");
  assert_int_equal(symlink(other.dir, link2), 0);
  assert_int_equal(cxm_store_save(s, link2), CXM_E_NOT_FILE);
  /* nothing stray in either directory */
  {
    DIR *d;
    struct dirent *e;
    int n = 0;
    d = opendir(other.dir);
    while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(n, 1); /* real.snap */
    d = opendir(sc.dir);
    n = 0;
    while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(n, 7); /* store.snap link1 abs dangling created.snap loop to-dir */
  }
  assert_int_equal(unlink(link1), 0);
  assert_int_equal(unlink(abs_link), 0);
  assert_int_equal(unlink(dangling), 0);
  assert_int_equal(unlink(created), 0);
  assert_int_equal(unlink(loop), 0);
  assert_int_equal(unlink(link2), 0);
  assert_int_equal(unlink(real), 0);
  cxm_store_free(s);
  cxm_store_free(t);
  scratch_free(&other);
  scratch_free(&sc);
}

/* FIFOs, devices and directories are refused by save and load, before a
 * byte is written or read (a FIFO never blocks the call). */
static void test_not_regular(void **state) {
  scratch sc;
  cxm_store *s = store_with(10, 12), *copy;
  char fifo[600], dev[600], link[600];
  struct stat st;
  (void)state;
  scratch_init(&sc);
  scratch_file(fifo, sizeof fifo, &sc, "fifo");
  assert_int_equal(mkfifo(fifo, 0600), 0);
  assert_int_equal(cxm_store_save(s, fifo), CXM_E_NOT_FILE);
  assert_int_equal(lstat(fifo, &st), 0);
  assert_true(S_ISFIFO(st.st_mode));
  copy = (cxm_store *)(uintptr_t)1;
  assert_int_equal(cxm_store_load(&copy, fifo, NULL), CXM_E_NOT_FILE);
  assert_null(copy);
  /* a link to a FIFO */
  scratch_file(link, sizeof link, &sc, "link");
  assert_int_equal(symlink("fifo", link), 0);
  assert_int_equal(cxm_store_save(s, link), CXM_E_NOT_FILE);
  /* a device node of our own (root only), and the system's /dev/zero,
   * which is only read */
  scratch_file(dev, sizeof dev, &sc, "null");
#if defined(__linux__)
  if (mknod(dev, S_IFCHR | 0600, makedev(1, 3)) == 0) {
    assert_int_equal(cxm_store_save(s, dev), CXM_E_NOT_FILE);
    assert_int_equal(lstat(dev, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(unlink(dev), 0);
  } else {
    print_message("mknod not permitted: device save case skipped (/dev/zero load still checked)\n");
  }
#endif
  assert_int_equal(cxm_store_load(&copy, "/dev/zero", NULL), CXM_E_NOT_FILE);
  assert_int_equal(cxm_store_save(s, sc.dir), CXM_E_NOT_FILE);
  assert_int_equal(stray_files(&sc), 2); /* fifo, link */
  assert_int_equal(unlink(fifo), 0);
  assert_int_equal(unlink(link), 0);
  cxm_store_free(s);
  scratch_free(&sc);
}

/* A big file that is not a snapshot is refused after its header, with a
 * bounded read and no allocation of its size. */
static void test_load_reads_header_first(void **state) {
  scratch sc;
  cxm_store *copy = NULL;
  faults f;
  cxmi_fileio io;
  failing_alloc fa = {-1, 0, 0};
  cxm_allocator hooks = failing_hooks(&fa);
  int fd;
  (void)state;
  scratch_init(&sc);
  fd = open(sc.path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, (off_t)1 << 30), 0); /* 1 GiB of zeros, sparse */
  assert_int_equal(close(fd), 0);
  memset(&f, 0, sizeof f);
  io = ops_for(&f);
  assert_int_equal(cxmi_snapshot_load_file(&copy, sc.path, &hooks, &io), CXM_E_FORMAT);
  assert_null(copy);
  assert_true(f.reads <= 2);
  assert_int_equal(fa.calls, 0);
  /* a newer version is refused the same way */
  fd = open(sc.path, O_WRONLY, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd,
                         "\x89"
                         "CXMSNAP\x05\0\0\0\0\0\0\0",
                         16),
                   16);
  assert_int_equal(close(fd), 0);
  f.reads = 0;
  assert_int_equal(cxmi_snapshot_load_file(&copy, sc.path, &hooks, &io), CXM_E_VERSION);
  assert_true(f.reads <= 2);
  assert_int_equal(fa.calls, 0);
  /* a short file with the right magic is truncated, an empty one too */
  assert_int_equal(truncate(sc.path, 8), 0);
  assert_int_equal(cxm_store_load(&copy, sc.path, NULL), CXM_E_TRUNCATED);
  assert_int_equal(truncate(sc.path, 0), 0);
  assert_int_equal(cxm_store_load(&copy, sc.path, NULL), CXM_E_TRUNCATED);
  assert_null(copy);
  scratch_free(&sc);
}

/* ---- stale temporary files -- */

static int always_gone(void *ctx, int64_t pid) {
  (void)ctx;
  (void)pid;
  return 1;
}

/* A dead process's id: a child that has exited and been waited for. */
static pid_t dead_pid(void) {
  pid_t child = fork();
  int status;
  assert_true(child >= 0);
  if (child == 0) _exit(0);
  assert_int_equal(waitpid(child, &status, 0), child);
  return child;
}

/* A save killed by SIGKILL after its first write, in a child process. */
static long killing_write(void *ctx, int fd, const void *bytes, size_t len) {
  faults *f = ctx;
  if (++f->writes == 2) (void)raise(SIGKILL);
  return posix()->write(NULL, fd, bytes, len);
}

static void test_stale_temporaries(void **state) {
  scratch sc;
  cxm_store *s = store_with(3000, 13);
  char name[700], live_self[700], locked[700], foreign[700], odd[700];
  pid_t gone = dead_pid(), child;
  int status, fd;
  (void)state;
  scratch_init(&sc);
  assert_int_equal(cxm_store_save(s, sc.path), CXM_OK);
  /* 1. a save killed mid-write leaves its temporary file behind... */
  child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    faults f;
    cxmi_fileio io;
    memset(&f, 0, sizeof f);
    io = ops_for(&f);
    io.write = killing_write;
    (void)cxmi_snapshot_save_file(s, sc.path, 0600, &io);
    _exit(3); /* not reached */
  }
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  assert_int_equal(stray_files(&sc), 1);
  /* 2. ...as does any dead saver; one of this process and one of a live
   * process (pid 1) are not touched, nor names that are not temporary
   * files of this target. */
  snprintf(name, sizeof name, "%s.tmp-%ld-abcdefgh", sc.path, (long)gone);
  write_text(name, "partial");
  snprintf(live_self, sizeof live_self, "%s.tmp-%ld-zzzzzzzz", sc.path, (long)getpid());
  write_text(live_self, "mine");
  snprintf(foreign, sizeof foreign, "%s.tmp-1-abcdefgh", sc.path);
  write_text(foreign, "init's");
  snprintf(odd, sizeof odd, "%s.tmp-%ld-abc", sc.path, (long)gone);
  write_text(odd, "not a temporary name");
  assert_int_equal(stray_files(&sc), 5);
  assert_int_equal(cxm_store_save(s, sc.path), CXM_OK);
  assert_int_equal(stray_files(&sc), 3);
  assert_int_equal(access(name, F_OK), -1);
  assert_int_equal(access(live_self, F_OK), 0);
  assert_int_equal(access(foreign, F_OK), 0);
  assert_int_equal(access(odd, F_OK), 0);
  assert_snapshot(sc.path, 3000);
  assert_int_equal(unlink(live_self), 0);
  assert_int_equal(unlink(foreign), 0);
  assert_int_equal(unlink(odd), 0);
  /* 3. the lock decides when the process check cannot: a temporary file
   * locked by a live process (another pid namespace, say) is kept even
   * when its pid looks gone, an unlocked one is removed. */
  snprintf(locked, sizeof locked, "%s.tmp-%ld-lockedaa", sc.path, (long)gone);
  write_text(locked, "in use");
  write_text(name, "stale");
  {
    int pipefd[2];
    char c;
    assert_int_equal(pipe(pipefd), 0);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
      int lfd = open(locked, O_RDWR);
      struct flock l;
      memset(&l, 0, sizeof l);
      l.l_type = F_WRLCK;
      l.l_whence = SEEK_SET;
      if (lfd < 0 || fcntl(lfd, F_SETLK, &l) != 0) _exit(1);
      if (write(pipefd[1], "L", 1) != 1) _exit(1);
      pause();
      _exit(0);
    }
    assert_int_equal(read(pipefd[0], &c, 1), 1);
    {
      faults f;
      cxmi_fileio io;
      memset(&f, 0, sizeof f);
      io = ops_for(&f);
      io.process_gone = always_gone;
      assert_int_equal(cxmi_snapshot_save_file(s, sc.path, 0600, &io), CXM_OK);
    }
    assert_int_equal(access(locked, F_OK), 0);
    assert_int_equal(access(name, F_OK), -1);
    assert_int_equal(kill(child, SIGKILL), 0);
    assert_int_equal(waitpid(child, &status, 0), child);
    close(pipefd[0]);
    close(pipefd[1]);
  }
  /* its locker is gone now: reclaimed at the next save */
  {
    faults f;
    cxmi_fileio io;
    memset(&f, 0, sizeof f);
    io = ops_for(&f);
    io.process_gone = always_gone;
    assert_int_equal(cxmi_snapshot_save_file(s, sc.path, 0600, &io), CXM_OK);
  }
  assert_int_equal(stray_files(&sc), 0);
  (void)fd;
  cxm_store_free(s);
  scratch_free(&sc);
}

/* Names of 243..255 bytes save, replace and load; their temporary names
 * fit NAME_MAX. 256 bytes is the system's own ENAMETOOLONG. */
static void test_long_names(void **state) {
  scratch sc;
  cxm_store *s = store_with(100, 14);
  size_t n;
  (void)state;
  scratch_init(&sc);
  for (n = 240; n <= 256; n++) {
    char name[300], path[900];
    memset(name, 'n', n);
    memcpy(name + n - 5, ".snap", 5);
    name[n] = '\0';
    snprintf(path, sizeof path, "%s/%s", sc.dir, name);
    if (n == 256) {
      assert_int_equal(cxm_store_save(s, path), CXM_E_IO);
      continue;
    }
    assert_int_equal(cxm_store_save(s, path), CXM_OK);
    assert_int_equal(cxm_store_save(s, path), CXM_OK); /* replace */
    assert_snapshot(path, 100);
    /* a stale temporary file of this long name is reclaimed too */
    {
      char tmp[1000];
      size_t stem = n < 222 ? n : 222;
      snprintf(tmp, sizeof tmp, "%s/%.*s.tmp-%ld-abcdefgh", sc.dir, (int)stem, name, (long)dead_pid());
      write_text(tmp, "stale");
      assert_int_equal(cxm_store_save(s, path), CXM_OK);
      assert_int_equal(access(tmp, F_OK), -1);
    }
    assert_int_equal(unlink(path), 0);
  }
  assert_int_equal(stray_files(&sc), 0);
  cxm_store_free(s);
  scratch_free(&sc);
}

/* cxm_store_save_ex() and cxm_store_load_ex(): a file error names the
 * operation, the path and the OS's reason; a file that is not a snapshot,
 * the path and the status. */
static void test_file_error_detail(void **state) {
  scratch sc;
  cxm_store *s = NULL, *back = (cxm_store *)&sc;
  cxm_detail d;
  char want[700];
  (void)state;
  scratch_init(&sc);
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  cxm_detail_init(&d);

  snprintf(want, sizeof want, "%s/no/such/dir/x.snap", sc.dir);
  assert_int_equal(cxm_store_save_ex(s, want, &d), CXM_E_IO);
  assert_int_equal(d.status, CXM_E_IO);
  assert_string_equal(d.field, "path");
  {
    char expect[800];
    snprintf(expect, sizeof expect, "cannot save '%s': %s", want, strerror(ENOENT));
    assert_string_equal(d.reason, expect);
    assert_int_equal(cxm_store_load_ex(&back, want, NULL, &d), CXM_E_IO);
    assert_null(back);
    snprintf(expect, sizeof expect, "cannot load '%s': %s", want, strerror(ENOENT));
    assert_string_equal(d.reason, expect);
  }

  assert_int_equal(cxm_store_save_ex(s, sc.path, &d), CXM_OK);
  assert_int_equal(d.status, CXM_OK);
  assert_string_equal(d.reason, "");
  assert_int_equal(cxm_store_load_ex(&back, sc.path, NULL, &d), CXM_OK);
  assert_non_null(back);
  assert_string_equal(d.reason, "");
  cxm_store_free(back);

  {
    FILE *f = fopen(sc.path, "wb");
    char expect[800];
    assert_non_null(f);
    fputs("not a snapshot", f);
    fclose(f);
    assert_int_not_equal(cxm_store_load_ex(&back, sc.path, NULL, &d), CXM_OK);
    snprintf(expect, sizeof expect, "cannot load '%s': %s", sc.path, cxm_status_str(d.status));
    assert_string_equal(d.reason, expect);
  }

  d.size = 3; /* unknown size: nothing written, no store */
  back = (cxm_store *)&sc;
  assert_int_equal(cxm_store_load_ex(&back, sc.path, NULL, &d), CXM_E_SIZE);
  assert_null(back);
  assert_int_equal(cxm_store_save_ex(s, sc.path, &d), CXM_E_SIZE);
  assert_int_equal(cxm_store_save_ex(s, sc.path, NULL), CXM_OK);
  cxm_store_free(s);
  scratch_free(&sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_save_load_file),
      cmocka_unit_test(test_load_missing_and_bad),
      cmocka_unit_test(test_write_failures),
      cmocka_unit_test(test_other_failures),
      cmocka_unit_test(test_fsync_dir_failure),
      cmocka_unit_test(test_read_failures),
      cmocka_unit_test(test_file_nomem),
      cmocka_unit_test(test_mode),
      cmocka_unit_test(test_owner),
      cmocka_unit_test(test_symlink),
      cmocka_unit_test(test_not_regular),
      cmocka_unit_test(test_load_reads_header_first),
      cmocka_unit_test(test_stale_temporaries),
      cmocka_unit_test(test_long_names),
      cmocka_unit_test(test_file_error_detail),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
