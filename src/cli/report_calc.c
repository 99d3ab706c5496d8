/* The report's computation after the read (see report_calc.h). */
#include "report_calc.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "tasks.h"

enum part_kind { PART_GROUP, PART_OPERATIONS, PART_LOOP, PART_BACKLOG, PART_OVERALL };

/* One independent part of the computation: it writes only its own members
 * of the result. */
typedef struct part {
  enum part_kind kind;
  size_t dim;   /* PART_GROUP: the index into `by` */
  int32_t rc;   /* its cxm status */
  int reported; /* a diagnostic was printed already (slice tests) */
} part;

typedef struct pool {
  cli_report_calc *c;
  const cli_report_calc_in *in;
  part *parts;
} pool;

static void run_part(part *p, cli_report_calc *c, const cli_report_calc_in *in) {
  const cli_slices *s = &c->slices;
  size_t k;
  switch (p->kind) {
  case PART_GROUP:
    p->rc = cxm_store_group_experience(&c->groups[p->dim], in->store, NULL, in->by[p->dim], in->options);
    if (p->rc == CXM_OK && cli_slice_tests_run(&c->tests[p->dim], c->groups[p->dim], in->slice) != 0) {
      p->rc = CXM_E_NOMEM; /* any status: the diagnostic is out */
      p->reported = 1;
    }
    break;
  case PART_OPERATIONS:
    c->ops = malloc(s->count * sizeof *c->ops);
    if (c->ops == NULL) {
      p->rc = CXM_E_NOMEM;
      break;
    }
    for (k = 0; k < s->count; k++) c->ops[k].size = sizeof c->ops[k];
    p->rc = cxm_store_operations_each(c->ops, s->filters, s->count, in->store, in->operations);
    break;
  case PART_LOOP:
    c->loops = malloc(s->count * sizeof *c->loops);
    if (c->loops == NULL) {
      p->rc = CXM_E_NOMEM;
      break;
    }
    for (k = 0; k < s->count; k++) c->loops[k].size = sizeof c->loops[k];
    p->rc = cxm_store_loop_each(c->loops, s->filters, s->count, in->store, in->loop);
    break;
  case PART_BACKLOG: p->rc = cli_backlogs_query(&c->backlogs, in->store, s->filters, s->count, in->operations); break;
  case PART_OVERALL:
    p->rc = cxm_store_survey(&c->overall_survey, in->store, NULL);
    if (p->rc == CXM_OK) p->rc = cli_experience_compute(&c->overall, in->store, NULL, in->options);
    break;
  }
}

/* A cli_run_tasks() task: part `index`. */
static void part_task(void *arg, uint32_t index) {
  pool *w = arg;
  run_part(&w->parts[index], w->c, w->in);
}

int cli_report_calc_run(cli_report_calc *c, const cli_report_calc_in *in) {
  part parts[CXM_BY_COUNT + 4];
  pool w;
  size_t n = 0, j, d;
  int32_t rc;
  memset(c, 0, sizeof *c);
  rc = cli_slices_of(&c->slices, in->store, in->by, in->by_count);
  if (rc != CXM_OK) {
    cli_diag(NULL, cxm_status_str(rc));
    return -1;
  }
  /* The parts, the longest first, so that the threads that take them in
   * turn end close together: on the 10 M-event benchmark file the
   * operations took 0.43 s, the loop 0.38 s, the backlog 0.19 s, a
   * dimension's grouped experience 0.17 s and the overall experience
   * 0.15 s (one thread, --by channel). */
  parts[n++] = (part){PART_OPERATIONS, 0, CXM_OK, 0};
  parts[n++] = (part){PART_LOOP, 0, CXM_OK, 0};
  parts[n++] = (part){PART_BACKLOG, 0, CXM_OK, 0};
  for (d = 0; d < in->by_count && d < CXM_BY_COUNT; d++) parts[n++] = (part){PART_GROUP, d, CXM_OK, 0};
  parts[n++] = (part){PART_OVERALL, 0, CXM_OK, 0};
  w.c = c;
  w.in = in;
  w.parts = parts;
  /* Taken in turn by up to in->threads threads, this one included. */
  size_t threads = in->threads;
  cli_run_tasks(&threads, part_task, &w, (uint32_t)n);
  /* The first failure in the parts' order is the one reported. */
  for (j = 0; j < n; j++) {
    if (parts[j].rc == CXM_OK) continue;
    if (!parts[j].reported) cli_diag(NULL, cxm_status_str(parts[j].rc));
    cli_report_calc_free(c);
    return -1;
  }
  return 0;
}

void cli_report_calc_free(cli_report_calc *c) {
  size_t d;
  for (d = 0; d < CXM_BY_COUNT; d++) {
    cli_slice_tests_free(&c->tests[d]);
    cxm_groups_free(c->groups[d]);
  }
  free(c->ops);
  free(c->loops);
  cli_backlogs_free(&c->backlogs);
  cli_slices_free(&c->slices);
  memset(c, 0, sizeof *c);
}
