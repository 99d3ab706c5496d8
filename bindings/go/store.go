// Package cxm is a Go binding of libcxm, the customer-experience metrics
// library: record touchpoint events (or ingest CSV / JSON Lines files) into
// a Store, then query NPS, CSAT, CES, the perception gap, service levels,
// loyalty signals and churn risk for any slice of it.
//
// A Store owns C memory: call Close when done (a finalizer frees a
// forgotten store, but only when the garbage collector gets to it). A Store
// may be shared by goroutines: it applies the C library's rule (one writer
// at a time; queries together while nothing writes) with a sync.RWMutex of
// its own, and Close waits for the calls in flight. Errors from the C
// library are *Error values carrying its status code.
package cxm

/*
#cgo pkg-config: cxm
#include <stdlib.h>
#include <cxm.h>
*/
import "C"

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Store is an event store (cxm_store). Its methods may be called from any
// goroutines: Record and Ingest write the store and run alone; the queries
// and Churn read it and run together while nothing writes; Close waits for
// the calls in flight, then frees the store.
type Store struct {
	mu sync.RWMutex // held shared by readers, exclusively by writers and Close
	p  *C.cxm_store // nil once closed
}

// NewStore creates an empty store with the default options (one-day buckets).
func NewStore() (*Store, error) {
	return NewStoreWith(StoreOptions{})
}

// StoreOptions are the options of a new store (struct cxm_store_options).
type StoreOptions struct {
	// Bucket is the time bucket of the store's aggregates: whole seconds
	// dividing a day, or whole days; zero: one day. Query bounds must be
	// multiples of it (ErrWindow otherwise).
	Bucket time.Duration
	// Omit names per-customer tables the store does not keep, for a
	// program that asks only slice queries (less memory, faster
	// recording): "customer_days" (the purchase models, summaries, churn,
	// features, retention, cohorts, tracking and key drivers by customer
	// then return StatusState) and "customer_firsts" (retention). Such a
	// store cannot be saved (StatusState) and merges only with a store
	// that omits the same. Any other name: ErrOption.
	Omit []string
}

var omitCodes = map[string]C.uint32_t{"customer_days": C.CXM_OMIT_CUSTOMER_DAYS,
	"customer_firsts": C.CXM_OMIT_CUSTOMER_FIRSTS}

// NewStoreWith creates an empty store with options (cxm_store_new).
// Errors: ErrOption for a bucket the library does not take.
func NewStoreWith(opt StoreOptions) (*Store, error) {
	var o C.cxm_store_options
	C.cxm_store_options_init(&o)
	if opt.Bucket != 0 {
		if opt.Bucket < 0 || opt.Bucket%time.Second != 0 {
			return nil, newError(C.CXM_E_OPTION)
		}
		o.bucket_seconds = C.int64_t(opt.Bucket / time.Second)
	}
	for _, name := range opt.Omit {
		bit, ok := omitCodes[name]
		if !ok {
			return nil, newError(C.CXM_E_OPTION)
		}
		o.omit |= bit
	}
	var p *C.cxm_store
	if err := check(C.cxm_store_new(&p, &o)); err != nil {
		return nil, err
	}
	s := &Store{p: p}
	runtime.SetFinalizer(s, (*Store).Close)
	return s, nil
}

// Close frees the store's C memory once the calls running on other
// goroutines have returned. It is safe to call more than once; any other
// method of a closed store returns an *Error with StatusState.
func (s *Store) Close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.p != nil {
		C.cxm_store_free(s.p)
		s.p = nil
		runtime.SetFinalizer(s, nil)
	}
	return nil
}

func closedError() error {
	return &Error{Status: StatusState, Name: StatusName(StatusState), Message: "the store is closed"}
}

// read holds the store for a call that only reads it (shared with other
// readers); done releases it. Methods take the hold once and never nest it
// (a nested RLock could wait behind a waiting writer forever).
func (s *Store) read() (*C.cxm_store, func(), error) {
	if s == nil {
		return nil, nil, closedError()
	}
	s.mu.RLock()
	if s.p == nil {
		s.mu.RUnlock()
		return nil, nil, closedError()
	}
	return s.p, s.mu.RUnlock, nil
}

