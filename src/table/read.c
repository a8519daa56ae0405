/* CSV reader for jc_table: RFC 4180 fields, header line, comments before it,
 * BOM, CRLF, blank lines, gzip, and errors that name FILE:LINE:COL.
 *
 * A small parser of our own rather than libcsv: libcsv hands its callbacks a
 * field's bytes but not where the field was, and every error here must name
 * its line and column (a quoted field may span lines, so lines cannot be
 * recounted afterwards without parsing twice). libcsv also copies each field
 * into its own buffer. This parser works in place on the whole file in
 * memory: unquoting only ever shortens a field, so a field is unescaped where
 * it lies and NUL-terminated over its delimiter, and the table's text cells
 * point straight into that one buffer, with no allocation per cell. */
#include "joulecast/table.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "table/table_internal.h"

typedef struct {
    const char *path; /* for messages */
    char *p, *end;    /* unread text; *end is a spare byte for a final NUL */
    long line;        /* 1-based line of *p */
} cursor;

/* How a field ended. */
enum { END_FIELD, END_ROW, END_FILE };

static int is_blank(char ch) { return ch == ' ' || ch == '\t'; }

/* At a line start: step over the line and return 1 when it is blank, or a
 * '#' comment and comments are still allowed (only before the header). */
static int skip_line(cursor *c, int comments)
{
    char *q = c->p;
    while (q < c->end && is_blank(*q))
        q++;
    if (q < c->end && *q == '\r' && (q + 1 == c->end || q[1] == '\n'))
        q++;
    if (q == c->end) {
        c->p = q;
        return 1;
    }
    if (*q == '\n') {
        c->p = q + 1;
        c->line++;
        return 1;
    }
    if (comments && *q == '#') {
        char *nl = memchr(q, '\n', (size_t)(c->end - q));
        c->p = nl ? nl + 1 : c->end;
        c->line += nl != NULL;
        return 1;
    }
    return 0;
}

/* One field starting at c->p: unquoted and trimmed in place, NUL-terminated,
 * returned as [*out, *out + *len). col (1-based) is for messages. */
static int parse_field(cursor *c, int col, char **out, size_t *len, int *how)
{
    char *p = c->p, *end = c->end, *s, *w;
    while (p < end && is_blank(*p))
        p++;
    if (p < end && *p == '"') {
        long open_line = c->line;
        s = w = ++p;
        for (;;) {
            char *q = memchr(p, '"', (size_t)(end - p));
            if (!q)
                return jc_fail_at(JC_ERR_PARSE, c->path, open_line, col,
                                  "quoted field is never closed (no matching '\"')");
            for (char *k = p; (k = memchr(k, '\n', (size_t)(q - k))) != NULL; k++)
                c->line++;
            if (w != p)
                memmove(w, p, (size_t)(q - p));
            w += q - p;
            p = q + 1;
            if (p < end && *p == '"') { /* a doubled quote stands for one */
                *w++ = '"';
                p++;
                continue;
            }
            break;
        }
        while (p < end && is_blank(*p))
            p++;
        if (p < end && *p != ',' && *p != '\n' && !(*p == '\r' && (p + 1 == end || p[1] == '\n'))) {
            unsigned char ch = (unsigned char)*p;
            if (ch > ' ' && ch < 127)
                return jc_fail_at(JC_ERR_PARSE, c->path, c->line, col,
                                  "unexpected '%c' after the closing quote of a field", ch);
            return jc_fail_at(JC_ERR_PARSE, c->path, c->line, col,
                              "unexpected byte 0x%02x after the closing quote of a field", ch);
        }
    } else {
        s = p;
        while (p < end && *p != ',' && *p != '\n')
            p++;
        w = p;
        if (w > s && w[-1] == '\r' && (p == end || *p == '\n')) /* CRLF, or a last CR */
            w--;
        while (w > s && is_blank(w[-1]))
            w--;
    }
    /* Classify the terminator before the NUL may overwrite it. */
    if (p == end) {
        *how = END_FILE;
    } else if (*p == ',') {
        *how = END_FIELD;
        p++;
    } else {
        if (*p == '\r')
            p++;
        if (p < end) {
            p++;
            c->line++;
            *how = END_ROW;
        } else {
            *how = END_FILE;
        }
    }
    *w = '\0';
    c->p = p;
    *out = s;
    *len = (size_t)(w - s);
    return JC_OK;
}

