/* table: a column table of numbers and text, read from and written to CSV.
 * Datasets (one row per run), model inputs and prediction outputs pass through
 * it. Every cell keeps its text and, when it is one, its number; each column's
 * numbers are one contiguous array of double. The CSV dialect is in
 * docs/formats.md ("Dataset / generic CSV"). */
#ifndef JOULECAST_TABLE_H
#define JOULECAST_TABLE_H

#include <stddef.h>
#include "joulecast/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque; rows are numbered from 0 (size_t), columns from 0 (int). */
typedef struct jc_table jc_table;

/* ---- reading ----
 * RFC 4180 CSV: first non-blank, non-'#' line is the header; quoted fields may
 * hold commas, doubled quotes and line breaks; LF or CRLF line ends; a UTF-8
 * BOM is skipped; blank lines are skipped; '#' lines are comments only before
 * the header. Spaces and tabs around a field (outside quotes) are dropped.
 * gzip input is detected from content. A cell whose text is empty, NA, N/A,
 * NaN or null (any case) is missing: NaN. Other cells that are not decimal
 * numbers (or inf) are NaN too but keep their text, which
 * jc_table_require_numeric reports. Errors name FILE:LINE[:COL]: a row with a
 * different number of fields, a duplicate column name, an unclosed quote,
 * text after a closing quote, binary data, an empty file (JC_ERR_EMPTY). A
 * header with no rows is a table of 0 rows, not an error. */
int jc_table_read_csv(const char *path, jc_table **out);
/* The same from memory; name is used in messages (and as the source). */
int jc_table_read_buffer(const char *name, const char *text, size_t len, jc_table **out);

/* ---- looking ---- */
size_t jc_table_nrows(const jc_table *t);
int jc_table_ncols(const jc_table *t);
/* Column name, NULL when col is out of range. */
const char *jc_table_name(const jc_table *t, int col);
/* Index of the column called name (exact match), or -1. */
int jc_table_find(const jc_table *t, const char *name);
/* nrows numbers of column col (NaN where missing or not a number); NULL when
 * col is out of range. Valid until the table is changed or freed. */
const double *jc_table_column_values(const jc_table *t, int col);
/* A cell's text (as read, unquoted and trimmed, or as set). NULL for a cell of
 * a column added with jc_table_add_numeric (its number is the cell), and when
 * row or col is out of range. */
const char *jc_table_text(const jc_table *t, size_t row, int col);
/* The file the table was read from, NULL when built in memory. */
const char *jc_table_source(const jc_table *t);
/* File line where a row starts (1-based), 0 for rows added in memory. */
long jc_table_row_line(const jc_table *t, size_t row);

/* JC_OK when every cell of column col is a number or missing; otherwise
 * JC_ERR_PARSE with "FILE:LINE:COL: column 'x': expected a number, found
 * 'abc'" for the first offending cell. With JC_TABLE_NO_MISSING a missing
 * cell is an error too ("... column 'x': missing value"). */
#define JC_TABLE_NO_MISSING 1u
int jc_table_require_numeric(const jc_table *t, int col, unsigned flags);

/* ---- building ---- */
/* A table of nrows rows and no columns yet. */
int jc_table_new(size_t nrows, jc_table **out);
/* Append a column of numbers (copied from values[nrows]; NULL: all missing).
 * Its cells have no text; the writer prints them with %.17g and NaN as empty.
 * Returns the new column's index (>= 0) or a negative jc_status; a name already
 * in the table is JC_ERR_INVALID. */
int jc_table_add_numeric(jc_table *t, const char *name, const double *values);
/* Append a column of text (copied from cells[nrows], a NULL cell or array:
 * empty). Numbers are parsed from the text as when reading. Returns the index
 * or a negative jc_status. */
int jc_table_add_text(jc_table *t, const char *name, const char *const *cells);
/* Append count rows of missing cells (empty text in text columns). */
int jc_table_add_rows(jc_table *t, size_t count);
/* Set a cell's number. In a text column its text becomes the %.17g form
 * (empty for NaN), so the two never disagree. */
int jc_table_set_number(jc_table *t, size_t row, int col, double value);
/* Set a cell's text (copied) and its number parsed from it. Only for text
 * columns (JC_ERR_INVALID on a column added with jc_table_add_numeric). */
int jc_table_set_text(jc_table *t, size_t row, int col, const char *text);

/* ---- writing ----
 * Atomically (PATH.tmp.PID, then rename): a header, then one line per row, LF
 * line ends. Fields are quoted when they need it (comma, quote, line break,
 * leading or trailing space). Numbers of numeric columns are written with
 * %.17g, so they read back bit-identically; text cells are written as they
 * are. */
int jc_table_write_csv(const jc_table *t, const char *path);

void jc_table_free(jc_table *t);

#ifdef __cplusplus
}
#endif
#endif
