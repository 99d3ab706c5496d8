package cxm

/*
#cgo pkg-config: cxm
#include <cxm.h>
*/
import "C"

import (
	"math"
	"runtime"
	"unsafe"
)

// Slice statistics (cxm/slicestats.h; docs/metrics.md, "Slice
// statistics"): each slice of a dimension tested against the rest of it,
// p-values adjusted across the slices, a low-base flag, Rocks's score
// interval for NPS, and the sample-size planner.

// SliceOptions are the settings of the slice tests. The zero value is the
// library's default (and the command's).
type SliceOptions struct {
	// Adjust is the multiple-comparison adjustment across the slices:
	// "holm" (the default when empty), "bh" (Benjamini-Hochberg) or "none".
	Adjust string
	// Alpha is the significance level of Significant; zero: 0.05.
	Alpha float64
	// MinN is the low-base threshold on answers; zero: 30 (1 turns it off).
	MinN uint64
	// MaxMOE also flags a low base when the margin of error exceeds it
	// (score points); zero: off.
	MaxMOE float64
}

var adjustCodes = map[string]C.int32_t{"": C.CXM_ADJUST_HOLM, "holm": C.CXM_ADJUST_HOLM, "bh": C.CXM_ADJUST_BH,
	"none": C.CXM_ADJUST_NONE}

var sliceMetrics = map[string]C.int32_t{"nps": C.CXM_SLICE_NPS, "csat": C.CXM_SLICE_CSAT, "ces": C.CXM_SLICE_CES}

func (o SliceOptions) c() (C.cxm_slice_options, error) {
	var co C.cxm_slice_options
	C.cxm_slice_options_init(&co)
	a, ok := adjustCodes[o.Adjust]
	if !ok {
		return co, newError(C.CXM_E_OPTION)
	}
	co.adjust = a
	if o.Alpha != 0 {
		co.alpha = C.double(o.Alpha)
	}
	if o.MinN != 0 {
		co.min_n = C.uint64_t(o.MinN)
	}
	if o.MaxMOE != 0 {
		co.max_moe = C.double(o.MaxMOE)
	}
	return co, nil
}

// SliceTest is one slice tested against the rest of its dimension (struct
// cxm_slice_test). Diff = Score - ScoreRest; Stat is z (NPS, CSAT) or
// Welch's t with DF degrees of freedom (DF is +Inf for a z test); P is
// two-sided and PAdjusted adjusted across the dimension. Floats are NaN
// where the library has none (test with math.IsNaN). Significant is +1 or
// -1 (the sign of a significant difference) or 0; LowBase lists why the
// base is low ("n", "moe"), nil when it is adequate; MOE is the slice's
// margin of error. `cxm report --json` prints them under vs_rest.
type SliceTest struct {
	Key                    string // the group key; empty for tests of plain slices
	N, NRest               uint64
	Score, ScoreRest, Diff float64
	SE, Stat, DF, P        float64
	PAdjusted              float64
	Significant            int
	LowBase                []string
	MOE                    float64
}

func sliceTestOf(t *C.cxm_slice_test, key string) SliceTest {
	out := SliceTest{Key: key, N: uint64(t.n), NRest: uint64(t.n_rest), Score: float64(t.score),
		ScoreRest: float64(t.score_rest), Diff: float64(t.diff), SE: float64(t.se), Stat: float64(t.stat),
		DF: float64(t.df), P: float64(t.p), PAdjusted: float64(t.p_adjusted), Significant: int(t.significant),
		MOE: float64(t.moe)}
	if t.low_base&C.CXM_LOW_BASE_N != 0 {
		out.LowBase = append(out.LowBase, "n")
	}
	if t.low_base&C.CXM_LOW_BASE_MOE != 0 {
		out.LowBase = append(out.LowBase, "moe")
	}
	return out
}

func sliceBuffer(k int) []C.cxm_slice_test {
	out := make([]C.cxm_slice_test, k+1)
	out[0].size = C.size_t(unsafe.Sizeof(out[0]))
	return out
}

