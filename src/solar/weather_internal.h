/* solar/weather_internal.h: what the weather readers (weather_pvgis.c,
 * weather_epw.c, weather_pvwatts.c) share with weather.c: a line cursor over
 * the file's text, a field splitter that remembers each field's column for
 * FILE:LINE:COL messages, number parsing, and the row builder that turns
 * rows stamped in any time convention into one year sorted by hour_of_year. */
#ifndef JC_SOLAR_WEATHER_INTERNAL_H
#define JC_SOLAR_WEATHER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "joulecast/solar.h"

#define JC_WX_MAX_FIELDS 64
#define JC_WX_HOURS 8760

typedef struct {
    const char *name;       /* for messages */
    const char *p, *end;
    long line;              /* number of the line last returned, 1-based */
} jc_wx_lines;

/* Next line without its end (LF or CRLF); 0 at the end of the text. */
int jc_wx_next_line(jc_wx_lines *c, const char **s, size_t *len);

typedef struct {
    const char *s;
    size_t len;
    long col;               /* 1-based character column of the field's start */
} jc_wx_field;

/* Split a line at commas; double quotes around a field are dropped (no
 * commas inside quotes in these formats), spaces around fields trimmed.
 * Returns the number of fields (at most max; -1 if there are more). */
int jc_wx_split(const char *s, size_t len, jc_wx_field *f, int max);
/* Does the field's text equal text? */
int jc_wx_is(const jc_wx_field *f, const char *text);
/* Parse a field as a number; on failure a FILE:LINE:COL error naming what. */
int jc_wx_number(const jc_wx_lines *c, const jc_wx_field *f, const char *what, double *out);
/* Parse a field as an integer in [lo, hi]. */
int jc_wx_int(const jc_wx_lines *c, const jc_wx_field *f, const char *what, long lo, long hi, long *out);

/* UNIX seconds of a proleptic Gregorian UTC date and time. */
double jc_wx_unix(int64_t y, unsigned m, unsigned d, double hours);
/* Local date of UNIX time t shifted by offset_h: month, day, hour. */
void jc_wx_civil(double t, double offset_h, int64_t *y, unsigned *m, unsigned *d, int *hour);
/* Hour of a 365-day year (0..8759) of month/day/hour; -1 for February 29th. */
int jc_wx_hour_of_year(unsigned m, unsigned d, int hour);

/* One row as a reader found it. */
typedef struct {
    double time_utc, sun_time_utc;
    double ghi, dni, dhi, temp_air_c, wind_ms, pressure_pa, albedo;
    double poa, tcell_c, dc_w, ac_w;
    long line;
} jc_wx_row;

/* Rows gathered, then placed by local hour. */
typedef struct {
    jc_wx_row *rows;
    size_t n, cap;
    size_t skipped_feb29;
    int partial;            /* an excerpt: fewer hours than a year are fine */
} jc_wx_builder;

int jc_wx_add(jc_wx_builder *b, const jc_wx_row *r);
/* Place the rows at their hour of the year (local standard time = UTC +
 * w->utc_offset_h): every hour exactly once, or a FILE:LINE error. Fills w's
 * arrays (has_* say which are kept); frees the builder. */
enum { JC_WX_HAS_PRESSURE = 1, JC_WX_HAS_ALBEDO = 2, JC_WX_HAS_OUTPUT = 4 };
int jc_wx_finish(jc_wx_builder *b, const char *name, unsigned has, jc_weather *w);
void jc_wx_builder_free(jc_wx_builder *b);

/* Readers: w->source and w->kind are set by the caller; utc_offset_h is the
 * caller's (NaN: the file's); partial goes to the builder. */
int jc_wx_read_pvgis(jc_wx_lines *c, double utc_offset_h, int partial, jc_weather *w);
int jc_wx_read_epw(jc_wx_lines *c, double utc_offset_h, int partial, jc_weather *w);
int jc_wx_read_pvwatts(jc_wx_lines *c, double utc_offset_h, int partial, jc_weather *w);

#endif
