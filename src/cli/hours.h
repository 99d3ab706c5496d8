/* Business-time options shared by `cxm report` and `cxm churn`
 * (docs/cli.md, "Business time"): --hours, --sla-target, --utc-offset and
 * --holidays, one parser for both commands, turned into the library's
 * calendar (docs/calendar.md) and echoed in the JSON as "settings". */
#ifndef CXM_CLI_HOURS_H
#define CXM_CLI_HOURS_H

#include <stddef.h>
#include <stdint.h>

#include "cxm/calendar.h"
#include "json.h"

/* Largest --sla-target: 366 days of business seconds. */
#define CLI_MAX_SLA_TARGET ((int64_t)366 * 86400)

typedef struct cli_business {
  int32_t open[8], close[8];  /* per weekday 1..7 (index 0 unused), seconds after local midnight */
  int32_t utc_offset;         /* seconds east of UTC */
  int64_t sla_target_seconds; /* business seconds; default 28800 */
  const char *holidays;       /* --holidays path, or NULL */
  size_t holiday_count;       /* distinct dates, set by cli_business_calendar() */
} cli_business;

/* The defaults: Monday-Friday 09:00-17:00, +00:00, 8 business hours, no holidays. */
void cli_business_init(cli_business *b);

/* Whether `name` (`len` bytes, e.g. "--hours") is one of the business
 * options, and so takes a value. */
int cli_business_is_option(const char *name, size_t len);

/* Apply a business option's value. On a bad value prints a usage
 * diagnostic for `command` and returns -1 (leaving `b` unchanged); 0 on
 * success. */
int cli_business_apply(cli_business *b, const char *command, const char *name, size_t len, const char *value);

/* Parse --hours: comma-separated `DAYS=HH:MM-HH:MM` or `DAYS=closed`, DAYS
 * one of mon tue wed thu fri sat sun or a range of them (`mon-fri`); the
 * days the text does not name are closed. 24:00 closes at midnight; an
 * opening equal to the closing is refused (write `closed`). A day named
 * twice is an error. Fills open[1..7]/close[1..7]; 0 on success, -1 with
 * `open`/`close` unchanged. */
int cli_business_parse_hours(int32_t *open, int32_t *close, const char *text);

/* Parse --sla-target: a positive duration `90s`, `30m`, `8h`, `1h30m`
 * (units s, m, h, each at most once, in that order of size), or bare
 * seconds; at most CLI_MAX_SLA_TARGET. 0 on success. */
int cli_business_parse_duration(int64_t *seconds, const char *text);

/* Build the calendar of the settings (the holidays file read and checked,
 * its problems printed as cli_calendar_load() does). 0, or -1 on error. The
 * caller frees `*out` with cxm_calendar_free(). */
int cli_business_calendar(cxm_calendar **out, cli_business *b);

/* Write the "settings" member's value: an object with utc_offset, hours
 * (per weekday "HH:MM-HH:MM" or null when closed), holidays (the count),
 * sla_target_s. */
void cli_business_json(cli_json *j, const cli_business *b);

/* A duration for people: 8h, 1h30m, 45m, 90s. */
void cli_business_format_duration(char *buf, size_t cap, int64_t seconds);

/* One line describing the settings for people, e.g. "business hours
 * mon-fri 09:00-17:00 UTC+00:00, SLA first reply within 8h business time". */
void cli_business_describe(char *buf, size_t cap, const cli_business *b);

#endif
