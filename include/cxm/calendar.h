/**
 * @file cxm/calendar.h
 * @brief Business calendars: opening hours per weekday, a fixed UTC offset
 *        and holiday dates, and exact arithmetic in business time
 *        (docs/calendar.md; used by the service levels of docs/metrics.md).
 *
 * A calendar says, for every local day, which seconds of it are business
 * seconds: on weekday `w` the half-open local interval
 * `[open(w), close(w))`, none on a holiday. Local time is UTC plus one fixed
 * offset (no daylight saving time). The defaults are Monday-Friday
 * 09:00-17:00, Saturday and Sunday closed, offset +00:00, no holidays.
 *
 * Every time is integer UTC seconds since 1970 in
 * CXM_TIME_MIN..CXM_TIME_MAX (cxm/event.h); the queries are exact to the
 * second and cost O(log holidays) whatever the span.
 *
 * Typical use:
 * @code
 * cxm_calendar *cal;
 * int32_t off;
 * int64_t secs;
 * if (cxm_calendar_new(&cal, NULL) == CXM_OK) {
 *   if (cxm_calendar_parse_offset(&off, "+05:30", 6) == CXM_OK) cxm_calendar_set_offset(cal, off);
 *   cxm_calendar_add_holiday(cal, 2026, 12, 25);
 *   cxm_calendar_business_seconds(&secs, cal, opened, replied);
 *   cxm_calendar_free(cal);
 * }
 * @endcode
 *
 * Thread-safety: the setters write the calendar and must not run
 * concurrently with anything else on it; the queries take a
 * `const cxm_calendar *`, touch nothing, and may run from any number of
 * threads at once. Distinct calendars share nothing.
 */
#ifndef CXM_CALENDAR_H
#define CXM_CALENDAR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A business calendar (opaque). @since 0.1 */
typedef struct cxm_calendar cxm_calendar;

/**
 * @brief Days of the week, numbered as ISO 8601 does (Monday = 1). Passed
 *        as `int32_t`.
 * @since 0.1
 */
enum cxm_weekday {
  CXM_MONDAY = 1,    /**< Monday */
  CXM_TUESDAY = 2,   /**< Tuesday */
  CXM_WEDNESDAY = 3, /**< Wednesday */
  CXM_THURSDAY = 4,  /**< Thursday */
  CXM_FRIDAY = 5,    /**< Friday */
  CXM_SATURDAY = 6,  /**< Saturday */
  CXM_SUNDAY = 7     /**< Sunday */
};

/** Seconds in a day: the largest closing time (24:00). */
#define CXM_CALENDAR_DAY_SECONDS 86400
/** The largest UTC offset a calendar accepts, in seconds (+18:00; the smallest is its negation). */
#define CXM_CALENDAR_MAX_OFFSET 64800

/**
 * @brief Create a calendar with the defaults: Monday-Friday 09:00-17:00,
 *        weekends closed, UTC offset +00:00, no holidays.
 * @param[out] out Receives the calendar; the caller frees it with
 *             cxm_calendar_free(). Unchanged on error.
 * @param[in] allocator Memory hooks, copied; NULL for malloc/realloc/free.
 * @return CXM_OK, CXM_E_ARG (out NULL or hooks incomplete) or CXM_E_NOMEM.
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_calendar_new(cxm_calendar **out, const cxm_allocator *allocator);

/**
 * @brief Free a calendar. Accepts NULL.
 * @param[in] cal The calendar, or NULL.
 * @note Must not run while another thread uses the calendar. @since 0.1
 */
CXM_API void cxm_calendar_free(cxm_calendar *cal);

/**
 * @brief Set the business hours of one weekday: the local interval
 *        `[open_seconds, close_seconds)` after local midnight.
 *
 * `open_seconds == close_seconds` closes the day; 0 and 86400 open it
 * round the clock. Hours may not cross midnight.
 * @param[in,out] cal The calendar.
 * @param[in] weekday CXM_MONDAY..CXM_SUNDAY.
 * @param[in] open_seconds Opening time of day, 0..86400.
 * @param[in] close_seconds Closing time of day, open_seconds..86400.
 * @return CXM_OK, CXM_E_ARG (cal NULL) or CXM_E_OPTION (weekday or times
 *         out of range); on error the calendar is unchanged.
 * @note Writes the calendar. @since 0.1
 */
