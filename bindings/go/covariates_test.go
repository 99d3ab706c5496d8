package cxm_test

import (
	"errors"
	"math"
	"testing"

	"cxm.example/cxm"
)

// FitCovariates on the sample store's summaries with the first-answer
// detractor covariate and a second, constant one: the constant covariate's
// gammas have no curvature (degenerate "hessian"), its fit equals the
// plain fit when it is the only covariate (LR 0), the customer's own model
// at covariates 0 is the base model, and LogLikOf at the estimates gives
// the fit's log-likelihood.
func TestFitCovariates(t *testing.T) {
	s, _ := cxm.NewStore()
	defer s.Close()
	if _, _, err := s.Ingest(sampleCSV); err != nil {
		t.Fatal(err)
	}
	sums, det, err := s.PurchaseSummariesDetractor(cxm.PurchaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) == 0 || len(det) != len(sums) {
		t.Fatalf("%d summaries, %d covariates", len(sums), len(det))
	}
	ones := 0.0
	for _, v := range det {
		if v != 0 && v != 1 {
			t.Fatalf("detractor covariate %g", v)
		}
		ones += v
	}
	plain, err := cxm.FitPurchaseSummaries("pnbd", sums, cxm.FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	zero := make([][]float64, len(sums))
	for i := range zero {
		zero[i] = []float64{0}
	}
	z, err := cxm.FitCovariates("pnbd", sums, zero, nil, nil, cxm.FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if z.LR != 0 || z.LRDF != 2 || math.Abs(z.LogLik-z.NullLogLik) > 1e-9*math.Abs(z.NullLogLik) ||
		z.NullLogLik != plain.LogLik || len(z.Degenerate) != 1 || z.Degenerate[0] != "hessian" {
		t.Fatalf("zero covariates: %+v (plain loglik %g)", z, plain.LogLik)
	}
	rows := make([][]float64, len(sums))
	for i := range rows {
		rows[i] = []float64{det[i], 1.5 * float64(i%3)}
	}
	f, err := cxm.FitCovariates("pnbd", sums, rows, []int{0, 1}, []int{0}, cxm.FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f.LRDF != 3 || !math.IsNaN(f.GammaLife[1]) || math.IsNaN(f.GammaTrans[1]) || f.Customers != uint64(len(sums)) {
		t.Fatalf("masks: %+v", f)
	}
	if !(f.LogLik >= f.NullLogLik) {
		t.Fatalf("loglik %g below the fit without covariates %g", f.LogLik, f.NullLogLik)
	}
	ll, err := f.LogLikOf(sums, rows)
	if err != nil || math.Abs(ll-f.LogLik) > 1e-12*math.Abs(ll) {
		t.Fatalf("LogLikOf %g, %v; fit %g", ll, err, f.LogLik)
	}
	base, err := f.CustomerModel([]float64{0, 0})
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range f.Params {
		if base.Params[name] != v {
			t.Fatalf("customer model at 0: %s = %g, base %g", name, base.Params[name], v)
		}
	}
	one, err := f.CustomerModel([]float64{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	if want := f.Params["alpha"] * math.Exp(-f.GammaTrans[0]); math.Abs(one.Params["alpha"]-want) > 1e-14*want {
		t.Fatalf("alpha_i %g, want %g", one.Params["alpha"], want)
	}
	if _, err := one.PAlive(2, 5, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := f.CustomerModel([]float64{1}); !errors.Is(err, cxm.ErrOption) {
		t.Fatalf("short row: %v", err)
	}
	if _, err := cxm.FitCovariates("bgbb", sums, rows, nil, nil, cxm.FitOptions{}); !errors.Is(err, cxm.ErrModel) {
		t.Fatalf("bgbb: %v", err)
	}
	if _, err := cxm.FitCovariates("pnbd", sums, rows[1:], nil, nil, cxm.FitOptions{}); !errors.Is(err, cxm.ErrBuffer) {
		t.Fatalf("rows: %v", err)
	}
	t.Logf("pnbd on the sample, %d customers (%g detractors' first answers): gamma_trans %v se %v, gamma_life %v se %v, LR %g on %d df, p %g",
		len(sums), ones, f.GammaTrans, f.SETrans, f.GammaLife, f.SELife, f.LR, f.LRDF, f.LRP)
}
