/* Tests of the survey accumulator byte format (src/survey/survey_codec.c,
 * docs/formats.md "Survey accumulator"): exact bytes, round trips, and
 * every way a malformed buffer is rejected. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cxm.h"

static int acc_equal(const cxm_survey_acc *a, const cxm_survey_acc *b) {
  return memcmp(a->nps.count, b->nps.count, sizeof a->nps.count) == 0 &&
         memcmp(a->csat.count, b->csat.count, sizeof a->csat.count) == 0 &&
         memcmp(a->ces.count, b->ces.count, sizeof a->ces.count) == 0;
}

/* By hand: nps[0] = 1, nps[10] = 300, csat[0] = 128, csat[4] = 127,
 * ces[6] = 2^63, everything else 0. LEB128: 1 -> 01; 300 = 0b10_0101100
 * -> AC 02; 128 -> 80 01; 127 -> 7F; 2^63 -> 80 x9 then 01; 0 -> 00.
 * Payload: nps 01 00x9 AC 02 (12 bytes), csat 80 01 00 00 00 7F (6),
 * ces 00x6 80x9 01 (16): 34 = 0x22 bytes. */
static const uint8_t known_bytes[] = {
    0x43, 0x58, 0x4D, 0x53, 0x01, 0x22,                                     /* "CXMS", v1, L = 34 */
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xAC, 0x02, /* nps */
    0x80, 0x01, 0x00, 0x00, 0x00, 0x7F,                                     /* csat */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                                     /* ces 1..6 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,             /* ces 7 = 2^63 */
};

static cxm_survey_acc known_acc(void) {
  cxm_survey_acc a;
  cxm_survey_acc_init(&a);
  a.nps.count[0] = 1;
  a.nps.count[10] = 300;
  a.csat.count[0] = 128;
  a.csat.count[4] = 127;
  a.ces.count[6] = (uint64_t)1 << 63;
  return a;
}

static void test_known_bytes(void **state) {
  (void)state;
  cxm_survey_acc a = known_acc();
  uint8_t buf[CXM_SURVEY_ACC_MAX_BYTES];
  size_t n = 0;
  assert_int_equal(cxm_survey_acc_serialize(buf, sizeof buf, &n, &a), CXM_OK);
  assert_int_equal(n, sizeof known_bytes);
  assert_memory_equal(buf, known_bytes, sizeof known_bytes);
  cxm_survey_acc b;
  size_t used = 0;
  assert_int_equal(cxm_survey_acc_deserialize(&b, known_bytes, sizeof known_bytes, &used), CXM_OK);
  assert_int_equal(used, sizeof known_bytes);
  assert_true(acc_equal(&a, &b));
}

