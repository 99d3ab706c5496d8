/* The service-level accumulator (cxm/experience.h): counts, exact sums and
 * log-linear histograms of durations; merge, levels, and its portable
 * format (docs/formats.md, "Service accumulator").
 *
 * Error bound of the histogram quantiles. A duration x >= 1 024 s lies in
 * [2^k, 2^(k+1)) for some 10 <= k <= 37, in a bucket of w = 2^(k-6) whole
 * seconds [lo, lo + w - 1]. Its midpoint m = lo + (w - 1) / 2 is within
 * (w - 1) / 2 < 2^(k-7) <= x / 128 of x; below 1 024 s, m = x. numpy's
 * linear quantile (1 - g) x_i + g x_(i+1) of two order statistics, each
 * replaced by its midpoint, is then off by at most (1 - g) |e_i| +
 * g |e_(i+1)| < ((1 - g) x_i + g x_(i+1)) / 128: a relative error below
 * 1/128 of the exact quantile (zero when both are below 1 024 s). */
#include "experience/service_acc.h"

#include "common/bytes.h"

#include <math.h>
#include <string.h>

#define EXACT_BUCKETS 1024 /* one per second: 0..1023 */
#define SUB_BITS 6         /* 64 buckets per power of two */
#define TOP_BIT 38         /* durations are below 2^38 s */

size_t cxmi_service_bucket(int64_t seconds) {
  uint64_t v;
  int k = 10;
  if (seconds < EXACT_BUCKETS) return seconds < 0 ? 0 : (size_t)seconds;
  if (seconds >= (INT64_C(1) << TOP_BIT)) return CXM_SERVICE_SKETCH_BUCKETS - 1;
  v = (uint64_t)seconds;
  while (v >> (k + 1)) k++;
  return EXACT_BUCKETS + (size_t)(k - 10) * 64 + (size_t)((v >> (k - SUB_BITS)) & 63);
}

void cxmi_service_bucket_bounds(int64_t *lo, int64_t *hi, size_t bucket) {
  size_t octave, sub;
  int64_t w;
  if (bucket < EXACT_BUCKETS) {
    *lo = *hi = (int64_t)bucket;
    return;
  }
  octave = (bucket - EXACT_BUCKETS) / 64 + 10;
  sub = (bucket - EXACT_BUCKETS) % 64;
  w = INT64_C(1) << (octave - SUB_BITS);
  *lo = (INT64_C(1) << octave) + (int64_t)sub * w;
  *hi = *lo + w - 1;
}

int32_t cxmi_service_sketch_add(uint64_t *hist, uint64_t *sum, int64_t seconds) {
  size_t b = cxmi_service_bucket(seconds);
  /* Clamped as the bucket is, so the sum stays within the buckets' bounds
   * (store durations are within 0..2^38 - 1 anyway). */
  uint64_t v = seconds < 0 ? 0 : seconds >= (INT64_C(1) << TOP_BIT) ? (UINT64_C(1) << TOP_BIT) - 1 : (uint64_t)seconds;
  if (*sum > UINT64_MAX - v || hist[b] == UINT64_MAX) return CXM_E_OVERFLOW;
  hist[b]++;
  *sum += v;
  return CXM_OK;
}

/* The midpoint of the bucket holding the order statistic of rank r
 * (0-based, r < the total count). */
static double order_statistic(const uint64_t *hist, uint64_t r) {
  uint64_t below = 0;
  size_t b;
  int64_t lo, hi;
  for (b = 0; b + 1 < CXM_SERVICE_SKETCH_BUCKETS; b++) {
    if (r - below < hist[b]) break;
    below += hist[b];
  }
  cxmi_service_bucket_bounds(&lo, &hi, b);
  return (double)lo + (double)(hi - lo) / 2.0;
}

double cxmi_service_sketch_quantile(const uint64_t *hist, uint64_t n, double q) {
  double h, f, g, a, b;
  uint64_t lo;
  if (n == 0 || !(q >= 0.0 && q <= 1.0)) return NAN;
  /* src/math/quantile.c's ranks and numpy's _lerp, over estimated order statistics. */
  h = (double)(n - 1) * q;
  if (h >= (double)(n - 1)) return order_statistic(hist, n - 1);
  f = floor(h);
  lo = (uint64_t)f;
  g = h - f;
  a = order_statistic(hist, lo);
  b = order_statistic(hist, lo + 1);
  return g >= 0.5 ? b - (b - a) * (1.0 - g) : a + (b - a) * g;
}

void cxm_service_acc_init(cxm_service_acc *acc) {
  if (acc != NULL) memset(acc, 0, sizeof *acc);
}

