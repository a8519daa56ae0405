/* solar: NREL SPA against the report's example (Table A5.1) and its Julian
 * day table (A4.1); the transposition models on cases that can be checked by
 * hand; SAPM and NOCT cell temperatures; the PVWatts v5 cover, DC and
 * inverter curve; the three weather readers on real excerpts
 * (tests/data/solar) and on broken input, each error with its FILE:LINE:COL;
 * and the Turin TMY year from ../shared/data (skipped when absent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "joulecast/solar.h"

#define SDATA JC_TEST_DATA "/solar/"
#define TURIN JC_SHARED_DATA "/pvgis-turin/tmy_45.000_8.000_2005_2023"

static void near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.10f, want %.10f (tolerance %g, off by %.3g)", what, got, want, tol, got - want);
}

/* ---- SPA ---- */

/* The report's example: 2003-10-17 12:30:30 local time, UTC-7, Golden CO. */
static void spa_example(jc_spa_result *r)
{
    jc_spa_site s;
    jc_spa_site_defaults(&s);
    s.latitude_deg = 39.742476;
    s.longitude_deg = -105.1786;
    s.elevation_m = 1830.14;
    s.pressure_mbar = 820;
    s.temperature_c = 11;
    s.delta_t_s = 67;
    s.delta_ut1_s = 0;
    s.slope_deg = 30;
    s.azm_rotation_deg = -10;
    s.atmos_refract_deg = 0.5667;
    assert_int_equal(jc_spa_compute_local(&s, 2003, 10, 17, 12, 30, 30, -7, r), JC_OK);
}

static void test_spa_reference(void **state)
{
    (void)state;
    jc_spa_result r;
    spa_example(&r);
    /* the two results the task names, to 1e-5 degree */
    near(r.zenith_deg, 50.11162, 1e-5, "topocentric zenith");
    near(r.azimuth_deg, 194.34024, 1e-5, "topocentric azimuth");
    near(r.incidence_deg, 25.18700, 1e-5, "incidence angle");
    /* every intermediate value of Table A5.1, to the digits printed there */
    near(r.jd, 2452930.312847, 1e-6, "JD");
    near(r.l_deg, 24.0182616917, 1e-9, "L");
    near(r.b_deg, -0.0001011219, 1e-10, "B");
    near(r.r_au, 0.9965422974, 1e-10, "R");
    near(r.theta_deg, 204.0182616917, 1e-9, "Theta");
    near(r.beta_deg, 0.0001011219, 1e-10, "beta");
    near(r.del_psi_deg, -0.00399840, 1e-8, "delta psi");
    near(r.del_eps_deg, 0.00166657, 1e-8, "delta epsilon");
    near(r.eps_deg, 23.440465, 1e-6, "epsilon");
    near(r.lambda_deg, 204.0085519281, 1e-9, "lambda");
    near(r.alpha_deg, 202.22741, 1e-5, "alpha");
    near(r.delta_deg, -9.31434, 1e-5, "delta");
    near(r.h_deg, 11.105900, 5e-6, "H");
    /* The table's H' (11.10629) is 2e-5 off its own H - (alpha' - alpha) =
     * 11.105900 + 0.00037 = 11.10627: checked to 5e-5. */
    near(r.h_prime_deg, 11.10629, 5e-5, "H'");
    near(r.alpha_prime_deg, 202.22704, 1e-5, "alpha'");
    near(r.delta_prime_deg, -9.316179, 1e-6, "delta'");
    near(r.eot_min, 14.641503, 1e-4, "equation of time");
}

