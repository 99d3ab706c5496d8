/* Aligned text tables for the cxm command's human output.
 *
 * Cells are copied in row by row; cli_table_print() pads every column to
 * its widest cell (counted in UTF-8 characters): the first column to the
 * left, the others, numbers, to the right. */
#ifndef CXM_CLI_TABLE_H
#define CXM_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

typedef struct cli_table cli_table;

/* A table of `columns` columns; NULL when out of memory. */
cli_table *cli_table_new(size_t columns);

/* Append a copy of `text` to the current row; a row is complete after
 * `columns` cells. Returns 0, or -1 when out of memory (then the table is
 * marked failed: later cells are refused and cli_table_print() fails). */
int cli_table_cell(cli_table *t, const char *text);

/* cli_table_cell() of printf-formatted text (at most 127 bytes). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int cli_table_cellf(cli_table *t, const char *format, ...);

/* Print `title` on its own line (when not NULL), then the rows, the first
 * one (the header) followed by a rule. Returns 0, or -1 (printing nothing)
 * for a NULL or failed table or when out of memory. */
int cli_table_print(const cli_table *t, FILE *out, const char *title);

/* Free a table. Accepts NULL. */
void cli_table_free(cli_table *t);

#endif
