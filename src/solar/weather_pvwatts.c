/* solar/weather_pvwatts.c: the hourly CSV that NREL's PVWatts calculator
 * exports (pvwatts.nrel.gov, Results, "Download Results: Hourly"): lines of
 * "Key:","Value" metadata (location, system size, losses ...), then a header
 * row holding "AC System Output (W)", then one row per hour,
 *   Month, Day, Hour (0..23, local standard time), Beam Irradiance (W/m2),
 *   Diffuse Irradiance (W/m2), Ambient Temperature (C), Wind Speed (m/s),
 *   Albedo, Plane of Array Irradiance (W/m2), Cell Temperature (C),
 *   DC Array Output (W), AC System Output (W)
 * and perhaps a "Totals" row. The AC output is taken as PVWatts computed it
 * (the seed thesis used exactly this column). Only Month, Day, Hour and the
 * AC output are required. */
#include "weather_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { C_MONTH, C_DAY, C_HOUR, C_AC, C_BEAM, C_DIFFUSE, C_TAMB, C_WIND, C_ALBEDO, C_POA, C_TCELL, C_DC, NCOLS };
static const char *const COLNAME[NCOLS] = {"Month",
                                           "Day",
                                           "Hour",
                                           "AC System Output (W)",
                                           "Beam Irradiance (W/m2)",
                                           "Diffuse Irradiance (W/m2)",
                                           "Ambient Temperature (C)",
                                           "Wind Speed (m/s)",
                                           "Albedo",
                                           "Plane of Array Irradiance (W/m2)",
                                           "Cell Temperature (C)",
                                           "DC Array Output (W)"};
#define NREQUIRED 4

/* Does the key (before its colon) start with prefix, ignoring case? */
static int key_is(const jc_wx_field *f, const char *prefix)
{
    size_t n = strlen(prefix);
    return f->len >= n && strncasecmp(f->s, prefix, n) == 0;
}

/* A metadata line: "Lat (deg N):","45.05" and the like. Unknown keys and
 * values that are not numbers are ignored: only these four are used. */
static void metadata(const jc_wx_field *f, int n, jc_weather *w, double *tz)
{
    if (n < 2 || !f[0].len || f[0].s[f[0].len - 1] != ':')
        return;
    char buf[48], *end;
    size_t k = f[1].len < sizeof buf - 1 ? f[1].len : sizeof buf - 1;
    memcpy(buf, f[1].s, k);
    buf[k] = 0;
    double v = strtod(buf, &end);
    if (!k || *end || !isfinite(v))
        return;
    if (key_is(&f[0], "Lat"))
        w->latitude_deg = v;
    else if (key_is(&f[0], "Long") || key_is(&f[0], "Lon"))
        w->longitude_deg = v;
    else if (key_is(&f[0], "Elev"))
        w->elevation_m = v;
    else if (key_is(&f[0], "DC System Size"))
        w->kwdc = v;
    else if (key_is(&f[0], "Time Zone") || key_is(&f[0], "Timezone"))
        *tz = v;
}

static int find_columns(const jc_wx_lines *c, const jc_wx_field *f, int n, int *col)
{
    for (int k = 0; k < NCOLS; k++) {
        col[k] = -1;
        for (int j = 0; j < n; j++)
            if (jc_wx_is(&f[j], COLNAME[k]))
                col[k] = j;
        if (col[k] < 0 && k < NREQUIRED)
            return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 1,
                              "the PVWatts header row has no column '%s' (expected \"Month\",\"Day\",\"Hour\",...,"
                              "\"AC System Output (W)\")",
                              COLNAME[k]);
    }
    return JC_OK;
}

static int data_row(const jc_wx_lines *c, const jc_wx_field *f, int n, int nheader, const int *col, double tz,
                    jc_wx_row *r)
{
    if (n != nheader)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 0, "expected %d fields as in the header row, found %d",
                          nheader, n < 0 ? JC_WX_MAX_FIELDS + 1 : n);
    long m, d, h;
    int rc;
    if ((rc = jc_wx_int(c, &f[col[C_MONTH]], "Month", 1, 12, &m)) ||
        (rc = jc_wx_int(c, &f[col[C_DAY]], "Day", 1, 31, &d)) ||
        (rc = jc_wx_int(c, &f[col[C_HOUR]], "Hour (0..23)", 0, 23, &h)))
        return rc;
    *r = (jc_wx_row){.line = c->line, .ghi = NAN, .dni = NAN, .dhi = NAN, .temp_air_c = NAN, .wind_ms = NAN,
                     .pressure_pa = NAN, .albedo = NAN, .poa = NAN, .tcell_c = NAN, .dc_w = NAN};
    double *dst[NCOLS] = {NULL, NULL, NULL, &r->ac_w, &r->dni, &r->dhi, &r->temp_air_c, &r->wind_ms, &r->albedo,
                          &r->poa, &r->tcell_c, &r->dc_w};
    for (int k = C_AC; k < NCOLS && !rc; k++)
        if (col[k] >= 0)
            rc = jc_wx_number(c, &f[col[k]], COLNAME[k], dst[k]);
    /* No year in the export: a non-leap nominal one (1990, as pvlib coerces
     * TMYs) so that the UTC stamps are real dates. */
    r->time_utc = jc_wx_unix(1990, (unsigned)m, (unsigned)d, (double)h - tz);
    r->sun_time_utc = r->time_utc + 1800.0;
    return rc;
}

static int is_totals(const jc_wx_field *f, int n)
{
    return n > 0 && f[0].len >= 5 && strncasecmp(f[0].s, "Total", 5) == 0;
}

int jc_wx_read_pvwatts(jc_wx_lines *c, double utc_offset_h, int partial, jc_weather *w)
{
    const char *s;
    size_t len;
    jc_wx_field f[JC_WX_MAX_FIELDS];
    int col[NCOLS], nheader = -1, rc = JC_OK;
    double tz = NAN;
    while (nheader < 0 && jc_wx_next_line(c, &s, &len)) {
        int n = jc_wx_split(s, len, f, JC_WX_MAX_FIELDS);
        int is_header = 0;
        for (int j = 0; j < n && !is_header; j++)
            is_header = jc_wx_is(&f[j], COLNAME[C_AC]);
        if (is_header) {
            if ((rc = find_columns(c, f, n, col)))
                return rc;
            nheader = n;
        } else
            metadata(f, n, w, &tz);
    }
    if (nheader < 0)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 0, "no header row with \"AC System Output (W)\"");
    if (isnan(utc_offset_h))
        utc_offset_h = !isnan(tz) && tz == floor(tz) && fabs(tz) <= 14 ? tz
                       : !isnan(w->longitude_deg)                      ? round(w->longitude_deg / 15.0)
                                                                       : 0;
    w->utc_offset_h = utc_offset_h;
    jc_wx_builder b = {.partial = partial};
    while (jc_wx_next_line(c, &s, &len)) {
        int n = jc_wx_split(s, len, f, JC_WX_MAX_FIELDS);
        if (len == 0 || (n == 1 && f[0].len == 0))
            continue;
        if (is_totals(f, n))
            break;
        jc_wx_row r;
        if ((rc = data_row(c, f, n, nheader, col, utc_offset_h, &r)) || (rc = jc_wx_add(&b, &r))) {
            jc_wx_builder_free(&b);
            return rc;
        }
    }
    return jc_wx_finish(&b, c->name, JC_WX_HAS_ALBEDO | JC_WX_HAS_OUTPUT, w);
}
