/* solar/weather.c: reading a year of hourly weather. Loads the file, picks
 * the reader (PVGIS TMY CSV, EPW, PVWatts export) from the content unless
 * told, and provides what the readers share: lines, fields with their
 * columns, numbers, dates, and the builder that places each row at its hour
 * of a 365-day local-standard-time year (docs/solar.md, "Time"). */
#include "weather_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int jc_weather_kind_parse(const char *name)
{
    static const char *const names[] = {"auto", "pvgis", "epw", "pvwatts"};
    for (int i = 0; i < 4; i++)
        if (name && !strcmp(name, names[i]))
            return i;
    return -1;
}

const char *jc_weather_kind_name(jc_weather_kind k)
{
    switch (k) {
    case JC_WEATHER_PVGIS: return "PVGIS TMY CSV";
    case JC_WEATHER_EPW: return "EPW";
    case JC_WEATHER_PVWATTS: return "PVWatts hourly export";
    default: return "auto";
    }
}

/* ---- lines and fields ---- */

int jc_wx_next_line(jc_wx_lines *c, const char **s, size_t *len)
{
    if (c->p >= c->end)
        return 0;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    const char *e = nl ? nl : c->end;
    *s = c->p;
    *len = (size_t)(e - c->p);
    if (*len && (*s)[*len - 1] == '\r')
        (*len)--;
    c->p = nl ? nl + 1 : c->end;
    c->line++;
    return 1;
}

static int is_space(char ch) { return ch == ' ' || ch == '\t'; }

int jc_wx_split(const char *s, size_t len, jc_wx_field *f, int max)
{
    int n = 0;
    size_t i = 0;
    for (;;) {
        size_t start = i;
        while (i < len && s[i] != ',')
            i++;
        size_t a = start, b = i;
        while (a < b && is_space(s[a]))
            a++;
        while (b > a && is_space(s[b - 1]))
            b--;
        if (b - a >= 2 && s[a] == '"' && s[b - 1] == '"')
            a++, b--;
        if (n == max)
            return -1;
        f[n++] = (jc_wx_field){s + a, b - a, (long)a + 1};
        if (i >= len)
            return n;
        i++; /* the comma */
    }
}

int jc_wx_is(const jc_wx_field *f, const char *text)
{
    return strlen(text) == f->len && memcmp(f->s, text, f->len) == 0;
}

static void field_text(const jc_wx_field *f, char *buf, size_t size)
{
    size_t n = f->len < size - 1 ? f->len : size - 1;
    memcpy(buf, f->s, n);
    buf[n] = 0;
}

int jc_wx_number(const jc_wx_lines *c, const jc_wx_field *f, const char *what, double *out)
{
    char buf[64], *end;
    field_text(f, buf, sizeof buf);
    errno = 0;
    double v = f->len && f->len < sizeof buf ? strtod(buf, &end) : NAN;
    if (!f->len || f->len >= sizeof buf || *end || errno == ERANGE || !isfinite(v))
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, f->col, "%s: expected a number, found '%s'", what,
                          buf);
    *out = v;
    return JC_OK;
}

int jc_wx_int(const jc_wx_lines *c, const jc_wx_field *f, const char *what, long lo, long hi, long *out)
{
    char buf[32], *end;
    field_text(f, buf, sizeof buf);
    long v = f->len && f->len < sizeof buf ? strtol(buf, &end, 10) : 0;
    if (!f->len || f->len >= sizeof buf || *end)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, f->col, "%s: expected a whole number, found '%s'", what,
                          buf);
    if (v < lo || v > hi)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, f->col, "%s: expected %ld..%ld, found %ld", what, lo, hi,
                          v);
    *out = v;
    return JC_OK;
}

/* ---- dates ---- */

double jc_wx_unix(int64_t y, unsigned m, unsigned d, double hours)
{
    return (double)jc_days_from_civil(y, m, d) * 86400.0 + hours * 3600.0;
}

