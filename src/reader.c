/* Streaming ingestion of CSV and JSON Lines event files into a store
 * (docs/events.md). Bytes -> csv.c (framing, CSV fields) or jsonl.c (JSON
 * members) -> one row of field texts -> a validated cxm_event -> the store.
 *
 * A row is validated in full (cxm_store_check) before anything is interned,
 * so a bad row leaves no trace in the store. Nothing is allocated per row:
 * the framer's buffers grow to the longest record and are reused. */
#include "cxm/reader.h"

#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "cxm/event.h"
#include "cxm/time.h"
#include "jsonl.h"
#include "event_reason.h"
#include "number.h"
#include "strbuf.h"
#include "store_internal.h"
#include "utf8.h"
#include "abi_check.h"

/* The known columns, in the order of docs/events.md; bad fields of a row
 * are looked for in this order. */
enum field {
  F_TIME,
  F_CUSTOMER,
  F_KIND,
  F_VALUE,
  F_CHANNEL,
  F_STAGE,
  F_REF,
  F_SEGMENT,
  F_DIMENSION,
  F_ID,
  F_COUNT
};

static const char *const field_names[F_COUNT] = {"time",    "customer", "kind",      "value", "channel",
                                                 "stage",   "ref",      "segment",   "dimension", "id"};

enum phase { P_HEADER, P_DATA, P_STOPPED, P_FINISHED };

#define REASON_SIZE 320
#define COLUMN_SIZE 160
/* How much of a bad field's text a reason quotes. */

struct cxm_reader {
  cxm_store *store;
  cxmi_alloc *alloc;
  cxm_reader_options opt;
  cxmi_csv framer;
  int32_t phase;
  int32_t stop_status; /* why the reader stopped */
  /* CSV header */
  size_t ncols;
  int8_t *colmap;      /* per column: enum field, or -1 when unknown */
  cxmi_field *fields;  /* per column: the current row's field */
  char *names;         /* the header names, each NUL-terminated */
  size_t names_size;
  size_t *name_at;     /* per column: offset of its name in `names` */
  int32_t col_of[F_COUNT]; /* per known field: its column, or -1 */
  /* byte-order mark */
  uint8_t bom[3];
  size_t bom_len;
  int bom_done;
  cxm_reader_stats stats;
  /* Good rows waiting to be recorded together, so that the store's memory
   * look-ups of several rows overlap (cxmi_store_prefetch). Their strings
   * are copied: the chunk they came from may be gone when they are
   * recorded. Rows are always recorded before any later row is reported,
   * and before feed/finish return. */
  cxm_event pending[CXMI_PREFETCH_MAX];
  uint64_t pending_line[CXMI_PREFETCH_MAX];
  char pending_text[CXMI_PREFETCH_MAX][3 * CXM_MAX_ID_LEN];
  size_t npending;
  int flushing;
  char reason[REASON_SIZE];
  char column[COLUMN_SIZE];
};

/* ---- reasons ---------------------------------------------------------- */

/* ---- reporting -------------------------------------------------------- */

static void notify(cxm_reader *r, uint64_t line, const char *column, int32_t status) {
  cxm_row_error e;
  if (r->opt.on_error == NULL) return;
  e.size = sizeof e;
  e.line = line;
  e.column = column;
  e.status = status;
  e.reason = r->reason;
  r->opt.on_error(r->opt.user, &e);
}

/* Report a rejected row (reason already in r->reason). Returns what the
 * framer should do next: go on, or stop in strict mode. */
static int32_t flush(cxm_reader *r);

static int32_t reject(cxm_reader *r, uint64_t line, const char *column, int32_t status) {
  if (!r->flushing) {
    /* Rows before this one are recorded (or reported) first: reports come
     * in line order, and strict mode stops with exactly the earlier rows. */
    int32_t rc = flush(r);
    if (rc != CXM_OK) return rc;
  }
  r->stats.rejected++;
  notify(r, line, column, status);
  return r->opt.strict ? CXM_E_ROW : CXM_OK;
}

