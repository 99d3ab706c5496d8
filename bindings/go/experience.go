package cxm

/*
#cgo pkg-config: cxm
#include <cxm.h>
*/
import "C"

import (
	"math"
	"runtime"
	"time"
)

// Servqual holds the SERVQUAL gaps of a slice (perception - expectation per
// dimension; negative: fell short): by dimension name ("tangibles",
// "reliability", "responsiveness", "assurance", "empathy") the qualifying
// customers and the gap (NaN without any), and the overall Score (NaN when
// no dimension has one).
type Servqual struct {
	Customers map[string]uint64
	Gaps      map[string]float64
	Score     float64
}

var servqualDimensions = []string{"tangibles", "reliability", "responsiveness", "assurance", "empathy"}

// Servqual measures the slice's SERVQUAL gaps (cxm_store_servqual).
func (s *Store) Servqual(f Filter) (*Servqual, error) {
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	cf, err := cFilter(p, f)
	if err != nil {
		return nil, err
	}
	var r C.cxm_servqual_result
	if err := check(C.cxm_store_servqual(&r, p, &cf, nil)); err != nil {
		return nil, err
	}
	out := &Servqual{Customers: map[string]uint64{}, Gaps: map[string]float64{}, Score: float64(r.score)}
	for i, d := range servqualDimensions {
		out.Customers[d] = uint64(r.customers[i+1])
		out.Gaps[d] = float64(r.gap[i+1])
	}
	return out, nil
}

// Consistency is how evenly the channels of a slice are rated: the number
// of channels with enough ratings, the SD of their mean normalised ratings
// (NaN below two channels), the mean of the means (NaN without channels),
// and the weakest channel's name ("" when none) and mean.
type Consistency struct {
	Channels    uint32
	SD, Mean    float64
	Weakest     string
	WeakestMean float64
}

// Consistency measures the slice's cross-channel consistency
// (cxm_store_consistency).
func (s *Store) Consistency(f Filter) (*Consistency, error) {
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	cf, err := cFilter(p, f)
	if err != nil {
		return nil, err
	}
	var r C.cxm_consistency_result
	if err := check(C.cxm_store_consistency(&r, p, &cf, nil)); err != nil {
		return nil, err
	}
	out := &Consistency{Channels: uint32(r.channels), SD: float64(r.sd), Mean: float64(r.mean_of_means),
		WeakestMean: math.NaN()}
	if r.weakest_channel >= 0 {
		var name *C.char
		var n C.size_t
		if err := check(C.cxm_store_channel_name(&name, &n, p, r.weakest_channel)); err != nil {
			return nil, err
		}
		out.Weakest = C.GoStringN(name, C.int(n))
		out.WeakestMean = float64(r.weakest_mean)
	}
	return out, nil
}

// NextOpen is the first business instant at or after t
// (cxm_calendar_next_open).
func (c *Calendar) NextOpen(t time.Time) (time.Time, error) {
	p, err := c.ptr()
	if err != nil {
		return time.Time{}, err
	}
	defer runtime.KeepAlive(c)
	var out C.int64_t
	if err := check(C.cxm_calendar_next_open(&out, p, C.int64_t(t.Unix()))); err != nil {
		return time.Time{}, err
	}
	return time.Unix(int64(out), 0).UTC(), nil
}

// AddBusiness is the instant d of business time after t (an SLA deadline;
// cxm_calendar_add_business); d is taken in whole seconds.
func (c *Calendar) AddBusiness(t time.Time, d time.Duration) (time.Time, error) {
	p, err := c.ptr()
	if err != nil {
		return time.Time{}, err
	}
	defer runtime.KeepAlive(c)
	var out C.int64_t
	if err := check(C.cxm_calendar_add_business(&out, p, C.int64_t(t.Unix()), C.int64_t(d/time.Second))); err != nil {
		return time.Time{}, err
	}
	return time.Unix(int64(out), 0).UTC(), nil
}
