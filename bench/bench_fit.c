/* Fitting speed of the purchase models (bench/README.md, "Purchase model
 * fits").
 *
 *   bench_fit [CUSTOMERS [MODEL [exact|days] [SEED]]]
 *
 * Draws CUSTOMERS (default 1 000 000) customers from known parameters by
 * the model's own story (BG/NBD: lambda ~ Gamma(r, alpha), p ~ Beta(a, b),
 * a coin flip after each repeat purchase; Pareto/NBD: lambda as above,
 * lifetime ~ Exponential(mu), mu ~ Gamma(s, beta)), with first purchases
 * spread uniformly over 12 weeks and observation ending at week 39, as in
 * the CDNOW sample. "exact" (the default) keeps continuous times: the data
 * follow the model exactly, and every repeat buyer is a distinct triple (the
 * worst case for the fit's speed). "days" records times as whole days / 7
 * with same-day purchases merged, as summaries built from dated events are:
 * far fewer distinct triples, but the merge removes purchases the model
 * counts, so the estimates move away from the truth (bench/README.md). MODEL is bgnbd (default), mbgnbd or
 * pnbd (MBG/NBD data are drawn with its extra coin flip at time 0).
 *
 * Prints the time of cxm_model_fit() alone (it includes building the
 * distinct triples), the estimates next to the truth with their standard
 * errors, and whether every estimate is within 4 standard errors of the
 * truth; exits 1 when one is not. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cxm.h"

static uint64_t next(uint64_t *s) {
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static double uniform(uint64_t *s) { return ((double)(next(s) >> 11) + 0.5) * 0x1p-53; }

/* Marsaglia & Tsang (2000), with U^(1/shape) for shape < 1. */
static double gamma_draw(uint64_t *s, double shape) {
  if (shape < 1.0) {
    return gamma_draw(s, shape + 1.0) * pow(uniform(s), 1.0 / shape);
  }
  double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
  for (;;) {
    double z = sqrt(-2.0 * log(uniform(s))) * cos(6.283185307179586 * uniform(s));
    double v = 1.0 + c * z;
    if (v <= 0.0) {
      continue;
    }
    v = v * v * v;
    if (log(uniform(s)) < 0.5 * z * z + d - d * v + d * log(v)) {
      return d * v;
    }
  }
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000L;
  const char *name = argc > 2 ? argv[2] : "bgnbd";
  int days = argc > 3 && strcmp(argv[3], "days") == 0;
  uint64_t seed = argc > 4 ? (uint64_t)atoll(argv[4]) : 20260101u;
  int32_t kind = strcmp(name, "pnbd") == 0     ? CXM_MODEL_PNBD
                 : strcmp(name, "mbgnbd") == 0 ? CXM_MODEL_MBGNBD
                                               : CXM_MODEL_BGNBD;
  /* The CDNOW estimates, as a realistic truth. */
  static const double bg[4] = {0.243, 4.414, 0.793, 2.426};
  static const double pn[4] = {0.553, 10.58, 0.606, 11.67};
  const double *truth = kind == CXM_MODEL_PNBD ? pn : bg;
  if (n < 1) {
    fprintf(stderr, "usage: bench_fit [CUSTOMERS [bgnbd|mbgnbd|pnbd [exact|days] [SEED]]]\n");
    return 2;
  }
  cxm_rfm *rfm;
  if (cxm_rfm_new(&rfm, NULL) != CXM_OK) {
    return 1;
  }
  double t0 = now();
  const double end = 273.0; /* days: week 39 */
  for (long i = 0; i < n; i++) {
    double birth = floor(84.0 * uniform(&seed));
    double horizon = end - birth;                                 /* days observed after the first purchase */
    double lambda = gamma_draw(&seed, truth[0]) / truth[1] / 7.0; /* per day */
    double life = INFINITY, p = 0.0;
    int alive = 1;
    if (kind == CXM_MODEL_PNBD) {
      life = -log(uniform(&seed)) / (gamma_draw(&seed, truth[2]) / truth[3] / 7.0);
    } else {
      double ga = gamma_draw(&seed, truth[2]), gb = gamma_draw(&seed, truth[3]);
      p = ga / (ga + gb);
      if (kind == CXM_MODEL_MBGNBD && uniform(&seed) < p) {
        alive = 0; /* MBG/NBD: may drop out right after the first purchase */
      }
    }
    double t = 0.0, last = 0.0, last_day = 0.0;
    uint32_t x = 0;
    while (alive) {
      t += -log(uniform(&seed)) / lambda;
      if (t > horizon || t > life) {
        break;
      }
      if (days) {
        double day = floor(birth + t) - birth; /* whole days after the first */
        if (day > last_day) {                  /* same-day purchases merge */
          x++;
          last_day = day;
        }
      } else {
        x++;
        last = t;
      }
      if (kind != CXM_MODEL_PNBD && uniform(&seed) < p) {
        break;
      }
    }
    cxm_rfm_customer c;
    cxm_rfm_customer_init(&c);
    c.x = x;
    c.t_x = (days ? last_day : last) / 7.0;
    c.T = horizon / 7.0;
    if (cxm_rfm_add(rfm, &c) != CXM_OK) {
      fprintf(stderr, "bench_fit: cannot add customer %ld\n", i);
      return 1;
    }
  }
  double t1 = now();
  cxm_model m;
  cxm_model_init(&m);
  int32_t rc = cxm_model_fit(&m, rfm, kind, NULL);
  double t2 = now();
  printf("%s, %ld customers, %s times: generated in %.2f s\n", cxm_model_name(kind), n, days ? "whole-day" : "exact",
         t1 - t0);
  printf("fit: %.3f s, status %s, %d iterations, %llu distinct triples, log-likelihood %.3f\n", t2 - t1,
         cxm_status_name(rc), m.iterations, (unsigned long long)m.distinct, m.loglik);
  int ok = rc == CXM_OK;
  for (int i = 0; i < 4; i++) {
    double z = (m.param[i] - truth[i]) / m.se[i];
    printf("  %-6s truth %-7g estimate %.5f  se %.5f  z %+.2f\n", cxm_model_param_name(kind, i), truth[i], m.param[i],
           m.se[i], z);
    ok &= fabs(z) < 4.0;
  }
  printf("%s\n", ok ? "recovered: every estimate within 4 standard errors of the truth"
                    : "NOT recovered within 4 standard errors");
  cxm_rfm_free(rfm);
  return ok ? 0 : 1;
}
