/* Byte-string hash: 8 bytes per step, multiply-xorshift, finished with the
 * SplitMix64 finaliser (Steele, Lea & Flood 2014) so every input bit
 * reaches every output bit. */
#include "common/hash.h"

#include <string.h>

uint64_t cxmi_hash_u64(uint64_t x) {
  x ^= x >> 30;
  x *= UINT64_C(0xbf58476d1ce4e5b9);
  x ^= x >> 27;
  x *= UINT64_C(0x94d049bb133111eb);
  x ^= x >> 31;
  return x;
}

uint64_t cxmi_hash_bytes(const void *data, size_t len) {
  const unsigned char *p = data;
  uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ ((uint64_t)len * UINT64_C(0xff51afd7ed558ccd));
  uint64_t w;
  while (len >= 8) {
    memcpy(&w, p, 8);
    h = (h ^ w) * UINT64_C(0x87c37b91114253d5);
    h ^= h >> 29;
    p += 8;
    len -= 8;
  }
  if (len > 0) {
    w = 0;
    memcpy(&w, p, len);
    h = (h ^ w) * UINT64_C(0x4cf5ad432745937f);
    h ^= h >> 29;
  }
  return cxmi_hash_u64(h);
}