static int sum_overflows(const uint64_t *a, const uint64_t *b, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (a[i] > UINT64_MAX - b[i]) return 1;
  return 0;
}

static void sum_into(uint64_t *a, const uint64_t *b, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) a[i] += b[i];
}

int32_t cxm_service_acc_merge(cxm_service_acc *dst, const cxm_service_acc *src) {
  uint64_t d[8], s[8];
  if (dst == NULL || src == NULL) return CXM_E_ARG;
  d[0] = dst->contacts, d[1] = dst->open, d[2] = dst->replied, d[3] = dst->resolved;
  d[4] = dst->met, d[5] = dst->breached, d[6] = dst->first_response_sum_s, d[7] = dst->resolution_sum_s;
  s[0] = src->contacts, s[1] = src->open, s[2] = src->replied, s[3] = src->resolved;
  s[4] = src->met, s[5] = src->breached, s[6] = src->first_response_sum_s, s[7] = src->resolution_sum_s;
  /* Bucket counts never exceed their totals (replied, resolved), which
   * are checked with the other counts. */
  if (sum_overflows(d, s, 8)) return CXM_E_OVERFLOW;
  dst->contacts += src->contacts;
  dst->open += src->open;
  dst->replied += src->replied;
  dst->resolved += src->resolved;
  dst->met += src->met;
  dst->breached += src->breached;
  dst->first_response_sum_s += src->first_response_sum_s;
  dst->resolution_sum_s += src->resolution_sum_s;
  sum_into(dst->first_response_hist, src->first_response_hist, CXM_SERVICE_SKETCH_BUCKETS);
  sum_into(dst->resolution_hist, src->resolution_hist, CXM_SERVICE_SKETCH_BUCKETS);
  return CXM_OK;
}

int32_t cxm_service_compute(cxm_service_result *out, const cxm_service_acc *acc) {
  cxm_service_result r;
  if (out == NULL || acc == NULL) return CXM_E_ARG;
  memset(&r, 0, sizeof r);
  r.contacts = acc->contacts;
  r.open = acc->open;
  r.replied = acc->replied;
  r.resolved = acc->resolved;
  r.met = acc->met;
  r.breached = acc->breached;
  r.first_response_median_s = cxmi_service_sketch_quantile(acc->first_response_hist, acc->replied, 0.5);
  r.first_response_p90_s = cxmi_service_sketch_quantile(acc->first_response_hist, acc->replied, 0.9);
  r.first_response_mean_s = acc->replied > 0 ? (double)acc->first_response_sum_s / (double)acc->replied : NAN;
  r.resolution_median_s = cxmi_service_sketch_quantile(acc->resolution_hist, acc->resolved, 0.5);
  r.resolution_p90_s = cxmi_service_sketch_quantile(acc->resolution_hist, acc->resolved, 0.9);
  r.resolution_mean_s = acc->resolved > 0 ? (double)acc->resolution_sum_s / (double)acc->resolved : NAN;
  r.within_sla_pct = r.met > 0 || r.breached > 0 ? 100.0 * (double)r.met / ((double)r.met + (double)r.breached) : NAN;
  *out = r;
  return CXM_OK;
}

/* ---- portable format: docs/formats.md, "Service accumulator" ------------ */

static const uint8_t service_magic[4] = {'C', 'X', 'M', 'V'};
#define SERVICE_VERSION 1
#define FIXED_BYTES 69 /* magic, version, 8 counts and sums */

static size_t nonempty(const uint64_t *hist) {
  size_t b, m = 0;
  for (b = 0; b < CXM_SERVICE_SKETCH_BUCKETS; b++) m += hist[b] != 0;
  return m;
}

static uint8_t *put_hist(uint8_t *p, const uint64_t *hist) {
  size_t b;
  cxmi_put_u16(p, (uint16_t)nonempty(hist));
  p += 2;
  for (b = 0; b < CXM_SERVICE_SKETCH_BUCKETS; b++) {
    if (hist[b] == 0) continue;
    cxmi_put_u16(p, (uint16_t)b);
    cxmi_put_u64(p + 2, hist[b]);
    p += 10;
  }
  return p;
}