static void test_julian_day(void **state)
{
    (void)state;
    /* Table A4.1 of the report */
    static const struct {
        int y, m, d, h, mi;
        double jd;
    } cases[] = {{2000, 1, 1, 12, 0, 2451545.0},  {1999, 1, 1, 0, 0, 2451179.5},   {1987, 1, 27, 0, 0, 2446822.5},
                 {1987, 6, 19, 12, 0, 2446966.0}, {1988, 1, 27, 0, 0, 2447187.5},  {1988, 6, 19, 12, 0, 2447332.0},
                 {1900, 1, 1, 0, 0, 2415020.5},   {1600, 1, 1, 0, 0, 2305447.5},   {1600, 12, 31, 0, 0, 2305812.5},
                 {837, 4, 10, 7, 12, 2026871.8},  {-123, 12, 31, 0, 0, 1676496.5}, {-122, 1, 1, 0, 0, 1676497.5},
                 {-1000, 7, 12, 12, 0, 1356001.0}, {-1000, 2, 29, 0, 0, 1355866.5}, {-1001, 8, 17, 21, 36, 1355671.4},
                 {-4712, 1, 1, 12, 0, 0.0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "JD of %d-%02d-%02d", cases[i].y, cases[i].m, cases[i].d);
        near(jc_spa_julian_day(cases[i].y, cases[i].m, cases[i].d, cases[i].h, cases[i].mi, 0, 0), cases[i].jd, 1e-6,
             what);
    }
    near(jc_spa_jd_from_unix(0), 2440587.5, 0, "JD of the UNIX epoch");
    near(jc_spa_jd_from_unix(946728000), 2451545.0, 0, "JD of 2000-01-01 12:00 UTC");
    jc_spa_site bad;
    jc_spa_site_defaults(&bad);
    bad.latitude_deg = 91;
    jc_spa_result r;
    assert_int_equal(jc_spa_compute(&bad, 2451545.0, &r), JC_ERR_INVALID);
}

/* ---- plane of array ---- */

static jc_poa poa(jc_sky_model m, double tilt, double az, double zen, double sun_az, double dni, double ghi,
                  double dhi, double albedo)
{
    jc_poa p;
    double am = jc_airmass_relative(zen);
    assert_int_equal(jc_poa_compute(m, tilt, az, zen, sun_az, dni, ghi, dhi, 1367.0, am, albedo, &p), JC_OK);
    return p;
}

static void test_poa_hand_cases(void **state)
{
    (void)state;
    const double PI = 3.14159265358979323846;
    for (int m = 0; m < 3; m++) {
        /* the sun normal to the panel: the beam is the whole DNI */
        jc_poa p = poa((jc_sky_model)m, 35, 200, 35, 200, 800, 800 * cos(35 * PI / 180) + 100, 100, 0.2);
        near(p.beam, 800, 1e-9, "beam, sun normal to the panel");
        near(p.aoi_deg, 0, 1e-6, "AOI, sun normal to the panel");
        near(p.ground, p.total - p.beam - p.sky_diffuse, 1e-9, "components add up");
        /* a horizontal panel sees GHI in every model (Rb = 1, a/b = 1, sin 0 = 0) */
        double ghi = 600 * cos(40 * PI / 180) + 150;
        p = poa((jc_sky_model)m, 0, 180, 40, 130, 600, ghi, 150, 0.3);
        near(p.total, ghi, 1e-9, "horizontal panel = GHI");
        near(p.ground, 0, 1e-12, "horizontal panel sees no ground");
        /* the sun behind the panel gives no beam */
        p = poa((jc_sky_model)m, 90, 180, 60, 0, 500, 400, 150, 0.2);
        near(p.beam, 0, 1e-12, "sun behind the panel");
        /* sun below the horizon: no beam, isotropic twilight diffuse */
        p = poa((jc_sky_model)m, 20, 180, 95, 270, 50, 10, 10, 0.2);
        near(p.beam, 0, 1e-12, "sun down: beam");
        near(p.sky_diffuse, 10 * (1 + cos(20 * PI / 180)) / 2, 1e-9, "sun down: isotropic sky");
    }
    /* isotropic, diffuse-only sky: DHI (1 + cos tilt) / 2, ground GHI rho (1 - cos tilt) / 2 */
    jc_poa p = poa(JC_SKY_ISOTROPIC, 30, 180, 50, 180, 0, 200, 200, 0.25);
    near(p.sky_diffuse, 200 * (1 + cos(30 * PI / 180)) / 2, 1e-9, "isotropic sky");
    near(p.ground, 200 * 0.25 * (1 - cos(30 * PI / 180)) / 2, 1e-9, "isotropic ground");
    /* vertical panel: half the sky, half the ground */
    p = poa(JC_SKY_ISOTROPIC, 90, 180, 50, 180, 0, 300, 300, 0.2);
    near(p.sky_diffuse, 150, 1e-9, "vertical panel, isotropic");
    near(p.ground, 30, 1e-9, "vertical panel, ground");
}

