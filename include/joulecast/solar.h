/* solar: what a PV array makes, hour by hour, from a year of weather.
 * The sun's position by NREL's Solar Position Algorithm (Reda & Andreas,
 * NREL/TP-560-34302, 2004, rev. 2008), the irradiance on the tilted panel
 * (isotropic, Hay-Davies, Perez et al. 1990), the cell temperature (Sandia
 * SAPM, King et al. 2004; SAM's NOCT model), and the PVWatts v5 DC, loss and
 * inverter models (Dobos 2014). Readers for PVGIS TMY CSV, EnergyPlus EPW and
 * PVWatts hourly exports. docs/solar.md has every equation and its source;
 * the series written out is docs/formats.md, "PV series (`joulecast solar`)".
 *
 * Angles are degrees; surface azimuths are measured from north, clockwise
 * (180 = facing south), as PVWatts and PVGIS-style tools state them. */
#ifndef JOULECAST_SOLAR_H
#define JOULECAST_SOLAR_H

#include <stddef.h>
#include "joulecast/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- sun position: NREL SPA ---- */

typedef struct {
    double latitude_deg;       /* north positive */
    double longitude_deg;      /* east positive */
    double elevation_m;
    double pressure_mbar;      /* annual mean, for refraction */
    double temperature_c;      /* annual mean, for refraction */
    double delta_t_s;          /* TT - UT1 */
    double delta_ut1_s;        /* UT1 - UTC */
    double slope_deg;          /* surface tilt from horizontal, for the incidence angle */
    double azm_rotation_deg;   /* surface azimuth rotation from south, west positive (SPA's gamma) */
    double atmos_refract_deg;  /* refraction at sunrise/sunset, 0.5667 */
} jc_spa_site;

/* Every output of the algorithm, so that each step can be checked against
 * the paper's Table A5.1. */
typedef struct {
    double jd, jde, jc, jce, jme;
    double l_deg, b_deg, r_au;            /* earth heliocentric longitude, latitude, radius */
    double theta_deg, beta_deg;           /* geocentric longitude, latitude */
    double del_psi_deg, del_eps_deg;      /* nutation in longitude, obliquity */
    double eps_deg;                       /* true obliquity */
    double lambda_deg;                     /* apparent sun longitude */
    double nu_deg;                        /* apparent sidereal time at Greenwich */
    double alpha_deg, delta_deg;          /* geocentric right ascension, declination */
    double h_deg;                         /* observer local hour angle */
    double alpha_prime_deg, delta_prime_deg, h_prime_deg; /* topocentric */
    double e0_deg;                        /* elevation without refraction */
    double elevation_deg;                 /* with refraction */
    double zenith_deg;                    /* topocentric zenith */
    double azimuth_astro_deg;             /* westward from south */
    double azimuth_deg;                   /* eastward from north */
    double incidence_deg;                 /* on the site's surface */
    double eot_min;                       /* equation of time, minutes */
} jc_spa_result;

/* Defaults: sea level, 1013.25 mbar, 12 C, delta T 69 s (2005-2023 mean,
 * enough: 1 s of delta T moves the sun 0.00001 deg), flat surface, 0.5667. */
void jc_spa_site_defaults(jc_spa_site *site);
/* Julian day (UT) of a calendar date and local time in a zone of timezone_h
 * hours east of Greenwich (the paper's equation 4; Julian calendar before
 * 1582-10-15). */
double jc_spa_julian_day(int year, int month, int day, int hour, int minute, double second, double timezone_h);
/* Julian day of a UNIX time (seconds since 1970-01-01 UTC). */
double jc_spa_jd_from_unix(double unix_s);
/* The whole algorithm at Julian day jd_utc (UTC; delta_ut1 is added).
 * JC_ERR_INVALID for a site out of range. */
int jc_spa_compute(const jc_spa_site *site, double jd_utc, jc_spa_result *out);
/* The same for a local calendar time. */
int jc_spa_compute_local(const jc_spa_site *site, int year, int month, int day, int hour, int minute,
                         double second, double timezone_h, jc_spa_result *out);

/* ---- plane-of-array irradiance ---- */

typedef enum { JC_SKY_ISOTROPIC = 0, JC_SKY_HAYDAVIES = 1, JC_SKY_PEREZ = 2 } jc_sky_model;
/* "isotropic", "haydavies", "perez" -> model; -1 when unknown. */
int jc_sky_model_parse(const char *name);
const char *jc_sky_model_name(jc_sky_model m);

typedef struct {
    double beam, sky_diffuse, ground, total; /* W/m^2 on the panel */
    double aoi_deg;                          /* angle of incidence of the beam */
    int perez_bin;                           /* Perez sky clearness bin 1..8 (0: not Perez) */
} jc_poa;

