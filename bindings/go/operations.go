package cxm

/*
#cgo pkg-config: cxm
#include <cxm.h>
*/
import "C"

import (
	"runtime"
	"time"
	"unsafe"
)

// Operations are the service operations of a slice (cxm_store_operations,
// docs/experience.md "Service operations"): first-contact resolution,
// reopens, repeat contacts, channel switches, transfers, and first and full
// resolution times on the wall clock and in business time. Shares are
// percentages; durations are seconds as in Service; nil where there is
// nothing to measure.
type Operations struct {
	Contacts, Resolved, FirstContactResolved, Reopened uint64
	Repeated, Switched, Transfers                      uint64
	FCRPct, ReopenPct, RepeatPct, SwitchPct            *float64
	TransfersPerContact                                *float64
	FirstResolutionMedian, FirstResolutionMean         *float64
	FullResolutionMedian, FullResolutionMean           *float64
	FirstResolutionBusinessMedian                      *float64
	FirstResolutionBusinessMean                        *float64
	FullResolutionBusinessMedian                       *float64
	FullResolutionBusinessMean                         *float64
}

// OperationsOptions are the settings of an operations query. The zero
// value is the library's default.
type OperationsOptions struct {
	// Window is the repeat-contact window W, whole days from 1 to 3660;
	// zero: 7 days.
	Window time.Duration
	// Calendar gives the business hours of the business-time durations;
	// nil: Monday-Friday 09:00-17:00 UTC.
	Calendar *Calendar
}

func (o OperationsOptions) c() (C.cxm_operations_options, error) {
	var co C.cxm_operations_options
	C.cxm_operations_options_init(&co)
	if o.Window != 0 {
		if o.Window < 0 || o.Window%(24*time.Hour) != 0 {
			return co, newError(C.CXM_E_OPTION)
		}
		co.window_seconds = C.int64_t(o.Window / time.Second)
	}
	if o.Calendar != nil {
		cp, err := o.Calendar.ptr()
		if err != nil {
			return co, err
		}
		co.calendar = cp
	}
	return co, nil
}

func operationsOf(r *C.cxm_operations_result) Operations {
	return Operations{Contacts: uint64(r.contacts), Resolved: uint64(r.resolved),
		FirstContactResolved: uint64(r.first_contact_resolved), Reopened: uint64(r.reopened),
		Repeated: uint64(r.repeated), Switched: uint64(r.switched), Transfers: uint64(r.transfers),
		FCRPct: opt(r.fcr_pct), ReopenPct: opt(r.reopen_pct), RepeatPct: opt(r.repeat_pct),
		SwitchPct: opt(r.switch_pct), TransfersPerContact: opt(r.transfers_per_contact),
		FirstResolutionMedian: opt(r.first_resolution_median_s), FirstResolutionMean: opt(r.first_resolution_mean_s),
		FullResolutionMedian: opt(r.full_resolution_median_s), FullResolutionMean: opt(r.full_resolution_mean_s),
		FirstResolutionBusinessMedian: opt(r.first_resolution_business_median_s),
		FirstResolutionBusinessMean:   opt(r.first_resolution_business_mean_s),
		FullResolutionBusinessMedian:  opt(r.full_resolution_business_median_s),
		FullResolutionBusinessMean:    opt(r.full_resolution_business_mean_s)}
}