/* Inverse of jc_days_from_civil (days since 1970-01-01 to a Gregorian
 * date), by the same era arithmetic: 400-year eras of 146097 days, years
 * starting in March so that the leap day falls last. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                     /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11], March = 0 */
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void jc_wx_civil(double t, double offset_h, int64_t *y, unsigned *m, unsigned *d, int *hour)
{
    double local = t + offset_h * 3600.0;
    double days = floor(local / 86400.0);
    civil_from_days((int64_t)days, y, m, d);
    *hour = (int)floor((local - days * 86400.0) / 3600.0 + 1e-9);
    if (*hour > 23)
        *hour = 23;
}

int jc_wx_hour_of_year(unsigned m, unsigned d, int hour)
{
    static const int first_day[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    if (m == 2 && d == 29)
        return -1;
    return (first_day[m - 1] + (int)d - 1) * 24 + hour;
}

/* ---- the builder ---- */

int jc_wx_add(jc_wx_builder *b, const jc_wx_row *r)
{
    if (jc_grow((void **)&b->rows, &b->cap, b->n + 1, sizeof *b->rows))
        return jc_fail(JC_ERR_NOMEM, "out of memory reading weather");
    b->rows[b->n++] = *r;
    return JC_OK;
}

void jc_wx_builder_free(jc_wx_builder *b)
{
    free(b->rows);
    memset(b, 0, sizeof *b);
}

static double *alloc_hours(size_t n, int *ok)
{
    double *p = malloc((n ? n : 1) * sizeof *p);
    if (!p)
        *ok = 0;
    return p;
}

static int alloc_arrays(jc_weather *w, size_t n, unsigned has)
{
    int ok = 1;
    double **always[] = {&w->time_utc, &w->sun_time_utc, &w->ghi, &w->dni, &w->dhi, &w->temp_air_c, &w->wind_ms};
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++)
        *always[i] = alloc_hours(n, &ok);
    w->hour_of_year = malloc((n ? n : 1) * sizeof *w->hour_of_year);
    if (!w->hour_of_year)
        ok = 0;
    if (has & JC_WX_HAS_PRESSURE)
        w->pressure_pa = alloc_hours(n, &ok);
    if (has & JC_WX_HAS_ALBEDO)
        w->albedo = alloc_hours(n, &ok);
    if (has & JC_WX_HAS_OUTPUT) {
        w->poa = alloc_hours(n, &ok);
        w->tcell_c = alloc_hours(n, &ok);
        w->dc_w = alloc_hours(n, &ok);
        w->ac_w = alloc_hours(n, &ok);
    }
    return ok ? JC_OK : jc_fail(JC_ERR_NOMEM, "out of memory reading weather");
}

/* Row r into slot i (which holds hour h). */
static void place(jc_weather *w, size_t i, int h, const jc_wx_row *r)
{
    w->hour_of_year[i] = h;
    w->time_utc[i] = r->time_utc;
    w->sun_time_utc[i] = r->sun_time_utc;
    w->ghi[i] = r->ghi;
    w->dni[i] = r->dni;
    w->dhi[i] = r->dhi;
    w->temp_air_c[i] = r->temp_air_c;
    w->wind_ms[i] = r->wind_ms;
    if (w->pressure_pa)
        w->pressure_pa[i] = r->pressure_pa;
    if (w->albedo)
        w->albedo[i] = r->albedo;
    if (w->ac_w) {
        w->poa[i] = r->poa;
        w->tcell_c[i] = r->tcell_c;
        w->dc_w[i] = r->dc_w;
        w->ac_w[i] = r->ac_w;
    }
}