/* Cosine of the angle between the sun and the panel's normal. */
double jc_aoi_cos(double tilt_deg, double surface_azimuth_deg, double zenith_deg, double sun_azimuth_deg);
/* Relative optical air mass, Kasten & Young (1989); NaN at or below the
 * horizon (zenith >= 90). */
double jc_airmass_relative(double zenith_deg);
/* Extraterrestrial normal irradiance at earth-sun distance r_au, from a
 * solar constant of 1367 W/m^2 (the value Perez et al. 1990 used). */
double jc_dni_extra(double r_au);
/* Irradiance on a panel of tilt and azimuth from the sun's position and
 * DNI, GHI, DHI. dni_extra and airmass are needed by Hay-Davies (dni_extra)
 * and Perez (both). Negative irradiances count as 0. With the sun at or
 * below the horizon the beam is 0 and the sky isotropic. */
int jc_poa_compute(jc_sky_model model, double tilt_deg, double surface_azimuth_deg, double zenith_deg,
                   double sun_azimuth_deg, double dni, double ghi, double dhi, double dni_extra,
                   double airmass, double albedo, jc_poa *out);

/* ---- cell temperature ---- */

typedef enum { JC_TEMP_SAPM = 0, JC_TEMP_NOCT = 1 } jc_temp_model;
int jc_temp_model_parse(const char *name); /* "sapm", "noct"; -1 unknown */

/* SAPM coefficients (King et al. 2004, SAND2004-3535, Table 1). */
typedef struct {
    const char *name;
    double a, b;       /* Tm = E exp(a + b WS) + Ta, WS at 10 m */
    double delta_t_c;  /* Tc = Tm + E/1000 dT */
} jc_sapm_temp;
extern const jc_sapm_temp JC_SAPM_OPEN_RACK_GLASS_GLASS;
extern const jc_sapm_temp JC_SAPM_OPEN_RACK_GLASS_POLYMER;
extern const jc_sapm_temp JC_SAPM_CLOSE_ROOF_GLASS_GLASS;
extern const jc_sapm_temp JC_SAPM_INSULATED_BACK_GLASS_POLYMER;
/* Cell temperature (C) from the plane-of-array irradiance (W/m^2), the air
 * temperature (C) and the wind speed at 10 m (m/s). */
double jc_celltemp_sapm(const jc_sapm_temp *p, double poa, double temp_air_c, double wind10_ms);

/* SAM's NOCT model (Gilman 2015, SAM Photovoltaic Model Technical Reference,
 * section 10.6, after Duffie & Beckman): nominal operating cell temperature,
 * module efficiency at STC, transmittance-absorptance (0.9), the mounting
 * standoff in inches (> 3.5: open rack) and the array height in stories
 * (1 or 2), which scales the 10 m wind speed to the array (0.51 or 0.61). */
typedef struct {
    double noct_c;
    double module_efficiency;
    double tau_alpha;
    double standoff_in;
    int height_stories;
} jc_noct_params;
void jc_noct_defaults(jc_noct_params *p); /* 45 C, 0.19, 0.9, 4 in, 1 story */
double jc_celltemp_noct(const jc_noct_params *p, double poa, double temp_air_c, double wind10_ms);

/* ---- PVWatts v5: cover, DC, losses, inverter ---- */

/* Transmittance of the glass cover at angle of incidence aoi relative to
 * normal incidence (Fresnel + Bouguer, n 1.526, K 4/m, L 2 mm; De Soto et
 * al. 2006, as PVWatts v5 uses it for the beam). 0 at 90 degrees and beyond. */
double jc_iam_glass(double aoi_deg);

typedef struct {
    double pdc0_w;          /* DC nameplate at 1000 W/m^2, 25 C */
    double gamma_per_c;     /* power temperature coefficient, 1/C (-0.0047 standard) */
    double losses_pct;      /* system losses, 14.08 by default */
    double dc_ac_ratio;     /* 1.2 */
    double inv_eff_nom;     /* 0.96 */
    double inv_eff_ref;     /* 0.9637, the curve's reference */
} jc_pvwatts;
/* PVWatts v5 defaults for a standard module of pdc0_w. */
void jc_pvwatts_defaults(jc_pvwatts *p, double pdc0_w);
/* 14.08: the PVWatts default loss categories compounded (docs/solar.md). */
double jc_pvwatts_default_losses_pct(void);
/* DC power (W) before system losses from the transmitted plane-of-array
 * irradiance (W/m^2) and the cell temperature (C); never negative. */
double jc_pvwatts_dc(const jc_pvwatts *p, double poa_transmitted, double tcell_c);
/* AC power (W) from the DC power after losses; *eff (may be NULL) gets the
 * efficiency (0 when no power). Clipped at the AC rating pdc0/dc_ac_ratio. */
double jc_pvwatts_ac(const jc_pvwatts *p, double pdc_w, double *eff);
/* The inverter's AC rating and its DC input at that rating. */
double jc_pvwatts_pac0(const jc_pvwatts *p);

/* ---- weather ---- */

