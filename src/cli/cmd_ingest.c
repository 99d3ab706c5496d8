/* `cxm ingest` (see ingest.h and docs/cli.md): load the snapshot (or start
 * an empty store when the file does not exist yet), read the event files
 * into it through the same reader as `cxm report`, and save it atomically
 * (cxm_store_save: a temporary file renamed over the old one). Event ids
 * are kept in the snapshot, so an event read again is a duplicate. */
#include "cmd_ingest.h"

#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cxm.h"
#include "diag.h"
#include "input.h"
#include "output.h"

static const char help_text[] =
    "Usage: cxm ingest --snapshot FILE [OPTIONS] EVENTS...\n"
    "\n"
    "Add the events of every EVENTS file (docs/events.md) to the store saved in\n"
    "FILE (docs/snapshot.md), created when FILE does not exist, and save it\n"
    "again atomically. Event ids are kept, so a file read again adds nothing\n"
    "but duplicates. Then `cxm report --snapshot FILE` reports from it.\n"
    "\n"
    "Options:\n"
    "  --snapshot FILE    the saved store (required)\n"
    "  --from TIME        keep events at or after TIME\n"
    "  --to TIME          keep events before TIME\n"
    "  --strict           stop at the first bad row; nothing is saved\n"
    "  -h, --help         show this help and exit\n"
    "  --version          show the version and exit\n"
    "\n"
    "Prints one line: the rows read, the events added, rejected and duplicate\n"
    "rows, and the snapshot's events and customers.\n"
    "\n"
    "Exit status: 0 success; 1 when the snapshot cannot be loaded or saved,\n"
    "nothing could be read, --strict met a bad row (nothing saved), or, after\n"
    "saving, a file could not be read, no row was accepted or --max-rejected\n"
    "was passed; 2 for a usage error.\n";

int cli_report_snapshot(cxm_store **store, const cli_args *args, cli_input *in) {
  *store = NULL;
  if (args->from != INT64_MIN || args->to != INT64_MAX) {
    cli_diag_usage("report", "--from and --to cannot filter the events of", "--snapshot");
    return CLI_EXIT_USAGE;
  }
  if (cli_snapshot_load(store, args->dialect.snapshot, 0) != 0) return CLI_EXIT_FAILURE;
  return args->file_count > 0 ? cli_read_events(*store, args, in) : CLI_EXIT_OK;
}

int cli_ingest_main(int argc, char **argv) {
  cli_args args;
  cli_input in;
  cxm_store *store = NULL;
  cxm_store_stats stats;
  int status = cli_args_parse(&args, argc, argv);
  int32_t rc;
  if (status != CLI_EXIT_OK) {
    cli_args_free(&args);
    return status;
  }
  if (args.help || args.version) {
    if (args.help) {
      cli_stdout_puts(help_text);
      cli_stdout_puts(cli_dialect_help);
    } else {
      printf("cxm %s\n", cxm_version_string());
    }
    cli_args_free(&args);
    return cli_stdout_close() != 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
  }
  if (args.dialect.snapshot == NULL || args.file_count == 0) {
    cli_diag_usage("ingest", args.dialect.snapshot == NULL ? "--snapshot FILE is required" : "no EVENTS files", NULL);
    cli_args_free(&args);
    return CLI_EXIT_USAGE;
  }
  if (args.json || args.by_count > 0 || args.holidays != NULL || args.utc_offset != 0 || args.threads > 1) {
    cli_diag_usage("ingest", "--json, --by, --utc-offset, --holidays and --threads are options of", "report");
    cli_args_free(&args);
    return CLI_EXIT_USAGE;
  }
  if (cli_snapshot_load(&store, args.dialect.snapshot, 1) != 0) {
    cli_args_free(&args);
    return CLI_EXIT_FAILURE;
  }
  memset(&in, 0, sizeof in);
  status = cli_read_events(store, &args, &in);
  if (status == CLI_EXIT_OK) {
    rc = cxm_store_save(store, args.dialect.snapshot);
    if (rc != CXM_OK) {
      char msg[160];
      snprintf(msg, sizeof msg, "cannot save the snapshot (%s); the file is as it was", cxm_status_str(rc));
      cli_diag(args.dialect.snapshot, msg);
      status = CLI_EXIT_FAILURE;
    }
  }
  if (status == CLI_EXIT_OK) {
    memset(&stats, 0, sizeof stats);
    stats.size = sizeof stats;
    if (cxm_store_stats_get(&stats, store) == CXM_OK) {
      printf(
          "ingest: %llu rows, %llu events added, %llu rejected, %llu duplicates; snapshot: %llu events, %llu "
          "customers\n",
          (unsigned long long)in.rows, (unsigned long long)in.events, (unsigned long long)in.rejected,
          (unsigned long long)in.duplicates, (unsigned long long)stats.events, (unsigned long long)stats.customers);
    }
    status = in.verdict;
  }
  if (cli_stdout_close() != 0) {
    status = CLI_EXIT_FAILURE;
  }
  cxm_store_free(store);
  cli_args_free(&args);
  return status;
}
