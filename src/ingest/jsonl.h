/* One JSON Lines record: a flat JSON object (RFC 8259) whose members of
 * interest are named by the caller (docs/events.md, "JSON Lines"). */
#ifndef CXM_SRC_JSONL_H
#define CXM_SRC_JSONL_H

#include <stddef.h>
#include <stdint.h>

enum cxmi_json_type {
  CXMI_JSON_ABSENT = 0, /* member missing, or null */
  CXMI_JSON_STRING = 1, /* p/len: the decoded UTF-8 bytes */
  CXMI_JSON_NUMBER = 2, /* p/len: the number's text as written */
  CXMI_JSON_OTHER = 3   /* true, false, an object or an array */
};

typedef struct cxmi_json_value {
  const uint8_t *p;
  size_t len;
  int32_t type; /* enum cxmi_json_type */
} cxmi_json_value;

/* Largest nesting of objects/arrays inside a member value that is skipped. */
#define CXMI_JSON_MAX_DEPTH 32

/* Parse line[0..len) as one JSON object (JSON whitespace around it allowed).
 * values[k] receives the member named names[k] (k < count); other members
 * are checked for syntax and ignored. Strings with escapes are decoded into
 * scratch, which must hold at least `len` bytes. Returns CXM_OK, or
 * CXM_E_SYNTAX with *reason set to a static English reason and *key to the
 * index of the member at fault (or -1 for the whole line). */
int32_t cxmi_jsonl_parse(const uint8_t *line, size_t len, const char *const *names, size_t count,
                         cxmi_json_value *values, uint8_t *scratch, const char **reason, int32_t *key);

#endif
