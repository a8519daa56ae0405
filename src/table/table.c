/* The column table itself: storage, building cell by cell, the number parser
 * shared with the reader, the numeric checks callers make before fitting, and
 * the atomic CSV writer. The CSV reader is in read.c. */
#include "joulecast/table.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table/table_internal.h"

/* ---------- numbers ---------- */

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_missing_token(const char *s, size_t n)
{
    return (n == 2 && strncasecmp(s, "NA", 2) == 0) || (n == 3 && strncasecmp(s, "N/A", 3) == 0) ||
           (n == 3 && strncasecmp(s, "NaN", 3) == 0) || (n == 4 && strncasecmp(s, "null", 4) == 0);
}

int jc_table_internal_parse_number(const char *s, size_t n, double *out)
{
    *out = NAN;
    if (n == 0 || (!is_digit(s[0]) && is_missing_token(s, n)))
        return 0;
    const char *p = s, *e = s + n;
    int neg = 0;
    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    /* C programs print a negative NaN as "-nan"; still a missing value. */
    if (e - p == 3 && strncasecmp(p, "nan", 3) == 0)
        return 0;
    if ((e - p == 3 && strncasecmp(p, "inf", 3) == 0) || (e - p == 8 && strncasecmp(p, "infinity", 8) == 0)) {
        *out = neg ? -INFINITY : INFINITY;
        return 1;
    }
    /* Validate the syntax ourselves: strtod would also take hex ("0x1A") and
     * "nan(...)", which in a dataset are text, not numbers. */
    uint64_t mant = 0;
    int ndig = 0, frac = 0;
    while (p < e && is_digit(*p)) {
        if (ndig < 19)
            mant = mant * 10 + (uint64_t)(*p - '0');
        ndig++;
        p++;
    }
    if (p < e && *p == '.') {
        p++;
        while (p < e && is_digit(*p)) {
            if (ndig < 19)
                mant = mant * 10 + (uint64_t)(*p - '0');
            ndig++;
            frac++;
            p++;
        }
    }
    if (ndig == 0)
        return -1;
    long exp10 = 0;
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0;
        if (p < e && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p == e || !is_digit(*p))
            return -1;
        while (p < e && is_digit(*p)) {
            if (exp10 < 100000)
                exp10 = exp10 * 10 + (*p - '0');
            p++;
        }
        if (eneg)
            exp10 = -exp10;
    }
    if (p != e)
        return -1;
    /* Clinger's fast path: an integer mantissa below 2^53 and a power of ten
     * up to 1e22 are both exact doubles, so one multiplication or division
     * rounds correctly. This covers nearly every cell and is what makes
     * %.17g output read back bit-identically without strtod's cost. */
    long e10 = exp10 - frac;
    if (ndig <= 19 && mant <= (UINT64_C(1) << 53) && e10 >= -22 && e10 <= 22) {
        double v = (double)mant;
        v = e10 < 0 ? v / pow10_exact[-e10] : v * pow10_exact[e10];
        *out = neg ? -v : v;
        return 1;
    }
    /* The syntax is checked, and s[n] ends the number, so strtod stops at e.
     * (strtod follows LC_NUMERIC; joulecast never calls setlocale.) */
    *out = strtod(s, NULL);
    return 1;
}

/* ---------- storage ---------- */

static const char empty_text[] = "";

/* Copy [s, s+n) into the table's arena as a NUL-terminated string. */
static const char *arena_copy(jc_table *t, const char *s, size_t n)
{
    jc_table_chunk *c = t->arena;
    if (!c || c->cap - c->used < n + 1) {
        size_t cap = n + 1 > 65536 ? n + 1 : 65536;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = t->arena;
        t->arena = c;
    }
    char *d = c->data + c->used;
    memcpy(d, s, n);
    d[n] = '\0';
    c->used += n + 1;
    return d;
}

