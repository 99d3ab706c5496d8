/* Record framing over chunks and the RFC 4180 CSV tokenizer; see csv.h.
 *
 * Speed: a record without a '"' (the common case) costs two memchr() calls
 * to frame (find the '\n', check for a quote) and one memchr() per field to
 * split; memchr is vectorised by every libc we care about. Records with
 * quotes take a byte-wise state machine, which skips quoted contents with
 * memchr too. */
#include "ingest/csv.h"

#include <string.h>

/* Quoting states while framing (RFC 4180 section 2 grammar). A '"' opens a
 * quoted field only at the start of a field; elsewhere it is kept and the
 * split reports the malformed field, so framing and splitting agree on
 * where every record ends. */
enum {
  ST_START = 0, /* at the start of a field */
  ST_UNQUOTED,  /* inside an unquoted field */
  ST_QUOTED,    /* inside a quoted field */
  ST_QUOTE_SEEN /* a '"' inside a quoted field: closing, or the first of "" */
};

void cxmi_csv_init(cxmi_csv *c, cxmi_alloc *alloc, int quotes) {
  memset(c, 0, sizeof *c);
  c->alloc = alloc;
  c->quotes = quotes;
  c->state = ST_START;
  c->line = 1;
  c->delim = ',';
}

void cxmi_csv_free(cxmi_csv *c) {
  if (c == NULL || c->alloc == NULL) return;
  cxmi_free(c->alloc, c->carry, c->carry_cap);
  cxmi_free(c->alloc, c->scratch, c->scratch_cap);
  c->carry = NULL;
  c->scratch = NULL;
  c->carry_cap = c->scratch_cap = 0;
}

/* Count '\n' in d[0..n). */
static uint64_t count_newlines(const uint8_t *d, size_t n) {
  uint64_t k = 0;
  const uint8_t *end = d + n;
  while (d < end) {
    const uint8_t *q = memchr(d, '\n', (size_t)(end - d));
    if (q == NULL) break;
    k++;
    d = q + 1;
  }
  return k;
}

/* Run the quoting state machine over d[0..n) from *st. Returns the index of
 * the '\n' that ends the record, or n. Newlines inside quoted fields are
 * added to *newlines. */
static size_t scan(const uint8_t *d, size_t n, uint8_t delim, int *st, uint64_t *newlines, int *seen_quote) {
  size_t i = 0;
  int s = *st;
  while (i < n) {
    if (s == ST_QUOTED) {
      const uint8_t *q = memchr(d + i, '"', n - i);
      size_t j = q == NULL ? n : (size_t)(q - d);
      *newlines += count_newlines(d + i, j - i);
      if (q == NULL) {
        i = n;
        break;
      }
      i = j + 1;
      s = ST_QUOTE_SEEN;
      continue;
    }
    switch (d[i]) {
    case '\n': *st = s; return i;
    case '"':
      *seen_quote = 1;
      if (s == ST_START || s == ST_QUOTE_SEEN) s = ST_QUOTED; /* open, or "" */
      break;
    default:
      /* after ST_QUOTE_SEEN: text after a closing quote */
      s = d[i] == delim ? ST_START : ST_UNQUOTED;
      break;
    }
    i++;
  }
  *st = s;
  return n;
}

int32_t cxm_csv_record_end(size_t *end, const uint8_t *data, size_t len, size_t start, uint8_t delimiter) {
  const uint8_t *d;
  const uint8_t *nl;
  size_t n;
  int st = ST_START, seen_quote = 0;
  uint64_t newlines = 0;
  if (end == NULL || (data == NULL && len > 0) || start > len || delimiter == '"' || delimiter == '\r' ||
      delimiter == '\n') {
    return CXM_E_ARG;
  }
  d = data + start;
  n = len - start;
  nl = n > 0 ? memchr(d, '\n', n) : NULL;
  /* The common case: no quote before the line end, so it ends the record. */
  if (nl != NULL && memchr(d, '"', (size_t)(nl - d)) == NULL) {
    *end = start + (size_t)(nl - d) + 1;
    return CXM_OK;
  }
  n = n > 0 ? scan(d, n, delimiter, &st, &newlines, &seen_quote) : 0;
  *end = start + n < len ? start + n + 1 : len;
  return CXM_OK;
}