static int32_t reject_msg(cxm_reader *r, uint64_t line, const char *column, int32_t status, const char *msg) {
  cxmi_sb b;
  cxmi_sb_init(&b, r->reason, sizeof r->reason);
  cxmi_sb_str(&b, msg);
  return reject(r, line, column, status);
}

/* Report a header problem once; the reader stops. */
static int32_t header_error(cxm_reader *r, uint64_t line, const char *column) {
  notify(r, line, column, CXM_E_HEADER);
  return CXM_E_HEADER;
}

/* ---- one row ----------------------------------------------------------- */

/* The named channels with their lengths ("unknown" is the empty channel's
 * name, accepted as a token for it, as cxm_store_channel() does). */
static const struct {
  const char *name;
  size_t len;
} named_channels[CXM_CHANNEL_FIRST_CUSTOM] = {{"unknown", 7}, {"email", 5}, {"phone", 5}, {"chat", 4},
                                              {"web", 3},     {"store", 5}, {"social", 6}, {"app", 3}};

/* Whether token is a channel token, [a-z0-9_-]{1,32}. */
static int channel_token(const uint8_t *s, size_t len) {
  size_t i;
  if (len == 0 || len > CXM_MAX_CHANNEL_LEN) return 0;
  for (i = 0; i < len; i++) {
    uint8_t c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return 0;
  }
  return 1;
}

/* Reject a row the store refused with `status`. */
static int32_t reject_store(cxm_reader *r, uint64_t line, const cxm_event *e, const cxmi_json_value *v,
                            int32_t status) {
  cxmi_sb b;
  cxmi_sb_init(&b, r->reason, sizeof r->reason);
  if (status == CXM_E_VALUE && v == NULL) /* found at commit: the row's text is gone */
    cxmi_sb_str(&b, cxm_status_str(status));
  else
    cxmi_event_reason(&b, e, status, v != NULL ? v[F_VALUE].p : NULL, v != NULL ? v[F_VALUE].len : 0);
  return reject(r, line, cxmi_event_column(status), status);
}

/* What a JSON member of each field may be: 1 string, 2 number, 3 both. */
static const uint8_t json_types[F_COUNT] = {3, 1, 1, 3, 1, 1, 1, 1, 1, 1};

/* Record one validated row. What can still fail here is only what the
 * store finds when it commits: a full table, an overflow, memory. */
static int32_t commit_row(cxm_reader *r, uint64_t line, const cxm_event *e, const cxmi_event_hashes *hashes) {
  int32_t rc = cxmi_store_record_hashed(r->store, e, hashes);
  if (rc == CXM_OK) {
    r->stats.events++;
  } else if (rc == CXM_DUPLICATE) {
    r->stats.duplicates++;
  } else {
    if (rc == CXM_E_NOMEM || rc == CXM_E_ARG) return rc;
    return reject_store(r, line, e, NULL, rc);
  }
  return CXM_OK;
}

/* Record the pending rows in order; stop at the first that stops the
 * reader (strict mode, out of memory): the rows after it are dropped, as
 * if never read. */
static int32_t flush(cxm_reader *r) {
  cxmi_event_hashes hashes[CXMI_PREFETCH_MAX];
  size_t i, n = r->npending;
  int32_t rc = CXM_OK;
  if (n == 0) return CXM_OK;
  r->npending = 0;
  cxmi_store_prefetch(hashes, r->store, r->pending, n);
  r->flushing = 1;
  for (i = 0; i < n && rc == CXM_OK; i++) rc = commit_row(r, r->pending_line[i], &r->pending[i], &hashes[i]);
  r->flushing = 0;
  return rc;
}

/* Copy `len` bytes of `src` to `*dst`, advancing it; returns the copy. */
static const char *keep(char **dst, const char *src, size_t len) {
  char *at = *dst;
  if (len > 0) memcpy(at, src, len);
  *dst += len;
  return at;
}