static void test_haydavies(void **state)
{
    (void)state;
    const double PI = 3.14159265358979323846;
    /* DNI = I0: anisotropy index 1, all diffuse circumsolar: DHI Rb,
     * Rb = cos AOI / cos Z = 1 / cos 30 with the sun normal to a 30 deg panel */
    jc_poa p = poa(JC_SKY_HAYDAVIES, 30, 180, 30, 180, 1367, 1500, 100, 0.2);
    near(p.sky_diffuse, 100 / cos(30 * PI / 180), 1e-9, "Hay-Davies, A = 1");
    /* DNI = 0: A = 0, the isotropic sky */
    p = poa(JC_SKY_HAYDAVIES, 30, 180, 30, 180, 0, 100, 100, 0.2);
    near(p.sky_diffuse, 100 * (1 + cos(30 * PI / 180)) / 2, 1e-9, "Hay-Davies, A = 0");
    /* half way: A = 0.5, tilt 45, sun at zenith 0 (Rb = cos 45) */
    p = poa(JC_SKY_HAYDAVIES, 45, 180, 0, 180, 683.5, 783.5, 100, 0.2);
    near(p.sky_diffuse, 100 * (0.5 * cos(45 * PI / 180) + 0.5 * (1 + cos(45 * PI / 180)) / 2), 1e-9,
         "Hay-Davies, A = 0.5");
}

static void test_perez(void **state)
{
    (void)state;
    /* Overcast (DNI 0: epsilon 1, bin 1), sun at the zenith (Z 0), vertical
     * panel, DHI 10. By hand: air mass (Kasten & Young) at Z = 0 is
     * 1 / (1 + 0.50572 x 96.07995^-1.6364) = 0.9997120; delta = 10 x 0.9997120
     * / 1367 = 0.0073132; F1 = max(0, -0.0083117 + 0.5877285 delta) = 0;
     * F2 = -0.0596012 + 0.0721249 delta = -0.0590737; sky = DHI (1/2 + F2)
     * = 4.409263 W/m^2. */
    near(jc_airmass_relative(0), 0.9997120, 1e-7, "air mass at Z 0");
    jc_poa p = poa(JC_SKY_PEREZ, 90, 180, 0, 180, 0, 10, 10, 0.2);
    assert_int_equal(p.perez_bin, 1);
    near(p.sky_diffuse, 4.409263, 1e-6, "Perez, overcast, vertical");
    /* Perez with F1 = 0 on a horizontal panel is the isotropic sky exactly */
    p = poa(JC_SKY_PEREZ, 0, 180, 0, 180, 0, 10, 10, 0.2);
    near(p.sky_diffuse, 10, 1e-12, "Perez, horizontal");
    /* Clear sky: DNI 900, DHI 50, Z 30: epsilon = (19 + 1.041 z^3) / (1 +
     * 1.041 z^3) = 16.7, the clearest bin; circumsolar brightening makes the
     * sky on a panel facing the sun brighter than the isotropic sky. */
    p = poa(JC_SKY_PEREZ, 30, 180, 30, 180, 900, 829.4, 50, 0.2);
    assert_int_equal(p.perez_bin, 8);
    jc_poa iso = poa(JC_SKY_ISOTROPIC, 30, 180, 30, 180, 900, 829.4, 50, 0.2);
    assert_true(p.sky_diffuse > 1.2 * iso.sky_diffuse);
    /* the bins' edges (Table 6): epsilon 1.065 starts bin 2 */
    /* at Z 0, epsilon = (DHI + DNI) / DHI */
    p = poa(JC_SKY_PEREZ, 30, 180, 0, 180, 6.5, 106.5, 100, 0.2); /* epsilon 1.065 */
    assert_int_equal(p.perez_bin, 2);
    p = poa(JC_SKY_PEREZ, 30, 180, 0, 180, 6.4, 106.4, 100, 0.2); /* epsilon 1.064 */
    assert_int_equal(p.perez_bin, 1);
    p = poa(JC_SKY_PEREZ, 30, 180, 0, 180, 520, 620, 100, 0.2); /* epsilon 6.2 */
    assert_int_equal(p.perez_bin, 8);
}

/* ---- cell temperature ---- */