// SliceTests tests each group of Groups(f, by) against the rest of the
// dimension, as `cxm report --by BY --json` does under vs_rest: metric
// "nps" or "csat" (z tests, cxm_slice_tests_groups), "ces" (Welch's t) or
// "gap" (the perception gap's Welch t, cxm_slice_tests_means on each
// group's pairs, mean and standard deviation). Errors: ErrBy, ErrOption
// (metric, options) and those of the filter.
func (s *Store) SliceTests(f Filter, by, metric string, o SliceOptions) ([]SliceTest, error) {
	co, err := o.c()
	if err != nil {
		return nil, err
	}
	if metric == "gap" {
		groups, err := s.Groups(f, by)
		if err != nil {
			return nil, err
		}
		n := make([]uint64, len(groups))
		mean := make([]float64, len(groups))
		sd := make([]float64, len(groups))
		for i, g := range groups {
			gap, err := s.Gap(g.Filter)
			if err != nil {
				return nil, err
			}
			if gap == nil {
				continue
			}
			n[i] = gap.Pairs
			if gap.Pairs > 0 {
				mean[i] = gap.Mean
			}
			if gap.Pairs >= 2 {
				sd[i] = gap.SE * math.Sqrt(float64(gap.Pairs))
			}
		}
		out, err := sliceTestsMeans(n, mean, sd, &co)
		for i := range out {
			out[i].Key = groups[i].Key
		}
		return out, err
	}
	m, ok := sliceMetrics[metric]
	if !ok {
		return nil, newError(C.CXM_E_OPTION)
	}
	code, ok := byCodes[by]
	if !ok {
		return nil, newError(C.CXM_E_BY)
	}
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
	var g *C.cxm_groups
	if err := check(C.cxm_store_group(&g, p, &cf, code)); err != nil {
		return nil, err
	}
	defer C.cxm_groups_free(g)
	k := int(C.cxm_groups_count(g))
	buf := sliceBuffer(k)
	if err := check(C.cxm_slice_tests_groups(&buf[0], C.size_t(len(buf)), g, m, &co)); err != nil {
		return nil, err
	}
	out := make([]SliceTest, k)
	for i := 0; i < k; i++ {
		var key *C.char
		var klen C.size_t
		if err := check(C.cxm_groups_key(&key, &klen, g, C.size_t(i))); err != nil {
			return nil, err
		}
		out[i] = sliceTestOf(&buf[i], C.GoStringN(key, C.int(klen)))
	}
	return out, nil
}

// surveyAcc fills one metric's answer counts of a survey accumulator.
func surveyAcc(acc *C.cxm_survey_acc, metric string, counts []uint64) error {
	var dst []C.uint64_t
	switch metric {
	case "nps":
		dst = acc.nps.count[:]
	case "csat":
		dst = acc.csat.count[:]
	case "ces":
		dst = acc.ces.count[:]
	default:
		return newError(C.CXM_E_OPTION)
	}
	if len(counts) != len(dst) {
		return newError(C.CXM_E_VALUE)
	}
	for i, c := range counts {
		dst[i] = C.uint64_t(c)
	}
	return nil
}

// SliceTestsSurvey tests each slice's NPS, CSAT or CES (metric) against the
// rest of the slices (cxm_slice_tests_survey): counts holds one slice per
// entry, its answers per scale point (NPS 11 counts for 0..10, CSAT 5 for
// 1..5, CES 7 for 1..7). Errors: ErrOption, ErrValue (a count list of the
// wrong length), ErrOverflow.
func SliceTestsSurvey(metric string, counts [][]uint64, o SliceOptions) ([]SliceTest, error) {
	co, err := o.c()
	if err != nil {
		return nil, err
	}
	m, ok := sliceMetrics[metric]
	if !ok {
		return nil, newError(C.CXM_E_OPTION)
	}
	k := len(counts)
	accs := make([]C.cxm_survey_acc, k+1)
	for i, c := range counts {
		if err := surveyAcc(&accs[i], metric, c); err != nil {
			return nil, err
		}
	}
	buf := sliceBuffer(k)
	if err := check(C.cxm_slice_tests_survey(&buf[0], C.size_t(len(buf)), &accs[0], C.size_t(k), m, &co)); err != nil {
		return nil, err
	}
	out := make([]SliceTest, k)
	for i := range out {
		out[i] = sliceTestOf(&buf[i], "")
	}
	return out, nil
}

// SliceTestsMeans runs Welch t tests of each slice's mean against the
// rest's (cxm_slice_tests_means) from each disjoint slice's count n, mean
// and sample standard deviation sd (ignored where n < 2): any mean such as
// CES or the perception gap. Errors: ErrArg (lengths differ), ErrValue,
// ErrOption, ErrOverflow.
func SliceTestsMeans(n []uint64, mean, sd []float64, o SliceOptions) ([]SliceTest, error) {
	co, err := o.c()
	if err != nil {
		return nil, err
	}
	return sliceTestsMeans(n, mean, sd, &co)
}

