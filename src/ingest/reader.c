/* Streaming ingestion of CSV and JSON Lines event files into a store
 * (docs/events.md). Bytes -> csv.c (framing, CSV fields) or jsonl.c (JSON
 * members) -> one row of field texts -> a validated cxm_event -> the store.
 *
 * A row is validated in full (cxm_store_check) before anything is interned,
 * so a bad row leaves no trace in the store. Nothing is allocated per row:
 * the framer's buffers grow to the longest record and are reused. */
#include "cxm/reader.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ingest/csv.h"
#include "common/hash.h"
#include "cxm/event.h"
#include "cxm/time.h"
#include "ingest/jsonl.h"
#include "store/event_reason.h"
#include "common/number.h"
#include "common/strbuf.h"
#include "store/store_internal.h"
#include "time/time_format.h"
#include "common/utf8.h"
#include "common/abi_check.h"

/* The known columns, in the order of docs/events.md; bad fields of a row
 * are looked for in this order. */
enum field { F_TIME, F_CUSTOMER, F_KIND, F_VALUE, F_CHANNEL, F_STAGE, F_REF, F_SEGMENT, F_DIMENSION, F_ID, F_COUNT };

static const char *const field_names[F_COUNT] = {"time",  "customer", "kind",    "value",     "channel",
                                                 "stage", "ref",      "segment", "dimension", "id"};

enum phase { P_HEADER, P_DATA, P_STOPPED, P_FINISHED };

/* The input's encoding, from its first bytes (docs/events.md, "Dialects"). */
enum encoding { ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE };

/* Bytes of UTF-16 transcoded per step: the UTF-8 buffer holds at most
 * 3/2 of it (a BMP unit of 2 bytes gives at most 3). */
#define U16_STEP ((size_t)32 * 1024)

#define REASON_SIZE 320
#define COLUMN_SIZE 160
/* Segment labels remembered by a reader (segment_memo), and their longest. */
#define SEGMENT_MEMO 4
#define SEGMENT_MEMO_LEN 32

