/* libFuzzer target: the accumulator readers of docs/formats.md. The first
 * byte selects the format (modulo 5: survey, gap, SERVQUAL, loyalty,
 * service); the rest are the bytes handed to its deserialiser.
 *
 * Properties (a violation traps):
 *   - the reader returns CXM_OK, CXM_E_TRUNCATED, CXM_E_FORMAT or
 *     CXM_E_VERSION, and on error leaves `acc` and `consumed` untouched;
 *   - on success `consumed` is within the input (the fixed size for the
 *     fixed-size formats), and the encoding is canonical: serialising the
 *     accumulator gives back exactly the bytes consumed (so
 *     deserialise(serialise(x)) is byte-stable); the writer reports that
 *     size when the buffer is too small, and the bytes read back give the
 *     same accumulator;
 *   - every proper prefix of an accepted frame is CXM_E_TRUNCATED;
 *   - the metrics of an accepted accumulator compute (CXM_OK);
 *   - merging with an empty accumulator, either way, gives it back
 *     unchanged (a survey accumulator whose counts of one kind add up past
 *     2^64 - 1 may instead be refused, CXM_E_OVERFLOW, changing nothing); merging it with itself either reports CXM_E_OVERFLOW and
 *     leaves the destination as it was, or gives an accumulator that
 *     serialises and is accepted again (a merge of valid accumulators is
 *     valid: the readers reject only what adds and merges cannot produce).
 */
#include "cxm/experience.h"
#include "cxm/survey.h"
#include "fuzz_common.h"

typedef struct codec {
  size_t acc_size;
  size_t fixed; /* the frame's size, or 0 when it varies */
  void (*init)(void *acc);
  int32_t (*read)(void *acc, const uint8_t *buf, size_t len, size_t *consumed);
  int32_t (*write)(uint8_t *buf, size_t cap, size_t *written, const void *acc);
  int32_t (*merge)(void *dst, const void *src);
  int32_t (*compute)(const void *acc);
  int (*equal)(const void *a, const void *b, size_t size); /* same accumulator (numerically) */
} codec;

static int same_bytes(const void *a, const void *b, size_t size) { return memcmp(a, b, size) == 0; }

/* ---- survey ------------------------------------------------------------- */
static void survey_init(void *acc) { cxm_survey_acc_init(acc); }
static int32_t survey_read(void *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  return cxm_survey_acc_deserialize(acc, buf, len, consumed);
}
static int32_t survey_write(uint8_t *buf, size_t cap, size_t *written, const void *acc) {
  return cxm_survey_acc_serialize(buf, cap, written, acc);
}
static int32_t survey_merge(void *dst, const void *src) { return cxm_survey_acc_merge(dst, src); }
static int32_t survey_compute(const void *p) {
  const cxm_survey_acc *acc = p;
  cxm_nps_result nps;
  cxm_csat_result csat;
  cxm_ces_result ces;
  cxm_comparison cmp;
  int32_t rc = cxm_nps_compute(&nps, &acc->nps);
  if (rc == CXM_OK) rc = cxm_csat_compute(&csat, &acc->csat);
  if (rc == CXM_OK) rc = cxm_ces_compute(&ces, &acc->ces);
  if (rc == CXM_OK) rc = cxm_nps_compare(&cmp, &acc->nps, &acc->nps);
  if (rc == CXM_OK) rc = cxm_csat_compare(&cmp, &acc->csat, &acc->csat);
  return rc;
}

/* Whether some kind's answers add up past 2^64 - 1: the reader accepts
 * such counts (docs/formats.md), which adds and merges never produce, and
 * merge refuses to add anything to them. */
static int survey_overflowed(const void *p) {
  const cxm_survey_acc *a = p;
  const uint64_t *kinds[3] = {a->nps.count, a->csat.count, a->ces.count};
  const size_t n[3] = {11, 5, 7};
  size_t k, i;
  for (k = 0; k < 3; k++) {
    uint64_t sum = 0;
    for (i = 0; i < n[k]; i++) {
      if (kinds[k][i] > UINT64_MAX - sum) return 1;
      sum += kinds[k][i];
    }
  }
  return 0;
}

