/* The perception gap: service (internal ratings) minus experience
 * (customer ratings) per interaction, summed over a slice
 * (docs/metrics.md, "Service vs experience"). */
#include "experience/experience_internal.h"

#include "common/bytes.h"
#include "store/slice.h"
#include "math/stats.h"

#include <math.h>
#include <string.h>

void cxm_gap_acc_init(cxm_gap_acc *acc) {
  if (acc != NULL) memset(acc, 0, sizeof *acc);
}

int32_t cxm_gap_acc_add(cxm_gap_acc *acc, double service, double experience, double top_box) {
  double gap, delta;
  int service_top, experience_top;
  if (acc == NULL) return CXM_E_ARG;
  if (!(service >= 0 && service <= 100 && experience >= 0 && experience <= 100)) return CXM_E_VALUE;
  if (acc->pairs == UINT64_MAX) return CXM_E_OVERFLOW;
  gap = service - experience;
  /* Welford's update: stable for long runs of similar gaps. */
  acc->pairs++;
  delta = gap - acc->mean;
  acc->mean += delta / (double)acc->pairs;
  acc->m2 += delta * (gap - acc->mean);
  acc->service_sum += service;
  acc->experience_sum += experience;
  service_top = service > top_box;
  experience_top = experience > top_box;
  if (service_top && !experience_top) acc->blind_spots++;
  if (experience_top && !service_top) acc->reverse_spots++;
  return CXM_OK;
}

int32_t cxm_gap_acc_merge(cxm_gap_acc *dst, const cxm_gap_acc *src) {
  double n1, n2, n, delta;
  if (dst == NULL || src == NULL) return CXM_E_ARG;
  if (src->pairs == 0) return CXM_OK;
  if (dst->pairs > UINT64_MAX - src->pairs) return CXM_E_OVERFLOW;
  /* Chan, Golub & LeVeque (1979): combine means and squared deviations. */
  n1 = (double)dst->pairs;
  n2 = (double)src->pairs;
  n = n1 + n2;
  delta = src->mean - dst->mean;
  dst->mean += delta * (n2 / n);
  dst->m2 += src->m2 + delta * delta * (n1 * n2 / n);
  dst->pairs += src->pairs;
  dst->service_sum += src->service_sum;
  dst->experience_sum += src->experience_sum;
  dst->blind_spots += src->blind_spots;
  dst->reverse_spots += src->reverse_spots;
  return CXM_OK;
}

int32_t cxm_gap_compute(cxm_gap_result *out, const cxm_gap_acc *acc) {
  double n, b, c;
  if (out == NULL || acc == NULL) return CXM_E_ARG;
  memset(out, 0, sizeof *out);
  out->pairs = acc->pairs;
  out->blind_spots = acc->blind_spots;
  out->reverse_spots = acc->reverse_spots;
  out->mean = out->se = out->ci95_low = out->ci95_high = NAN;
  out->service = out->experience = out->delivery_gap = out->blind_spot_pct = out->delivery_z = NAN;
  if (acc->pairs == 0) return CXM_OK;
  n = (double)acc->pairs;
  b = (double)acc->blind_spots;
  c = (double)acc->reverse_spots;
  out->mean = acc->mean;
  out->service = acc->service_sum / n;
  out->experience = acc->experience_sum / n;
  out->delivery_gap = 100.0 * (b - c) / n;
  out->blind_spot_pct = 100.0 * b / n;
  if (b + c > 0) out->delivery_z = (b - c) / sqrt(b + c);
  if (acc->pairs >= 2) {
    double s = sqrt((acc->m2 > 0 ? acc->m2 : 0) / (n - 1));
    double t = cxmi_t_quantile(0.975, n - 1);
    out->se = s / sqrt(n);
    out->ci95_low = out->mean - t * out->se;
    out->ci95_high = out->mean + t * out->se;
  }
  return CXM_OK;
}

int32_t cxmi_group_gap(cxm_gap_acc *out, const cxmi_grouping *g, const cxm_experience_options *o) {
  const cxm_store *store = g->store;
  size_t k;
  uint32_t i;
  for (k = 0; k < g->count; k++) cxm_gap_acc_init(&out[k]);
  for (i = 0; i < store->interactions.refs.count; i++) {
    const cxmi_interaction *r = &store->interactions.items[i];
    int64_t at;
    int32_t rc;
    if (r->internal_n == 0 || r->rating_n == 0) continue;
    /* A pair lives where its earliest internal rating was given, and in
     * the period its interaction began: its earliest event of any kind
     * (docs/metrics.md), so a contact opened on 31 January and rated on
     * 1 February is January's. */
    at = cxmi_grouping_item(g, r->first_time, r->internal_channel, r->internal_stage, r->internal_segment);
    if (at < 0) continue;
    rc = cxm_gap_acc_add(&out[at], r->internal_sum / r->internal_n, r->rating_sum / r->rating_n, o->top_box);
    if (rc != CXM_OK) return rc;
  }
  return CXM_OK;
}

