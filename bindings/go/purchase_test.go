package cxm_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"cxm.example/cxm"
)

// FitPurchaseModel equals `cxm churn --json`: parameters, standard errors,
// log-likelihood, and every buyer's x, t_x, T and P(alive), exactly.
func TestPurchaseModelParity(t *testing.T) {
	exe := os.Getenv("CXM_EXE")
	if exe == "" {
		t.Skip("CXM_EXE not set (run_go_tests.sh sets it)")
	}
	for _, c := range []struct {
		model string
		args  []string
		opt   cxm.PurchaseOptions
	}{
		{"mbgnbd", nil, cxm.PurchaseOptions{}},
		{"pnbd", []string{"--to", "2026-06-01"}, cxm.PurchaseOptions{To: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}},
		{"bgnbd", []string{"--time-unit", "day"}, cxm.PurchaseOptions{Unit: 24 * time.Hour}},
	} {
		args := append(append([]string{"churn", "--json", "--model", c.model}, c.args...), sampleCSV)
		out, err := exec.Command(exe, args...).Output()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		var doc struct {
			Model     map[string]any
			Customers []struct {
				Customer string
				X        *float64
				TX       *float64 `json:"t_x"`
				T        *float64
				PAlive   *float64 `json:"p_alive"`
			}
		}
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		s, _ := cxm.NewStore()
		if _, _, err := s.Ingest(sampleCSV); err != nil {
			t.Fatal(err)
		}
		m, err := s.FitPurchaseModel(c.model, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != doc.Model["name"] || m.LogLik != doc.Model["loglik"] || m.Converged != doc.Model["converged"] {
			t.Fatalf("%s: %+v vs %v", c.model, m, doc.Model)
		}
		se := doc.Model["se"].(map[string]any)
		for k, v := range m.Params {
			if v != doc.Model[k] || (m.SE[k] != se[k] && !(math.IsNaN(m.SE[k]) && se[k] == nil)) {
				t.Fatalf("%s %s: %v (se %v) vs %v (se %v)", c.model, k, v, m.SE[k], doc.Model[k], se[k])
			}
		}
		sums, err := s.PurchaseSummaries(c.opt)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]cxm.PurchaseSummary{}
		for _, p := range sums {
			byID[p.Customer] = p
		}
		n := 0
		for _, r := range doc.Customers {
			if r.PAlive == nil {
				continue
			}
			p := byID[r.Customer]
			if float64(p.Frequency) != *r.X || p.Recency != *r.TX || p.T != *r.T {
				t.Fatalf("%s %s: summary %+v vs %v %v %v", c.model, r.Customer, p, *r.X, *r.TX, *r.T)
			}
			pa, err := m.PAlive(p.Frequency, p.Recency, p.T)
			if err != nil || pa != *r.PAlive {
				t.Fatalf("%s %s: P(alive) %v %v vs %v", c.model, r.Customer, pa, err, *r.PAlive)
			}
			n++
		}
		if n < 100 {
			t.Fatalf("%s: only %d buyers compared", c.model, n)
		}
		s.Close()
	}
}

