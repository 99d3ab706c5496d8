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

// FeatureOptions choose the feature table (struct cxm_feature_options):
// the cut-off, the label horizon (0: no labels), the purchase model behind
// the purchase-risk feature ("" : MBG/NBD) and the SLA settings of the
// SLA-breach feature (as in ChurnOptions).
type FeatureOptions struct {
	Cutoff      time.Time     // features from the events before this UTC midnight; required
	HorizonDays int           // labels: churn in the days after Cutoff; 0: no labels
	Model       string        // "bgnbd", "mbgnbd" or "pnbd"; "": mbgnbd
	SLATarget   time.Duration // first-reply target in business time; zero: 8 hours
	Calendar    *Calendar     // business hours; nil: Monday-Friday 09:00-17:00 UTC
}

// FeatureRow is one customer's row of the feature table: the features by
// name (cxm/features.h) and the label (1 churned within the horizon, 0
// not, -1 without labels).
type FeatureRow struct {
	Customer string
	Features map[string]float64
	Label    int
}

// c gives the C options of the table.
func (opt FeatureOptions) c() (C.cxm_feature_options, error) {
	var o C.cxm_feature_options
	C.cxm_feature_options_init(&o)
	o.cutoff = C.int64_t(opt.Cutoff.Unix())
	if opt.HorizonDays < 0 || int64(opt.HorizonDays) > math.MaxInt64/86400 {
		return o, newError(C.CXM_E_OPTION)
	}
	o.horizon_seconds = C.int64_t(int64(opt.HorizonDays) * 86400)
	if opt.Model != "" {
		code, ok := modelCodes[opt.Model]
		if !ok {
			return o, newError(C.CXM_E_MODEL)
		}
		o.purchase_model = code
	}
	if opt.SLATarget != 0 {
		if opt.SLATarget%time.Second != 0 {
			return o, newError(C.CXM_E_OPTION)
		}
		o.sla_target_seconds = C.int64_t(opt.SLATarget / time.Second)
	}
	if opt.Calendar != nil {
		cp, err := opt.Calendar.ptr()
		if err != nil {
			return o, err
		}
		o.calendar = cp
	}
	return o, nil
}

// Features returns the churn feature table (cxm_store_features;
// docs/churn.md): a row per customer at risk at the cut-off. The rows
// Churn scores at At are this table at Cutoff = At. Errors: ErrWindow (a
// cut-off that is not a UTC midnight), ErrOption, ErrModel.
func (s *Store) Features(opt FeatureOptions) ([]FeatureRow, error) {
	o, err := opt.c()
	if err != nil {
		return nil, err
	}
	defer runtime.KeepAlive(opt.Calendar)
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	var f *C.cxm_features
	if err := check(C.cxm_store_features(&f, p, &o)); err != nil {
		return nil, err
	}
	defer C.cxm_features_free(f)
	n := int(C.cxm_features_count(f))
	names := make([]string, C.CXM_FEATURE_COUNT)
	for k := range names {
		names[k] = C.GoString(C.cxm_feature_name(C.int32_t(k)))
	}
	out := make([]FeatureRow, 0, n)
	var x [C.CXM_FEATURE_COUNT]C.double
	for i := 0; i < n; i++ {
		var h C.uint32_t
		var label C.int32_t
		if err := check(C.cxm_features_row_get(&x[0], C.CXM_FEATURE_COUNT, &h, &label, f, C.size_t(i))); err != nil {
			return nil, err
		}
		var id *C.char
		var idLen C.size_t
		if err := check(C.cxm_store_customer_id(&id, &idLen, p, h)); err != nil {
			return nil, err
		}
		row := FeatureRow{Customer: C.GoStringN(id, C.int(idLen)), Features: make(map[string]float64, len(names)),
			Label: int(label)}
		for k, name := range names {
			row.Features[name] = float64(x[k])
		}
		out = append(out, row)
	}
	return out, nil
}
