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
	"unsafe"
)

// The churn pipeline's parts (cxm/risk.h; docs/risk.md): a logistic risk
// model fitted to any labelled rows, set by hand or taken from a store,
// and its scores, explanations and evaluation.

// LogisticModel is a logistic risk model (struct cxm_risk_model): the
// intercept and coefficients on the original scale of the features, their
// standard errors (NaN where not estimated), how the fit went, its L2
// penalty and training log-loss (NaN for a model set by hand), and the
// training rows and positives.
type LogisticModel struct {
	Intercept, InterceptSE float64
	Coef, SE               []float64
	Converged, Separated   bool
	Iterations             int
	L2, LogLoss            float64
	Rows, Positives        uint64
	m                      C.cxm_risk_model
}

func logisticOf(m *C.cxm_risk_model) *LogisticModel {
	k := int(m.features)
	out := &LogisticModel{Intercept: float64(m.intercept), InterceptSE: float64(m.intercept_se),
		Converged: m.converged != 0, Separated: m.separated != 0, Iterations: int(m.iterations),
		L2: float64(m.l2), LogLoss: float64(m.log_loss), Rows: uint64(m.rows), Positives: uint64(m.positives), m: *m}
	for j := 0; j < k; j++ {
		out.Coef = append(out.Coef, float64(m.coef[j]))
		out.SE = append(out.SE, float64(m.se[j]))
	}
	return out
}

// LogisticOptions tune FitLogistic (struct cxm_risk_options). The zero
// value is the library's default except L2, whose zero is no penalty.
type LogisticOptions struct {
	L2            float64   // penalty on the standardised coefficients, >= 0 (the churn pipeline uses 1)
	MaxIterations int32     // Newton iterations; zero: 100
	Tolerance     float64   // zero: 1e-10
	Prior         []float64 // coefficients the penalty shrinks towards; nil: 0
}

// riskData builds labelled rows into a new cxm_risk_data (freed by the caller).
func riskData(x [][]float64, y []bool, w []float64) (*C.cxm_risk_data, error) {
	if len(x) != len(y) || (w != nil && len(w) != len(y)) || len(x) == 0 {
		return nil, newError(C.CXM_E_ARG)
	}
	k := len(x[0])
	var d *C.cxm_risk_data
	if err := check(C.cxm_risk_data_new(&d, C.int32_t(k), nil)); err != nil {
		return nil, err
	}
	for i, row := range x {
		if len(row) != k {
			C.cxm_risk_data_free(d)
			return nil, newError(C.CXM_E_VALUE)
		}
		label := C.int32_t(0)
		if y[i] {
			label = 1
		}
		weight := 1.0
		if w != nil {
			weight = w[i]
		}
		if err := check(C.cxm_risk_data_add(d, doubles(row), label, C.double(weight))); err != nil {
			C.cxm_risk_data_free(d)
			return nil, err
		}
	}
	if int(C.cxm_risk_data_count(d)) != len(x) || int(C.cxm_risk_data_features(d)) != k {
		C.cxm_risk_data_free(d)
		return nil, newError(C.CXM_E_STATE)
	}
	return d, nil
}

// FitLogistic fits an L2-regularised logistic regression to rows x with
// labels y and weights w (nil: 1 each) (cxm_risk_data_add, cxm_risk_fit).
// A fit that stopped at its best point is returned with Converged false.
// Errors: ErrArg (lengths), ErrValue (a row, a weight), ErrOption.
func FitLogistic(x [][]float64, y []bool, w []float64, opt LogisticOptions) (*LogisticModel, error) {
	d, err := riskData(x, y, w)
	if err != nil {
		return nil, err
	}
	defer C.cxm_risk_data_free(d)
	var o C.cxm_risk_options
	C.cxm_risk_options_init(&o)
	o.l2 = C.double(opt.L2)
	if opt.MaxIterations != 0 {
		o.max_iterations = C.int32_t(opt.MaxIterations)
	}
	if opt.Tolerance != 0 {
		o.tolerance = C.double(opt.Tolerance)
	}
	if opt.Prior != nil {
		if len(opt.Prior) != len(x[0]) {
			return nil, newError(C.CXM_E_VALUE)
		}
		// The options hold the prior's pointer: C memory, as cgo asks.
		prior := (*C.double)(C.malloc(C.size_t(len(opt.Prior)) * C.size_t(unsafe.Sizeof(C.double(0)))))
		defer C.free(unsafe.Pointer(prior))
		copy(unsafe.Slice((*float64)(unsafe.Pointer(prior)), len(opt.Prior)), opt.Prior)
		o.prior = prior
	}
	var m C.cxm_risk_model
	C.cxm_risk_model_init(&m)
	if rc := C.cxm_risk_fit(&m, d, &o); rc != C.CXM_E_CONVERGE {
		if err := check(rc); err != nil {
			return nil, err
		}
	}
	return logisticOf(&m), nil
}