func TestPurchaseModelMethods(t *testing.T) {
	s, _ := cxm.NewStore()
	defer s.Close()
	if _, err := s.FitPurchaseModel("mbgnbd", cxm.PurchaseOptions{}); !errors.Is(err, cxm.ErrNoData) {
		t.Fatalf("empty store: %v", err)
	}
	if _, _, err := s.Ingest(sampleCSV); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FitPurchaseModel("weibull", cxm.PurchaseOptions{}); !errors.Is(err, cxm.ErrModel) {
		t.Fatalf("unknown model: %v", err)
	}
	if _, err := s.PurchaseSummaries(cxm.PurchaseOptions{Unit: time.Hour}); !errors.Is(err, cxm.ErrOption) {
		t.Fatalf("unit of an hour: %v", err)
	}
	day := cxm.PurchaseOptions{Unit: 24 * time.Hour}
	m, err := s.FitPurchaseModel("bgnbd", day)
	if err != nil {
		t.Fatal(err)
	}
	gg, err := s.FitPurchaseModel("gg", day)
	if err != nil || len(gg.Params) != 3 {
		t.Fatalf("gg: %+v %v", gg, err)
	}
	e, _ := m.Expected(30, 3, 200, 400)
	sp, _ := gg.ExpectedSpend(3, 50)
	clv, err := m.CLV(gg, 3, 200, 400, 50, 1, 30, 0)
	if err != nil || math.Abs(clv-e*sp) > 1e-9*math.Max(1, clv) {
		t.Fatalf("CLV %v (%v) vs %v", clv, err, e*sp)
	}
	sum, mean := 0.0, 0.0
	for k := uint32(0); k < 200; k++ {
		p, err := m.ConditionalPMF(30, k, 3, 200, 400)
		if err != nil {
			t.Fatal(err)
		}
		sum += p
		mean += float64(k) * p
	}
	if math.Abs(sum-1) > 1e-9 || math.Abs(mean-e) > 1e-6*math.Max(1, e) {
		t.Fatalf("conditional pmf: sum %v, mean %v vs %v", sum, mean, e)
	}
	cum, inc, err := m.Tracking([]float64{0, 10}, nil, 3, 30)
	if err != nil {
		t.Fatal(err)
	}
	p60, _ := m.Expected(60, 0, 0, 0)
	p50, _ := m.Expected(50, 0, 0, 0)
	if math.Abs(cum[1]-(p60+p50)) > 1e-9 || math.Abs(inc[0]+inc[1]+inc[2]-cum[2]) > 1e-9 {
		t.Fatalf("tracking %v %v", cum, inc)
	}
	if _, _, err := m.Tracking([]float64{-1}, nil, 3, 30); !errors.Is(err, cxm.ErrValue) {
		t.Fatalf("negative birth: %v", err)
	}
	if _, err := m.PAlive(1, 5, 1); !errors.Is(err, cxm.ErrValue) {
		t.Fatalf("recency beyond T: %v", err)
	}
	if _, err := s.PurchaseSummaries(cxm.PurchaseOptions{Unit: 24 * time.Hour, CalendarWeeks: true}); !errors.Is(err, cxm.ErrOption) {
		t.Fatalf("calendar weeks in days: %v", err)
	}
	weeks, err := s.PurchaseSummaries(cxm.PurchaseOptions{CalendarWeeks: true})
	if err != nil || len(weeks) == 0 {
		t.Fatalf("calendar weeks: %v", err)
	}
	for _, p := range weeks {
		if p.Recency != math.Trunc(p.Recency) || p.T != math.Trunc(p.T) || p.T < 1 {
			t.Fatalf("calendar weeks are whole: %+v", p)
		}
	}
	sums, _ := s.PurchaseSummaries(day)
	for _, p := range sums {
		if p.Frequency == 0 && p.MonetaryValue != 0 || !math.IsNaN(p.FrequencyHoldout) {
			t.Fatalf("%+v", p)
		}
	}
}

