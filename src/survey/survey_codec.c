/* The portable byte format of a survey accumulator, version 1
 * (docs/formats.md, "Survey accumulator"):
 *
 *   offset 0  4 bytes  magic "CXMS" (0x43 0x58 0x4D 0x53)
 *   offset 4  1 byte   format version, 1
 *   offset 5  1 byte   L, the payload length in bytes (23..230)
 *   offset 6  L bytes  the 23 counts as unsigned LEB128 varints, in the
 *                      order nps[0..10], csat[0..4], ces[0..6]
 *
 * Varints are minimal (no redundant 0x80 / 0x00 continuation), so every
 * accumulator has exactly one encoding and equal accumulators have equal
 * bytes. Integers are written and read one byte at a time: the format does
 * not depend on the host's endianness or integer layout. */
#include "cxm/survey.h"
#include "common/bytes.h"

#include <string.h>

#define CODEC_VERSION 1u
#define CODEC_HEADER 6u
#define CODEC_COUNTS 23u

static const uint8_t codec_magic[4] = {0x43, 0x58, 0x4D, 0x53}; /* "CXMS" */

/* The 23 counts in format order. */
static void gather(uint64_t out[CODEC_COUNTS], const cxm_survey_acc *acc) {
  size_t k = 0;
  for (size_t i = 0; i < 11; i++) {
    out[k++] = acc->nps.count[i];
  }
  for (size_t i = 0; i < 5; i++) {
    out[k++] = acc->csat.count[i];
  }
  for (size_t i = 0; i < 7; i++) {
    out[k++] = acc->ces.count[i];
  }
}

int32_t cxm_survey_acc_serialize(uint8_t *buf, size_t cap, size_t *written, const cxm_survey_acc *acc) {
  if (written == NULL || acc == NULL || (buf == NULL && cap != 0)) {
    return CXM_E_ARG;
  }
  uint64_t v[CODEC_COUNTS];
  gather(v, acc);
  size_t payload = 0;
  for (size_t i = 0; i < CODEC_COUNTS; i++) {
    payload += cxmi_leb128_size(v[i]);
  }
  /* payload <= 23 * 10 = 230, so the whole frame is <= 236 bytes, within
   * CXM_SURVEY_ACC_MAX_BYTES, and L fits its byte. */
  size_t need = CODEC_HEADER + payload;
  *written = need;
  if (cap < need) {
    return CXM_E_BUFFER;
  }
  size_t pos = 0;
  for (size_t i = 0; i < sizeof codec_magic; i++) {
    buf[pos++] = codec_magic[i];
  }
  buf[pos++] = (uint8_t)CODEC_VERSION;
  buf[pos++] = (uint8_t)payload;
  for (size_t i = 0; i < CODEC_COUNTS; i++) {
    pos += cxmi_leb128_put(buf + pos, v[i]);
  }
  return CXM_OK;
}

/* Read one varint from buf[*pos..end) (the frame's declared end, so bytes
 * running past it are malformed, not short). */
static int32_t read_varint(uint64_t *out, const uint8_t *buf, size_t *pos, size_t end) {
  size_t used;
  int32_t rc = cxmi_leb128_get(out, &used, buf + *pos, end - *pos);
  if (rc == CXM_OK) *pos += used;
  return rc;
}

int32_t cxm_survey_acc_deserialize(cxm_survey_acc *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  if (acc == NULL || buf == NULL) {
    return CXM_E_ARG;
  }
  /* A wrong magic is reported as such even in a short buffer. */
  size_t have = len < sizeof codec_magic ? len : sizeof codec_magic;
  if (memcmp(buf, codec_magic, have) != 0) {
    return CXM_E_FORMAT;
  }
  if (len < CODEC_HEADER - 1) {
    return CXM_E_TRUNCATED;
  }
  if (buf[4] == 0) {
    return CXM_E_FORMAT; /* no version 0 was ever written */
  }
  if (buf[4] > CODEC_VERSION) {
    return CXM_E_VERSION;
  }
  if (len < CODEC_HEADER) {
    return CXM_E_TRUNCATED;
  }
  size_t end = CODEC_HEADER + (size_t)buf[5];
  if (len < end) {
    return CXM_E_TRUNCATED;
  }
  uint64_t v[CODEC_COUNTS];
  size_t pos = CODEC_HEADER;
  for (size_t i = 0; i < CODEC_COUNTS; i++) {
    int32_t rc = read_varint(&v[i], buf, &pos, end);
    if (rc != CXM_OK) {
      return rc;
    }
  }
  if (pos != end) {
    return CXM_E_FORMAT; /* bytes left over inside the declared frame */
  }
  size_t k = 0;
  for (size_t i = 0; i < 11; i++) {
    acc->nps.count[i] = v[k++];
  }
  for (size_t i = 0; i < 5; i++) {
    acc->csat.count[i] = v[k++];
  }
  for (size_t i = 0; i < 7; i++) {
    acc->ces.count[i] = v[k++];
  }
  if (consumed != NULL) {
    *consumed = end;
  }
  return CXM_OK;
}
