/* `cxm report --html OUT.html` (see html.h).
 *
 * The page is written with stdio into a temporary file beside the target
 * and renamed over it. Every number shown comes from a library call (the
 * same calls as --json); the cells that hold one carry it exactly in
 * `data-k` (its path in the cxm-report/1 document, or `trend.`/`risk.` for
 * numbers the JSON does not hold) and `data-v` (the JSON number text), so a
 * test can check the page against --json. Charts are inline SVG with a
 * <title> and <desc>; series are told apart by marker shape and text
 * labels as well as colour; each chart is followed by a table of its data. */
#include "html.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "cmd_drivers.h"
#include "diag.h"
#include "json.h"
#include "operations_out.h"

/* Chart geometry (SVG user units = CSS pixels). */
#define W 720.0  /* wide charts */
#define WS 452.0 /* small multiples, three to a row */
#define PAD_L 150.0
#define PAD_R 20.0

typedef struct page {
  FILE *f;
  const cli_html_input *h;
  int svg_id;      /* unique ids for <pattern>, <title> */
  int have_model;  /* `model` holds the purchase model the churn scoring fitted */
  cxm_model model; /* (section_risk, for section_tracking) */
} page;

/* ---- text ---------------------------------------------------------------- */

static void esc(FILE *f, const char *s, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&#39;", f); break;
    default:
      if (c < 0x20 || c == 0x7f)
        fprintf(f, "&#%u;", (unsigned)(c == '\t' || c == '\n' ? c : 0xFFFD));
      else
        fputc(c, f);
    }
  }
}

static void escz(FILE *f, const char *s) { esc(f, s, strlen(s)); }

/* A table cell holding a number: shown with `decimals` places (suffix
 * `unit`), exact in data-v, at JSON path `key` (escaped; NULL: none). */
static void td_num(FILE *f, const char *key, double v, int decimals, const char *unit) {
  char exact[CLI_JSON_NUMBER_SIZE];
  if (isnan(v) || isinf(v)) {
    fputs("<td class=\"na\">&#8211;</td>", f);
    return;
  }
  cli_json_format_double(exact, sizeof exact, v);
  fputs("<td", f);
  if (key != NULL) {
    fputs(" data-k=\"", f);
    escz(f, key);
    fprintf(f, "\" data-v=\"%s\"", exact);
  }
  fprintf(f, ">%.*f%s</td>", decimals, v, unit);
}

static void td_count(FILE *f, const char *key, uint64_t n, uint64_t min_n) {
  fputs("<td", f);
  if (key != NULL) {
    fputs(" data-k=\"", f);
    escz(f, key);
    fprintf(f, "\" data-v=\"%llu\"", (unsigned long long)n);
  }
  if (n > 0 && n < min_n)
    fprintf(f, " class=\"small\">%llu<abbr title=\"fewer than %llu answers: a small sample\">*</abbr></td>",
            (unsigned long long)n, (unsigned long long)min_n);
  else
    fprintf(f, ">%llu</td>", (unsigned long long)n);
}

static void td_interval(FILE *f, double lo, double hi, int decimals) {
  if (isnan(lo) || isnan(hi))
    fputs("<td class=\"na\">&#8211;</td>", f);
  else
    fprintf(f, "<td>%.*f &#8211; %.*f</td>", decimals, lo, decimals, hi);
}

static void duration_text(char *buf, size_t cap, double s) {
  if (isnan(s))
    snprintf(buf, cap, "\xE2\x80\x93");
  else if (s < 3600)
    snprintf(buf, cap, "%.0f min", s / 60);
  else if (s < 2 * 86400)
    snprintf(buf, cap, "%.1f h", s / 3600);
  else
    snprintf(buf, cap, "%.1f d", s / 86400);
}

static void td_duration(FILE *f, const char *key, double s) {
  char text[32], exact[CLI_JSON_NUMBER_SIZE];
  duration_text(text, sizeof text, s);
  if (isnan(s)) {
    fputs("<td class=\"na\">&#8211;</td>", f);
    return;
  }
  cli_json_format_double(exact, sizeof exact, s);
  fputs("<td data-k=\"", f);
  escz(f, key);
  fprintf(f, "\" data-v=\"%s\">%s</td>", exact, text);
}

/* ---- the slices ---------------------------------------------------------- */

/* One slice's numbers, all from the library. */
typedef struct slice {
  char key[96]; /* the group key (escaped when printed) */
  cxm_filter filter;
  cxm_survey_acc acc;
  cxm_nps_result nps;
  cxm_csat_result csat;
  cxm_ces_result ces;
  /* The experience metrics the charts use, from the one-pass grouped query. */
  cxm_gap_acc gap;
  cxm_service_result service, service_business;
} slice;

static void slice_compute(slice *s) {
  cxm_nps_compute(&s->nps, &s->acc.nps);
  cxm_csat_compute(&s->csat, &s->acc.csat);
  cxm_ces_compute(&s->ces, &s->acc.ces);
}

/* The groups of one dimension, or NULL (diagnosed) on error. */
static slice *slices_of(size_t *count, const cxm_store *store, int32_t by, const cxm_experience_options *options) {
  cxm_groups *groups = NULL;
  slice *out;
  size_t i, n;
  int32_t rc = cxm_store_group_experience(&groups, store, NULL, by, options);
  *count = 0;
  if (rc != CXM_OK) {
    cli_diag(NULL, cxm_status_str(rc));
    return NULL;
  }
  n = cxm_groups_count(groups);
  out = calloc(n > 0 ? n : 1, sizeof *out);
  if (out == NULL) {
    cxm_groups_free(groups);
    cli_diag(NULL, "out of memory");
    return NULL;
  }
  for (i = 0; i < n; i++) {
    const char *key;
    size_t len;
    if (cxm_groups_key(&key, &len, groups, i) != CXM_OK || cxm_groups_survey(&out[i].acc, groups, i) != CXM_OK ||
        cxm_groups_filter(&out[i].filter, groups, i) != CXM_OK || cxm_groups_gap(&out[i].gap, groups, i) != CXM_OK ||
        cxm_groups_service(&out[i].service, groups, i) != CXM_OK ||
        cxm_groups_service_business(&out[i].service_business, groups, i) != CXM_OK) {
      free(out);
      cxm_groups_free(groups);
      cli_diag(NULL, "cannot read a group of the query");
      return NULL;
    }
    if (len >= sizeof out[i].key) len = sizeof out[i].key - 1;
    memcpy(out[i].key, key, len);
    out[i].key[len] = '\0';
    slice_compute(&out[i]);
  }
  cxm_groups_free(groups);
  *count = n;
  return out;
}

/* The JSON path of a slice: "overall" or "slices.DIM.KEY". */
static void path_of(char *buf, size_t cap, const char *dim, const char *key, const char *rest) {
  if (dim == NULL)
    snprintf(buf, cap, "overall.%s", rest);
  else
    snprintf(buf, cap, "slices.%s.%s.%s", dim, key, rest);
}

/* ---- charts -------------------------------------------------------------- */

/* The three survey metrics, each with its scale and marker. */
enum { M_NPS, M_CSAT, M_CES, M_COUNT };
static const char *const metric_name[M_COUNT] = {"NPS", "CSAT %", "CES"};
static const char *const metric_color[M_COUNT] = {"#1f5fa8", "#b2541a", "#2d7d46"};

static void metric_value(const slice *s, int m, double *v, double *lo, double *hi, uint64_t *n) {
  switch (m) {
  case M_NPS: *v = s->nps.score, *lo = s->nps.adjusted_low, *hi = s->nps.adjusted_high, *n = s->nps.n; break;
  case M_CSAT: *v = s->csat.score, *lo = s->csat.ci95_low, *hi = s->csat.ci95_high, *n = s->csat.n; break;
  default: *v = s->ces.mean, *lo = s->ces.ci95_low, *hi = s->ces.ci95_high, *n = s->ces.n; break;
  }
  if (*n == 0) *v = *lo = *hi = NAN;
}

static void metric_range(int m, double *lo, double *hi) {
  if (m == M_NPS)
    *lo = -100, *hi = 100;
  else if (m == M_CSAT)
    *lo = 0, *hi = 100;
  else
    *lo = 1, *hi = 7;
}

/* A marker of metric `m` at (x, y): circle (NPS), square (CSAT), diamond
 * (CES); hollow for a small sample. */
static void marker(FILE *f, int m, double x, double y, int hollow) {
  const char *fill = hollow ? "#fff" : metric_color[m];
  if (m == M_NPS)
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"/>", x, y, fill,
            metric_color[m]);
  else if (m == M_CSAT)
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"/>",
            x - 4, y - 4, fill, metric_color[m]);
  else
    fprintf(f, "<path d=\"M%.1f %.1fl5 5l-5 5l-5-5z\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"/>", x, y - 5, fill,
            metric_color[m]);
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Open an SVG with its accessible name and description. */
static void svg_begin(page *p, double width, double height, const char *title, const char *desc) {
  p->svg_id++;
  fprintf(p->f,
          "<svg role=\"img\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
          "aria-labelledby=\"st%d sd%d\"><title id=\"st%d\">",
          width, height, width, height, p->svg_id, p->svg_id, p->svg_id);
  escz(p->f, title);
  fprintf(p->f, "</title><desc id=\"sd%d\">", p->svg_id);
  escz(p->f, desc);
  fprintf(p->f,
          "</desc>"
          "<defs><pattern id=\"hatch%d\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
          "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
          "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#555\" stroke-width=\"2.5\"/></pattern></defs>"
          "<text x=\"8\" y=\"15\" class=\"ct\" aria-hidden=\"true\">",
          p->svg_id);
  escz(p->f, title);
  fputs("</text>", p->f);
}