static const char *const MONTHS[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Where each row goes: hour of the local 365-day year; February 29th (a
 * leap-year file) is left out and counted. */
static void hours_of_rows(jc_wx_builder *b, double offset_h, int *hour_of)
{
    for (size_t i = 0; i < b->n; i++) {
        int64_t y;
        unsigned m, d;
        int hr;
        jc_wx_civil(b->rows[i].time_utc, offset_h, &y, &m, &d, &hr);
        hour_of[i] = jc_wx_hour_of_year(m, d, hr);
        if (hour_of[i] < 0)
            b->skipped_feb29++;
    }
}

/* Each hour at most once: first_row[h] gets the row of hour h (-1: none). */
static int index_hours(const jc_wx_builder *b, const char *name, double offset_h, const int *hour_of, int *first_row)
{
    for (int h = 0; h < JC_WX_HOURS; h++)
        first_row[h] = -1;
    for (size_t i = 0; i < b->n; i++) {
        int h = hour_of[i];
        if (h < 0)
            continue;
        if (first_row[h] >= 0) {
            int64_t y;
            unsigned m, d;
            int hr;
            jc_wx_civil(b->rows[i].time_utc, offset_h, &y, &m, &d, &hr);
            return jc_fail_at(JC_ERR_PARSE, name, b->rows[i].line, 0,
                              "hour %02d:00 of %u %s (local standard time, UTC%+g) appears twice, first on line %ld",
                              hr, d, MONTHS[m - 1], offset_h, b->rows[first_row[h]].line);
        }
        first_row[h] = (int)i;
    }
    return JC_OK;
}

static int check_whole_year(const jc_wx_builder *b, const char *name, double offset_h, const int *first_row)
{
    size_t kept = b->n - b->skipped_feb29;
    if (kept == JC_WX_HOURS)
        return JC_OK;
    static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int missing = 0;
    while (missing < JC_WX_HOURS - 1 && first_row[missing] >= 0)
        missing++;
    int m = 0, day = missing / 24;
    while (day >= month_days[m])
        day -= month_days[m++];
    return jc_fail_at(JC_ERR_PARSE, name, 0, 0,
                      "expected %d hourly rows (a 365-day year), found %zu%s; the first hour missing is hour %d of "
                      "the year (%d %s, %02d:00 local standard time, UTC%+g)",
                      JC_WX_HOURS, kept, b->skipped_feb29 ? " besides February 29th" : "", missing, day + 1,
                      MONTHS[m], missing % 24, offset_h);
}

int jc_wx_finish(jc_wx_builder *b, const char *name, unsigned has, jc_weather *w)
{
    int rc = JC_OK;
    int *hour_of = NULL, *first_row = NULL;
    if (b->n == 0) {
        rc = jc_fail_at(JC_ERR_EMPTY, name, 0, 0, "no hourly rows");
        goto out;
    }
    hour_of = malloc(b->n * sizeof *hour_of);
    first_row = malloc(JC_WX_HOURS * sizeof *first_row);
    if (!hour_of || !first_row) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory reading weather");
        goto out;
    }
    hours_of_rows(b, w->utc_offset_h, hour_of);
    if ((rc = index_hours(b, name, w->utc_offset_h, hour_of, first_row)))
        goto out;
    if (!b->partial && (rc = check_whole_year(b, name, w->utc_offset_h, first_row)))
        goto out;
    size_t kept = b->n - b->skipped_feb29;
    if ((rc = alloc_arrays(w, kept, has)))
        goto out;
    size_t k = 0;
    for (int h = 0; h < JC_WX_HOURS; h++)
        if (first_row[h] >= 0)
            place(w, k++, h, &b->rows[first_row[h]]);
    w->n = k;
out:
    free(hour_of);
    free(first_row);
    jc_wx_builder_free(b);
    return rc;
}

/* ---- entry points ---- */

void jc_weather_free(jc_weather *w)
{
    if (!w)
        return;
    double **arrays[] = {&w->time_utc, &w->sun_time_utc, &w->ghi,    &w->dni, &w->dhi,     &w->temp_air_c,
                         &w->wind_ms,  &w->pressure_pa,  &w->albedo, &w->poa, &w->tcell_c, &w->dc_w,
                         &w->ac_w};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        free(*arrays[i]);
    free(w->hour_of_year);
    free(w->source);
    memset(w, 0, sizeof *w);
}

static int starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

