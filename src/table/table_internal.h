/* The table module's storage, shared by its files (table.c: building, looking,
 * writing; read.c: the CSV reader). Not part of the public API. */
#ifndef JC_TABLE_INTERNAL_H
#define JC_TABLE_INTERNAL_H

#include "joulecast/table.h"

typedef struct {
    char *name;
    double *values;    /* cap_rows; NaN where missing or not a number */
    const char **text; /* cap_rows; NULL for a numeric column (no text kept) */
} jc_table_column;

/* Text set after reading lives in these blocks, so a cell never owns its own
 * allocation and freeing the table is a walk over a short list. */
typedef struct jc_table_chunk {
    struct jc_table_chunk *next;
    size_t used, cap;
    char data[];
} jc_table_chunk;

struct jc_table {
    char *source;          /* file read from, NULL when built in memory */
    size_t nrows, cap_rows;
    int ncols, cap_cols;
    jc_table_column *cols;
    long *lines;           /* cap_rows file lines, NULL when no row came from a file */
    char *filebuf;         /* the CSV text; cells read from it point into it */
    jc_table_chunk *arena;
};

/* Number in the trimmed text [s, s+n), where s[n] is not a digit, sign, point
 * or letter (a NUL, space or tab): 1 and *out set when it is a decimal number
 * or inf, 0 (and NaN) when it is missing (empty, NA, N/A, NaN, null), -1 (and
 * NaN) otherwise. */
int jc_table_internal_parse_number(const char *s, size_t n, double *out);
/* Make room for cap rows in every column (and in lines when present). */
int jc_table_internal_reserve(jc_table *t, size_t cap);
/* Append a column without checking the name; with_text: keep text cells
 * (set to ""). The name is copied. Returns the index or a negative status. */
int jc_table_internal_add_column(jc_table *t, const char *name, int with_text);

#endif
