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
	return servqualOf(&r), nil
}

func servqualOf(r *C.cxm_servqual_result) *Servqual {
	out := &Servqual{Customers: map[string]uint64{}, Gaps: map[string]float64{}, Score: float64(r.score)}
	for i, d := range servqualDimensions {
		out.Customers[d] = uint64(r.customers[i+1])
		out.Gaps[d] = float64(r.gap[i+1])
	}
	return out
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
	return consistencyOf(p, &r)
}

func consistencyOf(p *C.cxm_store, r *C.cxm_consistency_result) (*Consistency, error) {
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

// ExperienceGroup is one group of GroupExperience: the group (its key and
// filter), its survey metrics, and its experience metrics, each what the
// store's query gives for the group's filter (nil where that query gives
// nil).
type ExperienceGroup struct {
	Group
	NPS                      *NPS
	CSAT                     *CSAT
	CES                      *CES
	Gap                      *Gap
	Servqual                 *Servqual
	Service, ServiceBusiness *Service // wall clock and business time
	Loyalty                  Loyalty
	Consistency              *Consistency
}

// GroupExperience splits a slice as Groups does and computes every
// metric of every group in one pass over the store
// (cxm_store_group_experience and the cxm_groups_* reads), as `cxm report
// --by` does; opts are the business settings of the service levels
// (opts.Business is ignored: both kinds of durations are given).
func (s *Store) GroupExperience(f Filter, by string, opts ServiceOptions) ([]ExperienceGroup, error) {
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	defer runtime.KeepAlive(opts.Calendar)
	code, ok := byCodes[by]
	if !ok {
		return nil, newError(C.CXM_E_BY)
	}
	cf, err := cFilter(p, f)
	if err != nil {
		return nil, err
	}
	o, err := opts.c()
	if err != nil {
		return nil, err
	}
	var g *C.cxm_groups
	if err := check(C.cxm_store_group_experience(&g, p, &cf, code, &o)); err != nil {
		return nil, err
	}
	defer C.cxm_groups_free(g)
	n := int(C.cxm_groups_count(g))
	out := make([]ExperienceGroup, 0, n)
	for i := 0; i < n; i++ {
		ix := C.size_t(i)
		var key *C.char
		var klen C.size_t
		var gf C.cxm_filter
		var acc C.cxm_survey_acc
		var gap C.cxm_gap_acc
		var sq C.cxm_servqual_result
		var sv, sb C.cxm_service_result
		var loy C.cxm_loyalty_result
		var con C.cxm_consistency_result
		for _, rc := range []C.int32_t{C.cxm_groups_key(&key, &klen, g, ix), C.cxm_groups_filter(&gf, g, ix),
			C.cxm_groups_survey(&acc, g, ix), C.cxm_groups_gap(&gap, g, ix), C.cxm_groups_servqual(&sq, g, ix),
			C.cxm_groups_service(&sv, g, ix), C.cxm_groups_service_business(&sb, g, ix),
			C.cxm_groups_loyalty(&loy, g, ix), C.cxm_groups_consistency(&con, g, ix)} {
			if err := check(rc); err != nil {
				return nil, err
			}
		}
		e := ExperienceGroup{Group: Group{Key: C.GoStringN(key, C.int(klen)), Filter: goFilter(p, &gf)},
			Servqual: servqualOf(&sq), Loyalty: loyaltyOf(&loy)}
		if e.NPS, err = npsOf(&acc); err != nil {
			return nil, err
		}
		if e.CSAT, err = csatOf(&acc); err != nil {
			return nil, err
		}
		if e.CES, err = cesOf(&acc); err != nil {
			return nil, err
		}
		if e.Gap, err = gapOf(&gap); err != nil {
			return nil, err
		}
		if e.Consistency, err = consistencyOf(p, &con); err != nil {
			return nil, err
		}
		if sv.contacts > 0 {
			e.Service, e.ServiceBusiness = serviceOf(&sv), serviceOf(&sb)
		}
		out = append(out, e)
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