static int32_t add_pending(cxm_reader *r, uint64_t line, const cxm_event *e) {
  size_t k = r->npending;
  cxm_event *p = &r->pending[k];
  char *text = r->pending_text[k];
  *p = *e;
  p->customer = keep(&text, e->customer, e->customer_len);
  if (e->ref_len > 0) p->ref = keep(&text, e->ref, e->ref_len);
  if (e->id_len > 0) p->id = keep(&text, e->id, e->id_len);
  r->pending_line[k] = line;
  r->npending = k + 1;
  return r->npending == CXMI_PREFETCH_MAX ? flush(r) : CXM_OK;
}

/* Validate and record one row whose fields are v[F_*] (CSV fields are all
 * strings; an absent field has type CXMI_JSON_ABSENT). `ascii`: the fields
 * are known to be printable ASCII, so the encoding check is skipped. */
static int32_t record_row(cxm_reader *r, uint64_t line, const cxmi_json_value *v, int ascii) {
  cxm_event e;
  cxmi_sb b;
  int32_t f, rc, named_channel = -1;
  size_t where;

  /* Types (JSON Lines) and encoding, field by field. */
  for (f = 0; f < F_COUNT; f++) {
    int check;
    if (v[f].type == CXMI_JSON_ABSENT) continue;
    if (v[f].type == CXMI_JSON_OTHER || !(json_types[f] & (v[f].type == CXMI_JSON_STRING ? 1 : 2))) {
      cxmi_sb_init(&b, r->reason, sizeof r->reason);
      cxmi_sb_str(&b, field_names[f]);
      cxmi_sb_str(&b, json_types[f] == 1 ? " must be a JSON string" : " must be a JSON number or string");
      return reject(r, line, field_names[f], CXM_E_SYNTAX);
    }
    if (ascii) continue;
    check = cxmi_text_check(v[f].p, v[f].len, &where);
    if (check != CXMI_TEXT_OK) {
      cxmi_sb_init(&b, r->reason, sizeof r->reason);
      if (check == CXMI_TEXT_INVALID) {
        cxmi_sb_str(&b, "invalid UTF-8 in ");
        cxmi_sb_str(&b, field_names[f]);
      } else {
        cxmi_sb_str(&b, "control character in ");
        cxmi_sb_str(&b, field_names[f]);
      }
      cxmi_sb_str(&b, " at byte ");
      cxmi_sb_u64(&b, (uint64_t)where + 1);
      return reject(r, line, field_names[f], CXM_E_ENCODING);
    }
  }

  cxm_event_init(&e);
  if (v[F_TIME].len == 0) return reject_msg(r, line, "time", CXM_E_TIME, "time is missing");
  if (v[F_CUSTOMER].len == 0) return reject_msg(r, line, "customer", CXM_E_CUSTOMER, "customer is missing");
  if (v[F_KIND].len == 0) return reject_msg(r, line, "kind", CXM_E_KIND, "kind is missing");

  if (cxm_time_parse(&e.time, (const char *)v[F_TIME].p, v[F_TIME].len) != CXM_OK) {
    cxmi_sb_init(&b, r->reason, sizeof r->reason);
    cxmi_sb_str(&b, "bad timestamp ");
    cxmi_sb_quoted(&b, v[F_TIME].p, v[F_TIME].len);
    cxmi_sb_str(&b, ": not RFC 3339 or Unix seconds within years 1970..9999");
    return reject(r, line, "time", CXM_E_TIME);
  }
  if (cxm_kind_parse(&e.kind, (const char *)v[F_KIND].p, v[F_KIND].len) != CXM_OK) {
    cxmi_sb_init(&b, r->reason, sizeof r->reason);
    cxmi_sb_str(&b, "unknown kind ");
    cxmi_sb_quoted(&b, v[F_KIND].p, v[F_KIND].len);
    return reject(r, line, "kind", CXM_E_KIND);
  }
  e.customer = (const char *)v[F_CUSTOMER].p;
  e.customer_len = v[F_CUSTOMER].len;
  if (v[F_VALUE].len > 0) {
    if (cxmi_number_parse(&e.value, (const char *)v[F_VALUE].p, v[F_VALUE].len) != CXM_OK) {
      cxmi_sb_init(&b, r->reason, sizeof r->reason);
      cxmi_sb_str(&b, "value ");
      cxmi_sb_quoted(&b, v[F_VALUE].p, v[F_VALUE].len);
      cxmi_sb_str(&b, " is not a decimal number");
      return reject(r, line, "value", CXM_E_VALUE);
    }
    e.has_value = 1;
  }
  if (v[F_CHANNEL].len > 0) {
    int32_t i;
    if (!channel_token(v[F_CHANNEL].p, v[F_CHANNEL].len)) {
      cxmi_sb_init(&b, r->reason, sizeof r->reason);
      cxmi_sb_str(&b, "channel ");
      cxmi_sb_quoted(&b, v[F_CHANNEL].p, v[F_CHANNEL].len);
      cxmi_sb_str(&b, " is not a token of 1..32 characters a-z 0-9 _ -");
      return reject(r, line, "channel", CXM_E_CHANNEL);
    }
    for (i = 0; i < CXM_CHANNEL_FIRST_CUSTOM; i++) {
      if (named_channels[i].len == v[F_CHANNEL].len &&
          memcmp(named_channels[i].name, v[F_CHANNEL].p, v[F_CHANNEL].len) == 0) {
        named_channel = i;
        break;
      }
    }
    /* A custom token is interned only once the row is known to be good;
     * until then the event says "unknown". */
    e.channel = named_channel >= 0 ? named_channel : CXM_CHANNEL_UNKNOWN;
  }
  if (cxm_stage_parse(&e.stage, (const char *)v[F_STAGE].p, v[F_STAGE].len) != CXM_OK) {
    cxmi_sb_init(&b, r->reason, sizeof r->reason);
    cxmi_sb_str(&b, "unknown stage ");
    cxmi_sb_quoted(&b, v[F_STAGE].p, v[F_STAGE].len);
    return reject(r, line, "stage", CXM_E_STAGE);
  }
  if (v[F_SEGMENT].len > CXM_MAX_SEGMENT_LEN)
    return reject_msg(r, line, "segment", CXM_E_SEGMENT, "segment longer than 64 bytes");
  if (cxm_dimension_parse(&e.dimension, (const char *)v[F_DIMENSION].p, v[F_DIMENSION].len) != CXM_OK) {
    cxmi_sb_init(&b, r->reason, sizeof r->reason);
    cxmi_sb_str(&b, "unknown dimension ");
    cxmi_sb_quoted(&b, v[F_DIMENSION].p, v[F_DIMENSION].len);
    return reject(r, line, "dimension", CXM_E_DIMENSION);
  }
  if (v[F_REF].len > 0) {
    e.ref = (const char *)v[F_REF].p;
    e.ref_len = v[F_REF].len;
  }
  if (v[F_ID].len > 0) {
    e.id = (const char *)v[F_ID].p;
    e.id_len = v[F_ID].len;
  }

  rc = cxm_store_check(r->store, &e);
  if (rc != CXM_OK) return reject_store(r, line, &e, v, rc);
  if (e.time < r->opt.from || e.time >= r->opt.to) {
    r->stats.out_of_window++;
    return CXM_OK;
  }

  if (v[F_CHANNEL].len > 0 && named_channel < 0) {
    rc = cxm_store_channel(&e.channel, r->store, (const char *)v[F_CHANNEL].p, v[F_CHANNEL].len);
    if (rc == CXM_E_NOMEM) return rc;
    if (rc != CXM_OK) return reject_store(r, line, &e, v, rc == CXM_E_LIMIT ? rc : CXM_E_CHANNEL);
  }
  if (v[F_SEGMENT].len > 0) {
    rc = cxm_store_segment(&e.segment, r->store, (const char *)v[F_SEGMENT].p, v[F_SEGMENT].len);
    if (rc == CXM_E_NOMEM) return rc;
    if (rc != CXM_OK) return reject_store(r, line, &e, v, rc == CXM_E_LIMIT ? rc : CXM_E_SEGMENT);
  }
  return add_pending(r, line, &e);
}

