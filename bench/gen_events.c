/*
 * gen_events: write a large, seeded, realistic event file in the CSV format
 * of docs/events.md, fast (hundreds of MB/s), for the benchmarks.
 *
 *   gen_events EVENTS CUSTOMERS SEED OUTPUT [--ids]
 *
 * EVENTS rows over CUSTOMERS distinct customers (the first CUSTOMERS
 * touchpoints name every customer once in turn, so all of them appear when
 * EVENTS is a few times CUSTOMERS; later ones pick a customer at random),
 * times spread over 18 months from 2025-01-01 in time order with jitter
 * (RFC 3339, `Z`), a realistic mix of kinds, channels (the seven named ones
 * and one custom token), stages and three segments. Contacts get a ref and
 * are followed by their reply and resolution; internal and customer ratings
 * of an interaction share its ref. `--ids` adds an event id to every row
 * (the store then remembers each id to skip duplicates, which costs memory
 * per event). OUTPUT `-` is standard output. Same arguments, same bytes.
 *
 * Standalone: uses only libc (no cxm), so it can run anywhere.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPAN_SECONDS (546LL * 86400LL) /* 2025-01-01 .. 2026-07-01 */
#define START_DAYS 20089LL             /* 2025-01-01 in days since 1970 */

/* splitmix64 (Steele, Lea & Flood 2014): tiny, fast, good enough here. */
static uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* In [0, n), n > 0; the modulo bias is irrelevant for synthetic data. */
static uint64_t rng_below(uint64_t *s, uint64_t n) { return rng_next(s) % n; }

/* Output buffer flushed in large writes. */
typedef struct out {
  FILE *f;
  char *buf;
  size_t len;
  size_t cap;
} out;

static int out_flush(out *o) {
  if (o->len > 0 && fwrite(o->buf, 1, o->len, o->f) != o->len) {
    return -1;
  }
  o->len = 0;
  return 0;
}

static char *put_str(char *p, const char *s) {
  while (*s) *p++ = *s++;
  return p;
}

static char *put_u64(char *p, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) *p++ = tmp[--n];
  return p;
}

static char *put_2(char *p, unsigned v) {
  *p++ = (char)('0' + v / 10);
  *p++ = (char)('0' + v % 10);
  return p;
}

/* Civil date from days since 1970 (Howard Hinnant's days_from_civil inverse). */
static void civil(int64_t z, int *y, unsigned *m, unsigned *d) {
  int64_t era, yy;
  unsigned doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned)(z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  yy = (int64_t)yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int)(yy + (*m <= 2));
}

/* Seconds since 2025-01-01 -> "YYYY-MM-DDTHH:MM:SSZ". Caches the date. */
typedef struct timefmt {
  int64_t day;
  char date[32];
} timefmt;

static char *put_time(char *p, timefmt *tf, int64_t secs) {
  int64_t day = START_DAYS + secs / 86400;
  unsigned sod = (unsigned)(secs % 86400);
  if (day != tf->day) {
    int y;
    unsigned m, d;
    civil(day, &y, &m, &d);
    snprintf(tf->date, sizeof tf->date, "%04d-%02u-%02u", y, m, d);
    tf->day = day;
  }
  memcpy(p, tf->date, 10);
  p += 10;
  *p++ = 'T';
  p = put_2(p, sod / 3600);
  *p++ = ':';
  p = put_2(p, sod / 60 % 60);
  *p++ = ':';
  p = put_2(p, sod % 60);
  *p++ = 'Z';
  return p;
}

/* Weighted choices, weights summing to 1000. */
static const char *const channels[] = {"email", "phone", "chat", "web", "store", "social", "app", "kiosk"};
static const unsigned channel_w[] = {200, 150, 150, 200, 100, 50, 120, 30};
static const char *const segments[] = {"consumer", "smb", "enterprise"};
static const unsigned segment_w[] = {600, 280, 120};
static const char *const dims[] = {"tangibles", "reliability", "responsiveness", "assurance", "empathy"};

