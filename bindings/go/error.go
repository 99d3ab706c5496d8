package cxm

/*
#cgo pkg-config: cxm
#include <cxm.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

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
	StatusFormat         int32 = -18
	StatusVersion        int32 = -19
	StatusTruncated      int32 = -20
	StatusIO             int32 = -21
	StatusHeader         int32 = -22
	StatusRow            int32 = -23
	StatusState          int32 = -24
	StatusLimit          int32 = -25
	StatusColumns        int32 = -26
	StatusQuote          int32 = -27
	StatusEncoding       int32 = -28
	StatusNotFound       int32 = -29
	StatusBuffer         int32 = -30
	StatusOption         int32 = -31
	StatusSyntax         int32 = -32
	StatusConverge       int32 = -33
	StatusModel          int32 = -34
	StatusNoData         int32 = -35
	StatusChecksum       int32 = -36
	StatusConflict       int32 = -37
	StatusNotFile        int32 = -38
)

// Sentinel errors, one per error status, for errors.Is: every *Error with
// that status matches, whatever its message (errors.Is(err, cxm.ErrTime)).
// A file error (ErrIO, ErrNotFile) from Ingest, Load or Save comes wrapped
// in an *fs.PathError and carries the operating system's error too, so
// errors.Is(err, fs.ErrNotExist) also works for a missing file.
var (
	ErrArg       = sentinel(StatusArg)       // a required argument is missing
	ErrNoMem     = sentinel(StatusNoMem)     // an allocation failed
	ErrSize      = sentinel(StatusSize)      // a struct size the library does not know
	ErrCustomer  = sentinel(StatusCustomer)  // customer id empty, too long or holding a NUL
	ErrHandle    = sentinel(StatusHandle)    // a customer handle the store did not issue
	ErrTime      = sentinel(StatusTime)      // a time outside 1970..9999 or unparseable
	ErrKind      = sentinel(StatusKind)      // an unknown event kind
	ErrValue     = sentinel(StatusValue)     // a value missing, out of range or not allowed
	ErrChannel   = sentinel(StatusChannel)   // an invalid channel
	ErrStage     = sentinel(StatusStage)     // an invalid journey stage
	ErrSegment   = sentinel(StatusSegment)   // an invalid segment
	ErrDimension = sentinel(StatusDimension) // an invalid or missing SERVQUAL dimension
	ErrRef       = sentinel(StatusRef)       // an invalid or missing interaction ref
	ErrEventID   = sentinel(StatusEventID)   // an invalid event id
	ErrWindow    = sentinel(StatusWindow)    // a window empty or not aligned to the bucket
	ErrBy        = sentinel(StatusBy)        // an unknown grouping
	ErrOverflow  = sentinel(StatusOverflow)  // a count or sum would overflow
	ErrFormat    = sentinel(StatusFormat)    // malformed serialised bytes
	ErrVersion   = sentinel(StatusVersion)   // a serialised format version not supported
	ErrTruncated = sentinel(StatusTruncated) // serialised bytes end early
	ErrIO        = sentinel(StatusIO)        // a file could not be opened, read or written
	ErrHeader    = sentinel(StatusHeader)    // a CSV header missing or lacking a required column
	ErrRow       = sentinel(StatusRow)       // strict reading stopped at a bad row
	ErrState     = sentinel(StatusState)     // used in the wrong state, such as a closed store
	ErrLimit     = sentinel(StatusLimit)     // a capacity limit was reached
	ErrColumns   = sentinel(StatusColumns)   // a row with the wrong number of fields
	ErrQuote     = sentinel(StatusQuote)     // a malformed quoted field
	ErrEncoding  = sentinel(StatusEncoding)  // invalid UTF-8 or a control character
	ErrNotFound  = sentinel(StatusNotFound)  // the thing looked up does not exist
	ErrBuffer    = sentinel(StatusBuffer)    // a caller's buffer is too small
	ErrOption    = sentinel(StatusOption)    // an invalid option value
	ErrSyntax    = sentinel(StatusSyntax)    // a JSON Lines record that is not valid JSON of the expected shape
	ErrConverge  = sentinel(StatusConverge)  // a model fit did not converge
	ErrModel     = sentinel(StatusModel)     // an unknown or unusable model
	ErrNoData    = sentinel(StatusNoData)    // nothing to compute from
	ErrChecksum  = sentinel(StatusChecksum)  // a snapshot checksum mismatch
	ErrConflict  = sentinel(StatusConflict)  // two stores cannot be merged
	ErrNotFile   = sentinel(StatusNotFile)   // a path that is not a regular file
)

func sentinel(status int32) *Error {
	return &Error{Status: status, Name: StatusName(status), Message: C.GoString(C.cxm_status_str(C.int32_t(status)))}
}

// Error is a failed call of the C library: its status code, the code's
// symbolic name ("CXM_E_VALUE") and its English description.
type Error struct {
	Status  int32
	Name    string
	Message string
	// Err is the operating system's error behind a file error (StatusIO,
	// StatusNotFile), such as syscall.ENOENT; nil otherwise. Unwrap returns it.
	Err error
}

// Unwrap returns the operating system's error behind a file error (or nil),
// so errors.Is(err, fs.ErrNotExist) sees it.
func (e *Error) Unwrap() error { return e.Err }

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("cxm: %s (%d): %s: %v", e.Name, e.Status, e.Message, e.Err)
	}
	return fmt.Sprintf("cxm: %s (%d): %s", e.Name, e.Status, e.Message)
}

// Is reports whether target is an *Error with the same status, so that
// errors.Is(err, cxm.ErrValue) and errors.Is(err, &cxm.Error{Status:
// cxm.StatusValue}) work.
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

// pathError wraps a failed file call of the library (op "ingest", "load",
// "save") as an *fs.PathError whose Err is the *Error, itself carrying the
// operating system's reason: the library reports StatusIO without errno, so
// the path is probed again (opened for reading; for a save, its directory
// stat'ed). Other statuses come back as the plain *Error.
func pathError(op, path string, status C.int32_t) error {
	e := newError(status)
	if status != C.CXM_E_IO && status != C.CXM_E_NOT_FILE {
		return e
	}
	probe := path
	if op == "save" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			probe = dirOf(path)
		}
	}
	if st, err := os.Stat(probe); err != nil {
		e.Err = unwrapPath(err)
	} else if st.IsDir() && probe == path {
		e.Err = syscall.EISDIR
	} else if op != "save" {
		if f, err := os.Open(path); err != nil {
			e.Err = unwrapPath(err)
		} else {
			f.Close()
		}
	}
	return &fs.PathError{Op: op, Path: path, Err: e}
}

// withDetail adds the library's sentence of a cxm_detail (the *_ex calls:
// "value 11 for kind nps is not an integer 0..10", "cannot load 'x':
// malformed serialised data") to the message of err's *Error.
func withDetail(err error, d *C.cxm_detail) error {
	var e *Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	if reason := C.GoString(&d.reason[0]); reason != "" {
		e.Message += " (" + reason + ")"
	}
	return err
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			if i == 0 {
				return "/"
			}
			return path[:i]
		}
	}
	return "."
}