static void test_sizes_and_buffer(void **state) {
  (void)state;
  cxm_survey_acc a;
  cxm_survey_acc_init(&a);
  uint8_t buf[CXM_SURVEY_ACC_MAX_BYTES];
  size_t n = 0;
  /* Empty: 6 header bytes + 23 zero bytes = 29. */
  assert_int_equal(cxm_survey_acc_serialize(buf, sizeof buf, &n, &a), CXM_OK);
  assert_int_equal(n, 29);
  /* Every count at UINT64_MAX: 23 * 10 + 6 = 236 <= 256. */
  for (int i = 0; i < 11; i++) {
    a.nps.count[i] = UINT64_MAX;
  }
  for (int i = 0; i < 5; i++) {
    a.csat.count[i] = UINT64_MAX;
  }
  for (int i = 0; i < 7; i++) {
    a.ces.count[i] = UINT64_MAX;
  }
  assert_int_equal(cxm_survey_acc_serialize(buf, sizeof buf, &n, &a), CXM_OK);
  assert_int_equal(n, 236);
  assert_true(n <= CXM_SURVEY_ACC_MAX_BYTES);
  assert_int_equal(buf[5], 230);
  assert_int_equal(buf[6 + 9], 0x01); /* 10th byte of 2^64 - 1 carries bit 63 */
  cxm_survey_acc b;
  size_t used = 0;
  assert_int_equal(cxm_survey_acc_deserialize(&b, buf, n, &used), CXM_OK);
  assert_int_equal(used, 236);
  assert_true(acc_equal(&a, &b));
  /* Too small a buffer: CXM_E_BUFFER, the size needed, nothing written
   * past cap. */
  uint8_t small[64];
  memset(small, 0xEE, sizeof small);
  assert_int_equal(cxm_survey_acc_serialize(small, 10, &n, &a), CXM_E_BUFFER);
  assert_int_equal(n, 236);
  for (size_t i = 0; i < sizeof small; i++) {
    assert_int_equal(small[i], 0xEE);
  }
  assert_int_equal(cxm_survey_acc_serialize(NULL, 0, &n, &a), CXM_E_BUFFER);
  assert_int_equal(n, 236);
  assert_int_equal(cxm_survey_acc_serialize(buf, 235, &n, &a), CXM_E_BUFFER);
  assert_int_equal(cxm_survey_acc_serialize(buf, 236, &n, &a), CXM_OK);
  /* Arguments. */
  assert_int_equal(cxm_survey_acc_serialize(NULL, 10, &n, &a), CXM_E_ARG);
  assert_int_equal(cxm_survey_acc_serialize(buf, sizeof buf, NULL, &a), CXM_E_ARG);
  assert_int_equal(cxm_survey_acc_serialize(buf, sizeof buf, &n, NULL), CXM_E_ARG);
  assert_int_equal(cxm_survey_acc_deserialize(NULL, buf, n, &used), CXM_E_ARG);
  assert_int_equal(cxm_survey_acc_deserialize(&b, NULL, n, &used), CXM_E_ARG);
  /* consumed may be NULL. */
  assert_int_equal(cxm_survey_acc_deserialize(&b, buf, n, NULL), CXM_OK);
}

/* splitmix64 (Steele, Lea & Flood 2014). */
static uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

static void random_acc(cxm_survey_acc *a, uint64_t *seed) {
  uint64_t *all[23];
  size_t k = 0;
  for (int i = 0; i < 11; i++) {
    all[k++] = &a->nps.count[i];
  }
  for (int i = 0; i < 5; i++) {
    all[k++] = &a->csat.count[i];
  }
  for (int i = 0; i < 7; i++) {
    all[k++] = &a->ces.count[i];
  }
  for (size_t i = 0; i < k; i++) {
    /* Every varint length 1..10 and the boundaries 2^(7j) - 1, 2^(7j). */
    uint64_t r = rng_next(seed);
    unsigned bits = (unsigned)(rng_next(seed) % 65);
    uint64_t v = bits == 64 ? r : (bits == 0 ? 0 : r >> (64 - bits));
    switch (rng_next(seed) % 4) {
    case 0: v = bits % 64 == 0 ? 0 : ((uint64_t)1 << (7 * (bits % 9 + 1))) - (rng_next(seed) % 2); break;
    default: break;
    }
    *all[i] = v;
  }
}

static void test_round_trips(void **state) {
  (void)state;
  uint64_t seed = 99;
  uint8_t buf[2 * CXM_SURVEY_ACC_MAX_BYTES];
  for (int it = 0; it < 5000; it++) {
    cxm_survey_acc a;
    cxm_survey_acc b;
    cxm_survey_acc c;
    random_acc(&a, &seed);
    random_acc(&b, &seed);
    size_t n1 = 0;
    size_t n2 = 0;
    assert_int_equal(cxm_survey_acc_serialize(buf, sizeof buf, &n1, &a), CXM_OK);
    assert_true(n1 <= CXM_SURVEY_ACC_MAX_BYTES);
    /* A second frame right after the first: the reader stops at the
     * declared end and reports it. */
    assert_int_equal(cxm_survey_acc_serialize(buf + n1, sizeof buf - n1, &n2, &b), CXM_OK);
    size_t used = 0;
    assert_int_equal(cxm_survey_acc_deserialize(&c, buf, n1 + n2, &used), CXM_OK);
    assert_int_equal(used, n1);
    assert_true(acc_equal(&a, &c));
    assert_int_equal(cxm_survey_acc_deserialize(&c, buf + used, n1 + n2 - used, &used), CXM_OK);
    assert_int_equal(used, n2);
    assert_true(acc_equal(&b, &c));
    /* Canonical: re-serialising the parsed value gives the same bytes. */
    uint8_t again[CXM_SURVEY_ACC_MAX_BYTES];
    size_t n3 = 0;
    assert_int_equal(cxm_survey_acc_serialize(again, sizeof again, &n3, &c), CXM_OK);
    assert_int_equal(n3, n2);
    assert_memory_equal(again, buf + n1, n2);
  }
}

