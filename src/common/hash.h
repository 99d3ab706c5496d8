/* A fast non-cryptographic hash of byte strings and integers, for the
 * store's tables. Deterministic (no per-process seed) so results and
 * benchmarks are reproducible. */
#ifndef CXM_SRC_HASH_H
#define CXM_SRC_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t cxmi_hash_bytes(const void *data, size_t len);
uint64_t cxmi_hash_u64(uint64_t x);

#endif