static void test_celltemp(void **state)
{
    (void)state;
    /* SAPM, King et al. 2004 eq. 11-12, open rack glass/polymer (a -3.56,
     * b -0.075, dT 3) at 1000 W/m^2, 25 C, 1 m/s: Tm = 25 + 1000 e^-3.635 =
     * 51.3839, Tc = Tm + 3 = 54.3839 (by hand). */
    near(jc_celltemp_sapm(&JC_SAPM_OPEN_RACK_GLASS_POLYMER, 1000, 25, 1), 54.38393, 1e-5, "SAPM glass/polymer");
    /* glass/glass (a -3.47, b -0.0594): 25 + 1000 e^(-3.47 - 0.0594 x 3) + 3 */
    near(jc_celltemp_sapm(&JC_SAPM_OPEN_RACK_GLASS_GLASS, 1000, 25, 3), 25 + 1000 * exp(-3.47 - 0.0594 * 3) + 3,
         1e-9, "SAPM glass/glass");
    near(jc_celltemp_sapm(&JC_SAPM_OPEN_RACK_GLASS_POLYMER, 0, 12.5, 4), 12.5, 1e-12, "SAPM at night: air");
    /* NOCT: at its own conditions (800 W/m^2, 20 C, 1 m/s at the array, no
     * electrical output) the model gives NOCT itself */
    jc_noct_params n;
    jc_noct_defaults(&n);
    n.module_efficiency = 0;
    near(jc_celltemp_noct(&n, 800, 20, 1 / 0.51), 45, 1e-9, "NOCT at NOCT conditions");
    /* with 19 % efficiency and still air: 20 + 25 (1 - 0.19/0.9) 9.5/5.7 */
    jc_noct_defaults(&n);
    near(jc_celltemp_noct(&n, 800, 20, 0), 52.870370, 1e-6, "NOCT, 19 %, still air");
    /* a 1 inch standoff raises NOCT by 11 C */
    n.module_efficiency = 0;
    n.standoff_in = 1;
    near(jc_celltemp_noct(&n, 800, 20, 1 / 0.51), 56, 1e-9, "NOCT, 1 in standoff");
}

/* ---- PVWatts ---- */

static void test_pvwatts(void **state)
{
    (void)state;
    near(jc_pvwatts_default_losses_pct(), 14.08, 1e-12, "PVWatts default losses");
    jc_pvwatts p;
    jc_pvwatts_defaults(&p, 1200);
    near(jc_pvwatts_pac0(&p), 1000, 1e-9, "AC rating = Pdc0 / 1.2");
    /* The inverter curve (Dobos 2014): eta = (0.96 / 0.9637)(-0.0162 z -
     * 0.0059 / z + 0.9858), z = Pdc / Pdc0_inv, Pdc0_inv = Pac0 / 0.96. By
     * hand: 0.921628 at 10 % load, 0.962192 at 50 %, 0.96 at 100 %. */
    double pdc0_inv = 1000 / 0.96, eff;
    jc_pvwatts_ac(&p, 0.1 * pdc0_inv, &eff);
    near(eff, 0.9216279, 1e-7, "inverter at 10 %");
    jc_pvwatts_ac(&p, 0.5 * pdc0_inv, &eff);
    near(eff, 0.9621916, 1e-7, "inverter at 50 %");
    double ac = jc_pvwatts_ac(&p, pdc0_inv, &eff);
    near(eff, 0.96, 1e-12, "inverter at 100 %");
    near(ac, 1000, 1e-9, "AC at 100 % load = the rating");
    near(jc_pvwatts_ac(&p, 1.3 * pdc0_inv, NULL), 1000, 1e-12, "clipped at the AC rating");
    near(jc_pvwatts_ac(&p, 0.001 * pdc0_inv, NULL), 0, 0, "below start-up: 0");
    near(jc_pvwatts_ac(&p, 0, NULL), 0, 0, "no DC, no AC");
    /* DC: nameplate at STC, -0.47 %/C above 25 C */
    near(jc_pvwatts_dc(&p, 1000, 25), 1200, 1e-9, "DC at STC");
    near(jc_pvwatts_dc(&p, 500, 45), 1200 * 0.5 * (1 - 0.0047 * 20), 1e-9, "DC at 500 W/m^2, 45 C");
    near(jc_pvwatts_dc(&p, 0, 45), 0, 0, "DC in the dark");
    /* the glass cover: 1 at normal incidence, 0 at grazing, falling between */
    near(jc_iam_glass(0), 1, 1e-12, "IAM at 0");
    near(jc_iam_glass(90), 0, 0, "IAM at 90");
    near(jc_iam_glass(60), 0.946003, 1e-6, "IAM at 60 (Fresnel + Bouguer, n 1.526, KL 0.008)");
    double prev = 1.0;
    for (int a = 5; a < 90; a += 5) {
        double v = jc_iam_glass(a);
        assert_true(v < prev + 1e-12 && v >= 0);
        prev = v;
    }
}