/* ---- CSV --------------------------------------------------------------- */

static void header_reset(cxm_reader *r) {
  cxmi_free(r->alloc, r->colmap, r->ncols * sizeof *r->colmap);
  cxmi_free(r->alloc, r->fields, r->ncols * sizeof *r->fields);
  cxmi_free(r->alloc, r->name_at, r->ncols * sizeof *r->name_at);
  cxmi_free(r->alloc, r->names, r->names_size);
  r->colmap = NULL;
  r->fields = NULL;
  r->name_at = NULL;
  r->names = NULL;
  r->ncols = 0;
  r->names_size = 0;
}

static int32_t csv_header(cxm_reader *r, const cxmi_record *rec) {
  size_t count = 0, bad = 0, i, size = 0, off = 0;
  int32_t rc, f;
  cxmi_sb b;

  cxmi_sb_init(&b, r->reason, sizeof r->reason);
  if (rec->status == CXM_E_LIMIT) {
    cxmi_sb_str(&b, "header row longer than 1048576 bytes");
    return header_error(r, rec->line, "*");
  }
  rc = rec->status == CXM_OK ? cxmi_csv_split(&r->framer, rec, NULL, 0, &count, &bad) : rec->status;
  if (rc == CXM_E_NOMEM) return rc;
  if (rc != CXM_OK) {
    cxmi_sb_str(&b, "malformed quoting in the header row");
    return header_error(r, rec->line, "*");
  }
  r->colmap = cxmi_malloc(r->alloc, count * sizeof *r->colmap);
  r->fields = cxmi_malloc(r->alloc, count * sizeof *r->fields);
  r->name_at = cxmi_malloc(r->alloc, count * sizeof *r->name_at);
  r->ncols = count;
  if (r->colmap == NULL || r->fields == NULL || r->name_at == NULL) return CXM_E_NOMEM;
  rc = cxmi_csv_split(&r->framer, rec, r->fields, count, &count, &bad);
  if (rc != CXM_OK) return rc;
  for (i = 0; i < count; i++) size += r->fields[i].len + 1;
  r->names = cxmi_malloc(r->alloc, size);
  r->names_size = size;
  if (r->names == NULL) return CXM_E_NOMEM;

  for (f = 0; f < F_COUNT; f++) r->col_of[f] = -1;
  for (i = 0; i < count; i++) {
    const cxmi_field *fl = &r->fields[i];
    /* A header name with a CR is a file with lone-CR line ends (old Mac
     * style) read as one line: say so rather than report zero rows. */
    if (memchr(fl->p, '\r', fl->len) != NULL) {
      cxmi_sb_str(&b, "a carriage return inside a header name: lone CR line ends are not supported (use LF or CRLF)");
      return header_error(r, rec->line, "*");
    }
    memcpy(r->names + off, fl->p, fl->len);
    r->names[off + fl->len] = '\0';
    r->name_at[i] = off;
    off += fl->len + 1;
    r->colmap[i] = -1;
    for (f = 0; f < F_COUNT; f++) {
      if (strlen(field_names[f]) == fl->len && memcmp(field_names[f], fl->p, fl->len) == 0) break;
    }
    if (f == F_COUNT) continue;
    if (r->col_of[f] >= 0) {
      cxmi_sb_str(&b, "column '");
      cxmi_sb_str(&b, field_names[f]);
      cxmi_sb_str(&b, "' appears twice in the header");
      return header_error(r, rec->line, field_names[f]);
    }
    r->col_of[f] = (int32_t)i;
    r->colmap[i] = (int8_t)f;
  }
  for (f = F_TIME; f <= F_KIND; f++) {
    if (r->col_of[f] < 0) {
      cxmi_sb_str(&b, "required column '");
      cxmi_sb_str(&b, field_names[f]);
      cxmi_sb_str(&b, "' is missing from the header");
      return header_error(r, rec->line, field_names[f]);
    }
  }
  for (i = 0; i < count; i++) {
    cxmi_sb cb;
    if (r->colmap[i] >= 0) continue;
    cxmi_sb_init(&cb, r->column, sizeof r->column);
    cxmi_sb_text(&cb, (const uint8_t *)r->names + r->name_at[i], r->fields[i].len, 64);
    cxmi_sb_init(&b, r->reason, sizeof r->reason);
    cxmi_sb_str(&b, "unknown column '");
    cxmi_sb_str(&b, r->column);
    cxmi_sb_str(&b, "' ignored");
    r->stats.warnings++;
    notify(r, rec->line, r->column, CXM_UNKNOWN_COLUMN);
  }
  r->phase = P_DATA;
  return CXM_OK;
}

