/* Snapshot files (cxm_store_save, cxm_store_load): the real POSIX path, and
 * every file operation made to fail through the injectable table of
 * src/fileio.h. A failed save must return CXM_E_IO, leave the previous
 * file byte for byte as it was, and leave no temporary file behind. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cxm.h"
#include "fileio.h"
#include "snapshot.h"
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
  int writes;           /* write calls so far */
  int fail_write_at;    /* this write call fails with ENOSPC (1-based; 0 never) */
  int short_writes;     /* every write moves at most 7 bytes */
  int zero_writes;      /* every write moves nothing */
  int fail_fsync, fail_close, fail_rename, fail_fsync_dir, fail_create;
  int reads;
  int fail_read_at;     /* this read call fails with EIO */
  int short_reads;      /* every read moves at most 5 bytes */
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
  cxmi_fileio io = {f_create, f_open_read, f_write, f_read, f_fsync, f_close, f_rename, f_unlink, f_fsync_dir, NULL};
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
  assert_int_equal(cxm_store_load(&s, sc.dir, NULL), CXM_E_IO);
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
  assert_int_equal(cxmi_snapshot_save_file(next, sc.path, &io), want);
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
  assert_int_equal(cxmi_snapshot_save_file(s, sc.path, &io), CXM_E_IO);
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
    snprintf(expect, sizeof expect, "cannot create a temporary file next to '%s': %s", want, strerror(ENOENT));
    assert_string_equal(d.reason, expect);
    assert_int_equal(cxm_store_load_ex(&back, want, NULL, &d), CXM_E_IO);
    assert_null(back);
    snprintf(expect, sizeof expect, "cannot open '%s': %s", want, strerror(ENOENT));
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
    snprintf(expect, sizeof expect, "'%s': %s", sc.path, cxm_status_str(d.status));
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
      cmocka_unit_test(test_save_load_file),   cmocka_unit_test(test_load_missing_and_bad),
      cmocka_unit_test(test_write_failures),   cmocka_unit_test(test_other_failures),
      cmocka_unit_test(test_fsync_dir_failure), cmocka_unit_test(test_read_failures),
      cmocka_unit_test(test_file_nomem),        cmocka_unit_test(test_file_error_detail),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