int jc_table_internal_reserve(jc_table *t, size_t cap)
{
    if (cap <= t->cap_rows)
        return JC_OK;
    if (cap > SIZE_MAX / sizeof(double))
        return jc_fail(JC_ERR_NOMEM, "table of %zu rows is too large", cap);
    for (int j = 0; j < t->ncols; j++) {
        jc_table_column *c = &t->cols[j];
        double *v = realloc(c->values, cap * sizeof *v);
        if (!v)
            return jc_fail(JC_ERR_NOMEM, "out of memory for %zu rows", cap);
        c->values = v;
        if (c->text) {
            const char **x = realloc(c->text, cap * sizeof *x);
            if (!x)
                return jc_fail(JC_ERR_NOMEM, "out of memory for %zu rows", cap);
            c->text = x;
        }
    }
    if (t->lines) {
        long *l = realloc(t->lines, cap * sizeof *l);
        if (!l)
            return jc_fail(JC_ERR_NOMEM, "out of memory for %zu rows", cap);
        t->lines = l;
    }
    t->cap_rows = cap;
    return JC_OK;
}

int jc_table_internal_add_column(jc_table *t, const char *name, int with_text)
{
    if (t->ncols == t->cap_cols) {
        if (t->cap_cols > (1 << 24))
            return jc_fail(JC_ERR_INVALID, "too many columns");
        int cap = t->cap_cols ? t->cap_cols * 2 : 8;
        jc_table_column *c = realloc(t->cols, (size_t)cap * sizeof *c);
        if (!c)
            return jc_fail(JC_ERR_NOMEM, "out of memory");
        t->cols = c;
        t->cap_cols = cap;
    }
    /* Columns share one row capacity; allocate at least one row so that
     * every column's arrays exist even in an empty table. */
    size_t cap = t->cap_rows ? t->cap_rows : 1;
    jc_table_column col = {0};
    col.name = jc_strdup(name);
    col.values = malloc(cap * sizeof *col.values);
    if (with_text)
        col.text = malloc(cap * sizeof *col.text);
    if (!col.name || !col.values || (with_text && !col.text)) {
        free(col.name);
        free(col.values);
        free(col.text);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < t->nrows; i++) {
        col.values[i] = NAN;
        if (with_text)
            col.text[i] = empty_text;
    }
    t->cap_rows = cap;
    t->cols[t->ncols] = col;
    return t->ncols++;
}