/* Deserialise into a sentinel accumulator; on error it must be unchanged. */
static int32_t parse(const uint8_t *buf, size_t len) {
  cxm_survey_acc a;
  memset(&a, 0xA5, sizeof a);
  cxm_survey_acc before = a;
  size_t used = 12345;
  int32_t rc = cxm_survey_acc_deserialize(&a, buf, len, &used);
  if (rc != CXM_OK) {
    assert_true(acc_equal(&a, &before));
    assert_int_equal(used, 12345);
  } else {
    assert_true(used <= len);
  }
  return rc;
}

static void test_truncated(void **state) {
  (void)state;
  /* Every proper prefix of a valid frame is CXM_E_TRUNCATED (including the
   * empty buffer). */
  for (size_t len = 0; len < sizeof known_bytes; len++) {
    assert_int_equal(parse(known_bytes, len), CXM_E_TRUNCATED);
  }
  assert_int_equal(parse(known_bytes, sizeof known_bytes), CXM_OK);
}

static void test_bad_magic_and_version(void **state) {
  (void)state;
  uint8_t b[sizeof known_bytes];
  for (size_t i = 0; i < 4; i++) {
    memcpy(b, known_bytes, sizeof b);
    b[i] ^= 0x20; /* e.g. "cXMS" */
    assert_int_equal(parse(b, sizeof b), CXM_E_FORMAT);
    /* Even when the buffer stops inside the magic. */
    assert_int_equal(parse(b, i + 1), CXM_E_FORMAT);
  }
  memcpy(b, known_bytes, sizeof b);
  b[4] = 0; /* version 0 never existed */
  assert_int_equal(parse(b, sizeof b), CXM_E_FORMAT);
  b[4] = 2; /* a future version */
  assert_int_equal(parse(b, sizeof b), CXM_E_VERSION);
  assert_int_equal(parse(b, 5), CXM_E_VERSION); /* known before the rest */
  b[4] = 255;
  assert_int_equal(parse(b, sizeof b), CXM_E_VERSION);
}

static void test_bad_frame(void **state) {
  (void)state;
  uint8_t b[300];
  /* Declared length shorter than the varints: the last varint runs past
   * the frame: malformed. */
  memcpy(b, known_bytes, sizeof known_bytes);
  b[5] = 0x21;
  assert_int_equal(parse(b, sizeof known_bytes), CXM_E_FORMAT);
  b[5] = 0;
  assert_int_equal(parse(b, sizeof known_bytes), CXM_E_FORMAT);
  /* Declared length longer than the varints: garbage inside the frame. */
  memcpy(b, known_bytes, sizeof known_bytes);
  b[5] = 0x23;
  b[sizeof known_bytes] = 0x00;
  assert_int_equal(parse(b, sizeof known_bytes + 1), CXM_E_FORMAT);
  /* ... but the same length with the byte missing is truncated. */
  assert_int_equal(parse(b, sizeof known_bytes), CXM_E_TRUNCATED);
  /* Declared length 255 with a buffer that long: trailing garbage. */
  memset(b, 0, sizeof b);
  memcpy(b, known_bytes, sizeof known_bytes);
  b[5] = 255;
  assert_int_equal(parse(b, 6 + 255), CXM_E_FORMAT);
  assert_int_equal(parse(b, 6 + 254), CXM_E_TRUNCATED);
  /* Bytes after the frame are not the frame's business. */
  memcpy(b, known_bytes, sizeof known_bytes);
  b[sizeof known_bytes] = 0xFF;
  cxm_survey_acc a;
  size_t used = 0;
  assert_int_equal(cxm_survey_acc_deserialize(&a, b, sizeof known_bytes + 1, &used), CXM_OK);
  assert_int_equal(used, sizeof known_bytes);
}

/* A frame of 23 varints where the first is `first` (len bytes) and the
 * other 22 are 0. */