/* A trend chart of metric `m` over the month slices: the interval band,
 * the line, markers (hollow for small samples), and a triangle with "p<.05"
 * over each month that differs significantly from the month before. */
static void trend_chart(page *p, int m, const slice *s, size_t n, const cxm_comparison *tests) {
  FILE *f = p->f;
  double lo, hi, H = 236, top = 34, bottom = 200, left = 44, right = WS - 14, x0, dx;
  char title[96], desc[400];
  size_t i;
  int first = 1;
  metric_range(m, &lo, &hi);
  snprintf(title, sizeof title, "%s by month with 95%% intervals", metric_name[m]);
  snprintf(desc, sizeof desc,
           "Line chart of %s per month, %zu months; the shaded band is the 95%% interval%s; hollow markers are "
           "months with fewer than %llu answers; a triangle marks a month that differs from the month before "
           "(p < 0.05). The table below holds the same numbers.",
           metric_name[m], n,
           m == M_NPS    ? " (adjusted Wald)"
           : m == M_CSAT ? " (Wilson)"
                         : " (t, cut to 1..7)",
           (unsigned long long)p->h->min_n);
  svg_begin(p, WS, H, title, desc);
  dx = n > 1 ? (right - left) / (double)(n - 1) : 0;
  x0 = n > 1 ? left : (left + right) / 2;
#define Y(v) (bottom - (clampd((v), lo, hi) - lo) / (hi - lo) * (bottom - top))
  /* grid and axis labels */
  for (i = 0; i <= 4; i++) {
    double v = lo + (hi - lo) * (double)i / 4;
    fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", left, right, Y(v), Y(v));
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%g</text>", left - 6, Y(v) + 4, v);
  }
  /* band */
  fputs("<path class=\"band\" fill=\"", f);
  fputs(metric_color[m], f);
  fputs("\" fill-opacity=\"0.18\" d=\"", f);
  for (i = 0; i < n; i++) {
    double v, a, b;
    uint64_t k;
    metric_value(&s[i], m, &v, &a, &b, &k);
    if (isnan(a)) continue;
    fprintf(f, "%s%.1f %.1f", first ? "M" : "L", x0 + dx * (double)i, Y(a));
    first = 0;
  }
  for (i = n; i-- > 0;) {
    double v, a, b;
    uint64_t k;
    metric_value(&s[i], m, &v, &a, &b, &k);
    if (isnan(b)) continue;
    fprintf(f, "L%.1f %.1f", x0 + dx * (double)i, Y(b));
  }
  fputs(first ? "\"/>" : "Z\"/>", f);
  /* line */
  first = 1;
  fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" d=\"", metric_color[m]);
  for (i = 0; i < n; i++) {
    double v, a, b;
    uint64_t k;
    metric_value(&s[i], m, &v, &a, &b, &k);
    if (isnan(v)) continue;
    fprintf(f, "%s%.1f %.1f", first ? "M" : "L", x0 + dx * (double)i, Y(v));
    first = 0;
  }
  fputs("\"/>", f);
  for (i = 0; i < n; i++) {
    double v, a, b, x = x0 + dx * (double)i;
    uint64_t k;
    metric_value(&s[i], m, &v, &a, &b, &k);
    /* month labels: at most about eight, the last always */
    if ((n <= 8 || i % ((n + 7) / 8) == 0) && (i + (n + 7) / 8 <= n || i + 1 == n || n <= 8))
      fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" text-anchor=\"middle\">%s</text>", x, bottom + 18, s[i].key);
    if (isnan(v)) continue;
    marker(f, m, x, Y(v), k < p->h->min_n);
    if (tests != NULL && i > 0 && !isnan(tests[i].p) && tests[i].p < CLI_COMPARE_ALPHA) {
      double y = Y(v) + (tests[i].diff > 0 ? -12 : 12);
      if (tests[i].diff > 0)
        fprintf(f, "<path d=\"M%.1f %.1fl6 8h-12z\" fill=\"#222\"/>", x, y - 4);
      else
        fprintf(f, "<path d=\"M%.1f %.1fl6 -8h-12z\" fill=\"#222\"/>", x, y + 4);
      fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"sig\" text-anchor=\"middle\">p&lt;.05</text>", x,
              tests[i].diff > 0 ? y - 8 : y + 16);
    }
  }
#undef Y
  fputs("</svg>\n", f);
}

/* A dot-and-whisker chart of metric `m` over the slices of a dimension. */
static void dot_chart(page *p, int m, const char *dim, const slice *s, size_t n) {
  FILE *f = p->f;
  double lo, hi, row = 22, top = 44, H = top + row * (double)n + 12, left = 100, right = WS - 62;
  char title[96], desc[400];
  size_t i;
  int t;
  metric_range(m, &lo, &hi);
  snprintf(title, sizeof title, "%s by %s with 95%% intervals", metric_name[m], dim);
  snprintf(desc, sizeof desc,
           "Dot plot of %s for each %s (%zu), with a whisker for the 95%% interval and the value written at the "
           "right; hollow markers have fewer than %llu answers. The table below holds the same numbers.",
           metric_name[m], dim, n, (unsigned long long)p->h->min_n);
  svg_begin(p, WS, H, title, desc);
#define X(v) (left + (clampd((v), lo, hi) - lo) / (hi - lo) * (right - left))
  for (t = 0; t <= 4; t++) {
    double v = lo + (hi - lo) * t / 4;
    fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", X(v), X(v), top - 6, H - 8);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" text-anchor=\"middle\">%g</text>", X(v), top - 10, v);
  }
  for (i = 0; i < n; i++) {
    double v, a, b, y = top + row * ((double)i + 0.5);
    uint64_t k;
    metric_value(&s[i], m, &v, &a, &b, &k);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"lab\" text-anchor=\"end\">", left - 8, y + 4);
    escz(f, s[i].key);
    fputs("</text>", f);
    if (isnan(v)) {
      fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\">no answers</text>", left + 4, y + 4);
      continue;
    }
    if (!isnan(a))
      fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>", X(a), X(b),
              y, y, metric_color[m]);
    marker(f, m, X(v), y, k < p->h->min_n);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"val\">%.*f%s</text>", right + 8, y + 4, m == M_CES ? 2 : 1, v,
            k < p->h->min_n ? "*" : "");
  }
#undef X
  fputs("</svg>\n", f);
}

/* ---- sections ------------------------------------------------------------ */

static void survey_table(page *p, const char *dim, const slice *s, size_t n, const char *first_col) {
  FILE *f = p->f;
  const char *caption = dim != NULL ? dim : first_col;
  char k[256];
  size_t i;
  if (dim != NULL) fputs("<details><summary>The numbers of these charts, as a table</summary>", f);
  /* fputs, not one printf: gcc -O3 wrongly sees a null %s argument here. */
  fputs("<table><caption>NPS, CSAT and CES by ", f);
  fputs(caption, f);
  fputs("</caption><thead><tr><th scope=\"col\">", f);
  fputs(first_col, f);
  fputs(
      "</th>"
      "<th scope=\"col\">NPS n</th><th scope=\"col\">NPS</th><th scope=\"col\">NPS adj. 95% CI</th>"
      "<th scope=\"col\">CSAT n</th><th scope=\"col\">CSAT %</th><th scope=\"col\">CSAT 95% CI</th>"
      "<th scope=\"col\">CES n</th><th scope=\"col\">CES</th><th scope=\"col\">CES 95% CI</th>"
      "</tr></thead><tbody>",
      f);
  for (i = 0; i < n; i++) {
    const slice *x = &s[i];
    fputs("<tr><th scope=\"row\">", f);
    escz(f, dim != NULL ? x->key : "all");
    fputs("</th>", f);
    path_of(k, sizeof k, dim, x->key, "nps.n");
    td_count(f, x->nps.n ? k : NULL, x->nps.n, p->h->min_n);
    path_of(k, sizeof k, dim, x->key, "nps.score");
    td_num(f, x->nps.n ? k : NULL, x->nps.n ? x->nps.score : NAN, 1, "");
    td_interval(f, x->nps.n ? x->nps.adjusted_low : NAN, x->nps.adjusted_high, 1);
    path_of(k, sizeof k, dim, x->key, "csat.n");
    td_count(f, x->csat.n ? k : NULL, x->csat.n, p->h->min_n);
    path_of(k, sizeof k, dim, x->key, "csat.score");
    td_num(f, x->csat.n ? k : NULL, x->csat.n ? x->csat.score : NAN, 1, "");
    td_interval(f, x->csat.n ? x->csat.ci95_low : NAN, x->csat.ci95_high, 1);
    path_of(k, sizeof k, dim, x->key, "ces.n");
    td_count(f, x->ces.n ? k : NULL, x->ces.n, p->h->min_n);
    path_of(k, sizeof k, dim, x->key, "ces.mean");
    td_num(f, x->ces.n ? k : NULL, x->ces.n ? x->ces.mean : NAN, 2, "");
    td_interval(f, x->ces.n ? x->ces.ci95_low : NAN, x->ces.ci95_high, 2);
    fputs("</tr>", f);
  }
  fputs(dim != NULL ? "</tbody></table></details>\n" : "</tbody></table>\n", f);
}

