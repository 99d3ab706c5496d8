/* JSON Lines records; see jsonl.h. The grammar is RFC 8259 (sections 2-7);
 * a record must be one object. Raw bytes inside strings are not validated
 * as UTF-8 here: the reader checks the fields it uses, as it does for CSV,
 * and ignores the rest. */
#include "ingest/jsonl.h"

#include "common/utf8.h"

#include <string.h>

#include "cxm/common.h"

typedef struct parser {
  const uint8_t *d;
  size_t len, i;
  uint8_t *scratch;
  size_t out; /* bytes of scratch used */
  const char *reason;
} parser;

static int32_t fail(parser *ps, const char *reason) {
  ps->reason = reason;
  return CXM_E_SYNTAX;
}

static void skip_ws(parser *ps) {
  while (ps->i < ps->len) {
    uint8_t c = ps->d[ps->i];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
    ps->i++;
  }
}

static int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Four hex digits at d[i..i+4). */
static int32_t hex4(parser *ps, size_t i, uint32_t *v) {
  size_t k;
  *v = 0;
  if (ps->len - i < 4) return fail(ps, "truncated \\u escape");
  for (k = 0; k < 4; k++) {
    int h = hex_value(ps->d[i + k]);
    if (h < 0) return fail(ps, "bad hex digit in \\u escape");
    *v = (*v << 4) | (uint32_t)h;
  }
  return CXM_OK;
}

/* A string at d[i] == '"'. Without escapes the value points into the line;
 * with escapes it is decoded into scratch (never longer than its source). */
static int32_t parse_string(parser *ps, const uint8_t **p, size_t *n) {
  const uint8_t *d = ps->d;
  size_t i = ++ps->i, seg = i;
  uint8_t *dst = NULL;
  size_t start = 0;
  for (;;) {
    uint8_t c;
    if (i >= ps->len) return fail(ps, "unterminated string");
    c = d[i];
    if (c == '"') break;
    if (c < 0x20) return fail(ps, "control character in a string (must be escaped)");
    if (c != '\\') {
      i++;
      continue;
    }
    if (dst == NULL) {
      dst = ps->scratch;
      start = ps->out;
    }
    memcpy(ps->scratch + ps->out, d + seg, i - seg);
    ps->out += i - seg;
    if (i + 1 >= ps->len) return fail(ps, "unterminated string");
    switch (d[i + 1]) {
    case '"':
      ps->scratch[ps->out++] = '"';
      i += 2;
      break;
    case '\\':
      ps->scratch[ps->out++] = '\\';
      i += 2;
      break;
    case '/':
      ps->scratch[ps->out++] = '/';
      i += 2;
      break;
    case 'b':
      ps->scratch[ps->out++] = '\b';
      i += 2;
      break;
    case 'f':
      ps->scratch[ps->out++] = '\f';
      i += 2;
      break;
    case 'n':
      ps->scratch[ps->out++] = '\n';
      i += 2;
      break;
    case 'r':
      ps->scratch[ps->out++] = '\r';
      i += 2;
      break;
    case 't':
      ps->scratch[ps->out++] = '\t';
      i += 2;
      break;
    case 'u': {
      uint32_t cp, lo;
      int32_t rc = hex4(ps, i + 2, &cp);
      if (rc != CXM_OK) return rc;
      i += 6;
      if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(ps, "lone low surrogate in \\u escape");
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        /* RFC 8259 section 7: a character outside the BMP is a UTF-16
         * surrogate pair of two escapes. */
        if (ps->len - i < 6 || d[i] != '\\' || d[i + 1] != 'u') return fail(ps, "lone high surrogate in \\u escape");
        rc = hex4(ps, i + 2, &lo);
        if (rc != CXM_OK) return rc;
        if (lo < 0xDC00 || lo > 0xDFFF) return fail(ps, "lone high surrogate in \\u escape");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        i += 6;
      }
      ps->out += cxmi_utf8_put(ps->scratch + ps->out, cp);
      break;
    }
    default: return fail(ps, "bad escape in a string");
    }
    seg = i;
  }
  if (dst == NULL) {
    *p = d + ps->i;
    *n = i - ps->i;
  } else {
    memcpy(ps->scratch + ps->out, d + seg, i - seg);
    ps->out += i - seg;
    *p = ps->scratch + start;
    *n = ps->out - start;
  }
  ps->i = i + 1;
  return CXM_OK;
}

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* RFC 8259 section 6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int32_t parse_number(parser *ps, const uint8_t **p, size_t *n) {
  const uint8_t *d = ps->d;
  size_t i = ps->i, len = ps->len;
  if (i < len && d[i] == '-') i++;
  if (i >= len || !is_digit(d[i])) return fail(ps, "bad number");
  if (d[i] == '0') {
    i++;
  } else {
    while (i < len && is_digit(d[i])) i++;
  }
  if (i < len && d[i] == '.') {
    i++;
    if (i >= len || !is_digit(d[i])) return fail(ps, "bad number");
    while (i < len && is_digit(d[i])) i++;
  }
  if (i < len && (d[i] == 'e' || d[i] == 'E')) {
    i++;
    if (i < len && (d[i] == '+' || d[i] == '-')) i++;
    if (i >= len || !is_digit(d[i])) return fail(ps, "bad number");
    while (i < len && is_digit(d[i])) i++;
  }
  *p = d + ps->i;
  *n = i - ps->i;
  ps->i = i;
  return CXM_OK;
}

static int32_t literal(parser *ps, const char *word) {
  size_t n = strlen(word);
  if (ps->len - ps->i < n || memcmp(ps->d + ps->i, word, n) != 0) return fail(ps, "unexpected character");
  ps->i += n;
  return CXM_OK;
}