/* The name of column i, for messages. */
static const char *column_name(cxm_reader *r, size_t i) {
  cxmi_sb cb;
  if (i >= r->ncols) return "*";
  if (r->colmap[i] >= 0) return field_names[r->colmap[i]];
  cxmi_sb_init(&cb, r->column, sizeof r->column);
  cxmi_sb_text(&cb, (const uint8_t *)r->names + r->name_at[i], strlen(r->names + r->name_at[i]), 64);
  return r->column;
}

static int32_t csv_record(void *user, const cxmi_record *rec) {
  cxm_reader *r = user;
  cxmi_json_value v[F_COUNT];
  size_t count = 0, bad = 0;
  int32_t rc, f;
  cxmi_sb b;

  if (r->phase == P_HEADER) return csv_header(r, rec);
  r->stats.rows++;
  cxmi_sb_init(&b, r->reason, sizeof r->reason);
  if (rec->status == CXM_E_LIMIT) {
    cxmi_sb_str(&b, "record longer than 1048576 bytes");
    return reject(r, rec->line, "*", CXM_E_LIMIT);
  }
  rc = rec->status == CXM_OK ? cxmi_csv_split(&r->framer, rec, r->fields, r->ncols, &count, &bad) : rec->status;
  if (rc == CXM_E_NOMEM) return rc;
  if (rc == CXM_E_QUOTE) {
    if (rec->status == CXM_E_QUOTE)
      cxmi_sb_str(&b, "quoted field never closed before the end of input");
    else
      cxmi_sb_str(&b, "malformed quoting: a quote inside an unquoted field, or text after a closing quote");
    return reject(r, rec->line, rec->status == CXM_E_QUOTE ? "*" : column_name(r, bad), CXM_E_QUOTE);
  }
  if (count != r->ncols) {
    cxmi_sb_str(&b, "row has ");
    cxmi_sb_u64(&b, count);
    cxmi_sb_str(&b, count == 1 ? " field, the header has " : " fields, the header has ");
    cxmi_sb_u64(&b, r->ncols);
    return reject(r, rec->line, count < r->ncols ? column_name(r, count) : "*", CXM_E_COLUMNS);
  }
  for (f = 0; f < F_COUNT; f++) {
    if (r->col_of[f] < 0) {
      v[f].p = NULL;
      v[f].len = 0;
      v[f].type = CXMI_JSON_ABSENT;
    } else {
      v[f].p = r->fields[r->col_of[f]].p;
      v[f].len = r->fields[r->col_of[f]].len;
      v[f].type = CXMI_JSON_STRING;
    }
  }
  /* One pass over the whole record usually settles the encoding of every
   * field at once. */
  return record_row(r, rec->line, v, cxmi_printable_ascii(rec->data, rec->len));
}

