package cxm

/*
#cgo pkg-config: cxm
#include <stdlib.h>
#include <cxm.h>
*/
import "C"

import (
	"fmt"
	"math"
	"runtime"
	"time"
	"unsafe"
)

// PurchaseOptions choose the observation period and time unit of purchase
// summaries (struct cxm_rfm_options). The zero value observes everything,
// through the day of the last event, in weeks.
type PurchaseOptions struct {
	To        time.Time     // end of observation, exclusive, a UTC midnight; zero: through the day of the last event
	HoldoutTo time.Time     // with To: count repeat purchase days in [To, HoldoutTo) as FrequencyHoldout; zero: none
	Unit      time.Duration // the time unit of Recency and T: 24*time.Hour (days) or 7*24*time.Hour (weeks, the default when zero)
	// CalendarWeeks makes a calendar week (Monday to Sunday, UTC; pandas'
	// and lifetimes' freq "W") one transaction, Recency and T whole weeks;
	// Unit must then be weeks (or zero).
	CalendarWeeks bool
}

// PurchaseSummary is one buyer's purchase summary (struct cxm_rfm_customer)
// under lifetimes' names: Frequency (repeat purchase days), Recency and T
// in the options' unit, MonetaryValue (mean repeat-day spend; 0 without
// repeats, as lifetimes has it), FrequencyHoldout (NaN without a holdout).
type PurchaseSummary struct {
	Customer         string
	Frequency        uint32
	Recency, T       float64
	MonetaryValue    float64
	FrequencyHoldout float64
}

func (o PurchaseOptions) c() (C.cxm_rfm_options, error) {
	var r C.cxm_rfm_options
	C.cxm_rfm_options_init(&r)
	switch o.Unit {
	case 0:
	case 24 * time.Hour, 7 * 24 * time.Hour:
		r.unit_seconds = C.double(o.Unit / time.Second)
	default:
		return r, check(C.CXM_E_OPTION)
	}
	if o.CalendarWeeks {
		r.calendar_weeks = 1
	}
	if !o.To.IsZero() {
		r.to = C.int64_t(o.To.Unix())
	}
	if !o.HoldoutTo.IsZero() {
		r.holdout_to = C.int64_t(o.HoldoutTo.Unix())
	}
	return r, nil
}

// rfm builds the store's summaries into a new cxm_rfm (freed by the caller).
func (s *Store) rfm(opt PurchaseOptions) (*C.cxm_rfm, error) {
	o, err := opt.c()
	if err != nil {
		return nil, err
	}
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	var r *C.cxm_rfm
	if err := check(C.cxm_rfm_new(&r, nil)); err != nil {
		return nil, err
	}
	if err := check(C.cxm_store_rfm(r, p, &o)); err != nil {
		C.cxm_rfm_free(r)
		return nil, err
	}
	return r, nil
}

// PurchaseSummaries returns every buyer's purchase summary
// (cxm_store_rfm; docs/purchase.md, "From events"), in the store's
// customer order; buyers whose first purchase is on the last day (T = 0)
// are left out.
func (s *Store) PurchaseSummaries(opt PurchaseOptions) ([]PurchaseSummary, error) {
	r, err := s.rfm(opt)
	if err != nil {
		return nil, err
	}
	defer C.cxm_rfm_free(r)
	n := int(C.cxm_rfm_count(r))
	out := make([]PurchaseSummary, 0, n)
	for i := 0; i < n; i++ {
		var c C.cxm_rfm_customer
		C.cxm_rfm_customer_init(&c)
		if err := check(C.cxm_rfm_get(&c, r, C.size_t(i))); err != nil {
			return nil, err
		}
		money := float64(c.monetary)
		if c.x == 0 || math.IsNaN(money) {
			money = 0
		}
		out = append(out, PurchaseSummary{Customer: C.GoStringN(c.id, C.int(c.id_len)), Frequency: uint32(c.x),
			Recency: float64(c.t_x), T: float64(c.T), MonetaryValue: money, FrequencyHoldout: float64(c.x_star)})
	}
	return out, nil
}