static int read_header(cursor *c, jc_table *t)
{
    long line = c->line;
    char **names = NULL;
    size_t cap = 0, n = 0;
    int rc, how;
    do {
        char *s;
        size_t len;
        if ((rc = parse_field(c, (int)n + 1, &s, &len, &how)) != JC_OK)
            goto done;
        if ((rc = jc_grow((void **)&names, &cap, n + 1, sizeof *names)) != JC_OK)
            goto done;
        names[n++] = s;
    } while (how == END_FIELD);
    if (n > (1 << 24)) {
        rc = jc_fail_at(JC_ERR_PARSE, c->path, line, 0, "%zu columns: too many", n);
        goto done;
    }
    /* Quadratic, but headers are short next to the rows that follow. */
    for (size_t j = 1; j < n; j++)
        for (size_t k = 0; k < j; k++)
            if (strcmp(names[j], names[k]) == 0) {
                rc = jc_fail_at(JC_ERR_PARSE, c->path, line, (long)j + 1,
                                "duplicate column name '%s': columns %zu and %zu", names[j], k + 1, j + 1);
                goto done;
            }
    for (size_t j = 0; j < n; j++) {
        int k = jc_table_internal_add_column(t, names[j], 1);
        if (k < 0) {
            rc = k;
            goto done;
        }
    }
    rc = JC_OK;
done:
    free(names);
    return rc;
}

static int read_rows(cursor *c, jc_table *t)
{
    /* Every row ends in a line break (or the end), so counting them bounds
     * the row count: one allocation instead of growing as we go. */
    size_t est = 1;
    for (char *k = c->p; (k = memchr(k, '\n', (size_t)(c->end - k))) != NULL; k++)
        est++;
    t->lines = malloc(t->cap_rows * sizeof *t->lines);
    if (!t->lines)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    int rc = jc_table_internal_reserve(t, est);
    if (rc)
        return rc;
    int ncols = t->ncols;
    while (c->p < c->end) {
        if (skip_line(c, 0))
            continue;
        if (t->nrows == t->cap_rows && (rc = jc_table_internal_reserve(t, t->cap_rows * 2)) != JC_OK)
            return rc;
        size_t i = t->nrows;
        long line = c->line;
        int nf = 0, how;
        do {
            char *s;
            size_t len;
            if ((rc = parse_field(c, nf + 1, &s, &len, &how)) != JC_OK)
                return rc;
            if (nf < ncols) {
                jc_table_column *col = &t->cols[nf];
                col->text[i] = s;
                /* Quoted content keeps its spaces as text, not as a number. */
                while (len && is_blank(s[len - 1]))
                    len--;
                while (len && is_blank(*s)) {
                    s++;
                    len--;
                }
                jc_table_internal_parse_number(s, len, &col->values[i]);
            }
            if (nf < INT_MAX) /* only a row of 2^31 fields could overflow */
                nf++;
        } while (how == END_FIELD);
        if (nf != ncols)
            return jc_fail_at(JC_ERR_PARSE, c->path, line, 0, "expected %d field%s, found %d", ncols,
                              ncols == 1 ? "" : "s", nf);
        t->lines[i] = line;
        t->nrows++;
    }
    return JC_OK;
}

/* Parse text[0, len) (text[len] must exist) into a new table that takes
 * ownership of text. */
