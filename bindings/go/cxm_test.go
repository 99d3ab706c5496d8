package cxm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The sample file of examples/data, relative to this directory.
var sample = filepath.Join("..", "..", "examples", "data", "sample_events.csv")

// cxmExe is the C command whose JSON the parity tests compare with.
func cxmExe(t *testing.T) string {
	exe := os.Getenv("CXM_EXE")
	if exe == "" {
		t.Fatal("CXM_EXE is not set: the parity tests need the cxm command (meson test --suite go sets it)")
	}
	return exe
}

func runJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out, err := exec.Command(cxmExe(t), args...).Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1 && len(args) > 0 && args[0] == "churn") {
		t.Fatalf("%s %v: %v", cxmExe(t), args, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("JSON of %v: %v", args, err)
	}
	if err != nil {
		// docs/cli.md: a purchase fit that did not converge or is degenerate
		// still prints the whole document (model.converged false) and exits 1.
		if m, ok := doc["model"].(map[string]any); !ok || m["converged"] != false {
			t.Fatalf("%s %v: %v", cxmExe(t), args, err)
		}
	}
	return doc
}

func openSample(t *testing.T) *Store {
	t.Helper()
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, rows, err := s.Ingest(sample); err != nil || len(rows) != 0 {
		t.Fatalf("ingest %s: %v, %d bad rows", sample, err, len(rows))
	}
	return s
}