/* Pick the reader from the first lines. */
static int detect(const char *name, const char *text, size_t len, jc_weather_kind *kind)
{
    jc_wx_lines c = {name, text, text + len, 0};
    const char *s;
    size_t n;
    int first = 1;
    while (jc_wx_next_line(&c, &s, &n) && c.line <= 60) {
        if (first && n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            s += 3, n -= 3;
        if (first && starts_with(s, n, "LOCATION,")) {
            *kind = JC_WEATHER_EPW;
            return JC_OK;
        }
        if (first && starts_with(s, n, "Latitude (decimal degrees):")) {
            *kind = JC_WEATHER_PVGIS;
            return JC_OK;
        }
        first = 0;
        for (size_t i = 0; i + 20 <= n; i++)
            if (!memcmp(s + i, "AC System Output (W)", 20)) {
                *kind = JC_WEATHER_PVWATTS;
                return JC_OK;
            }
    }
    return jc_fail_at(JC_ERR_PARSE, name, 1, 1,
                      "not a weather file joulecast reads: expected a PVGIS TMY CSV (first line 'Latitude (decimal "
                      "degrees): ...'), an EPW (first line 'LOCATION,...') or a PVWatts hourly export (a header "
                      "holding 'AC System Output (W)')");
}

int jc_weather_read_buffer(const char *name, const char *text, size_t len, jc_weather_kind kind,
                           double utc_offset_h, unsigned flags, jc_weather *out)
{
    memset(out, 0, sizeof *out);
    if (!name)
        name = "<weather>";
    if (memchr(text, 0, len))
        return jc_fail_at(JC_ERR_PARSE, name, 0, 0, "binary data, not a weather file");
    if (!isnan(utc_offset_h) && (!(fabs(utc_offset_h) <= 14) || utc_offset_h != floor(utc_offset_h)))
        return jc_fail(JC_ERR_INVALID, "UTC offset %g: expected a whole number of hours in -14..14", utc_offset_h);
    int rc = JC_OK;
    if (kind == JC_WEATHER_AUTO && (rc = detect(name, text, len, &kind)))
        return rc;
    jc_weather w = {.kind = kind, .latitude_deg = NAN, .longitude_deg = NAN, .elevation_m = NAN,
                    .utc_offset_h = utc_offset_h, .irradiance_offset_h = NAN, .kwdc = NAN};
    w.source = jc_strdup(name);
    if (!w.source)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    jc_wx_lines c = {name, text, text + len, 0};
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
        c.p += 3; /* UTF-8 byte order mark */
    int partial = (flags & JC_WEATHER_PARTIAL) != 0;
    if (kind == JC_WEATHER_PVGIS)
        rc = jc_wx_read_pvgis(&c, utc_offset_h, partial, &w);
    else if (kind == JC_WEATHER_EPW)
        rc = jc_wx_read_epw(&c, utc_offset_h, partial, &w);
    else if (kind == JC_WEATHER_PVWATTS)
        rc = jc_wx_read_pvwatts(&c, utc_offset_h, partial, &w);
    else
        rc = jc_fail(JC_ERR_INVALID, "unknown weather format %d", (int)kind);
    if (rc) {
        jc_weather_free(&w);
        return rc;
    }
    *out = w;
    return JC_OK;
}

int jc_weather_read(const char *path, jc_weather_kind kind, double utc_offset_h, unsigned flags, jc_weather *out)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return jc_fail_at(JC_ERR_IO, path, 0, 0, "is a directory, not a weather file");
    FILE *f = fopen(path, "rb");
    if (!f)
        return jc_fail_at(JC_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = JC_OK;
    for (;;) {
        if (jc_grow((void **)&buf, &cap, len + 65536, 1)) {
            rc = jc_fail(JC_ERR_NOMEM, "out of memory reading %s", path);
            break;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                rc = jc_fail_at(JC_ERR_IO, path, 0, 0, "cannot read: %s", strerror(errno));
            break;
        }
    }
    fclose(f);
    if (!rc && len == 0)
        rc = jc_fail_at(JC_ERR_EMPTY, path, 0, 0, "empty file");
    if (!rc)
        rc = jc_weather_read_buffer(path, buf, len, kind, utc_offset_h, flags, out);
    free(buf);
    return rc;
}