// Compare equals `cxm report --compare month|week --json`.
func TestCompareParity(t *testing.T) {
	exe := os.Getenv("CXM_EXE")
	if exe == "" {
		t.Skip("CXM_EXE not set (run_go_tests.sh sets it)")
	}
	s, _ := cxm.NewStore()
	defer s.Close()
	if _, _, err := s.Ingest(sampleCSV); err != nil {
		t.Fatal(err)
	}
	for _, period := range []string{"month", "week"} {
		out, err := exec.Command(exe, "report", "--json", "--compare", period, sampleCSV).Output()
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Comparison map[string]json.RawMessage
		}
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		var first, second struct{ From, To time.Time }
		json.Unmarshal(doc.Comparison["first"], &first)
		json.Unmarshal(doc.Comparison["second"], &second)
		for _, metric := range []string{"nps", "csat"} {
			var want struct {
				NFirst                        uint64 `json:"n_first"`
				NSecond                       uint64 `json:"n_second"`
				First, Second, Diff, SE, Z, P float64
			}
			if err := json.Unmarshal(doc.Comparison[metric], &want); err != nil {
				t.Fatal(err)
			}
			got, err := s.Compare(metric, cxm.Filter{From: first.From, To: first.To}, cxm.Filter{From: second.From, To: second.To})
			if err != nil {
				t.Fatal(err)
			}
			if got.NFirst != want.NFirst || got.NSecond != want.NSecond || got.First != want.First ||
				got.Second != want.Second || got.Diff != want.Diff || got.SE != want.SE || got.Z != want.Z || got.P != want.P {
				t.Fatalf("%s %s: %+v vs %+v", period, metric, *got, want)
			}
		}
	}
	if _, err := s.Compare("ces", cxm.Filter{}, cxm.Filter{}); !errors.Is(err, cxm.ErrOption) {
		t.Fatalf("ces: %v", err)
	}
}