void jc_table_free(jc_table *t)
{
    if (!t)
        return;
    for (int j = 0; j < t->ncols; j++) {
        free(t->cols[j].name);
        free(t->cols[j].values);
        free(t->cols[j].text);
    }
    free(t->cols);
    free(t->lines);
    free(t->filebuf);
    free(t->source);
    for (jc_table_chunk *c = t->arena, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(t);
}

/* ---------- looking ---------- */

size_t jc_table_nrows(const jc_table *t) { return t ? t->nrows : 0; }
int jc_table_ncols(const jc_table *t) { return t ? t->ncols : 0; }
const char *jc_table_source(const jc_table *t) { return t ? t->source : NULL; }

static int col_ok(const jc_table *t, int col) { return t && col >= 0 && col < t->ncols; }

const char *jc_table_name(const jc_table *t, int col) { return col_ok(t, col) ? t->cols[col].name : NULL; }

int jc_table_find(const jc_table *t, const char *name)
{
    if (!t || !name)
        return -1;
    for (int j = 0; j < t->ncols; j++)
        if (strcmp(t->cols[j].name, name) == 0)
            return j;
    return -1;
}

const double *jc_table_column_values(const jc_table *t, int col)
{
    return col_ok(t, col) ? t->cols[col].values : NULL;
}

const char *jc_table_text(const jc_table *t, size_t row, int col)
{
    if (!col_ok(t, col) || row >= t->nrows || !t->cols[col].text)
        return NULL;
    return t->cols[col].text[row];
}

long jc_table_row_line(const jc_table *t, size_t row)
{
    return t && t->lines && row < t->nrows ? t->lines[row] : 0;
}

/* An error about one cell: at FILE:LINE:COL when the row came from a file,
 * else by row number. */
static int cell_error(const jc_table *t, size_t row, int col, const char *what, const char *found)
{
    long line = jc_table_row_line(t, row);
    const char *name = t->cols[col].name;
    char shown[64] = "";
    /* Long or multi-line cells are cut: the message must stay one line. */
    if (found) {
        size_t n = strcspn(found, "\r\n");
        int cut = found[n] != '\0' || n > 40;
        snprintf(shown, sizeof shown, "%.*s%s", (int)(n > 40 ? 40 : n), found, cut ? "..." : "");
    }
    if (t->source && line > 0) {
        if (found)
            return jc_fail_at(JC_ERR_PARSE, t->source, line, col + 1, "column '%s': %s, found '%s'", name, what,
                              shown);
        return jc_fail_at(JC_ERR_PARSE, t->source, line, col + 1, "column '%s': %s", name, what);
    }
    if (found)
        return jc_fail(JC_ERR_PARSE, "row %zu, column %d ('%s'): %s, found '%s'", row + 1, col + 1, name, what,
                       shown);
    return jc_fail(JC_ERR_PARSE, "row %zu, column %d ('%s'): %s", row + 1, col + 1, name, what);
}

int jc_table_require_numeric(const jc_table *t, int col, unsigned flags)
{
    if (!col_ok(t, col))
        return jc_fail(JC_ERR_INVALID, "no column %d in a table of %d", col, jc_table_ncols(t));
    const jc_table_column *c = &t->cols[col];
    for (size_t i = 0; i < t->nrows; i++) {
        if (!isnan(c->values[i]))
            continue;
        /* NaN is either a missing cell or text that is not a number; the text
         * tells which (a numeric column's NaN is always missing). */
        int missing = 1;
        if (c->text) {
            const char *s = c->text[i];
            size_t n = strlen(s);
            while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
            while (n && (*s == ' ' || *s == '\t')) {
                s++;
                n--;
            }
            double v;
            missing = jc_table_internal_parse_number(s, n, &v) == 0;
        }
        if (!missing)
            return cell_error(t, i, col, "expected a number", c->text[i]);
        if (flags & JC_TABLE_NO_MISSING)
            return cell_error(t, i, col, "missing value", NULL);
    }
    return JC_OK;
}

/* ---------- building ---------- */

int jc_table_new(size_t nrows, jc_table **out)
{
    *out = NULL;
    jc_table *t = calloc(1, sizeof *t);
    if (!t)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    t->nrows = nrows;
    t->cap_rows = nrows;
    *out = t;
    return JC_OK;
}

static int check_new_name(const jc_table *t, const char *name)
{
    if (!t || !name)
        return jc_fail(JC_ERR_INVALID, "no table or no column name");
    int j = jc_table_find(t, name);
    if (j >= 0)
        return jc_fail(JC_ERR_INVALID, "column '%s' already exists (column %d)", name, j + 1);
    return JC_OK;
}

int jc_table_add_numeric(jc_table *t, const char *name, const double *values)
{
    int rc = check_new_name(t, name);
    if (rc)
        return rc;
    int j = jc_table_internal_add_column(t, name, 0);
    if (j < 0)
        return j;
    if (values)
        memcpy(t->cols[j].values, values, t->nrows * sizeof *values);
    return j;
}

/* Store a copy of text in a text cell and its number. */
static int store_text(jc_table *t, size_t row, int col, const char *text)
{
    jc_table_column *c = &t->cols[col];
    size_t n = strlen(text);
    const char *s = n ? arena_copy(t, text, n) : empty_text;
    if (!s)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    c->text[row] = s;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    jc_table_internal_parse_number(s, n, &c->values[row]);
    return JC_OK;
}

int jc_table_add_text(jc_table *t, const char *name, const char *const *cells)
{
    int rc = check_new_name(t, name);
    if (rc)
        return rc;
    int j = jc_table_internal_add_column(t, name, 1);
    if (j < 0)
        return j;
    for (size_t i = 0; i < t->nrows; i++) {
        if (cells && cells[i])
            rc = store_text(t, i, j, cells[i]);
        if (rc)
            return rc; /* the column stays, partly filled; the caller frees the table */
    }
    return j;
}

int jc_table_add_rows(jc_table *t, size_t count)
{
    if (!t)
        return jc_fail(JC_ERR_INVALID, "no table");
    if (count > SIZE_MAX / 2 - t->nrows)
        return jc_fail(JC_ERR_NOMEM, "too many rows");
    size_t need = t->nrows + count;
    if (need > t->cap_rows) {
        size_t cap = t->cap_rows ? t->cap_rows : 16;
        while (cap < need)
            cap *= 2;
        int rc = jc_table_internal_reserve(t, cap);
        if (rc)
            return rc;
    }
    for (int j = 0; j < t->ncols; j++)
        for (size_t i = t->nrows; i < need; i++) {
            t->cols[j].values[i] = NAN;
            if (t->cols[j].text)
                t->cols[j].text[i] = empty_text;
        }
    if (t->lines)
        for (size_t i = t->nrows; i < need; i++)
            t->lines[i] = 0;
    t->nrows = need;
    return JC_OK;
}

static int cell_ok(const jc_table *t, size_t row, int col)
{
    if (!col_ok(t, col))
        return jc_fail(JC_ERR_INVALID, "no column %d in a table of %d", col, jc_table_ncols(t));
    if (row >= t->nrows)
        return jc_fail(JC_ERR_INVALID, "no row %zu in a table of %zu", row, t->nrows);
    return JC_OK;
}

int jc_table_set_number(jc_table *t, size_t row, int col, double value)
{
    int rc = cell_ok(t, row, col);
    if (rc)
        return rc;
    jc_table_column *c = &t->cols[col];
    if (c->text) {
        char buf[40] = "";
        if (!isnan(value))
            snprintf(buf, sizeof buf, "%.17g", value);
        rc = store_text(t, row, col, buf);
        if (rc)
            return rc;
    }
    c->values[row] = value;
    return JC_OK;
}

int jc_table_set_text(jc_table *t, size_t row, int col, const char *text)
{
    int rc = cell_ok(t, row, col);
    if (rc)
        return rc;
    if (!t->cols[col].text)
        return jc_fail(JC_ERR_INVALID, "column '%s' holds numbers only; it takes no text", t->cols[col].name);
    return store_text(t, row, col, text ? text : "");
}

/* ---------- writing ---------- */

/* Quote what the reader would otherwise split, trim or skip. */
static int needs_quotes(const char *s, int only_field, int first_of_header)
{
    if (!*s)
        return only_field; /* a lone empty field would be a blank line, skipped */
    if (s[0] == ' ' || s[0] == '\t' || (first_of_header && s[0] == '#'))
        return 1;
    size_t n = strlen(s);
    if (s[n - 1] == ' ' || s[n - 1] == '\t')
        return 1;
    return strpbrk(s, ",\"\r\n") != NULL;
}

static void write_field(FILE *f, const char *s, int only_field, int first_of_header)
{
    if (!needs_quotes(s, only_field, first_of_header)) {
        fputs(s, f);
        return;
    }
    putc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', f);
        putc(*s, f);
    }
    putc('"', f);
}

int jc_table_write_csv(const jc_table *t, const char *path)
{
    if (!t || !path)
        return jc_fail(JC_ERR_INVALID, "no table or no path to write");
    if (t->ncols == 0)
        return jc_fail(JC_ERR_INVALID, "%s: a table with no columns cannot be written as CSV", path);
    jc_atomic_file *af;
    FILE *f;
    int rc = jc_atomic_open(path, &af, &f);
    if (rc)
        return rc;
    int only = t->ncols == 1;
    for (int j = 0; j < t->ncols; j++) {
        if (j)
            putc(',', f);
        write_field(f, t->cols[j].name, only, j == 0);
    }
    putc('\n', f);
    for (size_t i = 0; i < t->nrows; i++) {
        for (int j = 0; j < t->ncols; j++) {
            const jc_table_column *c = &t->cols[j];
            if (j)
                putc(',', f);
            if (c->text)
                write_field(f, c->text[i], only, 0);
            else if (!isnan(c->values[i]))
                fprintf(f, "%.17g", c->values[i]);
            else if (only)
                fputs("\"\"", f);
        }
        putc('\n', f);
    }
    return jc_atomic_commit(af);
}
