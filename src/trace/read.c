/* Trace readers: joulecast's own CSV and nvidia-smi --format=csv output, plain
 * or gzip-compressed. Real logs are damaged (cut-off last lines, [N/A],
 * [Not Supported], stray bytes): a damaged line is skipped and counted, never
 * fatal, unless the caller asks for strict reading. The parser works on the
 * whole file in memory with hand-written number and timestamp parsing,
 * because ingest speed is a stated goal (see bench/bench_seaa.c). */
#include "joulecast/trace.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "trace/trace_internal.h"

#define MAX_COLUMNS 64

/* What a column holds, decided from its header name (or guessed). */
typedef enum {
    COL_EXTRA = 0,  /* any other numeric field: kept under its name */
    COL_TIME,
    COL_POWER,
    COL_GPU_INDEX,
    COL_GPU_UUID,
    COL_GPU_NAME,
    COL_IGNORE      /* text fields we do not keep (driver version, pstate...) */
} col_kind;

typedef struct {
    col_kind kind;
    int field;      /* index into tr->field_names for COL_EXTRA */
    int power_rank; /* preference among power columns: instant > draw > average */
} column;

typedef struct {
    const char *name;   /* file name for messages */
    jc_trace *tr;
    const jc_trace_read_opts *opts;
    column cols[MAX_COLUMNS];
    int ncols;
    int time_col, power_col, id_col, name_col;
    double *rowbuf;     /* extra fields of the current row */
    int last_gpu;       /* cache: consecutive rows are often the same GPU */
    int have_t0;
} reader;

/* ---------- small parsers ---------- */

