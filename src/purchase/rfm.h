/* Internals of cxm_rfm (src/purchase/rfm.c): the fitting data built from a set. */
#ifndef CXM_SRC_RFM_H
#define CXM_SRC_RFM_H

#include "common/alloc.h"
#include "cxm/purchase.h"
#include "purchase/models.h"

/* Owns the arrays behind a cxmi_triples and a cxmi_spend. */
typedef struct cxmi_fitdata {
  cxmi_alloc alloc; /* a copy of the set's hooks (the set stays const) */
  void *block;      /* one allocation for every array */
  size_t block_size;
  cxmi_triples triples;
  cxmi_spend spend;
  void *pair_block; /* the triples' pair arrays, when they have them */
  size_t pair_block_size;
} cxmi_fitdata;

/* Build the distinct (x, t_x, T) triples, sorted by x, their distinct
 * (t_x, T) pairs when those are at most half as many, and the spend data
 * (customers with x >= 1 and a known mean spend). CXM_OK or CXM_E_NOMEM. */
int32_t cxmi_fitdata_build(cxmi_fitdata *fd, const cxm_rfm *rfm);

/* Free what cxmi_fitdata_build() allocated (safe after a failed build). */
void cxmi_fitdata_free(cxmi_fitdata *fd);

/* cxm_store_rfm(), also writing each added summary's customer handle to
 * handles[0..] (NULL: not wanted; room for every customer of the store), so
 * that a caller needs no look-up by id to go back to the customer. */
int32_t cxmi_store_rfm(cxm_rfm *rfm, uint32_t *handles, const cxm_store *store, const cxm_rfm_options *options);

/* Number of summaries and summary i's values (w: the customers it stands
 * for), for the holdout check. */
size_t cxmi_rfm_size(const cxm_rfm *rfm);
void cxmi_rfm_values(const cxm_rfm *rfm, size_t i, uint32_t *x, double *tx, double *T, double *m, double *x_star,
                     double *w);

/* A copy of the set's allocation hooks (bytes counted from 0), for
 * scratch that callers allocate and free through the set's allocator. */
void cxmi_rfm_alloc(cxmi_alloc *out, const cxm_rfm *rfm);

/* CXM_OK when (x, t_x, T) is a valid summary (T may be 0 when allow_t0). */
int32_t cxmi_rfm_check(uint32_t x, double tx, double T, int allow_t0);

#endif
