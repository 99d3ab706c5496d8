package cxm

/*
#cgo pkg-config: cxm
#include <stdlib.h>
#include <cxm.h>
*/
import "C"

import (
	"math"
	"runtime"
	"time"
	"unsafe"
)

// Filter selects a slice of a store. Zero values select everything: a zero
// From or To is unbounded, an empty Channel, Stage or Segment is any. The
// empty channel or segment itself is named "unknown", the empty stage
// "none" (the keys Groups returns). From and To must be multiples of a day
// (the store's bucket) unless zero; the window is [From, To). Channel and
// Segment names are looked up without interning them: a name the store has
// never seen selects nothing (nil results, no groups), and a query never
// writes the store; an invalid name is an error (StatusChannel,
// StatusSegment).
type Filter struct {
	From, To time.Time
	Channel  string
	Stage    string
	Segment  string
}

// findCode looks a channel or segment name up for a query without
// interning it (cxm_store_find_channel / cxm_store_find_segment): ok is
// false for a name the store has never seen. An invalid name is an error
// (StatusChannel, StatusSegment). The segment "unknown" is the empty segment
// (code 0, the key Groups gives it), as the channel "unknown" is channel 0.
func findCode(p *C.cxm_store, name string, segment bool) (code C.int32_t, ok bool, err error) {
	if segment && name == "unknown" {
		return C.CXM_SEGMENT_UNKNOWN, true, nil
	}
	s, n := cstr(name)
	defer free(s)
	var rc C.int32_t
	if segment {
		rc = C.cxm_store_find_segment(&code, p, s, n)
	} else {
		rc = C.cxm_store_find_channel(&code, p, s, n)
	}
	if rc == C.CXM_E_NOT_FOUND {
		return 0, false, nil
	}
	return code, rc == C.CXM_OK, check(rc)
}

// cFilter converts f for the store p. A channel or segment the store has
// never seen selects nothing: the window is made empty (at a bound f gives,
// so that a misaligned bound still fails with StatusWindow).
func cFilter(p *C.cxm_store, f Filter) (C.cxm_filter, error) {
	var cf C.cxm_filter
	C.cxm_filter_init(&cf)
	if !f.From.IsZero() {
		cf.from = C.int64_t(f.From.Unix())
	}
	if !f.To.IsZero() {
		cf.to = C.int64_t(f.To.Unix())
	}
	seen := true
	if f.Channel != "" {
		code, ok, err := findCode(p, f.Channel, false)
		if err != nil {
			return cf, err
		}
		cf.channel, seen = code, ok
	}
	if f.Segment != "" {
		code, ok, err := findCode(p, f.Segment, true)
		if err != nil {
			return cf, err
		}
		cf.segment, seen = code, seen && ok
	}
	if f.Stage == "none" {
		cf.stage = C.CXM_STAGE_NONE
	} else if f.Stage != "" {
		s := C.CString(f.Stage)
		defer C.free(unsafe.Pointer(s))
		if err := check(C.cxm_stage_parse(&cf.stage, s, C.size_t(len(f.Stage)))); err != nil {
			return cf, err
		}
	}
	if !seen && cf.from <= cf.to {
		switch {
		case cf.from != math.MinInt64:
			cf.to = cf.from
		case cf.to != math.MaxInt64:
			cf.from = cf.to
		default:
			cf.from, cf.to = 0, 0
		}
	}
	return cf, nil
}

// goFilter converts a C filter back to names.
func goFilter(p *C.cxm_store, cf *C.cxm_filter) Filter {
	var f Filter
	if cf.from != math.MinInt64 {
		f.From = time.Unix(int64(cf.from), 0).UTC()
	}
	if cf.to != math.MaxInt64 {
		f.To = time.Unix(int64(cf.to), 0).UTC()
	}
	var s *C.char
	var n C.size_t
	if cf.channel != C.CXM_ANY && C.cxm_store_channel_name(&s, &n, p, cf.channel) == C.CXM_OK {
		f.Channel = C.GoStringN(s, C.int(n))
	}
	if cf.segment != C.CXM_ANY && C.cxm_store_segment_name(&s, &n, p, cf.segment) == C.CXM_OK {
		f.Segment = C.GoStringN(s, C.int(n))
	}
	if cf.stage != C.CXM_ANY {
		f.Stage = C.GoString(C.cxm_stage_name(cf.stage))
	}
	return f
}