/* ---- gap ---------------------------------------------------------------- */
static void gap_init(void *acc) { cxm_gap_acc_init(acc); }
static int32_t gap_read(void *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  return cxm_gap_acc_deserialize(acc, buf, len, consumed);
}
static int32_t gap_write(uint8_t *buf, size_t cap, size_t *written, const void *acc) {
  return cxm_gap_acc_serialize(buf, cap, written, acc);
}
static int32_t gap_merge(void *dst, const void *src) { return cxm_gap_acc_merge(dst, src); }
static int32_t gap_compute(const void *acc) {
  cxm_gap_result r;
  return cxm_gap_compute(&r, acc);
}
/* Doubles compare as numbers: a sum may turn -0.0 into 0.0. */
static int gap_equal(const void *pa, const void *pb, size_t size) {
  const cxm_gap_acc *a = pa, *b = pb;
  (void)size;
  return a->pairs == b->pairs && a->mean == b->mean && a->m2 == b->m2 && a->service_sum == b->service_sum &&
         a->experience_sum == b->experience_sum && a->blind_spots == b->blind_spots &&
         a->reverse_spots == b->reverse_spots;
}

/* ---- SERVQUAL ----------------------------------------------------------- */
static void servqual_init(void *acc) { cxm_servqual_acc_init(acc); }
static int32_t servqual_read(void *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  return cxm_servqual_acc_deserialize(acc, buf, len, consumed);
}
static int32_t servqual_write(uint8_t *buf, size_t cap, size_t *written, const void *acc) {
  return cxm_servqual_acc_serialize(buf, cap, written, acc);
}
static int32_t servqual_merge(void *dst, const void *src) { return cxm_servqual_acc_merge(dst, src); }
static int32_t servqual_compute(const void *acc) {
  static const double weights[5] = {0.5, 1, 2, 0, 1};
  cxm_servqual_result r;
  int32_t rc = cxm_servqual_compute(&r, acc, NULL);
  if (rc == CXM_OK) rc = cxm_servqual_compute(&r, acc, weights);
  return rc;
}

/* ---- loyalty ------------------------------------------------------------ */
static void loyalty_init(void *acc) { cxm_loyalty_acc_init(acc); }
static int32_t loyalty_read(void *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  return cxm_loyalty_acc_deserialize(acc, buf, len, consumed);
}
static int32_t loyalty_write(uint8_t *buf, size_t cap, size_t *written, const void *acc) {
  return cxm_loyalty_acc_serialize(buf, cap, written, acc);
}
static int32_t loyalty_merge(void *dst, const void *src) { return cxm_loyalty_acc_merge(dst, src); }
static int32_t loyalty_compute(const void *acc) {
  cxm_loyalty_result r;
  return cxm_loyalty_compute(&r, acc);
}

/* ---- service ------------------------------------------------------------ */
static void service_init(void *acc) { cxm_service_acc_init(acc); }
static int32_t service_read(void *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  return cxm_service_acc_deserialize(acc, buf, len, consumed);
}
static int32_t service_write(uint8_t *buf, size_t cap, size_t *written, const void *acc) {
  return cxm_service_acc_serialize(buf, cap, written, acc);
}
static int32_t service_merge(void *dst, const void *src) { return cxm_service_acc_merge(dst, src); }
static int32_t service_compute(const void *acc) {
  cxm_service_result r;
  return cxm_service_compute(&r, acc);
}

static const codec codecs[5] = {
    {sizeof(cxm_survey_acc), 0, survey_init, survey_read, survey_write, survey_merge, survey_compute, same_bytes},
    {sizeof(cxm_gap_acc), CXM_GAP_ACC_BYTES, gap_init, gap_read, gap_write, gap_merge, gap_compute, gap_equal},
    {sizeof(cxm_servqual_acc), CXM_SERVQUAL_ACC_BYTES, servqual_init, servqual_read, servqual_write, servqual_merge,
     servqual_compute, same_bytes},
    {sizeof(cxm_loyalty_acc), CXM_LOYALTY_ACC_BYTES, loyalty_init, loyalty_read, loyalty_write, loyalty_merge,
     loyalty_compute, same_bytes},
    {sizeof(cxm_service_acc), 0, service_init, service_read, service_write, service_merge, service_compute, same_bytes},
};

/* Largest frame any of them writes. */
#define MAX_FRAME CXM_SERVICE_ACC_MAX_BYTES

#define CONSUMED_SENTINEL ((size_t)0x5a5a5a5a)

/* The serialised form of acc: written to out (MAX_FRAME bytes), length
 * returned; also checks the writer's size reports. */
static size_t write_checked(const codec *c, uint8_t *out, const void *acc) {
  size_t need = 0, written = 0;
  FUZZ_CHECK(c->write(NULL, 0, &need, acc) == CXM_E_BUFFER);
  FUZZ_CHECK(need >= 5 && need <= MAX_FRAME && (c->fixed == 0 || need == c->fixed));
  FUZZ_CHECK(c->write(out, need - 1, &written, acc) == CXM_E_BUFFER && written == need);
  FUZZ_CHECK(c->write(out, MAX_FRAME, &written, acc) == CXM_OK && written == need);
  return need;
}

