/* The SERVQUAL accumulator (cxm/experience.h): merge, gaps, and its
 * portable format (docs/formats.md, "SERVQUAL accumulator"). */
#include "experience/experience_internal.h"

#include "common/bytes.h"

#include <math.h>
#include <string.h>

void cxm_servqual_acc_init(cxm_servqual_acc *acc) {
  if (acc != NULL) memset(acc, 0, sizeof *acc);
}

static int add_overflows(const uint64_t *a, const uint64_t *b) {
  int d;
  for (d = 0; d < 6; d++)
    if (a[d] > UINT64_MAX - b[d]) return 1;
  return 0;
}

static void add_to(uint64_t *a, const uint64_t *b) {
  int d;
  for (d = 0; d < 6; d++) a[d] += b[d];
}

int32_t cxm_servqual_acc_merge(cxm_servqual_acc *dst, const cxm_servqual_acc *src) {
  if (dst == NULL || src == NULL) return CXM_E_ARG;
  if (add_overflows(dst->customers, src->customers) || add_overflows(dst->expectation_n, src->expectation_n) ||
      add_overflows(dst->expectation_sum, src->expectation_sum) ||
      add_overflows(dst->perception_n, src->perception_n) || add_overflows(dst->perception_sum, src->perception_sum))
    return CXM_E_OVERFLOW;
  add_to(dst->customers, src->customers);
  add_to(dst->expectation_n, src->expectation_n);
  add_to(dst->expectation_sum, src->expectation_sum);
  add_to(dst->perception_n, src->perception_n);
  add_to(dst->perception_sum, src->perception_sum);
  return CXM_OK;
}

int32_t cxm_servqual_compute(cxm_servqual_result *out, const cxm_servqual_acc *acc, const double *weights) {
  cxm_servqual_result r;
  double weighted = 0, total = 0;
  int d;
  if (out == NULL || acc == NULL) return CXM_E_ARG;
  if (weights != NULL) {
    /* The rules of cxm_experience_options.servqual_weights. */
    for (d = 0; d < 5; d++) {
      if (!(weights[d] >= 0) || !isfinite(weights[d])) return CXM_E_OPTION;
      total += weights[d];
    }
    if (!(total > 0)) return CXM_E_OPTION;
    total = 0;
  }
  memset(&r, 0, sizeof r);
  r.gap[0] = NAN;
  for (d = 1; d < CXM_DIMENSION_COUNT; d++) {
    double w;
    r.customers[d] = acc->customers[d];
    /* Each answer counts once: sums, not per-customer means. A qualifying
     * customer has answers of both kinds, so both counts are > 0. */
    r.gap[d] = acc->customers[d] > 0 && acc->perception_n[d] > 0 && acc->expectation_n[d] > 0
                   ? (double)acc->perception_sum[d] / (double)acc->perception_n[d] -
                         (double)acc->expectation_sum[d] / (double)acc->expectation_n[d]
                   : NAN;
    if (isnan(r.gap[d])) continue;
    w = weights != NULL ? weights[d - 1] : 1.0;
    weighted += w * r.gap[d];
    total += w;
  }
  /* The mean of the dimensions that have a gap; with weights, their
   * weighted mean (weights renormalised over those dimensions). */
  r.score = total > 0 ? weighted / total : NAN;
  *out = r;
  return CXM_OK;
}

/* ---- portable format: docs/formats.md, "SERVQUAL accumulator" ----------- */

static const uint8_t servqual_magic[4] = {'C', 'X', 'M', 'Q'};
#define SERVQUAL_VERSION 1

int32_t cxm_servqual_acc_serialize(uint8_t *buf, size_t cap, size_t *written, const cxm_servqual_acc *acc) {
  uint8_t *p;
  int d;
  if (written == NULL || acc == NULL || (buf == NULL && cap > 0)) return CXM_E_ARG;
  *written = CXM_SERVQUAL_ACC_BYTES;
  if (cap < CXM_SERVQUAL_ACC_BYTES) return CXM_E_BUFFER;
  memcpy(buf, servqual_magic, 4);
  buf[4] = SERVQUAL_VERSION;
  p = buf + 5;
  for (d = 1; d < 6; d++) {
    cxmi_put_u64(p, acc->customers[d]);
    cxmi_put_u64(p + 8, acc->expectation_n[d]);
    cxmi_put_u64(p + 16, acc->expectation_sum[d]);
    cxmi_put_u64(p + 24, acc->perception_n[d]);
    cxmi_put_u64(p + 32, acc->perception_sum[d]);
    p += 40;
  }
  return CXM_OK;
}

/* Whether `n` answers of 1..7 can sum to `sum`. */
static int plausible_sum(uint64_t n, uint64_t sum) { return sum >= n && (n > UINT64_MAX / 7 || sum <= 7 * n); }

int32_t cxm_servqual_acc_deserialize(cxm_servqual_acc *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  cxm_servqual_acc a;
  const uint8_t *p;
  int32_t rc;
  int d;
  if (acc == NULL || (buf == NULL && len > 0)) return CXM_E_ARG;
  rc = cxmi_check_header(buf, len, servqual_magic, SERVQUAL_VERSION);
  if (rc != CXM_OK) return rc;
  if (len < CXM_SERVQUAL_ACC_BYTES) return CXM_E_TRUNCATED;
  memset(&a, 0, sizeof a);
  p = buf + 5;
  for (d = 1; d < 6; d++) {
    a.customers[d] = cxmi_get_u64(p);
    a.expectation_n[d] = cxmi_get_u64(p + 8);
    a.expectation_sum[d] = cxmi_get_u64(p + 16);
    a.perception_n[d] = cxmi_get_u64(p + 24);
    a.perception_sum[d] = cxmi_get_u64(p + 32);
    p += 40;
    /* Reject what no store or merge can produce: every qualifying
     * customer has at least one answer of each kind, and only their
     * answers (1..7) are counted. */
    if (a.customers[d] > a.expectation_n[d] || a.customers[d] > a.perception_n[d] ||
        (a.customers[d] == 0 && (a.expectation_n[d] != 0 || a.perception_n[d] != 0)) ||
        !plausible_sum(a.expectation_n[d], a.expectation_sum[d]) ||
        !plausible_sum(a.perception_n[d], a.perception_sum[d]))
      return CXM_E_FORMAT;
  }
  *acc = a;
  if (consumed != NULL) *consumed = CXM_SERVQUAL_ACC_BYTES;
  return CXM_OK;
}
