/* The size check of growing structs; see abi_check.h. */
#include "common/abi_check.h"

int cxmi_size_ok(const void *p, size_t size, size_t first, size_t current) {
  const unsigned char *tail;
  size_t i;
  if (size < first || size < sizeof(size_t)) return 0;
  if (size <= current) return 1;
  tail = (const unsigned char *)p + current;
  for (i = 0; i < size - current; i++)
    if (tail[i] != 0) return 0;
  return 1;
}
