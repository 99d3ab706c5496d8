/* The loyalty accumulator (cxm/experience.h): merge, signals, and its
 * portable format (docs/formats.md, "Loyalty accumulator"). */
#include "experience/experience_internal.h"

#include "common/bytes.h"

#include <math.h>
#include <string.h>

void cxm_loyalty_acc_init(cxm_loyalty_acc *acc) {
  if (acc != NULL) memset(acc, 0, sizeof *acc);
}

int32_t cxm_loyalty_acc_merge(cxm_loyalty_acc *dst, const cxm_loyalty_acc *src) {
  if (dst == NULL || src == NULL) return CXM_E_ARG;
  if (dst->complaints > UINT64_MAX - src->complaints || dst->compliments > UINT64_MAX - src->compliments ||
      dst->churned > UINT64_MAX - src->churned)
    return CXM_E_OVERFLOW;
  dst->complaints += src->complaints;
  dst->compliments += src->compliments;
  dst->churned += src->churned;
  return CXM_OK;
}

int32_t cxm_loyalty_compute(cxm_loyalty_result *out, const cxm_loyalty_acc *acc) {
  cxm_loyalty_result r;
  if (out == NULL || acc == NULL) return CXM_E_ARG;
  memset(&r, 0, sizeof r);
  r.complaints = acc->complaints;
  r.compliments = acc->compliments;
  r.churned = acc->churned;
  /* Each count converted on its own: their uint64 sum may wrap. */
  r.compliment_ratio = r.complaints > 0 || r.compliments > 0
                           ? (double)r.compliments / ((double)r.compliments + (double)r.complaints)
                           : NAN;
  *out = r;
  return CXM_OK;
}

/* ---- portable format: docs/formats.md, "Loyalty accumulator" ------------ */

static const uint8_t loyalty_magic[4] = {'C', 'X', 'M', 'L'};
#define LOYALTY_VERSION 1

int32_t cxm_loyalty_acc_serialize(uint8_t *buf, size_t cap, size_t *written, const cxm_loyalty_acc *acc) {
  if (written == NULL || acc == NULL || (buf == NULL && cap > 0)) return CXM_E_ARG;
  *written = CXM_LOYALTY_ACC_BYTES;
  if (cap < CXM_LOYALTY_ACC_BYTES) return CXM_E_BUFFER;
  memcpy(buf, loyalty_magic, 4);
  buf[4] = LOYALTY_VERSION;
  cxmi_put_u64(buf + 5, acc->complaints);
  cxmi_put_u64(buf + 13, acc->compliments);
  cxmi_put_u64(buf + 21, acc->churned);
  return CXM_OK;
}

int32_t cxm_loyalty_acc_deserialize(cxm_loyalty_acc *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  cxm_loyalty_acc a;
  int32_t rc;
  if (acc == NULL || (buf == NULL && len > 0)) return CXM_E_ARG;
  rc = cxmi_check_header(buf, len, loyalty_magic, LOYALTY_VERSION);
  if (rc != CXM_OK) return rc;
  if (len < CXM_LOYALTY_ACC_BYTES) return CXM_E_TRUNCATED;
  /* Any three counts are possible (the three are independent). */
  a.complaints = cxmi_get_u64(buf + 5);
  a.compliments = cxmi_get_u64(buf + 13);
  a.churned = cxmi_get_u64(buf + 21);
  *acc = a;
  if (consumed != NULL) *consumed = CXM_LOYALTY_ACC_BYTES;
  return CXM_OK;
}
