/* solar/weather_pvgis.c: the PVGIS typical meteorological year as CSV
 * (re.jrc.ec.europa.eu, tool "TMY", output CSV). The layout:
 *   Latitude (decimal degrees): 45.000
 *   Longitude (decimal degrees): 8.000
 *   Elevation (m): 250.0
 *   Irradiance Time Offset (h): 0.1761        (PVGIS 5.3 and later)
 *   month,year                                 (the months the TMY took)
 *   1,2018 ...
 *   time(UTC),T2m,RH,G(h),Gb(n),Gd(h),IR(h),WS10m,WD10m,SP
 *   20180101:0000,2.04,94.38,0.0,-0.0,0.0,283.58,0.75,257.0,99870.0
 *   ... 8760 rows, then a blank line and a legend.
 * Stamps are UTC. The irradiance of a row stands for the instant stamp +
 * offset (PVGIS-SARAH values are the satellite's, taken minutes after the
 * hour; docs/solar.md shows the data agree), so the sun is placed there. */
#include "weather_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* "Key: value" header lines. */
static int header_value(const char *s, size_t len, const char *key, const jc_wx_lines *c, double *out)
{
    size_t k = strlen(key);
    if (len < k || memcmp(s, key, k) != 0)
        return 0;
    jc_wx_field f = {s + k, len - k, (long)k + 1};
    while (f.len && (*f.s == ' ' || *f.s == '\t'))
        f.s++, f.len--, f.col++;
    return jc_wx_number(c, &f, key, out) == JC_OK ? 1 : -1;
}

/* Columns the reader needs, by their PVGIS names. */
enum { C_TIME, C_T2M, C_GH, C_GBN, C_GDH, C_WS, C_SP, NCOLS };
static const char *const COLNAME[NCOLS] = {"time(UTC)", "T2m", "G(h)", "Gb(n)", "Gd(h)", "WS10m", "SP"};
static const char *const COLWHAT[NCOLS] = {"time stamp",
                                           "air temperature at 2 m",
                                           "global horizontal irradiance",
                                           "direct normal irradiance",
                                           "diffuse horizontal irradiance",
                                           "wind speed at 10 m",
                                           "surface pressure"};

static int parse_header_row(const jc_wx_lines *c, const char *s, size_t len, int *col, int *nfields)
{
    jc_wx_field f[JC_WX_MAX_FIELDS];
    int n = jc_wx_split(s, len, f, JC_WX_MAX_FIELDS);
    if (n < 0)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 0, "more than %d columns", JC_WX_MAX_FIELDS);
    for (int k = 0; k < NCOLS; k++) {
        col[k] = -1;
        for (int j = 0; j < n; j++)
            if (jc_wx_is(&f[j], COLNAME[k]))
                col[k] = j;
        if (col[k] < 0 && k != C_SP)
            return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 1,
                              "the PVGIS column header has no column '%s' (%s); expected "
                              "'time(UTC),T2m,RH,G(h),Gb(n),Gd(h),IR(h),WS10m,WD10m,SP'",
                              COLNAME[k], COLWHAT[k]);
    }
    if (col[C_TIME] != 0)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 1, "expected 'time(UTC)' as the first column");
    *nfields = n;
    return JC_OK;
}

/* "YYYYMMDD:HHMM", UTC, to UNIX seconds. */
static int parse_stamp(const jc_wx_lines *c, const jc_wx_field *f, double *t)
{
    int ok = f->len == 13 && f->s[8] == ':';
    for (size_t i = 0; ok && i < 13; i++)
        ok = i == 8 || (f->s[i] >= '0' && f->s[i] <= '9');
    int y = 0, mo = 0, d = 0, h = 0, mi = 0;
    if (ok) {
        y = atoi((char[]){f->s[0], f->s[1], f->s[2], f->s[3], 0});
        mo = atoi((char[]){f->s[4], f->s[5], 0});
        d = atoi((char[]){f->s[6], f->s[7], 0});
        h = atoi((char[]){f->s[9], f->s[10], 0});
        mi = atoi((char[]){f->s[11], f->s[12], 0});
        static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        ok = mo >= 1 && mo <= 12 && d >= 1 && d <= mdays[mo - 1] && h <= 23 && mi <= 59;
    }
    if (!ok)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, f->col,
                          "expected a PVGIS time stamp YYYYMMDD:HHMM (UTC), found '%.*s'",
                          (int)(f->len < 40 ? f->len : 40), f->s);
    *t = jc_wx_unix(y, (unsigned)mo, (unsigned)d, h + mi / 60.0);
    return JC_OK;
}

