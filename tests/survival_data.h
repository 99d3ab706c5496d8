/* Loading the R reference data of tests/data/survival (written by
 * tools/survival_reference.R): data.csv and "name value" files, for
 * test_survival.c and test_cox.c. */
#ifndef CXM_TEST_SURVIVAL_DATA_H
#define CXM_TEST_SURVIVAL_DATA_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SURV_MAX_ROWS 512

typedef struct surv_data {
  size_t n;
  double entry[SURV_MAX_ROWS], time[SURV_MAX_ROWS], x1[SURV_MAX_ROWS], x2[SURV_MAX_ROWS];
  uint8_t event[SURV_MAX_ROWS];
  int32_t group[SURV_MAX_ROWS];
} surv_data;

static inline void surv_path(char *buf, size_t cap, const char *file) {
  const char *root = getenv("CXM_SOURCE_ROOT");
  snprintf(buf, cap, "%s/tests/data/survival/%s", root != NULL ? root : ".", file);
}

/* 1 on success */
static inline int surv_load(surv_data *d) {
  char path[1024], line[512];
  FILE *f;
  surv_path(path, sizeof path, "data.csv");
  f = fopen(path, "r");
  if (f == NULL) return 0;
  d->n = 0;
  if (fgets(line, sizeof line, f) == NULL) {
    fclose(f);
    return 0;
  }
  while (d->n < SURV_MAX_ROWS && fgets(line, sizeof line, f) != NULL) {
    int ev, g;
    size_t i = d->n;
    if (sscanf(line, "%lf,%lf,%d,%d,%lf,%lf", &d->entry[i], &d->time[i], &ev, &g, &d->x1[i], &d->x2[i]) != 6) break;
    d->event[i] = (uint8_t)ev;
    d->group[i] = g;
    d->n++;
  }
  fclose(f);
  return d->n > 0;
}

/* The value named `name` (e.g. "surv[3]") in reference file `file`; NaN
 * when absent (which makes the comparing assertion fail). */
static inline double ref_value(const char *file, const char *name) {
  char path[1024], line[512], key[256];
  double v = NAN, x;
  FILE *f;
  surv_path(path, sizeof path, file);
  f = fopen(path, "r");
  if (f == NULL) return NAN;
  while (fgets(line, sizeof line, f) != NULL) {
    char val[128];
    if (sscanf(line, "%255s %127s", key, val) != 2 || strcmp(key, name) != 0) continue;
    x = strcmp(val, "nan") == 0 ? NAN : strtod(val, NULL);
    v = x;
    break;
  }
  fclose(f);
  return v;
}

static inline double ref_at(const char *file, const char *name, size_t i) {
  char key[256];
  snprintf(key, sizeof key, "%s[%zu]", name, i);
  return ref_value(file, key);
}

/* |a - b| <= tol * max(1, |b|); both NaN counts as equal */
static inline int close_rel(double a, double b, double tol) {
  if (isnan(a) && isnan(b)) return 1;
  return fabs(a - b) <= tol * fmax(1.0, fabs(b));
}

#endif
