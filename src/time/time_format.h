/* Timestamps as exports write them (docs/events.md, "Timestamps in other
 * dialects"): a strftime-like pattern, zone-less times read at an assumed
 * UTC offset, and ISO 8601 basic offsets (+HHMM). The strict grammar of
 * cxm_time_parse() (src/time/time.c) is always tried first by the reader; these
 * functions only widen it when the reader's options ask for it. */
#ifndef CXM_SRC_TIME_FORMAT_H
#define CXM_SRC_TIME_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Why a time was refused, for the reader's message. */
enum cxmi_time_why {
  CXMI_TIME_BAD = 0,     /* malformed, or outside 1970..9999 */
  CXMI_TIME_NO_ZONE = 1, /* a well-formed date-time without a zone, and no offset to assume */
  CXMI_TIME_US_DATE = 2, /* looks like NN/NN/NNNN: needs a pattern */
  CXMI_TIME_PATTERN = 3  /* does not match the pattern */
};

/* Largest |offset| accepted for an assumed offset, in seconds (18:00). */
#define CXMI_MAX_ASSUMED_OFFSET (18 * 3600)

/* Whether `fmt` is a usable pattern: only %Y %m %d %H %M %S %z %% and
 * literal bytes, each of %Y %m %d exactly once, %H %M %S %z at most once,
 * %M only with %H and %S only with %M. 1 when usable. */
int cxmi_time_pattern_ok(const char *fmt);

/* Parse s[0..len) with the pattern `fmt` (checked by cxmi_time_pattern_ok).
 * %Y is 4 digits; %m %d %H %M %S are 1 or 2 digits; after %S an optional
 * fraction (`.` or `,` and digits) is dropped; %z is Z, z, +HH:MM, +HHMM or
 * +HH. Without %z in the pattern, or when the text has no zone, the time is
 * local time at `offset` seconds east of UTC if `assume` is 1, else refused
 * (CXMI_TIME_NO_ZONE). Returns 0 and sets *out, or -1 and sets *why. */
int cxmi_time_parse_pattern(int64_t *out, int32_t *why, const char *fmt, const char *s, size_t len, int assume,
                            int32_t offset);

/* cxm_time_parse(), then the dialect forms: a `+HHMM`/`-HHMM` offset, and
 * (with `assume`) an RFC 3339 date-time without a zone read at `offset`.
 * Returns 0 and sets *out, or -1 and sets *why. */
int cxmi_time_parse_dialect(int64_t *out, int32_t *why, const char *s, size_t len, int assume, int32_t offset);

#endif