/* Hand out a record of raw bytes d[0..n) (line end excluded). */
static int32_t deliver(cxmi_csv *c, const uint8_t *d, size_t n, uint64_t dropped, int quoted, int32_t status,
                       uint64_t newlines, cxmi_record_fn fn, void *user) {
  cxmi_record r;
  int32_t rc = CXM_OK;
  r.bytes = (uint64_t)n + dropped;
  if (d != NULL && n > 0 && d[n - 1] == '\r') n--;
  if (status == CXM_OK && n > CXM_READER_MAX_RECORD) status = CXM_E_LIMIT;
  if (status != CXM_OK || n > 0) { /* n == 0: a blank line, skipped */
    r.line = c->line;
    r.data = status == CXM_E_LIMIT ? NULL : d;
    r.len = status == CXM_E_LIMIT ? 0 : n;
    r.status = status;
    r.quoted = quoted;
    rc = fn(user, &r);
  }
  c->line += newlines + 1;
  return rc;
}

/* Append to the carried record, or drop the bytes once it is too long. */
static int32_t carry_append(cxmi_csv *c, const uint8_t *d, size_t n) {
  size_t need;
  if (c->overflow) {
    c->dropped += n;
    return CXM_OK;
  }
  if (n == 0) return CXM_OK;
  /* One byte over the maximum for a '\r' that may turn out to be the line end. */
  if (n > CXM_READER_MAX_RECORD + 1 - c->carry_len) {
    c->overflow = 1;
    c->dropped = n;
    return CXM_OK;
  }
  need = c->carry_len + n;
  if (need > c->carry_cap) {
    size_t cap = c->carry_cap < 256 ? 256 : c->carry_cap;
    uint8_t *p;
    while (cap < need) cap *= 2;
    if (cap > CXM_READER_MAX_RECORD + 1) cap = CXM_READER_MAX_RECORD + 1;
    p = cxmi_realloc(c->alloc, c->carry, c->carry_cap, cap);
    if (p == NULL) return CXM_E_NOMEM;
    c->carry = p;
    c->carry_cap = cap;
  }
  memcpy(c->carry + c->carry_len, d, n);
  c->carry_len = need;
  return CXM_OK;
}

static int32_t deliver_carry(cxmi_csv *c, int32_t status, cxmi_record_fn fn, void *user) {
  int32_t rc;
  if (c->overflow) status = CXM_E_LIMIT;
  rc = deliver(c, c->carry, c->carry_len, c->dropped, c->seen_quote, status, c->newlines, fn, user);
  c->carrying = 0;
  c->overflow = 0;
  c->dropped = 0;
  c->seen_quote = 0;
  c->carry_len = 0;
  c->newlines = 0;
  c->state = ST_START;
  return rc;
}

int32_t cxmi_csv_feed(cxmi_csv *c, const uint8_t *data, size_t len, cxmi_record_fn fn, void *user) {
  size_t p = 0;
  int32_t rc;

  if (len == 0) return CXM_OK;
  if (c->carrying) {
    size_t end;
    if (c->quotes) {
      end = scan(data, len, c->delim, &c->state, &c->newlines, &c->seen_quote);
    } else {
      const uint8_t *nl = memchr(data, '\n', len);
      end = nl == NULL ? len : (size_t)(nl - data);
    }
    rc = carry_append(c, data, end);
    if (rc != CXM_OK) return rc;
    if (end == len) return CXM_OK;
    rc = deliver_carry(c, CXM_OK, fn, user);
    if (rc != CXM_OK) return rc;
    p = end + 1;
  }

  while (p < len) {
    const uint8_t *d = data + p;
    size_t rest = len - p;
    const uint8_t *nl = memchr(d, '\n', rest);
    size_t n = nl == NULL ? rest : (size_t)(nl - d);

    if (c->quotes && memchr(d, '"', n) != NULL) {
      /* The record may run past this '\n' inside a quoted field. */
      int st = ST_START, seen = 0;
      uint64_t newlines = 0;
      size_t end = scan(d, rest, c->delim, &st, &newlines, &seen);
      if (end == rest) {
        c->carrying = 1;
        c->state = st;
        c->newlines = newlines;
        c->seen_quote = seen;
        return carry_append(c, d, rest);
      }
      rc = deliver(c, d, end, 0, 1, CXM_OK, newlines, fn, user);
      if (rc != CXM_OK) return rc;
      p += end + 1;
      continue;
    }
    if (nl == NULL) {
      c->carrying = 1;
      c->state = n > 0 && d[n - 1] != c->delim ? ST_UNQUOTED : ST_START;
      c->newlines = 0;
      c->seen_quote = 0;
      return carry_append(c, d, rest);
    }
    rc = deliver(c, d, n, 0, 0, CXM_OK, 0, fn, user);
    if (rc != CXM_OK) return rc;
    p += n + 1;
  }
  return CXM_OK;
}

uint64_t cxmi_csv_pending(const cxmi_csv *c, int *too_long) {
  *too_long = c->carrying && c->overflow;
  return c->carrying ? (uint64_t)c->carry_len + c->dropped : 0;
}

