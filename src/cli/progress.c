/* The progress line (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_start(cli_progress *p, const char *name, uint64_t total, int quiet) {
  const char *env = getenv("CXM_PROGRESS_AFTER_MS");
  p->enabled = !quiet && isatty(STDERR_FILENO);
  p->shown = 0;
  {
    size_t i;
    for (i = 0; name[i] != '\0' && i + 1 < sizeof p->name; i++)
      p->name[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7F ? '?' : name[i];
    p->name[i] = '\0';
  }
  p->total = total;
  p->start = p->enabled ? now() : 0;
  p->last = 0;
  p->after = 1.0;
  if (env != NULL && *env != '\0') {
    char *end;
    long ms = strtol(env, &end, 10);
    if (*end == '\0' && ms >= 0 && ms <= 3600000) p->after = (double)ms / 1000.0;
  }
}

/* A byte count as B, kB, MB or GB (powers of 1000, one decimal). */
static void human(char *buf, size_t cap, uint64_t bytes) {
  static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
  double v = (double)bytes;
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    u++;
  }
  if (u == 0)
    snprintf(buf, cap, "%llu B", (unsigned long long)bytes);
  else
    snprintf(buf, cap, "%.1f %s", v, unit[u]);
}

void cli_progress_update(cli_progress *p, uint64_t bytes, uint64_t rows) {
  double t, elapsed;
  char done[32], total[32], eta[128] = "";
  if (!p->enabled) return;
  t = now();
  elapsed = t - p->start;
  if (elapsed < p->after || (p->shown && t - p->last < 0.25)) return;
  p->last = t;
  human(done, sizeof done, bytes);
  if (p->total > 0 && bytes <= p->total) {
    double left = bytes > 0 ? elapsed * (double)(p->total - bytes) / (double)bytes : 0;
    long s = left < 1e7 ? (long)(left + 0.5) : 9999999L;
    human(total, sizeof total, p->total);
    snprintf(eta, sizeof eta, " of %s (%d%%), ETA %ld:%02ld", total, (int)(100.0 * (double)bytes / (double)p->total),
             s / 60, s % 60);
  }
  /* \r and "erase to the end of the line" (ECMA-48 EL) redraw in place. */
  fprintf(stderr, "\rcxm: %s: %s%s, %llu rows, %.0f rows/s\033[K", p->name, done, eta, (unsigned long long)rows,
          elapsed > 0 ? (double)rows / elapsed : 0.0);
  fflush(stderr);
  p->shown = 1;
}

void cli_progress_clear(cli_progress *p) {
  if (!p->shown) return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  p->shown = 0;
}