static int parse_row(const jc_wx_lines *c, const char *s, size_t len, const int *col, int nfields, double offset_h,
                     jc_wx_row *r)
{
    jc_wx_field f[JC_WX_MAX_FIELDS];
    int n = jc_wx_split(s, len, f, JC_WX_MAX_FIELDS);
    if (n != nfields)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 0, "expected %d fields as in the column header, found %d",
                          nfields, n < 0 ? JC_WX_MAX_FIELDS + 1 : n);
    *r = (jc_wx_row){.line = c->line, .pressure_pa = NAN, .albedo = NAN};
    int rc = parse_stamp(c, &f[col[C_TIME]], &r->time_utc);
    double *dst[NCOLS] = {NULL, &r->temp_air_c, &r->ghi, &r->dni, &r->dhi, &r->wind_ms, &r->pressure_pa};
    for (int k = 1; k < NCOLS && !rc; k++)
        if (col[k] >= 0)
            rc = jc_wx_number(c, &f[col[k]], COLNAME[k], dst[k]);
    r->sun_time_utc = r->time_utc + offset_h * 3600.0;
    return rc;
}

int jc_wx_read_pvgis(jc_wx_lines *c, double utc_offset_h, int partial, jc_weather *w)
{
    const char *s;
    size_t len;
    double lat = NAN, lon = NAN, elev = NAN, offset = NAN;
    int col[NCOLS], nfields = 0, have_header = 0, rc = JC_OK;
    /* the header block, up to the column header */
    while (!have_header && jc_wx_next_line(c, &s, &len)) {
        int got = 0;
        if ((got = header_value(s, len, "Latitude (decimal degrees):", c, &lat)) ||
            (got = header_value(s, len, "Longitude (decimal degrees):", c, &lon)) ||
            (got = header_value(s, len, "Elevation (m):", c, &elev)) ||
            (got = header_value(s, len, "Irradiance Time Offset (h):", c, &offset))) {
            if (got < 0)
                return JC_ERR_PARSE;
            continue;
        }
        if (len >= 9 && !memcmp(s, "time(UTC)", 9)) {
            if ((rc = parse_header_row(c, s, len, col, &nfields)))
                return rc;
            have_header = 1;
        } else if (c->line == 1)
            return jc_fail_at(JC_ERR_PARSE, c->name, 1, 1,
                              "expected the PVGIS TMY header line 'Latitude (decimal degrees): ...', found '%.*s'",
                              (int)(len < 60 ? len : 60), s);
    }
    if (!have_header)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 0,
                          "no PVGIS column header 'time(UTC),T2m,RH,G(h),...' in the file");
    if (isnan(lat) || isnan(lon))
        return jc_fail_at(JC_ERR_PARSE, c->name, 0, 0,
                          "no 'Latitude (decimal degrees):' and 'Longitude (decimal degrees):' lines before the data");
    w->latitude_deg = lat;
    w->longitude_deg = lon;
    w->elevation_m = elev;
    /* Before PVGIS 5.3 there was no offset line; the stamps then carry the
     * minutes themselves (HH:10), so an offset of 0 places the sun right. */
    w->irradiance_offset_h = isnan(offset) ? 0 : offset;
    w->utc_offset_h = isnan(utc_offset_h) ? round(lon / 15.0) : utc_offset_h;
    jc_wx_builder b = {.partial = partial};
    while (jc_wx_next_line(c, &s, &len)) {
        /* The data end at the blank line before the legend (or, without
         * one, at a legend line once a year of rows has been read). */
        if (len == 0 || (b.n >= JC_WX_HOURS && (s[0] < '0' || s[0] > '9')))
            break;
        jc_wx_row r;
        if ((rc = parse_row(c, s, len, col, nfields, w->irradiance_offset_h, &r)) || (rc = jc_wx_add(&b, &r))) {
            jc_wx_builder_free(&b);
            return rc;
        }
    }
    return jc_wx_finish(&b, c->name, col[C_SP] >= 0 ? JC_WX_HAS_PRESSURE : 0, w);
}