static int section_trends(page *p) {
  FILE *f = p->f;
  size_t n, i;
  int m;
  slice *s = slices_of(&n, p->h->store, CXM_BY_MONTH, p->h->options);
  cxm_comparison *tests[2] = {NULL, NULL};
  if (s == NULL) return -1;
  tests[0] = calloc(n + 1, sizeof *tests[0]);
  tests[1] = calloc(n + 1, sizeof *tests[1]);
  if (tests[0] == NULL || tests[1] == NULL) {
    free(s), free(tests[0]), free(tests[1]);
    cli_diag(NULL, "out of memory");
    return -1;
  }
  for (i = 1; i < n; i++) {
    cxm_nps_compare(&tests[0][i], &s[i - 1].acc.nps, &s[i].acc.nps);
    cxm_csat_compare(&tests[1][i], &s[i - 1].acc.csat, &s[i].acc.csat);
  }
  fputs(
      "<section id=\"trends\"><h2>Trends by month</h2>\n<p class=\"note\">Months are UTC calendar months. "
      "A triangle (&#9650; up, &#9660; down) with <q>p&lt;.05</q> marks a month whose NPS or CSAT differs from the "
      "month before by the z test of docs/metrics.md; CES has no period test in cxm. Hollow markers: fewer than ",
      f);
  fprintf(f, "%llu answers.</p>\n<div class=\"charts\">", (unsigned long long)p->h->min_n);
  for (m = 0; m < M_COUNT; m++) trend_chart(p, m, s, n, m < 2 ? tests[m] : NULL);
  fputs("</div>\n", f);
  survey_table(p, "month", s, n, "month");
  /* the consecutive-month tests, as a table */
  fputs(
      "<details><summary>Changes from the month before, as a table</summary>"
      "<table><caption>Change from the month before (z tests, p &lt; 0.05 marked)</caption><thead><tr>"
      "<th scope=\"col\">month</th><th scope=\"col\">NPS change</th><th scope=\"col\">p</th>"
      "<th scope=\"col\">CSAT % change</th><th scope=\"col\">p</th></tr></thead><tbody>",
      f);
  for (i = 1; i < n; i++) {
    char k[160];
    int t;
    fputs("<tr><th scope=\"row\">", f);
    escz(f, s[i].key);
    fputs("</th>", f);
    for (t = 0; t < 2; t++) {
      snprintf(k, sizeof k, "trend.%s.%s.p", t == 0 ? "nps" : "csat", s[i].key);
      td_num(f, NULL, tests[t][i].diff, 1, "");
      if (isnan(tests[t][i].p)) {
        fputs("<td class=\"na\">&#8211;</td>", f);
      } else {
        char exact[CLI_JSON_NUMBER_SIZE];
        cli_json_format_double(exact, sizeof exact, tests[t][i].p);
        fputs("<td data-k=\"", f);
        escz(f, k);
        fprintf(f, "\" data-v=\"%s\">%.4f%s</td>", exact, tests[t][i].p,
                tests[t][i].p < CLI_COMPARE_ALPHA ? " <strong>significant</strong>" : "");
      }
    }
    fputs("</tr>", f);
  }
  fputs("</tbody></table></details></section>\n", f);
  free(s), free(tests[0]), free(tests[1]);
  return 0;
}

static int section_dimension(page *p, int32_t by) {
  const char *dim = cli_args_by_name(by);
  size_t n;
  int m;
  slice *s = slices_of(&n, p->h->store, by, p->h->options);
  if (s == NULL) return -1;
  fprintf(p->f, "<section id=\"by-%s\"><h2>By %s</h2>\n<div class=\"charts\">", dim, dim);
  for (m = 0; m < M_COUNT; m++) dot_chart(p, m, dim, s, n);
  fputs("</div>\n", p->f);
  survey_table(p, dim, s, n, dim);
  fputs("</section>\n", p->f);
  free(s);
  return 0;
}

/* Service vs experience per channel: a dumbbell of the mean service score
 * (square, "S") and mean experience score (circle, "E") on 0..100. */
static int section_gap(page *p) {
  FILE *f = p->f;
  size_t n, i;
  slice *s = slices_of(&n, p->h->store, CXM_BY_CHANNEL, p->h->options);
  cxm_gap_result *g;
  double row = 26, top = 30, H, left = PAD_L, right = W - PAD_R - 170;
  int t;
  if (s == NULL) return -1;
  g = calloc(n > 0 ? n : 1, sizeof *g);
  if (g == NULL) {
    free(s);
    cli_diag(NULL, "out of memory");
    return -1;
  }
  for (i = 0; i < n; i++) {
    int32_t rc = cxm_gap_compute(&g[i], &s[i].gap);
    if (rc != CXM_OK) {
      free(s), free(g);
      cli_diag(NULL, cxm_status_str(rc));
      return -1;
    }
  }
  top = 44;
  H = top + row * (double)n + 14;
  fputs(
      "<section id=\"gap\"><h2>Service vs experience per channel</h2>\n<p class=\"note\">For interactions rated "
      "both internally (service, &#9632; S) and by the customer (experience, &#9679; E), on 0&#8211;100. A long "
      "bar is a perception gap; <em>blind spots</em> are pairs the company rates top box (&gt; 80) and the "
      "customer does not.</p>\n",
      f);
  svg_begin(p, W, H, "Service vs experience per channel",
            "Dumbbell chart: for each channel, the mean internal service score (square, S) and the mean customer "
            "experience score (circle, E) on 0 to 100, joined by a bar; the blind-spot share is written at the "
            "right. The table below holds the same numbers.");
#define X(v) (left + clampd((v), 0, 100) / 100 * (right - left))
  for (t = 0; t <= 4; t++) {
    fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", X(t * 25.0), X(t * 25.0),
            top - 6, H - 8);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" text-anchor=\"middle\">%d</text>", X(t * 25.0), top - 12,
            t * 25);
  }
  for (i = 0; i < n; i++) {
    double y = top + row * ((double)i + 0.5);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"lab\" text-anchor=\"end\">", left - 8, y + 4);
    escz(f, s[i].key);
    fputs("</text>", f);
    if (g[i].pairs == 0) {
      fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\">no rated pairs</text>", left + 4, y + 4);
      continue;
    }
    fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" stroke-width=\"4\"/>",
            X(g[i].service), X(g[i].experience), y, y);
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"#6a3d9a\"/>", X(g[i].service) - 5, y - 5);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"mk\" text-anchor=\"middle\">S</text>", X(g[i].service), y - 8);
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5.5\" fill=\"#e6a100\"/>", X(g[i].experience), y);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"mk\" text-anchor=\"middle\">E</text>", X(g[i].experience), y - 8);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"val\">gap %+.1f, blind %.0f%%%s</text>", right + 8, y + 4,
            g[i].mean, g[i].blind_spot_pct, g[i].pairs < p->h->min_n ? "*" : "");
  }
#undef X
  fputs("</svg>\n", f);
  fputs(
      "<details><summary>The numbers of this chart, as a table</summary><table><caption>Perception gap per channel "
      "(service &#8722; experience, points of 0&#8211;100; interval "
      "cut to &#8722;100&#8211;100)</caption><thead><tr><th scope=\"col\">channel</th><th scope=\"col\">pairs</th>"
      "<th scope=\"col\">service</th><th scope=\"col\">experience</th><th scope=\"col\">gap</th>"
      "<th scope=\"col\">gap 95% CI</th><th scope=\"col\">blind spots %</th></tr></thead><tbody>",
      f);
  for (i = 0; i < n; i++) {
    char k[256];
    fputs("<tr><th scope=\"row\">", f);
    escz(f, s[i].key);
    fputs("</th>", f);
    if (g[i].pairs == 0) {
      fputs("<td>0</td><td class=\"na\" colspan=\"5\">no rated pairs</td></tr>", f);
      continue;
    }
    path_of(k, sizeof k, "channel", s[i].key, "gap.pairs");
    td_count(f, k, g[i].pairs, p->h->min_n);
    path_of(k, sizeof k, "channel", s[i].key, "gap.service");
    td_num(f, k, g[i].service, 1, "");
    path_of(k, sizeof k, "channel", s[i].key, "gap.experience");
    td_num(f, k, g[i].experience, 1, "");
    path_of(k, sizeof k, "channel", s[i].key, "gap.mean");
    td_num(f, k, g[i].mean, 1, "");
    td_interval(f, isnan(g[i].ci95_low) ? NAN : fmax(g[i].ci95_low, -100), fmin(g[i].ci95_high, 100), 1);
    path_of(k, sizeof k, "channel", s[i].key, "gap.blind_spot_pct");
    td_num(f, k, g[i].blind_spot_pct, 1, "");
    fputs("</tr>", f);
  }
  fputs("</tbody></table></details></section>\n", f);
  free(s), free(g);
  return 0;
}

