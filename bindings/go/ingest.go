package cxm

/*
#cgo pkg-config: cxm
#include <stdlib.h>
#include <cxm.h>

void cxmgoRowError(uintptr_t user, int32_t status, uint64_t line, char *column, char *reason);

// Trampoline from the reader's callback to Go: `user` points at a
// C-allocated uintptr_t holding a runtime/cgo.Handle.
static void cxmgo_on_error(void *user, const cxm_row_error *e) {
	cxmgoRowError(*(const uintptr_t *)user, e->status, e->line, (char *)e->column, (char *)e->reason);
}

static void cxmgo_set_callback(cxm_reader_options *o, uintptr_t *user) {
	o->on_error = cxmgo_on_error;
	o->user = user;
}
*/
import "C"

import (
	"runtime"
	"runtime/cgo"
	"strconv"
	"strings"
	"unsafe"
)

// RowError is a rejected row (Status < 0) or a warning (Status > 0, such as
// an unknown CSV column), as the reader reports it.
type RowError struct {
	Line   uint64
	Column string // the field at fault, "*" for the whole row
	Status int32
	Name   string // the status's symbolic name
	Reason string
}

// IngestStats are the counters of one ingestion.
type IngestStats struct {
	Rows, Events, Rejected, Duplicates, OutOfWindow, Warnings, Bytes uint64
}

type rowErrors struct{ list []RowError }

// IngestOptions are the reader's options for exports (docs/events.md,
// "Dialects"); the zero value reads as Ingest does.
type IngestOptions struct {
	Format       string // "csv" or "jsonl"; "": JSON Lines for *.jsonl and *.ndjson, else CSV
	Delimiter    byte   // the CSV separator ',' ';' '\t' or '|'; 0: detected from the header
	KeepSpaces   bool   // do not trim spaces around fields
	TimeFormat   string // a pattern such as "%m/%d/%Y %H:%M"; "": RFC 3339 or Unix time
	AssumeOffset bool   // times without a zone are local times at UTCOffset
	UTCOffset    int32  // seconds east of UTC, with AssumeOffset
}

// Ingest reads a CSV file (or JSON Lines when the name ends in ".jsonl" or
// ".ndjson") into the store. Bad rows are skipped and returned; err is
// non-nil only when the file could not be read at all (StatusIO,
// StatusHeader...). A path holding a NUL byte is StatusIO: cut there, it
// would name another file.
func (s *Store) Ingest(path string) (IngestStats, []RowError, error) {
	return s.IngestWith(path, IngestOptions{})
}

// IngestWith is Ingest with the dialect options; an option the library
// refuses is StatusOption, a time format holding a NUL byte too.
func (s *Store) IngestWith(path string, opt IngestOptions) (IngestStats, []RowError, error) {
	if err := noNUL(path, "path "+strconv.Quote(path), C.CXM_E_IO); err != nil {
		return IngestStats{}, nil, err
	}
	if err := noNUL(opt.TimeFormat, "time format "+strconv.Quote(opt.TimeFormat), C.CXM_E_OPTION); err != nil {
		return IngestStats{}, nil, err
	}
	p, done, err := s.write()
	if err != nil {
		return IngestStats{}, nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	var o C.cxm_reader_options
	C.cxm_reader_options_init(&o)
	switch opt.Format {
	case "":
		if strings.HasSuffix(path, ".jsonl") || strings.HasSuffix(path, ".ndjson") {
			o.format = C.CXM_FORMAT_JSONL
		}
	case "csv":
	case "jsonl":
		o.format = C.CXM_FORMAT_JSONL
	default:
		return IngestStats{}, nil, check(C.CXM_E_OPTION)
	}
	o.delimiter = C.int32_t(opt.Delimiter)
	if opt.KeepSpaces {
		o.trim = 0
	}
	if opt.TimeFormat != "" {
		pattern := C.CString(opt.TimeFormat)
		defer C.free(unsafe.Pointer(pattern))
		o.time_format = pattern
	}
	if opt.AssumeOffset {
		o.assume_offset = 1
		o.utc_offset = C.int32_t(opt.UTCOffset)
	}
	collected := &rowErrors{}
	h := cgo.NewHandle(collected)
	defer h.Delete()
	user := (*C.uintptr_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
	defer C.free(unsafe.Pointer(user))
	*user = C.uintptr_t(h)
	C.cxmgo_set_callback(&o, user)
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var st C.cxm_reader_stats
	st.size = C.size_t(unsafe.Sizeof(st))
	rc := C.cxm_store_ingest_file(p, cpath, &o, &st)
	stats := IngestStats{Rows: uint64(st.rows), Events: uint64(st.events), Rejected: uint64(st.rejected),
		Duplicates: uint64(st.duplicates), OutOfWindow: uint64(st.out_of_window), Warnings: uint64(st.warnings),
		Bytes: uint64(st.bytes)}
	return stats, collected.list, check(rc)
}
