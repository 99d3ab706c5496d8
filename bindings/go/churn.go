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
)

// ChurnOptions say how customers are scored (cxm_churn_options); zero
// values take the defaults of `cxm churn`.
type ChurnOptions struct {
	// At is the scoring time (scored_at), a UTC midnight; zero: the
	// midnight after the last event. `cxm churn --to`.
	At time.Time
	// HorizonDays is the training horizon: the risk model learns from churn
	// within this many days after a cut-off as many days before At. Zero: 90.
	HorizonDays int
	// Model is the purchase model behind the purchase-risk feature and
	// PAlive: "bgnbd", "mbgnbd" or "pnbd". Empty: "mbgnbd".
	Model string
	// SLATarget is the first-reply target in business time for the
	// SLA-breach feature. Zero: 8 hours.
	SLATarget time.Duration
	// Calendar gives the business hours of the SLA; nil: Monday-Friday
	// 09:00-17:00 UTC. Borrowed for the call (`cxm churn --hours ...`).
	Calendar *Calendar
	// Label is what a lost customer is in training: "churn" (a churn
	// event in the horizon), "lapse" (no activity through it) or "both".
	// Empty: "both". `cxm churn --label`.
	Label string
	// AnyActivity: any customer-initiated event (answer, complaint,
	// compliment, contact) ends a lapse, not only a purchase.
	AnyActivity bool
	// ScoreLapsedOnly: customers already lapsed at the training cut-off
	// are scored but not trained on (default: trained on; docs/churn.md;
	// `cxm churn --lapsed score`).
	ScoreLapsedOnly bool
	// RankByValue orders the customers by value at risk instead of risk
	// (`cxm churn --rank value`).
	RankByValue bool
}

// Driver is a factor that raises a customer's risk above the baseline
// customer's (docs/churn.md, "Drivers").
type Driver struct {
	Factor   string  // the feature's name ("detractor", "open_contacts", ...)
	Weight   float64 // coef x (Value - Baseline): its log-odds above the baseline customer's
	Value    float64 // the customer's value of the feature
	Baseline float64 // the baseline customer's (the median over the scored customers)
}

// ChurnRisk is one scored customer (cxm_churn_row).
type ChurnRisk struct {
	Customer string
	Risk     float64 // probability of being gone by the end of the horizon after At
	Band     string  // "low", "medium" or "high" ("none" only for a risk that is not a probability)
	// PAlive is the purchase model's P(alive) at the scoring time; NaN
	// (math.IsNaN) without usable purchase history: no purchase, or the
	// first purchase on the last day.
	PAlive float64
	// PNoPurchase is the purchase model's P(no purchase in the horizon
	// after At); NaN as PAlive.
	PNoPurchase float64
	// ExpectedValue is the expected purchases in the horizon times the
	// expected spend; ValueAtRisk is Risk times it (docs/churn.md).
	ExpectedValue, ValueAtRisk float64
	Logit                      float64            // log-odds of Risk: the model's intercept + the sum of Contributions
	Features                   map[string]float64 // the feature row, by feature name
	Contributions              map[string]float64 // each feature's share of the log-odds, by name
	Drivers                    []Driver           // features with a weight > 0.05 (a count only when > 0), largest first
}

// CalibrationBin is one decile of the held-out customers sorted by
// predicted risk; Predicted and Observed are NaN when it is empty.
type CalibrationBin struct {
	Customers           uint64
	Predicted, Observed float64
}

// Evaluation is the held-out evaluation of a fitted risk model
// (cxm_risk_evaluation).
type Evaluation struct {
	Customers, Churned  uint64
	LogLoss, AUC, Brier float64
	Calibration         []CalibrationBin
}