/* ---- JSON Lines -------------------------------------------------------- */

static int32_t jsonl_record(void *user, const cxmi_record *rec) {
  cxm_reader *r = user;
  cxmi_json_value v[F_COUNT];
  const char *why = NULL;
  int32_t key = -1, rc;
  uint8_t *scratch;
  size_t i;

  if (rec->status == CXM_OK) {
    /* A line of JSON whitespace only counts as blank. */
    for (i = 0; i < rec->len; i++)
      if (rec->data[i] != ' ' && rec->data[i] != '\t' && rec->data[i] != '\r') break;
    if (i == rec->len) return CXM_OK;
  }
  r->stats.rows++;
  if (rec->status == CXM_E_LIMIT)
    return reject_msg(r, rec->line, "*", CXM_E_LIMIT, "record longer than 1048576 bytes");
  scratch = cxmi_csv_scratch(&r->framer, rec->len);
  if (scratch == NULL) return CXM_E_NOMEM;
  rc = cxmi_jsonl_parse(rec->data, rec->len, field_names, F_COUNT, v, scratch, &why, &key);
  if (rc != CXM_OK) return reject_msg(r, rec->line, key >= 0 ? field_names[key] : "*", CXM_E_SYNTAX, why);
  /* Escapes may decode to control characters: check field by field. */
  return record_row(r, rec->line, v, 0);
}

