package cxm

/*
#cgo pkg-config: cxm
#include <cxm.h>
*/
import "C"

import (
	"math"
	"runtime"
	"time"
	"unsafe"
)

// Loop is closing the loop with the detractor answers of a slice and the
// response rates of its invitations (cxm_store_loop, docs/experience.md
// "Closing the loop", "Response rates"; the "loop" and "responses" objects
// of `cxm report --json`). Shares are percentages; durations are business
// seconds as float64 seconds, as in Operations; nil where there is nothing
// to measure.
type Loop struct {
	// Detractors counts the slice's detractor answers (nps, csat and ces);
	// Followed those with a followup of the answer's ref at or after the
	// answer; FollowedInTarget those whose first such followup came within
	// the target, in business time.
	Detractors, Followed, FollowedInTarget uint64
	// FollowupMedian and FollowupP90 are the business seconds from answer
	// to first followup over the followed detractors.
	FollowupMedian, FollowupP90 *float64
	// InTargetPct is 100 * FollowedInTarget / Detractors, NeverPct
	// 100 * (Detractors - Followed) / Detractors.
	InTargetPct, NeverPct *float64
	// FollowedNext counts detractors followed up before the customer's next
	// answer of the kind, FollowedRecovered those whose next answer is not a
	// detractor; UnfollowedNext and UnfollowedRecovered the same for
	// detractors with a next answer and no followup before it.
	FollowedNext, FollowedRecovered, UnfollowedNext, UnfollowedRecovered uint64
	// RecoveryFollowedPct and RecoveryUnfollowedPct are the recovered
	// shares; RecoveryDiffPct their difference (followed - not), with
	// Newcombe's hybrid score 95 % interval RecoveryDiffLowPct ..
	// RecoveryDiffHighPct.
	RecoveryFollowedPct, RecoveryUnfollowedPct *float64
	RecoveryDiffPct                            *float64
	RecoveryDiffLowPct, RecoveryDiffHighPct    *float64
	// Invitations counts the slice's survey_sent events, InvitationsAnswered
	// those matched by at least one answer (AAPOR RR1 completes).
	Invitations, InvitationsAnswered uint64
	// ResponsePct is 100 * InvitationsAnswered / Invitations (AAPOR RR1),
	// NonresponsePct 100 - ResponsePct.
	ResponsePct, NonresponsePct *float64
	// NPSAnswers, CSATAnswers, CESAnswers count the slice's answers of each
	// kind; NPSInvited, CSATInvited, CESInvited those that matched an
	// invitation.
	NPSAnswers, CSATAnswers, CESAnswers uint64
	NPSInvited, CSATInvited, CESInvited uint64
}

// LoopOptions are the settings of a closing-the-loop query. The zero value
// is the library's default.
type LoopOptions struct {
	// NPSDetractorMax: NPS answers 0 .. this are detractors (0 to 10); nil:
	// 6. Int(0) makes only the zeros detractors.
	NPSDetractorMax *int
	// CSATDetractorMax: CSAT answers 1 .. this are detractors (1 to 5);
	// nil: 2.
	CSATDetractorMax *int
	// CESDetractorMax: CES answers 1 .. this are detractors (1 to 7); nil: 3.
	CESDetractorMax *int
	// Target is the follow-up promise in business time, whole seconds;
	// zero: 8 hours (one 8-hour business day).
	Target time.Duration
	// InvitationWindow is how long before an answer an invitation of the
	// same customer counts for it, whole seconds up to 3660 days; zero: 30
	// days.
	InvitationWindow time.Duration
	// Calendar gives the business hours of the follow-up times; nil:
	// Monday-Friday 09:00-17:00 UTC.
	Calendar *Calendar
}

// Int returns a pointer to v, for the optional int fields of options
// (LoopOptions.NPSDetractorMax...).
func Int(v int) *int { return &v }

// bound gives an optional detractor bound as the C int32_t; a value that
// does not fit is CXM_E_OPTION (the library checks the scale's range).
func bound(v *int, def C.int32_t) (C.int32_t, error) {
	if v == nil {
		return def, nil
	}
	if *v < math.MinInt32 || *v > math.MaxInt32 {
		return def, newError(C.CXM_E_OPTION)
	}
	return C.int32_t(*v), nil
}