// write holds the store for a call that writes it (alone); done releases it.
func (s *Store) write() (*C.cxm_store, func(), error) {
	if s == nil {
		return nil, nil, closedError()
	}
	s.mu.Lock()
	if s.p == nil {
		s.mu.Unlock()
		return nil, nil, closedError()
	}
	return s.p, s.mu.Unlock, nil
}

// noNUL refuses a string holding a NUL byte with status: no event file can
// carry one (the readers refuse control characters), and a C string would
// end at it.
func noNUL(v, what string, status C.int32_t) error {
	if strings.IndexByte(v, 0) < 0 {
		return nil
	}
	e := newError(status)
	e.Message = what + " contains a NUL byte"
	return e
}

// Event is one touchpoint (docs/events.md). Empty strings mean "absent";
// Value is nil for kinds without a value.
type Event struct {
	ID        string
	Customer  string
	Time      time.Time
	Kind      string // "nps", "csat", "ces", "internal", "purchase", "contact_open", ...
	Value     *float64
	Channel   string
	Stage     string
	Segment   string
	Dimension string // a SERVQUAL dimension; for kind "rating" the attribute rated (a label the store interns)
	Ref       string
}

// Float returns a pointer to v, for Event.Value.
func Float(v float64) *float64 { return &v }

// cstr is a C copy of s (nil for ""), freed by the caller with free.
func cstr(s string) (*C.char, C.size_t) {
	if s == "" {
		return nil, 0
	}
	return C.CString(s), C.size_t(len(s))
}

func free(p *C.char) {
	if p != nil {
		C.free(unsafe.Pointer(p))
	}
}

// Record validates and records one event. A duplicate event id is not an
// error (Record returns nil and the store counts a duplicate; RecordEvent
// tells the two apart). Channel
// tokens and segment labels are interned first, so a failed Record may
// leave a new channel or segment name in the store. A customer id, event
// id or ref holding a NUL byte is refused (StatusCustomer, StatusEventID,
// StatusRef).
//
// Deprecated: use RecordEvent, which reports a duplicate as a value.
func (s *Store) Record(e Event) error {
	_, err := s.RecordEvent(e)
	return err
}

// RecordEvent is Record reporting a duplicate as a value: recorded is true
// when the event was recorded, false (with a nil error) when its event id
// was recorded before and it was skipped as a duplicate (CXM_DUPLICATE in
// C, False from Python's record()). On error recorded is false.
func (s *Store) RecordEvent(e Event) (recorded bool, err error) {
	rc, err := s.record(e)
	return err == nil && rc == C.CXM_OK, err
}

func (s *Store) record(e Event) (C.int32_t, error) {
	var rc C.int32_t
	err := s.withEvent(e, true, func(p *C.cxm_store, ev *C.cxm_event) error {
		var d C.cxm_detail
		C.cxm_detail_init(&d)
		rc = C.cxm_store_record_ex(p, ev, &d)
		return withDetail(check(rc), &d)
	})
	return rc, err
}

