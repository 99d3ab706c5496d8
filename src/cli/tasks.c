/* cli_run_tasks (tasks.h): a shared counter hands out task indexes; the
 * calling thread takes them too. */
#include "tasks.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct task_pool {
  cxm_task_fn task;
  void *arg;
  uint32_t count;
  atomic_uint next;
} task_pool;

static void *take_tasks(void *p) {
  task_pool *pool = p;
  for (;;) {
    uint32_t i = atomic_fetch_add(&pool->next, 1);
    if (i >= pool->count) return NULL;
    pool->task(pool->arg, i);
  }
}

void cli_run_tasks(void *user, cxm_task_fn task, void *arg, uint32_t count) {
  size_t threads = user != NULL ? *(const size_t *)user : 1, extra, j;
  pthread_t *ids = NULL;
  int *started = NULL;
  task_pool pool;
  pool.task = task;
  pool.arg = arg;
  pool.count = count;
  atomic_init(&pool.next, 0);
  extra = threads > 1 && count > 1 ? (threads - 1 < count - 1 ? threads - 1 : count - 1) : 0;
  if (extra > 0) {
    ids = calloc(extra, sizeof *ids);
    started = calloc(extra, sizeof *started);
    if (ids == NULL || started == NULL) extra = 0; /* every task on this thread */
  }
  for (j = 0; j < extra; j++) started[j] = pthread_create(&ids[j], NULL, take_tasks, &pool) == 0;
  (void)take_tasks(&pool);
  for (j = 0; j < extra; j++)
    if (started[j]) pthread_join(ids[j], NULL);
  free(ids);
  free(started);
}