int32_t cxm_store_gap(cxm_gap_acc *out, const cxm_store *store, const cxm_filter *filter,
                      const cxm_experience_options *options) {
  cxm_filter f;
  cxm_experience_options o;
  cxmi_grouping all;
  cxm_gap_acc acc;
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  rc = cxmi_filter_resolve(&f, store, filter);
  if (rc != CXM_OK) return rc;
  rc = cxmi_experience_options_resolve(&o, options);
  if (rc != CXM_OK) return rc;
  cxmi_grouping_all(&all, store, &f);
  rc = cxmi_group_gap(&acc, &all, &o);
  if (rc != CXM_OK) return rc;
  *out = acc;
  return CXM_OK;
}

/* ---- portable format: docs/formats.md, "gap accumulator" ---------------- */

static const uint8_t gap_magic[4] = {'C', 'X', 'M', 'G'};
#define GAP_VERSION 1

static void put_f64(uint8_t *p, double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  cxmi_put_u64(p, bits);
}

static double get_f64(const uint8_t *p) {
  uint64_t bits = cxmi_get_u64(p);
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

/* One encoding per value: -0.0 is written as +0.0 (equal accumulators,
 * equal bytes), so a reader refuses a negative zero. */
static int negative_zero(double d) { return d == 0 && signbit(d); }

int32_t cxm_gap_acc_serialize(uint8_t *buf, size_t cap, size_t *written, const cxm_gap_acc *acc) {
  if (written == NULL || acc == NULL || (buf == NULL && cap > 0)) return CXM_E_ARG;
  *written = CXM_GAP_ACC_BYTES;
  if (cap < CXM_GAP_ACC_BYTES) return CXM_E_BUFFER;
  memcpy(buf, gap_magic, 4);
  buf[4] = GAP_VERSION;
  cxmi_put_u64(buf + 5, acc->pairs);
  put_f64(buf + 13, acc->mean + 0.0); /* x + 0.0 turns -0.0 into +0.0 and keeps every other x */
  put_f64(buf + 21, acc->m2 + 0.0);
  put_f64(buf + 29, acc->service_sum + 0.0);
  put_f64(buf + 37, acc->experience_sum + 0.0);
  cxmi_put_u64(buf + 45, acc->blind_spots);
  cxmi_put_u64(buf + 53, acc->reverse_spots);
  return CXM_OK;
}

/* Whether the values are within what adds of scores 0..100 and merges
 * can produce: gaps in -100..100, so |mean| <= 100; sums of scores in
 * 0..100 * pairs; and m2 / pairs, a variance of values in -100..100 with
 * that mean, at most (100 - mean)(mean + 100) (Bhatia & Davis 2000). A
 * relative margin of 2^-20 covers rounding. Out-of-range values are not
 * only impossible but harmful: a merge squares the difference of two
 * means, so a mean near DBL_MAX turns m2 into infinity or NaN (found by
 * fuzz/fuzz_codec.c). */
static int gap_acc_in_range(const cxm_gap_acc *a) {
  const double slack = 1.0 + 0x1p-20;
  double n = (double)a->pairs;
  return fabs(a->mean) <= 100 * slack && a->service_sum >= 0 && a->service_sum <= 100 * n * slack &&
         a->experience_sum >= 0 && a->experience_sum <= 100 * n * slack &&
         a->m2 <= n * ((100 - fabs(a->mean)) * (100 + fabs(a->mean)) + 1e4 * 0x1p-20);
}

int32_t cxm_gap_acc_deserialize(cxm_gap_acc *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  cxm_gap_acc a;
  int32_t rc;
  if (acc == NULL || (buf == NULL && len > 0)) return CXM_E_ARG;
  rc = cxmi_check_header(buf, len, gap_magic, GAP_VERSION);
  if (rc != CXM_OK) return rc;
  if (len < CXM_GAP_ACC_BYTES) return CXM_E_TRUNCATED;
  a.pairs = cxmi_get_u64(buf + 5);
  a.mean = get_f64(buf + 13);
  a.m2 = get_f64(buf + 21);
  a.service_sum = get_f64(buf + 29);
  a.experience_sum = get_f64(buf + 37);
  a.blind_spots = cxmi_get_u64(buf + 45);
  a.reverse_spots = cxmi_get_u64(buf + 53);
  /* Reject what no sequence of adds and merges can produce. */
  if (!isfinite(a.mean) || !isfinite(a.m2) || a.m2 < 0 || !isfinite(a.service_sum) || !isfinite(a.experience_sum) ||
      a.blind_spots > a.pairs || a.reverse_spots > a.pairs - a.blind_spots ||
      (a.pairs == 0 && (a.mean != 0 || a.m2 != 0 || a.service_sum != 0 || a.experience_sum != 0)))
    return CXM_E_FORMAT;
  if (!gap_acc_in_range(&a)) return CXM_E_FORMAT;
  if (negative_zero(a.mean) || negative_zero(a.m2) || negative_zero(a.service_sum) || negative_zero(a.experience_sum))
    return CXM_E_FORMAT;
  *acc = a;
  if (consumed != NULL) *consumed = CXM_GAP_ACC_BYTES;
  return CXM_OK;
}