/* Service levels per channel against the SLA target: business-time median
 * (solid) and p90 (hatched) first response, the target as a dashed line. */
static int section_service(page *p) {
  FILE *f = p->f;
  size_t n, i;
  slice *s = slices_of(&n, p->h->store, CXM_BY_CHANNEL, p->h->options);
  cxm_service_result *w, *b;
  double target = (double)p->h->business->sla_target_seconds, top = 30, row = 34, H, left = PAD_L,
         right = W - PAD_R - 120, scale = target * 2;
  char desc[480], line[512];
  int t;
  if (s == NULL) return -1;
  w = calloc(2 * (n > 0 ? n : 1), sizeof *w);
  if (w == NULL) {
    free(s);
    cli_diag(NULL, "out of memory");
    return -1;
  }
  b = w + (n > 0 ? n : 1);
  for (i = 0; i < n; i++) {
    w[i] = s[i].service;
    b[i] = s[i].service_business;
    if (!isnan(b[i].first_response_p90_s) && b[i].first_response_p90_s > scale) scale = b[i].first_response_p90_s;
  }
  top = 62;
  H = top + row * (double)n + 14;
  cli_business_describe(line, sizeof line, p->h->business);
  fputs("<section id=\"service\"><h2>Service levels against the SLA</h2>\n<p class=\"note\">", f);
  escz(f, line);
  fputs(". Durations in business time (bt) count only opening hours; wall-clock figures are in the table.</p>\n", f);
  snprintf(desc, sizeof desc,
           "Bar chart per channel of the first-response time in business hours: a solid bar for the median and "
           "a hatched bar for the 90th percentile; the dashed vertical line is the SLA target of %.2f business "
           "hours; the share of first replies within the target is written at the right. The table below holds "
           "the same numbers.",
           target / 3600);
  svg_begin(p, W, H, "First response in business time against the SLA target, per channel", desc);
#define X(v) (left + clampd((v), 0, scale) / scale * (right - left))
  for (t = 0; t <= 4; t++) {
    double v = scale * t / 4;
    fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", X(v), X(v), top - 6, H - 8);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" text-anchor=\"middle\">%.1fh</text>", X(v), top - 12,
            v / 3600);
  }
  for (i = 0; i < n; i++) {
    double y = top + row * (double)i + 4;
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"lab\" text-anchor=\"end\">", left - 8, y + 16);
    escz(f, s[i].key);
    fputs("</text>", f);
    if (b[i].replied == 0) {
      fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\">no first responses</text>", left + 4, y + 16);
      continue;
    }
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"11\" fill=\"url(#hatch%d)\" stroke=\"#555\"/>",
            left, y + 13, X(b[i].first_response_p90_s) - left, p->svg_id);
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"11\" fill=\"#1f5fa8\"/>", left, y + 1,
            X(b[i].first_response_median_s) - left);
    if (isnan(w[i].within_sla_pct))
      fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"val\">SLA: none due yet</text>", right + 8, y + 16);
    else
      fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"val\">%.1f%% within SLA</text>", right + 8, y + 16,
              w[i].within_sla_pct);
  }
  fprintf(f,
          "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c00\" stroke-width=\"2\" "
          "stroke-dasharray=\"6 4\"/><text x=\"%.1f\" y=\"%.1f\" class=\"sig\">SLA</text>",
          X(target), X(target), top - 4, H - 6, X(target) + 4, H - 8);
#undef X
  fputs(
      "<g class=\"key\"><rect x=\"8\" y=\"24\" width=\"12\" height=\"10\" fill=\"#1f5fa8\"/>"
      "<text x=\"24\" y=\"33\" class=\"ax\">median (bt)</text>",
      f);
  fprintf(
      f,
      "<rect x=\"104\" y=\"24\" width=\"12\" height=\"10\" fill=\"url(#hatch%d)\" stroke=\"#555\"/>"
      "<text x=\"120\" y=\"33\" class=\"ax\">p90 (bt)</text>"
      "<line x1=\"190\" x2=\"210\" y1=\"29\" y2=\"29\" stroke=\"#c00\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
      "<text x=\"214\" y=\"33\" class=\"ax\">SLA target</text></g>",
      p->svg_id);
  fputs("</svg>\n", f);
  fputs(
      "<details><summary>The numbers of this chart, wall clock and business time, as a table</summary>"
      "<table><caption>Service levels per channel: wall clock and business time (bt)</caption><thead><tr>"
      "<th scope=\"col\">channel</th><th scope=\"col\">contacts</th><th scope=\"col\">open</th>"
      "<th scope=\"col\">1st response median</th><th scope=\"col\">median bt</th>"
      "<th scope=\"col\">1st response p90</th><th scope=\"col\">p90 bt</th>"
      "<th scope=\"col\">resolution median</th><th scope=\"col\">median bt</th>"
      "<th scope=\"col\">within SLA %</th></tr></thead><tbody>",
      f);
  for (i = 0; i < n; i++) {
    char k[256];
    fputs("<tr><th scope=\"row\">", f);
    escz(f, s[i].key);
    fputs("</th>", f);
    if (w[i].contacts == 0) {
      fputs("<td>0</td><td class=\"na\" colspan=\"8\">no contacts</td></tr>", f);
      continue;
    }
    path_of(k, sizeof k, "channel", s[i].key, "service.contacts");
    td_count(f, k, w[i].contacts, 0);
    path_of(k, sizeof k, "channel", s[i].key, "service.open");
    td_count(f, k, w[i].open, 0);
    path_of(k, sizeof k, "channel", s[i].key, "service.first_response_median_s");
    td_duration(f, k, w[i].first_response_median_s);
    path_of(k, sizeof k, "channel", s[i].key, "service.first_response_median_business_s");
    td_duration(f, k, b[i].first_response_median_s);
    path_of(k, sizeof k, "channel", s[i].key, "service.first_response_p90_s");
    td_duration(f, k, w[i].first_response_p90_s);
    path_of(k, sizeof k, "channel", s[i].key, "service.first_response_p90_business_s");
    td_duration(f, k, b[i].first_response_p90_s);
    path_of(k, sizeof k, "channel", s[i].key, "service.resolution_median_s");
    td_duration(f, k, w[i].resolution_median_s);
    path_of(k, sizeof k, "channel", s[i].key, "service.resolution_median_business_s");
    td_duration(f, k, b[i].resolution_median_s);
    path_of(k, sizeof k, "channel", s[i].key, "service.within_sla_pct");
    td_num(f, k, w[i].within_sla_pct, 1, "");
    fputs("</tr>", f);
  }
  fputs("</tbody></table></details></section>\n", f);
  free(s), free(w);
  return 0;
}

/* Closing the loop and response rates per channel (cxm_store_loop_each(),
 * the `loop` and `responses` members of --json), as a table. */
