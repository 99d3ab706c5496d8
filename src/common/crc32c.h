/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of
 * snapshot sections (docs/snapshot.md). Table-driven, one byte at a time:
 * portable, no dependencies. */
#ifndef CXM_SRC_CRC32C_H
#define CXM_SRC_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC-32C: start with crc = 0; cxmi_crc32c(0, "123456789", 9)
 * is 0xE3069283. */
uint32_t cxmi_crc32c(uint32_t crc, const void *bytes, size_t len);

#endif
