/* Reading event files into a store for the subcommands (docs/cli.md):
 * CSV, or JSON Lines when the name ends in .jsonl, `-` for standard input,
 * streamed through the library's reader in 64 KiB chunks, one diagnostic
 * line per bad row. */
#ifndef CXM_CLI_INPUT_H
#define CXM_CLI_INPUT_H

#include <stdint.h>

#include "args.h"
#include "cxm.h"

/* Totals over every file. */
typedef struct cli_input {
  uint64_t rows;
  uint64_t events;
  uint64_t rejected;
  uint64_t duplicates;
  uint64_t out_of_window;
  uint64_t warnings;
  /* CLI_EXIT_FAILURE when a file could not be read, no row was accepted or
   * --max-rejected was passed (each reported on standard error): the
   * report is still printed, then the command exits with it. */
  int verdict;
} cli_input;

/* Read every file of `args` (window, strictness) into `store`, adding to
 * `in`. Returns the exit status: CLI_EXIT_OK to go on and print, else
 * CLI_EXIT_FAILURE (nothing could be read, --strict stopped, no memory). */
int cli_read_events(cxm_store *store, const cli_args *args, cli_input *in);

/* A new store (*store; NULL when it cannot be made) read from `files` over
 * all time with the default dialect, on cli_default_threads() threads, as
 * `cxm retention` and `cxm drivers` read theirs; `in` is zeroed first. Returns cli_read_events()'s status,
 * or CLI_EXIT_FAILURE after "out of memory". Free *store either way. */
int cli_read_store(cxm_store **store, char **files, size_t file_count, int strict, cli_input *in);

/* The thread count without --threads: the processors online, at most 8
 * (docs/cli.md, "Reading on several threads"). */
size_t cli_default_threads(void);

/* cli_read_events() with args->threads > 1: each regular file is cut into
 * that many byte ranges and a short last one at record boundaries, each
 * range read into its own store by the next free thread, and the stores
 * merged in file order as they are read
 * (cxm_store_merge), with diagnostics and counters identical to a reading
 * on one thread. `*store` must be a store fresh from cxm_store_new(options)
 * (`options` may be NULL); it may be replaced by another store made with
 * the same options. Standard input, other special files, --strict and a
 * range that fails to read go through cli_read_events()'s path; so does a
 * file whose event id repeats across ranges (or in an earlier file), after
 * one line on standard error. */
int cli_read_events_threads(cxm_store **store, const cxm_store_options *options, const cli_args *args, cli_input *in);

/* `cxm: NAME: WHAT: strerror(err)` on standard error. */
void cli_diag_errno(const char *name, const char *what, int err);

#endif
