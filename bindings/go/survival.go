package cxm

/*
#cgo pkg-config: cxm
#include <stdlib.h>
#include <cxm.h>
*/
import "C"

import (
	"errors"
	"math"
	"runtime"
	"unsafe"
)

// Retention curves and key drivers (docs/retention.md, docs/drivers.md):
// Kaplan-Meier, log-rank, Cox proportional hazards, the shifted-beta-
// geometric model and key driver analysis, on Go slices.

// KMStep is one step of a Kaplan-Meier curve (cxm_km_step).
type KMStep struct {
	Time                   float64
	AtRisk, Lost, Censored uint64
	Surv, StdErr           float64
	Lower, Upper           float64 // log(-log) interval
}

// KaplanMeierCurve is a fitted curve with its median and restricted mean.
type KaplanMeierCurve struct {
	Steps                      []KMStep
	Median, MedianLo, MedianHi float64   // NaN when not reached
	RMST, RMSTSE               float64   // up to tau; NaN when tau <= 0 was given
	SurvivalAt                 []float64 // S(t) at the times KaplanMeierAt was given
}

func doubles(v []float64) *C.double {
	if len(v) == 0 {
		return nil
	}
	return (*C.double)(unsafe.Pointer(&v[0]))
}

func flags(v []bool) []C.uint8_t {
	out := make([]C.uint8_t, len(v)+1)
	for i, b := range v {
		if b {
			out[i] = 1
		}
	}
	return out
}

var errLength = errors.New("cxm: slices of different lengths")

// KaplanMeier fits a curve; entry may be nil (everyone observed from 0);
// tau > 0 also gives the restricted mean up to tau.
func KaplanMeier(time []float64, lost []bool, entry []float64, confLevel, tau float64) (*KaplanMeierCurve, error) {
	return KaplanMeierAt(time, lost, entry, confLevel, tau, nil)
}

// KaplanMeierAt is KaplanMeier that also reads S(t) of the curve at the
// times at (cxm_km_survival_at: the step function, 1 before the first
// step) into SurvivalAt, as `cxm retention --json` prints survival_at.
func KaplanMeierAt(time []float64, lost []bool, entry []float64, confLevel, tau float64, at []float64) (*KaplanMeierCurve, error) {
	n := len(time)
	if len(lost) != n || (entry != nil && len(entry) != n) {
		return nil, errLength
	}
	ev := flags(lost)
	var km *C.cxm_km
	if err := check(C.cxm_km_fit(&km, nil, doubles(entry), doubles(time), &ev[0], C.size_t(n), C.double(confLevel))); err != nil {
		return nil, err
	}
	defer C.cxm_km_free(km)
	out := &KaplanMeierCurve{RMST: math.NaN(), RMSTSE: math.NaN()}
	m := int(C.cxm_km_steps(km))
	for i := 0; i < m; i++ {
		var st C.cxm_km_step
		st.size = C.size_t(unsafe.Sizeof(st))
		if err := check(C.cxm_km_step_get(&st, km, C.size_t(i))); err != nil {
			return nil, err
		}
		out.Steps = append(out.Steps, KMStep{float64(st.time), uint64(st.n_risk), uint64(st.n_event),
			uint64(st.n_censor), float64(st.surv), float64(st.std_err), float64(st.lower), float64(st.upper)})
	}
	var med, lo, hi C.double
	C.cxm_km_median(&med, &lo, &hi, km)
	out.Median, out.MedianLo, out.MedianHi = float64(med), float64(lo), float64(hi)
	if tau > 0 {
		var r, se C.double
		if err := check(C.cxm_km_rmst(&r, &se, km, C.double(tau))); err != nil {
			return nil, err
		}
		out.RMST, out.RMSTSE = float64(r), float64(se)
	}
	for _, x := range at {
		var sv C.double
		if err := check(C.cxm_km_survival_at(&sv, km, C.double(x))); err != nil {
			return nil, err
		}
		out.SurvivalAt = append(out.SurvivalAt, float64(sv))
	}
	return out, nil
}

// LogRankResult is the log-rank test of equal survival in k groups.
type LogRankResult struct {
	ChiSq              float64
	DF                 int
	P                  float64
	Observed, Expected []float64
}

// LogRank tests equal survival in groups 0..k-1; entry may be nil.
func LogRank(time []float64, lost []bool, group []int32, entry []float64) (*LogRankResult, error) {
	n := len(time)
	if len(lost) != n || len(group) != n || (entry != nil && len(entry) != n) {
		return nil, errLength
	}
	k := int32(0)
	for _, g := range group {
		if g+1 > k {
			k = g + 1
		}
	}
	ev := flags(lost)
	groups := make([]C.int32_t, n+1)
	for i, g := range group {
		groups[i] = C.int32_t(g)
	}
	obs := make([]float64, k+1)
	exp := make([]float64, k+1)
	var res C.cxm_logrank
	res.size = C.size_t(unsafe.Sizeof(res))
	if err := check(C.cxm_logrank_test(&res, doubles(obs), doubles(exp), nil, doubles(entry), doubles(time), &ev[0],
		&groups[0], C.size_t(n), C.int32_t(k))); err != nil {
		return nil, err
	}
	return &LogRankResult{float64(res.chisq), int(res.df), float64(res.p), obs[:k], exp[:k]}, nil
}