static int parse(const char *name, char *text, size_t len, jc_table **out)
{
    *out = NULL;
    jc_table *t;
    int rc = jc_table_new(0, &t);
    if (rc) {
        free(text);
        return rc;
    }
    t->filebuf = text;
    t->source = jc_strdup(name);
    if (!t->source) {
        jc_table_free(t);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    text[len] = '\0';
    cursor c = {.path = t->source, .p = text, .end = text + len, .line = 1};
    /* A NUL byte means binary data (a model, an image, a zip), not a CSV. */
    char *nul = memchr(text, '\0', len);
    if (nul) {
        for (char *k = text; (k = memchr(k, '\n', (size_t)(nul - k))) != NULL; k++)
            c.line++;
        rc = jc_fail_at(JC_ERR_PARSE, t->source, c.line, 0, "binary data (a NUL byte at offset %zu), not a CSV file",
                        (size_t)(nul - text));
        goto fail;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        c.p += 3;
    while (c.p < c.end && skip_line(&c, 1))
        ;
    if (c.p == c.end) {
        rc = jc_fail_at(JC_ERR_EMPTY, t->source, 0, 0,
                        len ? "no header line (only blank or comment lines)" : "empty file");
        goto fail;
    }
    if ((rc = read_header(&c, t)) != JC_OK || (rc = read_rows(&c, t)) != JC_OK)
        goto fail;
    *out = t;
    return JC_OK;
fail:
    jc_table_free(t);
    return rc;
}

int jc_table_read_buffer(const char *name, const char *text, size_t len, jc_table **out)
{
    *out = NULL;
    if (!text && len)
        return jc_fail(JC_ERR_INVALID, "no text to read");
    char *copy = malloc(len + 1);
    if (!copy)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    if (len)
        memcpy(copy, text, len);
    return parse(name ? name : "<buffer>", copy, len, out);
}

/* Whole file into memory through zlib: gzread passes a plain file through and
 * decompresses one that starts with the gzip magic, whatever its name. */
static int slurp(const char *path, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    struct stat st;
    if (stat(path, &st) != 0)
        return jc_fail_at(JC_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return jc_fail_at(JC_ERR_IO, path, 0, 0, "is a directory, not a CSV file");
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return jc_fail_at(JC_ERR_IO, path, 0, 0, "cannot open: %s", errno ? strerror(errno) : "out of memory");
    gzbuffer(gz, 1 << 17);
    /* A plain file's size is the final size; a gzip one grows from there. */
    size_t cap = (size_t)st.st_size + 1 > (1 << 16) ? (size_t)st.st_size + 1 : (1 << 16), n = 0;
    char *buf = malloc(cap + 1);
    int rc = JC_OK;
    if (!buf) {
        gzclose(gz);
        return jc_fail(JC_ERR_NOMEM, "out of memory reading %s", path);
    }
    for (;;) {
        if (cap - n < (1 << 16)) {
            char *nb = cap < SIZE_MAX / 4 ? realloc(buf, cap * 2 + 1) : NULL;
            if (!nb) {
                rc = jc_fail(JC_ERR_NOMEM, "out of memory reading %s", path);
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t want = cap - n < (1u << 30) ? cap - n : (1u << 30);
        int k = gzread(gz, buf + n, (unsigned)want);
        int err = Z_OK;
        const char *msg = k <= 0 ? gzerror(gz, &err) : NULL;
        if (err == Z_BUF_ERROR) {
            /* Unlike a live trace, a dataset cut short is an error, not a
             * file to read what we can from. */
            rc = jc_fail_at(JC_ERR_IO, path, 0, 0, "truncated gzip data (the file ends inside the stream)");
            break;
        }
        if (k < 0 || err != Z_OK) {
            rc = jc_fail_at(JC_ERR_IO, path, 0, 0, "cannot read: %s", err == Z_ERRNO ? strerror(errno) : msg);
            break;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    gzclose(gz);
    if (rc) {
        free(buf);
        return rc;
    }
    *text = buf;
    *len = n;
    return JC_OK;
}

int jc_table_read_csv(const char *path, jc_table **out)
{
    *out = NULL;
    if (!path)
        return jc_fail(JC_ERR_INVALID, "no file to read");
    char *text;
    size_t len;
    int rc = slurp(path, &text, &len);
    if (rc)
        return rc;
    return parse(path, text, len, out);
}
