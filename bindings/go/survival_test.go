package cxm

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The reference data of the C tests (R's survival package, numpy).
var dataDir = filepath.Join("..", "..", "tests", "data")

func readRef(t *testing.T, name string) map[string]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 2 {
			v, _ := strconv.ParseFloat(fields[1], 64)
			out[fields[0]] = v
		}
	}
	return out
}

func readCSV(t *testing.T, name string) [][]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	for _, r := range rows[1:] {
		var v []float64
		for _, s := range r {
			x, _ := strconv.ParseFloat(s, 64)
			v = append(v, x)
		}
		out = append(out, v)
	}
	return out
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestSurvivalAgainstR(t *testing.T) {
	rows := readCSV(t, "survival/data.csv") // entry,time,event,group,x1,x2
	var entry, tm []float64
	var lost []bool
	var group []int32
	var x [][]float64
	for _, r := range rows {
		entry = append(entry, r[0])
		tm = append(tm, r[1])
		lost = append(lost, r[2] == 1)
		group = append(group, int32(r[3]))
		x = append(x, []float64{r[4], r[5]})
	}
	ref := readRef(t, "survival/ref_km_entry.txt")
	km, err := KaplanMeier(tm, lost, entry, 0.95, 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(km.Steps) != int(ref["steps"]) {
		t.Fatalf("steps %d, want %v", len(km.Steps), ref["steps"])
	}
	for i, st := range km.Steps {
		k := "[" + strconv.Itoa(i) + "]"
		if !near(st.Surv, ref["surv"+k], 1e-12) || !near(st.Lower, ref["lower"+k], 1e-12) {
			t.Errorf("step %d: %+v", i, st)
		}
	}
	if km.Median != ref["median"] || !near(km.RMST, ref["rmean"], 1e-12) {
		t.Errorf("median %v rmst %v", km.Median, km.RMST)
	}
	lr, err := LogRank(tm, lost, group, nil)
	if err != nil || !near(lr.ChiSq, readRef(t, "survival/ref_logrank.txt")["chisq"], 1e-12) || lr.DF != 2 {
		t.Errorf("logrank %+v %v", lr, err)
	}
	cref := readRef(t, "survival/ref_cox_breslow.txt")
	fit, err := Cox(tm, lost, x, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for j, c := range fit.Coefficients {
		k := "[" + strconv.Itoa(j) + "]"
		if !near(c.Beta, cref["coef"+k], 1e-7) || !near(c.SE, cref["se"+k], 1e-7) {
			t.Errorf("coef %d: %+v", j, c)
		}
	}
	a, b, err := SBGFit([]float64{1000, 631, 468, 382, 326, 289, 262, 241})
	if err != nil || math.Abs(a-0.704) > 5e-4 || math.Abs(b-1.182) > 5e-4 {
		t.Errorf("sBG %v %v %v", a, b, err)
	}
	if _, err := KaplanMeier([]float64{1, math.NaN()}, []bool{true, false}, nil, 0.95, 0); err == nil {
		t.Error("NaN time accepted")
	}
}

func TestKeyDriversAgainstNumpy(t *testing.T) {
	rows := readCSV(t, "drivers/linear.csv")
	ref := readRef(t, "drivers/ref_linear.txt")
	var y []float64
	var x [][]float64
	for _, r := range rows {
		y = append(y, r[0])
		x = append(x, r[1:])
	}
	d, err := Drivers(y, x, false, 20, 9)
	if err != nil {
		t.Fatal(err)
	}
	if !near(d.R2, ref["r2"], 1e-12) || d.Used != uint64(len(rows)) || d.BootstrapUsed != 20 {
		t.Errorf("summary %+v", d)
	}
	for j, v := range d.Drivers {
		k := "[" + strconv.Itoa(j) + "]"
		if !near(v.Weight, ref["raw"+k], 1e-12) || !near(v.Shapley, ref["shapley"+k], 1e-12) || v.Quadrant == "" {
			t.Errorf("driver %d: %+v", j, v)
		}
	}
	again, _ := Drivers(y, x, false, 20, 9)
	if again.Drivers[0].Lower != d.Drivers[0].Lower {
		t.Error("bootstrap not reproducible from its seed")
	}
}

// The rating kind through Record and the rows by ref, against the file and
// reference of tests/test_drivers.c (tools/drivers_reference.py).
func TestRatingsAndDriversByRef(t *testing.T) {
	if k := Kinds(); k[len(k)-1] != "rating" {
		t.Fatalf("kinds %v", k)
	}
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2025, 1, 5, 10, 0, 0, 0, time.UTC)
	if err := s.Record(Event{Customer: "a", Time: at, Kind: "rating", Value: Float(6), Ref: "t1", Dimension: "Wait time"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(Event{Customer: "a", Time: at.Add(time.Minute), Kind: "nps", Value: Float(9), Ref: "t1"}); err != nil {
		t.Fatal(err)
	}
	var ce *Error
	if err := s.Record(Event{Customer: "a", Time: at, Kind: "rating", Value: Float(8), Dimension: "Price"}); !errors.As(err, &ce) || ce.Status != StatusValue {
		t.Errorf("a rating of 8: %v", err)
	}
	if err := s.Record(Event{Customer: "a", Time: at, Kind: "rating", Value: Float(3)}); !errors.As(err, &ce) || ce.Status != StatusDimension {
		t.Errorf("a rating without attribute: %v", err)
	}
	if code, ok, err := s.FindAttribute("Wait time"); code != 1 || !ok || err != nil {
		t.Errorf("FindAttribute %v %v %v", code, ok, err)
	}
	if _, ok, _ := s.FindAttribute("wait time"); ok {
		t.Error("labels are case-sensitive")
	}
	if code, err := s.Attribute("Price"); code != 2 || err != nil {
		t.Errorf("Attribute %v %v", code, err)
	}
	if name, ok, _ := s.AttributeName(1); name != "Wait time" || !ok {
		t.Errorf("AttributeName %q %v", name, ok)
	}
	if _, ok, _ := s.AttributeName(3); ok {
		t.Error("AttributeName of an unknown code")
	}
	tab, err := s.DriverTable("ref", false)
	if err != nil || len(tab.Y) != 1 || tab.Y[0] != 9 || tab.X[0][5] != 6 || !math.IsNaN(tab.X[0][6]) ||
		tab.Attributes[6] != "Price" || tab.Kinds[6] != "rating" {
		t.Errorf("DriverTable %+v %v", tab, err)
	}
	if _, err := s.DriverTable("session", false); !errors.As(err, &ce) || ce.Status != StatusOption {
		t.Errorf("DriverTable(session): %v", err)
	}

	f, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, bad, err := f.Ingest(filepath.Join(dataDir, "drivers", "by_ref_events.csv")); err != nil || len(bad) != 0 {
		t.Fatal(err, bad)
	}
	ref := readRef(t, "drivers/ref_by_ref.txt")
	tab, err = f.DriverTable("ref", false)
	if err != nil {
		t.Fatal(err)
	}
	use := []int{1, 5, 6, 7} // reliability, Wait time, Courtesy, Resolution
	if tab.Attributes[5] != "Wait time" || tab.Attributes[7] != "Resolution" || float64(len(tab.Y)) != ref["rows"] {
		t.Fatalf("table %v %d", tab.Attributes, len(tab.Y))
	}
	x := make([][]float64, len(tab.X))
	for i, row := range tab.X {
		for _, k := range use {
			x[i] = append(x[i], row[k])
		}
	}
	d, err := Drivers(tab.Y, x, false, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !near(d.R2, ref["r2"], 1e-12) || float64(d.Used) != ref["used"] {
		t.Errorf("summary %+v", d)
	}
	for j, v := range d.Drivers {
		k := "[" + strconv.Itoa(j) + "]"
		if !near(v.Weight, ref["raw"+k], 1e-12) || !near(v.Shapley, ref["shapley"+k], 1e-12) {
			t.Errorf("driver %d: %+v", j, v)
		}
	}
}

func TestRetentionRows(t *testing.T) {
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.RetentionRows(RetentionOptions{From: time.Unix(1735689600, 0), To: time.Unix(1735689600, 0), LapseDays: 30}); err == nil {
		t.Error("empty window accepted")
	}
	rows, err := s.RetentionRows(RetentionOptions{From: time.Unix(1735689600, 0), To: time.Unix(1748736000, 0), LapseDays: 30})
	if err != nil || len(rows) != 0 {
		t.Errorf("empty store: %v %v", rows, err)
	}
	ten, three := 10.0, 3.0
	for _, e := range []Event{
		{Customer: "a", Time: time.Date(2025, 1, 5, 10, 0, 0, 0, time.UTC), Kind: "purchase", Value: &ten},
		{Customer: "a", Time: time.Date(2025, 1, 7, 10, 0, 0, 0, time.UTC), Kind: "nps", Value: &three},
		{Customer: "b", Time: time.Date(2025, 2, 3, 10, 0, 0, 0, time.UTC), Kind: "purchase", Value: &ten},
		{Customer: "b", Time: time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC), Kind: "purchase", Value: &ten},
	} {
		if err := s.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	rows, err = s.RetentionRows(RetentionOptions{From: time.Unix(1735689600, 0), To: time.Unix(1748736000, 0), LapseDays: 30})
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %v %v", rows, err)
	}
	if rows[0] != (RetentionRow{rows[0].Handle, 0, 3, true, "detractor", false, "unknown", "unknown", "none"}) ||
		rows[1] != (RetentionRow{rows[1].Handle, 0, 29, true, "none", false, "unknown", "unknown", "none"}) {
		t.Errorf("rows %+v", rows)
	}
	// groups: a's first channel and segment; b's contact opened Monday
	// 2025-02-03 16:00, answered Tuesday 16:30: 8.5 business hours, beyond
	// the 8-hour default, within a 9-hour target
	for _, e := range []Event{
		{Customer: "a", Time: time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC), Kind: "purchase", Value: &ten, Channel: "web", Segment: "smb"},
		{Customer: "a", Time: time.Date(2025, 1, 5, 9, 0, 0, 0, time.UTC), Kind: "complaint", Channel: "email", Segment: "ent"},
		{Customer: "b", Time: time.Date(2025, 2, 3, 16, 0, 0, 0, time.UTC), Kind: "contact_open", Ref: "t1"},
		{Customer: "b", Time: time.Date(2025, 2, 4, 16, 30, 0, 0, time.UTC), Kind: "contact_reply", Ref: "t1"},
	} {
		if err := s.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	o := RetentionOptions{From: time.Unix(1735689600, 0), To: time.Unix(1748736000, 0), LapseDays: 30}
	rows, err = s.RetentionRows(o)
	if err != nil || rows[0].Channel != "email" || rows[0].Segment != "ent" || rows[0].SLA != "none" || rows[1].SLA != "breached" {
		t.Errorf("groups %+v %v", rows, err)
	}
	o.SLATarget = 9 * time.Hour
	if rows, err = s.RetentionRows(o); err != nil || rows[1].SLA != "met" {
		t.Errorf("9-hour target %+v %v", rows, err)
	}
	o.SLATarget = -time.Second
	if _, err = s.RetentionRows(o); !errors.Is(err, ErrOption) {
		t.Errorf("negative target: %v", err)
	}
}

// S(t) at the command's marks, the Cox model on the time-varying rows, the
// cohort table and the key drivers from a store equal `cxm retention
// --cox --json`, `cxm retention --cohorts --json` and `cxm drivers --json`.
func TestRetentionAndDriversParity(t *testing.T) {
	s := openSample(t)
	doc := runJSON(t, "retention", "--cox", "--json", sample)
	from, _ := time.Parse(time.RFC3339, doc["from"].(string))
	to, _ := time.Parse(time.RFC3339, doc["to"].(string))
	rows, err := s.RetentionRows(RetentionOptions{From: from, To: to, LapseDays: int32(doc["lapse_days"].(float64))})
	if err != nil {
		t.Fatal(err)
	}
	var tm, entry []float64
	var lost []bool
	for _, r := range rows {
		tm, entry, lost = append(tm, r.Time), append(entry, r.Entry), append(lost, r.Lost)
	}
	g := obj(doc["groups"].([]any)[0])
	marks := []float64{30, 90, 180, 365}
	km, err := KaplanMeierAt(tm, lost, entry, 0.95, 365, marks)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range marks {
		same(t, fmt.Sprintf("survival_at %g", m), km.SurvivalAt[i], obj(g["survival_at"])[strconv.FormatFloat(m, 'g', -1, 64)])
	}
	same(t, "rmst_days", km.RMST, g["rmst_days"])
	tv, err := s.RetentionTV(RetentionOptions{From: from, To: to, LapseDays: int32(doc["lapse_days"].(float64))})
	if err != nil {
		t.Fatal(err)
	}
	cox := obj(doc["cox"])
	same(t, "cox rows", uint64(len(tv)), cox["rows"])
	var start, stop []float64
	var x [][]float64
	var tvLost []bool
	for _, r := range tv {
		start, stop, x, tvLost = append(start, r.Start), append(stop, r.Stop), append(x, r.X), append(tvLost, r.Lost)
	}
	fit, err := Cox(stop, tvLost, x, start, true)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "cox lost", fit.Events, cox["lost"])
	same(t, "cox lr_chisq", fit.LR, cox["lr_chisq"])
	for j, c := range cox["coefficients"].([]any) {
		w := obj(c)
		if w["covariate"] != TVCovariates[j] {
			t.Errorf("covariate %d: %v, want %s", j, w["covariate"], TVCovariates[j])
		}
		same(t, "cox beta", fit.Coefficients[j].Beta, w["beta"])
		same(t, "cox se", fit.Coefficients[j].SE, w["se"])
		same(t, "cox hazard_ratio", fit.Coefficients[j].HR, w["hazard_ratio"])
		same(t, "cox p", fit.Coefficients[j].P, w["p"])
	}
	if _, err := s.RetentionTV(RetentionOptions{Origin: "calendar"}); !errors.Is(err, ErrOption) {
		t.Errorf("origin calendar: %v, want ErrOption", err)
	}

	cdoc := runJSON(t, "retention", "--cohorts", "--json", "--from", "2025-01-01", "--to", "2026-07-01", sample)
	cohorts, err := s.Cohorts(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want := cdoc["cohorts"].([]any)
	if len(cohorts) != len(want) {
		t.Fatalf("%d cohorts, want %d", len(cohorts), len(want))
	}
	for i, c := range cohorts {
		w := obj(want[i])
		if c.Month.Format("2006-01") != w["month"] {
			t.Errorf("cohort %d: %s, want %v", i, c.Month, w["month"])
		}
		same(t, "cohort customers", c.Size, w["customers"])
		act := w["active"].([]any)
		if len(act) != len(c.Active) {
			t.Fatalf("cohort %v: %d months, want %d", w["month"], len(c.Active), len(act))
		}
		for k := range act {
			same(t, "cohort active", c.Active[k], act[k])
		}
	}

	for _, promoter := range []bool{false, true} {
		args := []string{"drivers", "--json", "--bootstrap", "50", "--seed", "7"}
		if promoter {
			args = append(args, "--outcome", "promoter")
		}
		ddoc := runJSON(t, append(args, sample)...)
		y, x, err := s.DriverRows(promoter)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "drivers customers", uint64(len(y)), ddoc["customers"])
		d, err := Drivers(y, x, promoter, 50, 7)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "drivers used", d.Used, ddoc["used"])
		same(t, "drivers r2", d.R2, ddoc["r2"])
		for j, v := range ddoc["drivers"].([]any) {
			w := obj(v)
			same(t, "driver weight", d.Drivers[j].Weight, w["weight"])
			num(t, "driver shapley", d.Drivers[j].Shapley, w["shapley"])
			same(t, "driver interval", d.Drivers[j].Lower, pair(w["interval"], 0))
			same(t, "driver mean_rating", d.Drivers[j].MeanRating, w["mean_rating"])
			if d.Drivers[j].Quadrant != w["quadrant"] {
				t.Errorf("driver %d quadrant %s, want %v", j, d.Drivers[j].Quadrant, w["quadrant"])
			}
		}
	}

	// sBG: r_t = S(t) / S(t - 1).
	for _, k := range []float64{1, 2, 5} {
		r, err := SBGRetention(0.7, 2.5, k)
		s1, _ := SBGSurvival(0.7, 2.5, k)
		s0, _ := SBGSurvival(0.7, 2.5, k-1)
		if err != nil || !near(r, s1/s0, 1e-12) {
			t.Errorf("sBG t=%g: retention %v, S ratio %v (%v)", k, r, s1/s0, err)
		}
	}
	if _, err := SBGRetention(0.7, 2.5, 0); !errors.Is(err, ErrValue) {
		t.Errorf("sBG t=0: %v, want ErrValue", err)
	}
}
