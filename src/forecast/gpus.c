/* forecast/gpus.c: the GPU specification table (data/gpus.csv) and the
 * lookup from whatever name a user, NVML or a data set gives a card to its
 * row. Reading goes through the table module, so every complaint about the
 * file names FILE:LINE:COL; the matching rules are documented in forecast.h
 * (jc_gpu_find) and checked for clashes when the file is read, so a lookup
 * can never be ambiguous except where it says so. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "joulecast/forecast.h"
#include "joulecast/table.h"

/* One name a row answers to. */
typedef struct {
    char *text;  /* as written, trimmed */
    char *norm;  /* normal form (jc_gpu_find step 2) */
    int alias;   /* from the aliases column: literal matches only */
    int col;     /* file column it came from (0-based), for messages */
} gpu_name;

typedef struct {
    gpu_name *names;
    size_t n;
} gpu_names;

struct jc_gpu_table {
    char *path;
    size_t n;
    jc_gpu_spec *rows;
    gpu_names *names; /* n */
    long *lines;      /* n: file line of each row */
};

enum {
    C_GPU, C_NVML, C_ALIASES, C_ARCH, C_YEAR, C_TDP, C_IDLE, C_FP32, C_FP16, C_MEM, C_BW, C_NOTE, C_SOURCE, C_N
};
static const char *const column_names[C_N] = {
    "gpu",         "nvml_names",  "aliases",         "architecture",       "release_year",
    "tdp_w",       "idle_w",      "fp32_tflops",     "fp16_tensor_tflops", "memory_gb",
    "memory_bandwidth_gbs", "note", "source"};

/* ---- names ---- */

static int is_sep(int c) { return c == ' ' || c == '\t' || c == '-' || c == '_'; }

/* Past the vendor and brand words that some names carry and others do not
 * ("NVIDIA GeForce RTX 3090" and "GeForce RTX 3090" are one card). A word
 * only counts when something follows it, so a card called "Tesla" would
 * keep its name. */
static const char *strip_brand(const char *s)
{
    static const char *const brands[] = {"nvidia", "geforce", "tesla", "quadro"};
    while (is_sep((unsigned char)*s))
        s++;
    for (int again = 1; again;) {
        again = 0;
        for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++) {
            size_t n = strlen(brands[i]);
            if (strncasecmp(s, brands[i], n) == 0 && is_sep((unsigned char)s[n])) {
                s += n;
                while (is_sep((unsigned char)*s))
                    s++;
                again = 1;
            }
        }
    }
    return s;
}

