/* solar/weather_epw.c: EnergyPlus weather files (EPW; the "Auxiliary
 * Programs" manual of EnergyPlus, "Weather Converter Program", describes the
 * format). Eight header lines (LOCATION, DESIGN CONDITIONS, TYPICAL/EXTREME
 * PERIODS, GROUND TEMPERATURES, HOLIDAYS/DAYLIGHT SAVINGS, COMMENTS 1,
 * COMMENTS 2, DATA PERIODS), then one row per hour of 35 fields:
 * year, month, day, hour 1..24, minute, flags, dry bulb C, dew point, RH,
 * pressure Pa, ..., GHI (field 14), DNI (15), DHI (16), ..., wind direction
 * (21), wind speed (22), ..., albedo (33). Irradiances are Wh/m^2 over the
 * hour ending at the stamp, in local standard time (LOCATION's time zone).
 *
 * PVGIS writes its TMY as EPW too, but stamps those rows in UTC (they are
 * the CSV's rows, hour 1 being the CSV's 00:00) and says so only through
 * COMMENTS 2, "Irradiance Time Offset (h):-0.8239", the instant the
 * irradiance stands for relative to the stamp. When that comment is there
 * the rows are read as UTC and the sun placed at stamp + offset. */
#include "weather_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 1-based field numbers of the EPW data row. */
enum { F_YEAR = 1, F_MONTH, F_DAY, F_HOUR, F_MINUTE, F_FLAGS, F_DRYBULB, F_PRESSURE = 10, F_GHI = 14, F_DNI, F_DHI,
       F_WIND = 22, F_ALBEDO = 33, F_MIN_FIELDS = 22 };

static int location_line(jc_wx_lines *c, double utc_offset_h, jc_weather *w, double *file_tz)
{
    const char *s;
    size_t len;
    if (!jc_wx_next_line(c, &s, &len))
        return jc_fail_at(JC_ERR_EMPTY, c->name, 0, 0, "empty file");
    jc_wx_field f[JC_WX_MAX_FIELDS];
    int n = jc_wx_split(s, len, f, JC_WX_MAX_FIELDS);
    if (n < 1 || !jc_wx_is(&f[0], "LOCATION"))
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 1, "expected the EPW LOCATION line, found '%.*s'",
                          (int)(len < 60 ? len : 60), s);
    if (n < 10)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 0,
                          "expected 10 fields in LOCATION (city, state, country, source, WMO, latitude, longitude, "
                          "time zone, elevation), found %d",
                          n);
    double tz;
    int rc;
    if ((rc = jc_wx_number(c, &f[6], "latitude", &w->latitude_deg)) ||
        (rc = jc_wx_number(c, &f[7], "longitude", &w->longitude_deg)) ||
        (rc = jc_wx_number(c, &f[8], "time zone", &tz)) || (rc = jc_wx_number(c, &f[9], "elevation", &w->elevation_m)))
        return rc;
    if (fabs(w->latitude_deg) > 90 || fabs(w->longitude_deg) > 180)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, f[6].col, "latitude %g / longitude %g out of range",
                          w->latitude_deg, w->longitude_deg);
    if (isnan(utc_offset_h) && (tz != floor(tz) || fabs(tz) > 14))
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, f[8].col,
                          "time zone %g: joulecast needs a whole number of hours (give --utc-offset)", tz);
    *file_tz = tz; /* the stamps' zone, even when the caller counts hours in another */
    w->utc_offset_h = isnan(utc_offset_h) ? tz : utc_offset_h;
    return JC_OK;
}

/* The seven further header lines; COMMENTS 2 may hold PVGIS's offset. */
static int other_header_lines(jc_wx_lines *c, double *pvgis_offset)
{
    static const char *const names[7] = {"DESIGN CONDITIONS", "TYPICAL/EXTREME PERIODS", "GROUND TEMPERATURES",
                                         "HOLIDAYS/DAYLIGHT SAVINGS", "COMMENTS 1", "COMMENTS 2", "DATA PERIODS"};
    static const char key[] = "Irradiance Time Offset (h):";
    const char *s;
    size_t len;
    *pvgis_offset = NAN;
    for (int i = 0; i < 7; i++) {
        if (!jc_wx_next_line(c, &s, &len))
            return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 0, "the file ends in its header: expected a %s line",
                              names[i]);
        size_t k = strlen(names[i]);
        /* "HOLIDAYS/DAYLIGHT SAVING" without the S is common too */
        if (len < k - 1 || memcmp(s, names[i], k - 1) != 0)
            return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 1, "expected the EPW %s line, found '%.*s'", names[i],
                              (int)(len < 60 ? len : 60), s);
        if (i == 5)
            for (size_t j = 0; j + sizeof key - 1 <= len; j++)
                if (!memcmp(s + j, key, sizeof key - 1)) {
                    jc_wx_field f = {s + j + sizeof key - 1, len - j - (sizeof key - 1), (long)(j + sizeof key)};
                    while (f.len && f.s[0] == ' ')
                        f.s++, f.len--, f.col++;
                    int rc = jc_wx_number(c, &f, "irradiance time offset", pvgis_offset);
                    if (rc)
                        return rc;
                    break;
                }
    }
    return JC_OK;
}