// NewLogisticModel sets a model by hand (cxm_risk_model_set): an intercept
// and one coefficient per feature (1..64). Errors: ErrValue.
func NewLogisticModel(intercept float64, coef []float64) (*LogisticModel, error) {
	var m C.cxm_risk_model
	C.cxm_risk_model_init(&m)
	if err := check(C.cxm_risk_model_set(&m, C.int32_t(len(coef)), C.double(intercept), doubles(coef))); err != nil {
		return nil, err
	}
	return logisticOf(&m), nil
}

// DefaultChurnModel is the documented default churn model over the churn
// features (cxm_feature_default_model; docs/churn.md), in the order of
// FeatureNames.
func DefaultChurnModel() *LogisticModel {
	var m C.cxm_risk_model
	C.cxm_risk_model_init(&m)
	C.cxm_feature_default_model(&m)
	return logisticOf(&m)
}

// FeatureNames are the churn features in the order of a feature row and of
// the churn models' coefficients (cxm_feature_name).
func FeatureNames() []string { return featureNames() }

// RiskModel is the store's churn risk model (cxm_store_risk_model;
// docs/churn.md): fitted on the features at opt.Cutoff labelled with churn
// in the opt.HorizonDays after it when there are enough labels (even
// customer handles train, odd ones give the held-out evaluation), else the
// default model (fitted false, evaluation nil).
func (s *Store) RiskModel(opt FeatureOptions) (m *LogisticModel, evaluation *Evaluation, fitted bool, err error) {
	o, err := opt.c()
	if err != nil {
		return nil, nil, false, err
	}
	defer runtime.KeepAlive(opt.Calendar)
	p, done, err := s.read()
	if err != nil {
		return nil, nil, false, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	var cm C.cxm_risk_model
	var e C.cxm_risk_evaluation
	var f C.int32_t
	C.cxm_risk_model_init(&cm)
	e.size = C.size_t(unsafe.Sizeof(e))
	if rc := C.cxm_store_risk_model(&cm, &e, &f, p, &o); rc != C.CXM_E_CONVERGE {
		if err := check(rc); err != nil {
			return nil, nil, false, err
		}
	}
	return logisticOf(&cm), evaluationOf(&e), f != 0, nil
}

// evaluationOf converts a cxm_risk_evaluation; nil without rows.
func evaluationOf(e *C.cxm_risk_evaluation) *Evaluation {
	if e.rows == 0 {
		return nil
	}
	ev := &Evaluation{Customers: uint64(e.rows), Churned: uint64(e.positives), LogLoss: float64(e.log_loss),
		AUC: float64(e.auc), Brier: float64(e.brier)}
	for b := 0; b < C.CXM_RISK_CALIBRATION_BINS; b++ {
		ev.Calibration = append(ev.Calibration, CalibrationBin{Customers: uint64(e.bin_rows[b]),
			Predicted: float64(e.bin_predicted[b]), Observed: float64(e.bin_observed[b])})
	}
	return ev
}

func (m *LogisticModel) row(x []float64) (*C.double, error) {
	if len(x) != len(m.Coef) {
		return nil, newError(C.CXM_E_VALUE)
	}
	return doubles(x), nil
}

// Score is P(label 1 | x) (cxm_risk_score).
func (m *LogisticModel) Score(x []float64) (float64, error) {
	px, err := m.row(x)
	if err != nil {
		return math.NaN(), err
	}
	var out C.double
	err = check(C.cxm_risk_score(&out, &m.m, px))
	return float64(out), err
}

// Explain gives each feature's contribution to the log-odds of x and the
// log-odds (the intercept plus the contributions; cxm_risk_explain).
func (m *LogisticModel) Explain(x []float64) (contributions []float64, logit float64, err error) {
	px, err := m.row(x)
	if err != nil {
		return nil, math.NaN(), err
	}
	contributions = make([]float64, len(x))
	var l C.double
	if err := check(C.cxm_risk_explain(doubles(contributions), &l, &m.m, px)); err != nil {
		return nil, math.NaN(), err
	}
	return contributions, float64(l), nil
}

// Evaluate gives the log-loss, Brier score, AUC and calibration deciles of
// the model on labelled rows (cxm_risk_evaluate), e.g. held-out ones.
func (m *LogisticModel) Evaluate(x [][]float64, y []bool, w []float64) (*Evaluation, error) {
	d, err := riskData(x, y, w)
	if err != nil {
		return nil, err
	}
	defer C.cxm_risk_data_free(d)
	var e C.cxm_risk_evaluation
	e.size = C.size_t(unsafe.Sizeof(e))
	if err := check(C.cxm_risk_evaluate(&e, &m.m, d)); err != nil {
		return nil, err
	}
	return evaluationOf(&e), nil
}

// RiskBand is the band of a probability: "low" (< 0.3), "medium" (< 0.6),
// "high", or "none" for NaN or outside [0, 1] (cxm_risk_band).
func RiskBand(p float64) string { return bandNames[C.cxm_risk_band(C.double(p))] }