// CoxCoef is one coefficient of a Cox fit.
type CoxCoef struct {
	Beta, SE, HR, HRLower, HRUpper, Z, P float64
}

// CoxFit is a Cox proportional-hazards fit.
type CoxFit struct {
	Coefficients                          []CoxCoef
	LogLik0, LogLik, Score, Wald, LR, LRP float64
	Events                                uint64
}

// Cox fits a Cox model on (start, stop] rows (start may be nil); x holds
// one row of covariates per stop time; efron selects Efron's ties.
func Cox(stop []float64, lost []bool, x [][]float64, start []float64, efron bool) (*CoxFit, error) {
	n := len(stop)
	if len(lost) != n || len(x) != n || n == 0 || (start != nil && len(start) != n) {
		return nil, errLength
	}
	p := len(x[0])
	flat := make([]float64, 0, n*p)
	for _, row := range x {
		if len(row) != p {
			return nil, errLength
		}
		flat = append(flat, row...)
	}
	var opt C.cxm_cox_options
	C.cxm_cox_options_init(&opt)
	if efron {
		opt.ties = C.CXM_COX_EFRON
	}
	ev := flags(lost)
	var fit *C.cxm_cox
	if err := check(C.cxm_cox_fit(&fit, nil, doubles(start), doubles(stop), &ev[0], doubles(flat), C.size_t(n),
		C.size_t(p), &opt)); err != nil {
		C.cxm_cox_free(fit)
		return nil, err
	}
	defer C.cxm_cox_free(fit)
	out := &CoxFit{}
	for j := 0; j < p; j++ {
		var c C.cxm_cox_coef
		c.size = C.size_t(unsafe.Sizeof(c))
		if err := check(C.cxm_cox_coef_get(&c, fit, C.size_t(j))); err != nil {
			return nil, err
		}
		out.Coefficients = append(out.Coefficients, CoxCoef{float64(c.beta), float64(c.se), float64(c.hr),
			float64(c.hr_lower), float64(c.hr_upper), float64(c.z), float64(c.p)})
	}
	var s C.cxm_cox_summary
	s.size = C.size_t(unsafe.Sizeof(s))
	if err := check(C.cxm_cox_summary_get(&s, fit)); err != nil {
		return nil, err
	}
	out.LogLik0, out.LogLik = float64(s.loglik0), float64(s.loglik)
	out.Score, out.Wald, out.LR, out.LRP = float64(s.score_chisq), float64(s.wald_chisq), float64(s.lr_chisq), float64(s.lr_p)
	out.Events = uint64(s.events)
	return out, nil
}

// SBGFit fits the shifted-beta-geometric model to the customers alive at
// the start of periods 0..T; it returns alpha and beta.
func SBGFit(alive []float64) (alpha, beta float64, err error) {
	if len(alive) == 0 {
		return 0, 0, errLength
	}
	var res C.cxm_sbg
	res.size = C.size_t(unsafe.Sizeof(res))
	if err := check(C.cxm_sbg_fit(&res, doubles(alive), C.size_t(len(alive)))); err != nil {
		return 0, 0, err
	}
	return float64(res.alpha), float64(res.beta), nil
}

// SBGSurvival is the sBG model's survival S(t) = B(alpha, beta + t) /
// B(alpha, beta) after t >= 0 periods (cxm_sbg_survival).
func SBGSurvival(alpha, beta, t float64) (float64, error) {
	var out C.double
	err := check(C.cxm_sbg_survival(&out, C.double(alpha), C.double(beta), C.double(t)))
	return float64(out), err
}

// SBGRetention is the sBG retention rate of period t >= 1,
// r_t = (beta + t - 1) / (alpha + beta + t - 1) (cxm_sbg_retention).
func SBGRetention(alpha, beta, t float64) (float64, error) {
	var out C.double
	err := check(C.cxm_sbg_retention(&out, C.double(alpha), C.double(beta), C.double(t)))
	return float64(out), err
}

// KeyDriver is one attribute of a key driver analysis.
type KeyDriver struct {
	Weight, Share, Shapley  float64
	Lower, Upper            float64 // bootstrap interval of the weight
	DiffLower, DiffUpper    float64 // interval of weight - random variable's weight
	CoversZero              bool
	MeanRating, Performance float64
	Quadrant                string // "fix first", "strength", "maintain", "low priority"
}

