package cxm

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// checkLoop compares Loop with the JSON objects "loop" and "responses" of
// a SLICE.
func checkLoop(t *testing.T, name string, l Loop, loop, responses map[string]any) {
	t.Helper()
	if loop == nil || responses == nil {
		t.Fatalf("%s: no loop or responses object in the JSON", name)
	}
	for _, c := range []struct {
		key string
		got any
	}{
		{"detractors", l.Detractors}, {"followed", l.Followed}, {"followed_in_target", l.FollowedInTarget},
		{"in_target_pct", l.InTargetPct}, {"never_pct", l.NeverPct},
		{"followup_median_business_s", l.FollowupMedian}, {"followup_p90_business_s", l.FollowupP90},
		{"followed_next", l.FollowedNext}, {"followed_recovered", l.FollowedRecovered},
		{"unfollowed_next", l.UnfollowedNext}, {"unfollowed_recovered", l.UnfollowedRecovered},
		{"recovery_followed_pct", l.RecoveryFollowedPct}, {"recovery_unfollowed_pct", l.RecoveryUnfollowedPct},
		{"recovery_diff_pct", l.RecoveryDiffPct},
	} {
		same(t, name+" loop."+c.key, c.got, loop[c.key])
	}
	if ci, present := loop["recovery_diff_ci95"]; !present {
		t.Errorf("%s loop: no recovery_diff_ci95", name)
	} else {
		same(t, name+" loop.recovery_diff_ci95[0]", l.RecoveryDiffLowPct, pair(ci, 0))
		same(t, name+" loop.recovery_diff_ci95[1]", l.RecoveryDiffHighPct, pair(ci, 1))
	}
	for _, c := range []struct {
		key string
		got any
	}{
		{"invitations", l.Invitations}, {"answered", l.InvitationsAnswered},
		{"response_pct", l.ResponsePct}, {"nonresponse_pct", l.NonresponsePct},
		{"nps_answers", l.NPSAnswers}, {"nps_invited", l.NPSInvited},
		{"csat_answers", l.CSATAnswers}, {"csat_invited", l.CSATInvited},
		{"ces_answers", l.CESAnswers}, {"ces_invited", l.CESInvited},
	} {
		same(t, name+" responses."+c.key, c.got, responses[c.key])
	}
}

var loopHolidays = []string{"2025-03-17", "2025-04-18", "2025-05-01"}

