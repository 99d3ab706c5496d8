package cxm

/*
#cgo pkg-config: cxm
#include <cxm.h>
*/
import "C"

import (
	"runtime"
	"time"
	"unsafe"
)

// Retention and key-driver data from a store (cxm/retention.h,
// cxm/drivers.h): monthly cohorts, the time-varying rows of the Cox model
// and the key-driver rows, as `cxm retention --cohorts`, `cxm retention
// --cox` and `cxm drivers` use them.

// Cohort is one monthly cohort: the customers first active in Month and
// how many of them were active in each month since (Active[0] is the
// cohort month itself), up to the months observable before the window's end.
type Cohort struct {
	Month  time.Time // UTC midnight of the month's first day
	Size   uint64
	Active []uint64
}

// Cohorts builds the monthly cohort table of the customers active in
// [from, to) (UTC midnights; cxm_store_cohorts), oldest first. Errors:
// ErrWindow.
func (s *Store) Cohorts(from, to time.Time) ([]Cohort, error) {
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	var c *C.cxm_cohorts
	if err := check(C.cxm_store_cohorts(&c, p, C.int64_t(from.Unix()), C.int64_t(to.Unix()))); err != nil {
		return nil, err
	}
	defer C.cxm_cohorts_free(c)
	n := int(C.cxm_cohorts_count(c))
	out := make([]Cohort, 0, n)
	active := make([]C.uint64_t, n+1)
	for i := 0; i < n; i++ {
		var month C.int64_t
		var size C.uint64_t
		var observed C.size_t
		if err := check(C.cxm_cohorts_get(&month, &size, &active[0], &observed, C.size_t(len(active)), c,
			C.size_t(i))); err != nil {
			return nil, err
		}
		co := Cohort{Month: time.Unix(int64(month), 0).UTC(), Size: uint64(size), Active: make([]uint64, observed)}
		for k := range co.Active {
			co.Active[k] = uint64(active[k])
		}
		out = append(out, co)
	}
	return out, nil
}

// RetentionOptions choose the window and the loss rule of retention rows.
type RetentionOptions struct {
	From, To  time.Time // the window [From, To), UTC midnights; zero: the library's default (all data)
	LapseDays int32     // lost after this many days without activity; 0: churn events only
	Origin    string    // "tenure" (days since first activity; the default when empty) or "window" (since From)
	// SLATarget is the first-reply target of RetentionRow.SLA in business
	// time, whole seconds; zero: 8 hours.
	SLATarget time.Duration
	// Calendar gives the business hours of the SLA; nil: Monday-Friday
	// 09:00-17:00 UTC.
	Calendar *Calendar
}

func (o RetentionOptions) c() (C.cxm_retention_options, error) {
	var co C.cxm_retention_options
	C.cxm_retention_options_init(&co)
	if !o.From.IsZero() {
		co.from = C.int64_t(o.From.Unix())
	}
	if !o.To.IsZero() {
		co.to = C.int64_t(o.To.Unix())
	}
	co.lapse_days = C.int32_t(o.LapseDays)
	switch o.Origin {
	case "tenure", "":
		co.origin = C.CXM_RETENTION_TENURE
	case "window":
		co.origin = C.CXM_RETENTION_WINDOW
	default:
		return co, newError(C.CXM_E_OPTION)
	}
	if o.SLATarget != 0 {
		if o.SLATarget < 0 || o.SLATarget%time.Second != 0 {
			return co, newError(C.CXM_E_OPTION)
		}
		co.sla_target_seconds = C.int64_t(o.SLATarget / time.Second)
	}
	if o.Calendar != nil {
		cp, err := o.Calendar.ptr()
		if err != nil {
			return co, err
		}
		co.calendar = cp
	}
	return co, nil
}

// TVCovariates names the covariates of a TVRow, in the order of
// cxm_tv_covariate (cxm/retention.h).
var TVCovariates = []string{"detractor", "promoter", "complaints", "high_effort"}

// TVRow is one (Start, Stop] row of a customer for a Cox model with
// time-varying experience covariates (struct cxm_tv_row): days from the
// origin; Lost on the customer's last row when it was lost; X the
// covariates during the interval, in the order of TVCovariates.
type TVRow struct {
	Handle      uint32
	Start, Stop float64
	Lost        bool
	X           []float64
}

