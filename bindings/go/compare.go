package cxm

/*
#cgo pkg-config: cxm
#include <cxm.h>
*/
import "C"

// Comparison is NPS or CSAT of two independent periods compared (struct
// cxm_comparison; an unpooled z test): the First and Second scores, Diff =
// Second - First (score points; CSAT in percentage points), its standard
// error SE, Z and the two-sided P, and the answers of each period. Fields
// are NaN where the library gives NaN (a period without answers). `cxm
// report --compare` prints the same figures.
type Comparison struct {
	Metric              string
	NFirst, NSecond     uint64
	First, Second, Diff float64
	SE, Z, P            float64
}

// Compare compares NPS or CSAT (metric "nps" or "csat") between the slices
// first (the earlier) and second (cxm_nps_compare / cxm_csat_compare).
// An unknown metric is ErrOption.
func (s *Store) Compare(metric string, first, second Filter) (*Comparison, error) {
	if metric != "nps" && metric != "csat" {
		return nil, check(C.CXM_E_OPTION)
	}
	a, err := s.survey(first)
	if err != nil {
		return nil, err
	}
	b, err := s.survey(second)
	if err != nil {
		return nil, err
	}
	var out C.cxm_comparison
	c := &Comparison{Metric: metric}
	if metric == "nps" {
		err = check(C.cxm_nps_compare(&out, &a.nps, &b.nps))
		for _, v := range a.nps.count {
			c.NFirst += uint64(v)
		}
		for _, v := range b.nps.count {
			c.NSecond += uint64(v)
		}
	} else {
		err = check(C.cxm_csat_compare(&out, &a.csat, &b.csat))
		for _, v := range a.csat.count {
			c.NFirst += uint64(v)
		}
		for _, v := range b.csat.count {
			c.NSecond += uint64(v)
		}
	}
	if err != nil {
		return nil, err
	}
	c.First, c.Second, c.Diff = float64(out.first), float64(out.second), float64(out.diff)
	c.SE, c.Z, c.P = float64(out.se), float64(out.z), float64(out.p)
	return c, nil
}
