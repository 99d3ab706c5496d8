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
	"fmt"
	"io"
	"runtime"
	"runtime/cgo"
	"strconv"
	"strings"
	"time"
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
	// From and To keep only the events in [From, To) (any instants, as the
	// command's --from / --to); the others are counted in OutOfWindow and
	// not recorded. Zero: unbounded.
	From, To time.Time
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
// refuses is StatusOption, a time format holding a NUL byte too. A file
// that cannot be read comes back as an *fs.PathError (Op "ingest") whose
// Err is the *Error (StatusIO, StatusNotFile) carrying the operating
// system's error: errors.Is(err, fs.ErrNotExist) and errors.Is(err,
// cxm.ErrIO) both hold for a missing file.
func (s *Store) IngestWith(path string, opt IngestOptions) (IngestStats, []RowError, error) {
	if err := noNUL(path, "path "+strconv.Quote(path), C.CXM_E_IO); err != nil {
		return IngestStats{}, nil, err
	}
	if opt.Format == "" && (strings.HasSuffix(path, ".jsonl") || strings.HasSuffix(path, ".ndjson")) {
		opt.Format = "jsonl"
	}
	var rc C.int32_t
	stats, rows, err := s.ingest(opt, func(p *C.cxm_store, o *C.cxm_reader_options, st *C.cxm_reader_stats) C.int32_t {
		cpath := C.CString(path)
		defer C.free(unsafe.Pointer(cpath))
		rc = C.cxm_store_ingest_file(p, cpath, o, st)
		return rc
	})
	if err != nil && (rc == C.CXM_E_IO || rc == C.CXM_E_NOT_FILE) {
		err = pathError("ingest", path, rc)
	}
	return stats, rows, err
}

// IngestReader reads CSV (or, with Format "jsonl", JSON Lines) events from
// r through the streaming reader (cxm_reader_new, cxm_reader_feed,
// cxm_reader_finish), 1 MiB at a time. Bad rows are skipped and returned, as
// with Ingest. An error from r is returned as it is (wrapped with
// "cxm: reading events: "); the rows read before it stay recorded.
func (s *Store) IngestReader(r io.Reader, opt IngestOptions) (IngestStats, []RowError, error) {
	var readErr error
	stats, rows, err := s.ingest(opt, func(p *C.cxm_store, o *C.cxm_reader_options, st *C.cxm_reader_stats) C.int32_t {
		var rd *C.cxm_reader
		if rc := C.cxm_reader_new(&rd, p, o); rc != C.CXM_OK {
			return rc
		}
		defer C.cxm_reader_free(rd)
		buf := (*[1 << 20]byte)(C.malloc(1 << 20))
		defer C.free(unsafe.Pointer(buf))
		rc := C.int32_t(C.CXM_OK)
		for {
			n, err := r.Read(buf[:])
			if n > 0 {
				rc = C.cxm_reader_feed(rd, (*C.uint8_t)(unsafe.Pointer(&buf[0])), C.size_t(n))
				if rc < 0 {
					break
				}
			}
			if err == io.EOF {
				rc = C.cxm_reader_finish(rd)
				break
			}
			if err != nil {
				readErr = err
				break
			}
		}
		C.cxm_reader_stats_get(st, rd)
		return rc
	})
	if err == nil && readErr != nil {
		err = fmt.Errorf("cxm: reading events: %w", readErr)
	}
	return stats, rows, err
}

// ingest runs one reading call with the options and the row-error
// callback set up, under the store's write hold.
func (s *Store) ingest(opt IngestOptions, run func(*C.cxm_store, *C.cxm_reader_options, *C.cxm_reader_stats) C.int32_t) (IngestStats, []RowError, error) {
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
	case "", "csv":
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
	if !opt.From.IsZero() {
		o.from = C.int64_t(opt.From.Unix())
	}
	if !opt.To.IsZero() {
		o.to = C.int64_t(opt.To.Unix())
	}
	collected := &rowErrors{}
	h := cgo.NewHandle(collected)
	defer h.Delete()
	user := (*C.uintptr_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
	defer C.free(unsafe.Pointer(user))
	*user = C.uintptr_t(h)
	C.cxmgo_set_callback(&o, user)
	var st C.cxm_reader_stats
	st.size = C.size_t(unsafe.Sizeof(st))
	rc := run(p, &o, &st)
	stats := IngestStats{Rows: uint64(st.rows), Events: uint64(st.events), Rejected: uint64(st.rejected),
		Duplicates: uint64(st.duplicates), OutOfWindow: uint64(st.out_of_window), Warnings: uint64(st.warnings),
		Bytes: uint64(st.bytes)}
	return stats, collected.list, check(rc)
}
