package cxm

/*
#cgo pkg-config: cxm
#include <stdlib.h>
#include <cxm.h>
*/
import "C"

import (
	"time"
	"unsafe"
)

// The library's vocabularies and its time text, for checking input the way
// the readers and the command do.

func names(count int, name func(C.int32_t) *C.char) []string {
	var out []string
	for i := 0; i < count; i++ {
		if p := name(C.int32_t(i)); p != nil {
			out = append(out, C.GoString(p))
		}
	}
	return out
}

// Kinds lists the event kinds Event.Kind takes ("nps", "csat", ...,
// "contact_open", ...), in the library's code order (cxm_kind_name).
func Kinds() []string {
	return names(C.CXM_KIND_COUNT, func(k C.int32_t) *C.char { return C.cxm_kind_name(k) })
}

// Channels lists the named channels ("email", "phone", ...; cxm_channel_name);
// any other valid token is a custom channel of the store.
func Channels() []string {
	return names(C.CXM_CHANNEL_FIRST_CUSTOM, func(c C.int32_t) *C.char {
		if c == C.CXM_CHANNEL_UNKNOWN {
			return nil
		}
		return C.cxm_channel_name(c)
	})
}

// Stages lists the journey stages Event.Stage takes (cxm_stage_parse), "none"
// (no stage, also the empty string) first.
func Stages() []string {
	return names(C.CXM_STAGE_COUNT, func(s C.int32_t) *C.char { return C.cxm_stage_name(s) })
}

// Dimensions lists the SERVQUAL dimensions Event.Dimension takes, "none"
// (no dimension, also the empty string) first (cxm_dimension_name).
func Dimensions() []string {
	return names(C.CXM_DIMENSION_COUNT, func(d C.int32_t) *C.char { return C.cxm_dimension_name(d) })
}

// ParseTime reads a time as the event readers do (cxm_time_parse): RFC 3339
// with a zone (Z or ±HH:MM, optional fraction, truncated to the second) or
// Unix seconds (larger values: milliseconds), within 1970..9999. The result
// is in UTC. Errors: ErrTime.
func ParseTime(text string) (time.Time, error) {
	var out C.int64_t
	p := C.CString(text)
	defer C.free(unsafe.Pointer(p))
	if err := check(C.cxm_time_parse(&out, p, C.size_t(len(text)))); err != nil {
		return time.Time{}, err
	}
	return time.Unix(int64(out), 0).UTC(), nil
}

// FormatTime writes t as the command does, YYYY-MM-DDTHH:MM:SSZ in UTC
// (cxm_time_format; the second, truncated). Errors: ErrTime outside
// 1970..9999.
func FormatTime(t time.Time) (string, error) {
	var buf [C.CXM_TIME_TEXT_SIZE]C.char
	if err := check(C.cxm_time_format(&buf[0], C.size_t(len(buf)), C.int64_t(t.Unix()))); err != nil {
		return "", err
	}
	return C.GoString(&buf[0]), nil
}

// PeriodKey is the key of t's group in Groups(f, by) for by "month"
// ("2026-03") or "week" (ISO 8601 "2026-W10"), in UTC
// (cxm_time_period_key). Errors: ErrBy, ErrTime.
func PeriodKey(t time.Time, by string) (string, error) {
	code, ok := byCodes[by]
	if !ok || (by != "month" && by != "week") {
		return "", newError(C.CXM_E_BY)
	}
	var buf [C.CXM_PERIOD_KEY_SIZE]C.char
	if err := check(C.cxm_time_period_key(&buf[0], C.size_t(len(buf)), C.int64_t(t.Unix()), code)); err != nil {
		return "", err
	}
	return C.GoString(&buf[0]), nil
}

// VersionNumber is the loaded library's version as major*10000 +
// minor*100 + patch (cxm_version), for checking that a function added in
// a later minor version is there.
func VersionNumber() uint32 { return uint32(C.cxm_version()) }

// CSVRecordEnd is where the CSV record that starts at start ends, as the
// reader frames it: just past the first line end outside a quoted field,
// or len(data) (cxm_csv_record_end). For cutting a file into byte ranges
// that separate stores can ingest on their own goroutines (`cxm report
// --threads` does); each range after the first needs the header line
// prepended. Errors: ErrArg (start beyond data, a bad delimiter).
func CSVRecordEnd(data []byte, start int, delimiter byte) (int, error) {
	if start < 0 || start > len(data) {
		return 0, newError(C.CXM_E_ARG)
	}
	var end C.size_t
	var p *C.uint8_t
	if len(data) > 0 {
		p = (*C.uint8_t)(unsafe.Pointer(&data[0]))
	}
	if err := check(C.cxm_csv_record_end(&end, p, C.size_t(len(data)), C.size_t(start), C.uint8_t(delimiter))); err != nil {
		return 0, err
	}
	return int(end), nil
}