func (o LoopOptions) c() (C.cxm_loop_options, error) {
	var co C.cxm_loop_options
	C.cxm_loop_options_init(&co)
	var err error
	if co.nps_detractor_max, err = bound(o.NPSDetractorMax, co.nps_detractor_max); err != nil {
		return co, err
	}
	if co.csat_detractor_max, err = bound(o.CSATDetractorMax, co.csat_detractor_max); err != nil {
		return co, err
	}
	if co.ces_detractor_max, err = bound(o.CESDetractorMax, co.ces_detractor_max); err != nil {
		return co, err
	}
	if o.Target != 0 {
		if o.Target < 0 || o.Target%time.Second != 0 {
			return co, newError(C.CXM_E_OPTION)
		}
		co.target_business_seconds = C.int64_t(o.Target / time.Second)
	}
	if o.InvitationWindow != 0 {
		if o.InvitationWindow < 0 || o.InvitationWindow%time.Second != 0 {
			return co, newError(C.CXM_E_OPTION)
		}
		co.invitation_window_seconds = C.int64_t(o.InvitationWindow / time.Second)
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

func loopOf(r *C.cxm_loop_result) Loop {
	return Loop{Detractors: uint64(r.detractors), Followed: uint64(r.followed),
		FollowedInTarget: uint64(r.followed_in_target),
		FollowupMedian:   opt(r.followup_median_s), FollowupP90: opt(r.followup_p90_s),
		InTargetPct: opt(r.in_target_pct), NeverPct: opt(r.never_pct),
		FollowedNext: uint64(r.followed_next), FollowedRecovered: uint64(r.followed_recovered),
		UnfollowedNext: uint64(r.unfollowed_next), UnfollowedRecovered: uint64(r.unfollowed_recovered),
		RecoveryFollowedPct: opt(r.recovery_followed_pct), RecoveryUnfollowedPct: opt(r.recovery_unfollowed_pct),
		RecoveryDiffPct:    opt(r.recovery_diff_pct),
		RecoveryDiffLowPct: opt(r.recovery_diff_low_pct), RecoveryDiffHighPct: opt(r.recovery_diff_high_pct),
		Invitations: uint64(r.invitations), InvitationsAnswered: uint64(r.invitations_answered),
		ResponsePct: opt(r.response_pct), NonresponsePct: opt(r.nonresponse_pct),
		NPSAnswers: uint64(r.nps_answers), CSATAnswers: uint64(r.csat_answers), CESAnswers: uint64(r.ces_answers),
		NPSInvited: uint64(r.nps_invited), CSATInvited: uint64(r.csat_invited), CESInvited: uint64(r.ces_invited)}
}

// Loop computes closing the loop with the slice's detractor answers and
// the response rate of its invitations (cxm_store_loop). A detractor's
// next answer and an answer's invitation are looked for among all the
// customer's events, inside the slice or not. Errors: ErrWindow,
// ErrChannel, ErrStage, ErrSegment (the filter), ErrOption (the options).
func (s *Store) Loop(f Filter, o LoopOptions) (Loop, error) {
	p, done, err := s.read()
	if err != nil {
		return Loop{}, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	defer runtime.KeepAlive(o.Calendar)
	co, err := o.c()
	if err != nil {
		return Loop{}, err
	}
	cf, err := cFilter(p, f)
	if err != nil {
		return Loop{}, err
	}
	var r C.cxm_loop_result
	r.size = C.size_t(unsafe.Sizeof(r))
	if err := check(C.cxm_store_loop(&r, p, &cf, &co)); err != nil {
		return Loop{}, err
	}
	return loopOf(&r), nil
}

// LoopEach computes Loop for several slices at once (cxm_store_loop_each,
// the groups of a report): out[k] equals Loop(filters[k], o).
func (s *Store) LoopEach(filters []Filter, o LoopOptions) ([]Loop, error) {
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	defer runtime.KeepAlive(o.Calendar)
	co, err := o.c()
	if err != nil {
		return nil, err
	}
	if len(filters) == 0 {
		return []Loop{}, nil
	}
	// Neither struct holds a pointer, so Go memory may be passed (cgo rules).
	n := len(filters)
	cf := make([]C.cxm_filter, n)
	res := make([]C.cxm_loop_result, n)
	for i, f := range filters {
		if cf[i], err = cFilter(p, f); err != nil {
			return nil, err
		}
		res[i].size = C.size_t(unsafe.Sizeof(res[i]))
	}
	if err := check(C.cxm_store_loop_each(&res[0], &cf[0], C.size_t(n), p, &co)); err != nil {
		return nil, err
	}
	out := make([]Loop, n)
	for i := range res {
		out[i] = loopOf(&res[i])
	}
	return out, nil
}
