/* The groups of a grouped query (cxm_store_group): shared by the store's
 * survey grouping (store/query.c) and the experience metrics per group
 * (experience/groups_experience.c), which fills the experience arrays. */
#ifndef CXM_STORE_GROUPS_INTERNAL_H
#define CXM_STORE_GROUPS_INTERNAL_H

#include "cxm/experience.h"
#include "cxm/query.h"

struct cxm_groups {
  cxm_allocator hooks; /* copied, so groups may outlive the store */
  size_t count;        /* groups exposed */
  size_t cap;          /* groups allocated (partials before merging) */
  char (*keys)[CXM_MAX_SEGMENT_LEN + 1];
  size_t *key_lens;
  cxm_survey_acc *survey;
  cxm_filter *filters; /* per group: the caller's filter narrowed to the group */
  /* cxm_store_group_experience only (NULL otherwise): each group's
   * experience metrics, `exp_cap` entries each */
  size_t exp_cap;
  cxm_gap_acc *gap;
  cxm_servqual_result *servqual;
  cxm_service_result *service;
  cxm_service_result *service_business; /* durations in business seconds */
  cxm_loyalty_result *loyalty;
  cxm_consistency_result *consistency;
};

#endif
