package cxm

import (
	"bufio"
	"encoding/csv"
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

func TestRetentionRows(t *testing.T) {
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.RetentionRows(1735689600, 1735689600, 30, "tenure"); err == nil {
		t.Error("empty window accepted")
	}
	rows, err := s.RetentionRows(1735689600, 1748736000, 30, "tenure")
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
	rows, err = s.RetentionRows(1735689600, 1748736000, 30, "tenure")
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %v %v", rows, err)
	}
	if rows[0] != (RetentionRow{rows[0].Handle, 0, 3, true, "detractor", false}) ||
		rows[1] != (RetentionRow{rows[1].Handle, 0, 29, true, "none", false}) {
		t.Errorf("rows %+v", rows)
	}
}
