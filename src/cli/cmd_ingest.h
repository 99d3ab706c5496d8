/* `cxm ingest --snapshot FILE EVENTS...`: add event files to a saved store
 * (docs/cli.md, "cxm ingest"). */
#ifndef CXM_CLI_INGEST_H
#define CXM_CLI_INGEST_H

/* Run `cxm ingest`; argv[0] is "ingest". Returns the exit status. */
int cli_ingest_main(int argc, char **argv);

#include "input.h"

/* For `cxm report --snapshot FILE [EVENTS...]`: *store receives the loaded
 * snapshot (the caller frees it), and the EVENTS files, if any, are read
 * into it on one thread. --from/--to cannot filter a snapshot's events and
 * are a usage error with it. Returns the exit status. */
int cli_report_snapshot(cxm_store **store, const cli_args *args, cli_input *in);

#endif
