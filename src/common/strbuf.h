/* A bounded string builder for messages: always NUL-terminated, silently
 * cut at its capacity, and without printf, whose decimal point follows a
 * locale the host application may have changed. */
#ifndef CXM_SRC_STRBUF_H
#define CXM_SRC_STRBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct cxmi_sb {
  char *buf;
  size_t cap, len;
} cxmi_sb;

/* `cap` >= 1. */
void cxmi_sb_init(cxmi_sb *b, char *buf, size_t cap);
void cxmi_sb_putc(cxmi_sb *b, char c);
void cxmi_sb_str(cxmi_sb *b, const char *s);
void cxmi_sb_u64(cxmi_sb *b, uint64_t v);
void cxmi_sb_i64(cxmi_sb *b, int64_t v);
/* A double for a message: integers exactly (below 2^53), others with at
 * most 6 decimals, "nan", "inf", "-inf". Not a round-trip format. */
void cxmi_sb_double(cxmi_sb *b, double v);
/* Field text: as is when it is at most `max` bytes of printable UTF-8;
 * otherwise printable ASCII with other bytes as \xHH, cut at `max`. */
void cxmi_sb_text(cxmi_sb *b, const uint8_t *p, size_t len, size_t max);
/* The same between single quotes, cut at CXMI_QUOTE_MAX. */
#define CXMI_QUOTE_MAX 48
void cxmi_sb_quoted(cxmi_sb *b, const uint8_t *p, size_t len);

#endif
