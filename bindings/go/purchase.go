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
	return pm, nil
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
