package cxm

/*
#cgo pkg-config: cxm
#include <stdlib.h>
#include <cxm.h>
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// The accumulator layer (cxm/survey.h, cxm/experience.h): mergeable,
// serialisable aggregates of a slice, for sharding work across stores or
// processes and keeping aggregates as bytes (docs/formats.md). Each
// accumulator's zero value is empty; MarshalBinary and UnmarshalBinary
// (encoding.BinaryMarshaler) use the library's portable format.

// unmarshal reads one accumulator and refuses bytes after it.
func unmarshal(data []byte, read func(buf *C.uint8_t, n C.size_t, consumed *C.size_t) C.int32_t) error {
	var p *C.uint8_t
	if len(data) > 0 {
		p = (*C.uint8_t)(C.CBytes(data))
		defer C.free(unsafe.Pointer(p))
	} else {
		p = (*C.uint8_t)(C.malloc(1))
		defer C.free(unsafe.Pointer(p))
	}
	var consumed C.size_t
	if err := check(read(p, C.size_t(len(data)), &consumed)); err != nil {
		return err
	}
	if int(consumed) != len(data) {
		return newError(C.CXM_E_FORMAT)
	}
	return nil
}

// marshal writes an accumulator into at most max bytes.
func marshal(max int, write func(buf *C.uint8_t, n C.size_t, written *C.size_t) C.int32_t) ([]byte, error) {
	buf := make([]byte, max)
	var n C.size_t
	if err := check(write((*C.uint8_t)(unsafe.Pointer(&buf[0])), C.size_t(max), &n)); err != nil {
		return nil, err
	}
	return buf[:n], nil
}

// SurveyAccumulator holds NPS, CSAT and CES answer counts (struct
// cxm_survey_acc).
type SurveyAccumulator struct{ a C.cxm_survey_acc }

// Add adds count answers value of kind "nps" (0..10), "csat" (1..5) or
// "ces" (1..7) (cxm_survey_acc_add). Errors: ErrKind, ErrValue, ErrOverflow.
func (acc *SurveyAccumulator) Add(kind string, value int32, count uint64) error {
	k, n := cstr(kind)
	defer free(k)
	var code C.int32_t
	if k == nil {
		return newError(C.CXM_E_KIND)
	}
	if err := check(C.cxm_kind_parse(&code, k, n)); err != nil {
		return err
	}
	return check(C.cxm_survey_acc_add(&acc.a, code, C.int32_t(value), C.uint64_t(count)))
}

// Merge adds other into acc (cxm_survey_acc_merge); ErrOverflow leaves acc unchanged.
func (acc *SurveyAccumulator) Merge(other *SurveyAccumulator) error {
	return check(C.cxm_survey_acc_merge(&acc.a, &other.a))
}

// NPS computes the NPS of the answers; nil without any.
func (acc *SurveyAccumulator) NPS() (*NPS, error) { return npsOf(&acc.a) }

// CSAT computes the CSAT of the answers; nil without any.
func (acc *SurveyAccumulator) CSAT() (*CSAT, error) { return csatOf(&acc.a) }

// CES computes the CES of the answers; nil without any.
func (acc *SurveyAccumulator) CES() (*CES, error) { return cesOf(&acc.a) }

// MarshalBinary writes the portable format (cxm_survey_acc_serialize).
func (acc *SurveyAccumulator) MarshalBinary() ([]byte, error) {
	return marshal(C.CXM_SURVEY_ACC_MAX_BYTES, func(b *C.uint8_t, n C.size_t, w *C.size_t) C.int32_t {
		return C.cxm_survey_acc_serialize(b, n, w, &acc.a)
	})
}

// UnmarshalBinary reads MarshalBinary's bytes (cxm_survey_acc_deserialize).
// Errors: ErrFormat, ErrTruncated, ErrVersion.
func (acc *SurveyAccumulator) UnmarshalBinary(data []byte) error {
	return unmarshal(data, func(b *C.uint8_t, n C.size_t, c *C.size_t) C.int32_t {
		return C.cxm_survey_acc_deserialize(&acc.a, b, n, c)
	})
}

// GapAccumulator holds perception-gap pairs (struct cxm_gap_acc).
type GapAccumulator struct{ a C.cxm_gap_acc }

// NewGapAccumulator is an empty gap accumulator (cxm_gap_acc_init; the
// zero value is empty too).
func NewGapAccumulator() *GapAccumulator {
	acc := &GapAccumulator{}
	C.cxm_gap_acc_init(&acc.a)
	return acc
}

// Add adds one interaction's internal service rating and the customer's
// experience rating (both 0..100) with the top-box threshold of the blind
// spots (cxm_gap_acc_add; the store uses 80). Errors: ErrValue.
func (acc *GapAccumulator) Add(service, experience, topBox float64) error {
	return check(C.cxm_gap_acc_add(&acc.a, C.double(service), C.double(experience), C.double(topBox)))
}

// Merge adds other into acc (cxm_gap_acc_merge).
func (acc *GapAccumulator) Merge(other *GapAccumulator) error {
	return check(C.cxm_gap_acc_merge(&acc.a, &other.a))
}

// Gap computes the perception gap; nil without a pair.
func (acc *GapAccumulator) Gap() (*Gap, error) { return gapOf(&acc.a) }

// MarshalBinary writes the portable format (cxm_gap_acc_serialize).
func (acc *GapAccumulator) MarshalBinary() ([]byte, error) {
	return marshal(C.CXM_GAP_ACC_BYTES, func(b *C.uint8_t, n C.size_t, w *C.size_t) C.int32_t {
		return C.cxm_gap_acc_serialize(b, n, w, &acc.a)
	})
}

// UnmarshalBinary reads MarshalBinary's bytes (cxm_gap_acc_deserialize).
func (acc *GapAccumulator) UnmarshalBinary(data []byte) error {
	return unmarshal(data, func(b *C.uint8_t, n C.size_t, c *C.size_t) C.int32_t {
		return C.cxm_gap_acc_deserialize(&acc.a, b, n, c)
	})
}

// ServqualAccumulator holds the SERVQUAL answers of qualifying customers
// per dimension (struct cxm_servqual_acc).
type ServqualAccumulator struct{ a C.cxm_servqual_acc }

// Merge adds other into acc (cxm_servqual_acc_merge; exact for shards of
// disjoint customers).
func (acc *ServqualAccumulator) Merge(other *ServqualAccumulator) error {
	return check(C.cxm_servqual_acc_merge(&acc.a, &other.a))
}

// Servqual computes the gaps (cxm_servqual_compute); weights by dimension
// name weigh the overall score (nil: the unweighted mean).
func (acc *ServqualAccumulator) Servqual(weights map[string]float64) (*Servqual, error) {
	var r C.cxm_servqual_result
	var w *C.double
	if weights != nil {
		ws := make([]float64, len(servqualDimensions))
		known := 0
		for i, d := range servqualDimensions {
			if v, ok := weights[d]; ok {
				ws[i] = v
				known++
			}
		}
		if known != len(weights) {
			return nil, newError(C.CXM_E_OPTION)
		}
		w = doubles(ws)
	}
	if err := check(C.cxm_servqual_compute(&r, &acc.a, w)); err != nil {
		return nil, err
	}
	return servqualOf(&r), nil
}

// MarshalBinary writes the portable format (cxm_servqual_acc_serialize).
func (acc *ServqualAccumulator) MarshalBinary() ([]byte, error) {
	return marshal(C.CXM_SERVQUAL_ACC_BYTES, func(b *C.uint8_t, n C.size_t, w *C.size_t) C.int32_t {
		return C.cxm_servqual_acc_serialize(b, n, w, &acc.a)
	})
}

// UnmarshalBinary reads MarshalBinary's bytes (cxm_servqual_acc_deserialize).
func (acc *ServqualAccumulator) UnmarshalBinary(data []byte) error {
	return unmarshal(data, func(b *C.uint8_t, n C.size_t, c *C.size_t) C.int32_t {
		return C.cxm_servqual_acc_deserialize(&acc.a, b, n, c)
	})
}

// LoyaltyAccumulator counts complaints, compliments and churned customers
// (struct cxm_loyalty_acc).
type LoyaltyAccumulator struct{ a C.cxm_loyalty_acc }

// Merge adds other into acc (cxm_loyalty_acc_merge; churned exact for
// shards of disjoint customers).
func (acc *LoyaltyAccumulator) Merge(other *LoyaltyAccumulator) error {
	return check(C.cxm_loyalty_acc_merge(&acc.a, &other.a))
}

// Loyalty computes the loyalty signals (cxm_loyalty_compute).
func (acc *LoyaltyAccumulator) Loyalty() (Loyalty, error) {
	var r C.cxm_loyalty_result
	if err := check(C.cxm_loyalty_compute(&r, &acc.a)); err != nil {
		return Loyalty{}, err
	}
	return loyaltyOf(&r), nil
}

// MarshalBinary writes the portable format (cxm_loyalty_acc_serialize).
func (acc *LoyaltyAccumulator) MarshalBinary() ([]byte, error) {
	return marshal(C.CXM_LOYALTY_ACC_BYTES, func(b *C.uint8_t, n C.size_t, w *C.size_t) C.int32_t {
		return C.cxm_loyalty_acc_serialize(b, n, w, &acc.a)
	})
}

// UnmarshalBinary reads MarshalBinary's bytes (cxm_loyalty_acc_deserialize).
func (acc *LoyaltyAccumulator) UnmarshalBinary(data []byte) error {
	return unmarshal(data, func(b *C.uint8_t, n C.size_t, c *C.size_t) C.int32_t {
		return C.cxm_loyalty_acc_deserialize(&acc.a, b, n, c)
	})
}

// ServiceAccumulator holds service-level counts, sums and duration
// histograms (struct cxm_service_acc): medians and p90s come from the
// histograms (exact below 1 024 s, within 1/128 above); counts, means and
// the SLA share are exact.
type ServiceAccumulator struct{ a C.cxm_service_acc }

// Merge adds other into acc (cxm_service_acc_merge).
func (acc *ServiceAccumulator) Merge(other *ServiceAccumulator) error {
	return check(C.cxm_service_acc_merge(&acc.a, &other.a))
}

// Service computes the service levels (cxm_service_compute); nil without
// a contact.
func (acc *ServiceAccumulator) Service() (*Service, error) {
	var r C.cxm_service_result
	if err := check(C.cxm_service_compute(&r, &acc.a)); err != nil || r.contacts == 0 {
		return nil, err
	}
	return serviceOf(&r), nil
}

// MarshalBinary writes the portable format (cxm_service_acc_serialize).
func (acc *ServiceAccumulator) MarshalBinary() ([]byte, error) {
	return marshal(C.CXM_SERVICE_ACC_MAX_BYTES, func(b *C.uint8_t, n C.size_t, w *C.size_t) C.int32_t {
		return C.cxm_service_acc_serialize(b, n, w, &acc.a)
	})
}

// UnmarshalBinary reads MarshalBinary's bytes (cxm_service_acc_deserialize).
func (acc *ServiceAccumulator) UnmarshalBinary(data []byte) error {
	return unmarshal(data, func(b *C.uint8_t, n C.size_t, c *C.size_t) C.int32_t {
		return C.cxm_service_acc_deserialize(&acc.a, b, n, c)
	})
}

// NewSurveyAccumulator is an empty survey accumulator (cxm_survey_acc_init;
// the zero value is empty too).
func NewSurveyAccumulator() *SurveyAccumulator {
	acc := &SurveyAccumulator{}
	C.cxm_survey_acc_init(&acc.a)
	return acc
}

// NewServqualAccumulator is an empty SERVQUAL accumulator
// (cxm_servqual_acc_init; the zero value is empty too).
func NewServqualAccumulator() *ServqualAccumulator {
	acc := &ServqualAccumulator{}
	C.cxm_servqual_acc_init(&acc.a)
	return acc
}

// NewLoyaltyAccumulator is an empty loyalty accumulator
// (cxm_loyalty_acc_init; the zero value is empty too).
func NewLoyaltyAccumulator() *LoyaltyAccumulator {
	acc := &LoyaltyAccumulator{}
	C.cxm_loyalty_acc_init(&acc.a)
	return acc
}

// NewServiceAccumulator is an empty service accumulator
// (cxm_service_acc_init; the zero value is empty too).
func NewServiceAccumulator() *ServiceAccumulator {
	acc := &ServiceAccumulator{}
	C.cxm_service_acc_init(&acc.a)
	return acc
}

// Accumulators of a slice: the data of the store's query of each family.

// SurveyAccumulator is the survey accumulator of a slice (cxm_store_survey).
func (s *Store) SurveyAccumulator(f Filter) (*SurveyAccumulator, error) {
	acc, err := s.survey(f)
	if err != nil {
		return nil, err
	}
	return &SurveyAccumulator{a: acc}, nil
}

// GapAccumulator is the perception-gap accumulator of a slice with the
// default top box (cxm_store_gap).
func (s *Store) GapAccumulator(f Filter) (*GapAccumulator, error) {
	out := &GapAccumulator{}
	err := s.query(f, func(p *C.cxm_store, cf *C.cxm_filter) C.int32_t { return C.cxm_store_gap(&out.a, p, cf, nil) })
	return out, err
}

// ServqualAccumulator is the SERVQUAL accumulator of a slice
// (cxm_store_servqual_acc).
func (s *Store) ServqualAccumulator(f Filter) (*ServqualAccumulator, error) {
	out := &ServqualAccumulator{}
	err := s.query(f, func(p *C.cxm_store, cf *C.cxm_filter) C.int32_t { return C.cxm_store_servqual_acc(&out.a, p, cf) })
	return out, err
}

// LoyaltyAccumulator is the loyalty accumulator of a slice
// (cxm_store_loyalty_acc).
func (s *Store) LoyaltyAccumulator(f Filter) (*LoyaltyAccumulator, error) {
	out := &LoyaltyAccumulator{}
	err := s.query(f, func(p *C.cxm_store, cf *C.cxm_filter) C.int32_t { return C.cxm_store_loyalty_acc(&out.a, p, cf) })
	return out, err
}

// ServiceAccumulator is the service accumulator of a slice with business
// settings (cxm_store_service_acc; opts.Business is ignored).
func (s *Store) ServiceAccumulator(f Filter, opts ServiceOptions) (*ServiceAccumulator, error) {
	o, err := opts.c()
	if err != nil {
		return nil, err
	}
	defer runtime.KeepAlive(opts.Calendar)
	out := &ServiceAccumulator{}
	err = s.query(f, func(p *C.cxm_store, cf *C.cxm_filter) C.int32_t { return C.cxm_store_service_acc(&out.a, p, cf, &o) })
	return out, err
}

// query runs one store query on a slice under the read lock.
func (s *Store) query(f Filter, run func(*C.cxm_store, *C.cxm_filter) C.int32_t) error {
	p, done, err := s.read()
	if err != nil {
		return err
	}
	defer done()
	defer runtime.KeepAlive(s)
	cf, err := cFilter(p, f)
	if err != nil {
		return err
	}
	return check(run(p, &cf))
}