// RiskModel says how the customers were scored (cxm_churn_info).
type RiskModel struct {
	Source     string    // "fitted", "default" or "purchase" (docs/churn.md, "Which model scores")
	Fitted     bool      // Source == "fitted"
	ScoredAt   time.Time // the scoring time used
	Cutoff     time.Time // the training cut-off, ScoredAt - HorizonDays
	Intercept  float64
	Coef       map[string]float64 // by feature name
	Converged  bool               // false when a fit stopped at its best point (still used); false for the default model
	Iterations int
	Evaluation *Evaluation // nil without held-out rows (the default model)
	// HeldoutAUC and HeldoutLogLoss are the held-out figures of "default",
	// "fitted" and "purchase" that chose Source; nil without a split.
	HeldoutAUC, HeldoutLogLoss map[string]float64
	Margin                     float64            // the AUC margin the fitted model had to clear; NaN without a split
	Baseline                   map[string]float64 // the baseline customer drivers are measured against
	TrainingCustomers          uint64             // labelled customers at the training cut-off
	TrainingLost               uint64             // of them, lost in the horizon
	ValueAtRisk, ExpectedValue float64            // the customers' sums
	SpendModel                 string             // "gamma-gamma", or the fallback "mean spend"
}

var sourceNames = [3]string{"default", "fitted", "purchase"}

var bandNames = map[C.int32_t]string{C.CXM_RISK_NONE: "none", C.CXM_RISK_LOW: "low", C.CXM_RISK_MEDIUM: "medium",
	C.CXM_RISK_HIGH: "high"}

var modelCodes = map[string]C.int32_t{"bgnbd": C.CXM_MODEL_BGNBD, "mbgnbd": C.CXM_MODEL_MBGNBD,
	"pnbd": C.CXM_MODEL_PNBD}

// churnAfterLast is CXM_CHURN_AFTER_LAST (INT64_MIN).
const churnAfterLast = math.MinInt64