// RetentionTV gives the retention rows split wherever a customer's
// experience covariates change (cxm_store_retention_tv), customers in
// handle order, each in time order; `cxm retention --cox` fits its model
// on them. Errors: ErrWindow, ErrOption.
func (s *Store) RetentionTV(o RetentionOptions) ([]TVRow, error) {
	co, err := o.c()
	if err != nil {
		return nil, err
	}
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	defer runtime.KeepAlive(o.Calendar)
	var r *C.cxm_tv_rows
	if err := check(C.cxm_store_retention_tv(&r, p, &co)); err != nil {
		return nil, err
	}
	defer C.cxm_tv_rows_free(r)
	n := int(C.cxm_tv_rows_count(r))
	out := make([]TVRow, 0, n)
	for i := 0; i < n; i++ {
		var row C.cxm_tv_row
		row.size = C.size_t(unsafe.Sizeof(row))
		if err := check(C.cxm_tv_row_get(&row, r, C.size_t(i))); err != nil {
			return nil, err
		}
		x := make([]float64, len(row.x))
		for k := range x {
			x[k] = float64(row.x[k])
		}
		out = append(out, TVRow{Handle: uint32(row.handle), Start: float64(row.start), Stop: float64(row.stop),
			Lost: row.lost != 0, X: x})
	}
	return out, nil
}

// DriverTable is the rows of cxm_store_driver_table: one per customer
// (by "customer") or per interaction ref with a rating (by "ref"); Y the
// latest NPS answer (or, with promoter, 1 for a promoter and 0 otherwise),
// X the mean answers per attribute, NaN where missing; Attributes names
// the columns (the five SERVQUAL dimensions, then the rating attributes in
// code order) and Kinds says "perception" or "rating" for each
// (docs/drivers.md).
type DriverTable struct {
	Y          []float64
	X          [][]float64
	Attributes []string
	Kinds      []string
}

// DriverTable gives the respondent rows of a store by "customer" or "ref".
// Errors: StatusOption for another by.
func (s *Store) DriverTable(by string, promoter bool) (*DriverTable, error) {
	var o C.cxm_driver_table_options
	C.cxm_driver_table_options_init(&o)
	switch by {
	case "customer":
		o.respondent = C.CXM_DRIVERS_BY_CUSTOMER
	case "ref":
		o.respondent = C.CXM_DRIVERS_BY_REF
	default:
		return nil, newError(C.CXM_E_OPTION)
	}
	if promoter {
		o.outcome = C.CXM_DRIVERS_PROMOTER
	}
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	var n, k C.size_t
	// The first call only counts (CXM_E_BUFFER when there are rows).
	if rc := C.cxm_store_driver_table(nil, nil, &n, &k, p, &o, 0); rc != C.CXM_OK && rc != C.CXM_E_BUFFER {
		return nil, check(rc)
	}
	yb := make([]float64, int(n)+1)
	xb := make([]float64, int(k)*int(n)+1)
	if err := check(C.cxm_store_driver_table(doubles(yb), doubles(xb), &n, &k, p, &o, n)); err != nil {
		return nil, err
	}
	t := &DriverTable{Y: yb[:n], X: make([][]float64, int(n))}
	cols := int(k)
	for i := range t.X {
		t.X[i] = xb[i*cols : (i+1)*cols : (i+1)*cols]
	}
	for j := 0; j < cols; j++ {
		if j < len(servqualDimensions) {
			t.Attributes = append(t.Attributes, servqualDimensions[j])
			t.Kinds = append(t.Kinds, "perception")
			continue
		}
		name, _, _ := attributeName(p, C.int32_t(j-len(servqualDimensions)+1))
		t.Attributes = append(t.Attributes, name)
		t.Kinds = append(t.Kinds, "rating")
	}
	return t, nil
}

// DriverRows gives one row per customer, in handle order
// (cxm_store_driver_rows): y the latest NPS answer (or, with promoter, 1 for
// a promoter and 0 otherwise) and x the customer's mean SERVQUAL perception
// answer per dimension (tangibles, reliability, responsiveness, assurance,
// empathy); NaN where the customer has no such answer (Drivers drops those
// rows). Drivers(y, x, promoter, 200, 1) is then `cxm drivers`.
func (s *Store) DriverRows(promoter bool) (y []float64, x [][]float64, err error) {
	p, done, err := s.read()
	if err != nil {
		return nil, nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	outcome := C.int32_t(C.CXM_DRIVERS_NPS)
	if promoter {
		outcome = C.CXM_DRIVERS_PROMOTER
	}
	var n C.size_t
	// The first call only counts (CXM_E_BUFFER when there are rows).
	if rc := C.cxm_store_driver_rows(nil, nil, &n, p, outcome, 0); rc != C.CXM_OK && rc != C.CXM_E_BUFFER {
		return nil, nil, check(rc)
	}
	k := len(servqualDimensions)
	yb := make([]float64, int(n)+1)
	xb := make([]float64, k*int(n)+1)
	if err := check(C.cxm_store_driver_rows(doubles(yb), doubles(xb), &n, p, outcome, n)); err != nil {
		return nil, nil, err
	}
	x = make([][]float64, int(n))
	for i := range x {
		x[i] = xb[i*k : (i+1)*k : (i+1)*k]
	}
	return yb[:n], x, nil
}
