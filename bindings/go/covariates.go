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

// CovariateFit is a purchase model with time-invariant covariates (struct
// cxm_covariate_fit; cxm/covariates.h, docs/purchase.md "Covariates"):
// Kind "pnbd", "bgnbd" or "mbgnbd"; the base Params and SE by the library's
// names (alpha is alpha0 and so on, the values at covariates 0); per
// covariate GammaTrans/SETrans (purchase process) and GammaLife/SELife
// (dropout process), NaN where the covariate is not in that process or the
// Hessian gives no SE; the log-likelihood, the fit without covariates'
// NullLogLik, and the likelihood-ratio test LR on LRDF degrees of freedom
// with p-value LRP (NaN without both fits).
type CovariateFit struct {
	Kind          string
	Params        map[string]float64
	SE            map[string]float64
	GammaTrans    []float64
	SETrans       []float64
	GammaLife     []float64
	SELife        []float64
	LogLik        float64
	NullLogLik    float64
	LR            float64
	LRDF          int
	LRP           float64
	Converged     bool
	NullConverged bool
	Iterations    int
	Degenerate    []string
	Customers     uint64
	f             C.cxm_covariate_fit
}

var covariateKinds = map[string]C.int32_t{"bgnbd": 1, "mbgnbd": 2, "pnbd": 3}

// flatCovariates lays n rows of k covariates out row-major; nil with
// StatusBuffer when the rows are not n, StatusOption for ragged rows or k
// outside 1..CXM_COVARIATES_MAX.
func flatCovariates(rows [][]float64, n int) ([]float64, int, error) {
	if len(rows) != n {
		return nil, 0, check(C.CXM_E_BUFFER)
	}
	k := 1
	if n > 0 {
		k = len(rows[0])
	}
	flat := make([]float64, 0, n*k+1)
	for _, r := range rows {
		if len(r) != k {
			return nil, 0, check(C.CXM_E_OPTION)
		}
		flat = append(flat, r...)
	}
	flat = append(flat, 0) // never empty: &flat[0] is valid
	return flat, k, nil
}

func covMask(which []int, k int) C.uint32_t {
	if which == nil {
		return C.uint32_t(1<<uint(k) - 1)
	}
	var m C.uint32_t
	for _, j := range which {
		if j < 0 || j > 31 {
			return 1 << 31 // beyond any count: the library refuses it (StatusOption)
		}
		m |= 1 << uint(j)
	}
	return m
}

// FitCovariates fits kind ("pnbd", "bgnbd", "mbgnbd") with covariates
// (cxm_covariate_model_fit): one row of covariates per summary; trans and
// life list the covariates of each process (nil: all). A fit that did not
// converge or is degenerate is returned with Converged false and a nil
// error.
func FitCovariates(kind string, sums []PurchaseSummary, covariates [][]float64, trans, life []int,
	fo FitOptions) (*CovariateFit, error) {
	k, ok := covariateKinds[kind]
	if !ok {
		return nil, check(C.CXM_E_MODEL)
	}
	flat, count, err := flatCovariates(covariates, len(sums))
	if err != nil {
		return nil, err
	}
	r, err := rfmOf(sums)
	if err != nil {
		return nil, err
	}
	defer C.cxm_rfm_free(r)
	co := fo.c()
	cf := &CovariateFit{}
	C.cxm_covariate_fit_init(&cf.f)
	cf.f.kind = k
	cf.f.count = C.uint32_t(count)
	cf.f.trans = covMask(trans, count)
	cf.f.life = covMask(life, count)
	rc := C.cxm_covariate_model_fit(&cf.f, r, (*C.double)(unsafe.Pointer(&flat[0])), C.size_t(len(sums)), &co)
	runtime.KeepAlive(flat)
	if rc != C.CXM_E_CONVERGE {
		if err := check(rc); err != nil {
			return nil, err
		}
	}
	cf.fill()
	return cf, nil
}

