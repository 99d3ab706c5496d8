/* libFuzzer target: the CSV reader (cxm/reader.h), properties in
 * fuzz_reader.h. The whole input is the file's bytes. */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_reader_input(data, size, CXM_FORMAT_CSV);
  return 0;
}
