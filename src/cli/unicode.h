/* Invisible Unicode characters in what cxm prints: ids, segment labels and
 * channel names are printed as given, except the format characters
 * (general category Cf: bidirectional controls such as U+202E, zero-width
 * characters such as U+200B, U+FEFF...) and the line and paragraph
 * separators U+2028 and U+2029, which are shown as escapes (\u202e) so that
 * a label can neither reverse nor break a table row, nor hide in an id
 * (docs/cli.md, "Output"). */
#ifndef CXM_CLI_UNICODE_H
#define CXM_CLI_UNICODE_H

#include <stddef.h>
#include <stdint.h>

/* Longest escape cli_format_escape() writes: "\U000e007f". */
#define CLI_FORMAT_ESCAPE_MAX 10

/* When `s` (`len` bytes) starts with the valid UTF-8 encoding of such a
 * character: its length in bytes (2..4), *cp its code point. Else 0. */
size_t cli_format_char(uint32_t *cp, const unsigned char *s, size_t len);

/* Write the escape of `cp` to `buf` (room for CLI_FORMAT_ESCAPE_MAX bytes;
 * no NUL): "\u" and 4 lower-case hex digits, or "\U" and 8 above U+FFFF.
 * Returns the length. */
size_t cli_format_escape(char *buf, uint32_t cp);

#endif