static int32_t parse_value(parser *ps, cxmi_json_value *v, int depth);

/* An object or array at d[i], skipped. */
static int32_t skip_container(parser *ps, int depth) {
  uint8_t close = ps->d[ps->i] == '{' ? '}' : ']';
  int object = close == '}';
  cxmi_json_value ignored;
  if (depth >= CXMI_JSON_MAX_DEPTH) return fail(ps, "nested too deeply");
  ps->i++;
  skip_ws(ps);
  if (ps->i < ps->len && ps->d[ps->i] == close) {
    ps->i++;
    return CXM_OK;
  }
  for (;;) {
    int32_t rc;
    if (object) {
      const uint8_t *kp;
      size_t kn;
      size_t out = ps->out;
      if (ps->i >= ps->len || ps->d[ps->i] != '"') return fail(ps, "expected a member name");
      rc = parse_string(ps, &kp, &kn);
      if (rc != CXM_OK) return rc;
      ps->out = out; /* names of nested members are not kept */
      skip_ws(ps);
      if (ps->i >= ps->len || ps->d[ps->i] != ':') return fail(ps, "expected ':'");
      ps->i++;
      skip_ws(ps);
    }
    {
      size_t out = ps->out;
      rc = parse_value(ps, &ignored, depth + 1);
      ps->out = out;
    }
    if (rc != CXM_OK) return rc;
    skip_ws(ps);
    if (ps->i >= ps->len) return fail(ps, "unterminated object or array");
    if (ps->d[ps->i] == close) {
      ps->i++;
      return CXM_OK;
    }
    if (ps->d[ps->i] != ',') return fail(ps, "expected ',' or a closing bracket");
    ps->i++;
    skip_ws(ps);
  }
}

static int32_t parse_value(parser *ps, cxmi_json_value *v, int depth) {
  uint8_t c;
  v->p = NULL;
  v->len = 0;
  if (ps->i >= ps->len) return fail(ps, "expected a value");
  c = ps->d[ps->i];
  if (c == '"') {
    v->type = CXMI_JSON_STRING;
    return parse_string(ps, &v->p, &v->len);
  }
  if (c == '-' || is_digit(c)) {
    v->type = CXMI_JSON_NUMBER;
    return parse_number(ps, &v->p, &v->len);
  }
  if (c == 'n') {
    v->type = CXMI_JSON_ABSENT;
    return literal(ps, "null");
  }
  v->type = CXMI_JSON_OTHER;
  if (c == 't') return literal(ps, "true");
  if (c == 'f') return literal(ps, "false");
  if (c == '{' || c == '[') return skip_container(ps, depth);
  return fail(ps, "unexpected character");
}

int32_t cxmi_jsonl_parse(const uint8_t *line, size_t len, const char *const *names, size_t count,
                         cxmi_json_value *values, uint8_t *scratch, const char **reason, int32_t *key) {
  parser ps;
  size_t k;
  int32_t rc;

  ps.d = line;
  ps.len = len;
  ps.i = 0;
  ps.scratch = scratch;
  ps.out = 0;
  ps.reason = NULL;
  *key = -1;
  for (k = 0; k < count; k++) {
    values[k].p = NULL;
    values[k].len = 0;
    values[k].type = CXMI_JSON_ABSENT;
  }

  skip_ws(&ps);
  if (ps.i >= len || line[ps.i] != '{') {
    *reason = "a record must be one JSON object";
    return CXM_E_SYNTAX;
  }
  ps.i++;
  skip_ws(&ps);
  if (ps.i < len && line[ps.i] == '}') {
    ps.i++;
  } else {
    uint32_t seen = 0; /* bit k: names[k] was met (count <= 32) */
    for (;;) {
      const uint8_t *kp;
      size_t kn, out = ps.out;
      int32_t which = -1;
      cxmi_json_value v;
      if (ps.i >= len || line[ps.i] != '"') {
        rc = fail(&ps, "expected a member name");
        goto error;
      }
      rc = parse_string(&ps, &kp, &kn);
      if (rc != CXM_OK) goto error;
      for (k = 0; k < count && k < 32; k++) {
        if (strlen(names[k]) == kn && memcmp(names[k], kp, kn) == 0) {
          which = (int32_t)k;
          break;
        }
      }
      ps.out = out; /* the name is not needed any more */
      skip_ws(&ps);
      if (ps.i >= len || line[ps.i] != ':') {
        rc = fail(&ps, "expected ':'");
        goto error;
      }
      ps.i++;
      skip_ws(&ps);
      out = ps.out;
      rc = parse_value(&ps, &v, 0);
      if (rc != CXM_OK) goto error;
      if (which >= 0) {
        if (seen & (UINT32_C(1) << which)) {
          *key = which;
          *reason = "member appears twice";
          return CXM_E_SYNTAX;
        }
        seen |= UINT32_C(1) << which;
        values[which] = v;
      } else {
        ps.out = out; /* an unknown member's value is not kept */
      }
      skip_ws(&ps);
      if (ps.i >= len) {
        rc = fail(&ps, "unterminated object");
        goto error;
      }
      if (line[ps.i] == '}') {
        ps.i++;
        break;
      }
      if (line[ps.i] != ',') {
        rc = fail(&ps, "expected ',' or '}'");
        goto error;
      }
      ps.i++;
      skip_ws(&ps);
    }
  }
  skip_ws(&ps);
  if (ps.i != len) {
    *reason = "text after the object";
    return CXM_E_SYNTAX;
  }
  return CXM_OK;

error:
  *reason = ps.reason;
  return rc;
}