// PurchaseModel is a fitted purchase model (struct cxm_model;
// docs/purchase.md): Kind "bgnbd", "mbgnbd", "pnbd" or "gg" (Gamma-Gamma
// spend), its parameters and standard errors by the library's names (SE
// NaN where the Hessian gives none), the log-likelihood, the customers
// fitted, whether the fit converged, and the reasons it is degenerate
// ("rate", "dropout", "spend", "hessian"; empty for a sound fit). Its
// methods evaluate it in the time unit it was fitted in.
type PurchaseModel struct {
	Kind       string
	Params     map[string]float64
	SE         map[string]float64
	LogLik     float64
	Customers  uint64
	Converged  bool
	Iterations int
	Degenerate []string
	m          C.cxm_model
}

var purchaseKinds = map[string]C.int32_t{"bgnbd": 1, "mbgnbd": 2, "pnbd": 3, "gg": 4}

// FitPurchaseModel fits kind ("bgnbd", "mbgnbd", "pnbd" or "gg") to the
// store's purchase summaries (cxm_store_rfm, then cxm_model_fit), as
// `cxm churn` does. A fit that did not converge or is degenerate is
// returned with Converged false and a nil error (the command prints it
// and exits 1). Errors: ErrModel (unknown kind), ErrNoData (nobody to
// fit), ErrOption (unit), ErrWindow (bounds).
func (s *Store) FitPurchaseModel(kind string, opt PurchaseOptions) (*PurchaseModel, error) {
	k, ok := purchaseKinds[kind]
	if !ok {
		return nil, check(C.CXM_E_MODEL)
	}
	r, err := s.rfm(opt)
	if err != nil {
		return nil, err
	}
	defer C.cxm_rfm_free(r)
	pm := &PurchaseModel{Params: map[string]float64{}, SE: map[string]float64{}}
	C.cxm_model_init(&pm.m)
	if rc := C.cxm_model_fit(&pm.m, r, k, nil); rc != C.CXM_E_CONVERGE {
		if err := check(rc); err != nil {
			return nil, err
		}
	}
	pm.fill(k)
	return pm, nil
}

// fill sets the exported fields from the C model of kind k.
func (pm *PurchaseModel) fill(k C.int32_t) {
	pm.Kind = C.GoString(C.cxm_model_name(k))
	for i := 0; i < int(pm.m.param_count); i++ {
		name := C.GoString(C.cxm_model_param_name(k, C.int32_t(i)))
		pm.Params[name] = float64(pm.m.param[i])
		pm.SE[name] = float64(pm.m.se[i])
	}
	pm.LogLik = float64(pm.m.loglik)
	pm.Customers = uint64(pm.m.customers)
	pm.Converged = pm.m.converged != 0
	pm.Iterations = int(pm.m.iterations)
	pm.Degenerate = []string{}
	for _, d := range []struct {
		bit  C.uint32_t
		name string
	}{{1, "rate"}, {2, "dropout"}, {4, "spend"}, {8, "hessian"}} {
		if pm.m.degenerate&d.bit != 0 {
			pm.Degenerate = append(pm.Degenerate, d.name)
		}
	}
}

// PAlive is P(alive at T | frequency, recency, T) (cxm_model_p_alive).
func (m *PurchaseModel) PAlive(frequency uint32, recency, T float64) (float64, error) {
	var out C.double
	err := check(C.cxm_model_p_alive(&out, &m.m, C.uint32_t(frequency), C.double(recency), C.double(T)))
	return float64(out), err
}

// Expected is the expected number of repeat purchases in (T, T + t]
// (cxm_model_expected).
func (m *PurchaseModel) Expected(t float64, frequency uint32, recency, T float64) (float64, error) {
	var out C.double
	err := check(C.cxm_model_expected(&out, &m.m, C.double(t), C.uint32_t(frequency), C.double(recency), C.double(T)))
	return float64(out), err
}

