/* Shared by the experience queries: options with defaults filled in. */
#ifndef CXM_SRC_EXPERIENCE_H
#define CXM_SRC_EXPERIENCE_H

#include "cxm/experience.h"

/* Validate `options` (NULL: defaults) and copy them to `out`. CXM_OK,
 * CXM_E_SIZE or CXM_E_OPTION. */
int32_t cxmi_experience_options_resolve(cxm_experience_options *out, const cxm_experience_options *options);

#endif
