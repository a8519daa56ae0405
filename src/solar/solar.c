/* solar/solar.c: a year of hourly PV output from a year of weather, the
 * chain PVWatts v5 runs (Dobos 2014): sun position (SPA) at the instant the
 * irradiance stands for, plane-of-array irradiance, glass-cover loss on the
 * beam, cell temperature, DC with the temperature coefficient, system
 * losses, inverter. Also the annual figures and the CSV that the dispatch
 * module reads (docs/formats.md, "PV series"). */
#include "joulecast/solar.h"
#include "weather_internal.h" /* jc_wx_civil */

#include <math.h>
#include <stdlib.h>
#include <string.h>

void jc_pv_system_defaults(jc_pv_system *s)
{
    *s = (jc_pv_system){.kwdc = 0.76, .tilt_deg = 20, .azimuth_deg = 180, .sky = JC_SKY_PEREZ,
                        .temp_model = JC_TEMP_SAPM, .sapm = JC_SAPM_OPEN_RACK_GLASS_POLYMER, .albedo = NAN,
                        .losses_pct = jc_pvwatts_default_losses_pct(), .gamma_per_c = -0.0047, .dc_ac_ratio = 1.2,
                        .inv_eff_nom = 0.96, .glass_iam = 1};
    jc_noct_defaults(&s->noct);
}

void jc_pv_series_free(jc_pv_series *p)
{
    if (!p)
        return;
    free(p->time_utc);
    free(p->hour_of_year);
    free(p->ghi);
    free(p->poa);
    free(p->tcell_c);
    free(p->dc_w);
    free(p->ac_w);
    memset(p, 0, sizeof *p);
}

static int check_system(const jc_pv_system *s)
{
    if (!(s->kwdc > 0 && s->kwdc < 1e6))
        return jc_fail(JC_ERR_INVALID, "DC size %g kW: expected more than 0", s->kwdc);
    if (!(s->tilt_deg >= 0 && s->tilt_deg <= 90))
        return jc_fail(JC_ERR_INVALID, "tilt %g: expected 0..90 degrees", s->tilt_deg);
    if (!(s->azimuth_deg >= 0 && s->azimuth_deg < 360))
        return jc_fail(JC_ERR_INVALID, "azimuth %g: expected 0..360 degrees from north, clockwise", s->azimuth_deg);
    if (!(s->losses_pct >= 0 && s->losses_pct < 100))
        return jc_fail(JC_ERR_INVALID, "losses %g %%: expected 0..99", s->losses_pct);
    if (!isnan(s->albedo) && !(s->albedo >= 0 && s->albedo <= 1))
        return jc_fail(JC_ERR_INVALID, "albedo %g: expected 0..1", s->albedo);
    if (!(s->dc_ac_ratio > 0) || !(s->inv_eff_nom > 0 && s->inv_eff_nom <= 1) || !(fabs(s->gamma_per_c) < 0.1))
        return jc_fail(JC_ERR_INVALID, "inverter or temperature coefficient out of range");
    return JC_OK;
}

static int alloc_series(jc_pv_series *p, size_t n)
{
    p->n = n;
    p->time_utc = malloc(n * sizeof *p->time_utc);
    p->hour_of_year = malloc(n * sizeof *p->hour_of_year);
    p->ghi = malloc(n * sizeof *p->ghi);
    p->poa = malloc(n * sizeof *p->poa);
    p->tcell_c = malloc(n * sizeof *p->tcell_c);
    p->dc_w = malloc(n * sizeof *p->dc_w);
    p->ac_w = malloc(n * sizeof *p->ac_w);
    if (!p->time_utc || !p->hour_of_year || !p->ghi || !p->poa || !p->tcell_c || !p->dc_w || !p->ac_w)
        return jc_fail(JC_ERR_NOMEM, "out of memory for the PV series");
    return JC_OK;
}

/* Mean of the finite values, or fallback. */
static double mean_or(const double *v, size_t n, double fallback)
{
    if (!v)
        return fallback;
    double s = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            s += v[i], k++;
    return k ? s / (double)k : fallback;
}

/* SPA's site: the weather's place; refraction from the year's mean pressure
 * and temperature (the report asks for annual means), pressure from the
 * standard atmosphere at the elevation when the file has none. */