// ConditionalPMF is the probability of exactly k repeat purchases in
// (T, T + t] given the history (cxm_model_conditional_pmf).
func (m *PurchaseModel) ConditionalPMF(t float64, k, frequency uint32, recency, T float64) (float64, error) {
	var out C.double
	err := check(C.cxm_model_conditional_pmf(&out, &m.m, C.double(t), C.uint32_t(k), C.uint32_t(frequency),
		C.double(recency), C.double(T)))
	return float64(out), err
}

// Tracking is the expected side of a tracking plot: the repeat
// transactions a cohort whose customers were born (first purchase) at
// births is expected to have made by the end of each of periods periods of
// periodLength, cumulative and per period (cxm_model_tracking). weights
// counts customers per birth; nil for 1 each.
func (m *PurchaseModel) Tracking(births, weights []float64, periods int, periodLength float64) (cumulative, incremental []float64, err error) {
	if weights != nil && len(weights) != len(births) {
		return nil, nil, fmt.Errorf("cxm: %d weights for %d births: %w", len(weights), len(births), ErrValue)
	}
	if periods < 1 {
		return nil, nil, fmt.Errorf("cxm: %d periods: %w", periods, ErrValue)
	}
	cum := make([]C.double, periods)
	inc := make([]C.double, periods)
	var b, w *C.double
	if len(births) > 0 {
		cb := make([]C.double, len(births))
		for i, v := range births {
			cb[i] = C.double(v)
		}
		b = &cb[0]
		if weights != nil {
			cw := make([]C.double, len(weights))
			for i, v := range weights {
				cw[i] = C.double(v)
			}
			w = &cw[0]
		}
	}
	if err := check(C.cxm_model_tracking(&cum[0], &inc[0], C.size_t(periods), &m.m, b, w, C.size_t(len(births)), C.double(periodLength))); err != nil {
		return nil, nil, err
	}
	cumulative = make([]float64, periods)
	incremental = make([]float64, periods)
	for i := range cum {
		cumulative[i] = float64(cum[i])
		incremental[i] = float64(inc[i])
	}
	return cumulative, incremental, nil
}

// ExpectedSpend is the Gamma-Gamma expected mean spend of a customer
// (cxm_model_expected_spend).
func (m *PurchaseModel) ExpectedSpend(frequency uint32, monetary float64) (float64, error) {
	var out C.double
	err := check(C.cxm_model_expected_spend(&out, &m.m, C.uint32_t(frequency), C.double(monetary)))
	return float64(out), err
}

// CLV is the discounted customer lifetime value over periods periods of
// periodLength time units at discount per period, with the Gamma-Gamma
// model spend (cxm_model_clv; lifetimes' customer_lifetime_value).
func (m *PurchaseModel) CLV(spend *PurchaseModel, frequency uint32, recency, T, monetary float64, periods uint32,
	periodLength, discount float64) (float64, error) {
	if spend == nil {
		return 0, check(C.CXM_E_ARG)
	}
	var out C.double
	err := check(C.cxm_model_clv(&out, &m.m, &spend.m, C.uint32_t(frequency), C.double(recency), C.double(T),
		C.double(monetary), C.uint32_t(periods), C.double(periodLength), C.double(discount)))
	return float64(out), err
}

// PNoPurchase is P(no purchase in (T, T + t] | frequency, recency, T)
// (cxm_model_p_no_purchase): 1 at t = 0, falling towards 1 - P(alive); the
// lapse odds of the churn features.
func (m *PurchaseModel) PNoPurchase(t float64, frequency uint32, recency, T float64) (float64, error) {
	var out C.double
	err := check(C.cxm_model_p_no_purchase(&out, &m.m, C.double(t), C.uint32_t(frequency), C.double(recency),
		C.double(T)))
	return float64(out), err
}

// PMF is P(X(t) = k) for a customer just acquired (cxm_model_pmf).
func (m *PurchaseModel) PMF(t float64, k uint32) (float64, error) {
	var out C.double
	err := check(C.cxm_model_pmf(&out, &m.m, C.double(t), C.uint32_t(k)))
	return float64(out), err
}

// Population is E[X(t)] of a customer just acquired (cxm_model_population).
func (m *PurchaseModel) Population(t float64) (float64, error) {
	var out C.double
	err := check(C.cxm_model_population(&out, &m.m, C.double(t)))
	return float64(out), err
}