/* ---- the public API ---------------------------------------------------- */

void cxm_reader_options_init(cxm_reader_options *options) {
  if (options == NULL) return;
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->format = CXM_FORMAT_CSV;
  options->strict = 0;
  options->from = INT64_MIN;
  options->to = INT64_MAX;
  options->on_error = NULL;
  options->user = NULL;
}

int32_t cxm_reader_new(cxm_reader **out, cxm_store *store, const cxm_reader_options *options) {
  cxm_reader *r;
  cxmi_alloc *alloc;
  int32_t f;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  if (options != NULL) {
    if (!CXMI_STRUCT_OK(options, cxm_reader_options)) return CXM_E_SIZE;
    if (options->format != CXM_FORMAT_CSV && options->format != CXM_FORMAT_JSONL) return CXM_E_OPTION;
    if (options->strict != 0 && options->strict != 1) return CXM_E_OPTION;
    if (options->from > options->to) return CXM_E_OPTION;
  }
  alloc = cxmi_store_alloc(store);
  r = cxmi_malloc(alloc, sizeof *r);
  if (r == NULL) return CXM_E_NOMEM;
  memset(r, 0, sizeof *r);
  r->store = store;
  r->alloc = alloc;
  cxm_reader_options_init(&r->opt);
  if (options != NULL) cxmi_struct_in(&r->opt, options, sizeof r->opt);
  cxmi_csv_init(&r->framer, alloc, r->opt.format == CXM_FORMAT_CSV);
  r->phase = r->opt.format == CXM_FORMAT_CSV ? P_HEADER : P_DATA;
  for (f = 0; f < F_COUNT; f++) r->col_of[f] = -1;
  r->stats.size = sizeof r->stats;
  *out = r;
  return CXM_OK;
}

static int32_t stop(cxm_reader *r, int32_t status) {
  r->phase = P_STOPPED;
  r->stop_status = status;
  return status;
}

static int32_t frame(cxm_reader *r, const uint8_t *data, size_t len) {
  int32_t rc = cxmi_csv_feed(&r->framer, data, len, r->opt.format == CXM_FORMAT_CSV ? csv_record : jsonl_record, r);
  /* Rows read before a stop (out of memory) still count; after a strict
   * stop nothing is pending. */
  int32_t flushed = flush(r);
  if (rc == CXM_OK) rc = flushed;
  return rc == CXM_OK ? rc : stop(r, rc);
}