typedef enum {
    JC_WEATHER_AUTO = 0,
    JC_WEATHER_PVGIS = 1,   /* PVGIS TMY CSV */
    JC_WEATHER_EPW = 2,     /* EnergyPlus weather */
    JC_WEATHER_PVWATTS = 3  /* PVWatts hourly export: AC output read directly */
} jc_weather_kind;
int jc_weather_kind_parse(const char *name); /* auto|pvgis|epw|pvwatts; -1 unknown */
const char *jc_weather_kind_name(jc_weather_kind k);

/* One year of hours, sorted by hour of the year: hour 0 is January 1st
 * 00:00-01:00 local standard time (UTC + utc_offset_h, no daylight saving)
 * in a 365-day year; hour_of_year[i] == i for a whole year. Arrays a format
 * does not carry are NULL. */
typedef struct {
    jc_weather_kind kind;
    char *source;               /* the path read */
    size_t n;                   /* hours: 8760 */
    double latitude_deg, longitude_deg, elevation_m; /* NaN when the file has none */
    double utc_offset_h;        /* local standard time - UTC */
    double irradiance_offset_h; /* PVGIS: irradiance instant - stamp (NaN otherwise) */
    double kwdc;                /* PVWatts export: its DC system size (NaN otherwise) */
    int *hour_of_year;          /* 0..8759, ascending */
    double *time_utc;           /* UNIX time of the hour's start (the file's own year) */
    double *sun_time_utc;       /* UNIX time the irradiance stands for: sun position there */
    double *ghi, *dni, *dhi;    /* W/m^2 */
    double *temp_air_c, *wind_ms; /* air temperature, wind speed at 10 m */
    double *pressure_pa;        /* NULL or per hour */
    double *albedo;             /* NULL or per hour (EPW, PVWatts) */
    /* PVWatts exports only: */
    double *poa, *tcell_c, *dc_w, *ac_w;
} jc_weather;

/* Read a weather file. utc_offset_h: NaN to take it from the file (EPW's
 * LOCATION line) or, for PVGIS, from the longitude (round(lon / 15)); must be
 * a whole number of hours. Every hour of a 365-day year must be there once
 * (February 29th is skipped), unless flags has JC_WEATHER_PARTIAL (excerpts).
 * Errors name FILE:LINE:COL and what was expected. */
#define JC_WEATHER_PARTIAL 1u
int jc_weather_read(const char *path, jc_weather_kind kind, double utc_offset_h, unsigned flags, jc_weather *out);
/* The same from memory (name is used in messages). */
int jc_weather_read_buffer(const char *name, const char *text, size_t len, jc_weather_kind kind,
                           double utc_offset_h, unsigned flags, jc_weather *out);
void jc_weather_free(jc_weather *w);

/* ---- the hourly PV series ---- */

typedef struct {
    double kwdc;            /* DC nameplate, kW */
    double tilt_deg;
    double azimuth_deg;     /* from north, clockwise: 180 = south */
    jc_sky_model sky;
    jc_temp_model temp_model;
    jc_sapm_temp sapm;      /* SAPM coefficients (open rack glass/polymer) */
    jc_noct_params noct;
    double albedo;          /* NaN: the weather file's, 0.2 where it has none */
    double losses_pct;
    double gamma_per_c;
    double dc_ac_ratio;
    double inv_eff_nom;
    int glass_iam;          /* apply the glass-cover transmittance to the beam (1) */
} jc_pv_system;
/* The seed's system: 0.76 kWdc (4 m^2 of standard modules), tilt 20,
 * azimuth 180, Perez, SAPM open rack glass/polymer, PVWatts v5 defaults. */
void jc_pv_system_defaults(jc_pv_system *s);

typedef struct {
    size_t n;
    double kwdc;
    int modeled;                /* 0 when the AC output was read from a PVWatts export */
    double *time_utc;           /* start of the hour, UNIX seconds */
    int *hour_of_year;
    double *ghi, *poa, *tcell_c, *dc_w, *ac_w;
    double annual_kwh;
    double specific_kwh_kwp;
    double capacity_factor;     /* annual / (kwdc * 8760 h) */
    double monthly_kwh[12];
    int best_month;             /* 1..12 */
    double peak_ac_w;
} jc_pv_series;

/* Hourly output of the system for the weather. For a PVWatts export the
 * AC (and DC, POA, cell temperature) come from the file; system only gives
 * kwdc where the file has no size. */
int jc_pv_simulate(const jc_weather *w, const jc_pv_system *s, jc_pv_series *out);
/* Write docs/formats.md's "PV series" CSV, atomically. */
int jc_pv_series_write_csv(const jc_pv_series *p, const char *path);
/* The same rows to an open stream (standard output). */
int jc_pv_series_write_stream(const jc_pv_series *p, FILE *f);
void jc_pv_series_free(jc_pv_series *p);

#ifdef __cplusplus
}
#endif
#endif
