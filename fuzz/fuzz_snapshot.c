/* libFuzzer target: the snapshot loader, cxm_store_load_bytes()
 * (cxm/snapshot.h, docs/snapshot.md). The whole input is the snapshot.
 *
 * Mutated bytes almost never pass the CRC-32C checks, which would keep the
 * fuzzer at the door. So each input is loaded twice: as it is, and with
 * every checksum recomputed (each section frame whose length fits, and the
 * trailer's length and checksum), which lets mutations reach the content
 * checks.
 *
 * Properties (a violation traps):
 *   - the loader returns CXM_OK, CXM_E_FORMAT, CXM_E_TRUNCATED,
 *     CXM_E_VERSION or CXM_E_CHECKSUM, and `*out` is NULL on failure;
 *   - a loaded store accounts for every byte its allocator holds
 *     (memory_bytes), its counters are sane (duplicates never exceed what
 *     was seen; first <= last when there are events), and it is usable:
 *     queries run and a new event can be recorded;
 *   - the bytes are canonical: saving the loaded store gives back exactly
 *     the input (docs/snapshot.md, "Canonical bytes"), and loading those
 *     again gives a store with the same counters;
 *   - every proper prefix of an accepted snapshot is refused (checked at
 *     a few cuts);
 *   - with the Nth allocation failing, the loader returns CXM_E_NOMEM or
 *     succeeds without having met the failure, and leaks nothing;
 *   - every allocator call gets back the size it was given (fuzz_common.h),
 *     and freeing the store returns every byte.
 */
#include "common/crc32c.h"
#include "cxm/event.h"
#include "cxm/query.h"
#include "cxm/snapshot.h"
#include "cxm/store.h"
#include "fuzz_common.h"

#define SNAP_LIMIT ((size_t)256 << 20)

