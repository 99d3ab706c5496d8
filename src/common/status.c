/* Status codes as text: a static table, no global state. */
#include "cxm/common.h"

typedef struct status_text {
  int32_t code;
  const char *name;
  const char *text;
} status_text;

static const status_text status_table[] = {
    {CXM_OK, "CXM_OK", "success"},
    {CXM_DUPLICATE, "CXM_DUPLICATE", "duplicate event id; event skipped"},
    {CXM_UNKNOWN_COLUMN, "CXM_UNKNOWN_COLUMN", "unknown column ignored"},
    {CXM_REPEATED_HEADER, "CXM_REPEATED_HEADER", "repeated header row skipped"},
    {CXM_E_ARG, "CXM_E_ARG", "a required pointer argument is NULL"},
    {CXM_E_NOMEM, "CXM_E_NOMEM", "out of memory"},
    {CXM_E_SIZE, "CXM_E_SIZE",
     "a struct's size field is not one this library knows (set it to sizeof, or with the struct's init function)"},
    {CXM_E_CUSTOMER, "CXM_E_CUSTOMER", "customer id must be 1..128 bytes"},
    {CXM_E_HANDLE, "CXM_E_HANDLE", "customer handle not issued by this store"},
    {CXM_E_TIME, "CXM_E_TIME", "time is malformed or outside 1970..9999"},
    {CXM_E_KIND, "CXM_E_KIND", "unknown event kind"},
    {CXM_E_VALUE, "CXM_E_VALUE", "value missing, not a number, out of range, or not taken by this kind"},
    {CXM_E_CHANNEL, "CXM_E_CHANNEL", "invalid channel"},
    {CXM_E_STAGE, "CXM_E_STAGE", "invalid journey stage"},
    {CXM_E_SEGMENT, "CXM_E_SEGMENT", "invalid segment"},
    {CXM_E_DIMENSION, "CXM_E_DIMENSION", "invalid or missing SERVQUAL dimension"},
    {CXM_E_REF, "CXM_E_REF", "invalid or missing interaction ref"},
    {CXM_E_EVENT_ID, "CXM_E_EVENT_ID", "event id longer than 128 bytes"},
    {CXM_E_WINDOW, "CXM_E_WINDOW",
     "time bound not allowed: a window reversed or off the store's buckets, or a cut-off not a UTC midnight in range"},
    {CXM_E_BY, "CXM_E_BY", "unknown grouping dimension"},
    {CXM_E_OVERFLOW, "CXM_E_OVERFLOW", "a count would overflow, or a sum would not be a finite number"},
    {CXM_E_FORMAT, "CXM_E_FORMAT", "malformed serialised data"},
    {CXM_E_VERSION, "CXM_E_VERSION", "unsupported format version"},
    {CXM_E_TRUNCATED, "CXM_E_TRUNCATED", "serialised data ends early"},
    {CXM_E_IO, "CXM_E_IO", "input/output error"},
    {CXM_E_HEADER, "CXM_E_HEADER", "CSV header unusable"},
    {CXM_E_ROW, "CXM_E_ROW", "strict mode stopped at a bad row"},
    {CXM_E_STATE, "CXM_E_STATE", "object used in the wrong state"},
    {CXM_E_LIMIT, "CXM_E_LIMIT", "capacity limit reached"},
    {CXM_E_COLUMNS, "CXM_E_COLUMNS", "wrong number of fields"},
    {CXM_E_QUOTE, "CXM_E_QUOTE", "malformed or unterminated quoted field"},
    {CXM_E_ENCODING, "CXM_E_ENCODING", "invalid UTF-8 or control character"},
    {CXM_E_NOT_FOUND, "CXM_E_NOT_FOUND", "not found"},
    {CXM_E_BUFFER, "CXM_E_BUFFER", "buffer too small"},
    {CXM_E_OPTION, "CXM_E_OPTION", "invalid option value"},
    {CXM_E_SYNTAX, "CXM_E_SYNTAX", "malformed JSON record"},
    {CXM_E_CONVERGE, "CXM_E_CONVERGE", "model fit did not converge"},
    {CXM_E_MODEL, "CXM_E_MODEL", "unknown model or unusable model parameters"},
    {CXM_E_NO_DATA, "CXM_E_NO_DATA", "no data to compute from"},
    {CXM_E_CHECKSUM, "CXM_E_CHECKSUM", "snapshot checksum mismatch"},
    {CXM_E_CONFLICT, "CXM_E_CONFLICT", "stores cannot be merged"},
    {CXM_E_NOT_FILE, "CXM_E_NOT_FILE", "not a regular file (a directory, FIFO, device or socket)"},
};

static const status_text *find_status(int32_t status) {
  size_t i;
  for (i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
    if (status_table[i].code == status) return &status_table[i];
  return NULL;
}

const char *cxm_status_str(int32_t status) {
  const status_text *s = find_status(status);
  return s != NULL ? s->text : "unknown status";
}

const char *cxm_status_name(int32_t status) {
  const status_text *s = find_status(status);
  return s != NULL ? s->name : "CXM_UNKNOWN";
}