func sliceTestsMeans(n []uint64, mean, sd []float64, co *C.cxm_slice_options) ([]SliceTest, error) {
	k := len(n)
	if len(mean) != k || len(sd) != k {
		return nil, newError(C.CXM_E_ARG)
	}
	cn := make([]C.uint64_t, k+1)
	for i, v := range n {
		cn[i] = C.uint64_t(v)
	}
	cm := append(append([]float64{}, mean...), 0)
	cs := append(append([]float64{}, sd...), 0)
	buf := sliceBuffer(k)
	if err := check(C.cxm_slice_tests_means(&buf[0], C.size_t(len(buf)), &cn[0], doubles(cm), doubles(cs),
		C.size_t(k), co)); err != nil {
		return nil, err
	}
	out := make([]SliceTest, k)
	for i := range out {
		out[i] = sliceTestOf(&buf[i], "")
	}
	return out, nil
}

// PAdjust adjusts p-values for multiple comparisons (cxm_p_adjust): method
// "holm" (family-wise error rate), "bh" (false discovery rate) or "none";
// monotone and capped at 1 as R's p.adjust. NaN entries stay NaN and do not
// count in the family. Errors: ErrOption (method), ErrValue (a p outside
// [0, 1]).
func PAdjust(p []float64, method string) ([]float64, error) {
	a, ok := adjustCodes[method]
	if !ok || method == "" {
		return nil, newError(C.CXM_E_OPTION)
	}
	out := make([]float64, len(p)+1)
	in := append(append([]float64{}, p...), 0)
	if err := check(C.cxm_p_adjust(doubles(out), doubles(in), C.size_t(len(p)), a, nil)); err != nil {
		return nil, err
	}
	return out[:len(p)], nil
}

// NPSScoreInterval is Rocks's score interval of an NPS
// (cxm_nps_score_interval; docs/metrics.md), in score points, from the 11
// answer counts for 0..10; z is the critical value (1.959964 for 95%). NaN,
// NaN without answers. NPS results carry the 95% one as ScoreLow, ScoreHigh.
func NPSScoreInterval(counts []uint64, z float64) (low, high float64, err error) {
	var acc C.cxm_survey_acc
	if err := surveyAcc(&acc, "nps", counts); err != nil {
		return math.NaN(), math.NaN(), err
	}
	var lo, hi C.double
	if err := check(C.cxm_nps_score_interval(&lo, &hi, &acc.nps, C.double(z))); err != nil {
		return math.NaN(), math.NaN(), err
	}
	return float64(lo), float64(hi), nil
}

// Plan is a sample-size question (struct cxm_plan_options; `cxm plan`).
// Nil shares and SD take the worst case, as the command does.
type Plan struct {
	Metric     string   // "nps" (the default when empty), "csat" or "ces"
	Margin     float64  // wanted half-width: NPS or CSAT points, CES scale points; > 0
	Population float64  // N for the finite-population correction; zero: infinite
	PPromoter  *float64 // NPS: expected promoter share (default 0.5)
	PDetractor *float64 // NPS: expected detractor share (default 0.5)
	PSatisfied *float64 // CSAT: expected satisfied share (default 0.5)
	SD         *float64 // CES: expected standard deviation of answers (default 3)
	Z          float64  // critical value; zero: 1.959964 (95%)
}

// PlanSampleSize is the number of answers a survey needs for the plan's
// margin of error (cxm_plan_sample_size; docs/metrics.md, "Planning a
// sample size"): n rounded up after the finite-population correction, and
// nInfinite, the need of an infinite population before rounding. Errors:
// ErrOption.
func PlanSampleSize(plan Plan) (n uint64, nInfinite float64, err error) {
	var o C.cxm_plan_options
	C.cxm_plan_options_init(&o)
	metric := plan.Metric
	if metric == "" {
		metric = "nps"
	}
	m, ok := sliceMetrics[metric]
	if !ok {
		return 0, 0, newError(C.CXM_E_OPTION)
	}
	o.metric = m
	o.margin = C.double(plan.Margin)
	o.population = C.double(plan.Population)
	if plan.PPromoter != nil {
		o.p_promoter = C.double(*plan.PPromoter)
	}
	if plan.PDetractor != nil {
		o.p_detractor = C.double(*plan.PDetractor)
	}
	if plan.PSatisfied != nil {
		o.p_promoter = C.double(*plan.PSatisfied)
	}
	if plan.SD != nil {
		o.sd = C.double(*plan.SD)
	}
	if plan.Z != 0 {
		o.z = C.double(plan.Z)
	}
	var cn C.uint64_t
	var n0 C.double
	if err := check(C.cxm_plan_sample_size(&cn, &n0, &o)); err != nil {
		return 0, 0, err
	}
	return uint64(cn), float64(n0), nil
}