static int section_loop(page *p) {
  FILE *f = p->f;
  size_t n, i;
  slice *s = slices_of(&n, p->h->store, CXM_BY_CHANNEL, p->h->options);
  cxm_filter *fs;
  cxm_loop_result *r;
  cxm_loop_options o;
  int32_t rc;
  if (s == NULL) return -1;
  fs = calloc(n > 0 ? n : 1, sizeof *fs);
  r = calloc(n > 0 ? n : 1, sizeof *r);
  if (fs == NULL || r == NULL) {
    free(s), free(fs), free(r);
    cli_diag(NULL, "out of memory");
    return -1;
  }
  for (i = 0; i < n; i++) {
    fs[i] = s[i].filter;
    r[i].size = sizeof r[i];
  }
  o = *p->h->loop;
  o.calendar = p->h->options->calendar;
  rc = cxm_store_loop_each(r, fs, n, p->h->store, &o);
  if (rc != CXM_OK) {
    free(s), free(fs), free(r);
    cli_diag(NULL, cxm_status_str(rc));
    return -1;
  }
  fprintf(f,
          "<section id=\"loop\"><h2>Closing the loop and response rates</h2>\n<p class=\"note\">Detractor "
          "answers (NPS 0&#8211;%d, CSAT 1&#8211;%d, CES 1&#8211;%d) and the business time to their first "
          "follow-up; recovery: the customer&#8217;s next answer of the kind is no longer a detractor, followed up "
          "before it or not (docs/experience.md). Response rate: answered invitations &#247; invitations (AAPOR "
          "RR1).</p>\n",
          (int)o.nps_detractor_max, (int)o.csat_detractor_max, (int)o.ces_detractor_max);
  fprintf(f,
          "<table><caption>Closing the loop and response rates per channel</caption><thead><tr>"
          "<th scope=\"col\">channel</th><th scope=\"col\">detractors</th><th scope=\"col\">followed</th>"
          "<th scope=\"col\">never %%</th><th scope=\"col\">within %.1f business hours %%</th>",
          (double)o.target_business_seconds / 3600.0);
  fputs(
      "<th scope=\"col\">follow-up median bt</th><th scope=\"col\">p90 bt</th>"
      "<th scope=\"col\">recovered, followed %</th><th scope=\"col\">recovered, not followed %</th>"
      "<th scope=\"col\">invitations</th><th scope=\"col\">response %</th>"
      "<th scope=\"col\">non-response %</th></tr></thead><tbody>",
      f);
  for (i = 0; i < n; i++) {
    char k[256];
    fputs("<tr><th scope=\"row\">", f);
    escz(f, s[i].key);
    fputs("</th>", f);
    path_of(k, sizeof k, "channel", s[i].key, "loop.detractors");
    td_count(f, k, r[i].detractors, 0);
    path_of(k, sizeof k, "channel", s[i].key, "loop.followed");
    td_count(f, k, r[i].followed, 0);
    path_of(k, sizeof k, "channel", s[i].key, "loop.never_pct");
    td_num(f, k, r[i].never_pct, 1, "");
    path_of(k, sizeof k, "channel", s[i].key, "loop.in_target_pct");
    td_num(f, k, r[i].in_target_pct, 1, "");
    path_of(k, sizeof k, "channel", s[i].key, "loop.followup_median_business_s");
    td_duration(f, k, r[i].followup_median_s);
    path_of(k, sizeof k, "channel", s[i].key, "loop.followup_p90_business_s");
    td_duration(f, k, r[i].followup_p90_s);
    path_of(k, sizeof k, "channel", s[i].key, "loop.recovery_followed_pct");
    td_num(f, k, r[i].recovery_followed_pct, 1, "");
    path_of(k, sizeof k, "channel", s[i].key, "loop.recovery_unfollowed_pct");
    td_num(f, k, r[i].recovery_unfollowed_pct, 1, "");
    path_of(k, sizeof k, "channel", s[i].key, "responses.invitations");
    td_count(f, k, r[i].invitations, 0);
    path_of(k, sizeof k, "channel", s[i].key, "responses.response_pct");
    td_num(f, k, r[i].response_pct, 1, "");
    path_of(k, sizeof k, "channel", s[i].key, "responses.nonresponse_pct");
    td_num(f, k, r[i].nonresponse_pct, 1, "");
    fputs("</tr>", f);
  }
  fputs("</tbody></table></section>\n", f);
  free(s), free(fs), free(r);
  return 0;
}

/* The backlog per channel (cxm_store_backlog_each(), the `backlog` member
 * of --json): the summary of each channel's daily series. */
static int section_backlog(page *p) {
  FILE *f = p->f;
  size_t n, i;
  slice *s = slices_of(&n, p->h->store, CXM_BY_CHANNEL, p->h->options);
  cxm_operations_options o;
  cxm_filter *fs;
  cli_backlogs b;
  int32_t rc;
  if (s == NULL) return -1;
  fs = calloc(n > 0 ? n : 1, sizeof *fs);
  if (fs == NULL) {
    free(s);
    cli_diag(NULL, "out of memory");
    return -1;
  }
  for (i = 0; i < n; i++) fs[i] = s[i].filter;
  cxm_operations_options_init(&o);
  o.calendar = p->h->options->calendar;
  rc = cli_backlogs_query(&b, p->h->store, fs, n, &o);
  free(fs);
  if (rc != CXM_OK) {
    free(s);
    cli_diag(NULL, cxm_status_str(rc));
    return -1;
  }
  fputs(
      "<section id=\"backlog\"><h2>Backlog</h2>\n<p class=\"note\">Contacts open at the end of each local "
      "day (not resolved, or reopened), and their ages since the open on the wall clock and in business time "
      "(bt), at the end of the last day; the peak and the mean over the days (docs/experience.md).</p>\n"
      "<table><caption>Backlog per channel</caption><thead><tr>"
      "<th scope=\"col\">channel</th><th scope=\"col\">days</th><th scope=\"col\">open at end</th>"
      "<th scope=\"col\">age median</th><th scope=\"col\">age p90</th><th scope=\"col\">age median bt</th>"
      "<th scope=\"col\">age p90 bt</th><th scope=\"col\">peak open</th><th scope=\"col\">mean open</th>"
      "</tr></thead><tbody>",
      f);
  for (i = 0; i < n; i++) {
    const cxm_backlog_day *days = cli_backlogs_at(&b, i);
    size_t count = b.count[i], k, peak = 0;
    double sum = 0;
    char key[256];
    for (k = 0; k < count; k++) {
      sum += (double)days[k].open;
      if (days[k].open > days[peak].open) peak = k;
    }
    fputs("<tr><th scope=\"row\">", f);
    escz(f, s[i].key);
    fputs("</th>", f);
    path_of(key, sizeof key, "channel", s[i].key, "backlog.days");
    td_count(f, key, count, 0);
    if (count == 0) {
      fputs(
          "<td class=\"na\">&#8211;</td><td class=\"na\">&#8211;</td><td class=\"na\">&#8211;</td>"
          "<td class=\"na\">&#8211;</td><td class=\"na\">&#8211;</td><td class=\"na\">&#8211;</td>"
          "<td class=\"na\">&#8211;</td></tr>",
          f);
      continue;
    }
    path_of(key, sizeof key, "channel", s[i].key, "backlog.open_end");
    td_count(f, key, days[count - 1].open, 0);
    path_of(key, sizeof key, "channel", s[i].key, "backlog.age_median_end_s");
    td_duration(f, key, days[count - 1].age_median_s);
    path_of(key, sizeof key, "channel", s[i].key, "backlog.age_p90_end_s");
    td_duration(f, key, days[count - 1].age_p90_s);
    path_of(key, sizeof key, "channel", s[i].key, "backlog.age_median_end_business_s");
    td_duration(f, key, days[count - 1].age_business_median_s);
    path_of(key, sizeof key, "channel", s[i].key, "backlog.age_p90_end_business_s");
    td_duration(f, key, days[count - 1].age_business_p90_s);
    path_of(key, sizeof key, "channel", s[i].key, "backlog.open_peak");
    td_count(f, key, days[peak].open, 0);
    path_of(key, sizeof key, "channel", s[i].key, "backlog.open_mean");
    td_num(f, key, sum / (double)count, 1, "");
    fputs("</tr>", f);
  }
  fputs("</tbody></table></section>\n", f);
  cli_backlogs_free(&b);
  free(s);
  return 0;
}

static const char *band_text(int32_t band) {
  return band == CXM_RISK_HIGH ? "high" : band == CXM_RISK_MEDIUM ? "medium" : "low";
}

/* The riskiest customers (cxm_store_churn(), as `cxm churn FILE` scores
 * them with the same business settings) with their drivers. */
static int section_risk(page *p) {
  FILE *f = p->f;
  cxm_churn_options co;
  cxm_churn_info info;
  cxm_churn *scores = NULL;
  size_t i, n;
  int32_t rc;
  cxm_churn_options_init(&co);
  co.calendar = p->h->options->calendar;
  co.sla_target_seconds = p->h->business->sla_target_seconds;
  rc = cxm_store_churn(&scores, p->h->store, &co);
  if (rc == CXM_E_NO_DATA) {
    fputs("<section id=\"risk\"><h2>Customers most at risk</h2><p>No customer to score.</p></section>\n", f);
    return 0;
  }
  if (rc != CXM_OK) {
    cli_diag(NULL, cxm_status_str(rc));
    return -1;
  }
  cxm_model_init(&p->model);
  p->have_model = cxm_churn_purchase_model(&p->model, scores) == CXM_OK;
  cxm_churn_info_init(&info);
  rc = cxm_churn_info_get(&info, scores);
  n = cxm_churn_count(scores);
  if (n > CLI_HTML_TOP_CUSTOMERS) n = CLI_HTML_TOP_CUSTOMERS;
  fprintf(f,
          "<section id=\"risk\"><h2>Customers most at risk</h2>\n<p class=\"note\">The %zu customers with the highest "
          "probability of churning within %lld days (docs/churn.md; model %s). Drivers are the factors that raise "
          "a customer's risk, largest first, with their share of the log-odds.</p>\n"
          "<table><caption>Riskiest customers and their drivers</caption><thead><tr><th scope=\"col\">customer</th>"
          "<th scope=\"col\">risk</th><th scope=\"col\">band</th><th scope=\"col\">drivers</th></tr></thead><tbody>",
          n, (long long)(co.horizon_seconds / 86400),
          info.fitted ? "fitted from this data's churn events" : "the documented default (too few churn events)");
  for (i = 0; i < n && rc == CXM_OK; i++) {
    cxm_churn_row row;
    const char *id;
    size_t len;
    uint32_t d;
    char exact[CLI_JSON_NUMBER_SIZE];
    cxm_churn_row_init(&row);
    rc = cxm_churn_row_get(&row, scores, i);
    if (rc == CXM_OK) rc = cxm_store_customer_id(&id, &len, p->h->store, row.handle);
    if (rc != CXM_OK) break;
    cli_json_format_double(exact, sizeof exact, row.risk);
    fputs("<tr><th scope=\"row\">", f);
    esc(f, id, len);
    fputs("</th><td data-k=\"risk.", f);
    esc(f, id, len);
    fprintf(f,
            "\" data-v=\"%s\"><svg class=\"bar\" width=\"80\" height=\"10\" aria-hidden=\"true\">"
            "<rect width=\"80\" height=\"10\" fill=\"#eee\"/><rect width=\"%.1f\" height=\"10\" fill=\"#b2541a\"/>"
            "</svg> %.1f%%</td><td class=\"band-%s\">%s</td><td class=\"drv\">",
            exact, 80 * clampd(row.risk, 0, 1), 100 * row.risk, band_text(row.band), band_text(row.band));
    for (d = 0; d < row.driver_count && d < 4; d++) {
      fprintf(f, "%s%s (+%.2f)", d > 0 ? ", " : "", cxm_feature_name(row.drivers[d]),
              row.contributions[row.drivers[d]]);
    }
    if (row.driver_count == 0) fputs("&#8211;", f);
    fputs("</td></tr>", f);
  }
  fputs("</tbody></table></section>\n", f);
  cxm_churn_free(scores);
  if (rc != CXM_OK) {
    cli_diag(NULL, cxm_status_str(rc));
    return -1;
  }
  return 0;
}

