/* The business calendar of `cxm report`: --utc-offset and the --holidays
 * file (one `YYYY-MM-DD` a line; blank lines, CRLF and `#` comments
 * allowed), checked by the library's calendar (docs/calendar.md). */
#ifndef CXM_CLI_HOLIDAYS_H
#define CXM_CLI_HOLIDAYS_H

#include <stdint.h>

#include "cxm/calendar.h"

/* Build the calendar: Monday-Friday 09:00-17:00 at `utc_offset` seconds,
 * minus the dates of `holidays_path` (NULL: none). Prints
 * `PATH:LINE: column date: reason` (or a `cxm: PATH: ...` line when the
 * file cannot be read) and returns -1 on error; 0 on success. The caller
 * frees `*out` with cxm_calendar_free(). */
int cli_calendar_load(cxm_calendar **out, int32_t utc_offset, const char *holidays_path);

#endif