// Operations computes the service operations of the contacts whose
// interaction began in the slice (cxm_store_operations). Errors: ErrWindow,
// ErrChannel, ErrStage, ErrSegment (the filter), ErrOption (the window).
func (s *Store) Operations(f Filter, o OperationsOptions) (Operations, error) {
	p, done, err := s.read()
	if err != nil {
		return Operations{}, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	defer runtime.KeepAlive(o.Calendar)
	co, err := o.c()
	if err != nil {
		return Operations{}, err
	}
	cf, err := cFilter(p, f)
	if err != nil {
		return Operations{}, err
	}
	var r C.cxm_operations_result
	r.size = C.size_t(unsafe.Sizeof(r))
	if err := check(C.cxm_store_operations(&r, p, &cf, &co)); err != nil {
		return Operations{}, err
	}
	return operationsOf(&r), nil
}

// OperationsEach computes Operations for several slices in one pass over
// the contacts (cxm_store_operations_each): out[k] equals
// Operations(filters[k], o).
func (s *Store) OperationsEach(filters []Filter, o OperationsOptions) ([]Operations, error) {
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	defer runtime.KeepAlive(o.Calendar)
	co, err := o.c()
	if err != nil {
		return nil, err
	}
	if len(filters) == 0 {
		return []Operations{}, nil
	}
	// Neither struct holds a pointer, so Go memory may be passed (cgo rules).
	n := len(filters)
	cf := make([]C.cxm_filter, n)
	res := make([]C.cxm_operations_result, n)
	for i, f := range filters {
		if cf[i], err = cFilter(p, f); err != nil {
			return nil, err
		}
		res[i].size = C.size_t(unsafe.Sizeof(res[i]))
	}
	if err := check(C.cxm_store_operations_each(&res[0], &cf[0], C.size_t(n), p, &co)); err != nil {
		return nil, err
	}
	out := make([]Operations, n)
	for i := range res {
		out[i] = operationsOf(&res[i])
	}
	return out, nil
}

// BacklogDay is one day of the backlog (cxm_store_backlog,
// docs/experience.md "Backlog"): the contacts open at End (the next local
// midnight of the calendar's UTC offset after Day) and the median and 90th
// percentile of their ages since their open, in seconds on the wall clock
// and in business time; nil when no contact is open.
type BacklogDay struct {
	Day, End                          time.Time
	Open                              uint64
	AgeMedian, AgeP90                 *float64
	AgeBusinessMedian, AgeBusinessP90 *float64
}

// Backlog computes the backlog as a daily series (cxm_store_backlog): one
// BacklogDay per local day the filter's window touches within the data;
// contacts are chosen by the filter's channel, stage and segment, days by
// its window. Only o.Calendar is used (o.Window is still checked). Errors:
// ErrWindow, ErrChannel, ErrStage, ErrSegment, ErrOption.
func (s *Store) Backlog(f Filter, o OperationsOptions) ([]BacklogDay, error) {
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	defer runtime.KeepAlive(o.Calendar)
	co, err := o.c()
	if err != nil {
		return nil, err
	}
	cf, err := cFilter(p, f)
	if err != nil {
		return nil, err
	}
	var n C.size_t
	rc := C.cxm_store_backlog(nil, &n, 0, p, &cf, &co)
	if rc == C.CXM_OK {
		return []BacklogDay{}, nil
	}
	if rc != C.CXM_E_BUFFER {
		return nil, check(rc)
	}
	days := make([]C.cxm_backlog_day, int(n))
	for i := range days {
		days[i].size = C.size_t(unsafe.Sizeof(days[0]))
	}
	if err := check(C.cxm_store_backlog(&days[0], &n, n, p, &cf, &co)); err != nil {
		return nil, err
	}
	return backlogOf(days[:int(n)]), nil
}

func backlogOf(days []C.cxm_backlog_day) []BacklogDay {
	out := make([]BacklogDay, len(days))
	for i := range out {
		d := &days[i]
		out[i] = BacklogDay{Day: time.Unix(int64(d.day), 0).UTC(), End: time.Unix(int64(d.end), 0).UTC(),
			Open: uint64(d.open), AgeMedian: opt(d.age_median_s), AgeP90: opt(d.age_p90_s),
			AgeBusinessMedian: opt(d.age_business_median_s), AgeBusinessP90: opt(d.age_business_p90_s)}
	}
	return out
}

// BacklogEach computes Backlog for several slices at once, with one sort
// of the contacts (cxm_store_backlog_each): out[k] equals
// Backlog(filters[k], o). Errors as Backlog.
func (s *Store) BacklogEach(filters []Filter, o OperationsOptions) ([][]BacklogDay, error) {
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	defer runtime.KeepAlive(o.Calendar)
	co, err := o.c()
	if err != nil {
		return nil, err
	}
	if len(filters) == 0 {
		return [][]BacklogDay{}, nil
	}
	// Neither struct holds a pointer, so Go memory may be passed (cgo rules).
	k := len(filters)
	cf := make([]C.cxm_filter, k)
	counts := make([]C.size_t, k)
	for i, f := range filters {
		if cf[i], err = cFilter(p, f); err != nil {
			return nil, err
		}
	}
	var total C.size_t
	rc := C.cxm_store_backlog_each(nil, &counts[0], &total, 0, &cf[0], C.size_t(k), p, &co)
	if rc != C.CXM_OK && rc != C.CXM_E_BUFFER {
		return nil, check(rc)
	}
	days := make([]C.cxm_backlog_day, int(total)+1)
	for i := range days {
		days[i].size = C.size_t(unsafe.Sizeof(days[0]))
	}
	if total > 0 {
		if err := check(C.cxm_store_backlog_each(&days[0], &counts[0], &total, total, &cf[0], C.size_t(k), p,
			&co)); err != nil {
			return nil, err
		}
	}
	out := make([][]BacklogDay, k)
	at := 0
	for i := range out {
		out[i] = backlogOf(days[at : at+int(counts[i])])
		at += int(counts[i])
	}
	return out, nil
}