/* Normal form: brands stripped, lower case, no separators. */
static char *normalise(const char *s)
{
    s = strip_brand(s);
    char *out = malloc(strlen(s) + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (; *s; s++)
        if (!is_sep((unsigned char)*s))
            out[k++] = (char)tolower((unsigned char)*s);
    out[k] = '\0';
    return out;
}

/* Case-insensitive equality of two trimmed names (step 1). */
static int same_literal(const char *a, const char *b)
{
    while (isspace((unsigned char)*a))
        a++;
    size_t na = strlen(a);
    while (na && isspace((unsigned char)a[na - 1]))
        na--;
    return strlen(b) == na && strncasecmp(a, b, na) == 0;
}

/* Length of the word at s (up to a separator or the end). */
static size_t word_len(const char *s)
{
    size_t n = 0;
    while (s[n] && !is_sep((unsigned char)s[n]))
        n++;
    return n;
}

/* Every word of query begins some word of name ("H100 PCIe" in
 * "NVIDIA H100 PCIe", "A100 80GB" in "A100-SXM4-80GB"). */
static int words_begin(const char *query, const char *name)
{
    const char *q = strip_brand(query), *nm = strip_brand(name);
    if (!*q)
        return 0;
    while (*q) {
        size_t qn = word_len(q);
        int found = 0;
        for (const char *w = nm; *w && !found;) {
            size_t wn = word_len(w);
            if (wn >= qn && strncasecmp(w, q, qn) == 0)
                found = 1;
            w += wn;
            while (is_sep((unsigned char)*w))
                w++;
        }
        if (!found)
            return 0;
        q += qn;
        while (is_sep((unsigned char)*q))
            q++;
    }
    return 1;
}

/* Normal form q is a prefix or a suffix of n. */
static int affix(const char *q, const char *n)
{
    size_t lq = strlen(q), ln = strlen(n);
    return lq <= ln && (strncmp(n, q, lq) == 0 || strcmp(n + ln - lq, q) == 0);
}

/* Edit distance of two short strings; a large number when either is too
 * long to bother (only used to suggest names). */
static size_t edit_distance(const char *a, const char *b)
{
    enum { MAXLEN = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la > MAXLEN || lb > MAXLEN)
        return (size_t)-1;
    size_t row[MAXLEN + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* ---- loading ---- */

static void free_names(gpu_names *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->names[i].text);
        free(g->names[i].norm);
    }
    free(g->names);
    g->names = NULL;
    g->n = 0;
}

/* Append the '|'-separated names of cell to g. */
static int add_names(gpu_names *g, const char *cell, int alias, int col)
{
    const char *p = cell ? cell : "";
    while (*p) {
        size_t n = strcspn(p, "|");
        const char *s = p, *e = p + n;
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (e > s) {
            gpu_name *grown = realloc(g->names, (g->n + 1) * sizeof *grown);
            if (!grown)
                return jc_fail(JC_ERR_NOMEM, "out of memory reading GPU names");
            g->names = grown;
            gpu_name *nm = &g->names[g->n];
            nm->text = malloc((size_t)(e - s) + 1);
            if (!nm->text)
                return jc_fail(JC_ERR_NOMEM, "out of memory reading GPU names");
            memcpy(nm->text, s, (size_t)(e - s));
            nm->text[e - s] = '\0';
            nm->norm = normalise(nm->text);
            if (!nm->norm) {
                free(nm->text);
                return jc_fail(JC_ERR_NOMEM, "out of memory reading GPU names");
            }
            nm->alias = alias;
            nm->col = col;
            g->n++;
        }
        p += n;
        if (*p == '|')
            p++;
    }
    return JC_OK;
}

static char *dup_cell(const jc_table *t, size_t row, int col)
{
    const char *s = col >= 0 ? jc_table_text(t, row, col) : NULL;
    return jc_strdup(s ? s : "");
}

/* A number of column c at row r: NaN when missing, else finite and > 0. */
static int positive(const jc_table *t, const char *path, size_t r, int c, double *out)
{
    double v = jc_table_column_values(t, c)[r];
    if (!isnan(v) && !(isfinite(v) && v > 0))
        return jc_fail_at(JC_ERR_PARSE, path, jc_table_row_line(t, r), c + 1,
                          "column '%s': expected a positive number or nothing, found '%s'", jc_table_name(t, c),
                          jc_table_text(t, r, c));
    *out = v;
    return JC_OK;
}

/* Two rows answering to one name would make jc_gpu_find depend on row order;
 * the file is refused instead, at the second occurrence. */
static int check_clashes(const jc_gpu_table *g, const char *path, const int *filecol)
{
    for (size_t i = 1; i < g->n; i++)
        for (size_t a = 0; a < g->names[i].n; a++) {
            const gpu_name *x = &g->names[i].names[a];
            for (size_t j = 0; j < i; j++)
                for (size_t b = 0; b < g->names[j].n; b++) {
                    const gpu_name *y = &g->names[j].names[b];
                    int literal = same_literal(x->text, y->text);
                    int normal = !x->alias && !y->alias && strcmp(x->norm, y->norm) == 0;
                    if (literal || normal)
                        return jc_fail_at(JC_ERR_PARSE, path, g->lines[i], filecol[x->col] + 1,
                                          "GPU '%s': name '%s' %s GPU '%s' (line %ld) already answers to ('%s')",
                                          g->rows[i].gpu, x->text,
                                          literal ? "is one" : "is, ignoring case, brand words, spaces and dashes, one",
                                          g->rows[j].gpu, g->lines[j], y->text);
                }
        }
    return JC_OK;
}

static int load_rows(jc_gpu_table *g, const jc_table *t, const char *path)
{
    int col[C_N];
    for (int c = 0; c < C_N; c++) {
        col[c] = jc_table_find(t, column_names[c]);
        /* aliases is optional: a table written before it existed still reads */
        if (col[c] < 0 && c != C_ALIASES)
            return jc_fail_at(JC_ERR_PARSE, path, 1, 0, "no column '%s' in the header (data/gpus.md lists the columns)",
                              column_names[c]);
    }
    static const int numeric[] = {C_YEAR, C_TDP, C_IDLE, C_FP32, C_FP16, C_MEM, C_BW};
    for (size_t k = 0; k < sizeof numeric / sizeof numeric[0]; k++) {
        int rc = jc_table_require_numeric(t, col[numeric[k]], 0);
        if (rc)
            return rc;
    }
    size_t n = jc_table_nrows(t);
    if (n == 0)
        return jc_fail_at(JC_ERR_EMPTY, path, 0, 0, "a header and no GPUs");
    g->rows = calloc(n, sizeof *g->rows);
    g->names = calloc(n, sizeof *g->names);
    g->lines = calloc(n, sizeof *g->lines);
    if (!g->rows || !g->names || !g->lines)
        return jc_fail(JC_ERR_NOMEM, "out of memory reading %s", path);
    for (size_t r = 0; r < n; r++) {
        jc_gpu_spec *s = &g->rows[r];
        g->n = r + 1; /* so that a failure part way frees what was made */
        g->lines[r] = jc_table_row_line(t, r);
        s->gpu = dup_cell(t, r, col[C_GPU]);
        s->architecture = dup_cell(t, r, col[C_ARCH]);
        s->note = dup_cell(t, r, col[C_NOTE]);
        s->source = dup_cell(t, r, col[C_SOURCE]);
        s->nvml_names = dup_cell(t, r, col[C_NVML]);
        s->aliases = dup_cell(t, r, col[C_ALIASES]);
        if (!s->gpu || !s->architecture || !s->note || !s->source || !s->nvml_names || !s->aliases)
            return jc_fail(JC_ERR_NOMEM, "out of memory reading %s", path);
        if (!s->gpu[0])
            return jc_fail_at(JC_ERR_PARSE, path, g->lines[r], col[C_GPU] + 1, "column 'gpu': a row with no name");
        if (!s->source[0])
            return jc_fail_at(JC_ERR_PARSE, path, g->lines[r], col[C_SOURCE] + 1,
                              "column 'source': GPU '%s' has no source (every figure must say where it comes from)",
                              s->gpu);
        double year = jc_table_column_values(t, col[C_YEAR])[r];
        if (!isnan(year) && !(year >= 1990 && year <= 2100 && year == floor(year)))
            return jc_fail_at(JC_ERR_PARSE, path, g->lines[r], col[C_YEAR] + 1,
                              "column 'release_year': expected a year, found '%s'", jc_table_text(t, r, col[C_YEAR]));
        s->release_year = isnan(year) ? 0 : (int)year;
        struct {
            int c;
            double *dst;
        } nums[] = {{C_TDP, &s->tdp_w},     {C_IDLE, &s->idle_w}, {C_FP32, &s->fp32_tflops},
                    {C_FP16, &s->fp16_tensor_tflops}, {C_MEM, &s->memory_gb}, {C_BW, &s->memory_bandwidth_gbs}};
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
            int rc = positive(t, path, r, col[nums[k].c], nums[k].dst);
            if (rc)
                return rc;
        }
        int rc = add_names(&g->names[r], s->gpu, 0, C_GPU);
        if (!rc)
            rc = add_names(&g->names[r], s->nvml_names, 0, C_NVML);
        if (!rc)
            rc = add_names(&g->names[r], s->aliases, 1, C_ALIASES);
        if (rc)
            return rc;
    }
    return check_clashes(g, path, col);
}