static void site_for(const jc_weather *w, jc_spa_site *site)
{
    jc_spa_site_defaults(site);
    site->latitude_deg = w->latitude_deg;
    site->longitude_deg = w->longitude_deg;
    site->elevation_m = isfinite(w->elevation_m) ? w->elevation_m : 0;
    double p_std = 1013.25 * pow(1.0 - 2.25577e-5 * site->elevation_m, 5.25588);
    site->pressure_mbar = mean_or(w->pressure_pa, w->n, p_std * 100.0) / 100.0;
    site->temperature_c = mean_or(w->temp_air_c, w->n, 12.0);
}

static double cell_temperature(const jc_pv_system *s, double poa, double tair, double wind)
{
    if (s->temp_model == JC_TEMP_NOCT)
        return jc_celltemp_noct(&s->noct, poa, tair, wind);
    return jc_celltemp_sapm(&s->sapm, poa, tair, wind);
}

/* One modelled hour. */
static int model_hour(const jc_weather *w, size_t h, const jc_pv_system *s, const jc_spa_site *site,
                      const jc_pvwatts *pw, jc_pv_series *p)
{
    jc_spa_result sun;
    int rc = jc_spa_compute(site, jc_spa_jd_from_unix(w->sun_time_utc[h]), &sun);
    if (rc)
        return rc;
    double albedo = s->albedo;
    if (isnan(albedo))
        albedo = w->albedo && isfinite(w->albedo[h]) ? w->albedo[h] : 0.2;
    jc_poa poa;
    rc = jc_poa_compute(s->sky, s->tilt_deg, s->azimuth_deg, sun.zenith_deg, sun.azimuth_deg, w->dni[h], w->ghi[h],
                        w->dhi[h], jc_dni_extra(sun.r_au), jc_airmass_relative(sun.zenith_deg), albedo, &poa);
    if (rc)
        return rc;
    /* PVWatts corrects only the beam for the cover's reflection. */
    double transmitted = poa.total;
    if (s->glass_iam)
        transmitted = poa.beam * jc_iam_glass(poa.aoi_deg) + poa.sky_diffuse + poa.ground;
    double tcell = cell_temperature(s, poa.total, w->temp_air_c[h], w->wind_ms[h]);
    double dc = jc_pvwatts_dc(pw, transmitted, tcell) * (1.0 - s->losses_pct / 100.0);
    p->ghi[h] = w->ghi[h];
    p->poa[h] = poa.total;
    p->tcell_c[h] = tcell;
    p->dc_w[h] = dc;
    p->ac_w[h] = jc_pvwatts_ac(pw, dc, NULL);
    return JC_OK;
}

/* A PVWatts export: its own outputs; GHI rebuilt from beam and diffuse
 * where the location is known. */
static int copy_hour(const jc_weather *w, size_t h, const jc_spa_site *site, int located, jc_pv_series *p)
{
    double ghi = NAN;
    if (located && isfinite(w->dni[h]) && isfinite(w->dhi[h])) {
        jc_spa_result sun;
        int rc = jc_spa_compute(site, jc_spa_jd_from_unix(w->sun_time_utc[h]), &sun);
        if (rc)
            return rc;
        double cz = cos(sun.zenith_deg * 3.14159265358979323846 / 180.0);
        ghi = w->dhi[h] + (cz > 0 ? w->dni[h] * cz : 0);
    }
    p->ghi[h] = ghi;
    p->poa[h] = w->poa[h];
    p->tcell_c[h] = w->tcell_c[h];
    p->dc_w[h] = w->dc_w[h];
    p->ac_w[h] = w->ac_w[h] > 0 ? w->ac_w[h] : 0;
    return JC_OK;
}

/* Month (1..12) of an hour of a 365-day year. */
static int month_of_hour(int hour_of_year)
{
    static const int last_day[12] = {31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};
    int day = hour_of_year / 24;
    int m = 0;
    while (m < 11 && day >= last_day[m])
        m++;
    return m + 1;
}

static void summarise(jc_pv_series *p)
{
    double total = 0;
    memset(p->monthly_kwh, 0, sizeof p->monthly_kwh);
    p->peak_ac_w = 0;
    for (size_t h = 0; h < p->n; h++) {
        double wh = p->ac_w[h]; /* W averaged over one hour = Wh */
        total += wh;
        p->monthly_kwh[month_of_hour(p->hour_of_year[h]) - 1] += wh / 1000.0;
        if (wh > p->peak_ac_w)
            p->peak_ac_w = wh;
    }
    p->annual_kwh = total / 1000.0;
    p->specific_kwh_kwp = p->annual_kwh / p->kwdc;
    p->capacity_factor = p->annual_kwh / (p->kwdc * (double)p->n); /* n = 8760 for a year */
    p->best_month = 1;
    for (int m = 1; m < 12; m++)
        if (p->monthly_kwh[m] > p->monthly_kwh[p->best_month - 1])
            p->best_month = m + 1;
}