int32_t cxm_service_acc_serialize(uint8_t *buf, size_t cap, size_t *written, const cxm_service_acc *acc) {
  size_t need;
  uint8_t *p;
  if (written == NULL || acc == NULL || (buf == NULL && cap > 0)) return CXM_E_ARG;
  need = FIXED_BYTES + 2 + 10 * nonempty(acc->first_response_hist) + 2 + 10 * nonempty(acc->resolution_hist);
  *written = need;
  if (cap < need) return CXM_E_BUFFER;
  memcpy(buf, service_magic, 4);
  buf[4] = SERVICE_VERSION;
  cxmi_put_u64(buf + 5, acc->contacts);
  cxmi_put_u64(buf + 13, acc->open);
  cxmi_put_u64(buf + 21, acc->replied);
  cxmi_put_u64(buf + 29, acc->resolved);
  cxmi_put_u64(buf + 37, acc->met);
  cxmi_put_u64(buf + 45, acc->breached);
  cxmi_put_u64(buf + 53, acc->first_response_sum_s);
  cxmi_put_u64(buf + 61, acc->resolution_sum_s);
  p = put_hist(buf + FIXED_BYTES, acc->first_response_hist);
  put_hist(p, acc->resolution_hist);
  return CXM_OK;
}

/* Read one histogram at buf[*at..len), advancing *at, into `hist` (zeroed
 * by the caller), or only check it when `hist` is NULL. Its counts must
 * add up to `total`, and `sum` must lie between the sums of the bounds of
 * the buckets of its durations (as doubles, with a margin of 2^-40: far
 * above their rounding, so an exact sum always passes). */
static int32_t get_hist(uint64_t *hist, uint64_t total, uint64_t sum, const uint8_t *buf, size_t len, size_t *at) {
  size_t m, i, next = 0;
  uint64_t seen = 0;
  double low = 0, high = 0;
  if (len - *at < 2) return CXM_E_TRUNCATED;
  m = cxmi_get_u16(buf + *at);
  *at += 2;
  if (m > CXM_SERVICE_SKETCH_BUCKETS) return CXM_E_FORMAT;
  for (i = 0; i < m; i++) {
    size_t b;
    uint64_t count;
    int64_t lo, hi;
    if (len - *at < 10) return CXM_E_TRUNCATED;
    b = cxmi_get_u16(buf + *at);
    count = cxmi_get_u64(buf + *at + 2);
    *at += 10;
    /* Buckets strictly increasing, in range, non-empty: one encoding per
     * accumulator, and no count given twice. */
    if (b < next || b >= CXM_SERVICE_SKETCH_BUCKETS || count == 0 || count > total - seen) return CXM_E_FORMAT;
    cxmi_service_bucket_bounds(&lo, &hi, b);
    low += (double)count * (double)lo;
    high += (double)count * (double)hi;
    if (hist != NULL) hist[b] = count;
    seen += count;
    next = b + 1;
  }
  if (seen != total) return CXM_E_FORMAT;
  if (!((double)sum >= low * (1 - 0x1p-40) && (double)sum <= high * (1 + 0x1p-40))) return CXM_E_FORMAT;
  return CXM_OK;
}

int32_t cxm_service_acc_deserialize(cxm_service_acc *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  uint64_t v[8];
  size_t at, i;
  int32_t rc;
  if (acc == NULL || (buf == NULL && len > 0)) return CXM_E_ARG;
  rc = cxmi_check_header(buf, len, service_magic, SERVICE_VERSION);
  if (rc != CXM_OK) return rc;
  if (len < FIXED_BYTES) return CXM_E_TRUNCATED;
  for (i = 0; i < 8; i++) v[i] = cxmi_get_u64(buf + 5 + 8 * i);
  /* contacts, open, replied, resolved, met, breached: every contact is
   * open or resolved; replies and SLA outcomes are per contact, and a met
   * reply is a reply. */
  if (v[1] > v[0] || v[3] != v[0] - v[1] || v[2] > v[0] || v[4] > v[2] || v[5] > v[0] - v[4]) return CXM_E_FORMAT;
  /* `acc` stays unchanged on error and a scratch copy would put 45 KB on
   * the stack: check the histograms first, then read them into `acc`. */
  at = FIXED_BYTES;
  rc = get_hist(NULL, v[2], v[6], buf, len, &at);
  if (rc == CXM_OK) rc = get_hist(NULL, v[3], v[7], buf, len, &at);
  if (rc != CXM_OK) return rc;
  memset(acc, 0, sizeof *acc);
  acc->contacts = v[0];
  acc->open = v[1];
  acc->replied = v[2];
  acc->resolved = v[3];
  acc->met = v[4];
  acc->breached = v[5];
  acc->first_response_sum_s = v[6];
  acc->resolution_sum_s = v[7];
  at = FIXED_BYTES;
  (void)get_hist(acc->first_response_hist, v[2], v[6], buf, len, &at);
  (void)get_hist(acc->resolution_hist, v[3], v[7], buf, len, &at);
  if (consumed != NULL) *consumed = at;
  return CXM_OK;
}
