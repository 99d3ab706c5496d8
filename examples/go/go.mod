module cxm.example/example

go 1.19

require cxm.example/cxm v0.0.0

replace cxm.example/cxm => ../../bindings/go
