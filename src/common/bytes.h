/* Little-endian integers and IEEE-754 doubles written and read one byte
 * at a time, for the portable formats of docs/formats.md: the bytes are
 * the same whatever the host's endianness or word size. */
#ifndef CXM_SRC_BYTES_H
#define CXM_SRC_BYTES_H

#include "cxm/common.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void cxmi_put_u16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static inline uint16_t cxmi_get_u16(const uint8_t *p) { return (uint16_t)(p[0] | (uint16_t)(p[1] << 8)); }

static inline void cxmi_put_u64(uint8_t *p, uint64_t v) {
  int i;
  for (i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t cxmi_get_u64(const uint8_t *p) {
  uint64_t v = 0;
  int i;
  for (i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

/* Unsigned LEB128, the varint of docs/formats.md and docs/snapshot.md: 7
 * bits a byte, the low group first, the high bit set when more follow.
 * Written minimally; read only in its minimal form of at most 64 bits (10
 * bytes, the 10th carrying bit 63 only), so every value has one encoding. */
#define CXMI_LEB128_MAX 10

/* Bytes of the encoding of v, 1..10. */
static inline size_t cxmi_leb128_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80u) {
    v >>= 7;
    n++;
  }
  return n;
}

/* Writes v at p (room for cxmi_leb128_size(v) bytes); returns that size. */
static inline size_t cxmi_leb128_put(uint8_t *p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80u) {
    p[n++] = (uint8_t)((v & 0x7Fu) | 0x80u);
    v >>= 7;
  }
  p[n++] = (uint8_t)v;
  return n;
}

/* Reads one varint from p[0..len): CXM_OK with the value and the bytes
 * used, or CXM_E_FORMAT when it runs past len, is longer than 10 bytes,
 * overflows 64 bits or is not minimal. */
static inline int32_t cxmi_leb128_get(uint64_t *out, size_t *used, const uint8_t *p, size_t len) {
  uint64_t v = 0;
  size_t i;
  for (i = 0; i < CXMI_LEB128_MAX && i < len; i++) {
    uint8_t b = p[i];
    if (i == CXMI_LEB128_MAX - 1 && b > 1u) return CXM_E_FORMAT; /* the 10th byte carries bit 63 only */
    v |= (uint64_t)(b & 0x7Fu) << (7u * i);
    if ((b & 0x80u) == 0) {
      if (b == 0 && i > 0) return CXM_E_FORMAT; /* a redundant trailing zero group */
      *out = v;
      *used = i + 1;
      return CXM_OK;
    }
  }
  return CXM_E_FORMAT;
}

/* The frame header shared by the accumulator formats: 4 magic bytes and a
 * version byte. CXM_OK when `buf` starts with them; otherwise the status
 * of docs/formats.md's reading rules (a prefix of the magic that ends
 * early is truncated, anything else is not ours; version 0 is malformed,
 * a later version is a newer writer's). */
static inline int32_t cxmi_check_header(const uint8_t *buf, size_t len, const uint8_t magic[4], uint8_t version) {
  if (len == 0) return CXM_E_TRUNCATED; /* memcmp must not see a NULL buf */
  if (len < 5) return memcmp(buf, magic, len < 4 ? len : 4) == 0 ? CXM_E_TRUNCATED : CXM_E_FORMAT;
  if (memcmp(buf, magic, 4) != 0) return CXM_E_FORMAT;
  if (buf[4] != version) return buf[4] > version ? CXM_E_VERSION : CXM_E_FORMAT;
  return CXM_OK;
}

#endif