// FitOptions tune a purchase-model fit (struct cxm_fit_options). The zero
// value is the library's default (500 iterations, tolerance 1e-7, the
// library's own starting point, 60 seconds).
type FitOptions struct {
	MaxIterations int32         // L-BFGS iterations, 1..100000; zero: 500
	Tolerance     float64       // zero: 1e-7
	Start         []float64     // starting parameters (natural scale); nil: the library's own
	MaxTime       time.Duration // time budget; zero: 60 s. When it runs out the fit returns its best point, not converged
	Penalty       float64       // L2 penalty coefficient (lifetimes' penalizer_coef; docs/purchase.md); zero: none
}

func (o FitOptions) c() C.cxm_fit_options {
	var co C.cxm_fit_options
	C.cxm_fit_options_init(&co)
	if o.MaxIterations != 0 {
		co.max_iterations = C.int32_t(o.MaxIterations)
	}
	if o.Tolerance != 0 {
		co.tolerance = C.double(o.Tolerance)
	}
	for i, v := range o.Start {
		if i < len(co.start) {
			co.start[i] = C.double(v)
		}
	}
	if o.MaxTime != 0 {
		co.max_seconds = C.double(o.MaxTime.Seconds())
	}
	co.penalty = C.double(o.Penalty)
	return co
}

// fit fits kind to the summaries of r into a PurchaseModel.
func fitModel(r *C.cxm_rfm, kind string, fo FitOptions) (*PurchaseModel, error) {
	k, ok := purchaseKinds[kind]
	if !ok {
		return nil, check(C.CXM_E_MODEL)
	}
	co := fo.c()
	pm := &PurchaseModel{Params: map[string]float64{}, SE: map[string]float64{}}
	C.cxm_model_init(&pm.m)
	if rc := C.cxm_model_fit(&pm.m, r, k, &co); rc != C.CXM_E_CONVERGE {
		if err := check(rc); err != nil {
			return nil, err
		}
	}
	pm.fill(k)
	return pm, nil
}

// FitPurchaseModelWith is FitPurchaseModel with fit options.
func (s *Store) FitPurchaseModelWith(kind string, opt PurchaseOptions, fo FitOptions) (*PurchaseModel, error) {
	if _, ok := purchaseKinds[kind]; !ok {
		return nil, check(C.CXM_E_MODEL)
	}
	r, err := s.rfm(opt)
	if err != nil {
		return nil, err
	}
	defer C.cxm_rfm_free(r)
	return fitModel(r, kind, fo)
}

// rfmOf builds summaries into a new cxm_rfm (freed by the caller) with
// cxm_rfm_add: MonetaryValue 0 (lifetimes' "no repeat spend") and NaN are
// unknown, FrequencyHoldout NaN is no holdout.
func rfmOf(sums []PurchaseSummary) (*C.cxm_rfm, error) {
	var r *C.cxm_rfm
	if err := check(C.cxm_rfm_new(&r, nil)); err != nil {
		return nil, err
	}
	for _, s := range sums {
		var c C.cxm_rfm_customer
		C.cxm_rfm_customer_init(&c)
		c.x = C.uint32_t(s.Frequency)
		c.t_x = C.double(s.Recency)
		c.T = C.double(s.T)
		if s.MonetaryValue != 0 {
			c.monetary = C.double(s.MonetaryValue)
		}
		c.x_star = C.double(s.FrequencyHoldout)
		var id *C.char
		if s.Customer != "" {
			id, c.id_len = cstr(s.Customer)
			c.id = id
		}
		rc := C.cxm_rfm_add(r, &c)
		free(id)
		if err := check(rc); err != nil {
			C.cxm_rfm_free(r)
			return nil, err
		}
	}
	return r, nil
}