int jc_gpu_table_load(const char *path, jc_gpu_table **out)
{
    *out = NULL;
    char shipped[4096];
    if (!path) {
        int rc = jc_data_path("gpus.csv", shipped, sizeof shipped);
        if (rc)
            return rc;
        path = shipped;
    }
    jc_table *t = NULL;
    int rc = jc_table_read_csv(path, &t);
    if (rc)
        return rc;
    jc_gpu_table *g = calloc(1, sizeof *g);
    if (!g || !(g->path = jc_strdup(path))) {
        free(g);
        jc_table_free(t);
        return jc_fail(JC_ERR_NOMEM, "out of memory reading %s", path);
    }
    rc = load_rows(g, t, path);
    jc_table_free(t);
    if (rc) {
        jc_gpu_table_free(g);
        return rc;
    }
    *out = g;
    return JC_OK;
}

size_t jc_gpu_table_count(const jc_gpu_table *t) { return t ? t->n : 0; }

const jc_gpu_spec *jc_gpu_table_at(const jc_gpu_table *t, size_t i)
{
    return t && i < t->n ? &t->rows[i] : NULL;
}

const char *jc_gpu_table_path(const jc_gpu_table *t) { return t ? t->path : NULL; }

void jc_gpu_table_free(jc_gpu_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        jc_gpu_spec *s = &t->rows[i];
        free(s->gpu);
        free(s->architecture);
        free(s->note);
        free(s->source);
        free(s->nvml_names);
        free(s->aliases);
        if (t->names)
            free_names(&t->names[i]);
    }
    free(t->rows);
    free(t->names);
    free(t->lines);
    free(t->path);
    free(t);
}

