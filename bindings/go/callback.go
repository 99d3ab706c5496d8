package cxm

/*
#include <stdint.h>
*/
import "C"

import "runtime/cgo"

//export cxmgoRowError
func cxmgoRowError(user C.uintptr_t, status C.int32_t, line C.uint64_t, column *C.char, reason *C.char) {
	r := cgo.Handle(user).Value().(*rowErrors)
	r.list = append(r.list, RowError{
		Line:   uint64(line),
		Column: C.GoString(column),
		Status: int32(status),
		Name:   StatusName(int32(status)),
		Reason: C.GoString(reason),
	})
}