int32_t cxmi_csv_finish(cxmi_csv *c, cxmi_record_fn fn, void *user) {
  if (!c->carrying) return CXM_OK;
  return deliver_carry(c, c->quotes && c->state == ST_QUOTED ? CXM_E_QUOTE : CXM_OK, fn, user);
}

uint8_t *cxmi_csv_scratch(cxmi_csv *c, size_t len) {
  if (len > c->scratch_cap) {
    /* Geometric growth: a file whose records grow slowly reallocates
     * O(log n) times, not once per record. */
    size_t cap = c->scratch_cap < 256 ? 256 : c->scratch_cap;
    uint8_t *p;
    while (cap < len) cap = cap > SIZE_MAX / 2 ? len : cap * 2;
    p = cxmi_realloc(c->alloc, c->scratch, c->scratch_cap, cap);
    if (p == NULL) return NULL;
    c->scratch = p;
    c->scratch_cap = cap;
  }
  return c->scratch;
}

static void store_field(cxmi_field *fields, size_t cap, size_t k, const uint8_t *p, size_t len) {
  if (k < cap) {
    fields[k].p = p;
    fields[k].len = len;
  }
}

int32_t cxmi_csv_split(cxmi_csv *c, const cxmi_record *record, cxmi_field *fields, size_t cap, size_t *count,
                       size_t *bad) {
  const uint8_t *d = record->data;
  size_t len = record->len, i = 0, k = 0, out = 0;
  const uint8_t delim = c->delim;

  if (!record->quoted) {
    /* Fast path: no quote anywhere, fields are the spans between commas.
     * Event fields are short, so a loop over the bytes beats a memchr()
     * call each; on little-endian hosts it looks at 8 bytes at a time. */
    size_t start = 0;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = UINT64_C(0x0101010101010101), low7 = UINT64_C(0x7F7F7F7F7F7F7F7F);
    const uint64_t pattern = ones * delim;
    for (; i + 8 <= len; i += 8) {
      uint64_t w, hits;
      memcpy(&w, d + i, sizeof w);
      w ^= pattern; /* a delimiter byte is now 0 */
      /* The high bit of each byte that is 0, exactly (no carries between
       * bytes): Hacker's Delight 6-1. */
      hits = ~(((w & low7) + low7) | w | low7);
      while (hits != 0) {
        size_t at = i + ((size_t)__builtin_ctzll(hits) >> 3);
        store_field(fields, cap, k++, d + start, at - start);
        start = at + 1;
        hits &= hits - 1;
      }
    }
#endif
    for (; i < len; i++) {
      if (d[i] == delim) {
        store_field(fields, cap, k++, d + start, i - start);
        start = i + 1;
      }
    }
    store_field(fields, cap, k++, d + start, len - start);
    *count = k;
    return CXM_OK;
  }

  if (cxmi_csv_scratch(c, len) == NULL) return CXM_E_NOMEM;
  for (;;) {
    if (i < len && d[i] == '"') {
      /* Quoted field: point into the record until the first "", then
       * unescape into scratch. */
      size_t seg = ++i;
      uint8_t *dst = NULL;
      for (;;) {
        const uint8_t *q = memchr(d + i, '"', len - i);
        size_t j;
        if (q == NULL) {
          *bad = k;
          *count = k + 1;
          return CXM_E_QUOTE; /* never closed (end of input) */
        }
        j = (size_t)(q - d);
        if (j + 1 < len && d[j + 1] == '"') {
          if (dst == NULL) dst = c->scratch + out;
          memcpy(c->scratch + out, d + seg, j + 1 - seg); /* keeps one '"' */
          out += j + 1 - seg;
          i = seg = j + 2;
          continue;
        }
        if (dst == NULL) {
          store_field(fields, cap, k, d + seg, j - seg);
        } else {
          memcpy(c->scratch + out, d + seg, j - seg);
          out += j - seg;
          store_field(fields, cap, k, dst, (size_t)(c->scratch + out - dst));
        }
        i = j + 1;
        break;
      }
      k++;
      if (i == len) break;
      if (d[i] != delim) {
        *bad = k - 1;
        *count = k;
        return CXM_E_QUOTE; /* text after the closing quote */
      }
      i++;
    } else {
      const uint8_t *comma = memchr(d + i, delim, len - i);
      size_t j = comma == NULL ? len : (size_t)(comma - d);
      if (memchr(d + i, '"', j - i) != NULL) {
        *bad = k;
        *count = k + 1;
        return CXM_E_QUOTE; /* a quote inside an unquoted field */
      }
      store_field(fields, cap, k++, d + i, j - i);
      if (comma == NULL) break;
      i = j + 1;
    }
  }
  *count = k;
  return CXM_OK;
}
