/* Proleptic Gregorian calendar arithmetic on day numbers (days since
 * 1970-01-01), shared by timestamp parsing and period windows. */
#ifndef CXM_SRC_CIVIL_H
#define CXM_SRC_CIVIL_H

#include <stdint.h>

int64_t cxmi_days_from_civil(int64_t y, int64_t m, int64_t d);
void cxmi_civil_from_days(int64_t z, int64_t *y, int32_t *m, int32_t *d);

#endif