// withEvent builds e into a cxm_event under the write lock (channel tokens
// and segment labels are interned) and runs use on it; the C strings live
// until use returns. withCustomer false leaves the customer out (record_for).
func (s *Store) withEvent(e Event, withCustomer bool, use func(*C.cxm_store, *C.cxm_event) error) error {
	if withCustomer {
		if err := noNUL(e.Customer, "customer id", C.CXM_E_CUSTOMER); err != nil {
			return err
		}
	}
	if err := noNUL(e.ID, "event id", C.CXM_E_EVENT_ID); err != nil {
		return err
	}
	if err := noNUL(e.Ref, "ref", C.CXM_E_REF); err != nil {
		return err
	}
	p, done, err := s.write()
	if err != nil {
		return err
	}
	defer done()
	defer runtime.KeepAlive(s)
	var ev C.cxm_event
	C.cxm_event_init(&ev)
	kind, klen := cstr(e.Kind)
	defer free(kind)
	if rc := C.cxm_kind_parse(&ev.kind, kind, klen); rc != C.CXM_OK {
		if kind == nil {
			rc = C.CXM_E_KIND
		}
		return newError(rc)
	}
	ev.time = C.int64_t(e.Time.Unix())
	if e.Value != nil {
		ev.has_value = 1
		ev.value = C.double(*e.Value)
	}
	ch, chlen := cstr(e.Channel)
	defer free(ch)
	if err := check(C.cxm_store_channel(&ev.channel, p, ch, chlen)); err != nil {
		return err
	}
	st, stlen := cstr(e.Stage)
	defer free(st)
	if err := check(C.cxm_stage_parse(&ev.stage, st, stlen)); err != nil {
		return err
	}
	dim, dimlen := cstr(e.Dimension)
	defer free(dim)
	if err := eventDimension(p, &ev, dim, dimlen); err != nil {
		return err
	}
	seg, seglen := cstr(e.Segment)
	defer free(seg)
	if err := check(C.cxm_store_segment(&ev.segment, p, seg, seglen)); err != nil {
		return err
	}
	if withCustomer {
		ev.customer, ev.customer_len = cstr(e.Customer)
		defer free(ev.customer)
		if ev.customer == nil {
			ev.customer = kind // a valid pointer with length 0: the library reports CXM_E_CUSTOMER
		}
	}
	ev.ref, ev.ref_len = cstr(e.Ref)
	defer free(ev.ref)
	ev.id, ev.id_len = cstr(e.ID)
	defer free(ev.id)
	return use(p, &ev)
}