/* A field that must be present: EPW's "missing" codes are errors here. */
static int required(const jc_wx_lines *c, const jc_wx_field *f, int field, const char *what, double missing,
                    double *out)
{
    char label[96];
    snprintf(label, sizeof label, "field %d (%s)", field, what);
    int rc = jc_wx_number(c, f, label, out);
    if (!rc && *out >= missing)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, f->col,
                          "%s: %g is EPW's code for a missing value; joulecast needs every hour", label, *out);
    return rc;
}

static double optional(const jc_wx_field *f, int n, int field, double lo, double hi)
{
    if (n < field)
        return NAN;
    char buf[32], *end;
    size_t k = f[field - 1].len < sizeof buf - 1 ? f[field - 1].len : sizeof buf - 1;
    memcpy(buf, f[field - 1].s, k);
    buf[k] = 0;
    double v = strtod(buf, &end);
    return k && !*end && v >= lo && v <= hi ? v : NAN;
}

static int data_row(const jc_wx_lines *c, const char *s, size_t len, double tz, double pvgis_offset, jc_wx_row *r)
{
    jc_wx_field f[JC_WX_MAX_FIELDS];
    int n = jc_wx_split(s, len, f, JC_WX_MAX_FIELDS);
    if (n < F_MIN_FIELDS)
        return jc_fail_at(JC_ERR_PARSE, c->name, c->line, 0,
                          "expected an EPW data row of 35 fields (at least %d: up to the wind speed), found %d",
                          F_MIN_FIELDS, n < 0 ? JC_WX_MAX_FIELDS + 1 : n);
    long y, m, d, h;
    int rc;
    if ((rc = jc_wx_int(c, &f[F_YEAR - 1], "field 1 (year)", -9999, 9999, &y)) ||
        (rc = jc_wx_int(c, &f[F_MONTH - 1], "field 2 (month)", 1, 12, &m)) ||
        (rc = jc_wx_int(c, &f[F_DAY - 1], "field 3 (day)", 1, 31, &d)) ||
        (rc = jc_wx_int(c, &f[F_HOUR - 1], "field 4 (hour, 1..24)", 1, 24, &h)))
        return rc;
    *r = (jc_wx_row){.line = c->line};
    if ((rc = required(c, &f[F_DRYBULB - 1], F_DRYBULB, "dry bulb temperature, C", 99.9, &r->temp_air_c)) ||
        (rc = required(c, &f[F_GHI - 1], F_GHI, "global horizontal radiation, Wh/m2", 9999, &r->ghi)) ||
        (rc = required(c, &f[F_DNI - 1], F_DNI, "direct normal radiation, Wh/m2", 9999, &r->dni)) ||
        (rc = required(c, &f[F_DHI - 1], F_DHI, "diffuse horizontal radiation, Wh/m2", 9999, &r->dhi)) ||
        (rc = required(c, &f[F_WIND - 1], F_WIND, "wind speed, m/s", 999, &r->wind_ms)))
        return rc;
    r->pressure_pa = optional(f, n, F_PRESSURE, 31000, 120000);
    r->albedo = optional(f, n, F_ALBEDO, 0, 1);
    /* The stamp is the end of the hour: hour h covers [h-1, h). */
    double end = jc_wx_unix(y, (unsigned)m, (unsigned)d, (double)h);
    if (!isnan(pvgis_offset)) { /* PVGIS: UTC stamps, irradiance at stamp + offset */
        r->time_utc = end - 3600.0;
        r->sun_time_utc = end + pvgis_offset * 3600.0;
    } else { /* local standard time, the hour's average: sun at its middle */
        r->time_utc = end - 3600.0 - tz * 3600.0;
        r->sun_time_utc = r->time_utc + 1800.0;
    }
    return JC_OK;
}

int jc_wx_read_epw(jc_wx_lines *c, double utc_offset_h, int partial, jc_weather *w)
{
    double file_tz = 0, pvgis_offset = NAN;
    int rc = location_line(c, utc_offset_h, w, &file_tz);
    if (rc || (rc = other_header_lines(c, &pvgis_offset)))
        return rc;
    w->irradiance_offset_h = pvgis_offset;
    const char *s;
    size_t len;
    jc_wx_builder b = {.partial = partial};
    while (jc_wx_next_line(c, &s, &len)) {
        if (len == 0)
            continue;
        jc_wx_row r;
        if ((rc = data_row(c, s, len, file_tz, pvgis_offset, &r)) || (rc = jc_wx_add(&b, &r))) {
            jc_wx_builder_free(&b);
            return rc;
        }
    }
    return jc_wx_finish(&b, c->name, JC_WX_HAS_PRESSURE | JC_WX_HAS_ALBEDO, w);
}