static unsigned pick(uint64_t *s, const unsigned *w, unsigned n) {
  unsigned x = (unsigned)rng_below(s, 1000), i;
  for (i = 0; i + 1 < n; i++) {
    if (x < w[i]) return i;
    x -= w[i];
  }
  return n - 1;
}

/* Kinds of a "primary" row, in per mille. Contacts expand to open, reply,
 * transfers, resolve, reopen (and maybe an invitation, ratings and
 * follow-ups) right away; a relational NPS answer may come with the
 * invitation it answers; some invitations are never answered. The final mix
 * is roughly: surveys ~30%, contacts ~20%, invitations ~8%, internal ~2%,
 * purchases ~25%, SERVQUAL ~7%, complaints/compliments/churn ~5%, follow-ups
 * ~0.5% (bench/README.md, "The generated file"). */
enum pk { P_NPS, P_CSAT, P_CES, P_CONTACT, P_PURCHASE, P_SERVQUAL, P_COMPLAINT, P_COMPLIMENT, P_CHURN, P_INVITE, P_N };
static const unsigned primary_w[P_N] = {190, 170, 100, 90, 360, 10, 35, 35, 10, 40};

/* Whether a post-contact answer is a detractor (docs/experience.md). */
static int detractor_value(const char *kind, const char *value) {
  int v = atoi(value);
  return kind[1] == 's' ? v <= 2 : v <= 3; /* csat : ces */
}

typedef struct row {
  int64_t t;
  uint64_t customer;
  const char *kind;
  char value[16];
  const char *channel;
  const char *stage;
  const char *segment;
  uint64_t ref; /* 0: none */
  const char *dim;
} row;

static char *put_row(char *p, timefmt *tf, const row *r, int ids, uint64_t *id) {
  if (ids) {
    *p++ = 'e';
    p = put_u64(p, ++*id);
  }
  *p++ = ',';
  p = put_time(p, tf, r->t);
  *p++ = ',';
  *p++ = 'c';
  p = put_u64(p, r->customer);
  *p++ = ',';
  p = put_str(p, r->kind);
  *p++ = ',';
  p = put_str(p, r->value);
  *p++ = ',';
  p = put_str(p, r->channel);
  *p++ = ',';
  p = put_str(p, r->stage);
  *p++ = ',';
  p = put_str(p, r->segment);
  *p++ = ',';
  if (r->ref) {
    *p++ = 't';
    p = put_u64(p, r->ref);
  }
  *p++ = ',';
  p = put_str(p, r->dim);
  *p++ = '\n';
  return p;
}

static void int_value(row *r, unsigned v) {
  char *p = put_u64(r->value, v);
  *p = '\0';
}

/* Answer on a 0..hi-lo scale skewed to the top, as real survey answers are. */
static unsigned skewed(uint64_t *s, unsigned lo, unsigned hi) {
  unsigned a = (unsigned)rng_below(s, hi - lo + 1), b = (unsigned)rng_below(s, hi - lo + 1);
  return lo + (a > b ? a : b);
}