CXM_API int32_t cxm_calendar_set_hours(cxm_calendar *cal, int32_t weekday, int32_t open_seconds, int32_t close_seconds);

/**
 * @brief The business hours of one weekday.
 * @param[out] open_seconds Opening time of day (seconds after local midnight).
 * @param[out] close_seconds Closing time of day; equal to the opening when closed.
 * @param[in] cal The calendar.
 * @param[in] weekday CXM_MONDAY..CXM_SUNDAY.
 * @return CXM_OK, CXM_E_ARG (a pointer NULL) or CXM_E_OPTION (weekday out
 *         of range).
 * @note Reads only. @since 0.1
 */
CXM_API int32_t cxm_calendar_get_hours(int32_t *open_seconds, int32_t *close_seconds, const cxm_calendar *cal,
                                       int32_t weekday);

/**
 * @brief Set the calendar's fixed UTC offset: local time = UTC + offset.
 * @param[in,out] cal The calendar.
 * @param[in] offset_seconds -CXM_CALENDAR_MAX_OFFSET..CXM_CALENDAR_MAX_OFFSET
 *            (e.g. 19800 for +05:30, -10800 for -03:00).
 * @return CXM_OK, CXM_E_ARG or CXM_E_OPTION (out of range; unchanged).
 * @note Writes the calendar. @since 0.1
 */
CXM_API int32_t cxm_calendar_set_offset(cxm_calendar *cal, int32_t offset_seconds);

/**
 * @brief The calendar's UTC offset in seconds.
 * @param[out] offset_seconds Receives the offset.
 * @param[in] cal The calendar.
 * @return CXM_OK or CXM_E_ARG.
 * @note Reads only. @since 0.1
 */
CXM_API int32_t cxm_calendar_get_offset(int32_t *offset_seconds, const cxm_calendar *cal);

/**
 * @brief Parse a UTC offset written `+HH:MM` or `-HH:MM` (as in RFC 3339,
 *        e.g. `+05:30`, `-03:00`), or `Z`/`z` for +00:00.
 *
 * Exactly two hour digits and two minute digits (minutes 00..59), at most
 * 18:00 either way; nothing may surround the text. `-00:00` is +00:00.
 * @param[out] offset_seconds Receives the offset in seconds; unchanged on error.
 * @param[in] text The bytes (not necessarily NUL-terminated).
 * @param[in] len Their length.
 * @return CXM_OK, CXM_E_ARG or CXM_E_OPTION (malformed or out of range).
 * @note Thread-safe (pure). @since 0.1
 */
CXM_API int32_t cxm_calendar_parse_offset(int32_t *offset_seconds, const char *text, size_t len);

/**
 * @brief Add a holiday: a local date on which no second is a business
 *        second. Adding a date twice is harmless; a holiday on a closed
 *        day changes nothing.
 * @param[in,out] cal The calendar.
 * @param[in] year 1..9999.
 * @param[in] month 1..12.
 * @param[in] day 1..the length of that month (Gregorian, Feb 29 in leap years only).
 * @return CXM_OK, CXM_E_ARG, CXM_E_TIME (not a real date in range) or
 *         CXM_E_NOMEM; on error the calendar is unchanged.
 * @note Writes the calendar. @since 0.1
 */
CXM_API int32_t cxm_calendar_add_holiday(cxm_calendar *cal, int32_t year, int32_t month, int32_t day);