// FitPurchaseSummaries fits kind ("bgnbd", "mbgnbd", "pnbd", "gg") to
// summaries that need not come from a store (cxm_rfm_add, cxm_model_fit),
// in any one time unit; LoadPurchaseSummaries reads them from a summary
// CSV. A fit that did not converge is returned with Converged false.
func FitPurchaseSummaries(kind string, sums []PurchaseSummary, fo FitOptions) (*PurchaseModel, error) {
	if _, ok := purchaseKinds[kind]; !ok {
		return nil, check(C.CXM_E_MODEL)
	}
	r, err := rfmOf(sums)
	if err != nil {
		return nil, err
	}
	defer C.cxm_rfm_free(r)
	return fitModel(r, kind, fo)
}

// readRfm lists the customers of r as PurchaseSummary values.
func readRfm(r *C.cxm_rfm) ([]PurchaseSummary, error) {
	n := int(C.cxm_rfm_count(r))
	out := make([]PurchaseSummary, 0, n)
	for i := 0; i < n; i++ {
		var c C.cxm_rfm_customer
		c.size = C.size_t(unsafe.Sizeof(c))
		if err := check(C.cxm_rfm_get(&c, r, C.size_t(i))); err != nil {
			return nil, err
		}
		p := PurchaseSummary{Customer: C.GoStringN(c.id, C.int(c.id_len)), Frequency: uint32(c.x),
			Recency: float64(c.t_x), T: float64(c.T), MonetaryValue: float64(c.monetary),
			FrequencyHoldout: float64(c.x_star)}
		if math.IsNaN(p.MonetaryValue) {
			p.MonetaryValue = 0
		}
		out = append(out, p)
	}
	return out, nil
}

// LoadPurchaseSummaries reads a summary CSV file (the columns `cxm churn
// --summary` reads: frequency/x, recency/t_x, T/T_cal, optionally
// monetary and x_star and an id; cxm_rfm_load_file). A file that cannot be
// read gives an *fs.PathError wrapping ErrIO and the OS error; a bad line
// an *Error (ErrHeader, ErrColumns, ErrValue...) naming the line.
func LoadPurchaseSummaries(path string) ([]PurchaseSummary, error) {
	if err := noNUL(path, "path", C.CXM_E_IO); err != nil {
		return nil, err
	}
	var r *C.cxm_rfm
	if err := check(C.cxm_rfm_new(&r, nil)); err != nil {
		return nil, err
	}
	defer C.cxm_rfm_free(r)
	cp := C.CString(path)
	defer C.free(unsafe.Pointer(cp))
	var line C.uint64_t
	if rc := C.cxm_rfm_load_file(r, &line, cp); rc != C.CXM_OK {
		if rc == C.CXM_E_IO || rc == C.CXM_E_NOT_FILE {
			return nil, pathError("load", path, rc)
		}
		e := newError(rc)
		e.Message = fmt.Sprintf("%s: line %d: %s", path, uint64(line), e.Message)
		return nil, e
	}
	return readRfm(r)
}

// ParsePurchaseSummaries reads a summary CSV held in memory
// (cxm_rfm_load_csv); see LoadPurchaseSummaries.
func ParsePurchaseSummaries(csv []byte) ([]PurchaseSummary, error) {
	var r *C.cxm_rfm
	if err := check(C.cxm_rfm_new(&r, nil)); err != nil {
		return nil, err
	}
	defer C.cxm_rfm_free(r)
	var line C.uint64_t
	var p *C.char
	if len(csv) > 0 {
		p = (*C.char)(C.CBytes(csv))
		defer C.free(unsafe.Pointer(p))
	}
	if rc := C.cxm_rfm_load_csv(r, &line, p, C.size_t(len(csv))); rc != C.CXM_OK {
		e := newError(rc)
		e.Message = fmt.Sprintf("line %d: %s", uint64(line), e.Message)
		return nil, e
	}
	return readRfm(r)
}

// LogLikOf is the log-likelihood of the model's parameters on other
// summaries (cxm_model_loglik).
func (m *PurchaseModel) LogLikOf(sums []PurchaseSummary) (float64, error) {
	r, err := rfmOf(sums)
	if err != nil {
		return 0, err
	}
	defer C.cxm_rfm_free(r)
	var out C.double
	err = check(C.cxm_model_loglik(&out, &m.m, r))
	return float64(out), err
}

