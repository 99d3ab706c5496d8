/* Size checks for the public structs that grow (docs/api.md, "Structs that
 * grow"). Every such struct starts with `size_t size`, the caller's
 * sizeof. The library accepts any size from the struct's first published
 * version up to its own sizeof, and a larger size from a caller built
 * against a newer header when every byte beyond our sizeof is zero (the
 * caller set nothing this library does not know). Anything else is
 * CXM_E_SIZE. The pattern is libxkbcommon's src/abi-check.h and libgit2's
 * git_error__check_version.
 *
 * How to grow a struct: append fields only; replace its CXMI_FIRST_ entry
 * below by CXMI_SIZE_UPTO(type, last field of version 1); and read the
 * caller's struct through cxmi_struct_in() (copies what the caller has over
 * defaults) or write it through cxmi_struct_out() (writes only what the
 * caller has room for), never by dereferencing a field beyond the caller's
 * size. */
#ifndef CXM_ABI_CHECK_H
#define CXM_ABI_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cxm/churn.h"
#include "cxm/drivers.h"
#include "cxm/event.h"
#include "cxm/experience.h"
#include "cxm/features.h"
#include "cxm/purchase.h"
#include "cxm/query.h"
#include "cxm/reader.h"
#include "cxm/retention.h"
#include "cxm/risk.h"
#include "cxm/snapshot.h"
#include "cxm/store.h"

/* Bytes of `type` up to and including `field`: the size of a version of
 * the struct whose last field was `field`. */
#define CXMI_SIZE_UPTO(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* First published size of each struct that carries `size`. All are still
 * at their first version (soname 0). */
#define CXMI_FIRST_cxm_detail sizeof(cxm_detail)
#define CXMI_FIRST_cxm_event sizeof(cxm_event)
#define CXMI_FIRST_cxm_store_options CXMI_SIZE_UPTO(cxm_store_options, bucket_seconds) /* 0.2 added omit */
#define CXMI_FIRST_cxm_store_stats sizeof(cxm_store_stats)
#define CXMI_FIRST_cxm_filter sizeof(cxm_filter)
#define CXMI_FIRST_cxm_reader_options CXM_READER_OPTIONS_SIZE_0 /* 0.1 had the first seven fields */
#define CXMI_FIRST_cxm_reader_stats sizeof(cxm_reader_stats)
#define CXMI_FIRST_cxm_experience_options sizeof(cxm_experience_options)
#define CXMI_FIRST_cxm_rfm_customer CXMI_SIZE_UPTO(cxm_rfm_customer, x_star)     /* 0.2 added weight */
#define CXMI_FIRST_cxm_rfm_options CXMI_SIZE_UPTO(cxm_rfm_options, unit_seconds) /* 0.2 added calendar_weeks */
#define CXMI_FIRST_cxm_tracking_options sizeof(cxm_tracking_options)
#define CXMI_FIRST_cxm_fit_options CXMI_SIZE_UPTO(cxm_fit_options, max_seconds) /* 0.2 added penalty */
#define CXMI_FIRST_cxm_model sizeof(cxm_model)
#define CXMI_FIRST_cxm_holdout sizeof(cxm_holdout)
#define CXMI_FIRST_cxm_risk_options sizeof(cxm_risk_options)
#define CXMI_FIRST_cxm_risk_model sizeof(cxm_risk_model)
#define CXMI_FIRST_cxm_risk_evaluation sizeof(cxm_risk_evaluation)
#define CXMI_FIRST_cxm_feature_options sizeof(cxm_feature_options)
#define CXMI_FIRST_cxm_churn_options CXMI_SIZE_UPTO(cxm_churn_options, train_lapsed) /* 0.2 added run_tasks */
#define CXMI_FIRST_cxm_churn_info sizeof(cxm_churn_info)
#define CXMI_FIRST_cxm_churn_row sizeof(cxm_churn_row)
#define CXMI_FIRST_cxm_save_options sizeof(cxm_save_options)
#define CXMI_FIRST_cxm_driver_table_options sizeof(cxm_driver_table_options)
#define CXMI_FIRST_cxm_retention_options CXMI_SIZE_UPTO(cxm_retention_options, origin) /* 0.2 added the SLA */
#define CXMI_FIRST_cxm_retention_row CXMI_SIZE_UPTO(cxm_retention_row, high_effort)    /* 0.2 added groups */

/* Whether a caller's struct at `p` declaring `size` bytes is readable:
 * first <= size <= current, or size > current with bytes [current, size)
 * all zero. `first` is at least sizeof(size_t), so `size` itself is
 * always inside the caller's struct. Out of line (abi_check.c): inlined
 * into a caller holding a struct of exactly `current` bytes, the tail loop
 * would be dead code the compiler warns about. */
int cxmi_size_ok(const void *p, size_t size, size_t first, size_t current);

/* The check for a pointer to a public struct type `type`. */
#define CXMI_STRUCT_OK(p, type) cxmi_size_ok((p), (p)->size, CXMI_FIRST_##type, sizeof(type))

/* Copies a checked caller struct `in` into `local` (which holds the
 * defaults, `current` bytes): the fields the caller has overwrite the
 * defaults; local's size becomes `current`. */
static inline void cxmi_struct_in(void *local, const void *in, size_t current) {
  size_t size;
  memcpy(&size, in, sizeof size);
  memcpy(local, in, size < current ? size : current);
  memcpy(local, &current, sizeof current);
}

/* Writes `local` (current bytes, a complete result) into a checked caller
 * struct `out`: as many bytes as the caller has room for, keeping the
 * caller's size field (a newer caller's zero tail stays zero). */
static inline void cxmi_struct_out(void *out, const void *local, size_t current) {
  size_t size;
  memcpy(&size, out, sizeof size);
  if (size > current) size = current;
  memcpy((unsigned char *)out + sizeof(size_t), (const unsigned char *)local + sizeof(size_t), size - sizeof(size_t));
}

#endif
