module cxm.example/cxm

go 1.19