/* The tracking plot (docs/purchase.md, "Tracking"), as `cxm churn
 * --tracking` computes it with its defaults: weekly periods from the first
 * event's day through the last event's, every buyer, the repeat purchases
 * made by the end of each week against those the purchase model of the
 * churn scoring expects (none when it fitted no model). */
static int section_tracking(page *p) {
  FILE *f = p->f;
  const cxm_store_stats *st = p->h->stats;
  cxm_tracking_options o;
  double *actual, *expected, top = 30, bottom = 206, left = 56, right = W - 130, H = 240, hi = 1;
  size_t n, i, t;
  int64_t from, end;
  int32_t rc;
  char desc[512];
  if (st->first > st->last) return 0;
  from = st->first - ((st->first % 86400) + 86400) % 86400;
  end = st->last - ((st->last % 86400) + 86400) % 86400 + 86400;
  n = (size_t)((end - from + 7 * 86400 - 1) / (7 * 86400));
  if (n == 0) n = 1;
  if (n > 100000) return 0; /* as cxm churn --tracking: beyond its periods */
  actual = calloc(n, sizeof *actual);
  expected = calloc(n, sizeof *expected);
  if (actual == NULL || expected == NULL) {
    free(actual), free(expected);
    cli_diag(NULL, "out of memory");
    return -1;
  }
  cxm_tracking_options_init(&o);
  o.from = from;
  o.period_seconds = 7.0 * 86400;
  o.unit_seconds = 7.0 * 86400;
  rc = p->have_model ? cxm_store_tracking(actual, expected, n, p->h->store, &p->model, &o) : CXM_E_MODEL;
  if (rc == CXM_E_MODEL) {
    free(expected);
    expected = NULL;
    rc = cxm_store_tracking(actual, NULL, n, p->h->store, NULL, &o);
  }
  if (rc != CXM_OK) {
    free(actual), free(expected);
    cli_diag(NULL, cxm_status_str(rc));
    return -1;
  }
  for (i = 0; i < n; i++) {
    if (actual[i] > hi) hi = actual[i];
    if (expected != NULL && expected[i] > hi) hi = expected[i];
  }
  fputs(
      "<section id=\"tracking\"><h2>Repeat purchases against the model</h2>\n<p class=\"note\">The tracking "
      "plot of the purchase model (docs/purchase.md): the repeat purchases the customers made by the end of each "
      "week since the first event (a customer's purchases on one day are one transaction, the first is not a "
      "repeat), and those the purchase model the churn scoring fitted expects (as <code>cxm churn --tracking"
      "</code>). Where the lines part, the model over- or under-predicts.</p>\n<div class=\"charts\">",
      f);
  snprintf(desc, sizeof desc,
           "Line chart of cumulative repeat purchases over %zu weeks: the actual count (solid line, circles)%s. "
           "The table below holds the same numbers.",
           n, expected != NULL ? " and the count the model expects (dashed line, squares)" : "; no model was fitted");
  svg_begin(p, W, H, "Cumulative repeat purchases per week: actual and expected", desc);
#define X(k) (n > 1 ? left + (right - left) * (double)(k) / (double)(n - 1) : (left + right) / 2)
#define Y(v) (bottom - clampd((v) / hi, 0, 1) * (bottom - top))
  for (t = 0; t <= 4; t++) {
    double v = hi * (double)t / 4;
    fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", left, right, Y(v), Y(v));
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%.0f</text>", left - 6, Y(v) + 4, v);
  }
  for (t = 0; t<n; t += n> 8 ? (n + 7) / 8 : 1)
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" text-anchor=\"middle\">w%zu</text>", X(t), bottom + 18, t + 1);
  for (int series = expected != NULL ? 1 : 0; series >= 0; series--) {
    const double *v = series == 1 ? expected : actual;
    const char *color = series == 1 ? "#b2541a" : "#1f5fa8";
    fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s d=\"", color,
            series == 1 ? " stroke-dasharray=\"6 4\"" : "");
    for (i = 0; i < n; i++) fprintf(f, "%s%.1f %.1f", i == 0 ? "M" : "L", X(i), Y(v[i]));
    fputs("\"/>", f);
    for (i = 0; i<n; i += n> 40 ? (n + 39) / 40 : 1) {
      if (series == 1)
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\" fill=\"%s\"/>", X(i) - 3, Y(v[i]) - 3, color);
      else
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", X(i), Y(v[i]), color);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"lab\">%s %.0f</text>", right + 8, Y(v[n - 1]) + (series ? -6 : 10),
            series == 1 ? "expected" : "actual", v[n - 1]);
  }
#undef X
#undef Y
  fputs(
      "</svg>\n</div>\n<details><summary>The numbers of this chart as a table</summary><table><caption>Repeat "
      "purchases per week, cumulative and in the week</caption><thead><tr><th scope=\"col\">week</th>"
      "<th scope=\"col\">actual, cumulative</th><th scope=\"col\">expected, cumulative</th>"
      "<th scope=\"col\">actual in the week</th><th scope=\"col\">expected in the week</th></tr></thead><tbody>",
      f);
  for (i = 0; i < n; i++) {
    char k[64];
    fprintf(f, "<tr><th scope=\"row\">%zu</th>", i + 1);
    snprintf(k, sizeof k, "tracking.actual_cumulative.%zu", i);
    td_num(f, k, actual[i], 0, "");
    snprintf(k, sizeof k, "tracking.expected_cumulative.%zu", i);
    td_num(f, expected != NULL ? k : NULL, expected != NULL ? expected[i] : NAN, 1, "");
    snprintf(k, sizeof k, "tracking.actual.%zu", i);
    td_num(f, k, actual[i] - (i > 0 ? actual[i - 1] : 0.0), 0, "");
    snprintf(k, sizeof k, "tracking.expected.%zu", i);
    td_num(f, expected != NULL ? k : NULL, expected != NULL ? expected[i] - (i > 0 ? expected[i - 1] : 0.0) : NAN, 1,
           "");
    fputs("</tr>", f);
  }
  fputs("</tbody></table></details></section>\n", f);
  free(actual);
  free(expected);
  return 0;
}

/* A table cell holding a number of the `cxm drivers --json` document at
 * `drivers.<path>`: shown with `decimals` places and `unit`. */
static void td_drv(FILE *f, size_t k, const char *field, double v, int decimals, const char *unit) {
  char key[96];
  snprintf(key, sizeof key, "drivers.drivers.%zu.%s", k, field);
  td_num(f, key, v, decimals, unit);
}

/* Key driver analysis (docs/drivers.md) as `cxm drivers FILE` runs it with
 * its defaults (outcome NPS, by customer, its bootstrap and seed): the
 * importance-performance chart and the table of the weights. */
