/* Options of the experience queries (cxm/experience.h). */
#include "experience/experience_internal.h"
#include "common/abi_check.h"

#include <math.h>
#include <string.h>

void cxm_experience_options_init(cxm_experience_options *options) {
  if (options == NULL) return;
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->top_box = 80.0;
  options->sla_target_seconds = 8 * 3600;
  options->calendar = NULL;
  options->has_weights = 0;
  options->min_channel_ratings = 30;
}

int32_t cxmi_experience_options_resolve(cxm_experience_options *out, const cxm_experience_options *options) {
  size_t i;
  double total = 0;
  if (options == NULL) {
    cxm_experience_options_init(out);
    return CXM_OK;
  }
  if (!CXMI_STRUCT_OK(options, cxm_experience_options)) return CXM_E_SIZE;
  if (!(options->top_box >= 0 && options->top_box <= 100)) return CXM_E_OPTION;
  if (options->sla_target_seconds < 0) return CXM_E_OPTION;
  if (options->has_weights != 0 && options->has_weights != 1) return CXM_E_OPTION;
  if (options->has_weights) {
    for (i = 0; i < 5; i++) {
      if (!(options->servqual_weights[i] >= 0) || !isfinite(options->servqual_weights[i])) return CXM_E_OPTION;
      total += options->servqual_weights[i];
    }
    if (!(total > 0)) return CXM_E_OPTION;
  }
  cxm_experience_options_init(out);
  cxmi_struct_in(out, options, sizeof *out);
  return CXM_OK;
}
