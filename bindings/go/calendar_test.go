package cxm

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The business-time settings of `cxm report`/`cxm churn` (--hours,
// --utc-offset, --holidays, --sla-target) give the same numbers through a
// Calendar.
func TestBusinessTimeParity(t *testing.T) {
	const hours = "mon-thu=08:00-18:00,fri=08:00-12:30,sat=10:00-14:00"
	holidays := filepath.Join("..", "..", "tests", "cli", "data", "holidays.txt")
	args := []string{"--hours", hours, "--utc-offset", "-03:00", "--holidays", holidays, "--sla-target", "4h"}
	doc := runJSON(t, append(append([]string{"report", "--json", "--by", "channel"}, args...), sample)...)
	s := openSample(t)
	cal, err := NewCalendar()
	if err != nil {
		t.Fatal(err)
	}
	defer cal.Close()
	text, err := os.ReadFile(holidays)
	if err != nil {
		t.Fatal(err)
	}
	if err := cal.SetHoursText(hours); err != nil {
		t.Fatal(err)
	}
	if err := cal.SetUTCOffsetText("-03:00"); err != nil {
		t.Fatal(err)
	}
	if err := cal.AddHolidaysText(string(text)); err != nil {
		t.Fatal(err)
	}
	settings := obj(doc["settings"])
	if settings["holidays"].(float64) != float64(cal.HolidayCount()) || settings["sla_target_s"].(float64) != 14400 {
		t.Errorf("settings %v, calendar holidays %d", settings, cal.HolidayCount())
	}
	if o, c, _ := cal.Hours(time.Friday); o != 8*time.Hour || c != 12*time.Hour+30*time.Minute {
		t.Errorf("friday hours %v-%v", o, c)
	}
	if o, c, _ := cal.Hours(time.Sunday); o != c {
		t.Errorf("sunday is closed: %v-%v", o, c)
	}
	opts := ServiceOptions{Calendar: cal, SLATarget: 4 * time.Hour}
	check := func(name string, f Filter, want map[string]any) {
		wall, err := s.ServiceWith(f, opts)
		if err != nil {
			t.Fatal(err)
		}
		opts.Business = true
		bt, err := s.ServiceWith(f, opts)
		opts.Business = false
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			if wall != nil || bt != nil {
				t.Errorf("%s: want no contacts", name)
			}
			return
		}
		same(t, name+" met", wall.Met, want["met"])
		same(t, name+" breached", wall.Breached, want["breached"])
		same(t, name+" within_sla_pct", wall.WithinSLAPct, want["within_sla_pct"])
		same(t, name+" first_response_median_s", wall.FirstResponseMedian, want["first_response_median_s"])
		same(t, name+" first_response_median_business_s", bt.FirstResponseMedian, want["first_response_median_business_s"])
		same(t, name+" first_response_p90_business_s", bt.FirstResponseP90, want["first_response_p90_business_s"])
		same(t, name+" resolution_median_business_s", bt.ResolutionMedian, want["resolution_median_business_s"])
		same(t, name+" resolution_p90_business_s", bt.ResolutionP90, want["resolution_p90_business_s"])
	}
	check("overall", Filter{}, obj(obj(doc["overall"])["service"]))
	for name, sl := range obj(obj(doc["slices"])["channel"]) {
		check(name, Filter{Channel: name}, obj(obj(sl)["service"]))
	}
	// churn with the same settings
	cdoc := runJSON(t, append(append([]string{"churn", "--json"}, args...), sample)...)
	rows, _, err := s.Churn(ChurnOptions{Calendar: cal, SLATarget: 4 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := cdoc["customers"].([]any)
	if len(want) != len(rows) {
		t.Fatalf("churn: %d customers, want %d", len(rows), len(want))
	}
	for i := range rows {
		same(t, "churn risk", rows[i].Risk, obj(want[i])["risk"])
	}
}

func TestCalendarAPI(t *testing.T) {
	cal, err := NewCalendar()
	if err != nil {
		t.Fatal(err)
	}
	// Friday 2026-02-06 16:30 -> Monday 09:30 UTC: one business hour
	fri := time.Date(2026, 2, 6, 16, 30, 0, 0, time.UTC)
	mon := time.Date(2026, 2, 9, 9, 30, 0, 0, time.UTC)
	if d, err := cal.BusinessSeconds(fri, mon); err != nil || d != time.Hour {
		t.Errorf("business time %v %v", d, err)
	}
	if err := cal.AddHoliday(2026, time.February, 9); err != nil {
		t.Fatal(err)
	}
	if d, _ := cal.BusinessSeconds(fri, mon); d != 30*time.Minute {
		t.Errorf("with the Monday off: %v", d)
	}
	for _, bad := range []string{"", "mon", "fri-mon=09:00-17:00", "mon-fri=09:00-17:00,fri=closed",
		"mon=09:00-09:00", "mon=17:00-09:00", "Mon=09:00-17:00", "mon=09:00-24:01"} {
		var e *Error
		if err := cal.SetHoursText(bad); !errors.As(err, &e) || e.Status != StatusOption {
			t.Errorf("SetHoursText(%q): %v", bad, err)
		}
	}
	if o, c, _ := cal.Hours(time.Monday); o != 9*time.Hour || c != 17*time.Hour {
		t.Errorf("a refused text changes nothing: %v-%v", o, c)
	}
	if err := cal.SetUTCOffset(19 * time.Hour); err == nil {
		t.Error("offset beyond 18 h accepted")
	}
	if err := cal.AddHolidaysText("2026-01-01\nnot a date\n"); err == nil || cal.HolidayCount() != 1 {
		t.Errorf("bad holidays text: %v, %d holidays", err, cal.HolidayCount())
	}
	cal.Close()
	cal.Close()
	var e *Error
	if _, _, err := cal.Hours(time.Monday); !errors.As(err, &e) || e.Status != StatusState {
		t.Errorf("closed calendar: %v", err)
	}
}

// GroupExperience with the business calendar and SLA target of the
// command: the service levels of every channel equal the command's and
// the per-group queries'.
func TestGroupExperienceBusinessTime(t *testing.T) {
	s := openSample(t)
	cal, err := NewCalendar()
	if err != nil {
		t.Fatal(err)
	}
	defer cal.Close()
	if err := cal.SetHoursText("mon-thu=08:00-18:00,fri=08:00-12:30,sat=10:00-14:00"); err != nil {
		t.Fatal(err)
	}
	if err := cal.SetUTCOffsetText("-03:00"); err != nil {
		t.Fatal(err)
	}
	opts := ServiceOptions{Calendar: cal, SLATarget: 4 * time.Hour}
	doc := runJSON(t, "report", "--json", "--hours", "mon-thu=08:00-18:00,fri=08:00-12:30,sat=10:00-14:00",
		"--utc-offset", "-03:00", "--sla-target", "4h", sample)
	groups, err := s.GroupExperience(Filter{}, "channel", opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		checkExperienceGroup(t, s, g, opts)
		w := obj(obj(obj(obj(doc["slices"])["channel"])[g.Key])["service"])
		if g.Service == nil {
			if w != nil {
				t.Errorf("%s: no service, want %v", g.Key, w)
			}
			continue
		}
		same(t, g.Key+" within_sla_pct", g.Service.WithinSLAPct, w["within_sla_pct"])
		same(t, g.Key+" resolution_median_business_s", g.ServiceBusiness.ResolutionMedian, w["resolution_median_business_s"])
	}
}