// KeyDrivers is a key driver analysis.
type KeyDrivers struct {
	Rows, Used    uint64
	R2            float64
	BootstrapUsed int
	Drivers       []KeyDriver
}

var quadrantNames = map[C.int32_t]string{1: "fix first", 2: "strength", 3: "maintain", 4: "low priority"}

// Drivers runs a key driver analysis of y on the ratings x (one row per
// respondent, NaN = missing; ratings on 1..7); binary selects logistic
// relative weights for a 0/1 outcome.
func Drivers(y []float64, x [][]float64, binary bool, bootstrap int32, seed uint64) (*KeyDrivers, error) {
	n := len(y)
	if len(x) != n || n == 0 {
		return nil, errLength
	}
	p := len(x[0])
	flat := make([]float64, 0, n*p)
	for _, row := range x {
		if len(row) != p {
			return nil, errLength
		}
		flat = append(flat, row...)
	}
	var opt C.cxm_drivers_options
	C.cxm_drivers_options_init(&opt)
	if binary {
		opt.outcome = C.CXM_DRIVERS_BINARY
	}
	opt.bootstrap = C.int32_t(bootstrap)
	opt.seed = C.uint64_t(seed)
	var d *C.cxm_drivers
	if err := check(C.cxm_drivers_fit(&d, nil, doubles(y), doubles(flat), C.size_t(n), C.size_t(p), &opt)); err != nil {
		return nil, err
	}
	defer C.cxm_drivers_free(d)
	var s C.cxm_drivers_summary
	s.size = C.size_t(unsafe.Sizeof(s))
	if err := check(C.cxm_drivers_summary_get(&s, d)); err != nil {
		return nil, err
	}
	out := &KeyDrivers{Rows: uint64(s.n_rows), Used: uint64(s.n_used), R2: float64(s.r2), BootstrapUsed: int(s.bootstrap_ok)}
	for j := 0; j < p; j++ {
		var v C.cxm_driver
		v.size = C.size_t(unsafe.Sizeof(v))
		if err := check(C.cxm_drivers_get(&v, d, C.size_t(j))); err != nil {
			return nil, err
		}
		out.Drivers = append(out.Drivers, KeyDriver{float64(v.weight), float64(v.share), float64(v.shapley),
			float64(v.lower), float64(v.upper), float64(v.diff_lower), float64(v.diff_upper), v.covers_zero != 0,
			float64(v.mean_rating), float64(v.performance), quadrantNames[v.quadrant]})
	}
	return out, nil
}

// RetentionRow is one customer's survival row (cxm_retention_row).
type RetentionRow struct {
	Handle      uint32
	Entry, Time float64 // days from the origin
	Lost        bool
	NPS         string // "none", "detractor", "passive", "promoter"
	HighEffort  bool
	Channel     string // the channel of the customer's earliest event naming one before To, "unknown" without
	Segment     string // the segment of its earliest event naming one before To, "unknown" without
	SLA         string // its contacts against the SLA at To: "none" (no contact), "met", "breached"
}

var slaNames = map[C.int32_t]string{0: "none", 1: "met", 2: "breached"}

var npsNames = map[C.int32_t]string{0: "none", 1: "detractor", 2: "passive", 3: "promoter"}

// RetentionRows takes one survival row per customer active in the window
// of o (docs/retention.md); o.LapseDays 0 counts churn events only.
// Errors: ErrWindow, ErrOption.
func (s *Store) RetentionRows(o RetentionOptions) ([]RetentionRow, error) {
	co, err := o.c()
	if err != nil {
		return nil, err
	}
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(o.Calendar)
	var r *C.cxm_retention
	if err := check(C.cxm_store_retention(&r, p, &co)); err != nil {
		return nil, err
	}
	defer C.cxm_retention_free(r)
	n := int(C.cxm_retention_count(r))
	out := make([]RetentionRow, 0, n)
	for i := 0; i < n; i++ {
		var row C.cxm_retention_row
		row.size = C.size_t(unsafe.Sizeof(row))
		if err := check(C.cxm_retention_row_get(&row, r, C.size_t(i))); err != nil {
			return nil, err
		}
		var ch, seg *C.char
		var chn, segn C.size_t
		channel, segment := "unknown", "unknown"
		if C.cxm_store_channel_name(&ch, &chn, p, row.channel) == C.CXM_OK {
			channel = C.GoStringN(ch, C.int(chn))
		}
		if C.cxm_store_segment_name(&seg, &segn, p, row.segment) == C.CXM_OK {
			segment = C.GoStringN(seg, C.int(segn))
		}
		out = append(out, RetentionRow{uint32(row.handle), float64(row.entry), float64(row.time), row.lost != 0,
			npsNames[row.nps], row.high_effort != 0, channel, segment, slaNames[row.sla]})
	}
	return out, nil
}