/* ---- finding ---- */

/* The names of the rows flagged in hit, into buf: "a, b or c" when the
 * reader is to choose one (last: " or "), a plain list otherwise. */
static void list_rows(const jc_gpu_table *t, const unsigned char *hit, const char *last, char *buf, size_t size)
{
    size_t total = 0, k = 0, used = 0;
    for (size_t i = 0; i < t->n; i++)
        total += hit[i] != 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->n && used + 1 < size; i++) {
        if (!hit[i])
            continue;
        const char *sep = k == 0 ? "" : k + 1 == total ? last : ", ";
        int w = snprintf(buf + used, size - used, "%s%s", sep, t->rows[i].gpu);
        if (w < 0)
            break;
        used += (size_t)w < size - used ? (size_t)w : size - used - 1;
        k++;
    }
}

static const jc_gpu_spec *not_found(const jc_gpu_table *t, const char *name, const char *norm)
{
    unsigned char *hit = calloc(t->n ? t->n : 1, 1);
    char list[768];
    if (!hit) {
        jc_fail(JC_ERR_NOMEM, "out of memory");
        return NULL;
    }
    /* Near misses first ("rtx 3909", "A10O"); a name far from all of them
     * gets the whole list, which is short. */
    size_t limit = strlen(norm) / 4 > 2 ? strlen(norm) / 4 : 2, near = 0;
    for (size_t i = 0; i < t->n; i++)
        for (size_t a = 0; a < t->names[i].n && !hit[i]; a++)
            if (!t->names[i].names[a].alias && edit_distance(norm, t->names[i].names[a].norm) <= limit) {
                hit[i] = 1;
                near++;
            }
    if (near) {
        list_rows(t, hit, " or ", list, sizeof list);
        jc_fail(JC_ERR_INVALID, "no GPU called '%s' in %s; did you mean %s?", name, t->path, list);
    } else {
        memset(hit, 1, t->n);
        list_rows(t, hit, ", ", list, sizeof list);
        jc_fail(JC_ERR_INVALID, "no GPU called '%s' in %s (known: %s)", name, t->path, list);
    }
    free(hit);
    return NULL;
}

const jc_gpu_spec *jc_gpu_find(const jc_gpu_table *t, const char *name)
{
    if (!t || !name) {
        jc_fail(JC_ERR_INVALID, "jc_gpu_find: no table or no name");
        return NULL;
    }
    /* 1. as written: aliases are data-set labels and only match this way */
    for (size_t i = 0; i < t->n; i++)
        for (size_t a = 0; a < t->names[i].n; a++)
            if (same_literal(name, t->names[i].names[a].text))
                return &t->rows[i];
    char *norm = normalise(name);
    if (!norm) {
        jc_fail(JC_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (!norm[0]) {
        free(norm);
        jc_fail(JC_ERR_INVALID, "an empty GPU name ('%s')", name);
        return NULL;
    }
    /* 2. normal forms, unique across rows by construction */
    for (size_t i = 0; i < t->n; i++)
        for (size_t a = 0; a < t->names[i].n; a++)
            if (!t->names[i].names[a].alias && strcmp(norm, t->names[i].names[a].norm) == 0) {
                free(norm);
                return &t->rows[i];
            }
    /* 3. partial; below 3 characters everything would match something */
    unsigned char *hit = calloc(t->n ? t->n : 1, 1);
    if (!hit) {
        free(norm);
        jc_fail(JC_ERR_NOMEM, "out of memory");
        return NULL;
    }
    size_t nhit = 0, last = 0;
    if (strlen(norm) >= 3)
        for (size_t i = 0; i < t->n; i++)
            for (size_t a = 0; a < t->names[i].n && !hit[i]; a++) {
                const gpu_name *nm = &t->names[i].names[a];
                if (!nm->alias && (affix(norm, nm->norm) || words_begin(name, nm->text))) {
                    hit[i] = 1;
                    nhit++;
                    last = i;
                }
            }
    const jc_gpu_spec *found = NULL;
    if (nhit == 1) {
        found = &t->rows[last];
    } else if (nhit > 1) {
        char list[768];
        list_rows(t, hit, " or ", list, sizeof list);
        jc_fail(JC_ERR_INVALID, "'%s' could be %s: give the full name", name, list);
    } else {
        not_found(t, name, norm);
    }
    free(hit);
    free(norm);
    return found;
}