static uint64_t get_u64(const uint8_t *p) {
  uint64_t v = 0;
  int i;
  for (i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

static void put_u32(uint8_t *p, uint32_t v) {
  int i;
  for (i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v) {
  int i;
  for (i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Recompute the checksums of docs/snapshot.md's frames in place: after the
 * 16-byte header, frames of tag, u64 length, payload, u32 CRC; the frame
 * tagged TAIL gets the whole length and the CRC of everything before its
 * CRC field. Stops at the first frame that does not fit. */
static void fix_checksums(uint8_t *p, size_t len) {
  size_t at = 16;
  while (at + 12 <= len) {
    if (memcmp(p + at, "TAIL", 4) == 0) {
      if (at + 16 > len) return;
      put_u64(p + at + 4, (uint64_t)(at + 16));
      put_u32(p + at + 12, cxmi_crc32c(0, p, at + 12));
      return;
    } else {
      uint64_t plen = get_u64(p + at + 4);
      if (plen > len - at - 12 || len - at - 12 - plen < 4) return;
      put_u32(p + at + 12 + (size_t)plen, cxmi_crc32c(0, p + at, 12 + (size_t)plen));
      at += 12 + (size_t)plen + 4;
    }
  }
}

/* Load bytes (an exactly sized copy, so over-reads are caught) with the
 * checking allocator failing at call `fail_at` (0: never). */
static int32_t load(cxm_store **out, fuzz_alloc *fa, const uint8_t *data, size_t size, uint64_t fail_at) {
  cxm_allocator hooks = fuzz_hooks(fa, SNAP_LIMIT, fail_at);
  uint8_t *copy = malloc(size > 0 ? size : 1);
  int32_t rc;
  FUZZ_CHECK(copy != NULL);
  if (size > 0) memcpy(copy, data, size);
  *out = (cxm_store *)(uintptr_t)1; /* must be overwritten */
  rc = cxm_store_load_bytes(out, size > 0 ? copy : NULL, size, &hooks);
  free(copy);
  if (rc != CXM_OK) {
    FUZZ_CHECK(*out == NULL && fa->live == 0);
  } else {
    FUZZ_CHECK(*out != NULL);
  }
  return rc;
}

static void check_loaded(cxm_store *store, fuzz_alloc *fa, const uint8_t *data, size_t size) {
  cxm_store_stats st, st2;
  cxm_survey_acc survey;
  fuzz_bytes saved = {NULL, 0, 0};
  cxm_store *again = NULL;
  fuzz_alloc fa2;
  cxm_event e;
  int32_t rc;

  st.size = sizeof st;
  FUZZ_CHECK(cxm_store_stats_get(&st, store) == CXM_OK);
  FUZZ_CHECK(st.memory_bytes == fa->live);
  FUZZ_CHECK(st.events == 0 ? (st.first == INT64_MAX && st.last == INT64_MIN) : st.first <= st.last);

  /* Canonical: the same bytes come back (an older format version comes
   * back as the current one, which is canonical from then on). */
  FUZZ_CHECK(cxm_store_save_to(store, fuzz_collect, &saved) == CXM_OK);
  if (data[8] == saved.p[8])
    FUZZ_CHECK(saved.len == size && memcmp(saved.p, data, size) == 0);
  else
    FUZZ_CHECK(data[8] < saved.p[8]);
  FUZZ_CHECK(load(&again, &fa2, saved.p, saved.len, 0) == CXM_OK);
  if (data[8] != saved.p[8]) {
    fuzz_bytes resaved = {NULL, 0, 0};
    FUZZ_CHECK(cxm_store_save_to(again, fuzz_collect, &resaved) == CXM_OK);
    FUZZ_CHECK(resaved.len == saved.len && memcmp(resaved.p, saved.p, saved.len) == 0);
    free(resaved.p);
  }
  st2.size = sizeof st2;
  FUZZ_CHECK(cxm_store_stats_get(&st2, again) == CXM_OK);
  FUZZ_CHECK(st2.events == st.events && st2.duplicates == st.duplicates && st2.customers == st.customers &&
             st2.first == st.first && st2.last == st.last && st2.cells == st.cells);
  cxm_store_free(again);
  FUZZ_CHECK(fa2.live == 0);

  /* Proper prefixes are refused. */
  {
    size_t cuts[4];
    size_t i;
    cuts[0] = 0;
    cuts[1] = size / 2;
    cuts[2] = size - 1;
    cuts[3] = size > 16 ? 16 : 0;
    for (i = 0; i < 4; i++) {
      cxm_store *s = NULL;
      fuzz_alloc fa3;
      FUZZ_CHECK(cuts[i] < size);
      FUZZ_CHECK(load(&s, &fa3, saved.p, cuts[i], 0) != CXM_OK);
    }
  }
  free(saved.p);

  /* Usable: queries run, and a new event is recorded. */
  FUZZ_CHECK(cxm_store_survey(&survey, store, NULL) == CXM_OK);
  cxm_event_init(&e);
  e.customer = "fuzz-customer";
  e.customer_len = 13;
  e.time = st.events > 0 ? st.last : 1773480600;
  e.kind = CXM_KIND_NPS;
  e.has_value = 1;
  e.value = 9;
  rc = cxm_store_record(store, &e);
  FUZZ_CHECK(rc == CXM_OK || rc == CXM_E_OVERFLOW || rc == CXM_E_LIMIT);
}

static void check_bytes(const uint8_t *data, size_t size, uint64_t seed) {
  cxm_store *store = NULL;
  fuzz_alloc fa;
  int32_t rc = load(&store, &fa, data, size, 0);
  uint64_t calls = fa.calls;
  FUZZ_CHECK(rc == CXM_OK || rc == CXM_E_FORMAT || rc == CXM_E_TRUNCATED || rc == CXM_E_VERSION ||
             rc == CXM_E_CHECKSUM);
  FUZZ_CHECK(fa.failed == 0);
  if (rc == CXM_OK) {
    check_loaded(store, &fa, data, size);
    cxm_store_free(store);
    FUZZ_CHECK(fa.live == 0);
  }
  /* Out of memory at the Nth allocation of the same load. */
  if (calls > 0) {
    uint64_t n = 1 + (seed >> 5) % calls;
    int32_t rc2 = load(&store, &fa, data, size, n);
    if (fa.failed > 0) {
      FUZZ_CHECK(rc2 == CXM_E_NOMEM);
    } else {
      FUZZ_CHECK(rc2 == rc);
    }
    if (rc2 == CXM_OK) {
      cxm_store_free(store);
      FUZZ_CHECK(fa.live == 0);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint64_t seed = fuzz_hash(data, size);
  uint8_t *fixed;
  check_bytes(data, size, seed);
  if (size < 16) return 0;
  fixed = malloc(size);
  FUZZ_CHECK(fixed != NULL);
  memcpy(fixed, data, size);
  fix_checksums(fixed, size);
  if (memcmp(fixed, data, size) != 0) check_bytes(fixed, size, seed);
  free(fixed);
  return 0;
}