// same compares a Go number with the JSON's: the command prints doubles so
// that they read back as the same double, so equality is exact. A JSON null
// must be a nil pointer.
func same(t *testing.T, what string, got any, want any) {
	t.Helper()
	var g float64
	switch v := got.(type) {
	case *float64:
		if v == nil {
			if want != nil {
				t.Errorf("%s: got nil, want %v", what, want)
			}
			return
		}
		g = *v
	case float64:
		g = v
	case uint64:
		g = float64(v)
	default:
		t.Fatalf("%s: unexpected type %T", what, got)
	}
	w, ok := want.(float64)
	if !ok {
		t.Errorf("%s: got %v, want %v", what, g, want)
		return
	}
	if g != w {
		t.Errorf("%s: got %.17g, want %.17g", what, g, w)
	}
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func pair(v any, i int) any {
	a, ok := v.([]any)
	if !ok {
		return nil
	}
	return a[i]
}

// checkSlice compares every metric of a slice with the JSON SLICE.
func checkSlice(t *testing.T, s *Store, f Filter, name string, want map[string]any) {
	t.Helper()
	nps, err := s.NPS(f)
	if err != nil {
		t.Fatal(err)
	}
	if w := obj(want["nps"]); w == nil {
		if nps != nil {
			t.Errorf("%s nps: got %+v, want null", name, nps)
		}
	} else if nps == nil {
		t.Errorf("%s nps: got nil, want %v", name, w)
	} else {
		same(t, name+" nps.n", nps.N, w["n"])
		same(t, name+" nps.promoters", nps.Promoters, w["promoters"])
		same(t, name+" nps.passives", nps.Passives, w["passives"])
		same(t, name+" nps.detractors", nps.Detractors, w["detractors"])
		same(t, name+" nps.score", nps.Score, w["score"])
		same(t, name+" nps.se", nps.SE, w["se"])
		same(t, name+" nps.ci95[0]", nps.CI95Low, pair(w["ci95"], 0))
		same(t, name+" nps.ci95[1]", nps.CI95High, pair(w["ci95"], 1))
		same(t, name+" nps.ci95_adjusted[0]", nps.AdjustedLow, pair(w["ci95_adjusted"], 0))
		same(t, name+" nps.ci95_adjusted[1]", nps.AdjustedHigh, pair(w["ci95_adjusted"], 1))
		same(t, name+" nps.ci95_score[0]", nps.ScoreLow, pair(w["ci95_score"], 0))
		same(t, name+" nps.ci95_score[1]", nps.ScoreHigh, pair(w["ci95_score"], 1))
	}
	ops, err := s.Operations(f, OperationsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkOperations(t, name+" operations", ops, obj(want["operations"]))
	lp, err := s.Loop(f, LoopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkLoop(t, name, lp, obj(want["loop"]), obj(want["responses"]))
	days, err := s.Backlog(f, OperationsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkBacklog(t, name+" backlog", days, obj(want["backlog"]))
	csat, err := s.CSAT(f)
	if err != nil {
		t.Fatal(err)
	}
	if w := obj(want["csat"]); w == nil {
		if csat != nil {
			t.Errorf("%s csat: got %+v, want null", name, csat)
		}
	} else if csat == nil {
		t.Errorf("%s csat: got nil", name)
	} else {
		same(t, name+" csat.n", csat.N, w["n"])
		same(t, name+" csat.satisfied", csat.Satisfied, w["satisfied"])
		same(t, name+" csat.score", csat.Score, w["score"])
		same(t, name+" csat.mean", csat.Mean, w["mean"])
		same(t, name+" csat.ci95[0]", csat.CI95Low, pair(w["ci95"], 0))
		same(t, name+" csat.ci95[1]", csat.CI95High, pair(w["ci95"], 1))
	}
	ces, err := s.CES(f)
	if err != nil {
		t.Fatal(err)
	}
	if w := obj(want["ces"]); w == nil {
		if ces != nil {
			t.Errorf("%s ces: got %+v, want null", name, ces)
		}
	} else if ces == nil {
		t.Errorf("%s ces: got nil", name)
	} else {
		same(t, name+" ces.n", ces.N, w["n"])
		same(t, name+" ces.mean", ces.Mean, w["mean"])
		same(t, name+" ces.ci95[0]", ces.CI95Low, pair(w["ci95"], 0))
		same(t, name+" ces.ci95[1]", ces.CI95High, pair(w["ci95"], 1))
		same(t, name+" ces.easy_pct", ces.EasyPct, w["easy_pct"])
		same(t, name+" ces.high_effort_pct", ces.HighEffortPct, w["high_effort_pct"])
		same(t, name+" ces.net", ces.NetPct, w["net"])
	}
	gap, err := s.Gap(f)
	if err != nil {
		t.Fatal(err)
	}
	if w := obj(want["gap"]); w == nil {
		if gap != nil {
			t.Errorf("%s gap: got %+v, want null", name, gap)
		}
	} else if gap == nil {
		t.Errorf("%s gap: got nil", name)
	} else {
		same(t, name+" gap.pairs", gap.Pairs, w["pairs"])
		same(t, name+" gap.mean", gap.Mean, w["mean"])
		same(t, name+" gap.ci95[0]", gap.CI95Low, pair(w["ci95"], 0))
		same(t, name+" gap.ci95[1]", gap.CI95High, pair(w["ci95"], 1))
		same(t, name+" gap.service", gap.Service, w["service"])
		same(t, name+" gap.experience", gap.Experience, w["experience"])
		same(t, name+" gap.delivery_gap", gap.DeliveryGap, w["delivery_gap"])
		same(t, name+" gap.blind_spot_pct", gap.BlindSpotPct, w["blind_spot_pct"])
		same(t, name+" gap.delivery_z", gap.DeliveryZ, w["delivery_z"])
		same(t, name+" gap.se", gap.SE, w["se"])
		same(t, name+" gap.blind_spots", gap.BlindSpots, w["blind_spots"])
		same(t, name+" gap.reverse_spots", gap.ReverseSpots, w["reverse_spots"])
	}
	svc, err := s.Service(f)
	if err != nil {
		t.Fatal(err)
	}
	if w := obj(want["service"]); w == nil {
		if svc != nil {
			t.Errorf("%s service: got %+v, want null", name, svc)
		}
	} else if svc == nil {
		t.Errorf("%s service: got nil", name)
	} else {
		same(t, name+" service.contacts", svc.Contacts, w["contacts"])
		same(t, name+" service.open", svc.Open, w["open"])
		same(t, name+" service.replied", svc.Replied, w["replied"])
		same(t, name+" service.resolved", svc.Resolved, w["resolved"])
		same(t, name+" service.met", svc.Met, w["met"])
		same(t, name+" service.breached", svc.Breached, w["breached"])
		same(t, name+" service.first_response_median_s", svc.FirstResponseMedian, w["first_response_median_s"])
		same(t, name+" service.first_response_p90_s", svc.FirstResponseP90, w["first_response_p90_s"])
		same(t, name+" service.first_response_mean_s", svc.FirstResponseMean, w["first_response_mean_s"])
		same(t, name+" service.resolution_median_s", svc.ResolutionMedian, w["resolution_median_s"])
		same(t, name+" service.resolution_p90_s", svc.ResolutionP90, w["resolution_p90_s"])
		same(t, name+" service.resolution_mean_s", svc.ResolutionMean, w["resolution_mean_s"])
		same(t, name+" service.within_sla_pct", svc.WithinSLAPct, w["within_sla_pct"])
	}
	loy, err := s.Loyalty(f)
	if err != nil {
		t.Fatal(err)
	}
	w := obj(want["loyalty"])
	same(t, name+" loyalty.complaints", loy.Complaints, w["complaints"])
	same(t, name+" loyalty.compliments", loy.Compliments, w["compliments"])
	same(t, name+" loyalty.churned", loy.Churned, w["churned"])
	same(t, name+" loyalty.compliment_ratio", loy.ComplimentRatio, w["compliment_ratio"])
}

// checkBacklog compares a Backlog series with the report's summary, the
// JSON object "backlog" (operations_out.c).
func checkBacklog(t *testing.T, name string, days []BacklogDay, w map[string]any) {
	t.Helper()
	same(t, name+".days", uint64(len(days)), w["days"])
	if len(days) == 0 {
		return
	}
	last, peak, sum := days[len(days)-1], 0, 0.0
	for i, d := range days {
		sum += float64(d.Open)
		if d.Open > days[peak].Open {
			peak = i
		}
	}
	same(t, name+".open_end", last.Open, w["open_end"])
	same(t, name+".age_median_end_s", last.AgeMedian, w["age_median_end_s"])
	same(t, name+".age_p90_end_s", last.AgeP90, w["age_p90_end_s"])
	same(t, name+".age_median_end_business_s", last.AgeBusinessMedian, w["age_median_end_business_s"])
	same(t, name+".age_p90_end_business_s", last.AgeBusinessP90, w["age_p90_end_business_s"])
	same(t, name+".open_peak", days[peak].Open, w["open_peak"])
	same(t, name+".open_mean", sum/float64(len(days)), w["open_mean"])
	if got := days[peak].Day.Format("2006-01-02"); got != w["peak_day"] {
		t.Errorf("%s.peak_day: got %s, want %v", name, got, w["peak_day"])
	}
	if got := days[0].Day.Format("2006-01-02"); got != w["first_day"] {
		t.Errorf("%s.first_day: got %s, want %v", name, got, w["first_day"])
	}
}

// checkOperations compares Operations with the JSON object "operations".
func checkOperations(t *testing.T, name string, o Operations, w map[string]any) {
	t.Helper()
	for _, c := range []struct {
		key string
		got any
	}{
		{"contacts", o.Contacts}, {"resolved", o.Resolved}, {"first_contact_resolved", o.FirstContactResolved},
		{"reopened", o.Reopened}, {"repeated", o.Repeated}, {"switched", o.Switched}, {"transfers", o.Transfers},
		{"fcr_pct", o.FCRPct}, {"reopen_pct", o.ReopenPct}, {"repeat_pct", o.RepeatPct}, {"switch_pct", o.SwitchPct},
		{"transfers_per_contact", o.TransfersPerContact},
		{"first_resolution_median_s", o.FirstResolutionMedian}, {"first_resolution_mean_s", o.FirstResolutionMean},
		{"full_resolution_median_s", o.FullResolutionMedian}, {"full_resolution_mean_s", o.FullResolutionMean},
		{"first_resolution_median_business_s", o.FirstResolutionBusinessMedian},
		{"first_resolution_mean_business_s", o.FirstResolutionBusinessMean},
		{"full_resolution_median_business_s", o.FullResolutionBusinessMedian},
		{"full_resolution_mean_business_s", o.FullResolutionBusinessMean},
	} {
		same(t, name+"."+c.key, c.got, w[c.key])
	}
}

// checkVsRest compares SliceTests of every metric with the JSON's
// per-group "vs_rest" objects of one dimension.
func checkVsRest(t *testing.T, s *Store, by string, o SliceOptions, adjust string, want map[string]any) {
	t.Helper()
	for _, metric := range []string{"nps", "csat", "ces", "gap"} {
		tests, err := s.SliceTests(Filter{}, by, metric, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(tests) != len(want) {
			t.Fatalf("%s %s: %d tests, want %d", by, metric, len(tests), len(want))
		}
		for _, st := range tests {
			vr := obj(obj(want[st.Key])["vs_rest"])
			if vr["adjust"] != adjust {
				t.Errorf("%s %s: adjust %v", by, st.Key, vr["adjust"])
			}
			name := by + "=" + st.Key + " vs_rest." + metric
			w, present := vr[metric]
			if st.N == 0 {
				if !present || w != nil {
					t.Errorf("%s: got an empty slice, want %v", name, w)
				}
				continue
			}
			m := obj(w)
			if m == nil {
				t.Errorf("%s: got n=%d, want null", name, st.N)
				continue
			}
			same(t, name+".n_rest", st.NRest, m["n_rest"])
			num(t, name+".rest", st.ScoreRest, m["rest"])
			num(t, name+".diff", st.Diff, m["diff"])
			num(t, name+".se", st.SE, m["se"])
			if metric == "nps" || metric == "csat" {
				num(t, name+".z", st.Stat, m["z"])
				if !math.IsInf(st.DF, 1) || m["df"] != nil {
					t.Errorf("%s: df %v for a z test (JSON %v)", name, st.DF, m["df"])
				}
			} else {
				num(t, name+".t", st.Stat, m["t"])
				num(t, name+".df", st.DF, m["df"])
			}
			num(t, name+".p", st.P, m["p"])
			num(t, name+".p_adjusted", st.PAdjusted, m["p_adjusted"])
			num(t, name+".moe", st.MOE, m["moe"])
			if (st.Significant != 0) != m["significant"] || (len(st.LowBase) > 0) != m["low_base"] {
				t.Errorf("%s: significant %d low base %v, JSON %v %v", name, st.Significant, st.LowBase,
					m["significant"], m["low_base"])
			}
		}
	}
}

// The slice statistics and OperationsEach equal `cxm report --by BY
// --json` (vs_rest, with the default options and with --adjust, --min-n,
// --max-moe), the plan `cxm plan --json`, and the array forms the store's
// tests on generated answers.
func TestSliceStatisticsParity(t *testing.T) {
	s := openSample(t)
	for _, c := range []struct {
		args   []string
		opt    SliceOptions
		adjust string
	}{
		{nil, SliceOptions{}, "holm"},
		{[]string{"--adjust", "bh", "--min-n", "100"}, SliceOptions{Adjust: "bh", MinN: 100}, "bh"},
		{[]string{"--adjust", "none", "--max-moe", "10"}, SliceOptions{Adjust: "none", MaxMOE: 10}, "none"},
	} {
		for _, by := range []string{"channel", "month"} {
			doc := runJSON(t, append(append([]string{"report", "--json", "--by", by}, c.args...), sample)...)
			checkVsRest(t, s, by, c.opt, c.adjust, obj(obj(doc["slices"])[by]))
		}
	}
	// OperationsEach is Operations per filter.
	groups, err := s.Groups(Filter{}, "segment")
	if err != nil {
		t.Fatal(err)
	}
	var fs []Filter
	for _, g := range groups {
		fs = append(fs, g.Filter)
	}
	each, err := s.OperationsEach(fs, OperationsOptions{Window: 3 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fs {
		one, err := s.Operations(f, OperationsOptions{Window: 3 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(one, each[i]) {
			t.Errorf("segment %s: OperationsEach %+v, Operations %+v", groups[i].Key, each[i], one)
		}
	}
	// BacklogEach is Backlog per filter: the segments, everything, a channel.
	fs = append(fs, Filter{}, Filter{Channel: "email"})
	eachDays, err := s.BacklogEach(fs, OperationsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(eachDays) != len(fs) {
		t.Fatalf("BacklogEach: %d series for %d filters", len(eachDays), len(fs))
	}
	for i, f := range fs {
		one, err := s.Backlog(f, OperationsOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(one) == 0 || !reflect.DeepEqual(one, eachDays[i]) {
			t.Errorf("filter %d: BacklogEach %d days, Backlog %d days, or not equal", i, len(eachDays[i]), len(one))
		}
	}
	if none, err := s.BacklogEach(nil, OperationsOptions{}); err != nil || len(none) != 0 {
		t.Errorf("BacklogEach of no filter: %v, %v", none, err)
	}
	if _, err := s.BacklogEach([]Filter{{}, {Stage: "no such"}}, OperationsOptions{}); err == nil {
		t.Errorf("BacklogEach with an unknown stage: no error")
	}
	if _, err := s.Operations(Filter{}, OperationsOptions{Window: time.Hour}); !errors.Is(err, ErrOption) {
		t.Errorf("a window of an hour: %v, want ErrOption", err)
	}
	// p-values: PAdjust of the raw ones is the tests' own adjustment.
	raw, err := s.SliceTests(Filter{}, "segment", "ces", SliceOptions{Adjust: "none"})
	if err != nil {
		t.Fatal(err)
	}
	var ps []float64
	for _, st := range raw {
		ps = append(ps, st.P)
	}
	for _, method := range []string{"holm", "bh"} {
		adj, err := PAdjust(ps, method)
		if err != nil {
			t.Fatal(err)
		}
		tests, _ := s.SliceTests(Filter{}, "segment", "ces", SliceOptions{Adjust: method})
		for i := range adj {
			if !(adj[i] == tests[i].PAdjusted || math.IsNaN(adj[i]) && math.IsNaN(tests[i].PAdjusted)) {
				t.Errorf("%s %d: PAdjust %v, tests %v", method, i, adj[i], tests[i].PAdjusted)
			}
		}
	}
	if _, err := PAdjust([]float64{0.5, 1.5}, "holm"); !errors.Is(err, ErrValue) {
		t.Errorf("p = 1.5: %v, want ErrValue", err)
	}
	// cxm plan.
	for _, c := range []struct {
		args []string
		plan Plan
	}{
		{[]string{"--metric", "nps", "--margin", "5"}, Plan{Margin: 5}},
		{[]string{"--metric", "nps", "--margin", "3", "--population", "2000", "--p-promoter", "0.4", "--p-detractor", "0.2"},
			Plan{Metric: "nps", Margin: 3, Population: 2000, PPromoter: Float(0.4), PDetractor: Float(0.2)}},
		{[]string{"--metric", "csat", "--margin", "2.5", "--p-satisfied", "0.8"}, Plan{Metric: "csat", Margin: 2.5, PSatisfied: Float(0.8)}},
		{[]string{"--metric", "ces", "--margin", "0.2", "--sd", "1.5", "--population", "500"},
			Plan{Metric: "ces", Margin: 0.2, SD: Float(1.5), Population: 500}},
	} {
		doc := runJSON(t, append([]string{"plan", "--json"}, c.args...)...)
		n, n0, err := PlanSampleSize(c.plan)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "plan n", n, doc["n"])
		same(t, "plan n_infinite", n0, doc["n_infinite"])
	}
	if _, _, err := PlanSampleSize(Plan{Margin: 0}); !errors.Is(err, ErrOption) {
		t.Errorf("margin 0: %v, want ErrOption", err)
	}
}

// Generated answers per segment: the tests from answer counts
// (SliceTestsSurvey) and from means (SliceTestsMeans) equal the store's,
// and the NPS score interval from the counts the NPS result's.
func TestSliceTestsOnGeneratedAnswers(t *testing.T) {
	rng := rand.New(rand.NewSource(19))
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	scales := map[string][2]int{"nps": {0, 10}, "csat": {1, 5}, "ces": {1, 7}}
	metrics := []string{"nps", "csat", "ces"}
	counts := map[string][][]uint64{}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, seg := range []string{"a", "b", "c", "d", "e"} {
		for _, m := range metrics {
			sc := scales[m]
			c := make([]uint64, sc[1]-sc[0]+1)
			for i, k := 0, rng.Intn(80); i < k; i++ {
				v := sc[0] + rng.Intn(len(c))
				c[v-sc[0]]++
				if err := s.Record(Event{Customer: fmt.Sprintf("%s%d", seg, i), Time: at, Kind: m,
					Value: Float(float64(v)), Segment: seg}); err != nil {
					t.Fatal(err)
				}
			}
			counts[m] = append(counts[m], c)
		}
	}
	for _, m := range metrics {
		for _, o := range []SliceOptions{{MinN: 20}, {Adjust: "bh", MinN: 20}} {
			want, err := s.SliceTests(Filter{}, "segment", m, o)
			if err != nil {
				t.Fatal(err)
			}
			got, err := SliceTestsSurvey(m, counts[m], o)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				got[i].Key = want[i].Key
				if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
					t.Errorf("%s %s: %+v, want %+v", m, want[i].Key, got[i], want[i])
				}
			}
		}
	}
	groups, _ := s.Groups(Filter{}, "segment")
	var n []uint64
	var mean, sd []float64
	for i, g := range groups {
		ces, err := s.CES(g.Filter)
		if err != nil {
			t.Fatal(err)
		}
		n, mean, sd = append(n, ces.N), append(mean, ces.Mean), append(sd, *ces.SD)
		nps, _ := s.NPS(g.Filter)
		lo, hi, err := NPSScoreInterval(counts["nps"][i], 1.959964)
		if err != nil || lo != nps.ScoreLow || hi != nps.ScoreHigh {
			t.Errorf("%s: NPSScoreInterval %v %v %v, NPS %v %v", g.Key, lo, hi, err, nps.ScoreLow, nps.ScoreHigh)
		}
	}
	byMeans, err := SliceTestsMeans(n, mean, sd, SliceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests, _ := s.SliceTests(Filter{}, "segment", "ces", SliceOptions{})
	for i := range tests {
		if byMeans[i].N != tests[i].N || byMeans[i].Significant != tests[i].Significant ||
			!near(byMeans[i].P, tests[i].P, 1e-9) || !near(byMeans[i].Diff, tests[i].Diff, 1e-9) {
			t.Errorf("%s: means %+v, counts %+v", tests[i].Key, byMeans[i], tests[i])
		}
	}
	if _, err := SliceTestsSurvey("nps", [][]uint64{{1, 2}}, SliceOptions{}); !errors.Is(err, ErrValue) {
		t.Errorf("2 counts for NPS: %v, want ErrValue", err)
	}
}

// Every metric, overall and by each dimension, equals `cxm report --json`.
func TestReportParity(t *testing.T) {
	doc := runJSON(t, "report", "--json", "--by", "channel,stage,segment,month", sample)
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stats, bad, err := s.Ingest(sample)
	if err != nil || len(bad) != 0 {
		t.Fatalf("ingest: %v %v", err, bad)
	}
	in := obj(doc["input"])
	same(t, "input.rows", stats.Rows, in["rows"])
	same(t, "input.events", stats.Events, in["events"])
	same(t, "input.rejected", stats.Rejected, in["rejected"])
	same(t, "input.duplicates", stats.Duplicates, in["duplicates"])
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	same(t, "input.customers", st.Customers, in["customers"])
	if got := st.First.Format(time.RFC3339); got != in["first"] {
		t.Errorf("first: %s, want %v", got, in["first"])
	}
	if got := st.Last.Format(time.RFC3339); got != in["last"] {
		t.Errorf("last: %s, want %v", got, in["last"])
	}
	checkSlice(t, s, Filter{}, "overall", obj(doc["overall"]))
	slices := obj(doc["slices"])
	for _, by := range []string{"channel", "stage", "segment", "month"} {
		want := obj(slices[by])
		groups, err := s.Groups(Filter{}, by)
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) != len(want) || len(groups) < 2 {
			t.Fatalf("by %s: %d groups, want %d (at least 2)", by, len(groups), len(want))
		}
		for _, g := range groups {
			w := obj(want[g.Key])
			if w == nil {
				t.Fatalf("by %s: key %q not in the command's JSON", by, g.Key)
			}
			checkSlice(t, s, g.Filter, by+"="+g.Key, w)
		}
	}
	// GroupExperience: one pass, the same numbers as the per-group queries
	// (and so as the command's slices, checked above).
	for _, by := range []string{"channel", "month"} {
		groups, err := s.GroupExperience(Filter{}, by, ServiceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) != len(obj(slices[by])) {
			t.Fatalf("GroupExperience by %s: %d groups", by, len(groups))
		}
		for _, g := range groups {
			checkExperienceGroup(t, s, g, ServiceOptions{})
		}
	}
	// A filter written by hand selects the same slice as the group's.
	for _, ch := range []string{"web", "phone"} {
		checkSlice(t, s, Filter{Channel: ch}, "Filter{Channel:"+ch+"}", obj(obj(slices["channel"])[ch]))
	}
}

// show prints a result for comparison (NaN prints as NaN, so equal
// results print equally where reflect.DeepEqual would fail on NaN).
func show(v any) string {
	var walk func(r reflect.Value) string
	walk = func(r reflect.Value) string {
		if !r.IsValid() {
			return "nil"
		}
		switch r.Kind() {
		case reflect.Pointer, reflect.Interface:
			if r.IsNil() {
				return "nil"
			}
			return walk(r.Elem())
		case reflect.Struct:
			out := "{"
			for i := 0; i < r.NumField(); i++ {
				out += r.Type().Field(i).Name + ":" + walk(r.Field(i)) + " "
			}
			return out + "}"
		case reflect.Map:
			keys := r.MapKeys()
			sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
			out := "map["
			for _, k := range keys {
				out += k.String() + ":" + walk(r.MapIndex(k)) + " "
			}
			return out + "]"
		case reflect.Slice:
			out := "["
			for i := 0; i < r.Len(); i++ {
				out += walk(r.Index(i)) + " "
			}
			return out + "]"
		}
		if !r.CanInterface() {
			return "?"
		}
		return fmt.Sprint(r.Interface())
	}
	return walk(reflect.ValueOf(v))
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// checkExperienceGroup compares a GroupExperience group with the store's
// queries on the group's filter.
func checkExperienceGroup(t *testing.T, s *Store, g ExperienceGroup, opts ServiceOptions) {
	t.Helper()
	nps, _ := s.NPS(g.Filter)
	csat, _ := s.CSAT(g.Filter)
	ces, _ := s.CES(g.Filter)
	gap, _ := s.Gap(g.Filter)
	sq, _ := s.Servqual(g.Filter)
	loy, _ := s.Loyalty(g.Filter)
	con, _ := s.Consistency(g.Filter)
	opts.Business = false
	svc, _ := s.ServiceWith(g.Filter, opts)
	opts.Business = true
	biz, _ := s.ServiceWith(g.Filter, opts)
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"nps", deref(g.NPS), deref(nps)}, {"csat", deref(g.CSAT), deref(csat)}, {"ces", deref(g.CES), deref(ces)},
		{"gap", deref(g.Gap), deref(gap)}, {"servqual", deref(g.Servqual), deref(sq)}, {"loyalty", g.Loyalty, loy},
		{"consistency", deref(g.Consistency), deref(con)}, {"service", deref(g.Service), deref(svc)},
		{"service business", deref(g.ServiceBusiness), deref(biz)},
	} {
		if show(c.got) != show(c.want) {
			t.Errorf("group %s %s: %s, query %s", g.Key, c.what, show(c.got), show(c.want))
		}
	}
}

// num compares a float64 of the binding with a JSON number, NaN with null.
func num(t *testing.T, what string, got float64, want any) {
	t.Helper()
	if math.IsNaN(got) {
		if want != nil {
			t.Errorf("%s: got NaN, want %v", what, want)
		}
		return
	}
	same(t, what, got, want)
}

// The planted-effect data of tests/data/churn (tools/gen_churn_data.py).
var planted = filepath.Join("..", "..", "tests", "data", "churn", "planted.csv")

// Every number of Churn (risk, band, P(alive), drivers and their weights,
// the risk model and its held-out evaluation with the calibration bins)
// equals `cxm churn --json`, row by row in its order: default options, a
// scoring time and horizon, a horizon reaching before the first event (the
// default model), another purchase model, and the planted data (customers
// without usable purchases: p_alive null, NaN here).
func TestChurnParity(t *testing.T) {
	cases := []struct {
		file string
		args []string
		opts ChurnOptions
	}{
		{sample, nil, ChurnOptions{}},
		{sample, []string{"--to", "2026-06-01", "--horizon", "60"},
			ChurnOptions{At: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), HorizonDays: 60}},
		{sample, []string{"--horizon", "3000"}, ChurnOptions{HorizonDays: 3000}},
		{sample, []string{"--model", "bgnbd", "--to", "2026-03-01"},
			ChurnOptions{Model: "bgnbd", At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}},
		{planted, nil, ChurnOptions{}},
		{planted, []string{"--to", "2025-12-01", "--horizon", "30"},
			ChurnOptions{At: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), HorizonDays: 30}},
		{planted, []string{"--to", "2025-12-01", "--horizon", "30", "--label", "churn"},
			ChurnOptions{At: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), HorizonDays: 30, Label: "churn"}},
		{sample, []string{"--label", "lapse", "--activity", "any", "--lapsed", "score", "--rank", "value"},
			ChurnOptions{Label: "lapse", AnyActivity: true, ScoreLapsedOnly: true, RankByValue: true}},
	}
	var fitted, deflt, noPAlive bool
	for _, c := range cases {
		name := filepath.Base(c.file) + " " + strings.Join(c.args, " ")
		if _, err := os.Stat(c.file); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		doc := runJSON(t, append(append([]string{"churn", "--json"}, c.args...), c.file)...)
		s, err := NewStore()
		if err != nil {
			t.Fatal(err)
		}
		if _, bad, err := s.Ingest(c.file); err != nil || len(bad) != 0 {
			t.Fatalf("%s: ingest: %v, %d bad rows", name, err, len(bad))
		}
		risks, model, err := s.Churn(c.opts)
		s.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rm := obj(doc["risk_model"])
		if model.Fitted != (rm["source"] == "fitted") || model.Source != rm["source"] {
			t.Errorf("%s: fitted %v source %v, want source %v", name, model.Fitted, model.Source, rm["source"])
		}
		sel := obj(rm["selection"])
		same(t, name+" training customers", model.TrainingCustomers, sel["training_customers"])
		same(t, name+" value at risk", model.ValueAtRisk, rm["value_at_risk"])
		if model.SpendModel != rm["spend_model"] {
			t.Errorf("%s: spend model %s, want %v", name, model.SpendModel, rm["spend_model"])
		}
		num(t, name+" margin", model.Margin, sel["margin"])
		for k, v := range obj(sel["heldout_auc"]) {
			if model.HeldoutAUC == nil {
				if v != nil {
					t.Errorf("%s: no held-out AUC, want %v", name, v)
				}
				continue
			}
			num(t, name+" held-out AUC "+k, model.HeldoutAUC[k], v)
		}
		for k, v := range obj(rm["baseline"]) {
			same(t, name+" baseline "+k, model.Baseline[k], v)
		}
		fitted = fitted || model.Fitted
		deflt = deflt || !model.Fitted
		if model.Cutoff.Format(time.RFC3339) != rm["cutoff"] || model.ScoredAt.Format(time.RFC3339) != rm["scored_at"] {
			t.Errorf("%s: cutoff %v scored_at %v, want %v %v", name, model.Cutoff, model.ScoredAt, rm["cutoff"],
				rm["scored_at"])
		}
		same(t, name+" intercept", model.Intercept, rm["intercept"])
		coef := obj(rm["coefficients"])
		if len(coef) != len(model.Coef) || len(coef) != 20 {
			t.Errorf("%s: %d coefficients, want %d", name, len(model.Coef), len(coef))
		}
		for k, v := range coef {
			same(t, name+" coef "+k, model.Coef[k], v)
		}
		if ev := obj(rm["evaluation"]); ev == nil {
			if model.Evaluation != nil {
				t.Errorf("%s: evaluation %+v, want null", name, model.Evaluation)
			}
		} else if e := model.Evaluation; e == nil {
			t.Errorf("%s: no evaluation, want %v", name, ev)
		} else {
			same(t, name+" evaluation.customers", e.Customers, ev["customers"])
			same(t, name+" evaluation.churned", e.Churned, ev["churned"])
			num(t, name+" evaluation.log_loss", e.LogLoss, ev["log_loss"])
			num(t, name+" evaluation.auc", e.AUC, ev["auc"])
			num(t, name+" evaluation.brier", e.Brier, ev["brier"])
			bins, _ := ev["calibration"].([]any)
			if len(bins) != len(e.Calibration) || len(bins) != 10 {
				t.Fatalf("%s: %d calibration bins, want %d", name, len(e.Calibration), len(bins))
			}
			for b, bin := range e.Calibration {
				w := obj(bins[b])
				same(t, name+" calibration customers", bin.Customers, w["customers"])
				num(t, name+" calibration predicted", bin.Predicted, w["predicted"])
				num(t, name+" calibration observed", bin.Observed, w["observed"])
			}
		}
		want, _ := doc["customers"].([]any)
		if len(risks) != len(want) || len(risks) < 100 {
			t.Fatalf("%s: %d customers, want %d", name, len(risks), len(want))
		}
		for i, r := range risks {
			w := obj(want[i])
			if r.Customer != w["customer"] || r.Band != w["band"] {
				t.Fatalf("%s row %d: %s %s, want %v %v", name, i, r.Customer, r.Band, w["customer"], w["band"])
			}
			same(t, name+" "+r.Customer+" risk", r.Risk, w["risk"])
			num(t, name+" "+r.Customer+" p_alive", r.PAlive, w["p_alive"])
			num(t, name+" "+r.Customer+" p_no_purchase", r.PNoPurchase, w["p_no_purchase"])
			same(t, name+" "+r.Customer+" value_at_risk", r.ValueAtRisk, w["value_at_risk"])
			noPAlive = noPAlive || math.IsNaN(r.PAlive)
			wd, _ := w["drivers"].([]any)
			if len(wd) != len(r.Drivers) {
				t.Fatalf("%s %s: %d drivers, want %d", name, r.Customer, len(r.Drivers), len(wd))
			}
			for k, d := range r.Drivers {
				if d.Factor != obj(wd[k])["factor"] {
					t.Errorf("%s %s driver %d: %s, want %v", name, r.Customer, k, d.Factor, obj(wd[k])["factor"])
				}
				same(t, name+" "+r.Customer+" driver "+d.Factor, d.Weight, obj(wd[k])["weight"])
				same(t, name+" "+r.Customer+" driver value "+d.Factor, d.Value, obj(wd[k])["value"])
			}
		}
	}
	if !fitted || !deflt || !noPAlive {
		t.Errorf("the cases must cover a fitted and the default model and a missing P(alive): %v %v %v", fitted, deflt,
			noPAlive)
	}
}

// Each row's fields agree with each other and with the model: logit =
// intercept + the contributions, risk its logistic, contribution =
// coefficient * feature, drivers the positive contributions largest first.
func TestChurnRows(t *testing.T) {
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Churn(ChurnOptions{}); err == nil {
		t.Fatal("churn of an empty store succeeded")
	} else {
		wantStatus(t, "empty store", err, StatusNoData)
	}
	day := time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC)
	for _, e := range []Event{
		{Customer: "a", Time: day, Kind: "nps", Value: Float(2)},
		{Customer: "a", Time: day.Add(time.Hour), Kind: "contact_open", Ref: "t1"},
		{Customer: "b", Time: day.AddDate(0, -2, 0), Kind: "purchase", Value: Float(20)},
		{Customer: "b", Time: day.AddDate(0, -1, 0), Kind: "purchase", Value: Float(30)},
		{Customer: "b", Time: day, Kind: "nps", Value: Float(10)},
		{Customer: "c", Time: day, Kind: "csat", Value: Float(4)},
	} {
		if err := s.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	risks, model, err := s.Churn(ChurnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 1, 7, 0, 0, 0, 0, time.UTC); !model.ScoredAt.Equal(want) ||
		!model.Cutoff.Equal(want.AddDate(0, 0, -90)) {
		t.Errorf("scored at %v, cut-off %v", model.ScoredAt, model.Cutoff)
	}
	if model.Fitted || model.Evaluation != nil || model.Intercept != -2.5 {
		t.Errorf("want the default model (intercept -2.5, docs/churn.md): %+v", model)
	}
	if len(risks) != 3 {
		t.Fatalf("%d rows, want 3", len(risks))
	}
	rows := map[string]ChurnRisk{}
	for i, r := range risks {
		rows[r.Customer] = r
		if i > 0 && r.Risk > risks[i-1].Risk {
			t.Errorf("row %d: risk %v after %v", i, r.Risk, risks[i-1].Risk)
		}
		sum := model.Intercept
		for k, x := range r.Features {
			if c := r.Contributions[k]; math.Abs(c-model.Coef[k]*x) > 1e-14 {
				t.Errorf("%s %s: contribution %v, coefficient %v x %v", r.Customer, k, c, model.Coef[k], x)
			}
			sum += r.Contributions[k]
		}
		if math.Abs(sum-r.Logit) > 1e-12 || math.Abs(r.Risk-1/(1+math.Exp(-r.Logit))) > 1e-14 {
			t.Errorf("%s: logit %v, sum %v, risk %v", r.Customer, r.Logit, sum, r.Risk)
		}
		for k, d := range r.Drivers {
			if d.Weight <= 0.05 || d.Weight != model.Coef[d.Factor]*(d.Value-model.Baseline[d.Factor]) ||
				d.Value != r.Features[d.Factor] || (k > 0 && d.Weight > r.Drivers[k-1].Weight) {
				t.Errorf("%s: drivers %+v", r.Customer, r.Drivers)
			}
		}
		// the drivers are exactly the features whose weight against the
		// baseline exceeds 0.05, a count only when the customer has some
		durations := map[string]bool{"purchase_risk": true, "recency_weeks": true, "silence_weeks": true,
			"lapse_odds": true}
		want := 0
		for k, x := range r.Features {
			if model.Coef[k]*(x-model.Baseline[k]) > 0.05 && (durations[k] || x > 0) {
				want++
			}
		}
		if want != len(r.Drivers) || len(r.Features) != 20 {
			t.Errorf("%s: %d drivers, want %d", r.Customer, len(r.Drivers), want)
		}
	}
	a, b := rows["a"], rows["b"]
	if a.Features["detractor"] != 1 || a.Features["open_contacts"] != 1 || b.Features["promoter"] != 1 {
		t.Errorf("features a %v b %v", a.Features, b.Features)
	}
	if !math.IsNaN(a.PAlive) || !math.IsNaN(rows["c"].PAlive) || !(b.PAlive > 0 && b.PAlive <= 1) {
		t.Errorf("P(alive) a %v b %v c %v: NaN without purchases", a.PAlive, b.PAlive, rows["c"].PAlive)
	}
	if math.Abs(b.Features["purchase_risk"]-(1-b.PAlive)) > 1e-14 || !(a.Risk > b.Risk) {
		t.Errorf("purchase risk %v, P(alive) %v; risks a %v b %v", b.Features["purchase_risk"], b.PAlive, a.Risk, b.Risk)
	}
	_, _, err = s.Churn(ChurnOptions{At: day})
	wantStatus(t, "At not a midnight", err, StatusWindow)
	_, _, err = s.Churn(ChurnOptions{HorizonDays: -1})
	wantStatus(t, "negative horizon", err, StatusOption)
	_, _, err = s.Churn(ChurnOptions{Model: "gamma"})
	wantStatus(t, "unknown model", err, StatusModel)
	_, _, err = s.Churn(ChurnOptions{SLATarget: -time.Hour})
	wantStatus(t, "negative SLA target", err, StatusOption)
	if _, m, err := s.Churn(ChurnOptions{Model: "pnbd", SLATarget: time.Hour, HorizonDays: 7}); err != nil ||
		!m.Cutoff.Equal(m.ScoredAt.AddDate(0, 0, -7)) {
		t.Errorf("options: %+v %v", m, err)
	}
}

// Queries look channel and segment names up without interning them: an
// unseen name selects nothing and the store is not written.
func TestLookupsWriteNothing(t *testing.T) {
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	day := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	for _, e := range []Event{
		{Customer: "a", Time: day, Kind: "nps", Value: Float(9), Channel: "kiosk", Segment: "smb"},
		{Customer: "b", Time: day, Kind: "nps", Value: Float(0), Channel: "email"},
	} {
		if err := s.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := s.Stats()
	keys := func(by string) string {
		g, err := s.Groups(Filter{}, by)
		if err != nil {
			t.Fatal(err)
		}
		var k []string
		for _, x := range g {
			k = append(k, x.Key)
		}
		return strings.Join(k, ",")
	}
	if got := keys("segment") + "|" + keys("channel"); got != "smb,unknown|email,kiosk" {
		t.Fatalf("groups %s", got)
	}
	for _, f := range []Filter{{Segment: "ghost"}, {Channel: "pigeon"}, {Segment: "ghost", Channel: "email"},
		{Segment: "smb", Channel: "pigeon"}, {Segment: "ghost", From: day.Truncate(24 * time.Hour)}} {
		nps, err := s.NPS(f)
		if err != nil || nps != nil {
			t.Errorf("%+v: NPS %+v %v, want nil", f, nps, err)
		}
		if g, err := s.Gap(f); err != nil || g != nil {
			t.Errorf("%+v: gap %+v %v", f, g, err)
		}
		if sv, err := s.Service(f); err != nil || sv != nil {
			t.Errorf("%+v: service %+v %v", f, sv, err)
		}
		if l, err := s.Loyalty(f); err != nil || l.Complaints != 0 {
			t.Errorf("%+v: loyalty %+v %v", f, l, err)
		}
		if g, err := s.Groups(f, "channel"); err != nil || len(g) != 0 {
			t.Errorf("%+v: groups %+v %v", f, g, err)
		}
	}
	after, _ := s.Stats()
	if after != before {
		t.Errorf("stats changed by queries: %+v -> %+v", before, after)
	}
	if got := keys("segment") + "|" + keys("channel"); got != "smb,unknown|email,kiosk" {
		t.Errorf("groups after the queries: %s", got)
	}
	// Known names select their events; "unknown" is the empty segment.
	for f, n := range map[Filter]uint64{{Segment: "smb"}: 1, {Channel: "kiosk"}: 1, {Segment: "unknown"}: 1,
		{Channel: "email"}: 1} {
		if nps, err := s.NPS(f); err != nil || nps == nil || nps.N != n {
			t.Errorf("%+v: %+v %v", f, nps, err)
		}
	}
	// Invalid names, and bad windows beside an unseen name, still fail.
	_, err = s.NPS(Filter{Channel: "Bad Channel"})
	wantStatus(t, "invalid channel", err, StatusChannel)
	_, err = s.NPS(Filter{Segment: strings.Repeat("s", 65)})
	wantStatus(t, "invalid segment", err, StatusSegment)
	_, err = s.NPS(Filter{Segment: "ghost", From: day})
	wantStatus(t, "unaligned window, unseen segment", err, StatusWindow)
	_, err = s.NPS(Filter{Segment: "ghost", To: day})
	wantStatus(t, "unaligned end, unseen segment", err, StatusWindow)
	if after, _ := s.Stats(); after != before {
		t.Errorf("stats changed: %+v -> %+v", before, after)
	}
}

// Events recorded one by one give hand-worked metrics.
func TestRecordByHand(t *testing.T) {
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	day := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	// NPS answers 10, 9, 7, 3 on email: 2 promoters, 1 passive, 1
	// detractor: score = 100 * (2 - 1) / 4 = 25 (by hand).
	for i, v := range []float64{10, 9, 7, 3} {
		e := Event{ID: "e" + strconv.Itoa(i), Customer: "c" + strconv.Itoa(i), Time: day, Kind: "nps",
			Value: Float(v), Channel: "email", Stage: "use", Segment: "smb"}
		if err := s.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	// A duplicate id is a notice, not an error, and is not counted.
	if err := s.Record(Event{ID: "e0", Customer: "c9", Time: day, Kind: "nps", Value: Float(0)}); err != nil {
		t.Fatal(err)
	}
	// One CES answer: the SD and the interval are absent (nil).
	if err := s.Record(Event{Customer: "c1", Time: day, Kind: "ces", Value: Float(6), Channel: "chat"}); err != nil {
		t.Fatal(err)
	}
	nps, err := s.NPS(Filter{Channel: "email"})
	if err != nil || nps == nil {
		t.Fatal(nps, err)
	}
	if nps.N != 4 || nps.Promoters != 2 || nps.Passives != 1 || nps.Detractors != 1 || nps.Score != 25 {
		t.Errorf("nps %+v", nps)
	}
	if n, err := s.NPS(Filter{Channel: "chat"}); err != nil || n != nil {
		t.Errorf("nps of chat: %+v %v, want nil", n, err)
	}
	ces, err := s.CES(Filter{})
	if err != nil || ces == nil || ces.N != 1 || ces.Mean != 6 || ces.SD != nil || ces.CI95Low != nil {
		t.Errorf("ces %+v %v", ces, err)
	}
	st, _ := s.Stats()
	if st.Events != 5 || st.Duplicates != 1 || st.Customers != 4 {
		t.Errorf("stats %+v", st)
	}
	loy, err := s.Loyalty(Filter{})
	if err != nil || loy.ComplimentRatio != nil || loy.Complaints != 0 {
		t.Errorf("loyalty %+v %v", loy, err)
	}
	g, err := s.Groups(Filter{From: day.Truncate(24 * time.Hour)}, "stage")
	if err != nil || len(g) != 2 || g[0].Key != "none" || g[1].Key != "use" || g[1].Filter.Stage != "use" {
		t.Errorf("groups %+v %v", g, err)
	}
}

func wantStatus(t *testing.T, what string, err error, status int32) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v (%T), want *Error %d", what, err, err, status)
	}
	if e.Status != status || e.Name != StatusName(status) || e.Message == "" || !strings.Contains(e.Error(), e.Name) {
		t.Errorf("%s: %+v, want status %d (%s)", what, e, status, StatusName(status))
	}
	if !errors.Is(err, &Error{Status: status}) {
		t.Errorf("%s: errors.Is fails", what)
	}
}

// C statuses surface as *Error with the right code and names.
func TestErrors(t *testing.T) {
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)
	ok := Event{Customer: "c", Time: day, Kind: "nps", Value: Float(5)}
	bad := func(mod func(e *Event)) error { e := ok; mod(&e); return s.Record(e) }
	wantStatus(t, "kind", bad(func(e *Event) { e.Kind = "bogus" }), StatusKind)
	wantStatus(t, "no kind", bad(func(e *Event) { e.Kind = "" }), StatusKind)
	wantStatus(t, "value 11", bad(func(e *Event) { e.Value = Float(11) }), StatusValue)
	wantStatus(t, "no value", bad(func(e *Event) { e.Value = nil }), StatusValue)
	wantStatus(t, "NaN value", bad(func(e *Event) { e.Value = Float(math.NaN()) }), StatusValue)
	wantStatus(t, "customer", bad(func(e *Event) { e.Customer = "" }), StatusCustomer)
	wantStatus(t, "long customer", bad(func(e *Event) { e.Customer = strings.Repeat("x", 129) }), StatusCustomer)
	wantStatus(t, "time", bad(func(e *Event) { e.Time = time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC) }), StatusTime)
	wantStatus(t, "channel", bad(func(e *Event) { e.Channel = "Bad Channel" }), StatusChannel)
	wantStatus(t, "stage", bad(func(e *Event) { e.Stage = "nowhere" }), StatusStage)
	wantStatus(t, "dimension", bad(func(e *Event) { e.Dimension = "beauty" }), StatusDimension)
	wantStatus(t, "ref", bad(func(e *Event) { e.Kind = "contact_open"; e.Value = nil }), StatusRef)
	wantStatus(t, "event id", bad(func(e *Event) { e.ID = strings.Repeat("i", 129) }), StatusEventID)
	if err := s.Record(ok); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Ingest(filepath.Join(t.TempDir(), "missing.csv"))
	wantStatus(t, "missing file", err, StatusIO)
	_, err = s.Groups(Filter{}, "colour")
	wantStatus(t, "by", err, StatusBy)
	_, err = s.NPS(Filter{From: day.Add(time.Hour)})
	wantStatus(t, "unaligned window", err, StatusWindow)
	if nps, err := s.NPS(Filter{Channel: "pigeon"}); err != nil || nps != nil {
		t.Errorf("channel not in store: %+v %v, want nil, nil", nps, err)
	}
	_, err = s.NPS(Filter{Stage: "nowhere"})
	wantStatus(t, "stage filter", err, StatusStage)
	// Bad rows of a file come back as RowErrors; the good ones are kept.
	path := filepath.Join(t.TempDir(), "rows.csv")
	csv := "time,customer,kind,value,note\n2025-01-01T00:00:00Z,a,nps,11,x\n2025-01-01T00:00:00Z,b,nps,10,y\n"
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	stats, rows, err := s.Ingest(path)
	if err != nil || stats.Events != 1 || stats.Rejected != 1 || len(rows) != 2 {
		t.Fatalf("ingest: %+v %+v %v", stats, rows, err)
	}
	if rows[0].Status != StatusUnknownColumn || rows[0].Column != "note" || rows[0].Line != 1 {
		t.Errorf("warning %+v", rows[0])
	}
	if rows[1].Status != StatusValue || rows[1].Column != "value" || rows[1].Line != 2 ||
		rows[1].Name != "CXM_E_VALUE" || !strings.Contains(rows[1].Reason, "11") {
		t.Errorf("row error %+v", rows[1])
	}
	// Dialects: a semicolon export with US dates at an assumed offset.
	us := filepath.Join(t.TempDir(), "us.csv")
	if err := os.WriteFile(us, []byte("Time;Customer;Kind;Value\n3/15/2026 10:00;c-1 ;NPS;9,0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stats, rows, err = s.IngestWith(us, IngestOptions{TimeFormat: "%m/%d/%Y %H:%M", AssumeOffset: true,
		UTCOffset: 3600})
	if err != nil || stats.Events != 1 || len(rows) != 0 {
		t.Fatalf("ingest with options: %+v %+v %v", stats, rows, err)
	}
	_, _, err = s.IngestWith(us, IngestOptions{TimeFormat: "%Y"})
	wantStatus(t, "bad time format", err, StatusOption)
	_, _, err = s.IngestWith(us, IngestOptions{Format: "xml"})
	wantStatus(t, "bad format", err, StatusOption)
	_, rows, err = s.IngestWith(us, IngestOptions{Delimiter: ','})
	wantStatus(t, "forced comma", err, StatusHeader)
	s.Close()
	s.Close() // twice is fine
	_, err = s.NPS(Filter{})
	wantStatus(t, "closed store", err, StatusState)
	wantStatus(t, "record on closed store", s.Record(ok), StatusState)
}

func rssKiB(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			v, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return v
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// 100 000 rounds of calls that allocate C strings and C results (record,
// queries, groups, a store created and closed, failing calls) leave the
// resident size within a few MiB: a leak of even one C string per call
// would add several MiB.
func TestNoLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	day := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	e := Event{Customer: "customer-with-a-long-enough-id", Time: day, Kind: "nps", Value: Float(9),
		Channel: "email", Stage: "use", Segment: "enterprise", Ref: "ticket-1"}
	round := func() {
		if err := s.Record(e); err != nil {
			t.Fatal(err)
		}
		if err := s.Record(Event{Customer: "x", Time: day, Kind: "bogus"}); err == nil {
			t.Fatal("bogus kind accepted")
		}
		if _, err := s.NPS(Filter{Channel: "email", Segment: "enterprise", Stage: "use"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Groups(Filter{}, "segment"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Gap(Filter{}); err != nil {
			t.Fatal(err)
		}
		t2, err := NewStore()
		if err != nil {
			t.Fatal(err)
		}
		t2.Close()
	}
	for i := 0; i < 10000; i++ { // warm up: the store's tables and Go's heap reach their size
		round()
	}
	runtime.GC()
	debug.FreeOSMemory()
	before := rssKiB(t)
	for i := 0; i < 100000; i++ {
		round()
	}
	runtime.GC()
	debug.FreeOSMemory()
	after := rssKiB(t)
	t.Logf("RSS %d KiB -> %d KiB after 100000 rounds", before, after)
	// The store keeps 32 bytes per survey answer (its survey log, for
	// closing the loop: docs/experience.md), in an array that doubles:
	// up to 6 250 KiB for the 100 000 answers recorded here is data.
	if after-before > 4096+6250 {
		t.Errorf("RSS grew by %d KiB over 100000 rounds: a leak", after-before)
	}
	// Churn results are freed: a leaked result (the model, its evaluation and
	// a row: over 1.5 KiB) would add more than 9 MiB over 6 000 calls.
	for i := 0; i < 200; i++ {
		if _, _, err := s.Churn(ChurnOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	debug.FreeOSMemory()
	before = rssKiB(t)
	for i := 0; i < 6000; i++ {
		if _, _, err := s.Churn(ChurnOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	debug.FreeOSMemory()
	after = rssKiB(t)
	t.Logf("RSS %d KiB -> %d KiB after 6000 churn calls", before, after)
	if after-before > 4096 {
		t.Errorf("RSS grew by %d KiB over 6000 churn calls: a leak", after-before)
	}
	// The finalizer frees a store that was never closed.
	for i := 0; i < 1000; i++ {
		if _, err := NewStore(); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
}

// The churn pipeline's parts: FitLogistic equals tests/test_risk.c's scipy
// reference fit; DefaultChurnModel the command's default model; the store's
// RiskModel splits its labelled feature rows between training and
// evaluation.
func TestLogisticModel(t *testing.T) {
	x := [][]float64{{0.5, 10.0}, {1.2, 12.0}, {-0.3, 9.0}, {2.0, 15.0}, {1.5, 11.0}, {-1.0, 8.0}, {0.0, 13.0},
		{0.8, 9.5}, {3.1, 14.0}, {-2.2, 7.0}, {1.1, 10.5}, {0.4, 12.5}}
	y := []bool{false, true, false, true, true, false, false, true, true, false, false, true}
	w := []float64{1, 1, 2, 1, 0.5, 1, 1, 1.5, 1, 1, 1, 2}
	for _, ref := range []struct {
		l2, logLoss float64
		b, se       [3]float64
	}{
		{0, 0.339305373605344, [3]float64{-8.33399823619962, 3.00503517180637, 0.614742668993207},
			[3]float64{7.52392281026181, 2.27212554116293, 0.612333233074458}},
		{1, 0.411677187430464, [3]float64{-3.8181678132338, 0.820599945537176, 0.312802925935475},
			[3]float64{3.16971446506651, 0.596378150693663, 0.290582267861329}},
		{5, 0.502569352440621, [3]float64{-2.05616042393782, 0.361312431635743, 0.172585300694198},
			[3]float64{1.85310433809043, 0.306426959060077, 0.164690275194668}},
	} {
		m, err := FitLogistic(x, y, w, LogisticOptions{L2: ref.l2})
		if err != nil {
			t.Fatal(err)
		}
		got := []float64{m.Intercept, m.Coef[0], m.Coef[1]}
		gotSE := []float64{m.InterceptSE, m.SE[0], m.SE[1]}
		for i := range got {
			if !near(got[i], ref.b[i], 1e-9) || !near(gotSE[i], ref.se[i], 1e-8) {
				t.Errorf("l2 %g coefficient %d: %v (se %v), want %v (%v)", ref.l2, i, got[i], gotSE[i], ref.b[i], ref.se[i])
			}
		}
		if !m.Converged || !near(m.LogLoss, ref.logLoss, 1e-11) || m.Rows != 12 || m.Positives != 6 {
			t.Errorf("l2 %g: %+v", ref.l2, m)
		}
		contrib, logit, err := m.Explain(x[3])
		if err != nil || !near(logit, m.Intercept+contrib[0]+contrib[1], 1e-12) {
			t.Errorf("Explain: %v %v %v", contrib, logit, err)
		}
		if p, _ := m.Score(x[3]); !near(p, 1/(1+math.Exp(-logit)), 1e-12) {
			t.Errorf("Score %v, logit %v", p, logit)
		}
		ev, err := m.Evaluate(x, y, w)
		if err != nil || ev.Customers != 12 || !near(ev.LogLoss, ref.logLoss, 1e-11) {
			t.Errorf("Evaluate: %+v %v", ev, err)
		}
	}
	if m, err := FitLogistic(x, y, w, LogisticOptions{MaxIterations: 1}); err != nil || m.Converged {
		t.Errorf("one iteration: %+v %v", m, err)
	}
	hand, err := NewLogisticModel(-1, []float64{0.5, 0.1})
	if err != nil || !math.IsNaN(hand.L2) {
		t.Fatalf("NewLogisticModel: %+v %v", hand, err)
	}
	if p, _ := hand.Score([]float64{2, 10}); !near(p, 1/(1+math.Exp(-1)), 1e-12) {
		t.Errorf("hand score %v", p)
	}
	if _, err := hand.Score([]float64{1}); !errors.Is(err, ErrValue) {
		t.Errorf("one feature for two: %v", err)
	}
	if got := []string{RiskBand(0.1), RiskBand(0.3), RiskBand(0.6), RiskBand(math.NaN())}; fmt.Sprint(got) != "[low medium high none]" {
		t.Errorf("bands %v", got)
	}

	doc := runJSON(t, "churn", "--json", planted)
	rm := obj(doc["risk_model"])
	def := DefaultChurnModel()
	same(t, "default intercept", def.Intercept, rm["intercept"])
	for k, name := range FeatureNames() {
		same(t, "default "+name, def.Coef[k], obj(rm["coefficients"])[name])
	}
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Ingest(planted); err != nil {
		t.Fatal(err)
	}
	cutoff, _ := time.Parse(time.RFC3339, rm["cutoff"].(string))
	m, ev, fitted, err := s.RiskModel(FeatureOptions{Cutoff: cutoff, HorizonDays: 90})
	if err != nil || !fitted || ev == nil {
		t.Fatalf("RiskModel: %v %v %v", fitted, ev, err)
	}
	rows, err := s.Features(FeatureOptions{Cutoff: cutoff, HorizonDays: 90})
	if err != nil {
		t.Fatal(err)
	}
	var labelled, lost uint64
	for _, r := range rows {
		if r.Label >= 0 {
			labelled++
			lost += uint64(r.Label)
		}
	}
	if m.Rows+ev.Customers != labelled || m.Positives+ev.Churned != lost {
		t.Errorf("split: %d + %d rows of %d, %d + %d lost of %d", m.Rows, ev.Customers, labelled, m.Positives,
			ev.Churned, lost)
	}
}

// The accumulator layer: each family's accumulator of a slice computes the
// store's query (service quantiles within the sketch's 1/128), round-trips
// through MarshalBinary, and month shards merge to the whole.
func TestAccumulators(t *testing.T) {
	s := openSample(t)
	groups, err := s.Groups(Filter{}, "channel")
	if err != nil {
		t.Fatal(err)
	}
	filters := []Filter{{}}
	for _, g := range groups {
		filters = append(filters, g.Filter)
	}
	for _, f := range filters {
		sa, err := s.SurveyAccumulator(f)
		if err != nil {
			t.Fatal(err)
		}
		nps, _ := s.NPS(f)
		got, _ := sa.NPS()
		if show(got) != show(nps) {
			t.Errorf("%+v NPS: %s, query %s", f, show(got), show(nps))
		}
		ga, _ := s.GapAccumulator(f)
		gap, _ := s.Gap(f)
		gotGap, _ := ga.Gap()
		if show(gotGap) != show(gap) {
			t.Errorf("%+v gap: %s, query %s", f, show(gotGap), show(gap))
		}
		qa, _ := s.ServqualAccumulator(f)
		sq, _ := s.Servqual(f)
		gotSq, _ := qa.Servqual(nil)
		if show(gotSq) != show(sq) {
			t.Errorf("%+v servqual: %s, query %s", f, show(gotSq), show(sq))
		}
		la, _ := s.LoyaltyAccumulator(f)
		loy, _ := s.Loyalty(f)
		if gotLoy, _ := la.Loyalty(); show(gotLoy) != show(loy) {
			t.Errorf("%+v loyalty: %s, query %s", f, show(gotLoy), show(loy))
		}
		va, _ := s.ServiceAccumulator(f, ServiceOptions{})
		svc, _ := s.Service(f)
		gotSvc, _ := va.Service()
		if (svc == nil) != (gotSvc == nil) {
			t.Fatalf("%+v service: %v, query %v", f, gotSvc, svc)
		}
		if svc != nil {
			if gotSvc.Contacts != svc.Contacts || gotSvc.Met != svc.Met || show(gotSvc.FirstResponseMean) != show(svc.FirstResponseMean) ||
				show(gotSvc.WithinSLAPct) != show(svc.WithinSLAPct) {
				t.Errorf("%+v service: %s, query %s", f, show(gotSvc), show(svc))
			}
			if svc.ResolutionMedian != nil && math.Abs(*gotSvc.ResolutionMedian-*svc.ResolutionMedian) > *svc.ResolutionMedian/128+1 {
				t.Errorf("%+v resolution median %v, query %v", f, *gotSvc.ResolutionMedian, *svc.ResolutionMedian)
			}
		}
		for _, c := range []struct {
			m interface {
				MarshalBinary() ([]byte, error)
			}
			u interface {
				UnmarshalBinary([]byte) error
				MarshalBinary() ([]byte, error)
			}
		}{{sa, NewSurveyAccumulator()}, {ga, NewGapAccumulator()}, {qa, NewServqualAccumulator()},
			{la, NewLoyaltyAccumulator()}, {va, NewServiceAccumulator()}} {
			b, err := c.m.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if err := c.u.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if b2, _ := c.u.MarshalBinary(); !bytes.Equal(b, b2) {
				t.Errorf("%T: the round trip changed the bytes", c.m)
			}
			if err := c.u.UnmarshalBinary(append(b, 0)); !errors.Is(err, ErrFormat) {
				t.Errorf("%T with a byte after it: %v, want ErrFormat", c.m, err)
			}
		}
	}
	months, _ := s.Groups(Filter{}, "month")
	var total SurveyAccumulator
	for _, m := range months {
		a, _ := s.SurveyAccumulator(m.Filter)
		if err := total.Merge(a); err != nil {
			t.Fatal(err)
		}
	}
	all, _ := s.SurveyAccumulator(Filter{})
	tb, _ := total.MarshalBinary()
	ab, _ := all.MarshalBinary()
	if !bytes.Equal(tb, ab) {
		t.Errorf("months merged differ from the whole")
	}
	var hand SurveyAccumulator
	for _, a := range [][2]int32{{10, 5}, {9, 3}, {7, 2}, {3, 4}} {
		if err := hand.Add("nps", a[0], uint64(a[1])); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := hand.NPS(); n.Promoters != 8 || n.Detractors != 4 || !near(n.Score, 100*4.0/14, 1e-12) {
		t.Errorf("hand NPS %+v", n)
	}
	if err := hand.Add("nps", 11, 1); !errors.Is(err, ErrValue) {
		t.Errorf("nps 11: %v", err)
	}
	g := NewGapAccumulator()
	for _, p := range [][2]float64{{90, 70}, {85, 85}, {60, 90}} {
		g.Add(p[0], p[1], 80)
	}
	if r, _ := g.Gap(); r.Pairs != 3 || r.BlindSpots != 1 || r.ReverseSpots != 1 || !near(r.Mean, -10.0/3, 1e-12) {
		t.Errorf("hand gap %+v", r)
	}
}