static const double pow10_table[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
                                     1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

/* Parse a number in [s, e) that may carry a unit suffix (" W", " %", " MiB",
 * " MHz", " C"). Returns 1 with *out set, 0 when the field is a placeholder
 * ([N/A], [Not Supported], empty, N/A) and -1 when it is not a number. */
static int parse_number(const char *s, const char *e, double *out)
{
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    if (s == e || *s == '[' || (e - s == 3 && strncasecmp(s, "N/A", 3) == 0))
        return 0;
    const char *p = s;
    int neg = 0;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    /* Fast path: plain decimals with up to 18 digits are exact as integer
     * mantissa / power of ten (one correctly rounded division). */
    uint64_t mant = 0;
    int digits = 0, frac = 0;
    const char *q = p;
    while (q < e && *q >= '0' && *q <= '9' && digits < 18) {
        mant = mant * 10 + (uint64_t)(*q - '0');
        q++;
        digits++;
    }
    if (q < e && *q == '.') {
        q++;
        while (q < e && *q >= '0' && *q <= '9' && digits < 18) {
            mant = mant * 10 + (uint64_t)(*q - '0');
            q++;
            digits++;
            frac++;
        }
    }
    double v;
    if (digits > 0 && (q == e || *q == ' ' || isalpha((unsigned char)*q) || *q == '%')) {
        v = (double)mant / pow10_table[frac];
        if (neg)
            v = -v;
    } else {
        /* Exponents, long mantissas, inf/nan: let strtod decide. */
        char tmp[64];
        size_t len = (size_t)(e - s);
        if (len >= sizeof tmp)
            return -1;
        memcpy(tmp, s, len);
        tmp[len] = '\0';
        char *end;
        errno = 0;
        v = strtod(tmp, &end);
        if (end == tmp || errno == ERANGE)
            return -1;
        q = s + (end - tmp);
    }
    /* Whatever follows must be a unit: a space then letters or %. */
    while (q < e && *q == ' ')
        q++;
    while (q < e && (isalpha((unsigned char)*q) || *q == '%'))
        q++;
    if (q != e || !isfinite(v))
        return -1;
    *out = v;
    return 1;
}

static int two_digits(const char *p)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* "2023/03/08 17:52:45.737" or "2022-12-05 09:55:42.535" (also 'T' between
 * date and time, and no fraction) -> seconds since 1970 as written (nvidia-smi
 * prints local time without a zone). Returns 0 on success. */
static int parse_timestamp(const char *s, const char *e, double *out)
{
    while (s < e && *s == ' ')
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\r'))
        e--;
    if (e - s < 19)
        return -1;
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    char sep = s[4];
    if ((sep != '-' && sep != '/') || s[7] != sep || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':')
        return -1;
    int mon = two_digits(s + 5), day = two_digits(s + 8);
    int hh = two_digits(s + 11), mm = two_digits(s + 14), ss = two_digits(s + 17);
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return -1;
    double fracsec = 0;
    const char *p = s + 19;
    if (p < e && *p == '.') {
        p++;
        double scale = 0.1;
        if (p == e)
            return -1;
        while (p < e && *p >= '0' && *p <= '9') {
            fracsec += (*p - '0') * scale;
            scale *= 0.1;
            p++;
        }
    }
    if (p != e)
        return -1;
    int64_t days = jc_days_from_civil(year, (unsigned)mon, (unsigned)day);
    *out = (double)(days * 86400 + hh * 3600 + mm * 60 + ss) + fracsec;
    return 0;
}

/* ---------- trace building ---------- */

static int add_field(jc_trace *tr, const char *name)
{
    char **p = realloc(tr->field_names, (tr->nfields + 1) * sizeof *p);
    if (!p)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    tr->field_names = p;
    p[tr->nfields] = jc_strdup(name);
    if (!p[tr->nfields])
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    return (int)tr->nfields++;
}

int jc_trace_internal_gpu(jc_trace *tr, const char *id, size_t idlen, int *out)
{
    for (size_t i = 0; i < tr->ngpu; i++)
        if (strlen(tr->gpus[i].id) == idlen && memcmp(tr->gpus[i].id, id, idlen) == 0) {
            *out = (int)i;
            return JC_OK;
        }
    jc_trace_gpu *g = realloc(tr->gpus, (tr->ngpu + 1) * sizeof *g);
    if (!g)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    tr->gpus = g;
    memset(&g[tr->ngpu], 0, sizeof *g);
    g[tr->ngpu].id = malloc(idlen + 1);
    if (!g[tr->ngpu].id)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    memcpy(g[tr->ngpu].id, id, idlen);
    g[tr->ngpu].id[idlen] = '\0';
    *out = (int)tr->ngpu++;
    return JC_OK;
}

int jc_trace_internal_append(jc_trace *tr, int gi, double t, double power, const double *fields)
{
    jc_trace_gpu *g = &tr->gpus[gi];
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 1024;
        double *nt = realloc(g->t, cap * sizeof *nt);
        if (nt)
            g->t = nt;
        double *np = realloc(g->power_w, cap * sizeof *np);
        if (np)
            g->power_w = np;
        double *nf = g->fields;
        if (tr->nfields) {
            nf = realloc(g->fields, cap * tr->nfields * sizeof *nf);
            if (nf)
                g->fields = nf;
        }
        if (!nt || !np || (tr->nfields && !nf))
            return jc_fail(JC_ERR_NOMEM, "out of memory holding %zu samples", cap);
        g->cap = cap;
    }
    g->t[g->n] = t;
    g->power_w[g->n] = power;
    if (tr->nfields)
        memcpy(g->fields + g->n * tr->nfields, fields, tr->nfields * sizeof *fields);
    g->n++;
    return JC_OK;
}

/* ---------- header interpretation ---------- */

/* Lower-case, alphanumerics kept, everything else one '_': "utilization.gpu"
 * -> "utilization_gpu". */
static void sanitize(const char *s, size_t len, char *out, size_t cap)
{
    size_t k = 0;
    int pend = 0;
    for (size_t i = 0; i < len && k + 2 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c)) {
            if (pend && k > 0)
                out[k++] = '_';
            pend = 0;
            out[k++] = (char)tolower(c);
        } else {
            pend = 1;
        }
    }
    out[k] = '\0';
}