// Churn scores every customer at risk, riskiest first (equal risks in the
// store's customer order), with one call of cxm_store_churn(): the pipeline
// `cxm churn FILE --json` runs (docs/churn.md). Errors: StatusNoData for a
// store without events, StatusWindow for an At that is not a UTC midnight
// in 1970..9999, StatusOption for a bad horizon or SLA target, StatusModel
// for an unknown Model.
//
// The result's structs carry a size the library checks: cgo compiles them
// from the same header, and a libcxm whose structs differ answers StatusSize.
func (s *Store) Churn(opts ChurnOptions) ([]ChurnRisk, RiskModel, error) {
	var info RiskModel
	p, done, err := s.read()
	if err != nil {
		return nil, info, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	var o C.cxm_churn_options
	C.cxm_churn_options_init(&o)
	if !opts.At.IsZero() {
		o.scored_at = C.int64_t(opts.At.Unix())
		if o.scored_at == churnAfterLast {
			return nil, info, newError(C.CXM_E_WINDOW)
		}
	}
	if opts.HorizonDays != 0 {
		if opts.HorizonDays < 0 || int64(opts.HorizonDays) > math.MaxInt64/86400 {
			return nil, info, newError(C.CXM_E_OPTION)
		}
		o.horizon_seconds = C.int64_t(int64(opts.HorizonDays) * 86400)
	}
	if opts.Model != "" {
		code, ok := modelCodes[opts.Model]
		if !ok {
			return nil, info, &Error{Status: StatusModel, Name: StatusName(StatusModel),
				Message: "unknown purchase model '" + opts.Model + "': bgnbd, mbgnbd or pnbd"}
		}
		o.purchase_model = code
	}
	if opts.SLATarget != 0 {
		if opts.SLATarget%time.Second != 0 {
			return nil, info, newError(C.CXM_E_OPTION)
		}
		o.sla_target_seconds = C.int64_t(opts.SLATarget / time.Second)
	}
	if opts.Calendar != nil {
		cp, err := opts.Calendar.ptr()
		if err != nil {
			return nil, info, err
		}
		o.calendar = cp
		defer runtime.KeepAlive(opts.Calendar)
	}
	switch opts.Label {
	case "", "both":
		o.label = C.CXM_LABEL_BOTH
	case "churn":
		o.label = C.CXM_LABEL_CHURN
	case "lapse":
		o.label = C.CXM_LABEL_LAPSE
	default:
		return nil, info, &Error{Status: StatusOption, Name: StatusName(StatusOption),
			Message: "unknown label '" + opts.Label + "': churn, lapse or both"}
	}
	if opts.AnyActivity {
		o.activity = C.CXM_ACTIVITY_ANY
	}
	o.train_lapsed = 1
	if opts.ScoreLapsedOnly {
		o.train_lapsed = 0
	}
	if opts.RankByValue {
		o.rank = C.CXM_CHURN_RANK_VALUE
	}
	var c *C.cxm_churn
	if err := check(C.cxm_store_churn(&c, p, &o)); err != nil {
		return nil, info, err
	}
	defer C.cxm_churn_free(c)
	return churnResult(p, c)
}

// featureNames are the features' names in cxm/features.h order.
func featureNames() []string {
	names := make([]string, C.CXM_FEATURE_COUNT)
	for k := range names {
		names[k] = C.GoString(C.cxm_feature_name(C.int32_t(k)))
	}
	return names
}

// churnResult copies a cxm_churn result into Go values.
func churnResult(p *C.cxm_store, c *C.cxm_churn) ([]ChurnRisk, RiskModel, error) {
	var info RiskModel
	names := featureNames()
	var ci C.cxm_churn_info
	C.cxm_churn_info_init(&ci)
	if err := check(C.cxm_churn_info_get(&ci, c)); err != nil {
		return nil, info, err
	}
	info.Fitted = ci.fitted != 0
	info.Source = sourceNames[ci.source]
	info.Margin = float64(ci.margin)
	info.TrainingCustomers = uint64(ci.train_rows)
	info.TrainingLost = uint64(ci.train_lost)
	info.ValueAtRisk = float64(ci.value_at_risk)
	info.ExpectedValue = float64(ci.expected_value)
	info.SpendModel = "mean spend"
	if ci.spend_fitted != 0 {
		info.SpendModel = "gamma-gamma"
	}
	if !math.IsNaN(info.Margin) {
		info.HeldoutAUC = map[string]float64{}
		info.HeldoutLogLoss = map[string]float64{}
		for k, name := range sourceNames {
			info.HeldoutAUC[name] = float64(ci.heldout_auc[k])
			info.HeldoutLogLoss[name] = float64(ci.heldout_log_loss[k])
		}
	}
	info.Baseline = make(map[string]float64, len(names))
	for k, name := range names {
		info.Baseline[name] = float64(ci.baseline[k])
	}
	info.ScoredAt = time.Unix(int64(ci.scored_at), 0).UTC()
	info.Cutoff = time.Unix(int64(ci.cutoff), 0).UTC()
	info.Intercept = float64(ci.model.intercept)
	info.Converged = ci.model.converged != 0
	info.Iterations = int(ci.model.iterations)
	info.Coef = make(map[string]float64, len(names))
	for k, name := range names {
		info.Coef[name] = float64(ci.model.coef[k])
	}
	info.Evaluation = evaluationOf(&ci.evaluation)
	n := int(C.cxm_churn_count(c))
	out := make([]ChurnRisk, 0, n)
	for i := 0; i < n; i++ {
		var row C.cxm_churn_row
		C.cxm_churn_row_init(&row)
		if err := check(C.cxm_churn_row_get(&row, c, C.size_t(i))); err != nil {
			return nil, info, err
		}
		var id *C.char
		var idlen C.size_t
		if err := check(C.cxm_store_customer_id(&id, &idlen, p, row.handle)); err != nil {
			return nil, info, err
		}
		r := ChurnRisk{Customer: C.GoStringN(id, C.int(idlen)), Risk: float64(row.risk), Band: bandNames[row.band],
			PAlive: float64(row.p_alive), PNoPurchase: float64(row.p_no_purchase), Logit: float64(row.logit),
			ExpectedValue: float64(row.expected_value), ValueAtRisk: float64(row.value_at_risk),
			Features: make(map[string]float64, len(names)), Contributions: make(map[string]float64, len(names))}
		for k, name := range names {
			r.Features[name] = float64(row.features[k])
			r.Contributions[name] = float64(row.contributions[k])
		}
		for k := 0; k < int(row.driver_count) && k < len(names); k++ {
			j := int(row.drivers[k])
			if j < 0 || j >= len(names) {
				continue
			}
			r.Drivers = append(r.Drivers, Driver{Factor: names[j], Weight: float64(row.driver_weights[j]),
				Value: float64(row.features[j]), Baseline: float64(ci.baseline[j])})
		}
		out = append(out, r)
	}
	return out, info, nil
}