/* ---- readers ---- */

static jc_weather read_ok(const char *path, unsigned flags)
{
    jc_weather w;
    int rc = jc_weather_read(path, JC_WEATHER_AUTO, NAN, flags, &w);
    if (rc)
        fail_msg("reading %s: %d: %s", path, rc, jc_last_error());
    return w;
}

static void test_read_pvgis_excerpt(void **state)
{
    (void)state;
    jc_weather w = read_ok(SDATA "pvgis_tmy_turin_excerpt.csv", JC_WEATHER_PARTIAL);
    assert_int_equal(w.kind, JC_WEATHER_PVGIS);
    assert_int_equal(w.n, 48);
    near(w.latitude_deg, 45, 0, "latitude");
    near(w.longitude_deg, 8, 0, "longitude");
    near(w.elevation_m, 250, 0, "elevation");
    near(w.irradiance_offset_h, 0.1761, 0, "irradiance time offset");
    near(w.utc_offset_h, 1, 0, "local standard time UTC+1 from the longitude");
    /* 20180101:0000 UTC is 01:00 local: hour 1 */
    assert_int_equal(w.hour_of_year[0], 1);
    assert_int_equal(w.hour_of_year[47], 48);
    near(w.time_utc[0], 1514764800, 0, "2018-01-01T00:00Z");
    near(w.sun_time_utc[0] - w.time_utc[0], 0.1761 * 3600, 1e-6, "sun at stamp + offset");
    /* line 29: 20180101:1000,4.27,95.75,165.0,47.85,149.0,286.2,1.24,... */
    size_t i = 10;
    near(w.time_utc[i], 1514764800 + 10 * 3600, 0, "stamp of line 29");
    near(w.ghi[i], 165.0, 0, "G(h)");
    near(w.dni[i], 47.85, 0, "Gb(n)");
    near(w.dhi[i], 149.0, 0, "Gd(h)");
    near(w.temp_air_c[i], 4.27, 0, "T2m");
    near(w.wind_ms[i], 1.24, 0, "WS10m");
    assert_non_null(w.pressure_pa);
    assert_null(w.ac_w);
    jc_weather_free(&w);
    /* a whole year is required unless asked otherwise */
    jc_weather bad;
    assert_int_equal(jc_weather_read(SDATA "pvgis_tmy_turin_excerpt.csv", JC_WEATHER_AUTO, NAN, 0, &bad),
                     JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "pvgis_tmy_turin_excerpt.csv: expected 8760 hourly rows (a 365-day "
                                            "year), found 48; the first hour missing is hour 0 of the year (1 Jan"));
}

static void test_read_epw_excerpt(void **state)
{
    (void)state;
    jc_weather e = read_ok(SDATA "pvgis_tmy_turin_excerpt.epw", JC_WEATHER_PARTIAL);
    jc_weather c = read_ok(SDATA "pvgis_tmy_turin_excerpt.csv", JC_WEATHER_PARTIAL);
    assert_int_equal(e.kind, JC_WEATHER_EPW);
    near(e.irradiance_offset_h, -0.8239, 0, "PVGIS's offset in COMMENTS 2");
    near(e.utc_offset_h, 1, 0, "LOCATION time zone");
    assert_int_equal(e.n, c.n);
    /* PVGIS's EPW rows are its CSV rows (UTC): same hours, same instants, same values */
    for (size_t i = 0; i < e.n; i++) {
        assert_int_equal(e.hour_of_year[i], c.hour_of_year[i]);
        near(e.time_utc[i], c.time_utc[i], 0, "EPW vs CSV: hour start");
        near(e.sun_time_utc[i], c.sun_time_utc[i], 1e-6, "EPW vs CSV: irradiance instant");
        near(e.ghi[i], c.ghi[i], 1e-9, "EPW vs CSV: GHI");
        near(e.dni[i], c.dni[i], 1e-9, "EPW vs CSV: DNI");
        near(e.dhi[i], c.dhi[i], 1e-9, "EPW vs CSV: DHI");
        near(e.temp_air_c[i], c.temp_air_c[i], 1e-9, "EPW vs CSV: temperature");
        near(e.pressure_pa[i], c.pressure_pa[i], 1e-9, "EPW vs CSV: pressure");
        assert_true(isnan(e.albedo[i])); /* 999: missing */
    }
    jc_weather_free(&e);
    jc_weather_free(&c);
}

