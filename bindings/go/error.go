package cxm

/*
#cgo pkg-config: cxm
#include <cxm.h>
*/
import "C"

import "fmt"

// Status codes of the C library (enum cxm_status in cxm/common.h). Negative
// values are errors, positive ones notices; the values never change.
const (
	StatusOK             int32 = 0
	StatusDuplicate      int32 = 1
	StatusUnknownColumn  int32 = 2
	StatusRepeatedHeader int32 = 3
	StatusArg            int32 = -1
	StatusNoMem          int32 = -2
	StatusSize           int32 = -3
	StatusCustomer       int32 = -4
	StatusHandle         int32 = -5
	StatusTime           int32 = -6
	StatusKind           int32 = -7
	StatusValue          int32 = -8
	StatusChannel        int32 = -9
	StatusStage          int32 = -10
	StatusSegment        int32 = -11
	StatusDimension      int32 = -12
	StatusRef            int32 = -13
	StatusEventID        int32 = -14
	StatusWindow         int32 = -15
	StatusBy             int32 = -16
	StatusOverflow       int32 = -17
	StatusIO             int32 = -21
	StatusHeader         int32 = -22
	StatusRow            int32 = -23
	StatusState          int32 = -24
	StatusLimit          int32 = -25
	StatusNotFound       int32 = -29
	StatusOption         int32 = -31
	StatusConverge       int32 = -33
	StatusModel          int32 = -34
	StatusNoData         int32 = -35
)

// Error is a failed call of the C library: its status code, the code's
// symbolic name ("CXM_E_VALUE") and its English description.
type Error struct {
	Status  int32
	Name    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("cxm: %s (%d): %s", e.Name, e.Status, e.Message)
}

// Is reports whether target is an *Error with the same status, so that
// errors.Is(err, &cxm.Error{Status: cxm.StatusValue}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Status == e.Status
}

// newError describes a status with the library's static strings.
func newError(status C.int32_t) *Error {
	return &Error{
		Status:  int32(status),
		Name:    C.GoString(C.cxm_status_name(status)),
		Message: C.GoString(C.cxm_status_str(status)),
	}
}

// check turns a C status into an error: nil for CXM_OK and notices.
func check(status C.int32_t) error {
	if status >= 0 {
		return nil
	}
	return newError(status)
}

// StatusName is the symbolic name of any status code ("CXM_E_VALUE").
func StatusName(status int32) string {
	return C.GoString(C.cxm_status_name(C.int32_t(status)))
}

// Version is the version string of the loaded libcxm ("0.1.0").
func Version() string { return C.GoString(C.cxm_version_string()) }