/**
 * @brief Add the holidays listed in a text: one `YYYY-MM-DD` date a line.
 *
 * Lines end with LF or CRLF; spaces and tabs around a date are ignored;
 * blank lines and lines whose first non-blank character is `#` are
 * skipped, and a `#` after a date starts a comment. A UTF-8 byte-order
 * mark at the very start of the text is skipped (anywhere else it makes the
 * line bad). Dates of any year 1..9999 are taken (1969-12-31 is a local day
 * of 1970-01-01T00:00Z at negative offsets). All or nothing: when a line is
 * bad, no date of the text is added.
 * @param[out] bad_line Receives the 1-based number of the first bad line,
 *             or 0 when there is none (may be NULL).
 * @param[in,out] cal The calendar.
 * @param[in] text The bytes (not necessarily NUL-terminated; NULL allowed when len is 0).
 * @param[in] len Their length.
 * @return CXM_OK, CXM_E_ARG, CXM_E_TIME (a line is not a real date
 *         1..9999 with nothing else on it) or CXM_E_NOMEM.
 * @note Writes the calendar. @since 0.1
 */
CXM_API int32_t cxm_calendar_add_holidays_text(size_t *bad_line, cxm_calendar *cal, const char *text, size_t len);

/**
 * @brief The number of distinct holiday dates in the calendar.
 * @param[in] cal The calendar; NULL gives 0.
 * @return The count.
 * @note Reads only. @since 0.1
 */
CXM_API size_t cxm_calendar_holiday_count(const cxm_calendar *cal);

/**
 * @brief The business seconds in the half-open interval `[t0, t1)`.
 * @param[out] out Receives the count, 0 when `t1 <= t0`; unchanged on error.
 * @param[in] cal The calendar.
 * @param[in] t0 Start, UTC seconds, CXM_TIME_MIN..CXM_TIME_MAX.
 * @param[in] t1 End, UTC seconds, CXM_TIME_MIN..CXM_TIME_MAX.
 * @return CXM_OK, CXM_E_ARG or CXM_E_TIME (a time out of range).
 * @note Reads only; O(log holidays). @since 0.1
 */
CXM_API int32_t cxm_calendar_business_seconds(int64_t *out, const cxm_calendar *cal, int64_t t0, int64_t t1);

/**
 * @brief The first business instant at or after `t`: `t` itself when the
 *        second `[t, t + 1)` is a business second, else the next opening.
 * @param[out] out Receives the instant; unchanged on error.
 * @param[in] cal The calendar.
 * @param[in] t UTC seconds, CXM_TIME_MIN..CXM_TIME_MAX.
 * @return CXM_OK, CXM_E_ARG, CXM_E_TIME (t out of range) or
 *         CXM_E_NOT_FOUND (no business second at or after `t` up to
 *         CXM_TIME_MAX, e.g. a calendar with no business hours at all).
 * @note Reads only. @since 0.1
 */
CXM_API int32_t cxm_calendar_next_open(int64_t *out, const cxm_calendar *cal, int64_t t);

/**
 * @brief The instant at which `seconds` business seconds after `t` have
 *        elapsed: the smallest `u >= t` such that `[t, u)` holds
 *        `seconds` business seconds (`t` itself when `seconds` is 0).
 *        Useful for SLA deadlines: a reply at `r` is within the target
 *        exactly when `r <= u`. A deadline can fall on a closing time
 *        (Friday 16:00 + 1 h is Friday 17:00, not Monday 09:00).
 * @param[out] out Receives the instant; unchanged on error.
 * @param[in] cal The calendar.
 * @param[in] t UTC seconds, CXM_TIME_MIN..CXM_TIME_MAX.
 * @param[in] seconds Business seconds to add, >= 0.
 * @return CXM_OK, CXM_E_ARG, CXM_E_TIME (t out of range), CXM_E_VALUE
 *         (seconds negative) or CXM_E_NOT_FOUND (the instant would be
 *         after CXM_TIME_MAX, e.g. a calendar with no business hours).
 * @note Reads only; O(log days * log holidays). @since 0.1
 */
CXM_API int32_t cxm_calendar_add_business(int64_t *out, const cxm_calendar *cal, int64_t t, int64_t seconds);

#ifdef __cplusplus
}
#endif

#endif /* CXM_CALENDAR_H */
