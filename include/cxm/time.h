/**
 * @file cxm/time.h
 * @brief Timestamps: RFC 3339 and Unix-seconds parsing, formatting, and the
 *        calendar keys of periods (month, ISO week).
 *
 * Thread-safety: pure functions; safe from any thread.
 */
#ifndef CXM_TIME_H
#define CXM_TIME_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes needed by cxm_time_format(), NUL included ("YYYY-MM-DDTHH:MM:SSZ"). */
#define CXM_TIME_TEXT_SIZE 21
/** Bytes needed by cxm_time_period_key(), NUL included ("YYYY-Www"). */
#define CXM_PERIOD_KEY_SIZE 9

/**
 * @brief Parse a timestamp: RFC 3339 (`2026-03-14T09:30:00Z`,
 *        `2026-03-14T09:30:00.25+01:00`; `t`/space separators and `z`
 *        accepted), integer Unix seconds or epoch milliseconds. A fraction is dropped, not
 *        rounded. A leap second (`:60`) counts as the next second.
 *
 * Exact grammar: `YYYY-MM-DD` (4-digit year, real calendar dates, Feb 29
 * in leap years only), `T`, `t` or one space, `HH:MM:SS` (00..23, 00..59,
 * 00..60), optionally `.` and one or more digits, then `Z`, `z` or
 * `+HH:MM`/`-HH:MM` (hours 00..23, minutes 00..59; `-00:00` is UTC).
 * Unix seconds are ASCII digits only (no sign, no spaces, no fraction); a
 * value above CXM_TIME_MAX cannot be seconds and is read as epoch
 * milliseconds, floored (up to CXM_TIME_MAX * 1000 + 999).
 * Nothing else may surround the text. No libc time function is used, so
 * the result depends on neither the locale nor the time zone.
 * @param[out] out UTC seconds since 1970; unchanged on error.
 * @param[in] text The bytes (not necessarily NUL-terminated).
 * @param[in] len Their length.
 * @return CXM_OK, CXM_E_ARG, or CXM_E_TIME when malformed or outside
 *         1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z (after the offset).
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_time_parse(int64_t *out, const char *text, size_t len);

/**
 * @brief Format UTC seconds as `YYYY-MM-DDTHH:MM:SSZ`.
 * @param[out] buf At least CXM_TIME_TEXT_SIZE bytes; NUL-terminated on success.
 * @param[in] cap Bytes at `buf`.
 * @param[in] t CXM_TIME_MIN..CXM_TIME_MAX.
 * @return CXM_OK, CXM_E_ARG, CXM_E_BUFFER or CXM_E_TIME.
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_time_format(char *buf, size_t cap, int64_t t);

/**
 * @brief The period key of a time: `YYYY-MM` for CXM_BY_MONTH, ISO 8601
 *        week `YYYY-Www` for CXM_BY_WEEK (the ISO year may differ from the
 *        calendar year near 1 January), in UTC.
 * @param[out] buf At least CXM_PERIOD_KEY_SIZE bytes.
 * @param[in] cap Bytes at `buf`.
 * @param[in] t CXM_TIME_MIN..CXM_TIME_MAX.
 * @param[in] by CXM_BY_MONTH or CXM_BY_WEEK (cxm/query.h).
 * @return CXM_OK, CXM_E_ARG, CXM_E_BY, CXM_E_BUFFER or CXM_E_TIME
 *         (checked in that order).
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_time_period_key(char *buf, size_t cap, int64_t t, int32_t by);

#ifdef __cplusplus
}
#endif

#endif /* CXM_TIME_H */