static int section_drivers(page *p) {
  FILE *f = p->f;
  cli_drivers_result r;
  double top = 30, bottom = 300, left = 60, right = W - 30, H = 340, xlo = 0, xhi = 100, yhi = 10, perf_mean = 0;
  double share_line;
  char r2[CLI_JSON_NUMBER_SIZE], desc[512], label[CXM_MAX_ATTRIBUTE_LEN + 1];
  size_t k, t;
  int rc = cli_drivers_run(&r, p->h->store, CXM_DRIVERS_NPS, CXM_DRIVERS_BY_CUSTOMER, CLI_DRIVERS_BOOTSTRAP,
                           CLI_DRIVERS_SEED);
  fputs("<section id=\"drivers\"><h2>Key drivers of NPS</h2>\n", f);
  if (rc < 0) {
    cli_drivers_result_free(&r);
    return -1;
  }
  if (rc > 0) {
    fputs("<p>No key driver analysis: ", f);
    escz(f, r.why);
    fputs(".</p></section>\n", f);
    cli_drivers_result_free(&r);
    return 0;
  }
  for (k = 0; k < r.p; k++) {
    cxm_driver v;
    v.size = sizeof v;
    cxm_drivers_get(&v, r.d, k);
    perf_mean += v.performance / (double)r.p;
    if (isfinite(v.share) && v.share > yhi) yhi = v.share;
  }
  yhi = ceil(yhi / 10) * 10;
  share_line = 100.0 / (double)r.p;
  cli_json_format_double(r2, sizeof r2, r.sum.r2);
  fprintf(f,
          "<p class=\"note\">Which attribute ratings (SERVQUAL perception dimensions, rating attributes) drive "
          "the latest NPS answer of each customer, as <code>cxm drivers</code> computes them (docs/drivers.md): "
          "relative weights of <span data-k=\"drivers.used\" data-v=\"%llu\">%llu</span> of "
          "<span data-k=\"drivers.customers\" data-v=\"%llu\">%llu</span> customers, R&#178; = <span "
          "data-k=\"drivers.r2\" data-v=\"%s\">%.4f</span>, "
          "%d bootstrap replicates (seed %d). An attribute is important when its share of R&#178; exceeds "
          "100/%zu = %.1f %%, and performs well when its score exceeds the attributes' mean, %.1f; fix first: "
          "important and below the mean.</p>\n<div class=\"charts\">",
          (unsigned long long)r.sum.n_used, (unsigned long long)r.sum.n_used, (unsigned long long)r.sum.n_rows,
          (unsigned long long)r.sum.n_rows, r2, r.sum.r2, (int)r.sum.bootstrap_ok, CLI_DRIVERS_SEED, r.p, share_line,
          perf_mean);
  snprintf(desc, sizeof desc,
           "Scatter chart of %zu attributes: performance (mean rating on 0 to 100) across, share of R squared "
           "up; dashed lines at the mean performance %.1f and the mean share %.1f %% divide the quadrants. The "
           "table below holds the same numbers.",
           r.p, perf_mean, share_line);
  svg_begin(p, W, H, "Importance against performance of the NPS drivers", desc);
#define X(v) (left + (right - left) * (clampd((v), xlo, xhi) - xlo) / (xhi - xlo))
#define Y(v) (bottom - clampd((v) / yhi, 0, 1) * (bottom - top))
  for (t = 0; t <= 5; t++) {
    double v = yhi * (double)t / 5, x = xlo + (xhi - xlo) * (double)t / 5;
    fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left, right, Y(v), Y(v));
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%.0f%%</text>", left - 6, Y(v) + 4, v);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" text-anchor=\"middle\">%.0f</text>", X(x), bottom + 16, x);
  }
  fprintf(f,
          "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" text-anchor=\"middle\">performance (0&#8211;100)</text>"
          "<text x=\"14\" y=\"%.1f\" class=\"ax\" transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">"
          "share of R&#178;</text>",
          (left + right) / 2, bottom + 32, (top + bottom) / 2, (top + bottom) / 2);
  fprintf(f,
          "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#777\" stroke-dasharray=\"5 4\"/>"
          "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#777\" stroke-dasharray=\"5 4\"/>",
          X(perf_mean), X(perf_mean), top, bottom, left, right, Y(share_line), Y(share_line));
  fprintf(f,
          "<text x=\"%.1f\" y=\"%.1f\" class=\"lab\">fix first</text>"
          "<text x=\"%.1f\" y=\"%.1f\" class=\"lab\" text-anchor=\"end\">strength</text>"
          "<text x=\"%.1f\" y=\"%.1f\" class=\"lab\">low priority</text>"
          "<text x=\"%.1f\" y=\"%.1f\" class=\"lab\" text-anchor=\"end\">maintain</text>",
          left + 6, top + 14, right - 6, top + 14, left + 6, bottom - 6, right - 6, bottom - 6);
  for (k = 0; k < r.p; k++) {
    cxm_driver v;
    int fix;
    const char *name = cli_drivers_column_name(label, sizeof label, p->h->store, r.keep[k]);
    v.size = sizeof v;
    cxm_drivers_get(&v, r.d, k);
    fix = v.quadrant == CXM_QUADRANT_FIX_FIRST;
    fputs("<g class=\"drvpt\" data-attr=\"", f);
    escz(f, name);
    fprintf(f,
            "\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\" stroke=\"#1f5fa8\" stroke-width=\"1.5\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" class=\"lab\">",
            X(v.performance), Y(isfinite(v.share) ? v.share : 0), fix ? "#b2541a" : "#1f5fa8", X(v.performance) + 8,
            Y(isfinite(v.share) ? v.share : 0) + 4);
    escz(f, name);
    fputs("</text></g>", f);
  }
#undef X
#undef Y
  fputs(
      "</svg>\n</div>\n<table><caption>Key drivers of the NPS answer: relative weights, Shapley values, "
      "bootstrap interval of the weight, performance and quadrant</caption><thead><tr><th scope=\"col\">attribute"
      "</th><th scope=\"col\">weight</th><th scope=\"col\">share</th><th scope=\"col\">Shapley</th>"
      "<th scope=\"col\">95% interval</th><th scope=\"col\">performance</th><th scope=\"col\">quadrant</th>"
      "</tr></thead><tbody>",
      f);
  for (k = 0; k < r.p; k++) {
    cxm_driver v;
    v.size = sizeof v;
    cxm_drivers_get(&v, r.d, k);
    fputs("<tr><th scope=\"row\">", f);
    escz(f, cli_drivers_column_name(label, sizeof label, p->h->store, r.keep[k]));
    fputs("</th>", f);
    td_drv(f, k, "weight", v.weight, 4, "");
    td_drv(f, k, "share_percent", v.share, 1, "%");
    td_drv(f, k, "shapley", v.shapley, 4, "");
    if (isnan(v.lower) || isnan(v.upper)) {
      fputs("<td class=\"na\">&#8211;</td>", f);
    } else {
      char lo[CLI_JSON_NUMBER_SIZE], hi[CLI_JSON_NUMBER_SIZE];
      cli_json_format_double(lo, sizeof lo, v.lower);
      cli_json_format_double(hi, sizeof hi, v.upper);
      fprintf(f,
              "<td><span data-k=\"drivers.drivers.%zu.interval.0\" data-v=\"%s\">%.4f</span> &#8211; "
              "<span data-k=\"drivers.drivers.%zu.interval.1\" data-v=\"%s\">%.4f</span></td>",
              k, lo, v.lower, k, hi, v.upper);
    }
    td_drv(f, k, "performance", v.performance, 1, "");
    fprintf(f, "<td class=\"quad\">%s</td></tr>", cli_drivers_quadrant_name(v.quadrant));
  }
  fputs("</tbody></table></section>\n", f);
  cli_drivers_result_free(&r);
  return 0;
}

static int section_summary(page *p) {
  FILE *f = p->f;
  slice all;
  int32_t rc;
  memset(&all, 0, sizeof all);
  rc = cxm_store_survey(&all.acc, p->h->store, NULL);
  if (rc != CXM_OK) {
    cli_diag(NULL, cxm_status_str(rc));
    return -1;
  }
  slice_compute(&all);
  fputs("<section id=\"summary\"><h2>Overall</h2>\n<div class=\"kpis\">", f);
  if (all.nps.n > 0)
    fprintf(f,
            "<div class=\"kpi\"><span>NPS (&#8722;100&#8230;100)</span><b>%.1f</b><span>95%% CI %.1f &#8211; %.1f "
            "(adjusted), n = %llu%s</span></div>",
            all.nps.score, all.nps.adjusted_low, all.nps.adjusted_high, (unsigned long long)all.nps.n,
            all.nps.n < p->h->min_n ? "*" : "");
  if (all.csat.n > 0)
    fprintf(f,
            "<div class=\"kpi\"><span>CSAT (%% satisfied)</span><b>%.1f%%</b><span>95%% CI %.1f &#8211; %.1f, "
            "n = %llu%s</span></div>",
            all.csat.score, all.csat.ci95_low, all.csat.ci95_high, (unsigned long long)all.csat.n,
            all.csat.n < p->h->min_n ? "*" : "");
  if (all.ces.n > 1)
    fprintf(f,
            "<div class=\"kpi\"><span>CES (1&#8230;7, 7 easiest)</span><b>%.2f</b><span>95%% CI %.2f &#8211; %.2f, "
            "n = %llu%s</span></div>",
            all.ces.mean, all.ces.ci95_low, all.ces.ci95_high, (unsigned long long)all.ces.n,
            all.ces.n < p->h->min_n ? "*" : "");
  else if (all.ces.n == 1) /* no interval from one answer */
    fprintf(f, "<div class=\"kpi\"><span>CES (1&#8230;7, 7 easiest)</span><b>%.2f</b><span>n = 1%s</span></div>",
            all.ces.mean, p->h->min_n > 1 ? "*" : "");
  fputs("</div>\n", f);
  survey_table(p, NULL, &all, 1, "slice");
  if (p->h->compare != NULL) {
    cli_compare_result r;
    const cli_compare *c = p->h->compare;
    int t;
    rc = cli_compare_run(&r, p->h->store, c);
    if (rc != CXM_OK) {
      cli_diag(NULL, cxm_status_str(rc));
      return -1;
    }
    fputs("<table><caption>Compared: ", f);
    escz(f, c->label[0]);
    fputs(" (1st) and ", f);
    escz(f, c->label[1]);
    fputs(
        " (2nd), z tests of docs/metrics.md</caption><thead><tr><th scope=\"col\">metric</th>"
        "<th scope=\"col\">1st</th><th scope=\"col\">2nd</th><th scope=\"col\">change</th><th scope=\"col\">p</th>"
        "<th scope=\"col\">p &lt; 0.05</th></tr></thead><tbody>",
        f);
    for (t = 0; t < 2; t++) {
      const cxm_comparison *x = t == 0 ? &r.nps : &r.csat;
      const char *name = t == 0 ? "nps" : "csat";
      char k[64];
      fprintf(f, "<tr><th scope=\"row\">%s</th>", t == 0 ? "NPS" : "CSAT %");
      snprintf(k, sizeof k, "comparison.%s.first", name);
      td_num(f, k, x->first, 1, "");
      snprintf(k, sizeof k, "comparison.%s.second", name);
      td_num(f, k, x->second, 1, "");
      snprintf(k, sizeof k, "comparison.%s.diff", name);
      td_num(f, k, x->diff, 1, "");
      snprintf(k, sizeof k, "comparison.%s.p", name);
      td_num(f, k, x->p, 4, "");
      fprintf(f, "<td>%s</td></tr>", isnan(x->p) ? "&#8211;" : x->p < CLI_COMPARE_ALPHA ? "yes" : "no");
    }
    fputs("</tbody></table>\n", f);
  }
  fputs("</section>\n", f);
  return 0;
}