// survey sums the answers of a slice.
func (s *Store) survey(f Filter) (C.cxm_survey_acc, error) {
	var acc C.cxm_survey_acc
	p, done, err := s.read()
	if err != nil {
		return acc, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	cf, err := cFilter(p, f)
	if err != nil {
		return acc, err
	}
	err = check(C.cxm_store_survey(&acc, p, &cf))
	return acc, err
}

// NPS of a slice (docs/metrics.md): nil when the slice has no NPS answer.
type NPS struct {
	N, Promoters, Passives, Detractors uint64
	Score, SE                          float64
	CI95Low, CI95High                  float64 // Wald interval
	AdjustedLow, AdjustedHigh          float64 // adjusted Wald interval
	ScoreLow, ScoreHigh                float64 // Rocks's 95% score interval (cxm_nps_score_interval)
}

// CSAT of a slice (top-two box).
type CSAT struct {
	N, Satisfied      uint64
	Score, Mean       float64
	CI95Low, CI95High float64 // Wilson interval, in percent
}

// CES of a slice. SD and the interval are nil when N < 2.
type CES struct {
	N                              uint64
	Mean                           float64
	SD, CI95Low, CI95High          *float64
	EasyPct, HighEffortPct, NetPct float64
}

// NPS computes the Net Promoter Score of a slice; nil when it has no answer.
func (s *Store) NPS(f Filter) (*NPS, error) {
	acc, err := s.survey(f)
	if err != nil {
		return nil, err
	}
	return npsOf(&acc)
}

func npsOf(acc *C.cxm_survey_acc) (*NPS, error) {
	var r C.cxm_nps_result
	if err := check(C.cxm_nps_compute(&r, &acc.nps)); err != nil || r.n == 0 {
		return nil, err
	}
	var lo, hi C.double
	if err := check(C.cxm_nps_score_interval(&lo, &hi, &acc.nps, 1.959964)); err != nil {
		return nil, err
	}
	return &NPS{N: uint64(r.n), Promoters: uint64(r.promoters), Passives: uint64(r.passives),
		Detractors: uint64(r.detractors), Score: float64(r.score), SE: float64(r.se),
		CI95Low: float64(r.ci95_low), CI95High: float64(r.ci95_high),
		AdjustedLow: float64(r.adjusted_low), AdjustedHigh: float64(r.adjusted_high),
		ScoreLow: float64(lo), ScoreHigh: float64(hi)}, nil
}

// CSAT computes customer satisfaction of a slice; nil when it has no answer.
func (s *Store) CSAT(f Filter) (*CSAT, error) {
	acc, err := s.survey(f)
	if err != nil {
		return nil, err
	}
	return csatOf(&acc)
}

func csatOf(acc *C.cxm_survey_acc) (*CSAT, error) {
	var r C.cxm_csat_result
	if err := check(C.cxm_csat_compute(&r, &acc.csat)); err != nil || r.n == 0 {
		return nil, err
	}
	return &CSAT{N: uint64(r.n), Satisfied: uint64(r.satisfied), Score: float64(r.score), Mean: float64(r.mean),
		CI95Low: float64(r.ci95_low), CI95High: float64(r.ci95_high)}, nil
}

// CES computes customer effort of a slice; nil when it has no answer.
func (s *Store) CES(f Filter) (*CES, error) {
	acc, err := s.survey(f)
	if err != nil {
		return nil, err
	}
	return cesOf(&acc)
}

func cesOf(acc *C.cxm_survey_acc) (*CES, error) {
	var r C.cxm_ces_result
	if err := check(C.cxm_ces_compute(&r, &acc.ces)); err != nil || r.n == 0 {
		return nil, err
	}
	return &CES{N: uint64(r.n), Mean: float64(r.mean), SD: opt(r.sd), CI95Low: opt(r.ci95_low),
		CI95High: opt(r.ci95_high), EasyPct: float64(r.easy_pct), HighEffortPct: float64(r.high_effort_pct),
		NetPct: float64(r.net)}, nil
}

// Gap is the perception gap, service - experience, of a slice.
type Gap struct {
	Pairs                     uint64
	Mean, SE                  float64
	CI95Low, CI95High         *float64 // nil below 2 pairs
	Service, Experience       float64
	DeliveryGap, BlindSpotPct float64
	DeliveryZ                 *float64 // nil when no pair is discordant
	BlindSpots, ReverseSpots  uint64
}

// Gap computes the perception gap of a slice with the default options
// (top box 80); nil when the slice has no rated pair.
func (s *Store) Gap(f Filter) (*Gap, error) {
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
	var acc C.cxm_gap_acc
	if err := check(C.cxm_store_gap(&acc, p, &cf, nil)); err != nil {
		return nil, err
	}
	return gapOf(&acc)
}

// gapOf computes a Gap from its accumulator; nil without a rated pair.
func gapOf(acc *C.cxm_gap_acc) (*Gap, error) {
	var r C.cxm_gap_result
	if err := check(C.cxm_gap_compute(&r, acc)); err != nil || r.pairs == 0 {
		return nil, err
	}
	return &Gap{Pairs: uint64(r.pairs), Mean: float64(r.mean), SE: float64(r.se), CI95Low: opt(r.ci95_low),
		CI95High: opt(r.ci95_high), Service: float64(r.service), Experience: float64(r.experience),
		DeliveryGap: float64(r.delivery_gap), BlindSpotPct: float64(r.blind_spot_pct), DeliveryZ: opt(r.delivery_z),
		BlindSpots: uint64(r.blind_spots), ReverseSpots: uint64(r.reverse_spots)}, nil
}

// Service levels of a slice; durations in seconds, nil when nothing to measure.
type Service struct {
	Contacts, Open, Replied, Resolved, Met, Breached uint64
	FirstResponseMedian, FirstResponseP90            *float64
	FirstResponseMean                                *float64
	ResolutionMedian, ResolutionP90, ResolutionMean  *float64
	WithinSLAPct                                     *float64
}

// Service computes service levels of a slice with the default options
// (Monday-Friday 09:00-17:00 UTC, first reply within one business day);
// nil when the slice has no contact.
func (s *Store) Service(f Filter) (*Service, error) {
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
	var r C.cxm_service_result
	if err := check(C.cxm_store_service(&r, p, &cf, nil)); err != nil || r.contacts == 0 {
		return nil, err
	}
	return serviceOf(&r), nil
}

func serviceOf(r *C.cxm_service_result) *Service {
	return &Service{Contacts: uint64(r.contacts), Open: uint64(r.open), Replied: uint64(r.replied),
		Resolved: uint64(r.resolved), Met: uint64(r.met), Breached: uint64(r.breached),
		FirstResponseMedian: opt(r.first_response_median_s), FirstResponseP90: opt(r.first_response_p90_s),
		FirstResponseMean: opt(r.first_response_mean_s), ResolutionMedian: opt(r.resolution_median_s),
		ResolutionP90: opt(r.resolution_p90_s), ResolutionMean: opt(r.resolution_mean_s),
		WithinSLAPct: opt(r.within_sla_pct)}
}

// Loyalty signals of a slice (zero counts are data).
type Loyalty struct {
	Complaints, Compliments, Churned uint64
	ComplimentRatio                  *float64 // nil when no complaint or compliment
}

// Loyalty counts complaints, compliments and churned customers of a slice.
func (s *Store) Loyalty(f Filter) (Loyalty, error) {
	p, done, err := s.read()
	if err != nil {
		return Loyalty{}, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	cf, err := cFilter(p, f)
	if err != nil {
		return Loyalty{}, err
	}
	var r C.cxm_loyalty_result
	if err := check(C.cxm_store_loyalty(&r, p, &cf)); err != nil {
		return Loyalty{}, err
	}
	return loyaltyOf(&r), nil
}

func loyaltyOf(r *C.cxm_loyalty_result) Loyalty {
	return Loyalty{Complaints: uint64(r.complaints), Compliments: uint64(r.compliments), Churned: uint64(r.churned),
		ComplimentRatio: opt(r.compliment_ratio)}
}

// Group is one group of Groups: its key and the filter selecting it (pass
// it to NPS, Gap... for the group's metrics).
type Group struct {
	Key    string
	Filter Filter
}

var byCodes = map[string]C.int32_t{"channel": C.CXM_BY_CHANNEL, "stage": C.CXM_BY_STAGE,
	"segment": C.CXM_BY_SEGMENT, "month": C.CXM_BY_MONTH, "week": C.CXM_BY_WEEK}

// Groups splits a slice by "channel", "stage", "segment", "month" or
// "week"; groups without events are left out; keys sort bytewise.
func (s *Store) Groups(f Filter, by string) ([]Group, error) {
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	code, ok := byCodes[by]
	if !ok {
		return nil, newError(C.CXM_E_BY)
	}
	cf, err := cFilter(p, f)
	if err != nil {
		return nil, err
	}
	var g *C.cxm_groups
	if err := check(C.cxm_store_group(&g, p, &cf, code)); err != nil {
		return nil, err
	}
	defer C.cxm_groups_free(g)
	n := int(C.cxm_groups_count(g))
	out := make([]Group, 0, n)
	for i := 0; i < n; i++ {
		var key *C.char
		var klen C.size_t
		var gf C.cxm_filter
		if err := check(C.cxm_groups_key(&key, &klen, g, C.size_t(i))); err != nil {
			return nil, err
		}
		if err := check(C.cxm_groups_filter(&gf, g, C.size_t(i))); err != nil {
			return nil, err
		}
		out = append(out, Group{Key: C.GoStringN(key, C.int(klen)), Filter: goFilter(p, &gf)})
	}
	return out, nil
}
