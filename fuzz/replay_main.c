/* main() for the fuzz-replay tests of the normal build: runs a fuzz
 * target's LLVMFuzzerTestOneInput over every file of the directories given,
 * so that every compiler and sanitizer build replays the seed corpus and
 * every crasher ever found (fuzz/regressions/<target>/).
 *
 * Usage: replay_<target> CORPUS_DIR [MORE_DIRS...]
 * The first directory must hold at least one input; the others may be
 * missing or empty (a target with no regression yet). Names starting with
 * '.' are skipped. A violated property traps, which fails the test. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

/* Read a whole file into an exactly sized buffer, so that a read past the
 * input's end is caught by the sanitizers as it is under libFuzzer. */
static int replay_file(const char *path) {
  FILE *fp = fopen(path, "rb");
  uint8_t *buf = NULL;
  size_t size = 0, cap = 0;
  int ok = 1;
  if (fp == NULL) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return 0;
  }
  for (;;) {
    size_t n;
    if (size == cap) {
      size_t ncap = cap == 0 ? 4096 : cap * 2;
      uint8_t *nbuf = realloc(buf, ncap);
      if (nbuf == NULL) {
        ok = 0;
        break;
      }
      buf = nbuf;
      cap = ncap;
    }
    n = fread(buf + size, 1, cap - size, fp);
    size += n;
    if (n == 0) {
      if (ferror(fp)) ok = 0;
      break;
    }
  }
  fclose(fp);
  if (ok) {
    uint8_t *exact = malloc(size > 0 ? size : 1);
    if (exact == NULL) {
      ok = 0;
    } else {
      if (size > 0) memcpy(exact, buf, size);
      /* Named first, so a trap's log says which input it was. */
      fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
      (void)LLVMFuzzerTestOneInput(size > 0 ? exact : NULL, size);
      free(exact);
    }
  }
  free(buf);
  if (!ok) fprintf(stderr, "replay: cannot read %s\n", path);
  return ok;
}

/* Replay every file of `dir`; returns the number replayed, or -1. */
static long replay_dir(const char *dir, int required) {
  DIR *d = opendir(dir);
  struct dirent *ent;
  long count = 0;
  if (d == NULL) {
    if (required || errno != ENOENT) {
      fprintf(stderr, "replay: cannot open directory %s\n", dir);
      return -1;
    }
    return 0;
  }
  while ((ent = readdir(d)) != NULL) {
    size_t dl = strlen(dir), nl = strlen(ent->d_name);
    char *path;
    if (ent->d_name[0] == '.') continue;
    path = malloc(dl + nl + 2);
    if (path == NULL) {
      closedir(d);
      return -1;
    }
    memcpy(path, dir, dl);
    path[dl] = '/';
    memcpy(path + dl + 1, ent->d_name, nl + 1);
    if (!replay_file(path)) {
      free(path);
      closedir(d);
      return -1;
    }
    free(path);
    count++;
  }
  closedir(d);
  return count;
}

int main(int argc, char **argv) {
  int i;
  long total = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: %s CORPUS_DIR [MORE_DIRS...]\n", argv[0]);
    return 2;
  }
  for (i = 1; i < argc; i++) {
    long n = replay_dir(argv[i], i == 1);
    if (n < 0) return 1;
    if (i == 1 && n == 0) {
      fprintf(stderr, "replay: %s holds no input\n", argv[i]);
      return 1;
    }
    printf("replay: %ld inputs from %s\n", n, argv[i]);
    total += n;
  }
  printf("replay: %ld inputs, all properties held\n", total);
  return 0;
}