static const char *unit_suffix(const char *unit)
{
    if (!strcasecmp(unit, "W")) return "_w";
    if (!strcasecmp(unit, "%")) return "_pct";
    if (!strcasecmp(unit, "MiB")) return "_mib";
    if (!strcasecmp(unit, "MHz")) return "_mhz";
    if (!strcasecmp(unit, "C")) return "_c";
    if (!strcasecmp(unit, "J")) return "_j";
    if (!strcasecmp(unit, "mJ")) return "_mj";
    return "";
}

/* Name of one header cell, e.g. "power.draw [W]" -> key "power_draw", unit "W". */
static void split_header(const char *s, size_t len, char *key, size_t keycap, char *unit, size_t unitcap)
{
    const char *br = memchr(s, '[', len);
    unit[0] = '\0';
    if (br) {
        const char *end = memchr(br, ']', len - (size_t)(br - s));
        if (end) {
            size_t ul = (size_t)(end - br - 1);
            if (ul >= unitcap)
                ul = unitcap - 1;
            memcpy(unit, br + 1, ul);
            unit[ul] = '\0';
        }
        len = (size_t)(br - s);
    }
    sanitize(s, len, key, keycap);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static col_kind classify(const char *key, int *power_rank)
{
    *power_rank = 0;
    if (!strcmp(key, "timestamp") || !strcmp(key, "time") || !strcmp(key, "time_s") ||
        !strcmp(key, "date_time"))
        return COL_TIME;
    if (!strcmp(key, "index") || !strcmp(key, "gpu_index") || !strcmp(key, "gpu"))
        return COL_GPU_INDEX;
    if (!strcmp(key, "uuid") || !strcmp(key, "gpu_uuid"))
        return COL_GPU_UUID;
    if (!strcmp(key, "name") || !strcmp(key, "gpu_name"))
        return COL_GPU_NAME;
    /* nvidia-smi: power.draw (1 s average on recent GPUs), power.draw.instant,
     * power.draw.average; people's own headers: gpu_power_draw, power_draw_w. */
    if (strstr(key, "power") && strstr(key, "draw")) {
        if (strstr(key, "instant"))
            *power_rank = 3;
        else if (strstr(key, "average"))
            *power_rank = 1;
        else
            *power_rank = 2;
        return COL_POWER;
    }
    if (!strcmp(key, "power_w") || !strcmp(key, "power"))
        return (*power_rank = 2), COL_POWER;
    if (!strcmp(key, "driver_version") || !strcmp(key, "pstate") || !strcmp(key, "pci_bus_id") ||
        !strcmp(key, "serial") || !strcmp(key, "vbios_version") || ends_with(key, "_mode") ||
        !strcmp(key, "compute_mode"))
        return COL_IGNORE;
    return COL_EXTRA;
}

/* Split a line at commas into [start,end) pairs; returns the field count. */
static int split_fields(const char *s, const char *e, const char **fs, const char **fe, int max)
{
    int n = 0;
    const char *p = s;
    for (;;) {
        const char *c = memchr(p, ',', (size_t)(e - p));
        if (n == max)
            return max + 1;
        fs[n] = p;
        fe[n] = c ? c : e;
        n++;
        if (!c)
            break;
        p = c + 1;
    }
    return n;
}

static int looks_like_header(const char *s, const char *e)
{
    /* A header has no digits-only cells and starts with a letter. */
    while (s < e && *s == ' ')
        s++;
    return s < e && isalpha((unsigned char)*s) && strncasecmp(s, "GPU-", 4) != 0 &&
           strncasecmp(s, "NVIDIA", 6) != 0 && strncasecmp(s, "Tesla", 5) != 0;
}

static int setup_columns_from_names(reader *r, int n, const char **fs, const char **fe, long line)
{
    r->ncols = n;
    r->time_col = r->power_col = r->id_col = r->name_col = -1;
    int best_rank = 0;
    for (int i = 0; i < n; i++) {
        char key[128], unit[32];
        split_header(fs[i], (size_t)(fe[i] - fs[i]), key, sizeof key, unit, sizeof unit);
        int rank;
        col_kind k = classify(key, &rank);
        r->cols[i].kind = k;
        r->cols[i].field = -1;
        r->cols[i].power_rank = rank;
        if (k == COL_TIME && r->time_col < 0)
            r->time_col = i;
        else if (k == COL_POWER && rank > best_rank) {
            best_rank = rank;
            r->power_col = i;
        } else if ((k == COL_GPU_INDEX || k == COL_GPU_UUID) && r->id_col < 0)
            r->id_col = i;
        else if (k == COL_GPU_NAME && r->name_col < 0)
            r->name_col = i;
    }
    /* Every numeric column that is not time/power/id is kept as an extra
     * field, the other power readings included. */
    for (int i = 0; i < n; i++) {
        if (i == r->time_col || i == r->power_col || i == r->id_col || i == r->name_col)
            continue;
        col_kind k = r->cols[i].kind;
        if (k == COL_IGNORE || k == COL_GPU_NAME || k == COL_GPU_UUID || k == COL_TIME)
            continue;
        char key[128], unit[32], fname[160];
        split_header(fs[i], (size_t)(fe[i] - fs[i]), key, sizeof key, unit, sizeof unit);
        if (!key[0])
            snprintf(key, sizeof key, "column%d", i + 1);
        const char *suf = unit_suffix(unit);
        if (*suf && ends_with(key, suf))
            suf = "";
        snprintf(fname, sizeof fname, "%s%s", key, suf);
        r->cols[i].kind = COL_EXTRA;
        int fi = add_field(r->tr, fname);
        if (fi < 0)
            return fi;
        r->cols[i].field = fi;
    }
    if (r->power_col < 0) {
        return jc_fail_at(JC_ERR_PARSE, r->name, line, 0,
                          "no power column: expected one named power.draw (or power.draw.instant, "
                          "power.draw.average, power_w, ..._power_draw)");
    }
    return JC_OK;
}

/* No header: take the field list from the options, or guess from the first
 * data line (the timestamp's shape, the first " W" value, a GPU-uuid). */
static int setup_columns_headerless(reader *r, const char *s, const char *e, long line)
{
    const char *fs[MAX_COLUMNS + 1], *fe[MAX_COLUMNS + 1];
    if (r->opts && r->opts->columns) {
        const char *c = r->opts->columns;
        int n = split_fields(c, c + strlen(c), fs, fe, MAX_COLUMNS);
        if (n > MAX_COLUMNS)
            return jc_fail(JC_ERR_INVALID, "too many columns in '%s' (at most %d)", c, MAX_COLUMNS);
        return setup_columns_from_names(r, n, fs, fe, line);
    }
    int n = split_fields(s, e, fs, fe, MAX_COLUMNS);
    if (n > MAX_COLUMNS)
        return jc_fail_at(JC_ERR_PARSE, r->name, line, 0, "more than %d fields", MAX_COLUMNS);
    r->ncols = n;
    r->time_col = r->power_col = r->id_col = r->name_col = -1;
    for (int i = 0; i < n; i++) {
        double v;
        const char *a = fs[i], *b = fe[i];
        while (a < b && *a == ' ')
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\r'))
            b--;
        r->cols[i].kind = COL_IGNORE;
        r->cols[i].field = -1;
        if (r->time_col < 0 && parse_timestamp(a, b, &v) == 0) {
            r->time_col = i;
            r->cols[i].kind = COL_TIME;
        } else if (r->power_col < 0 && b - a > 2 && b[-1] == 'W' && b[-2] == ' ' && parse_number(a, b, &v) == 1) {
            r->power_col = i;
            r->cols[i].kind = COL_POWER;
        } else if (r->id_col < 0 && strncmp(a, "GPU-", 4) == 0) {
            r->id_col = i;
            r->cols[i].kind = COL_GPU_UUID;
        }
    }
    if (r->power_col < 0)
        return jc_fail_at(JC_ERR_PARSE, r->name, line, 0,
                          "no header and no power value with a ' W' unit: cannot tell which "
                          "column is power; pass the --query-gpu field list (--columns)");
    return JC_OK;
}

/* ---------- the readers ---------- */

static void note_skip(reader *r, long line, const char *why, size_t *counter)
{
    jc_trace_read_stats *st = &r->tr->stats;
    st->skipped++;
    (*counter)++;
    if (!st->first_skipped_line) {
        st->first_skipped_line = line;
        snprintf(st->first_skipped_reason, sizeof st->first_skipped_reason, "%s", why);
    }
}

/* One data line. Returns JC_OK (kept or skipped) or a hard error. */
static int parse_line(reader *r, const char *s, const char *e, long line)
{
    jc_trace *tr = r->tr;
    const char *fs[MAX_COLUMNS + 1], *fe[MAX_COLUMNS + 1];
    int n = split_fields(s, e, fs, fe, MAX_COLUMNS);
    tr->stats.lines++;
    int strict = r->opts && r->opts->strict;
    if (n != r->ncols) {
        if (strict)
            return jc_fail_at(JC_ERR_PARSE, r->name, line, 0, "expected %d fields, found %d", r->ncols, n);
        note_skip(r, line, n < r->ncols ? "too few fields (line cut off)" : "too many fields",
                  &tr->stats.skipped_truncated);
        return JC_OK;
    }
    double t = 0;
    if (r->time_col >= 0) {
        if (tr->format == JC_TRACE_JOULECAST) {
            if (parse_number(fs[r->time_col], fe[r->time_col], &t) != 1) {
                if (strict)
                    return jc_fail_at(JC_ERR_PARSE, r->name, line, 1, "expected a time in seconds");
                note_skip(r, line, "bad time", &tr->stats.skipped_time);
                return JC_OK;
            }
        } else if (parse_timestamp(fs[r->time_col], fe[r->time_col], &t) != 0) {
            if (strict)
                return jc_fail_at(JC_ERR_PARSE, r->name, line, 0,
                                  "expected a timestamp like 2023/03/08 17:52:45.737");
            note_skip(r, line, "bad timestamp", &tr->stats.skipped_time);
            return JC_OK;
        }
    } else {
        /* No time column: sample number times the interval (1 s if unknown). */
        t = (double)tr->stats.samples * (tr->interval_s > 0 ? tr->interval_s : 1.0);
    }
    double p;
    int pr = parse_number(fs[r->power_col], fe[r->power_col], &p);
    if (pr != 1 || p < 0) {
        if (strict)
            return jc_fail_at(JC_ERR_PARSE, r->name, line, 0, "expected a power value in W");
        note_skip(r, line, pr == 0 ? "power not available" : "bad power value", &tr->stats.skipped_power);
        return JC_OK;
    }
    for (int i = 0; i < r->ncols; i++) {
        if (r->cols[i].kind != COL_EXTRA)
            continue;
        double v;
        if (parse_number(fs[i], fe[i], &v) != 1)
            v = NAN;
        r->rowbuf[r->cols[i].field] = v;
    }
    /* Which GPU: by index/uuid column, else the only one. */
    int gi = 0;
    if (r->id_col >= 0) {
        const char *a = fs[r->id_col], *b = fe[r->id_col];
        while (a < b && *a == ' ')
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\r'))
            b--;
        if (a == b) {
            note_skip(r, line, "no GPU id", &tr->stats.skipped_truncated);
            return JC_OK;
        }
        jc_trace_gpu *last = r->last_gpu >= 0 ? &tr->gpus[r->last_gpu] : NULL;
        if (last && strlen(last->id) == (size_t)(b - a) && memcmp(last->id, a, (size_t)(b - a)) == 0) {
            gi = r->last_gpu;
        } else {
            int rc = jc_trace_internal_gpu(tr, a, (size_t)(b - a), &gi);
            if (rc)
                return rc;
        }
    } else if (tr->ngpu == 0) {
        int rc = jc_trace_internal_gpu(tr, "0", 1, &gi);
        if (rc)
            return rc;
    }
    r->last_gpu = gi;
    jc_trace_gpu *g = &tr->gpus[gi];
    if (!g->name && r->name_col >= 0) {
        const char *a = fs[r->name_col], *b = fe[r->name_col];
        while (a < b && *a == ' ')
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\r'))
            b--;
        g->name = malloc((size_t)(b - a) + 1);
        if (!g->name)
            return jc_fail(JC_ERR_NOMEM, "out of memory");
        memcpy(g->name, a, (size_t)(b - a));
        g->name[b - a] = '\0';
    }
    if (tr->format == JC_TRACE_NVSMI) {
        if (!r->have_t0) {
            tr->t0_unix = t;
            r->have_t0 = 1;
        }
        t -= tr->t0_unix;
    }
    if (g->n > 0 && t < g->t[g->n - 1]) {
        return jc_fail_at(JC_ERR_PARSE, r->name, line, 0,
                          "time goes backwards for GPU %s (%.3f s after %.3f s): samples must be in "
                          "time order",
                          g->id, t, g->t[g->n - 1]);
    }
    int rc = jc_trace_internal_append(tr, gi, t, p, r->rowbuf);
    if (rc)
        return rc;
    tr->stats.samples++;
    return JC_OK;
}

static int parse_text(reader *r, const char *text, size_t len)
{
    jc_trace *tr = r->tr;
    tr->stats.bytes = len;
    const char *p = text, *end = text + len;
    long line = 0;
    int have_cols = 0;
    /* A NUL byte means binary data, not a CSV. */
    if (memchr(text, '\0', len < 4096 ? len : 4096))
        return jc_fail_at(JC_ERR_PARSE, r->name, 1, 0, "binary data, not a CSV trace");
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        const char *s = p, *e = le;
        p = nl ? nl + 1 : end;
        if (e > s && e[-1] == '\r')
            e--;
        if (line == 1 && e - s >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            s += 3; /* UTF-8 byte-order mark */
        const char *q = s;
        while (q < e && (*q == ' ' || *q == '\t'))
            q++;
        if (q == e || *q == '#')
            continue;
        if (!have_cols) {
            int rc, is_header = looks_like_header(s, e);
            if (is_header) {
                const char *fs[MAX_COLUMNS + 1], *fe[MAX_COLUMNS + 1];
                int n = split_fields(s, e, fs, fe, MAX_COLUMNS);
                if (n > MAX_COLUMNS)
                    return jc_fail_at(JC_ERR_PARSE, r->name, line, 0, "more than %d columns", MAX_COLUMNS);
                rc = setup_columns_from_names(r, n, fs, fe, line);
            } else if (tr->format == JC_TRACE_JOULECAST) {
                return jc_fail_at(JC_ERR_PARSE, r->name, line, 0, "expected the header time_s,gpu,power_w,...");
            } else {
                rc = setup_columns_headerless(r, s, e, line);
            }
            if (rc)
                return rc;
            have_cols = 1;
            r->rowbuf = calloc(tr->nfields + 1, sizeof *r->rowbuf);
            if (!r->rowbuf)
                return jc_fail(JC_ERR_NOMEM, "out of memory");
            if (is_header)
                continue;
        }
        int rc = parse_line(r, s, e, line);
        if (rc)
            return rc;
    }
    if (!have_cols)
        return jc_fail_at(JC_ERR_EMPTY, r->name, 0, 0, "empty file: no header and no samples");
    if (tr->stats.samples == 0) {
        if (tr->stats.lines == 0)
            return jc_fail_at(JC_ERR_EMPTY, r->name, 0, 0, "no samples after the header");
        return jc_fail_at(JC_ERR_PARSE, r->name, tr->stats.first_skipped_line, 0,
                          "no valid samples in %zu lines (first problem: %s)", tr->stats.lines,
                          tr->stats.first_skipped_reason);
    }
    return JC_OK;
}

static int starts_with_joulecast_header(const char *text, size_t len)
{
    const char *p = text;
    const char *end = text + len;
    /* skip comment lines */
    while (p < end && *p == '#') {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return 0;
        p = nl + 1;
    }
    return (size_t)(end - p) >= 7 && strncmp(p, "time_s,", 7) == 0;
}

int jc_trace_read_buffer(const char *name, const char *text, size_t len, const jc_trace_read_opts *opts,
                         jc_trace **out)
{
    *out = NULL;
    jc_trace *tr = calloc(1, sizeof *tr);
    if (!tr)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    tr->path = jc_strdup(name ? name : "<buffer>");
    jc_trace_format fmt = opts ? opts->format : JC_TRACE_AUTO;
    if (fmt == JC_TRACE_AUTO)
        fmt = starts_with_joulecast_header(text, len) ? JC_TRACE_JOULECAST : JC_TRACE_NVSMI;
    tr->format = fmt;
    reader r = {.name = tr->path, .tr = tr, .opts = opts, .last_gpu = -1};
    int rc = parse_text(&r, text, len);
    free(r.rowbuf);
    if (rc) {
        jc_trace_free(tr);
        return rc;
    }
    *out = tr;
    return JC_OK;
}

/* Whole file into memory, through zlib so that .gz and plain files read the
 * same way (gzread passes uncompressed data through). */
static int slurp(const char *path, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return jc_fail_at(JC_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    fclose(probe);
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return jc_fail_at(JC_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    gzbuffer(gz, 1 << 17);
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        gzclose(gz);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    for (;;) {
        if (cap - n < (1 << 16)) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                gzclose(gz);
                return jc_fail(JC_ERR_NOMEM, "out of memory reading %s", path);
            }
            buf = nb;
            cap *= 2;
        }
        int k = gzread(gz, buf + n, (unsigned)(cap - n));
        if (k < 0) {
            int errnum;
            const char *msg = gzerror(gz, &errnum);
            /* A truncated .gz still gives what it held: keep it, like a cut-off CSV. */
            if (errnum == Z_BUF_ERROR && n > 0)
                break;
            int rc = jc_fail_at(JC_ERR_IO, path, 0, 0, "cannot read: %s",
                                errnum == Z_ERRNO ? strerror(errno) : msg);
            free(buf);
            gzclose(gz);
            return rc;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    gzclose(gz);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return JC_OK;
}

int jc_trace_read(const char *path, const jc_trace_read_opts *opts, jc_trace **out)
{
    *out = NULL;
    /* A folder is what `joulecast record` wrote: read its trace.csv (and the
     * run.json beside it). */
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        size_t n = strlen(path);
        char *csv = malloc(n + 16);
        if (!csv)
            return jc_fail(JC_ERR_NOMEM, "out of memory");
        snprintf(csv, n + 16, "%s%strace.csv", path, n && path[n - 1] == '/' ? "" : "/");
        if (stat(csv, &st) != 0) {
            int rc = jc_fail_at(JC_ERR_IO, path, 0, 0, "a folder without trace.csv (expected what `joulecast record` writes)");
            free(csv);
            return rc;
        }
        int rc = jc_trace_read(csv, opts, out);
        free(csv);
        return rc;
    }
    char *text;
    size_t len;
    int rc = slurp(path, &text, &len);
    if (rc)
        return rc;
    if (len == 0) {
        free(text);
        return jc_fail_at(JC_ERR_EMPTY, path, 0, 0, "empty file");
    }
    rc = jc_trace_read_buffer(path, text, len, opts, out);
    free(text);
    if (rc)
        return rc;
    if ((*out)->format == JC_TRACE_JOULECAST) {
        rc = jc_trace_internal_read_run_json(*out, path);
        if (rc) {
            jc_trace_free(*out);
            *out = NULL;
            return rc;
        }
    }
    return JC_OK;
}
