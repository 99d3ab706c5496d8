package cxm

/*
#cgo pkg-config: cxm
#include <stdlib.h>
#include <cxm.h>

int32_t cxmgoWrite(uintptr_t user, void *bytes, size_t len);

static int32_t cxmgo_write(void *opaque, const void *bytes, size_t len) {
	return cxmgoWrite(*(const uintptr_t *)opaque, (void *)bytes, len);
}

static int32_t cxmgo_save_to(const cxm_store *store, uintptr_t *user) {
	return cxm_store_save_to(store, cxmgo_write, user);
}
*/
import "C"

import (
	"bytes"
	"io/fs"
	"runtime"
	"runtime/cgo"
	"strconv"
	"unsafe"
)

// Snapshots (cxm/snapshot.h, docs/snapshot.md) and merging.

type snapshotSink struct{ buf bytes.Buffer }

//export cxmgoWrite
func cxmgoWrite(user C.uintptr_t, p unsafe.Pointer, n C.size_t) C.int32_t {
	sink := cgo.Handle(user).Value().(*snapshotSink)
	sink.buf.Write(C.GoBytes(p, C.int(n)))
	return 0
}

// Snapshot returns the store's snapshot bytes (cxm_store_save_to). They are
// canonical: two stores with the same content give equal bytes. LoadBytes
// reads them back.
func (s *Store) Snapshot() ([]byte, error) {
	p, done, err := s.read()
	if err != nil {
		return nil, err
	}
	defer done()
	defer runtime.KeepAlive(s)
	sink := &snapshotSink{}
	h := cgo.NewHandle(sink)
	defer h.Delete()
	user := (*C.uintptr_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
	defer C.free(unsafe.Pointer(user))
	*user = C.uintptr_t(h)
	if err := check(C.cxmgo_save_to(p, user)); err != nil {
		return nil, err
	}
	return sink.buf.Bytes(), nil
}

// Save writes the snapshot to a file atomically (cxm_store_save_ex; a new
// file gets mode 0600). A file error is an *fs.PathError (Op "save")
// wrapping the *Error, whose message tells what failed, and the operating
// system's error.
func (s *Store) Save(path string) error {
	return s.SaveWith(path, SaveOptions{})
}

// SaveOptions are the options of SaveWith (struct cxm_save_options).
type SaveOptions struct {
	// Mode is the permission bits (at most 07777) of a file the save
	// creates, applied as given (the umask does not apply); an existing
	// file keeps its own. Zero: 0600, as snapshots hold customer ids.
	Mode fs.FileMode
}

// SaveWith is Save with options (cxm_store_save_with when a Mode is given).
// Errors: ErrOption for a Mode beyond 07777, and those of Save.
func (s *Store) SaveWith(path string, opt SaveOptions) error {
	if err := noNUL(path, "path "+strconv.Quote(path), C.CXM_E_IO); err != nil {
		return err
	}
	p, done, err := s.read()
	if err != nil {
		return err
	}
	defer done()
	defer runtime.KeepAlive(s)
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var d C.cxm_detail
	C.cxm_detail_init(&d)
	var rc C.int32_t
	if opt.Mode != 0 {
		var o C.cxm_save_options
		C.cxm_save_options_init(&o)
		if opt.Mode&^fs.FileMode(07777) != 0 {
			return newError(C.CXM_E_OPTION)
		}
		o.new_file_mode = C.uint32_t(opt.Mode)
		rc = C.cxm_store_save_with(p, cpath, &o)
	} else {
		rc = C.cxm_store_save_ex(p, cpath, &d)
	}
	if rc < 0 {
		return withDetail(pathError("save", path, rc), &d)
	}
	return nil
}

func adopt(p *C.cxm_store) *Store {
	s := &Store{p: p}
	runtime.SetFinalizer(s, (*Store).Close)
	return s
}

// Load reads a snapshot file into a new store (cxm_store_load_ex; an
// error's message tells what failed). A missing
// file is an *fs.PathError (Op "load"): errors.Is(err, fs.ErrNotExist)
// holds; malformed bytes give ErrFormat, ErrVersion, ErrTruncated or
// ErrChecksum.
func Load(path string) (*Store, error) {
	if err := noNUL(path, "path "+strconv.Quote(path), C.CXM_E_IO); err != nil {
		return nil, err
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var p *C.cxm_store
	var d C.cxm_detail
	C.cxm_detail_init(&d)
	if rc := C.cxm_store_load_ex(&p, cpath, nil, &d); rc < 0 {
		return nil, withDetail(pathError("load", path, rc), &d)
	}
	return adopt(p), nil
}

// LoadBytes makes a new store from snapshot bytes (cxm_store_load_bytes);
// any bytes are safe to give.
func LoadBytes(b []byte) (*Store, error) {
	var p *C.cxm_store
	var ptr unsafe.Pointer
	if len(b) > 0 {
		ptr = C.CBytes(b)
		defer C.free(ptr)
	}
	if err := check(C.cxm_store_load_bytes(&p, ptr, C.size_t(len(b)), nil)); err != nil {
		return nil, err
	}
	return adopt(p), nil
}

// Merge folds every event of from into s (cxm_store_merge; docs/api.md,
// "Merging stores"); from is only read. Atomic: ErrConflict (different
// buckets, or an event id in both) changes nothing. Merging a store into
// itself is ErrArg.
func (s *Store) Merge(from *Store) error {
	if from == s {
		return check(C.CXM_E_ARG)
	}
	p, done, err := s.write()
	if err != nil {
		return err
	}
	defer done()
	q, done2, err := from.read()
	if err != nil {
		return err
	}
	defer done2()
	defer runtime.KeepAlive(s)
	defer runtime.KeepAlive(from)
	return check(C.cxm_store_merge(p, q))
}
