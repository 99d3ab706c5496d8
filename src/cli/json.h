/* A small streaming JSON writer for the cxm command's machine output.
 *
 * The writer tracks nesting and commas itself, so callers only say what
 * comes next (a key, a value, the start or end of a container). Numbers are
 * printed so that they read back as the same double; NaN and infinities,
 * which JSON cannot hold, become null. Strings are escaped and any invalid
 * UTF-8 becomes U+FFFD, so the output is always valid JSON. */
#ifndef CXM_CLI_JSON_H
#define CXM_CLI_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Deepest nesting the writer supports; deeper containers are a caller bug. */
#define CLI_JSON_MAX_DEPTH 32
/* Bytes enough for any number cli_json_format_double() writes. */
#define CLI_JSON_NUMBER_SIZE 32

typedef struct cli_json {
  FILE *out;
  int pretty;                    /* 1: one object member a line, indented */
  int depth;                     /* open containers */
  char kind[CLI_JSON_MAX_DEPTH]; /* '{' or '[' per open container */
  int count[CLI_JSON_MAX_DEPTH]; /* members written so far per container */
  int after_key;                 /* a key was written, its value is next */
} cli_json;

/* Start writing to `out`; `pretty` 1 indents objects by two spaces. */
void cli_json_init(cli_json *j, FILE *out, int pretty);

void cli_json_object_begin(cli_json *j);
void cli_json_object_end(cli_json *j);
void cli_json_array_begin(cli_json *j);
void cli_json_array_end(cli_json *j);

/* An object member's key; the next call writes its value. */
void cli_json_key(cli_json *j, const char *key, size_t len);
/* cli_json_key() of a NUL-terminated key. */
void cli_json_keyz(cli_json *j, const char *key);

void cli_json_string(cli_json *j, const char *s, size_t len);
void cli_json_stringz(cli_json *j, const char *s);
void cli_json_uint(cli_json *j, uint64_t v);
void cli_json_int(cli_json *j, int64_t v);
/* A double that reads back equal; null for NaN or an infinity. */
void cli_json_double(cli_json *j, double v);
void cli_json_null(cli_json *j);
void cli_json_bool(cli_json *j, int v);

/* Write the text of a finite double into `buf` (CLI_JSON_NUMBER_SIZE
 * bytes): the shortest of %.15g, %.16g and %.17g that strtod() reads back
 * as the same value, so never fewer significant digits than the value
 * needs. Returns 0, or -1 (and writes "null") for NaN or an infinity. */
/* A key and its value in one call: an unsigned count, or a number that is
 * null when NaN (no data). */
void cli_json_member_uint(cli_json *j, const char *key, uint64_t v);
void cli_json_member_number(cli_json *j, const char *key, double v);
/* An interval as [low, high], or null when a bound is NaN. */
void cli_json_interval(cli_json *j, double low, double high);

int cli_json_format_double(char *buf, size_t cap, double v);

#endif
