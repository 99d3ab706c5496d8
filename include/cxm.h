/**
 * @file cxm.h
 * @brief Umbrella header: includes the whole cxm API.
 *
 * cxm records customer touchpoint events and computes customer-experience
 * metrics (NPS, CSAT, CES with honest intervals, sliced and compared).
 * See README.md for a tour and docs/metrics.md for every formula.
 */
#ifndef CXM_H
#define CXM_H

#include "cxm/common.h"
#include "cxm/event.h"
#include "cxm/store.h"
#include "cxm/survey.h"
#include "cxm/query.h"
#include "cxm/reader.h"
#include "cxm/time.h"
#include "cxm/experience.h"
#include "cxm/loop.h"
#include "cxm/operations.h"
#include "cxm/purchase.h"
#include "cxm/calendar.h"
#include "cxm/risk.h"
#include "cxm/features.h"
#include "cxm/churn.h"
#include "cxm/snapshot.h"
#include "cxm/survival.h"
#include "cxm/drivers.h"
#include "cxm/covariates.h"
#include "cxm/retention.h"
#include "cxm/slicestats.h"

#endif /* CXM_H */