struct cxm_reader {
  cxm_store *store;
  cxmi_alloc *alloc;
  cxm_reader_options opt;
  cxmi_csv framer;
  int32_t phase;
  int32_t stop_status; /* why the reader stopped */
  /* CSV header */
  size_t ncols;
  int8_t *colmap;     /* per column: enum field, or -1 when unknown */
  cxmi_field *fields; /* per column: the current row's field */
  char *names;        /* the header names, each NUL-terminated */
  size_t names_size;
  size_t *name_at;         /* per column: offset of its name in `names` */
  int32_t col_of[F_COUNT]; /* per known field: its column, or -1 */
  /* byte-order mark and encoding */
  uint8_t bom[3];
  size_t bom_len;
  int bom_done;
  int32_t encoding; /* enum encoding */
  uint8_t u16_odd;  /* the first byte of a code unit split across chunks */
  int u16_has_odd;
  uint32_t u16_high; /* a high surrogate waiting for its low half, or 0 */
  uint8_t *u8buf;    /* transcoded UTF-8 */
  size_t u8cap;
  /* dialect */
  uint8_t delim; /* the CSV separator in use */
  char time_format[CXM_READER_MAX_TIME_FORMAT + 1];
  uint8_t *header_raw; /* the header record's bytes, to recognise a repeat */
  size_t header_raw_len;
  cxm_reader_stats stats;
  /* Good rows waiting to be recorded together, so that the store's memory
   * look-ups of several rows overlap (cxmi_store_prefetch). Their strings
   * are copied: the chunk they came from may be gone when they are
   * recorded. Rows are always recorded before any later row is reported,
   * and before feed/finish return. */
  cxm_event pending[CXMI_PREFETCH_MAX];
  uint64_t pending_line[CXMI_PREFETCH_MAX];
  char pending_text[CXMI_PREFETCH_MAX][3 * CXM_MAX_ID_LEN];
  /* The last few segment labels and their codes: most files name a few
   * segments on millions of rows, and a code, once given, never changes. */
  struct {
    uint8_t len; /* 0: empty entry */
    char text[SEGMENT_MEMO_LEN];
    int32_t code;
  } segment_memo[SEGMENT_MEMO];
  unsigned segment_memo_next;
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
  if (!r->flushing && r->npending > 0) {
    /* Rows before this one are recorded (or reported) first: reports come
     * in line order, and strict mode stops with exactly the earlier rows.
     * Their reports reuse r->reason, so this row's reason is kept aside. */
    char reason[REASON_SIZE];
    int32_t rc;
    memcpy(reason, r->reason, sizeof reason);
    rc = flush(r);
    if (rc != CXM_OK) return rc;
    memcpy(r->reason, reason, sizeof reason);
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
} named_channels[CXM_CHANNEL_FIRST_CUSTOM] = {{"unknown", 7}, {"email", 5}, {"phone", 5},  {"chat", 4},
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

/* Whether a value's decimal text is within its kind's range (and whole
 * where the kind takes integers), judged on the digits: "8.99...9" with 29
 * nines rounds to 9 and "10.0...01" to 10, and neither is an NPS answer. */
static int value_text_ok(int32_t kind, const char *s, size_t len) {
  switch (kind) {
  case CXM_KIND_NPS: return cxmi_number_text_in(s, len, 0, 10, 1);
  case CXM_KIND_CSAT: return cxmi_number_text_in(s, len, 1, 5, 1);
  case CXM_KIND_CES:
  case CXM_KIND_EXPECTATION:
  case CXM_KIND_PERCEPTION:
  case CXM_KIND_RATING: return cxmi_number_text_in(s, len, 1, 7, 1);
  case CXM_KIND_INTERNAL: return cxmi_number_text_in(s, len, 0, 100, 0);
  case CXM_KIND_PURCHASE: return cxmi_number_text_in(s, len, 0, INFINITY, 0);
  default: return 1;
  }
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

/* Whether `label` is a remembered segment label; its code then. */
static int segment_memo_find(int32_t *code, const cxm_reader *r, const uint8_t *label, size_t len) {
  for (unsigned i = 0; i < SEGMENT_MEMO; i++) {
    if (r->segment_memo[i].len == len && memcmp(r->segment_memo[i].text, label, len) == 0) {
      *code = r->segment_memo[i].code;
      return 1;
    }
  }
  return 0;
}

static void segment_memo_add(cxm_reader *r, const uint8_t *label, size_t len, int32_t code) {
  unsigned i = r->segment_memo_next;
  if (len == 0 || len > SEGMENT_MEMO_LEN) return;
  memcpy(r->segment_memo[i].text, label, len);
  r->segment_memo[i].len = (uint8_t)len;
  r->segment_memo[i].code = code;
  r->segment_memo_next = (i + 1) % SEGMENT_MEMO;
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

/* ASCII lower case of p[0..len) into dst (cap bytes); the copy, or p
 * itself when it does not fit (such a text is refused anyway). Names of
 * kinds, channels, stages and dimensions are matched without case. */
static const uint8_t *lower(uint8_t *dst, size_t cap, const uint8_t *p, size_t len) {
  size_t i;
  if (len > cap) return p;
  for (i = 0; i < len; i++) dst[i] = p[i] >= 'A' && p[i] <= 'Z' ? (uint8_t)(p[i] + 32) : p[i];
  return dst;
}

static int is_blank(uint8_t c) { return c == ' ' || c == '\t'; }

/* Parse the time field with the reader's dialect options; on failure the
 * reason is in r->reason. */
static int parse_time(cxm_reader *r, int64_t *t, const cxmi_json_value *tv) {
  int32_t why = CXMI_TIME_BAD;
  int rc;
  cxmi_sb b;
  if (r->time_format[0] != '\0' && tv->type == CXMI_JSON_STRING)
    rc = cxmi_time_parse_pattern(t, &why, r->time_format, (const char *)tv->p, tv->len, r->opt.assume_offset,
                                 r->opt.utc_offset);
  else
    rc = cxmi_time_parse_dialect(t, &why, (const char *)tv->p, tv->len, r->opt.assume_offset, r->opt.utc_offset);
  if (rc == 0) return 0;
  cxmi_sb_init(&b, r->reason, sizeof r->reason);
  switch (why) {
  case CXMI_TIME_NO_ZONE:
    cxmi_sb_str(&b, "timestamp ");
    cxmi_sb_quoted(&b, tv->p, tv->len);
    cxmi_sb_str(&b,
                " has no time zone: write Z or an offset, or read it at an assumed offset (cxm --tz or --assume-utc)");
    break;
  case CXMI_TIME_US_DATE:
    cxmi_sb_str(&b, "bad timestamp ");
    cxmi_sb_quoted(&b, tv->p, tv->len);
    cxmi_sb_str(&b, ": a NN/NN/YYYY date needs its pattern (cxm --time-format, e.g. '%m/%d/%Y %H:%M')");
    break;
  case CXMI_TIME_PATTERN:
    cxmi_sb_str(&b, "bad timestamp ");
    cxmi_sb_quoted(&b, tv->p, tv->len);
    cxmi_sb_str(&b, ": does not match the time format '");
    cxmi_sb_str(&b, r->time_format);
    cxmi_sb_str(&b, "'");
    break;
  default:
    cxmi_sb_str(&b, "bad timestamp ");
    cxmi_sb_quoted(&b, tv->p, tv->len);
    cxmi_sb_str(&b, ": not RFC 3339 or Unix seconds within years 1970..9999");
    break;
  }
  return -1;
}

/* Validate and record one row whose fields are v[F_*] (CSV fields are all
 * strings; an absent field has type CXMI_JSON_ABSENT). `ascii`: the fields
 * are known to be printable ASCII, so the encoding check is skipped. */
static int32_t record_row(cxm_reader *r, uint64_t line, const cxmi_json_value *fields, int ascii) {
  cxm_event e;
  cxmi_json_value v[F_COUNT];
  uint8_t kind_buf[32], channel_buf[CXM_MAX_CHANNEL_LEN], stage_buf[32], dim_buf[32], value_buf[64];
  int attribute_pending = 0;
  cxmi_sb b;
  int32_t f, rc, named_channel = -1;
  size_t where;

  memcpy(v, fields, sizeof v);
  if (r->opt.trim) {
    /* Spaces around a field are an export's padding, never data. */
    for (f = 0; f < F_COUNT; f++) {
      if (v[f].type != CXMI_JSON_STRING) continue;
      while (v[f].len > 0 && is_blank(v[f].p[0])) {
        v[f].p++;
        v[f].len--;
      }
      while (v[f].len > 0 && is_blank(v[f].p[v[f].len - 1])) v[f].len--;
    }
  }

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

  if (parse_time(r, &e.time, &v[F_TIME]) != 0) return reject(r, line, "time", CXM_E_TIME);
  /* Names are tried as written first (the common case costs no copy),
   * then in lower case. */
  if (cxm_kind_parse(&e.kind, (const char *)v[F_KIND].p, v[F_KIND].len) != CXM_OK &&
      cxm_kind_parse(&e.kind, (const char *)lower(kind_buf, sizeof kind_buf, v[F_KIND].p, v[F_KIND].len),
                     v[F_KIND].len) != CXM_OK) {
    cxmi_sb_init(&b, r->reason, sizeof r->reason);
    cxmi_sb_str(&b, "unknown kind ");
    cxmi_sb_quoted(&b, v[F_KIND].p, v[F_KIND].len);
    return reject(r, line, "kind", CXM_E_KIND);
  }
  e.customer = (const char *)v[F_CUSTOMER].p;
  e.customer_len = v[F_CUSTOMER].len;
  if (v[F_VALUE].len > 0) {
    const uint8_t *num = v[F_VALUE].p;
    /* A decimal comma, in a file whose fields are not separated by commas
     * (a semicolon export of a European spreadsheet): one ',' and no '.'. */
    if (r->opt.format == CXM_FORMAT_CSV && r->delim != ',' && v[F_VALUE].len <= sizeof value_buf &&
        memchr(num, '.', v[F_VALUE].len) == NULL) {
      const uint8_t *comma = memchr(num, ',', v[F_VALUE].len);
      if (comma != NULL && memchr(comma + 1, ',', v[F_VALUE].len - (size_t)(comma - num) - 1) == NULL) {
        memcpy(value_buf, num, v[F_VALUE].len);
        value_buf[comma - num] = '.';
        num = value_buf;
      }
    }
    if (cxmi_number_parse(&e.value, (const char *)num, v[F_VALUE].len) != CXM_OK) {
      cxmi_sb_init(&b, r->reason, sizeof r->reason);
      cxmi_sb_str(&b, "value ");
      cxmi_sb_quoted(&b, v[F_VALUE].p, v[F_VALUE].len);
      cxmi_sb_str(&b, " is not a decimal number");
      return reject(r, line, "value", CXM_E_VALUE);
    }
    e.has_value = 1;
    /* Whole-number and range checks on the text, not only on the rounded
     * double: NaN makes the store refuse it as a bad value in its usual
     * order of checks, with the usual message. */
    if (!value_text_ok(e.kind, (const char *)num, v[F_VALUE].len)) e.value = NAN;
  }
  if (v[F_CHANNEL].len > 0) {
    int32_t i;
    const uint8_t *channel = v[F_CHANNEL].p;
    if (!channel_token(channel, v[F_CHANNEL].len))
      channel = lower(channel_buf, sizeof channel_buf, channel, v[F_CHANNEL].len);
    if (!channel_token(channel, v[F_CHANNEL].len)) {
      cxmi_sb_init(&b, r->reason, sizeof r->reason);
      cxmi_sb_str(&b, "channel ");
      cxmi_sb_quoted(&b, v[F_CHANNEL].p, v[F_CHANNEL].len);
      cxmi_sb_str(&b, " is not a token of 1..32 characters a-z 0-9 _ -");
      return reject(r, line, "channel", CXM_E_CHANNEL);
    }
    for (i = 0; i < CXM_CHANNEL_FIRST_CUSTOM; i++) {
      if (named_channels[i].len == v[F_CHANNEL].len && memcmp(named_channels[i].name, channel, v[F_CHANNEL].len) == 0) {
        named_channel = i;
        break;
      }
    }
    /* A custom token is interned only once the row is known to be good;
     * until then the event says "unknown". */
    e.channel = named_channel >= 0 ? named_channel : CXM_CHANNEL_UNKNOWN;
    v[F_CHANNEL].p = channel; /* interned in lower case */
  }
  if (cxm_stage_parse(&e.stage, (const char *)v[F_STAGE].p, v[F_STAGE].len) != CXM_OK &&
      cxm_stage_parse(&e.stage, (const char *)lower(stage_buf, sizeof stage_buf, v[F_STAGE].p, v[F_STAGE].len),
                      v[F_STAGE].len) != CXM_OK) {
    cxmi_sb_init(&b, r->reason, sizeof r->reason);
    cxmi_sb_str(&b, "unknown stage ");
    cxmi_sb_quoted(&b, v[F_STAGE].p, v[F_STAGE].len);
    return reject(r, line, "stage", CXM_E_STAGE);
  }
  if (v[F_SEGMENT].len > CXM_MAX_SEGMENT_LEN)
    return reject_msg(r, line, "segment", CXM_E_SEGMENT, "segment longer than 64 bytes");
  if (e.kind == CXM_KIND_RATING) {
    /* A rating's dimension is the attribute rated, a label kept as
     * written; a new one is interned only once the row is known to be
     * good (until then the event's code is 0, "pending"). */
    if (v[F_DIMENSION].len > CXM_MAX_ATTRIBUTE_LEN)
      return reject_msg(r, line, "dimension", CXM_E_DIMENSION, "attribute (dimension) longer than 64 bytes");
    if (v[F_DIMENSION].len > 0 && cxm_store_find_attribute(&e.dimension, r->store, (const char *)v[F_DIMENSION].p,
                                                           v[F_DIMENSION].len) != CXM_OK) {
      e.dimension = 0;
      attribute_pending = 1;
    }
  } else if (cxm_dimension_parse(&e.dimension, (const char *)v[F_DIMENSION].p, v[F_DIMENSION].len) != CXM_OK &&
             cxm_dimension_parse(&e.dimension,
                                 (const char *)lower(dim_buf, sizeof dim_buf, v[F_DIMENSION].p, v[F_DIMENSION].len),
                                 v[F_DIMENSION].len) != CXM_OK) {
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

  rc = cxmi_store_check_pending(r->store, &e, attribute_pending);
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
  if (v[F_SEGMENT].len > 0 && !segment_memo_find(&e.segment, r, v[F_SEGMENT].p, v[F_SEGMENT].len)) {
    rc = cxm_store_segment(&e.segment, r->store, (const char *)v[F_SEGMENT].p, v[F_SEGMENT].len);
    if (rc == CXM_E_NOMEM) return rc;
    if (rc != CXM_OK) return reject_store(r, line, &e, v, rc == CXM_E_LIMIT ? rc : CXM_E_SEGMENT);
    segment_memo_add(r, v[F_SEGMENT].p, v[F_SEGMENT].len, e.segment);
  }
  if (attribute_pending) {
    rc = cxm_store_attribute(&e.dimension, r->store, (const char *)v[F_DIMENSION].p, v[F_DIMENSION].len);
    if (rc == CXM_E_NOMEM) return rc;
    if (rc != CXM_OK) return reject_store(r, line, &e, v, rc == CXM_E_LIMIT ? rc : CXM_E_DIMENSION);
  }
  return add_pending(r, line, &e);
}

/* ---- CSV --------------------------------------------------------------- */

/* Whether a header name (padding spaces removed, any case) is `want`. */
static int name_is(const uint8_t *p, size_t len, const char *want) {
  size_t n = strlen(want), i;
  while (len > 0 && is_blank(p[0])) {
    p++;
    len--;
  }
  while (len > 0 && is_blank(p[len - 1])) len--;
  if (len != n) return 0;
  for (i = 0; i < n; i++) {
    uint8_t c = p[i] >= 'A' && p[i] <= 'Z' ? (uint8_t)(p[i] + 32) : p[i];
    if (c != (uint8_t)want[i]) return 0;
  }
  return 1;
}

/* The known field a header name stands for, or -1. */
static int32_t known_field(const uint8_t *p, size_t len) {
  int32_t f;
  for (f = 0; f < F_COUNT; f++)
    if (name_is(p, len, field_names[f])) return f;
  return -1;
}

/* Edit distance (optimal string alignment: insertions, deletions,
 * substitutions and swaps of neighbours; ASCII case ignored) between a
 * header name and a field name, capped at 3 ("far"). */
static size_t distance(const uint8_t *p, size_t len, const char *want) {
  size_t n = strlen(want), i, j, m[20][20];
  uint8_t c[20];
  while (len > 0 && is_blank(p[0])) {
    p++;
    len--;
  }
  while (len > 0 && is_blank(p[len - 1])) len--;
  if (n + 3 > 20 || len > n + 2 || n > len + 2) return 3;
  for (i = 0; i < len; i++) c[i] = p[i] >= 'A' && p[i] <= 'Z' ? (uint8_t)(p[i] + 32) : p[i];
  for (i = 0; i <= len; i++) m[i][0] = i;
  for (j = 0; j <= n; j++) m[0][j] = j;
  for (i = 1; i <= len; i++) {
    for (j = 1; j <= n; j++) {
      size_t best = m[i - 1][j - 1] + (c[i - 1] != (uint8_t)want[j - 1]);
      if (m[i - 1][j] + 1 < best) best = m[i - 1][j] + 1;
      if (m[i][j - 1] + 1 < best) best = m[i][j - 1] + 1;
      if (i > 1 && j > 1 && c[i - 1] == (uint8_t)want[j - 2] && c[i - 2] == (uint8_t)want[j - 1] &&
          m[i - 2][j - 2] + 1 < best)
        best = m[i - 2][j - 2] + 1;
      m[i][j] = best;
    }
  }
  return m[len][n] < 3 ? m[len][n] : 3;
}

/* A near miss: at most 2 edits, and fewer than half the name's letters. */
static int near_miss(const uint8_t *p, size_t len, const char *want) {
  size_t d = distance(p, len, want);
  return d <= 2 && d * 2 < strlen(want);
}

/* Fields of a header record split at `delim` (quotes honoured), counting
 * the names that are known fields. */
static size_t header_score(const uint8_t *d, size_t len, uint8_t delim) {
  size_t i = 0, score = 0;
  for (;;) {
    size_t start = i, end;
    if (i < len && d[i] == '"') {
      /* a quoted name: up to the closing quote ("" is a quote) */
      start = ++i;
      while (i < len && !(d[i] == '"' && (i + 1 >= len || d[i + 1] != '"'))) i += d[i] == '"' ? 2 : 1;
      end = i < len ? i : len;
      while (i < len && d[i] != delim) i++;
    } else {
      while (i < len && d[i] != delim) i++;
      end = i;
    }
    score += known_field(d + start, end - start) >= 0;
    if (i >= len) return score;
    i++;
  }
}

/* The separator of a CSV header: the candidate that splits it into the
 * most known field names; on a tie, the first of , ; tab |. */
static uint8_t sniff_delimiter(const uint8_t *d, size_t len) {
  static const uint8_t candidates[4] = {',', ';', '\t', '|'};
  size_t k, best = 0, best_score = 0;
  for (k = 0; k < 4; k++) {
    size_t score = header_score(d, len, candidates[k]);
    if (score > best_score) {
      best_score = score;
      best = k;
    }
  }
  return candidates[best];
}

static void header_reset(cxm_reader *r) {
  cxmi_free(r->alloc, r->colmap, r->ncols * sizeof *r->colmap);
  cxmi_free(r->alloc, r->fields, r->ncols * sizeof *r->fields);
  cxmi_free(r->alloc, r->name_at, r->ncols * sizeof *r->name_at);
  cxmi_free(r->alloc, r->names, r->names_size);
  cxmi_free(r->alloc, r->header_raw, r->header_raw_len);
  r->header_raw = NULL;
  r->header_raw_len = 0;
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
  if (rec->status == CXM_OK) {
    r->delim = r->opt.delimiter != 0 ? (uint8_t)r->opt.delimiter : sniff_delimiter(rec->data, rec->len);
    r->framer.delim = r->delim;
  }
  rc = rec->status == CXM_OK ? cxmi_csv_split(&r->framer, rec, NULL, 0, &count, &bad) : rec->status;
  if (rc == CXM_E_NOMEM) return rc;
  if (rc != CXM_OK) {
    cxmi_sb_str(&b, "malformed quoting in the header row");
    return header_error(r, rec->line, "*");
  }
  r->header_raw = cxmi_malloc(r->alloc, rec->len);
  if (r->header_raw == NULL) return CXM_E_NOMEM;
  memcpy(r->header_raw, rec->data, rec->len);
  r->header_raw_len = rec->len;
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
    f = known_field(fl->p, fl->len);
    if (f < 0) continue;
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
      for (i = 0; i < count; i++) {
        if (r->colmap[i] < 0 &&
            near_miss((const uint8_t *)r->names + r->name_at[i], r->fields[i].len, field_names[f])) {
          cxmi_sb_str(&b, " (is '");
          cxmi_sb_text(&b, (const uint8_t *)r->names + r->name_at[i], r->fields[i].len, 64);
          cxmi_sb_str(&b, "' meant to be '");
          cxmi_sb_str(&b, field_names[f]);
          cxmi_sb_str(&b, "'?)");
          break;
        }
      }
      if (r->opt.delimiter == 0 && count == 1) cxmi_sb_str(&b, " (one column: no separator , ; tab | found)");
      return header_error(r, rec->line, field_names[f]);
    }
  }
  /* Each distinct unknown name is reported once, however often the header
   * repeats it: a set of the names seen (open addressing over column
   * indexes + 1), so a header of 100 000 columns costs linear time. */
  {
    size_t slots = 16, *seen;
    while (slots < 2 * (size_t)count) slots *= 2;
    seen = cxmi_calloc(r->alloc, slots, sizeof *seen);
    if (seen == NULL) return CXM_E_NOMEM;
    for (i = 0; i < count; i++) {
      size_t at;
      const char *name = r->names + r->name_at[i];
      size_t len = r->fields[i].len;
      int repeated = 0;
      if (r->colmap[i] >= 0) continue;
      for (at = (size_t)cxmi_hash_bytes(name, len) & (slots - 1); seen[at] != 0; at = (at + 1) & (slots - 1)) {
        size_t j = seen[at] - 1;
        if (r->fields[j].len == len && memcmp(r->names + r->name_at[j], name, len) == 0) {
          repeated = 1;
          break;
        }
      }
      if (repeated) {
        r->colmap[i] = -2; /* unknown, already reported */
        continue;
      }
      seen[at] = i + 1;
    }
    cxmi_free(r->alloc, seen, slots * sizeof *seen);
  }
  for (i = 0; i < count; i++) {
    cxmi_sb cb;
    const char *hint = NULL;
    if (r->colmap[i] == -2) {
      r->colmap[i] = -1; /* ignored like the first of its name */
      continue;
    }
    if (r->colmap[i] >= 0) continue;
    for (f = 0; f < F_COUNT && hint == NULL; f++) {
      if (r->col_of[f] < 0 && near_miss((const uint8_t *)r->names + r->name_at[i], r->fields[i].len, field_names[f]))
        hint = field_names[f];
    }
    cxmi_sb_init(&cb, r->column, sizeof r->column);
    cxmi_sb_text(&cb, (const uint8_t *)r->names + r->name_at[i], r->fields[i].len, 64);
    cxmi_sb_init(&b, r->reason, sizeof r->reason);
    cxmi_sb_str(&b, "unknown column '");
    cxmi_sb_str(&b, r->column);
    cxmi_sb_str(&b, "' ignored");
    if (hint != NULL) {
      cxmi_sb_str(&b, " (did you mean '");
      cxmi_sb_str(&b, hint);
      cxmi_sb_str(&b, "'?)");
    }
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

/* Whether a record is the header row again (a UTF-8 byte-order mark
 * before it allowed: `cat` of two exports keeps the second one's). */
static int is_header_copy(const cxm_reader *r, const cxmi_record *rec) {
  const uint8_t *d = rec->data;
  size_t len = rec->len;
  if (len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
    d += 3;
    len -= 3;
  }
  return len == r->header_raw_len && memcmp(d, r->header_raw, len) == 0;
}
static int32_t endless(cxm_reader *r, uint64_t line);

static int32_t csv_record(void *user, const cxmi_record *rec) {
  cxm_reader *r = user;
  cxmi_json_value v[F_COUNT];
  size_t count = 0, bad = 0;
  int32_t rc, f;
  cxmi_sb b;

  if (r->phase == P_HEADER) return csv_header(r, rec);
  if (rec->status == CXM_OK && is_header_copy(r, rec)) {
    /* Concatenated exports: each part's header row is not data. */
    int32_t flushed = flush(r);
    if (flushed != CXM_OK) return flushed;
    cxmi_sb_init(&b, r->reason, sizeof r->reason);
    cxmi_sb_str(&b, "a copy of the header row skipped (concatenated files?)");
    r->stats.warnings++;
    notify(r, rec->line, "*", CXM_REPEATED_HEADER);
    return CXM_OK;
  }
  r->stats.rows++;
  cxmi_sb_init(&b, r->reason, sizeof r->reason);
  if (rec->status == CXM_E_LIMIT) {
    if (rec->bytes > CXM_READER_MAX_LINE) return endless(r, rec->line);
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
  if (rec->status == CXM_E_LIMIT) {
    if (rec->bytes > CXM_READER_MAX_LINE) return endless(r, rec->line);
    return reject_msg(r, rec->line, "*", CXM_E_LIMIT, "record longer than 1048576 bytes");
  }
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
  options->delimiter = 0;
  options->trim = 1;
  options->assume_offset = 0;
  options->utc_offset = 0;
  options->time_format = NULL;
}

int32_t cxm_reader_new(cxm_reader **out, cxm_store *store, const cxm_reader_options *options) {
  cxm_reader *r;
  cxmi_alloc *alloc;
  int32_t f;
  cxm_reader_options o;
  if (out == NULL) return CXM_E_ARG;
  *out = NULL; /* on any failure (docs/api.md) */
  if (store == NULL) return CXM_E_ARG;
  /* An older, shorter struct: the fields it lacks keep their defaults. */
  cxm_reader_options_init(&o);
  if (options != NULL) {
    if (!CXMI_STRUCT_OK(options, cxm_reader_options)) return CXM_E_SIZE;
    cxmi_struct_in(&o, options, sizeof o);
  }
  if (o.format != CXM_FORMAT_CSV && o.format != CXM_FORMAT_JSONL) return CXM_E_OPTION;
  if (o.strict != 0 && o.strict != 1) return CXM_E_OPTION;
  if (o.from > o.to) return CXM_E_OPTION;
  if (o.delimiter != 0 && o.delimiter != ',' && o.delimiter != ';' && o.delimiter != '\t' && o.delimiter != '|')
    return CXM_E_OPTION;
  if ((o.trim != 0 && o.trim != 1) || (o.assume_offset != 0 && o.assume_offset != 1)) return CXM_E_OPTION;
  if (o.utc_offset < -CXMI_MAX_ASSUMED_OFFSET || o.utc_offset > CXMI_MAX_ASSUMED_OFFSET) return CXM_E_OPTION;
  if (o.time_format != NULL &&
      (strlen(o.time_format) > CXM_READER_MAX_TIME_FORMAT || !cxmi_time_pattern_ok(o.time_format)))
    return CXM_E_OPTION;
  alloc = cxmi_store_alloc(store);
  r = cxmi_malloc(alloc, sizeof *r);
  if (r == NULL) return CXM_E_NOMEM;
  memset(r, 0, sizeof *r);
  r->store = store;
  r->alloc = alloc;
  r->opt = o;
  if (o.time_format != NULL) memcpy(r->time_format, o.time_format, strlen(o.time_format) + 1);
  r->opt.time_format = NULL; /* the copy above is used; the caller's string may go */
  r->delim = ',';
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

/* A record longer than CXM_READER_MAX_LINE: reported, and the reader
 * stops (CXM_E_LIMIT), whether its line end was seen (csv_record,
 * jsonl_record) or not yet (unfinished), so the outcome does not depend on
 * how the input was cut into chunks. The caller counted the row. */
static int32_t endless(cxm_reader *r, uint64_t line) {
  (void)reject_msg(r, line, "*", CXM_E_LIMIT,
                   "record longer than 67108864 bytes: not a line-based event file; reading stopped");
  return CXM_E_LIMIT;
}

/* An unfinished record past its cap: a header stops the reader at once
 * (CXM_E_HEADER, nothing can follow it), and a data record longer than
 * CXM_READER_MAX_LINE stops it too: without them a stream with no '\n'
 * would be read forever. */
static int32_t unfinished(cxm_reader *r) {
  int too_long;
  uint64_t pending = cxmi_csv_pending(&r->framer, &too_long);
  cxmi_sb b;
  if (!too_long) return CXM_OK;
  if (r->phase == P_HEADER) {
    cxmi_sb_init(&b, r->reason, sizeof r->reason);
    cxmi_sb_str(&b, "header row longer than 1048576 bytes");
    return header_error(r, r->framer.line, "*");
  }
  if (pending <= CXM_READER_MAX_LINE) return CXM_OK;
  r->stats.rows++;
  return endless(r, r->framer.line);
}

static int32_t frame(cxm_reader *r, const uint8_t *data, size_t len) {
  int32_t rc = cxmi_csv_feed(&r->framer, data, len, r->opt.format == CXM_FORMAT_CSV ? csv_record : jsonl_record, r);
  /* Rows read before a stop (out of memory) still count; after a strict
   * stop nothing is pending. */
  int32_t flushed = flush(r);
  if (rc == CXM_OK) rc = flushed;
  if (rc == CXM_OK) rc = unfinished(r);
  return rc == CXM_OK ? rc : stop(r, rc);
}

/* Transcode UTF-16 bytes to UTF-8 and frame them, U16_STEP bytes at a
 * time; a code unit or a surrogate pair split across chunks is held. */
static int32_t feed_utf16(cxm_reader *r, const uint8_t *data, size_t len) {
  int be = r->encoding == ENC_UTF16BE;
  if (r->u8buf == NULL) {
    r->u8cap = U16_STEP / 2 * 3 + 8;
    r->u8buf = cxmi_malloc(r->alloc, r->u8cap);
    if (r->u8buf == NULL) return stop(r, CXM_E_NOMEM);
  }
  while (len > 0) {
    size_t step = len < U16_STEP ? len : U16_STEP, i = 0, out = 0;
    int32_t rc;
    while (i < step) {
      uint8_t b0, b1;
      uint32_t u;
      if (r->u16_has_odd) {
        b0 = r->u16_odd;
        b1 = data[i++];
        r->u16_has_odd = 0;
      } else if (i + 1 < step) {
        b0 = data[i];
        b1 = data[i + 1];
        i += 2;
      } else {
        r->u16_odd = data[i++];
        r->u16_has_odd = 1;
        break;
      }
      u = be ? (uint32_t)b0 << 8 | b1 : (uint32_t)b1 << 8 | b0;
      if (r->u16_high != 0) {
        uint32_t high = r->u16_high;
        r->u16_high = 0;
        if (u >= 0xDC00 && u <= 0xDFFF) {
          out += cxmi_utf8_put(r->u8buf + out, 0x10000 + ((high - 0xD800) << 10) + (u - 0xDC00));
          continue;
        }
        out += cxmi_utf8_put(r->u8buf + out, high);
      }
      if (u >= 0xD800 && u <= 0xDBFF)
        r->u16_high = u;
      else
        out += cxmi_utf8_put(r->u8buf + out, u);
    }
    rc = frame(r, r->u8buf, out);
    if (rc != CXM_OK) return rc;
    data += step;
    len -= step;
  }
  return CXM_OK;
}

/* The end of UTF-16 input: a held half unit or high surrogate is data
 * (refused as invalid where it lands in a known field). */
static int32_t finish_utf16(cxm_reader *r) {
  uint8_t tail[8];
  size_t out = 0;
  if (r->u16_high != 0) out += cxmi_utf8_put(tail, r->u16_high);
  if (r->u16_has_odd) tail[out++] = 0xFF; /* never valid in UTF-8 */
  r->u16_high = 0;
  r->u16_has_odd = 0;
  return out > 0 ? frame(r, tail, out) : CXM_OK;
}

static int32_t feed_data(cxm_reader *r, const uint8_t *data, size_t len) {
  return r->encoding == ENC_UTF8 ? frame(r, data, len) : feed_utf16(r, data, len);
}

/* Decide the encoding from the held first bytes r->bom[0..bom_len):
 * 1 when decided (the mark, if any, is consumed), 0 when more bytes are
 * needed. `final`: no more bytes will come. */
static int decide_encoding(cxm_reader *r, int final) {
  const uint8_t *h = r->bom;
  size_t n = r->bom_len, skip = 0;
  int printable0 = n >= 1 && h[0] >= 0x20 && h[0] < 0x7F;
  r->encoding = ENC_UTF8;
  if (n == 0) {
    if (!final) return 0;
  } else if (h[0] == 0xEF) {
    int prefix = (n < 2 || h[1] == 0xBB) && (n < 3 || h[2] == 0xBF);
    if (prefix && n < 3 && !final) return 0;
    if (prefix && n == 3) skip = 3;
  } else if (h[0] == 0xFF || h[0] == 0xFE) {
    if (n < 2 && !final) return 0;
    if (n >= 2 && h[0] == 0xFF && h[1] == 0xFE) {
      r->encoding = ENC_UTF16LE;
      skip = 2;
    } else if (n >= 2 && h[0] == 0xFE && h[1] == 0xFF) {
      r->encoding = ENC_UTF16BE;
      skip = 2;
    }
  } else if (printable0 || h[0] == 0) {
    /* UTF-16 without a mark: an ASCII character and a zero byte, in
     * either order, cannot start UTF-8 text. */
    if (n < 2 && !final) return 0;
    if (n >= 2 && printable0 && h[1] == 0) r->encoding = ENC_UTF16LE;
    if (n >= 2 && h[0] == 0 && h[1] >= 0x20 && h[1] < 0x7F) r->encoding = ENC_UTF16BE;
  }
  r->bom_done = 1;
  r->bom_len -= skip;
  memmove(r->bom, r->bom + skip, r->bom_len);
  return 1;
}

int32_t cxm_reader_feed(cxm_reader *reader, const uint8_t *data, size_t len) {
  if (reader == NULL || (data == NULL && len > 0)) return CXM_E_ARG;
  if (reader->phase == P_STOPPED || reader->phase == P_FINISHED) return CXM_E_STATE;
  reader->stats.bytes += len;
  if (!reader->bom_done) {
    /* The mark may itself be split across chunks: hold the first bytes
     * until the encoding is known, then hand the held bytes on as data. */
    while (len > 0 && !reader->bom_done) {
      reader->bom[reader->bom_len++] = data[0];
      data++;
      len--;
      if (!decide_encoding(reader, 0) && reader->bom_len == 3) decide_encoding(reader, 1);
    }
    if (!reader->bom_done) return CXM_OK;
    if (reader->bom_len > 0) {
      int32_t rc = feed_data(reader, reader->bom, reader->bom_len);
      reader->bom_len = 0;
      if (rc != CXM_OK) return rc;
    }
  }
  return feed_data(reader, data, len);
}

int32_t cxm_reader_finish(cxm_reader *reader) {
  int32_t rc;
  if (reader == NULL) return CXM_E_ARG;
  if (reader->phase == P_STOPPED || reader->phase == P_FINISHED) return CXM_E_STATE;
  if (!reader->bom_done) {
    decide_encoding(reader, 1);
    rc = feed_data(reader, reader->bom, reader->bom_len);
    reader->bom_len = 0;
    if (rc != CXM_OK) return rc;
  }
  if (reader->encoding != ENC_UTF8) {
    rc = finish_utf16(reader);
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
  cxmi_free(reader->alloc, reader->u8buf, reader->u8cap);
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
