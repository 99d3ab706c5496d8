/* Record framing over chunks and the RFC 4180 CSV tokenizer
 * (docs/events.md, "CSV").
 *
 * cxmi_csv cuts a byte stream fed in chunks of any size into records and
 * tracks the physical line where each starts. With `quotes` set, a record
 * ends at the first '\n' outside a quoted field (CSV); without it, at every
 * '\n' (JSON Lines, whose strings cannot hold a raw newline). A record lying
 * wholly inside a chunk is handed out in place; only one split across
 * chunks is copied, into a buffer owned by the framer that grows to the
 * longest such record (at most CXM_READER_MAX_RECORD + 1 bytes). A trailing
 * '\r' before the '\n' (or before the end of input) is not part of the
 * record. Empty records (blank lines) are skipped.
 */
#ifndef CXM_SRC_CSV_H
#define CXM_SRC_CSV_H

#include "common/alloc.h"
#include "cxm/reader.h"

/* A field: bytes in the record, the chunk or the framer's scratch buffer. */
typedef struct cxmi_field {
  const uint8_t *p;
  size_t len;
} cxmi_field;

/* One record, valid during the callback only. */
typedef struct cxmi_record {
  uint64_t line;       /* 1-based physical line where it starts */
  const uint8_t *data; /* its bytes without the line end; NULL when status is CXM_E_LIMIT */
  size_t len;
  int32_t status; /* CXM_OK; CXM_E_LIMIT: longer than CXM_READER_MAX_RECORD (skipped
                        * unbuffered); CXM_E_QUOTE: a quoted field still open at the end of input */
  int quoted;     /* nonzero when the record holds a '"' */
  uint64_t bytes; /* bytes before its '\n' (a '\r' included), also when skipped */
} cxmi_record;

/* Called for each record; a nonzero return stops the feed and is returned. */
typedef int32_t (*cxmi_record_fn)(void *user, const cxmi_record *record);

typedef struct cxmi_csv {
  cxmi_alloc *alloc;
  int quotes;        /* 1: CSV quoting; 0: plain lines */
  uint8_t delim;     /* the field separator (CSV): ',' after init; the reader sets it once it knows the header */
  int carrying;      /* a record is split across chunks */
  int state;         /* quoting state at the end of the carried bytes */
  int overflow;      /* the carried record passed the maximum; bytes are dropped */
  int seen_quote;    /* the carried record holds a '"' */
  uint64_t line;     /* line where the current (or next) record starts */
  uint64_t newlines; /* '\n' inside the carried record's quoted fields */
  uint64_t dropped;  /* bytes of the carried record dropped past the maximum */
  uint8_t *carry;    /* the carried record's bytes */
  size_t carry_len, carry_cap;
  uint8_t *scratch; /* unescaped quoted fields of the last split record */
  size_t scratch_cap;
} cxmi_csv;

/* Start framing; `alloc` must outlive the framer. */
void cxmi_csv_init(cxmi_csv *c, cxmi_alloc *alloc, int quotes);
/* Release the buffers. */
void cxmi_csv_free(cxmi_csv *c);

/* Bytes of the record still waiting for its line end (0 when none), and
 * whether it has passed CXM_READER_MAX_RECORD: the reader stops on a
 * header, or a record, that cannot end within its cap instead of reading
 * an endless line (a stream without '\n', such as /dev/zero) forever. */
uint64_t cxmi_csv_pending(const cxmi_csv *c, int *too_long);

/* Frame a chunk, calling fn for each complete record. Returns CXM_OK,
 * CXM_E_NOMEM (the framer is then unusable) or fn's nonzero result. */
int32_t cxmi_csv_feed(cxmi_csv *c, const uint8_t *data, size_t len, cxmi_record_fn fn, void *user);
/* End of input: hand out the last record if it has no line end. */
int32_t cxmi_csv_finish(cxmi_csv *c, cxmi_record_fn fn, void *user);

/* Split a CSV record (status CXM_OK) into its fields. The first `cap` are
 * stored in fields[]; *count receives the number of fields in the record
 * (stored or not). Unquoted fields and quoted fields without "" point into
 * the record; quoted fields holding "" are unescaped into the framer's
 * scratch buffer, valid until the next split. Returns CXM_OK, CXM_E_QUOTE
 * (*bad receives the 0-based index of the malformed field: a '"' inside an
 * unquoted field, text after a closing quote, or a quote never closed) or
 * CXM_E_NOMEM. */
int32_t cxmi_csv_split(cxmi_csv *c, const cxmi_record *record, cxmi_field *fields, size_t cap, size_t *count,
                       size_t *bad);

/* The framer's scratch buffer grown to at least `len` bytes (for decoding
 * a JSON Lines record), or NULL when out of memory. Valid until the next
 * split or call of this function. */
uint8_t *cxmi_csv_scratch(cxmi_csv *c, size_t len);

#endif
