/* Input streams of the command (see source.h). */
#include "source.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef CXM_HAVE_ZLIB
#include <zlib.h>
#endif

#include "dialect.h"

int cli_source_open(cli_source *s, const char *name) {
  struct stat st;
  memset(s, 0, sizeof *s);
  s->is_stdin = strcmp(name, "-") == 0;
  if (s->is_stdin) {
    s->f = stdin;
  } else {
    s->f = fopen(name, "rb");
    if (s->f == NULL) {
      s->err = errno;
      return -1;
    }
  }
  if (fstat(fileno(s->f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) s->total = (uint64_t)st.st_size;
  if (!s->is_stdin && !cli_name_is_gzip(name)) return 0;
#ifdef CXM_HAVE_ZLIB
  {
    /* Standard input goes through zlib too: it passes data that is not
     * gzip through unchanged ("transparent" reading). */
    int fd = dup(fileno(s->f));
    gzFile gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
    if (gz == NULL) {
      s->err = fd < 0 ? errno : ENOMEM;
      if (fd >= 0) close(fd);
      if (!s->is_stdin) fclose(s->f);
      s->f = NULL;
      return -1;
    }
    gzbuffer(gz, 128 * 1024);
    s->gz = gz;
  }
  return 0;
#else
  if (s->is_stdin) return 0;
  fclose(s->f);
  s->f = NULL;
  s->why = "gzip input needs cxm built with zlib (meson setup -Dzlib=enabled)";
  return -1;
#endif
}

long cli_source_read(cli_source *s, uint8_t *buf, size_t cap) {
#ifdef CXM_HAVE_ZLIB
  if (s->gz != NULL) {
    int n, code;
    const char *msg;
    if (cap > 1u << 30) cap = 1u << 30;
    errno = 0;
    n = gzread((gzFile)s->gz, buf, (unsigned)cap);
    if (n >= 0 && (size_t)n == cap) return n;
    msg = gzerror((gzFile)s->gz, &code);
    if (code == Z_OK || code == Z_BUF_ERROR) {
      /* Z_BUF_ERROR: the compressed data ends early. */
      if (code == Z_BUF_ERROR) {
        s->why = "the gzip data ends early (truncated file)";
        return -1;
      }
      return n < 0 ? 0 : n;
    }
    if (code == Z_ERRNO) {
      s->err = errno != 0 ? errno : EIO;
    } else {
      s->why = msg != NULL ? msg : "corrupt gzip data";
    }
    return -1;
  }
#endif
  {
    size_t n = fread(buf, 1, cap, s->f);
    if (n < cap && ferror(s->f)) {
      s->err = errno != 0 ? errno : EIO;
      return -1;
    }
    return (long)n;
  }
}

uint64_t cli_source_offset(const cli_source *s) {
#ifdef CXM_HAVE_ZLIB
  if (s->gz != NULL) {
    z_off_t off = gzoffset((gzFile)s->gz);
    return off > 0 ? (uint64_t)off : 0;
  }
#endif
  {
    long off = s->is_stdin ? -1 : ftell(s->f);
    return off > 0 ? (uint64_t)off : 0;
  }
}

const char *cli_source_reason(const cli_source *s) {
  if (s->why != NULL) return s->why;
  return strerror(s->err != 0 ? s->err : EIO);
}

void cli_source_close(cli_source *s) {
#ifdef CXM_HAVE_ZLIB
  if (s->gz != NULL) gzclose((gzFile)s->gz);
#endif
  if (s->f != NULL && !s->is_stdin) fclose(s->f);
  s->gz = NULL;
  s->f = NULL;
}