static const char EPW_HEAD[] = "LOCATION,Golden,CO,USA,TMY3,724666,39.74,-105.18,-7.0,1829\n"
                               "DESIGN CONDITIONS,0\nTYPICAL/EXTREME PERIODS,0\nGROUND TEMPERATURES,0\n"
                               "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0\nCOMMENTS 1,test\nCOMMENTS 2,test\n"
                               "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31\n";

static void test_read_epw_local_time(void **state)
{
    (void)state;
    /* a standard EPW: hour 13 of 21 June is 12:00-13:00 local standard time
     * (UTC-7): starts 19:00 UTC, sun at its middle, 19:30 UTC */
    char text[2048];
    snprintf(text, sizeof text,
             "%s1999,6,21,13,0,?9?9?9?9E0?9?9?9*9*9?9*9*9?9*9*9?9?9*9*_*9*9*9*9*9,25.0,5.0,27,82000,1400,1400,350,"
             "1000,900,100,0,0,0,0,180,3.0,0,0,16.1,77777,9,999999999,10,0.1,0,88,0.25,0,0\n",
             EPW_HEAD);
    jc_weather w;
    assert_int_equal(jc_weather_read_buffer("golden.epw", text, strlen(text), JC_WEATHER_AUTO, NAN,
                                            JC_WEATHER_PARTIAL, &w),
                     JC_OK);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.hour_of_year[0], (31 + 28 + 31 + 30 + 31 + 20) * 24 + 12);
    double start = 929991600; /* 1999-06-21T19:00:00Z */
    near(w.time_utc[0], start, 0, "hour start, UTC");
    near(w.sun_time_utc[0], start + 1800, 0, "middle of the hour");
    near(w.ghi[0], 1000, 0, "GHI");
    near(w.albedo[0], 0.25, 0, "albedo");
    assert_true(isnan(w.irradiance_offset_h));
    jc_weather_free(&w);
}

static void test_read_pvwatts_excerpt(void **state)
{
    (void)state;
    jc_weather w = read_ok(SDATA "pvwatts_turin_seed_excerpt.csv", JC_WEATHER_PARTIAL);
    assert_int_equal(w.kind, JC_WEATHER_PVWATTS);
    assert_int_equal(w.n, 23);
    assert_non_null(w.ac_w);
    for (size_t i = 0; i < w.n; i++)
        assert_int_equal(w.hour_of_year[i], (int)i);
    near(w.ac_w[12], 798.739, 0, "AC at noon, as PVWatts computed it");
    near(w.dc_w[12], 840.409, 0, "DC at noon");
    near(w.poa[12], 319.106, 0, "POA at noon");
    near(w.tcell_c[12], 21.224, 0, "cell temperature at noon");
    near(w.dni[12], 359, 0, "beam");
    /* the series takes the AC as it is; no location: GHI unknown */
    jc_pv_system s;
    jc_pv_system_defaults(&s);
    jc_pv_series p;
    assert_int_equal(jc_pv_simulate(&w, &s, &p), JC_OK);
    assert_int_equal(p.modeled, 0);
    near(p.ac_w[12], 798.739, 0, "series AC");
    assert_true(isnan(p.ghi[12]));
    near(p.annual_kwh, (193.056 + 456.187 + 698.037 + 798.739 + 744.47 + 550.861 + 276.852 + 47.432) / 1000, 1e-9,
         "energy of the excerpt");
    jc_pv_series_free(&p);
    jc_weather_free(&w);
}

/* Reading text must fail with a message starting with want. */
static void fails(const char *text, jc_weather_kind kind, const char *want)
{
    jc_weather w;
    int rc = jc_weather_read_buffer("bad.csv", text, strlen(text), kind, NAN, JC_WEATHER_PARTIAL, &w);
    if (rc == JC_OK) {
        jc_weather_free(&w);
        fail_msg("expected an error '%s', the text was read", want);
    }
    if (strncmp(jc_last_error(), want, strlen(want)) != 0)
        fail_msg("expected '%s...', got '%s'", want, jc_last_error());
}