static size_t frame_with(uint8_t *b, const uint8_t *first, size_t len) {
  const uint8_t head[5] = {0x43, 0x58, 0x4D, 0x53, 0x01};
  memcpy(b, head, 5);
  b[5] = (uint8_t)(len + 22);
  memcpy(b + 6, first, len);
  memset(b + 6 + len, 0, 22);
  return 6 + len + 22;
}

static void test_bad_varints(void **state) {
  (void)state;
  uint8_t b[300];
  /* Valid: 2^64 - 1 in 10 bytes. */
  const uint8_t max[10] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
  size_t n = frame_with(b, max, sizeof max);
  cxm_survey_acc a;
  assert_int_equal(cxm_survey_acc_deserialize(&a, b, n, NULL), CXM_OK);
  assert_true(a.nps.count[0] == UINT64_MAX);
  /* 2^64: the 10th byte carries more than bit 63. */
  const uint8_t over[10] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02};
  n = frame_with(b, over, sizeof over);
  assert_int_equal(parse(b, n), CXM_E_FORMAT);
  const uint8_t over7f[10] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F};
  n = frame_with(b, over7f, sizeof over7f);
  assert_int_equal(parse(b, n), CXM_E_FORMAT);
  /* Eleven bytes (continuation on the 10th). */
  const uint8_t eleven[11] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00};
  n = frame_with(b, eleven, sizeof eleven);
  assert_int_equal(parse(b, n), CXM_E_FORMAT);
  /* Non-minimal encodings of 0 and of 1. */
  const uint8_t zero2[2] = {0x80, 0x00};
  n = frame_with(b, zero2, sizeof zero2);
  assert_int_equal(parse(b, n), CXM_E_FORMAT);
  const uint8_t one3[3] = {0x81, 0x80, 0x00};
  n = frame_with(b, one3, sizeof one3);
  assert_int_equal(parse(b, n), CXM_E_FORMAT);
  /* The same bytes with a minimal 1 are fine. */
  const uint8_t one[1] = {0x01};
  n = frame_with(b, one, sizeof one);
  assert_int_equal(parse(b, n), CXM_OK);
  /* A continuation byte as the very last byte of the frame. */
  n = frame_with(b, one, sizeof one);
  b[n - 1] = 0x80;
  assert_int_equal(parse(b, n), CXM_E_FORMAT);
}

static void test_fuzz(void **state) {
  (void)state;
  /* Random corruptions of valid frames, parsed from an exactly sized heap
   * buffer so that ASan sees any read past the end. Every outcome must be
   * one of the documented codes, and OK must consume at most len. */
  uint64_t seed = 12345;
  uint8_t buf[CXM_SURVEY_ACC_MAX_BYTES];
  int ok = 0;
  for (int it = 0; it < 20000; it++) {
    cxm_survey_acc a;
    random_acc(&a, &seed);
    size_t n = 0;
    assert_int_equal(cxm_survey_acc_serialize(buf, sizeof buf, &n, &a), CXM_OK);
    int flips = 1 + (int)(rng_next(&seed) % 3);
    for (int f = 0; f < flips; f++) {
      buf[rng_next(&seed) % n] ^= (uint8_t)(1u << (rng_next(&seed) % 8));
    }
    size_t len = (rng_next(&seed) % 4 == 0) ? (size_t)(rng_next(&seed) % (n + 1)) : n;
    uint8_t *heap = test_malloc(len == 0 ? 1 : len);
    memcpy(heap, buf, len);
    int32_t rc = parse(heap, len);
    test_free(heap);
    assert_true(rc == CXM_OK || rc == CXM_E_FORMAT || rc == CXM_E_TRUNCATED || rc == CXM_E_VERSION);
    ok += rc == CXM_OK;
  }
  /* Flips inside the counts' payload bits often still parse: the format
   * has no checksum (docs/formats.md says so). */
  assert_true(ok > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_bytes),           cmocka_unit_test(test_sizes_and_buffer),
      cmocka_unit_test(test_round_trips),           cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_bad_magic_and_version), cmocka_unit_test(test_bad_frame),
      cmocka_unit_test(test_bad_varints),           cmocka_unit_test(test_fuzz),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
