/* The command's cxm_run_tasks_fn (cxm/churn.h): independent tasks side by
 * side on POSIX threads, the library's (so that `cxm churn` lends it the
 * threads the library does not start itself) and the report's parts
 * (report_calc.c). */
#ifndef CXM_CLI_TASKS_H
#define CXM_CLI_TASKS_H

#include <stddef.h>
#include <stdint.h>

#include "cxm.h"

/* `user` points to a size_t: at most that many threads, the caller's
 * included (0 or 1: the tasks one after another on the calling thread).
 * A thread that cannot be started leaves its tasks to the others. */
void cli_run_tasks(void *user, cxm_task_fn task, void *arg, uint32_t count);

#endif