// Holdout compares expected and actual repeat purchases in a holdout
// period (struct cxm_holdout; `cxm churn --holdout-to`): totals, and per
// calibration-frequency bin (0, 1, ..., 7 or more) the customers and the
// mean actual and expected counts (NaN for an empty bin).
type Holdout struct {
	Customers              uint64
	Actual, Expected       float64
	BinCustomers           []uint64
	BinActual, BinExpected []float64
}

// Holdout checks the model on summaries carrying FrequencyHoldout over a
// holdout of length tStar in the summaries' unit (cxm_model_holdout).
func (m *PurchaseModel) Holdout(sums []PurchaseSummary, tStar float64) (*Holdout, error) {
	r, err := rfmOf(sums)
	if err != nil {
		return nil, err
	}
	defer C.cxm_rfm_free(r)
	var h C.cxm_holdout
	h.size = C.size_t(unsafe.Sizeof(h))
	if err := check(C.cxm_model_holdout(&h, &m.m, r, C.double(tStar))); err != nil {
		return nil, err
	}
	out := &Holdout{Customers: uint64(h.customers), Actual: float64(h.actual), Expected: float64(h.expected)}
	for i := range h.bin_customers {
		out.BinCustomers = append(out.BinCustomers, uint64(h.bin_customers[i]))
		out.BinActual = append(out.BinActual, float64(h.bin_actual[i]))
		out.BinExpected = append(out.BinExpected, float64(h.bin_expected[i]))
	}
	return out, nil
}

// TrackingOptions choose the cohort and periods of Store.Tracking
// (struct cxm_tracking_options): periods of Period (whole days; zero: a
// week) from Start (a UTC midnight; zero: the earliest first purchase
// day); the cohort is the customers whose first purchase falls in
// [Start, CohortEnd) (zero: every buyer); Unit is the time unit the model
// was fitted in (zero: weeks, as PurchaseOptions).
type TrackingOptions struct {
	Start, CohortEnd time.Time
	Period, Unit     time.Duration
}

// Tracking gives the tracking plot of the store's purchases
// (cxm_store_tracking; docs/purchase.md, "Tracking"): the cohort's actual
// repeat transactions by the end of each of periods periods, and those
// model (BG/NBD, MBG/NBD or Pareto/NBD) expects, both cumulative, as
// `cxm churn --tracking` prints them. A nil model gives the actual series
// only (expected nil). Errors: ErrValue (periods), ErrOption (a period of
// part days, a bad unit), ErrWindow (bounds that are not UTC midnights).
func (s *Store) Tracking(model *PurchaseModel, periods int, o TrackingOptions) (actual, expected []float64, err error) {
	if periods < 1 {
		return nil, nil, fmt.Errorf("cxm: %d periods: %w", periods, ErrValue)
	}
	var co C.cxm_tracking_options
	C.cxm_tracking_options_init(&co)
	if !o.Start.IsZero() {
		co.from = C.int64_t(o.Start.Unix())
	}
	if !o.CohortEnd.IsZero() {
		co.cohort_to = C.int64_t(o.CohortEnd.Unix())
	}
	if o.Period != 0 {
		co.period_seconds = C.double(o.Period.Seconds())
	}
	if o.Unit != 0 {
		co.unit_seconds = C.double(o.Unit.Seconds())
	}
	p, done, err := s.read()
	if err != nil {
		return nil, nil, err
	}
	defer done()
	act := make([]C.double, periods)
	var exp []C.double
	var expPtr *C.double
	var m *C.cxm_model
	if model != nil {
		exp = make([]C.double, periods)
		expPtr = &exp[0]
		m = &model.m
	}
	if err := check(C.cxm_store_tracking(&act[0], expPtr, C.size_t(periods), p, m, &co)); err != nil {
		return nil, nil, err
	}
	actual = make([]float64, periods)
	for i := range act {
		actual[i] = float64(act[i])
	}
	if model != nil {
		expected = make([]float64, periods)
		for i := range exp {
			expected[i] = float64(exp[i])
		}
	}
	return actual, expected, nil
}
