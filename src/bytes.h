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