func (cf *CovariateFit) fill() {
	f := &cf.f
	cf.Kind = C.GoString(C.cxm_model_name(f.kind))
	cf.Params, cf.SE = map[string]float64{}, map[string]float64{}
	for i := 0; i < 4; i++ {
		name := C.GoString(C.cxm_model_param_name(f.kind, C.int32_t(i)))
		cf.Params[name] = float64(f.param[i])
		cf.SE[name] = float64(f.se[i])
	}
	n := int(f.count)
	cf.GammaTrans, cf.SETrans = make([]float64, n), make([]float64, n)
	cf.GammaLife, cf.SELife = make([]float64, n), make([]float64, n)
	for j := 0; j < n; j++ {
		cf.GammaTrans[j], cf.SETrans[j] = math.NaN(), math.NaN()
		cf.GammaLife[j], cf.SELife[j] = math.NaN(), math.NaN()
		if f.trans>>uint(j)&1 != 0 {
			cf.GammaTrans[j], cf.SETrans[j] = float64(f.gamma_trans[j]), float64(f.se_trans[j])
		}
		if f.life>>uint(j)&1 != 0 {
			cf.GammaLife[j], cf.SELife[j] = float64(f.gamma_life[j]), float64(f.se_life[j])
		}
	}
	cf.LogLik, cf.NullLogLik = float64(f.loglik), float64(f.null_loglik)
	cf.LR, cf.LRDF, cf.LRP = float64(f.lr), int(f.lr_df), float64(f.lr_p)
	cf.Converged, cf.NullConverged = f.converged != 0, f.null_converged != 0
	cf.Iterations = int(f.iterations)
	cf.Customers = uint64(f.customers)
	cf.Degenerate = []string{}
	for _, d := range []struct {
		bit  C.uint32_t
		name string
	}{{1, "rate"}, {2, "dropout"}, {4, "spend"}, {8, "hessian"}} {
		if f.degenerate&d.bit != 0 {
			cf.Degenerate = append(cf.Degenerate, d.name)
		}
	}
}

// LogLikOf is the log-likelihood of the fit's parameters on summaries with
// covariate rows (cxm_covariate_loglik).
func (cf *CovariateFit) LogLikOf(sums []PurchaseSummary, covariates [][]float64) (float64, error) {
	flat, count, err := flatCovariates(covariates, len(sums))
	if err != nil {
		return 0, err
	}
	if count != int(cf.f.count) {
		return 0, check(C.CXM_E_OPTION)
	}
	r, err := rfmOf(sums)
	if err != nil {
		return 0, err
	}
	defer C.cxm_rfm_free(r)
	var out C.double
	rc := C.cxm_covariate_loglik(&out, &cf.f, r, (*C.double)(unsafe.Pointer(&flat[0])), C.size_t(len(sums)))
	runtime.KeepAlive(flat)
	return float64(out), check(rc)
}

// CustomerModel is the customer's own model (cxm_covariate_customer_model):
// a PurchaseModel with the customer's alpha_i and beta_i (a_i, b_i), for
// PAlive, Expected and the other per-customer methods.
func (cf *CovariateFit) CustomerModel(row []float64) (*PurchaseModel, error) {
	if len(row) != int(cf.f.count) {
		return nil, check(C.CXM_E_OPTION)
	}
	pm := &PurchaseModel{Params: map[string]float64{}, SE: map[string]float64{}}
	C.cxm_model_init(&pm.m)
	rc := C.cxm_covariate_customer_model(&pm.m, &cf.f, (*C.double)(unsafe.Pointer(&row[0])))
	runtime.KeepAlive(row)
	if err := check(rc); err != nil {
		return nil, err
	}
	pm.fill(pm.m.kind)
	return pm, nil
}

// PurchaseSummariesDetractor is PurchaseSummaries with, per summary, the
// covariate "the customer's first survey answer before To was a
// detractor's" (1 or 0; cxm_store_rfm_detractor), for FitCovariates.
func (s *Store) PurchaseSummariesDetractor(opt PurchaseOptions) ([]PurchaseSummary, []float64, error) {
	o, err := opt.c()
	if err != nil {
		return nil, nil, err
	}
	p, done, err := s.read()
	if err != nil {
		return nil, nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	var st C.cxm_store_stats
	st.size = C.size_t(unsafe.Sizeof(st))
	if err := check(C.cxm_store_stats_get(&st, p)); err != nil {
		return nil, nil, err
	}
	capacity := int(st.customers) + 1
	det := (*C.double)(C.malloc(C.size_t(capacity) * C.size_t(unsafe.Sizeof(C.double(0)))))
	if det == nil {
		return nil, nil, check(C.CXM_E_NOMEM)
	}
	defer C.free(unsafe.Pointer(det))
	var r *C.cxm_rfm
	if err := check(C.cxm_rfm_new(&r, nil)); err != nil {
		return nil, nil, err
	}
	defer C.cxm_rfm_free(r)
	if err := check(C.cxm_store_rfm_detractor(r, det, C.size_t(capacity), p, &o)); err != nil {
		return nil, nil, err
	}
	sums, err := readRfm(r)
	if err != nil {
		return nil, nil, err
	}
	vals := unsafe.Slice(det, len(sums))
	out := make([]float64, len(sums))
	for i := range out {
		out[i] = float64(vals[i])
	}
	return sums, out, nil
}