#define PVGIS_HEAD "Latitude (decimal degrees): 45.000\nLongitude (decimal degrees): 8.000\n"
#define PVGIS_COLS "time(UTC),T2m,RH,G(h),Gb(n),Gd(h),IR(h),WS10m,WD10m,SP\n"

static void test_reader_errors(void **state)
{
    (void)state;
    fails("hello,world\n1,2\n", JC_WEATHER_AUTO,
          "bad.csv:1:1: not a weather file joulecast reads: expected a PVGIS TMY CSV");
    fails(PVGIS_HEAD "time(UTC),T2m,RH,G(h),Gb(n),Gdh,IR(h),WS10m,WD10m,SP\n", JC_WEATHER_AUTO,
          "bad.csv:3:1: the PVGIS column header has no column 'Gd(h)' (diffuse horizontal irradiance)");
    fails(PVGIS_HEAD PVGIS_COLS "20180101:0000,2.04,94.38,0.0,-0.0,0.0,283.58\n", JC_WEATHER_AUTO,
          "bad.csv:4: expected 10 fields as in the column header, found 7");
    fails(PVGIS_HEAD PVGIS_COLS "20180101:0000,2.04,94.38,abc,-0.0,0.0,283.58,0.75,257.0,99870.0\n", JC_WEATHER_AUTO,
          "bad.csv:4:26: G(h): expected a number, found 'abc'");
    fails(PVGIS_HEAD PVGIS_COLS "2018-01-01 00:00,2.04,94.38,0.0,-0.0,0.0,283.58,0.75,257.0,99870.0\n",
          JC_WEATHER_AUTO, "bad.csv:4:1: expected a PVGIS time stamp YYYYMMDD:HHMM (UTC), found '2018-01-01 00:00'");
    fails(PVGIS_HEAD PVGIS_COLS "20180101:0000,2,94,0,0,0,283,0.7,257,99870\n"
                                "20180101:0000,2,94,0,0,0,283,0.7,257,99870\n",
          JC_WEATHER_AUTO,
          "bad.csv:5: hour 01:00 of 1 Jan (local standard time, UTC+1) appears twice, first on line 4");
    fails("Latitude (decimal degrees): north\n", JC_WEATHER_AUTO,
          "bad.csv:1:29: Latitude (decimal degrees):: expected a number, found 'north'");
    fails("Latitude (decimal degrees): 45\n" PVGIS_COLS, JC_WEATHER_AUTO,
          "bad.csv: no 'Latitude (decimal degrees):' and 'Longitude (decimal degrees):' lines");
    fails("DESIGN CONDITIONS,0\n", JC_WEATHER_EPW, "bad.csv:1:1: expected the EPW LOCATION line, found 'DESIGN");
    char text[2048];
    snprintf(text, sizeof text, "%s2018,1,1,1,0\n", EPW_HEAD);
    fails(text, JC_WEATHER_AUTO,
          "bad.csv:9: expected an EPW data row of 35 fields (at least 22: up to the wind speed), found 5");
    snprintf(text, sizeof text,
             "%s2018,1,1,1,0,x,2.04,1.21,94.38,99870.00,9999,9999,283.58,9999,0,0,9,9,9,9,257,0.7,99,99\n", EPW_HEAD);
    fails(text, JC_WEATHER_AUTO,
          "bad.csv:9:58: field 14 (global horizontal radiation, Wh/m2): 9999 is EPW's code for a missing value");
    snprintf(text, sizeof text, "%s2018,13,1,1,0,x,2.04,1.21,94.38,99870.00,9999,9999,283.58,0,0,0,9,9,9,9,257,0.7\n",
             EPW_HEAD);
    fails(text, JC_WEATHER_AUTO, "bad.csv:9:6: field 2 (month): expected 1..12, found 13");
    fails("\"Requested Location:\",\"turin\"\n\"Month\",\"Hour\",\"AC System Output (W)\"\n", JC_WEATHER_AUTO,
          "bad.csv:2:1: the PVWatts header row has no column 'Day'");
    fails("\"Month\",\"Day\",\"Hour\",\"AC System Output (W)\"\n1,1,24,0\n", JC_WEATHER_AUTO,
          "bad.csv:2:5: Hour (0..23): expected 0..23, found 24");
    fails("\"Month\",\"Day\",\"Hour\",\"AC System Output (W)\"\n1,1,3\n", JC_WEATHER_AUTO,
          "bad.csv:2: expected 4 fields as in the header row, found 3");
    fails("a,b\n", JC_WEATHER_PVWATTS, "bad.csv:1: no header row with \"AC System Output (W)\"");
    jc_weather w;
    assert_int_equal(jc_weather_read(SDATA "no_such_file.csv", JC_WEATHER_AUTO, NAN, 0, &w), JC_ERR_IO);
    assert_non_null(strstr(jc_last_error(), "no_such_file.csv: cannot open"));
    assert_int_equal(jc_weather_read_buffer("x", "a", 1, JC_WEATHER_PVGIS, 0.5, 0, &w), JC_ERR_INVALID);
}