int32_t cxm_reader_feed(cxm_reader *reader, const uint8_t *data, size_t len) {
  static const uint8_t bom[3] = {0xEF, 0xBB, 0xBF};
  if (reader == NULL || (data == NULL && len > 0)) return CXM_E_ARG;
  if (reader->phase == P_STOPPED || reader->phase == P_FINISHED) return CXM_E_STATE;
  reader->stats.bytes += len;
  if (!reader->bom_done) {
    /* The mark may itself be split across chunks: hold its bytes until it
     * is complete or proven absent, then hand the held bytes on as data. */
    while (len > 0 && reader->bom_len < 3) {
      if (data[0] != bom[reader->bom_len]) {
        int32_t rc;
        reader->bom_done = 1;
        rc = frame(reader, reader->bom, reader->bom_len);
        if (rc != CXM_OK) return rc;
        break;
      }
      reader->bom[reader->bom_len++] = data[0];
      data++;
      len--;
    }
    if (reader->bom_len == 3) reader->bom_done = 1;
    if (!reader->bom_done) return CXM_OK;
  }
  return frame(reader, data, len);
}

int32_t cxm_reader_finish(cxm_reader *reader) {
  int32_t rc;
  if (reader == NULL) return CXM_E_ARG;
  if (reader->phase == P_STOPPED || reader->phase == P_FINISHED) return CXM_E_STATE;
  if (!reader->bom_done) {
    reader->bom_done = 1;
    rc = frame(reader, reader->bom, reader->bom_len);
    if (rc != CXM_OK) return rc;
  }
  rc = cxmi_csv_finish(&reader->framer, reader->opt.format == CXM_FORMAT_CSV ? csv_record : jsonl_record, reader);
  {
    int32_t flushed = flush(reader);
    if (rc == CXM_OK) rc = flushed;
  }
  if (rc != CXM_OK) return stop(reader, rc);
  if (reader->phase == P_HEADER) {
    cxmi_sb b;
    cxmi_sb_init(&b, reader->reason, sizeof reader->reason);
    cxmi_sb_str(&b, "no header row: the input is empty");
    return stop(reader, header_error(reader, 1, "*"));
  }
  reader->phase = P_FINISHED;
  return CXM_OK;
}

int32_t cxm_reader_stats_get(cxm_reader_stats *stats, const cxm_reader *reader) {
  if (stats == NULL || reader == NULL) return CXM_E_ARG;
  if (!CXMI_STRUCT_OK(stats, cxm_reader_stats)) return CXM_E_SIZE;
  cxmi_struct_out(stats, &reader->stats, sizeof reader->stats);
  return CXM_OK;
}

void cxm_reader_free(cxm_reader *reader) {
  if (reader == NULL) return;
  header_reset(reader);
  cxmi_csv_free(&reader->framer);
  cxmi_free(reader->alloc, reader, sizeof *reader);
}

#define CHUNK_SIZE (64 * 1024)

int32_t cxm_store_ingest_file(cxm_store *store, const char *path, const cxm_reader_options *options,
                              cxm_reader_stats *stats) {
  cxm_reader *r = NULL;
  FILE *fp;
  uint8_t *buf;
  cxmi_alloc *alloc;
  int32_t rc;
  if (store == NULL || path == NULL) return CXM_E_ARG;
  if (stats != NULL && !CXMI_STRUCT_OK(stats, cxm_reader_stats)) return CXM_E_SIZE;
  rc = cxm_reader_new(&r, store, options);
  if (rc != CXM_OK) return rc;
  alloc = cxmi_store_alloc(store);
  buf = cxmi_malloc(alloc, CHUNK_SIZE);
  if (buf == NULL) {
    cxm_reader_free(r);
    return CXM_E_NOMEM;
  }
  fp = fopen(path, "rb");
  if (fp == NULL) {
    rc = CXM_E_IO;
  } else {
    for (;;) {
      size_t n = fread(buf, 1, CHUNK_SIZE, fp);
      if (n > 0) {
        rc = cxm_reader_feed(r, buf, n);
        if (rc != CXM_OK) break;
      }
      if (n < CHUNK_SIZE) {
        rc = ferror(fp) ? CXM_E_IO : cxm_reader_finish(r);
        break;
      }
    }
    fclose(fp);
  }
  if (stats != NULL) cxm_reader_stats_get(stats, r);
  cxmi_free(alloc, buf, CHUNK_SIZE);
  cxm_reader_free(r);
  return rc;
}
