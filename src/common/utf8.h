/* UTF-8 validation and the control-character rule for event text fields
 * (docs/events.md, "Text"). */
#ifndef CXM_SRC_UTF8_H
#define CXM_SRC_UTF8_H

#include <stddef.h>
#include <stdint.h>

enum cxmi_text_result {
  CXMI_TEXT_OK = 0,      /* valid UTF-8 without control characters */
  CXMI_TEXT_INVALID = 1, /* not valid UTF-8 */
  CXMI_TEXT_CONTROL = 2  /* a C0 control (U+0000..U+001F), DEL (U+007F) or C1 control (U+0080..U+009F) */
};

/* Check that s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates U+D800..U+DFFF, nothing above U+10FFFF, no truncated
 * sequence). Returns 1 if so, else 0. */
int cxmi_utf8_valid(const uint8_t *s, size_t len);

/* Check a text field: well-formed UTF-8 and no control character. On a
 * failure *where (if not NULL) receives the byte offset of the first bad
 * sequence or character. Returns an enum cxmi_text_result. */
int cxmi_text_check(const uint8_t *s, size_t len, size_t *where);

/* 1 if every byte of s[0..len) is printable ASCII (0x20..0x7E), else 0:
 * such text passes cxmi_text_check(), and one pass over a whole record
 * is cheaper than a check per field. */
int cxmi_printable_ascii(const uint8_t *s, size_t len);

/* Write the UTF-8 form of code point `cp` (<= 0x10FFFF) to o[0..4) and
 * return its length. A lone surrogate gets its (invalid) 3-byte form, so a
 * field holding one is refused later as invalid UTF-8 (the JSON Lines and
 * UTF-16 readers rely on this). */
size_t cxmi_utf8_put(uint8_t *o, uint32_t cp);

#endif