/* Read `len` bytes from an exactly sized copy (so a read past the end is
 * caught), checking the error contract. */
static int32_t read_checked(const codec *c, void *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  uint8_t *copy = malloc(len > 0 ? len : 1);
  unsigned char *before = malloc(c->acc_size);
  int32_t rc;
  FUZZ_CHECK(copy != NULL && before != NULL);
  if (len > 0) memcpy(copy, buf, len);
  memset(acc, 0xA5, c->acc_size);
  memcpy(before, acc, c->acc_size);
  *consumed = CONSUMED_SENTINEL;
  rc = c->read(acc, copy, len, consumed);
  FUZZ_CHECK(rc == CXM_OK || rc == CXM_E_TRUNCATED || rc == CXM_E_FORMAT || rc == CXM_E_VERSION);
  if (rc != CXM_OK) {
    FUZZ_CHECK(*consumed == CONSUMED_SENTINEL && memcmp(acc, before, c->acc_size) == 0);
  } else {
    FUZZ_CHECK(*consumed >= 5 && *consumed <= len && (c->fixed == 0 || *consumed == c->fixed));
  }
  free(before);
  free(copy);
  return rc;
}

static void check_codec(const codec *c, const uint8_t *buf, size_t len) {
  void *acc = malloc(c->acc_size), *again = malloc(c->acc_size), *empty = malloc(c->acc_size),
       *merged = malloc(c->acc_size);
  uint8_t *out = malloc(MAX_FRAME);
  size_t consumed, n, k;
  int32_t rc;
  FUZZ_CHECK(acc != NULL && again != NULL && empty != NULL && merged != NULL && out != NULL);

  rc = read_checked(c, acc, buf, len, &consumed);
  if (rc == CXM_OK) {
    /* Canonical: the writer gives back the very bytes. */
    n = write_checked(c, out, acc);
    FUZZ_CHECK(n == consumed && memcmp(out, buf, n) == 0);
    FUZZ_CHECK(read_checked(c, again, out, n, &k) == CXM_OK && k == n);
    FUZZ_CHECK(memcmp(again, acc, c->acc_size) == 0);

    /* Every proper prefix is short, not malformed. Short frames are cut
     * everywhere; long ones at the header and near both ends. */
    for (k = 0; k < n; k++) {
      if (n > 96 && k > 48 && k < n - 48 && k != n / 2) continue;
      FUZZ_CHECK(read_checked(c, again, out, k, &consumed) == CXM_E_TRUNCATED);
    }

    FUZZ_CHECK(c->compute(acc) == CXM_OK);

    /* Merging with nothing changes nothing, either way round. */
    c->init(empty);
    memcpy(merged, acc, c->acc_size);
    rc = c->merge(merged, empty);
    FUZZ_CHECK(rc == CXM_OK || (rc == CXM_E_OVERFLOW && c->read == survey_read && survey_overflowed(acc)));
    FUZZ_CHECK(c->equal(merged, acc, c->acc_size));
    memcpy(merged, empty, c->acc_size);
    rc = c->merge(merged, acc);
    FUZZ_CHECK(rc == CXM_OK || (rc == CXM_E_OVERFLOW && c->read == survey_read && survey_overflowed(acc)));
    FUZZ_CHECK(c->equal(merged, rc == CXM_OK ? acc : empty, c->acc_size));

    /* A merge of valid accumulators is valid (or refused whole). */
    memcpy(merged, acc, c->acc_size);
    rc = c->merge(merged, acc);
    FUZZ_CHECK(rc == CXM_OK || rc == CXM_E_OVERFLOW);
    if (rc == CXM_E_OVERFLOW) {
      FUZZ_CHECK(memcmp(merged, acc, c->acc_size) == 0);
    } else {
      n = write_checked(c, out, merged);
      FUZZ_CHECK(read_checked(c, again, out, n, &k) == CXM_OK && k == n);
      FUZZ_CHECK(memcmp(again, merged, c->acc_size) == 0);
      FUZZ_CHECK(c->compute(merged) == CXM_OK);
    }
  }
  free(out);
  free(merged);
  free(empty);
  free(again);
  free(acc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) {
    /* No bytes at all: the survey reader wants a buffer, the others say
     * "truncated". */
    cxm_survey_acc s;
    cxm_loyalty_acc l;
    FUZZ_CHECK(cxm_survey_acc_deserialize(&s, NULL, 0, NULL) == CXM_E_ARG);
    FUZZ_CHECK(cxm_loyalty_acc_deserialize(&l, NULL, 0, NULL) == CXM_E_TRUNCATED);
    return 0;
  }
  check_codec(&codecs[data[0] % 5], data + 1, size - 1);
  return 0;
}