// writeLoopEvents writes a CSV of survey answers with refs, follow-ups of
// them (late, early, before the answer, twice, over weekends and the
// holidays, some on another channel) and survey_sent invitations (with the
// answer's ref, by customer within or beyond 30 days, unanswered).
func writeLoopEvents(t *testing.T, path string, seed int64) {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	channels := []string{"email", "phone", "chat", "web"}
	segments := []string{"smb", "enterprise", "consumer"}
	scale := map[string][2]int{"nps": {0, 10}, "csat": {1, 5}, "ces": {1, 7}}
	kinds := []string{"nps", "nps", "csat", "ces"}
	detractor := map[string]int{"nps": 6, "csat": 2, "ces": 3}
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	b.WriteString("time,customer,kind,value,channel,segment,ref\n")
	row := func(at time.Time, cust, kind, value, ch, seg, ref string) {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s\n", at.UTC().Format(time.RFC3339), cust, kind, value, ch, seg, ref)
	}
	for c := 0; c < 160; c++ {
		cust := fmt.Sprintf("c%03d", c)
		ch := channels[rng.Intn(len(channels))]
		seg := segments[rng.Intn(len(segments))]
		at := start.Add(time.Duration(rng.Intn(20*24*3600)) * time.Second)
		for a := 0; a < 1+rng.Intn(4); a++ {
			kind := kinds[rng.Intn(len(kinds))]
			lo, hi := scale[kind][0], scale[kind][1]
			v := lo + rng.Intn(hi-lo+1)
			ref := fmt.Sprintf("s-%s-%d", cust, a)
			ach := ch
			if rng.Intn(5) == 0 {
				ach = channels[rng.Intn(len(channels))]
			}
			switch rng.Intn(6) {
			case 0, 1: // an invitation with the answer's ref
				row(at.Add(-time.Duration(1+rng.Intn(72*3600))*time.Second), cust, "survey_sent", "", ach, seg, ref)
			case 2: // by customer, within or beyond the 30-day window
				row(at.Add(-time.Duration(1+rng.Intn(40*24*3600))*time.Second), cust, "survey_sent", "", ach, seg, "")
			case 3: // an invitation nobody answers (another ref)
				row(at.Add(time.Duration(rng.Intn(3600))*time.Second), cust, "survey_sent", "", ach, seg, ref+"-x")
			}
			row(at, cust, kind, fmt.Sprint(v), ach, seg, ref)
			if v <= detractor[kind] || rng.Intn(8) == 0 {
				fch := ach
				if rng.Intn(4) == 0 {
					fch = channels[rng.Intn(len(channels))]
				}
				switch rng.Intn(7) {
				case 0: // never followed
				case 1: // before the answer: ignored
					row(at.Add(-time.Hour), cust, "followup", "", fch, seg, ref)
				case 2: // twice: the first counts
					row(at.Add(time.Duration(rng.Intn(6*3600))*time.Second), cust, "followup", "", fch, seg, ref)
					row(at.Add(time.Duration(6*3600+rng.Intn(9*24*3600))*time.Second), cust, "followup", "", fch, seg, ref)
				case 3: // the same second
					row(at, cust, "followup", "", fch, seg, ref)
				default:
					row(at.Add(time.Duration(rng.Intn(10*24*3600))*time.Second), cust, "followup", "", fch, seg, ref)
				}
			}
			at = at.Add(time.Duration(3600+rng.Intn(25*24*3600)) * time.Second)
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Loop and LoopEach equal the "loop" and "responses" objects of `cxm report
// --json --by channel,segment --holidays FILE` on generated follow-ups and
// invitations, overall and per slice; the options reach the library.
func TestLoopParity(t *testing.T) {
	for _, seed := range []int64{19, 7} {
		dir := t.TempDir()
		path := filepath.Join(dir, "loop.csv")
		hol := filepath.Join(dir, "holidays.txt")
		writeLoopEvents(t, path, seed)
		if err := os.WriteFile(hol, []byte(strings.Join(loopHolidays, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		doc := runJSON(t, "report", "--json", "--by", "channel,segment", "--holidays", hol, path)
		s, err := NewStore()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, bad, err := s.Ingest(path); err != nil || len(bad) != 0 {
			t.Fatalf("ingest: %v %v", err, bad)
		}
		cal, err := NewCalendar()
		if err != nil {
			t.Fatal(err)
		}
		defer cal.Close()
		if err := cal.AddHolidaysText(strings.Join(loopHolidays, "\n")); err != nil {
			t.Fatal(err)
		}
		o := LoopOptions{Calendar: cal}
		name := fmt.Sprintf("seed %d overall", seed)
		all, err := s.Loop(Filter{}, o)
		if err != nil {
			t.Fatal(err)
		}
		overall := obj(doc["overall"])
		checkLoop(t, name, all, obj(overall["loop"]), obj(overall["responses"]))
		if all.Followed == 0 || all.InvitationsAnswered == 0 || all.Invitations == all.InvitationsAnswered ||
			all.RecoveryDiffLowPct == nil || all.FollowedInTarget == all.Followed {
			t.Errorf("%s: the generated file misses a case: %s", name, show(all))
		}
		for _, by := range []string{"channel", "segment"} {
			want := obj(obj(doc["slices"])[by])
			groups, err := s.Groups(Filter{}, by)
			if err != nil {
				t.Fatal(err)
			}
			if len(groups) != len(want) || len(groups) < 2 {
				t.Fatalf("by %s: %d groups, want %d", by, len(groups), len(want))
			}
			fs := make([]Filter, len(groups))
			for i, g := range groups {
				fs[i] = g.Filter
			}
			each, err := s.LoopEach(fs, o)
			if err != nil {
				t.Fatal(err)
			}
			for i, g := range groups {
				w := obj(want[g.Key])
				n := fmt.Sprintf("seed %d %s=%s", seed, by, g.Key)
				checkLoop(t, n, each[i], obj(w["loop"]), obj(w["responses"]))
				one, err := s.Loop(g.Filter, o)
				if err != nil {
					t.Fatal(err)
				}
				if show(one) != show(each[i]) {
					t.Errorf("%s: LoopEach %s, Loop %s", n, show(each[i]), show(one))
				}
			}
		}
		// A filter written by hand selects the group's slice.
		byName, err := s.Loop(Filter{Channel: "email"}, o)
		if err != nil {
			t.Fatal(err)
		}
		w := obj(obj(obj(doc["slices"])["channel"])["email"])
		checkLoop(t, "Filter{Channel:email}", byName, obj(w["loop"]), obj(w["responses"]))
		// Without the holidays the business times differ.
		plain, err := s.Loop(Filter{}, LoopOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(show(plain), show(all)) {
			t.Errorf("seed %d: the holidays change nothing", seed)
		}
		// The options reach the library.
		long, err := s.Loop(Filter{}, LoopOptions{Calendar: cal, Target: 30 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if long.FollowedInTarget < all.FollowedInTarget || long.Followed != all.Followed {
			t.Errorf("a 30-day target: %d in target of %d, default %d of %d", long.FollowedInTarget, long.Followed,
				all.FollowedInTarget, all.Followed)
		}
		strict, err := s.Loop(Filter{}, LoopOptions{NPSDetractorMax: Int(0), CSATDetractorMax: Int(1), CESDetractorMax: Int(1)})
		if err != nil {
			t.Fatal(err)
		}
		if strict.Detractors >= all.Detractors || strict.Detractors == 0 {
			t.Errorf("strict bounds: %d detractors, default %d", strict.Detractors, all.Detractors)
		}
		short, err := s.Loop(Filter{}, LoopOptions{InvitationWindow: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if short.InvitationsAnswered > all.InvitationsAnswered {
			t.Errorf("a one-hour window: %d answered, default %d", short.InvitationsAnswered, all.InvitationsAnswered)
		}
	}
}

func TestLoopErrors(t *testing.T) {
	s := openSample(t)
	for _, o := range []LoopOptions{
		{NPSDetractorMax: Int(11)}, {NPSDetractorMax: Int(-1)}, {CSATDetractorMax: Int(0)},
		{CESDetractorMax: Int(8)}, {Target: -time.Second},
		{Target: 1500 * time.Millisecond}, {InvitationWindow: 3661 * 24 * time.Hour},
	} {
		if _, err := s.Loop(Filter{}, o); !errors.Is(err, ErrOption) {
			t.Errorf("%+v: %v, want ErrOption", o, err)
		}
		if _, err := s.LoopEach([]Filter{{}}, o); !errors.Is(err, ErrOption) {
			t.Errorf("LoopEach %+v: %v, want ErrOption", o, err)
		}
	}
	if _, err := s.Loop(Filter{From: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}, LoopOptions{}); !errors.Is(err, ErrWindow) {
		t.Errorf("a bound that is not a UTC midnight: %v, want ErrWindow", err)
	}
	if l, err := s.Loop(Filter{Channel: "no-such-channel"}, LoopOptions{}); err != nil || l.Detractors != 0 || l.NeverPct != nil {
		t.Errorf("a channel the store never saw: %s %v, want an empty slice", show(l), err)
	}
	if got, err := s.LoopEach(nil, LoopOptions{}); err != nil || len(got) != 0 {
		t.Errorf("LoopEach(nil): %v %v", got, err)
	}
}
