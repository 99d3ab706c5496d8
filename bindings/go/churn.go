package cxm

/*
#cgo pkg-config: cxm
#include <stdlib.h>
#include <cxm.h>
*/
import "C"

import (
	"runtime"
	"sort"
	"time"
)

// ChurnOptions say when customers are scored; zero values take the
// defaults of `cxm churn`.
type ChurnOptions struct {
	// At is the scoring time, a UTC midnight; zero: the midnight after the
	// last event.
	At time.Time
	// HorizonDays is the training horizon: the risk model learns from churn
	// within this many days after a cut-off as many days before At. Zero: 90.
	HorizonDays int
}

// Driver is a factor that raises a customer's log-odds of churning.
type Driver struct {
	Factor string  // the feature's name ("detractor", "open_contacts", ...)
	Weight float64 // its contribution to the log-odds
}

// ChurnRisk is one customer's churn risk.
type ChurnRisk struct {
	Customer string
	Risk     float64  // probability of churning
	Band     string   // "low", "medium" or "high"
	Drivers  []Driver // largest first
}

// RiskModel says which model scored the customers.
type RiskModel struct {
	Fitted    bool      // fitted from the store's churn events (else the documented default)
	Cutoff    time.Time // the training cut-off
	Intercept float64
	Coef      map[string]float64 // by feature name
}

var bandNames = map[C.int32_t]string{C.CXM_RISK_LOW: "low", C.CXM_RISK_MEDIUM: "medium", C.CXM_RISK_HIGH: "high"}

// Churn scores every customer at risk at opts.At, riskiest first, as `cxm
// churn FILE --json` does: features as of a cut-off HorizonDays earlier and
// churn labels after it train the risk model (cxm_store_risk_model; the
// documented default model when there are too few labels), then features
// as of At are scored and explained.
func (s *Store) Churn(opts ChurnOptions) ([]ChurnRisk, RiskModel, error) {
	var info RiskModel
	p, err := s.ptr()
	if err != nil {
		return nil, info, err
	}
	defer runtime.KeepAlive(s)
	var st C.cxm_store_stats
	st.size = C.size_t(C.sizeof_cxm_store_stats)
	if err := check(C.cxm_store_stats_get(&st, p)); err != nil {
		return nil, info, err
	}
	if st.events == 0 {
		return nil, info, newError(C.CXM_E_NO_DATA)
	}
	horizon := C.int64_t(opts.HorizonDays)
	if horizon == 0 {
		horizon = 90
	}
	at := C.int64_t((int64(st.last)/86400 + 1) * 86400)
	if !opts.At.IsZero() {
		at = C.int64_t(opts.At.Unix())
	}
	cutoff := at - horizon*86400
	info.Cutoff = time.Unix(int64(cutoff), 0).UTC()
	var model C.cxm_risk_model
	C.cxm_risk_model_init(&model)
	var fo C.cxm_feature_options
	C.cxm_feature_options_init(&fo)
	if cutoff > st.first {
		var fitted C.int32_t
		fo.cutoff = cutoff
		fo.horizon_seconds = horizon * 86400
		rc := C.cxm_store_risk_model(&model, nil, &fitted, p, &fo)
		if rc != C.CXM_E_CONVERGE { // the best point reached is still used, as by the command
			if err := check(rc); err != nil {
				return nil, info, err
			}
		}
		info.Fitted = fitted == 1
	} else if err := check(C.cxm_feature_default_model(&model)); err != nil {
		return nil, info, err
	}
	info.Intercept = float64(model.intercept)
	info.Coef = make(map[string]float64, C.CXM_FEATURE_COUNT)
	for j := 0; j < int(model.features); j++ {
		info.Coef[C.GoString(C.cxm_feature_name(C.int32_t(j)))] = float64(model.coef[j])
	}
	fo.cutoff = at
	fo.horizon_seconds = 0
	var f *C.cxm_features
	if err := check(C.cxm_store_features(&f, p, &fo)); err != nil {
		return nil, info, err
	}
	defer C.cxm_features_free(f)
	n := int(C.cxm_features_count(f))
	type row struct {
		handle uint32
		risk   ChurnRisk
	}
	rows := make([]row, 0, n)
	for i := 0; i < n; i++ {
		var x, contrib [C.CXM_FEATURE_COUNT]C.double
		var handle C.uint32_t
		var prob, logit C.double
		if err := check(C.cxm_features_row(&x[0], &handle, nil, f, C.size_t(i))); err != nil {
			return nil, info, err
		}
		if err := check(C.cxm_risk_score(&prob, &model, &x[0])); err != nil {
			return nil, info, err
		}
		if err := check(C.cxm_risk_explain(&contrib[0], &logit, &model, &x[0])); err != nil {
			return nil, info, err
		}
		var id *C.char
		var idlen C.size_t
		if err := check(C.cxm_store_customer_id(&id, &idlen, p, handle)); err != nil {
			return nil, info, err
		}
		r := ChurnRisk{Customer: C.GoStringN(id, C.int(idlen)), Risk: float64(prob),
			Band: bandNames[C.cxm_risk_band(prob)]}
		for j := 0; j < C.CXM_FEATURE_COUNT; j++ {
			if contrib[j] > 0 {
				r.Drivers = append(r.Drivers, Driver{Factor: C.GoString(C.cxm_feature_name(C.int32_t(j))),
					Weight: float64(contrib[j])})
			}
		}
		// Largest first; equal weights keep feature order (as the command's insertion sort).
		sort.SliceStable(r.Drivers, func(a, b int) bool { return r.Drivers[a].Weight > r.Drivers[b].Weight })
		rows = append(rows, row{handle: uint32(handle), risk: r})
	}
	sort.Slice(rows, func(a, b int) bool {
		if rows[a].risk.Risk != rows[b].risk.Risk {
			return rows[a].risk.Risk > rows[b].risk.Risk
		}
		return rows[a].handle < rows[b].handle
	})
	out := make([]ChurnRisk, len(rows))
	for i := range rows {
		out[i] = rows[i].risk
	}
	return out, info, nil
}
