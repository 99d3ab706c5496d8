/* placeholder */
#include "cxm.h"
