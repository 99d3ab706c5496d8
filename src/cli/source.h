/* One input of the command as a byte stream: a file, standard input, or a
 * gzip-compressed file (`.gz`, and standard input whatever it holds, when
 * cxm is built with zlib: docs/cli.md, "Reading exports"). The library
 * stays free of zlib; decompression lives here. */
#ifndef CXM_CLI_SOURCE_H
#define CXM_CLI_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct cli_source {
  FILE *f;  /* plain reading */
  void *gz; /* gzFile when decompressing */
  int is_stdin;
  uint64_t total;  /* size of a regular file in bytes, or 0 when unknown */
  int err;         /* errno of the last failure, or 0 */
  const char *why; /* a message when the failure has no errno (corrupt gzip data) */
} cli_source;

/* Open `name` (`-`: standard input). 0, or -1 with s->err / s->why set. */
int cli_source_open(cli_source *s, const char *name);

/* Read up to `cap` bytes. Returns the count (0 at the end), or -1 with
 * s->err / s->why set. */
long cli_source_read(cli_source *s, uint8_t *buf, size_t cap);

/* Bytes of the file consumed so far (compressed bytes for gzip). */
uint64_t cli_source_offset(const cli_source *s);

/* The reason of the last failure, for a message. */
const char *cli_source_reason(const cli_source *s);

void cli_source_close(cli_source *s);

#endif