/* ---- the Turin year ---- */

static void test_turin_year(void **state)
{
    (void)state;
    if (access(TURIN ".csv", R_OK) != 0 || access(TURIN ".epw", R_OK) != 0)
        skip();
    jc_weather c = read_ok(TURIN ".csv", 0), e = read_ok(TURIN ".epw", 0);
    assert_int_equal(c.n, 8760);
    /* hour 0 (1 January 00:00-01:00 CET) is the TMY's last UTC row, December
     * 31st 23:00 of its December year (2016): the year wraps */
    near(c.time_utc[0], 1483225200, 0, "hour 0 = 2016-12-31T23:00Z");
    jc_pv_system s;
    jc_pv_system_defaults(&s);
    jc_pv_series pc, pe;
    assert_int_equal(jc_pv_simulate(&c, &s, &pc), JC_OK);
    assert_int_equal(jc_pv_simulate(&e, &s, &pe), JC_OK);
    /* docs/solar.md: the PVGIS/PVWatts chain for 45 N, tilt 20 */
    if (!(pc.specific_kwh_kwp > 1200 && pc.specific_kwh_kwp < 1350))
        fail_msg("Turin, 0.76 kWdc, tilt 20: %.1f kWh/kWp, expected 1200..1350", pc.specific_kwh_kwp);
    assert_int_equal(pc.best_month, 6);
    near(pc.capacity_factor, pc.annual_kwh / (0.76 * 8760), 1e-12, "capacity factor");
    double sum = 0;
    for (int m = 0; m < 12; m++)
        sum += pc.monthly_kwh[m];
    near(sum, pc.annual_kwh, 1e-9, "months add up to the year");
    assert_true(pc.peak_ac_w <= 760 / 1.2 + 1e-9);
    /* the EPW that PVGIS wrote is the same year, hour by hour; only its wind
     * speed is rounded to 0.1 m/s, which moves the cell temperature a little */
    for (size_t h = 0; h < 8760; h++)
        near(pe.ac_w[h], pc.ac_w[h], 0.5, "EPW vs CSV, AC");
    near(pe.annual_kwh, pc.annual_kwh, 1e-4 * pc.annual_kwh, "EPW vs CSV, annual");
    /* the three sky models order as expected for a south-facing tilt */
    jc_pv_series iso, hd;
    s.sky = JC_SKY_ISOTROPIC;
    assert_int_equal(jc_pv_simulate(&c, &s, &iso), JC_OK);
    s.sky = JC_SKY_HAYDAVIES;
    assert_int_equal(jc_pv_simulate(&c, &s, &hd), JC_OK);
    assert_true(iso.annual_kwh < hd.annual_kwh && hd.annual_kwh < pc.annual_kwh);
    jc_pv_series_free(&iso);
    jc_pv_series_free(&hd);
    jc_pv_series_free(&pc);
    jc_pv_series_free(&pe);
    jc_weather_free(&c);
    jc_weather_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spa_reference),      cmocka_unit_test(test_julian_day),
        cmocka_unit_test(test_poa_hand_cases),     cmocka_unit_test(test_haydavies),
        cmocka_unit_test(test_perez),              cmocka_unit_test(test_celltemp),
        cmocka_unit_test(test_pvwatts),            cmocka_unit_test(test_read_pvgis_excerpt),
        cmocka_unit_test(test_read_epw_excerpt),   cmocka_unit_test(test_read_epw_local_time),
        cmocka_unit_test(test_read_pvwatts_excerpt), cmocka_unit_test(test_reader_errors),
        cmocka_unit_test(test_turin_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