static const char style[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#1a1a1a;"
    "margin:0 auto;max-width:1500px;padding:16px 24px;background:#fafafa}"
    "h1{font-size:24px;margin:4px 0}h2{font-size:19px;border-bottom:2px solid #ccc;padding-bottom:2px;"
    "margin-top:28px}.meta,.note{color:#444;font-size:13px}"
    ".charts{display:flex;flex-wrap:wrap;gap:10px}svg{background:#fff;border:1px solid #ddd;max-width:100%;"
    "height:auto}svg.bar{border:0;vertical-align:middle}"
    "svg text{font-family:inherit}.ax{font-size:11px;fill:#444}.lab{font-size:12px;fill:#1a1a1a}"
    ".val{font-size:12px;fill:#1a1a1a}.mk{font-size:10px;font-weight:bold;fill:#1a1a1a}"
    ".sig{font-size:10px;font-weight:bold;fill:#222}.ct{font-size:13px;font-weight:600;fill:#1a1a1a}"
    "details{margin:6px 0}summary{cursor:pointer;color:#1f4f8a;font-size:13px}"
    ".kpis{display:flex;gap:12px;flex-wrap:wrap}.kpi{background:#fff;border:1px solid #ddd;padding:8px 16px;"
    "min-width:200px}.kpi b{display:block;font-size:28px}.kpi span{font-size:12px;color:#444}"
    "table{border-collapse:collapse;margin:10px 0;font-size:13px;background:#fff}caption{text-align:left;"
    "font-weight:600;padding:4px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}"
    "th[scope=row],thead th{text-align:left}thead th{background:#eef}td.na{color:#888;text-align:center}"
    "td.small{background:#fff6d6}td.drv{text-align:left}.band-high{font-weight:bold}"
    "dl.legend{font-size:13px;display:grid;grid-template-columns:max-content auto;gap:2px 12px}"
    "dl.legend dt{font-weight:600}dl.legend dd{margin:0}";

static int write_page(page *p) {
  FILE *f = p->f;
  const cli_html_input *h = p->h;
  char first[CXM_TIME_TEXT_SIZE] = "-", last[CXM_TIME_TEXT_SIZE] = "-", line[512];
  static const int32_t dims[] = {CXM_BY_CHANNEL, CXM_BY_STAGE, CXM_BY_SEGMENT};
  size_t d;
  if (h->stats->first <= h->stats->last) {
    (void)cxm_time_format(first, sizeof first, h->stats->first);
    (void)cxm_time_format(last, sizeof last, h->stats->last);
  }
  cli_business_describe(line, sizeof line, h->business);
  fprintf(f,
          "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
          "img-src data:\">"
          "<meta name=\"generator\" content=\"cxm %s\">"
          "<title>Customer experience report %s .. %s</title><style>%s</style></head><body>\n"
          "<header><h1>Customer experience report</h1><p class=\"meta\">Events from %s to %s: "
          "<span data-k=\"input.events\" data-v=\"%llu\">%llu</span> events of "
          "<span data-k=\"input.customers\" data-v=\"%llu\">%llu</span> customers "
          "(%llu rows read, %llu rejected, %llu duplicates). Settings: ",
          cxm_version_string(), first, last, style, first, last, (unsigned long long)h->in->events,
          (unsigned long long)h->in->events, (unsigned long long)h->stats->customers,
          (unsigned long long)h->stats->customers, (unsigned long long)h->in->rows, (unsigned long long)h->in->rejected,
          (unsigned long long)h->in->duplicates);
  escz(f, line);
  fprintf(f,
          ". Cells marked * and hollow markers have fewer than %llu answers (--min-n): small samples.</p></header>\n",
          (unsigned long long)h->min_n);
  if (section_summary(p) != 0 || section_trends(p) != 0) return -1;
  for (d = 0; d < sizeof dims / sizeof dims[0]; d++) {
    if (section_dimension(p, dims[d]) != 0) return -1;
  }
  if (section_gap(p) != 0 || section_service(p) != 0 || section_loop(p) != 0 || section_backlog(p) != 0 ||
      section_risk(p) != 0 || section_tracking(p) != 0 || section_drivers(p) != 0)
    return -1;
  fputs(
      "<section id=\"legend\"><h2>How to read this report</h2><dl class=\"legend\">"
      "<dt>NPS</dt><dd>Net Promoter Score: % promoters (9&#8211;10) &#8722; % detractors (0&#8211;6), "
      "&#8722;100&#8230;100; interval: adjusted Wald (docs/metrics.md).</dd>"
      "<dt>CSAT %</dt><dd>Share of answers 4&#8211;5 on 1&#8211;5; Wilson interval.</dd>"
      "<dt>CES</dt><dd>Mean effort answer 1&#8211;7 (7: easiest); t interval, not clipped.</dd>"
      "<dt>n, *</dt><dd>Answers; * marks a small sample.</dd>"
      "<dt>gap</dt><dd>Service &#8722; experience score in points of 0&#8211;100 (&gt; 0: the company rates "
      "itself higher than the customer does).</dd>"
      "<dt>blind spots</dt><dd>Pairs the company rates top box and the customer does not.</dd>"
      "<dt>bt</dt><dd>Business time: only opening hours count.</dd>"
      "<dt>SLA</dt><dd>First reply within the target in business time; the share is of the contacts met or "
      "breached (an unanswered contact older than the target is breached).</dd>"
      "<dt>shapes</dt><dd>&#9679; NPS, &#9632; CSAT, &#9670; CES; hollow: small sample; &#9650;/&#9660; "
      "p&lt;.05: a significant change from the month before.</dd></dl></section>\n",
      f);
  fprintf(f,
          "<footer class=\"meta\"><p>Written by cxm %s. Numbers as in <code>cxm report --json</code>.</p></footer>"
          "</body></html>\n",
          cxm_version_string());
  return 0;
}

int cli_html_write(const char *path, const cli_html_input *h) {
  size_t len = strlen(path);
  char *tmp = malloc(len + 16);
  int fd, ok;
  FILE *f;
  page p;
  if (tmp == NULL) {
    cli_diag(NULL, "out of memory");
    return -1;
  }
  memcpy(tmp, path, len);
  memcpy(tmp + len, ".tmp.XXXXXX", 12);
  fd = mkstemp(tmp);
  if (fd < 0) {
    cli_diag_errno(path, "cannot create a temporary file beside", errno);
    free(tmp);
    return -1;
  }
  {
    /* mkstemp() makes the file 0600; give the report the mode a new file
     * would have (0666 less the umask). */
    mode_t mask = umask(022);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
  }
  f = fdopen(fd, "w");
  if (f == NULL) {
    cli_diag_errno(path, "cannot write", errno);
    close(fd);
    unlink(tmp);
    free(tmp);
    return -1;
  }
  p.f = f;
  p.h = h;
  p.svg_id = 0;
  p.have_model = 0;
  ok = write_page(&p) == 0;
  if (ok && (fflush(f) != 0 || ferror(f))) {
    cli_diag_errno(path, "cannot write", errno);
    ok = 0;
  }
  if (ok && fsync(fileno(f)) != 0) {
    cli_diag_errno(path, "cannot write", errno);
    ok = 0;
  }
  if (fclose(f) != 0 && ok) {
    cli_diag_errno(path, "cannot write", errno);
    ok = 0;
  }
  if (ok && rename(tmp, path) != 0) {
    cli_diag_errno(path, "cannot rename the temporary file onto", errno);
    ok = 0;
  }
  if (!ok) unlink(tmp);
  free(tmp);
  return ok ? 0 : -1;
}