// IngestOptions From/To keep the events `cxm report --from --to` keeps.
func TestIngestWindowParity(t *testing.T) {
	exe := os.Getenv("CXM_EXE")
	if exe == "" {
		t.Skip("CXM_EXE not set (run_go_tests.sh sets it)")
	}
	from := time.Date(2025, 3, 15, 12, 0, 0, 0, time.UTC)
	to := time.Date(2025, 9, 1, 6, 30, 0, 0, time.UTC)
	out, err := exec.Command(exe, "report", "--json", "--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), sampleCSV).Output()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Overall struct {
			NPS struct {
				N     uint64
				Score float64
			}
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	s, _ := cxm.NewStore()
	defer s.Close()
	st, _, err := s.IngestWith(sampleCSV, cxm.IngestOptions{From: from, To: to})
	if err != nil || st.OutOfWindow == 0 || st.Rows != st.Events+st.Duplicates+st.OutOfWindow+st.Rejected {
		t.Fatalf("%+v %v", st, err)
	}
	nps, _ := s.NPS(cxm.Filter{})
	if nps == nil || nps.N != doc.Overall.NPS.N || nps.Score != doc.Overall.NPS.Score {
		t.Fatalf("NPS %+v vs %+v", nps, doc.Overall.NPS)
	}
}

// Servqual and Consistency equal the report's; NextOpen and AddBusiness
// agree with BusinessSeconds.
func TestExperienceAndCalendarExtras(t *testing.T) {
	exe := os.Getenv("CXM_EXE")
	if exe == "" {
		t.Skip("CXM_EXE not set (run_go_tests.sh sets it)")
	}
	out, err := exec.Command(exe, "report", "--json", sampleCSV).Output()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Overall struct {
			Servqual    map[string]float64
			Consistency struct {
				Channels    uint32
				SD, Mean    float64
				Weakest     string
				WeakestMean float64 `json:"weakest_mean"`
			}
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	s, _ := cxm.NewStore()
	defer s.Close()
	if _, _, err := s.Ingest(sampleCSV); err != nil {
		t.Fatal(err)
	}
	sq, err := s.Servqual(cxm.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for d, v := range sq.Gaps {
		if v != doc.Overall.Servqual[d] {
			t.Fatalf("servqual %s: %v vs %v", d, v, doc.Overall.Servqual[d])
		}
	}
	if sq.Score != doc.Overall.Servqual["score"] || len(sq.Gaps) != 5 {
		t.Fatalf("servqual score %v vs %v", sq.Score, doc.Overall.Servqual["score"])
	}
	c, err := s.Consistency(cxm.Filter{})
	w := doc.Overall.Consistency
	if err != nil || c.Channels != w.Channels || c.SD != w.SD || c.Mean != w.Mean || c.Weakest != w.Weakest ||
		c.WeakestMean != w.WeakestMean {
		t.Fatalf("consistency %+v %v vs %+v", c, err, w)
	}
	cal, err := cxm.NewCalendar()
	if err != nil {
		t.Fatal(err)
	}
	defer cal.Close()
	sat := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC) // a Saturday
	open, err := cal.NextOpen(sat)
	if err != nil || !open.Equal(time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("NextOpen: %v %v", open, err)
	}
	due, err := cal.AddBusiness(sat, 10*time.Hour)
	if err != nil || !due.Equal(time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC)) {
		t.Fatalf("AddBusiness: %v %v", due, err)
	}
	if bs, _ := cal.BusinessSeconds(sat, due); bs != 10*time.Hour {
		t.Fatalf("BusinessSeconds %v", bs)
	}
}

// The feature table at the scoring time holds the features Churn reports.
func TestFeaturesEqualChurnRows(t *testing.T) {
	s, _ := cxm.NewStore()
	defer s.Close()
	if _, _, err := s.Ingest(sampleCSV); err != nil {
		t.Fatal(err)
	}
	risks, model, err := s.Churn(cxm.ChurnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Features(cxm.FeatureOptions{Cutoff: model.ScoredAt, HorizonDays: 90}) // Churn's default horizon
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(risks) || len(rows) < 100 {
		t.Fatalf("%d rows, %d risks", len(rows), len(risks))
	}
	table := map[string]cxm.FeatureRow{}
	for _, r := range rows {
		table[r.Customer] = r
	}
	unlabelled, err := s.Features(cxm.FeatureOptions{Cutoff: model.ScoredAt})
	if err != nil || len(unlabelled) != len(rows) {
		t.Fatalf("%d rows without labels: %v", len(unlabelled), err)
	}
	for _, r := range unlabelled {
		if r.Label != -1 {
			t.Fatalf("label %d without a horizon", r.Label)
		}
	}
	for _, r := range risks {
		for k, v := range r.Features {
			if table[r.Customer].Features[k] != v {
				t.Fatalf("%s %s: %v vs %v", r.Customer, k, table[r.Customer].Features[k], v)
			}
		}
	}
	labelled, err := s.Features(cxm.FeatureOptions{Cutoff: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), HorizonDays: 60})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, r := range labelled {
		seen[r.Label] = true
	}
	if !seen[0] || !seen[1] || seen[-1] {
		t.Fatalf("labels %v", seen)
	}
	if _, err := s.Features(cxm.FeatureOptions{Cutoff: model.ScoredAt.Add(time.Second)}); !errors.Is(err, cxm.ErrWindow) {
		t.Fatalf("misaligned cut-off: %v", err)
	}
}

// Summaries that do not come from a store: a summary CSV fitted through
// LoadPurchaseSummaries / ParsePurchaseSummaries and FitPurchaseSummaries
// equals `cxm churn --summary FILE --json`; the holdout check equals `cxm
// churn --holdout-to --json`; the population figures and lapse odds agree
// with their definitions.
func TestPurchaseSummariesParity(t *testing.T) {
	exe := os.Getenv("CXM_EXE")
	if exe == "" {
		t.Skip("CXM_EXE not set (run_go_tests.sh sets it)")
	}
	churn := func(args ...string) map[string]any {
		out, err := exec.Command(exe, append([]string{"churn", "--json"}, args...)...).Output()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	cdnow := filepath.Join("..", "..", "tests", "data", "cdnow")
	for _, c := range []struct{ file, model string }{
		{"btyd_cdnowSummary_cbs.csv", "bgnbd"}, {"cdnow_customers_summary.csv", "pnbd"},
	} {
		path := filepath.Join(cdnow, c.file)
		doc := churn("--summary", path, "--model", c.model)
		model := doc["model"].(map[string]any)
		sums, err := cxm.LoadPurchaseSummaries(path)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		parsed, err := cxm.ParsePurchaseSummaries(data)
		if err != nil || len(parsed) != len(sums) {
			t.Fatalf("ParsePurchaseSummaries: %d rows, %v", len(parsed), err)
		}
		if float64(len(sums)) != model["customers"] {
			t.Fatalf("%s: %d summaries, want %v", c.file, len(sums), model["customers"])
		}
		m, err := cxm.FitPurchaseSummaries(c.model, sums, cxm.FitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range m.Params {
			if v != model[k] || m.SE[k] != model["se"].(map[string]any)[k] {
				t.Errorf("%s %s: %v (se %v), want %v", c.file, k, v, m.SE[k], model[k])
			}
		}
		if m.LogLik != model["loglik"] {
			t.Errorf("%s loglik %v, want %v", c.file, m.LogLik, model["loglik"])
		}
		if ll, err := m.LogLikOf(parsed); err != nil || ll != m.LogLik {
			t.Errorf("LogLikOf: %v %v, want %v", ll, err, m.LogLik)
		}
		byID := map[string]cxm.PurchaseSummary{}
		for _, p := range sums {
			byID[p.Customer] = p
		}
		for _, v := range doc["customers"].([]any)[:200] {
			cu := v.(map[string]any)
			p := byID[cu["customer"].(string)]
			pa, err := m.PAlive(p.Frequency, p.Recency, p.T)
			if err != nil || pa != cu["p_alive"] || float64(p.Frequency) != cu["x"] {
				t.Errorf("%s %v: P(alive) %v, want %v", c.file, cu["customer"], pa, cu["p_alive"])
			}
		}
	}
	if _, err := cxm.LoadPurchaseSummaries(filepath.Join(cdnow, "missing.csv")); !errors.Is(err, fs.ErrNotExist) ||
		!errors.Is(err, cxm.ErrIO) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := cxm.ParsePurchaseSummaries([]byte("frequency,recency,T\n1,5,2\n")); !errors.Is(err, cxm.ErrValue) {
		t.Errorf("recency beyond T: %v, want ErrValue", err)
	}

	// The holdout of `cxm churn --to --holdout-to`.
	doc := churn("--to", "2026-03-01", "--holdout-to", "2026-06-01", sampleCSV)
	want := doc["holdout"].(map[string]any)
	s, _ := cxm.NewStore()
	defer s.Close()
	if _, _, err := s.Ingest(sampleCSV); err != nil {
		t.Fatal(err)
	}
	to, hto := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	m, err := s.FitPurchaseModelWith("mbgnbd", cxm.PurchaseOptions{To: to}, cxm.FitOptions{MaxTime: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	sums, err := s.PurchaseSummaries(cxm.PurchaseOptions{To: to, HoldoutTo: hto})
	if err != nil {
		t.Fatal(err)
	}
	h, err := m.Holdout(sums, hto.Sub(to).Hours()/(7*24))
	if err != nil {
		t.Fatal(err)
	}
	if float64(h.Customers) != want["customers"] || h.Actual != want["actual"] || h.Expected != want["expected"] {
		t.Errorf("holdout %+v, want %v", h, want)
	}
	for i, v := range want["by_frequency"].([]any) {
		w := v.(map[string]any)
		if float64(h.BinCustomers[i]) != w["customers"] || h.BinActual[i] != w["actual"] || h.BinExpected[i] != w["expected"] {
			t.Errorf("holdout bin %d: %v %v %v, want %v", i, h.BinCustomers[i], h.BinActual[i], h.BinExpected[i], w)
		}
	}

	// The pmf sums to 1 with the population mean; P(no purchase) runs from
	// 1 at t = 0 down to 1 - P(alive).
	bg, err := s.FitPurchaseModel("bgnbd", cxm.PurchaseOptions{Unit: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var sum, mean float64
	for k := uint32(0); k < 200; k++ {
		p, err := bg.PMF(90, k)
		if err != nil {
			t.Fatal(err)
		}
		sum += p
		mean += float64(k) * p
	}
	pop, _ := bg.Population(90)
	if math.Abs(sum-1) > 1e-9 || math.Abs(mean-pop) > 1e-6 {
		t.Errorf("pmf sums to %v, mean %v, population %v", sum, mean, pop)
	}
	p0, _ := bg.PNoPurchase(0, 3, 200, 400)
	far, _ := bg.PNoPurchase(1e7, 3, 200, 400)
	alive, _ := bg.PAlive(3, 200, 400)
	if p0 != 1 || math.Abs(far-(1-alive)) > 1e-6 {
		t.Errorf("PNoPurchase: %v at 0, %v far, 1 - P(alive) %v", p0, far, 1-alive)
	}
}

// Store.Tracking gives `cxm churn --tracking --json`'s series exactly.
func TestStoreTrackingEqualsTheCommand(t *testing.T) {
	exe := os.Getenv("CXM_EXE")
	if exe == "" {
		t.Skip("CXM_EXE not set (run_go_tests.sh sets it)")
	}
	out, err := exec.Command(exe, "churn", "--json", "--model", "bgnbd", "--tracking", sampleCSV).Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	var doc struct {
		Tracking struct {
			From       string
			PeriodDays int       `json:"period_days"`
			Actual     []float64 `json:"actual_cumulative"`
			Expected   []float64 `json:"expected_cumulative"`
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	n := len(doc.Tracking.Actual)
	if n < 10 {
		t.Fatalf("%d periods", n)
	}
	from, err := time.Parse("2006-01-02", doc.Tracking.From)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := cxm.NewStore()
	defer s.Close()
	if _, _, err := s.Ingest(sampleCSV); err != nil {
		t.Fatal(err)
	}
	m, err := s.FitPurchaseModel("bgnbd", cxm.PurchaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o := cxm.TrackingOptions{Start: from, Period: time.Duration(doc.Tracking.PeriodDays) * 24 * time.Hour}
	actual, expected, err := s.Tracking(m, n, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if actual[i] != doc.Tracking.Actual[i] || expected[i] != doc.Tracking.Expected[i] {
			t.Fatalf("period %d: %g %g, the command %g %g", i, actual[i], expected[i], doc.Tracking.Actual[i],
				doc.Tracking.Expected[i])
		}
	}
	if only, none, err := s.Tracking(nil, n, o); err != nil || none != nil || only[n-1] != actual[n-1] {
		t.Fatalf("actual only: %v %v %v", only[n-1], none, err)
	}
	if _, _, err := s.Tracking(m, 0, o); !errors.Is(err, cxm.ErrValue) {
		t.Fatalf("0 periods: %v", err)
	}
	if _, _, err := s.Tracking(m, 3, cxm.TrackingOptions{Start: from.Add(time.Hour)}); !errors.Is(err, cxm.ErrWindow) {
		t.Fatalf("not a midnight: %v", err)
	}
}

// An L2 penalty shrinks the parameters (the sum of their squares) and
// costs likelihood; zero is the plain fit.
func TestFitPenalty(t *testing.T) {
	s, _ := cxm.NewStore()
	defer s.Close()
	if _, _, err := s.Ingest(sampleCSV); err != nil {
		t.Fatal(err)
	}
	plain, err := s.FitPurchaseModelWith("bgnbd", cxm.PurchaseOptions{}, cxm.FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.FitPurchaseModel("bgnbd", cxm.PurchaseOptions{})
	if err != nil || again.LogLik != plain.LogLik {
		t.Fatalf("zero penalty: %v %v", again, err)
	}
	pen, err := s.FitPurchaseModelWith("bgnbd", cxm.PurchaseOptions{}, cxm.FitOptions{Penalty: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	sq := func(m *cxm.PurchaseModel) (v float64) {
		for _, p := range m.Params {
			v += p * p
		}
		return v
	}
	if !(sq(pen) < sq(plain)) || !(pen.LogLik < plain.LogLik) {
		t.Fatalf("penalty 0.1: squares %g vs %g, loglik %g vs %g", sq(pen), sq(plain), pen.LogLik, plain.LogLik)
	}
}