// Customer is the handle of customer id, creating the customer when new
// (cxm_store_customer): handles are 0, 1, 2... in order of creation, valid
// for the store's lifetime, and feed RecordFor. Errors: ErrCustomer, ErrLimit.
func (s *Store) Customer(id string) (uint32, error) {
	if err := noNUL(id, "customer id", C.CXM_E_CUSTOMER); err != nil {
		return 0, err
	}
	p, done, err := s.write()
	if err != nil {
		return 0, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	c, n := cstr(id)
	defer free(c)
	if c == nil {
		return 0, newError(C.CXM_E_CUSTOMER)
	}
	var h C.uint32_t
	err = check(C.cxm_store_customer(&h, p, c, n))
	return uint32(h), err
}

// eventDimension sets ev.dimension: a SERVQUAL dimension's code, or for a
// rating the code of its attribute label, interned (cxm_store_attribute;
// an empty label leaves 0, which the library refuses as a missing
// dimension). The store is held for writing.
func eventDimension(p *C.cxm_store, ev *C.cxm_event, dim *C.char, n C.size_t) error {
	if ev.kind != C.CXM_KIND_RATING {
		return check(C.cxm_dimension_parse(&ev.dimension, dim, n))
	}
	if n == 0 {
		ev.dimension = 0
		return nil
	}
	return check(C.cxm_store_attribute(&ev.dimension, p, dim, n))
}

// Attribute is the code of a rating attribute label, interning it when
// new (cxm_store_attribute): 1, 2, ... in order of first use. Errors:
// StatusDimension (empty, over 64 bytes, a control character), ErrLimit.
func (s *Store) Attribute(label string) (int32, error) {
	if err := noNUL(label, "attribute", C.CXM_E_DIMENSION); err != nil {
		return 0, err
	}
	p, done, err := s.write()
	if err != nil {
		return 0, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	c, n := cstr(label)
	defer free(c)
	var code C.int32_t
	if c == nil {
		return 0, newError(C.CXM_E_DIMENSION)
	}
	err = check(C.cxm_store_attribute(&code, p, c, n))
	return int32(code), err
}

// FindAttribute is the code of a rating attribute label; ok is false when
// the store has never seen it (cxm_store_find_attribute; never writes).
func (s *Store) FindAttribute(label string) (code int32, ok bool, err error) {
	if err := noNUL(label, "attribute", C.CXM_E_DIMENSION); err != nil {
		return 0, false, err
	}
	p, done, err := s.read()
	if err != nil {
		return 0, false, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	c, n := cstr(label)
	defer free(c)
	if c == nil {
		return 0, false, newError(C.CXM_E_DIMENSION)
	}
	var v C.int32_t
	rc := C.cxm_store_find_attribute(&v, p, c, n)
	if rc == C.CXM_E_NOT_FOUND {
		return 0, false, nil
	}
	if err := check(rc); err != nil {
		return 0, false, err
	}
	return int32(v), true, nil
}

// AttributeName is the label of a rating attribute code
// (cxm_store_attribute_name); ok is false for a code the store does not know.
func (s *Store) AttributeName(code int32) (name string, ok bool, err error) {
	p, done, err := s.read()
	if err != nil {
		return "", false, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	return attributeName(p, C.int32_t(code))
}

func attributeName(p *C.cxm_store, code C.int32_t) (string, bool, error) {
	var c *C.char
	var n C.size_t
	if C.cxm_store_attribute_name(&c, &n, p, code) != C.CXM_OK {
		return "", false, nil
	}
	return C.GoStringN(c, C.int(n)), true, nil
}

// FindCustomer is the handle of customer id; ok is false when the store
// has never seen it (cxm_store_find_customer; never writes the store).
func (s *Store) FindCustomer(id string) (handle uint32, ok bool, err error) {
	if err := noNUL(id, "customer id", C.CXM_E_CUSTOMER); err != nil {
		return 0, false, err
	}
	p, done, err := s.read()
	if err != nil {
		return 0, false, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	c, n := cstr(id)
	defer free(c)
	if c == nil {
		return 0, false, newError(C.CXM_E_CUSTOMER)
	}
	var h C.uint32_t
	rc := C.cxm_store_find_customer(&h, p, c, n)
	if rc == C.CXM_E_NOT_FOUND {
		return 0, false, nil
	}
	if err := check(rc); err != nil {
		return 0, false, err
	}
	return uint32(h), true, nil
}

// CustomerID is the id of a customer handle (cxm_store_customer_id).
// Errors: ErrHandle.
func (s *Store) CustomerID(handle uint32) (string, error) {
	p, done, err := s.read()
	if err != nil {
		return "", err
	}
	defer done()
	defer runtime.KeepAlive(s)
	var c *C.char
	var n C.size_t
	if err := check(C.cxm_store_customer_id(&c, &n, p, C.uint32_t(handle))); err != nil {
		return "", err
	}
	return C.GoStringN(c, C.int(n)), nil
}

// RecordFor is RecordEvent for a customer handle of Customer
// (cxm_store_record_for; e.Customer is ignored): the fast path for many
// events of one customer. Errors as RecordEvent, and ErrHandle.
func (s *Store) RecordFor(handle uint32, e Event) (recorded bool, err error) {
	var rc C.int32_t
	err = s.withEvent(e, false, func(p *C.cxm_store, ev *C.cxm_event) error {
		rc = C.cxm_store_record_for(p, C.uint32_t(handle), ev)
		return check(rc)
	})
	return err == nil && rc == C.CXM_OK, err
}

// Check validates an event as RecordEvent would, without recording it
// (cxm_store_check; duplicates are not detected). A new channel token or
// segment label is interned, as RecordEvent does.
func (s *Store) Check(e Event) error {
	return s.withEvent(e, true, func(p *C.cxm_store, ev *C.cxm_event) error {
		return check(C.cxm_store_check(p, ev))
	})
}

// RecordBatch records events as RecordEvent on each in turn would, in one
// call (cxm_store_record_batch, which overlaps the memory look-ups of
// several events): each event succeeds or fails on its own. errs[i] is
// nil for a recorded event or a duplicate (recorded[i] tells them apart),
// else the event's error; err is set only when the batch could not run
// (a closed store).
func (s *Store) RecordBatch(events []Event) (recorded []bool, errs []error, err error) {
	recorded = make([]bool, len(events))
	errs = make([]error, len(events))
	if len(events) == 0 {
		return recorded, errs, nil
	}
	p, done, err := s.write()
	if err != nil {
		return nil, nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	// The events and their strings live in C memory: the array holds
	// pointers, which cgo does not let Go memory pass.
	n := len(events)
	evs := (*C.cxm_event)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.cxm_event{}))))
	defer C.free(unsafe.Pointer(evs))
	arr := unsafe.Slice(evs, n)
	var strs []*C.char
	defer func() {
		for _, c := range strs {
			free(c)
		}
	}()
	str := func(v string) (*C.char, C.size_t) {
		c, l := cstr(v)
		if c != nil {
			strs = append(strs, c)
		}
		return c, l
	}
	statuses := make([]C.int32_t, n)
	for i, e := range events {
		ev := &arr[i]
		C.cxm_event_init(ev)
		statuses[i] = C.CXM_OK
		fail := func(err error) {
			var ce *Error
			if errors.As(err, &ce) {
				statuses[i] = C.int32_t(ce.Status)
			}
			errs[i] = err
		}
		if err := noNUL(e.Customer, "customer id", C.CXM_E_CUSTOMER); err != nil {
			fail(err)
			continue
		}
		if err := noNUL(e.ID, "event id", C.CXM_E_EVENT_ID); err != nil {
			fail(err)
			continue
		}
		if err := noNUL(e.Ref, "ref", C.CXM_E_REF); err != nil {
			fail(err)
			continue
		}
		kind, klen := str(e.Kind)
		if kind == nil || C.cxm_kind_parse(&ev.kind, kind, klen) != C.CXM_OK {
			fail(newError(C.CXM_E_KIND))
			continue
		}
		ev.time = C.int64_t(e.Time.Unix())
		if e.Value != nil {
			ev.has_value = 1
			ev.value = C.double(*e.Value)
		}
		ch, chlen := str(e.Channel)
		st, stlen := str(e.Stage)
		dim, dimlen := str(e.Dimension)
		seg, seglen := str(e.Segment)
		if err := check(C.cxm_store_channel(&ev.channel, p, ch, chlen)); err != nil {
			fail(err)
			continue
		}
		if err := check(C.cxm_stage_parse(&ev.stage, st, stlen)); err != nil {
			fail(err)
			continue
		}
		if err := eventDimension(p, ev, dim, dimlen); err != nil {
			fail(err)
			continue
		}
		if err := check(C.cxm_store_segment(&ev.segment, p, seg, seglen)); err != nil {
			fail(err)
			continue
		}
		ev.customer, ev.customer_len = str(e.Customer)
		if ev.customer == nil {
			ev.customer = kind // a valid pointer with length 0: the library reports CXM_E_CUSTOMER
		}
		ev.ref, ev.ref_len = str(e.Ref)
		ev.id, ev.id_len = str(e.ID)
	}
	// Events refused above are sent with kind -1, which the library
	// refuses without recording; their errors are kept.
	for i := range arr {
		if errs[i] != nil {
			arr[i].kind = -1
		}
	}
	if err := check(C.cxm_store_record_batch(&statuses[0], p, evs, C.size_t(n))); err != nil {
		return nil, nil, err
	}
	for i := range events {
		if errs[i] != nil {
			continue
		}
		errs[i] = check(statuses[i])
		recorded[i] = statuses[i] == C.CXM_OK
	}
	return recorded, errs, nil
}

// Stats are a store's counters.
type Stats struct {
	Events, Duplicates, Customers, Cells, MemoryBytes uint64
	First, Last                                       time.Time // zero when empty
}

// Stats reads the store's counters.
func (s *Store) Stats() (Stats, error) {
	p, done, err := s.read()
	if err != nil {
		return Stats{}, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	var st C.cxm_store_stats
	st.size = C.size_t(unsafe.Sizeof(st))
	if err := check(C.cxm_store_stats_get(&st, p)); err != nil {
		return Stats{}, err
	}
	out := Stats{Events: uint64(st.events), Duplicates: uint64(st.duplicates), Customers: uint64(st.customers),
		Cells: uint64(st.cells), MemoryBytes: uint64(st.memory_bytes)}
	if st.events > 0 {
		out.First = time.Unix(int64(st.first), 0).UTC()
		out.Last = time.Unix(int64(st.last), 0).UTC()
	}
	return out, nil
}

// opt maps NaN (the library's "absent") to nil.
func opt(x C.double) *float64 {
	v := float64(x)
	if math.IsNaN(v) {
		return nil
	}
	return &v
}
