/* Runtime version query: lets a program compare the library it loaded with
 * the headers it was compiled against. */
#include "cxm/common.h"

uint32_t cxm_version(void) { return (uint32_t)CXM_VERSION_NUMBER; }

const char *cxm_version_string(void) { return CXM_VERSION_STRING; }
