package cxm

/*
#cgo pkg-config: cxm
#include <stdlib.h>
#include <cxm.h>
*/
import "C"

import (
	"runtime"
	"strings"
	"time"
	"unsafe"
)

// Calendar is a business calendar (cxm_calendar, docs/calendar.md): opening
// hours per weekday, a fixed UTC offset and holiday dates. New calendars
// have the library's defaults: Monday-Friday 09:00-17:00, +00:00, no
// holidays. Pass one in ServiceOptions or ChurnOptions, as `cxm report
// --hours ... --utc-offset ... --holidays ... --sla-target ...` does. Call
// Close when done (a finalizer frees a forgotten one). Setters must not run
// while another goroutine uses the calendar; queries may run concurrently.
type Calendar struct {
	p *C.cxm_calendar
}

// NewCalendar creates a calendar with the defaults.
func NewCalendar() (*Calendar, error) {
	var p *C.cxm_calendar
	if err := check(C.cxm_calendar_new(&p, nil)); err != nil {
		return nil, err
	}
	c := &Calendar{p: p}
	runtime.SetFinalizer(c, (*Calendar).Close)
	return c, nil
}

// Close frees the calendar. Safe to call more than once; other methods of a
// closed calendar return an *Error with StatusState.
func (c *Calendar) Close() error {
	if c != nil && c.p != nil {
		C.cxm_calendar_free(c.p)
		c.p = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

func (c *Calendar) ptr() (*C.cxm_calendar, error) {
	if c == nil || c.p == nil {
		return nil, &Error{Status: StatusState, Name: StatusName(StatusState), Message: "the calendar is closed"}
	}
	return c.p, nil
}

// isoDay maps Go's weekday (Sunday = 0) to ISO 8601's (Monday = 1 .. Sunday = 7).
func isoDay(d time.Weekday) C.int32_t { return C.int32_t((int(d)+6)%7 + 1) }

// SetHours opens day from open to close, durations after local midnight
// (0..24h, whole seconds); equal durations close the day.
func (c *Calendar) SetHours(day time.Weekday, open, close time.Duration) error {
	p, err := c.ptr()
	if err != nil {
		return err
	}
	defer runtime.KeepAlive(c)
	if day < time.Sunday || day > time.Saturday || open%time.Second != 0 || close%time.Second != 0 ||
		open < 0 || close > 24*time.Hour {
		return newError(C.CXM_E_OPTION)
	}
	return check(C.cxm_calendar_set_hours(p, isoDay(day), C.int32_t(open/time.Second), C.int32_t(close/time.Second)))
}

// Hours returns day's opening and closing times; open == close when closed.
func (c *Calendar) Hours(day time.Weekday) (open, close time.Duration, err error) {
	p, err := c.ptr()
	if err != nil {
		return 0, 0, err
	}
	defer runtime.KeepAlive(c)
	if day < time.Sunday || day > time.Saturday {
		return 0, 0, newError(C.CXM_E_OPTION)
	}
	var o, e C.int32_t
	if err := check(C.cxm_calendar_get_hours(&o, &e, p, isoDay(day))); err != nil {
		return 0, 0, err
	}
	return time.Duration(o) * time.Second, time.Duration(e) * time.Second, nil
}

var dayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// clock parses HH:MM (00:00..24:00); -1 when malformed.
func clock(s string) time.Duration {
	if len(s) != 5 || s[2] != ':' {
		return -1
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return -1
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
}

// SetHoursText sets the whole week from the `--hours` text of `cxm report`
// and `cxm churn` (docs/cli.md, "Business time"): comma-separated
// DAYS=HH:MM-HH:MM or DAYS=closed, DAYS a day ("mon".."sun") or a range in
// week order ("mon-fri"). Days not named are closed. A day named twice, an
// empty interval or a reversed range is an error; then nothing changes.
func (c *Calendar) SetHoursText(spec string) error {
	bad := &Error{Status: StatusOption, Name: StatusName(StatusOption),
		Message: "hours '" + spec + "': DAYS=HH:MM-HH:MM or DAYS=closed, comma-separated, each day once"}
	var open, close [7]time.Duration
	var named [7]bool
	if spec == "" {
		return bad
	}
	index := func(name string) int {
		for i, d := range dayNames {
			if d == name {
				return i
			}
		}
		return -1
	}
	for _, part := range strings.Split(spec, ",") {
		days, value, ok := strings.Cut(part, "=")
		if !ok {
			return bad
		}
		first, last, isRange := strings.Cut(days, "-")
		a, b := index(first), index(first)
		if isRange {
			b = index(last)
		}
		if a < 0 || b < a {
			return bad
		}
		var o, e time.Duration
		if value != "closed" {
			if len(value) != 11 || value[5] != '-' {
				return bad
			}
			o, e = clock(value[:5]), clock(value[6:])
			if o < 0 || e < 0 || o >= e {
				return bad
			}
		}
		for d := a; d <= b; d++ {
			if named[d] {
				return bad
			}
			named[d], open[d], close[d] = true, o, e
		}
	}
	if _, err := c.ptr(); err != nil {
		return err
	}
	for d := 0; d < 7; d++ {
		// ISO day d+1 is Go weekday (d+1)%7.
		if err := c.SetHours(time.Weekday((d+1)%7), open[d], close[d]); err != nil {
			return err
		}
	}
	return nil
}

// SetUTCOffset sets the fixed offset of local time (at most 18 hours either
// way, whole seconds).
func (c *Calendar) SetUTCOffset(offset time.Duration) error {
	p, err := c.ptr()
	if err != nil {
		return err
	}
	defer runtime.KeepAlive(c)
	if offset%time.Second != 0 || offset > 18*time.Hour || offset < -18*time.Hour {
		return newError(C.CXM_E_OPTION)
	}
	return check(C.cxm_calendar_set_offset(p, C.int32_t(offset/time.Second)))
}

// SetUTCOffsetText sets the offset from "+HH:MM", "-HH:MM" or "Z".
func (c *Calendar) SetUTCOffsetText(text string) error {
	p, err := c.ptr()
	if err != nil {
		return err
	}
	defer runtime.KeepAlive(c)
	cs := C.CString(text)
	defer C.free(unsafe.Pointer(cs))
	var off C.int32_t
	if err := check(C.cxm_calendar_parse_offset(&off, cs, C.size_t(len(text)))); err != nil {
		return err
	}
	return check(C.cxm_calendar_set_offset(p, off))
}

// UTCOffset returns the calendar's offset.
func (c *Calendar) UTCOffset() (time.Duration, error) {
	p, err := c.ptr()
	if err != nil {
		return 0, err
	}
	defer runtime.KeepAlive(c)
	var off C.int32_t
	if err := check(C.cxm_calendar_get_offset(&off, p)); err != nil {
		return 0, err
	}
	return time.Duration(off) * time.Second, nil
}

// AddHoliday makes a local date a day without business hours.
func (c *Calendar) AddHoliday(year int, month time.Month, day int) error {
	p, err := c.ptr()
	if err != nil {
		return err
	}
	defer runtime.KeepAlive(c)
	if year < 1 || year > 9999 {
		return newError(C.CXM_E_TIME)
	}
	return check(C.cxm_calendar_add_holiday(p, C.int32_t(year), C.int32_t(month), C.int32_t(day)))
}

// AddHolidaysText adds one YYYY-MM-DD date a line, as the `--holidays`
// file: all or nothing.
func (c *Calendar) AddHolidaysText(text string) error {
	p, err := c.ptr()
	if err != nil {
		return err
	}
	defer runtime.KeepAlive(c)
	cs := C.CString(text)
	defer C.free(unsafe.Pointer(cs))
	var bad C.size_t
	return check(C.cxm_calendar_add_holidays_text(&bad, p, cs, C.size_t(len(text))))
}

// HolidayCount is the number of distinct holiday dates.
func (c *Calendar) HolidayCount() int {
	if c == nil || c.p == nil {
		return 0
	}
	defer runtime.KeepAlive(c)
	return int(C.cxm_calendar_holiday_count(c.p))
}

// BusinessSeconds returns the business time in [from, to).
func (c *Calendar) BusinessSeconds(from, to time.Time) (time.Duration, error) {
	p, err := c.ptr()
	if err != nil {
		return 0, err
	}
	defer runtime.KeepAlive(c)
	var out C.int64_t
	if err := check(C.cxm_calendar_business_seconds(&out, p, C.int64_t(from.Unix()), C.int64_t(to.Unix()))); err != nil {
		return 0, err
	}
	return time.Duration(out) * time.Second, nil
}

// ServiceOptions are the business settings of a service-level query.
type ServiceOptions struct {
	// Calendar gives the business hours; nil: Monday-Friday 09:00-17:00 UTC.
	Calendar *Calendar
	// SLATarget is the first-reply target in business time; zero: 8 hours.
	SLATarget time.Duration
	// Business: durations (medians, p90s, means) in business time
	// (cxm_store_service_business) instead of the wall clock.
	Business bool
}

// c gives the experience options of the settings.
func (opts ServiceOptions) c() (C.cxm_experience_options, error) {
	var o C.cxm_experience_options
	C.cxm_experience_options_init(&o)
	if opts.Calendar != nil {
		cp, err := opts.Calendar.ptr()
		if err != nil {
			return o, err
		}
		o.calendar = cp
	}
	if opts.SLATarget != 0 {
		if opts.SLATarget%time.Second != 0 || opts.SLATarget < 0 {
			return o, newError(C.CXM_E_OPTION)
		}
		o.sla_target_seconds = C.int64_t(opts.SLATarget / time.Second)
	}
	return o, nil
}

// ServiceWith computes service levels of a slice with business settings;
// nil when the slice has no contact.
func (s *Store) ServiceWith(f Filter, opts ServiceOptions) (*Service, error) {
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	defer runtime.KeepAlive(opts.Calendar)
	cf, err := cFilter(p, f)
	if err != nil {
		return nil, err
	}
	o, err := opts.c()
	if err != nil {
		return nil, err
	}
	var r C.cxm_service_result
	if opts.Business {
		err = check(C.cxm_store_service_business(&r, p, &cf, &o))
	} else {
		err = check(C.cxm_store_service(&r, p, &cf, &o))
	}
	if err != nil || r.contacts == 0 {
		return nil, err
	}
	return serviceOf(&r), nil
}