int jc_pv_simulate(const jc_weather *w, const jc_pv_system *s, jc_pv_series *out)
{
    memset(out, 0, sizeof *out);
    int rc = check_system(s);
    if (rc)
        return rc;
    if (!w || w->n == 0)
        return jc_fail(JC_ERR_EMPTY, "no weather");
    int from_file = w->ac_w != NULL;
    int located = isfinite(w->latitude_deg) && isfinite(w->longitude_deg);
    if (!from_file && !located)
        return jc_fail(JC_ERR_INVALID, "%s: the weather file gives no latitude/longitude", w->source);
    jc_pv_series p = {0};
    if ((rc = alloc_series(&p, w->n))) {
        jc_pv_series_free(&p);
        return rc;
    }
    p.kwdc = from_file && isfinite(w->kwdc) && w->kwdc > 0 ? w->kwdc : s->kwdc;
    p.modeled = !from_file;
    jc_spa_site site;
    jc_spa_site_defaults(&site);
    if (located)
        site_for(w, &site);
    jc_pvwatts pw;
    jc_pvwatts_defaults(&pw, s->kwdc * 1000.0);
    pw.gamma_per_c = s->gamma_per_c;
    pw.losses_pct = s->losses_pct;
    pw.dc_ac_ratio = s->dc_ac_ratio;
    pw.inv_eff_nom = s->inv_eff_nom;
    for (size_t h = 0; h < w->n && !rc; h++) {
        p.time_utc[h] = w->time_utc[h];
        p.hour_of_year[h] = w->hour_of_year ? w->hour_of_year[h] : (int)h;
        rc = from_file ? copy_hour(w, h, &site, located, &p) : model_hour(w, h, s, &site, &pw, &p);
    }
    if (rc) {
        jc_pv_series_free(&p);
        return rc;
    }
    summarise(&p);
    *out = p;
    return JC_OK;
}

/* ISO 8601 UTC of a UNIX time, whole seconds. */
static void iso_utc(double t, char *buf, size_t size)
{
    int64_t y;
    unsigned m, d;
    int hour;
    t = round(t);
    jc_wx_civil(t, 0, &y, &m, &d, &hour);
    int sec = (int)(t - floor(t / 86400.0) * 86400.0);
    snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)(y % 10000), m % 100, d % 100, sec / 3600,
             sec / 60 % 60, sec % 60);
}

static void put_num(FILE *f, const char *fmt, double v)
{
    if (isfinite(v))
        fprintf(f, fmt, v);
}

int jc_pv_series_write_stream(const jc_pv_series *p, FILE *f)
{
    fputs("time_utc,hour_of_year,ghi_w_m2,poa_w_m2,cell_temp_c,dc_w,ac_w\n", f);
    for (size_t h = 0; h < p->n; h++) {
        char t[64];
        iso_utc(p->time_utc[h], t, sizeof t);
        fprintf(f, "%s,%d,", t, p->hour_of_year[h]);
        put_num(f, "%.2f", p->ghi[h]);
        fputc(',', f);
        put_num(f, "%.2f", p->poa[h]);
        fputc(',', f);
        put_num(f, "%.2f", p->tcell_c[h]);
        fputc(',', f);
        put_num(f, "%.3f", p->dc_w[h]);
        fputc(',', f);
        put_num(f, "%.3f", p->ac_w[h]);
        fputc('\n', f);
    }
    if (fflush(f) != 0 || ferror(f))
        return jc_fail(JC_ERR_IO, "writing the PV series failed");
    return JC_OK;
}

int jc_pv_series_write_csv(const jc_pv_series *p, const char *path)
{
    jc_atomic_file *af;
    FILE *f;
    int rc = jc_atomic_open(path, &af, &f);
    if (rc)
        return rc;
    if (jc_pv_series_write_stream(p, f)) {
        jc_atomic_abort(af);
        return jc_fail_at(JC_ERR_IO, path, 0, 0, "write failed");
    }
    return jc_atomic_commit(af);
}