int main(int argc, char **argv) {
  uint64_t n_events, n_customers, seed, written = 0, next_id = 0, next_ref = 0, fresh = 0;
  int ids = 0;
  out o;
  timefmt tf = {-1, {0}};
  char *end;

  if (argc < 5 || argc > 6 || (argc == 6 && strcmp(argv[5], "--ids") != 0)) {
    fprintf(stderr, "usage: %s EVENTS CUSTOMERS SEED OUTPUT [--ids]\n", argv[0]);
    return 2;
  }
  n_events = strtoull(argv[1], &end, 10);
  if (*end || n_events == 0) return fprintf(stderr, "bad EVENTS\n"), 2;
  n_customers = strtoull(argv[2], &end, 10);
  if (*end || n_customers == 0) return fprintf(stderr, "bad CUSTOMERS\n"), 2;
  seed = strtoull(argv[3], &end, 10);
  if (*end) return fprintf(stderr, "bad SEED\n"), 2;
  ids = argc == 6;

  o.f = strcmp(argv[4], "-") == 0 ? stdout : fopen(argv[4], "wb");
  if (!o.f) return perror(argv[4]), 1;
  o.cap = 1 << 22;
  o.buf = malloc(o.cap);
  o.len = 0;
  if (!o.buf) return fprintf(stderr, "out of memory\n"), 1;
  {
    static const char header[] = "id,time,customer,kind,value,channel,stage,segment,ref,dimension\n";
    memcpy(o.buf, header, sizeof header - 1);
    o.len = sizeof header - 1;
  }

  while (written < n_events) {
    /* Time advances steadily; each primary row gets up to an hour of jitter,
     * so the file is mostly but not strictly sorted. */
    int64_t base = (int64_t)((double)written / (double)n_events * (double)(SPAN_SECONDS - 7 * 86400));
    row r;
    row batch[20];
    unsigned nb = 0, i, k;
    uint64_t cust = fresh < n_customers ? fresh++ : rng_below(&seed, n_customers);

    r.t = base + (int64_t)rng_below(&seed, 3600);
    r.customer = cust;
    /* A customer's segment is a function of the customer, so it is stable. */
    {
      uint64_t cs = cust * 0x9E3779B97F4A7C15ULL;
      r.segment = segments[pick(&cs, segment_w, 3)];
    }
    r.value[0] = '\0';
    r.channel = channels[pick(&seed, channel_w, 8)];
    r.stage = "";
    r.ref = 0;
    r.dim = "";

    switch ((enum pk)pick(&seed, primary_w, P_N)) {
    case P_NPS:
      r.kind = "nps";
      r.stage = rng_below(&seed, 2) ? "cultivation" : "advocacy";
      if (rng_below(&seed, 100) < 60) {
        /* the relational survey's invitation, by customer, 1 h to 3 days before */
        row inv = r;
        inv.kind = "survey_sent";
        inv.t = r.t - 3600 - (int64_t)rng_below(&seed, 3 * 86400);
        if (inv.t < 0) inv.t = 0;
        batch[nb++] = inv;
      }
      int_value(&r, skewed(&seed, 0, 10));
      batch[nb++] = r;
      break;
    case P_CSAT:
      r.kind = "csat";
      r.stage = rng_below(&seed, 3) ? "use" : "discovery";
      int_value(&r, skewed(&seed, 1, 5));
      batch[nb++] = r;
      break;
    case P_CES:
      r.kind = "ces";
      r.stage = "attraction";
      int_value(&r, skewed(&seed, 1, 7));
      batch[nb++] = r;
      break;
    case P_CONTACT: {
      static const char *const support[] = {"phone", "email", "chat", "app", "social"};
      int64_t t = r.t;
      r.channel = support[rng_below(&seed, 5)];
      r.stage = "interaction";
      r.ref = ++next_ref;
      r.kind = "contact_open";
      batch[nb++] = r;
      if (rng_below(&seed, 100) < 97) {
        unsigned hops = (unsigned)rng_below(&seed, 100);
        t += 30 + (int64_t)rng_below(&seed, 8 * 3600);
        r.t = t;
        r.kind = "contact_reply";
        batch[nb++] = r;
        /* 8% of answered contacts are transferred once, 3% twice */
        for (k = 0; k < (hops < 3 ? 2u : hops < 11 ? 1u : 0u); k++) {
          t += 60 + (int64_t)rng_below(&seed, 3600);
          r.t = t;
          r.kind = "contact_transfer";
          batch[nb++] = r;
        }
        if (rng_below(&seed, 100) < 95) {
          t += 60 + (int64_t)rng_below(&seed, 48 * 3600);
          r.t = t;
          r.kind = "contact_resolve";
          batch[nb++] = r;
          /* 6% reopened within three days, nine in ten of them resolved again */
          if (rng_below(&seed, 100) < 6) {
            r.t = t + 3600 + (int64_t)rng_below(&seed, 3 * 86400);
            r.kind = "contact_reopen";
            batch[nb++] = r;
            if (rng_below(&seed, 100) < 90) {
              r.t += 60 + (int64_t)rng_below(&seed, 24 * 3600);
              r.kind = "contact_resolve";
              batch[nb++] = r;
            }
          }
          if (rng_below(&seed, 100) < 60) {
            r.t = t + 600;
            r.kind = "internal";
            int_value(&r, 60 + (unsigned)rng_below(&seed, 41));
            batch[nb++] = r;
          }
          /* 80% invited to the post-contact survey (by the contact's ref) */
          if (rng_below(&seed, 100) < 80) {
            r.t = t + 1800;
            r.kind = "survey_sent";
            r.value[0] = '\0';
            batch[nb++] = r;
          }
          if (rng_below(&seed, 100) < 50) {
            r.t = t + 3600;
            r.kind = "csat";
            int_value(&r, skewed(&seed, 1, 5));
            batch[nb++] = r;
            /* 70% of detractors followed up within three days */
            if (detractor_value(r.kind, r.value) && rng_below(&seed, 100) < 70) {
              r.t += 600 + (int64_t)rng_below(&seed, 3 * 86400);
              r.kind = "followup";
              r.value[0] = '\0';
              batch[nb++] = r;
            }
          }
          if (rng_below(&seed, 100) < 40) {
            r.t = t + 3660;
            r.kind = "ces";
            int_value(&r, skewed(&seed, 1, 7));
            batch[nb++] = r;
            if (detractor_value(r.kind, r.value) && rng_below(&seed, 100) < 70) {
              r.t += 600 + (int64_t)rng_below(&seed, 3 * 86400);
              r.kind = "followup";
              r.value[0] = '\0';
              batch[nb++] = r;
            }
          }
        }
      }
      break;
    }
    case P_PURCHASE: {
      static const char *const shop[] = {"web", "store", "app", "kiosk"};
      uint64_t cents = 500 + rng_below(&seed, 30000);
      char *p;
      r.kind = "purchase";
      r.stage = "purchase";
      r.channel = shop[rng_below(&seed, 4)];
      p = put_u64(r.value, cents / 100);
      *p++ = '.';
      p = put_2(p, (unsigned)(cents % 100));
      *p = '\0';
      batch[nb++] = r;
      break;
    }
    case P_SERVQUAL:
      r.stage = "use";
      r.channel = "email";
      for (k = 0; k < 5; k++) {
        r.dim = dims[k];
        r.kind = "expectation";
        int_value(&r, skewed(&seed, 4, 7));
        batch[nb++] = r;
        r.kind = "perception";
        int_value(&r, skewed(&seed, 2, 7));
        batch[nb++] = r;
      }
      break;
    case P_COMPLAINT:
      r.kind = "complaint";
      r.stage = "use";
      batch[nb++] = r;
      break;
    case P_COMPLIMENT:
      r.kind = "compliment";
      r.stage = "use";
      batch[nb++] = r;
      break;
    case P_INVITE:
      /* an invitation never answered (by customer) */
      r.kind = "survey_sent";
      r.stage = "cultivation";
      batch[nb++] = r;
      break;
    case P_CHURN:
    case P_N:
      r.kind = "churn";
      r.stage = "cultivation";
      batch[nb++] = r;
      break;
    }

    for (i = 0; i < nb && written < n_events; i++, written++) {
      if (o.cap - o.len < 512 && out_flush(&o) != 0) {
        perror(argv[4]);
        return 1;
      }
      o.len = (size_t)(put_row(o.buf + o.len, &tf, &batch[i], ids, &next_id) - o.buf);
    }
  }
  if (out_flush(&o) != 0 || (o.f != stdout ? fclose(o.f) : fflush(o.f)) != 0) {
    perror(argv[4]);
    return 1;
  }
  free(o.buf);
  return 0;
}
