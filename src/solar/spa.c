/* solar/spa.c: the sun's position by NREL's Solar Position Algorithm.
 * Written from the report, step by step: I. Reda and A. Andreas, "Solar
 * Position Algorithm for Solar Radiation Applications", NREL/TP-560-34302
 * (2004, revised January 2008). Step and equation numbers in the comments are
 * the report's; the periodic terms are its Tables A4.2 (earth, from VSOP87)
 * and A4.3 (nutation). Stated uncertainty +-0.0003 deg, years -2000..6000.
 * The report's example (Table A5.1) is a unit test. */
#include "joulecast/solar.h"

#include <math.h>

#define PI 3.1415926535897932384626433832795

static double rad(double d) { return d * (PI / 180.0); }
static double deg(double r) { return r * (180.0 / PI); }

/* Step 3.2.6: an angle into [0, 360). */
static double limit360(double d)
{
    double f = fmod(d, 360.0);
    return f < 0 ? f + 360.0 : f;
}

/* ---- Table A4.2: earth periodic terms {A, B, C}, term = A cos(B + C JME) ---- */
typedef struct {
    double a, b, c;
} term;

static const term L0[] = {
    {175347046, 0, 0},         {3341656, 4.6692568, 6283.07585}, {34894, 4.6261, 12566.1517},
    {3497, 2.7441, 5753.3849}, {3418, 2.8289, 3.5231},           {3136, 3.6277, 77713.7715},
    {2676, 4.4181, 7860.4194}, {2343, 6.1352, 3930.2097},        {1324, 0.7425, 11506.7698},
    {1273, 2.0371, 529.691},   {1199, 1.1096, 1577.3435},        {990, 5.233, 5884.927},
    {902, 2.045, 26.298},      {857, 3.508, 398.149},            {780, 1.179, 5223.694},
    {753, 2.533, 5507.553},    {505, 4.583, 18849.228},          {492, 4.205, 775.523},
    {357, 2.92, 0.067},        {317, 5.849, 11790.629},          {284, 1.899, 796.298},
    {271, 0.315, 10977.079},   {243, 0.345, 5486.778},           {206, 4.806, 2544.314},
    {205, 1.869, 5573.143},    {202, 2.458, 6069.777},           {156, 0.833, 213.299},
    {132, 3.411, 2942.463},    {126, 1.083, 20.775},             {115, 0.645, 0.98},
    {103, 0.636, 4694.003},    {102, 0.976, 15720.839},          {102, 4.267, 7.114},
    {99, 6.21, 2146.17},       {98, 0.68, 155.42},               {86, 5.98, 161000.69},
    {85, 1.3, 6275.96},        {85, 3.67, 71430.7},              {80, 1.81, 17260.15},
    {79, 3.04, 12036.46},      {75, 1.76, 5088.63},              {74, 3.5, 3154.69},
    {74, 4.68, 801.82},        {70, 0.83, 9437.76},              {62, 3.98, 8827.39},
    {61, 1.82, 7084.9},        {57, 2.78, 6286.6},               {56, 4.39, 14143.5},
    {56, 3.47, 6279.55},       {52, 0.19, 12139.55},             {52, 1.33, 1748.02},
    {51, 0.28, 5856.48},       {49, 0.49, 1194.45},              {41, 5.37, 8429.24},
    {41, 2.4, 19651.05},       {39, 6.17, 10447.39},             {37, 6.04, 10213.29},
    {37, 2.57, 1059.38},       {36, 1.71, 2352.87},              {36, 1.78, 6812.77},
    {33, 0.59, 17789.85},      {30, 0.44, 83996.85},             {30, 2.74, 1349.87},
    {25, 3.16, 4690.48}};
static const term L1[] = {
    {628331966747, 0, 0}, {206059, 2.678235, 6283.07585}, {4303, 2.6351, 12566.1517}, {425, 1.59, 3.523},
    {119, 5.796, 26.298}, {109, 2.966, 1577.344},         {93, 2.59, 18849.23},       {72, 1.14, 529.69},
    {68, 1.87, 398.15},   {67, 4.41, 5507.55},            {59, 2.89, 5223.69},        {56, 2.17, 155.42},
    {45, 0.4, 796.3},     {36, 0.47, 775.52},             {29, 2.65, 7.11},           {21, 5.34, 0.98},
    {19, 1.85, 5486.78},  {19, 4.97, 213.3},              {17, 2.99, 6275.96},        {16, 0.03, 2544.31},
    {16, 1.43, 2146.17},  {15, 1.21, 10977.08},           {12, 2.83, 1748.02},        {12, 3.26, 5088.63},
    {12, 5.27, 1194.45},  {12, 2.08, 4694},               {11, 0.77, 553.57},         {10, 1.3, 6286.6},
    {10, 4.24, 1349.87},  {9, 2.7, 242.73},               {9, 5.64, 951.72},          {8, 5.3, 2352.87},
    {6, 2.65, 9437.76},   {6, 4.67, 4690.48}};
static const term L2[] = {
    {52919, 0, 0},       {8720, 1.0721, 6283.0758}, {309, 0.867, 12566.152}, {27, 0.05, 3.52},
    {16, 5.19, 26.3},    {16, 3.68, 155.42},        {10, 0.76, 18849.23},    {9, 2.06, 77713.77},
    {7, 0.83, 775.52},   {5, 4.66, 1577.34},        {4, 1.03, 7.11},         {4, 3.44, 5573.14},
    {3, 5.14, 796.3},    {3, 6.05, 5507.55},        {3, 1.19, 242.73},       {3, 6.12, 529.69},
    {3, 0.31, 398.15},   {3, 2.28, 553.57},         {2, 4.38, 5223.69},      {2, 3.75, 0.98}};
static const term L3[] = {{289, 5.844, 6283.076}, {35, 0, 0},          {17, 5.49, 12566.15}, {3, 5.2, 155.42},
                          {1, 4.72, 3.52},        {1, 5.3, 18849.23}, {1, 5.97, 242.73}};
static const term L4[] = {{114, 3.142, 0}, {8, 4.13, 6283.08}, {1, 3.84, 12566.15}};
static const term L5[] = {{1, 3.14, 0}};
static const term B0[] = {{280, 3.199, 84334.662},
                          {102, 5.422, 5507.553},
                          {80, 3.88, 5223.69},
                          {44, 3.7, 2352.87},
                          {32, 4, 1577.34}};
static const term B1[] = {{9, 3.9, 5507.55}, {6, 1.73, 5223.69}};
static const term R0[] = {
    {100013989, 0, 0},       {1670700, 3.0984635, 6283.07585}, {13956, 3.05525, 12566.1517},
    {3084, 5.1985, 77713.7715}, {1628, 1.1739, 5753.3849},     {1576, 2.8469, 7860.4194},
    {925, 5.453, 11506.77},  {542, 4.564, 3930.21},            {472, 3.661, 5884.927},
    {346, 0.964, 5507.553},  {329, 5.9, 5223.694},             {307, 0.299, 5573.143},
    {243, 4.273, 11790.629}, {212, 5.847, 1577.344},           {186, 5.022, 10977.079},
    {175, 3.012, 18849.228}, {110, 5.055, 5486.778},           {98, 0.89, 6069.78},
    {86, 5.69, 15720.84},    {86, 1.27, 161000.69},            {65, 0.27, 17260.15},
    {63, 0.92, 529.69},      {57, 2.01, 83996.85},             {56, 5.24, 71430.7},
    {49, 3.25, 2544.31},     {47, 2.58, 775.52},               {45, 5.54, 9437.76},
    {43, 6.01, 6275.96},     {39, 5.36, 4694},                 {38, 2.39, 8827.39},
    {37, 0.83, 19651.05},    {37, 4.9, 12139.55},              {36, 1.67, 12036.46},
    {35, 1.84, 2942.46},     {33, 0.24, 7084.9},               {32, 0.18, 5088.63},
    {32, 1.78, 398.15},      {28, 1.21, 6286.6},               {28, 1.9, 6279.55},
    {26, 4.59, 10447.39}};
static const term R1[] = {{103019, 1.10749, 6283.07585}, {1721, 1.0644, 12566.1517}, {702, 3.142, 0},
                          {32, 1.02, 18849.23},          {31, 2.84, 5507.55},        {25, 1.32, 5223.69},
                          {18, 1.42, 1577.34},           {10, 5.91, 10977.08},       {9, 1.42, 6275.96},
                          {9, 0.27, 5486.78}};
static const term R2[] = {{4359, 5.7846, 6283.0758}, {124, 5.579, 12566.152}, {12, 3.14, 0},
                          {9, 3.63, 77713.77},       {6, 1.87, 5573.14},      {3, 5.47, 18849.23}};
static const term R3[] = {{145, 4.273, 6283.076}, {7, 3.92, 12566.15}};
static const term R4[] = {{4, 2.56, 6283.08}};

#define NTERMS(t) (sizeof(t) / sizeof(t[0]))

typedef struct {
    const term *t;
    size_t n;
} series;

/* Equations 9-10: one series at JME. */
static double series_sum(series s, double jme)
{
    double sum = 0;
    for (size_t i = 0; i < s.n; i++)
        sum += s.t[i].a * cos(s.t[i].b + s.t[i].c * jme);
    return sum;
}

/* Equation 11: the polynomial in JME over the series, / 1e8. */
static double earth_value(const series *s, int count, double jme)
{
    double sum = 0, p = 1;
    for (int k = 0; k < count; k++, p *= jme)
        sum += series_sum(s[k], jme) * p;
    return sum / 1e8;
}

/* ---- Table A4.3: nutation, Y0..Y4 multipliers and coefficients a, b, c, d ---- */
typedef struct {
    signed char y[5];
    double a, b, c, d;
} nut_term;

static const nut_term NUT[63] = {
    {{0, 0, 0, 0, 1}, -171996, -174.2, 92025, 8.9}, {{-2, 0, 0, 2, 2}, -13187, -1.6, 5736, -3.1},
    {{0, 0, 0, 2, 2}, -2274, -0.2, 977, -0.5},      {{0, 0, 0, 0, 2}, 2062, 0.2, -895, 0.5},
    {{0, 1, 0, 0, 0}, 1426, -3.4, 54, -0.1},        {{0, 0, 1, 0, 0}, 712, 0.1, -7, 0},
    {{-2, 1, 0, 2, 2}, -517, 1.2, 224, -0.6},       {{0, 0, 0, 2, 1}, -386, -0.4, 200, 0},
    {{0, 0, 1, 2, 2}, -301, 0, 129, -0.1},          {{-2, -1, 0, 2, 2}, 217, -0.5, -95, 0.3},
    {{-2, 0, 1, 0, 0}, -158, 0, 0, 0},              {{-2, 0, 0, 2, 1}, 129, 0.1, -70, 0},
    {{0, 0, -1, 2, 2}, 123, 0, -53, 0},             {{2, 0, 0, 0, 0}, 63, 0, 0, 0},
    {{0, 0, 1, 0, 1}, 63, 0.1, -33, 0},             {{2, 0, -1, 2, 2}, -59, 0, 26, 0},
    {{0, 0, -1, 0, 1}, -58, -0.1, 32, 0},           {{0, 0, 1, 2, 1}, -51, 0, 27, 0},
    {{-2, 0, 2, 0, 0}, 48, 0, 0, 0},                {{0, 0, -2, 2, 1}, 46, 0, -24, 0},
    {{2, 0, 0, 2, 2}, -38, 0, 16, 0},               {{0, 0, 2, 2, 2}, -31, 0, 13, 0},
    {{0, 0, 2, 0, 0}, 29, 0, 0, 0},                 {{-2, 0, 1, 2, 2}, 29, 0, -12, 0},
    {{0, 0, 0, 2, 0}, 26, 0, 0, 0},                 {{-2, 0, 0, 2, 0}, -22, 0, 0, 0},
    {{0, 0, -1, 2, 1}, 21, 0, -10, 0},              {{0, 2, 0, 0, 0}, 17, -0.1, 0, 0},
    {{2, 0, -1, 0, 1}, 16, 0, -8, 0},               {{-2, 2, 0, 2, 2}, -16, 0.1, 7, 0},
    {{0, 1, 0, 0, 1}, -15, 0, 9, 0},                {{-2, 0, 1, 0, 1}, -13, 0, 7, 0},
    {{0, -1, 0, 0, 1}, -12, 0, 6, 0},               {{0, 0, 2, -2, 0}, 11, 0, 0, 0},
    {{2, 0, -1, 2, 1}, -10, 0, 5, 0},               {{2, 0, 1, 2, 2}, -8, 0, 3, 0},
    {{0, 1, 0, 2, 2}, 7, 0, -3, 0},                 {{-2, 1, 1, 0, 0}, -7, 0, 0, 0},
    {{0, -1, 0, 2, 2}, -7, 0, 3, 0},                {{2, 0, 0, 2, 1}, -7, 0, 3, 0},
    {{2, 0, 1, 0, 0}, 6, 0, 0, 0},                  {{-2, 0, 2, 2, 2}, 6, 0, -3, 0},
    {{-2, 0, 1, 2, 1}, 6, 0, -3, 0},                {{2, 0, -2, 0, 1}, -6, 0, 3, 0},
    {{2, 0, 0, 0, 1}, -6, 0, 3, 0},                 {{0, -1, 1, 0, 0}, 5, 0, 0, 0},
    {{-2, -1, 0, 2, 1}, -5, 0, 3, 0},               {{-2, 0, 0, 0, 1}, -5, 0, 3, 0},
    {{0, 0, 2, 2, 1}, -5, 0, 3, 0},                 {{-2, 0, 2, 0, 1}, 4, 0, 0, 0},
    {{-2, 1, 0, 2, 1}, 4, 0, 0, 0},                 {{0, 0, 1, -2, 0}, 4, 0, 0, 0},
    {{-1, 0, 1, 0, 0}, -4, 0, 0, 0},                {{-2, 1, 0, 0, 0}, -4, 0, 0, 0},
    {{1, 0, 0, 0, 0}, -4, 0, 0, 0},                 {{0, 0, 1, 2, 0}, 3, 0, 0, 0},
    {{0, 0, -2, 2, 2}, -3, 0, 0, 0},                {{-1, -1, 1, 0, 0}, -3, 0, 0, 0},
    {{0, 1, 1, 0, 0}, -3, 0, 0, 0},                 {{0, -1, 1, 2, 2}, -3, 0, 0, 0},
    {{2, -1, -1, 2, 2}, -3, 0, 0, 0},               {{0, 0, 3, 2, 2}, -3, 0, 0, 0},
    {{2, -1, 0, 2, 2}, -3, 0, 0, 0}};

/* A cubic in JCE (equations 15-19). */
static double cubic(double c0, double c1, double c2, double inv3, double x)
{
    return c0 + c1 * x + c2 * x * x + x * x * x / inv3;
}

/* Step 3.4: nutation in longitude and obliquity (degrees). */
static void nutation(double jce, double *dpsi, double *deps)
{
    double x[5];
    x[0] = cubic(297.85036, 445267.111480, -0.0019142, 189474.0, jce);  /* mean elongation of the moon */
    x[1] = cubic(357.52772, 35999.050340, -0.0001603, -300000.0, jce);  /* mean anomaly of the sun */
    x[2] = cubic(134.96298, 477198.867398, 0.0086972, 56250.0, jce);    /* mean anomaly of the moon */
    x[3] = cubic(93.27191, 483202.017538, -0.0036825, 327270.0, jce);   /* moon's argument of latitude */
    x[4] = cubic(125.04452, -1934.136261, 0.0020708, 450000.0, jce);    /* ascending node of the moon */
    double sp = 0, se = 0;
    for (int i = 0; i < 63; i++) {
        double arg = 0;
        for (int j = 0; j < 5; j++)
            arg += x[j] * NUT[i].y[j];
        arg = rad(arg);
        sp += (NUT[i].a + NUT[i].b * jce) * sin(arg);
        se += (NUT[i].c + NUT[i].d * jce) * cos(arg);
    }
    *dpsi = sp / 36000000.0; /* equations 22-23: 0.0001 arc seconds to degrees */
    *deps = se / 36000000.0;
}

/* Equation 24: mean obliquity of the ecliptic, arc seconds, U = JME / 10. */
static double mean_obliquity(double jme)
{
    static const double c[11] = {84381.448, -4680.93, -1.55, 1999.25, -51.38, -249.67,
                                 -39.05,    7.12,     27.87, 5.79,    2.45};
    double u = jme / 10.0, sum = 0, p = 1;
    for (int k = 0; k < 11; k++, p *= u)
        sum += c[k] * p;
    return sum;
}

/* Equation 4 with the time-zone shift the report describes under it. */
double jc_spa_julian_day(int year, int month, int day, int hour, int minute, double second, double timezone_h)
{
    double y = year, m = month;
    double d = day + (hour - timezone_h + (minute + second / 60.0) / 60.0) / 24.0;
    if (m < 3) {
        y -= 1;
        m += 12;
    }
    double jd = trunc(365.25 * (y + 4716.0)) + trunc(30.6001 * (m + 1.0)) + d - 1524.5;
    if (jd > 2299160.0) {
        double a = trunc(y / 100.0);
        jd += 2.0 - a + trunc(a / 4.0);
    }
    return jd;
}

double jc_spa_jd_from_unix(double unix_s) { return unix_s / 86400.0 + 2440587.5; }

void jc_spa_site_defaults(jc_spa_site *site)
{
    *site = (jc_spa_site){.pressure_mbar = 1013.25, .temperature_c = 12, .delta_t_s = 69,
                          .atmos_refract_deg = 0.5667};
}

static int check_site(const jc_spa_site *s)
{
    if (!(fabs(s->latitude_deg) <= 90) || !(fabs(s->longitude_deg) <= 180))
        return jc_fail(JC_ERR_INVALID, "sun position: latitude %g / longitude %g out of range", s->latitude_deg,
                       s->longitude_deg);
    if (!(s->elevation_m >= -6500000) || !(s->pressure_mbar > 0 && s->pressure_mbar <= 5000) ||
        !(s->temperature_c > -273 && s->temperature_c <= 6000) || !(fabs(s->delta_t_s) <= 8000) ||
        !(fabs(s->delta_ut1_s) < 1) || !(fabs(s->slope_deg) <= 360) || !(fabs(s->azm_rotation_deg) <= 360) ||
        !(fabs(s->atmos_refract_deg) <= 5))
        return jc_fail(JC_ERR_INVALID, "sun position: site parameter out of the algorithm's range");
    return JC_OK;
}

/* Steps 3.1-3.3: earth position and the geocentric longitude/latitude. */
static void earth_and_geocentric(jc_spa_result *r)
{
    const series ls[6] = {{L0, NTERMS(L0)}, {L1, NTERMS(L1)}, {L2, NTERMS(L2)},
                          {L3, NTERMS(L3)}, {L4, NTERMS(L4)}, {L5, NTERMS(L5)}};
    const series bs[2] = {{B0, NTERMS(B0)}, {B1, NTERMS(B1)}};
    const series rs[5] = {{R0, NTERMS(R0)}, {R1, NTERMS(R1)}, {R2, NTERMS(R2)}, {R3, NTERMS(R3)}, {R4, NTERMS(R4)}};
    r->l_deg = limit360(deg(earth_value(ls, 6, r->jme)));
    r->b_deg = deg(earth_value(bs, 2, r->jme));
    r->r_au = earth_value(rs, 5, r->jme);
    r->theta_deg = limit360(r->l_deg + 180.0); /* equation 13 */
    r->beta_deg = -r->b_deg;                   /* equation 14 */
}

/* Steps 3.4-3.10: nutation, obliquity, aberration, apparent longitude,
 * sidereal time, geocentric right ascension and declination. */
static void apparent_sun(jc_spa_result *r)
{
    nutation(r->jce, &r->del_psi_deg, &r->del_eps_deg);
    r->eps_deg = mean_obliquity(r->jme) / 3600.0 + r->del_eps_deg;           /* equation 25 */
    double dtau = -20.4898 / (3600.0 * r->r_au);                             /* equation 26 */
    r->lambda_deg = r->theta_deg + r->del_psi_deg + dtau;                     /* equation 27 */
    double nu0 = limit360(280.46061837 + 360.98564736629 * (r->jd - 2451545.0) + 0.000387933 * r->jc * r->jc -
                          r->jc * r->jc * r->jc / 38710000.0);               /* equation 28 */
    r->nu_deg = nu0 + r->del_psi_deg * cos(rad(r->eps_deg));                 /* equation 29 */
    double lam = rad(r->lambda_deg), eps = rad(r->eps_deg), bet = rad(r->beta_deg);
    r->alpha_deg = limit360(deg(atan2(sin(lam) * cos(eps) - tan(bet) * sin(eps), cos(lam)))); /* equation 30 */
    r->delta_deg = deg(asin(sin(bet) * cos(eps) + cos(bet) * sin(eps) * sin(lam)));             /* equation 31 */
}

/* Steps 3.11-3.13: hour angle and the topocentric (parallax) correction. */
static void topocentric(const jc_spa_site *s, jc_spa_result *r)
{
    r->h_deg = limit360(r->nu_deg + s->longitude_deg - r->alpha_deg); /* equation 32 */
    double xi = rad(8.794 / (3600.0 * r->r_au));                      /* equation 33 */
    double phi = rad(s->latitude_deg);
    double u = atan(0.99664719 * tan(phi));                           /* equation 34 */
    double x = cos(u) + s->elevation_m / 6378140.0 * cos(phi);        /* equation 35 */
    double y = 0.99664719 * sin(u) + s->elevation_m / 6378140.0 * sin(phi); /* equation 36 */
    double h = rad(r->h_deg), delta = rad(r->delta_deg);
    double den = cos(delta) - x * sin(xi) * cos(h);
    double dalpha = atan2(-x * sin(xi) * sin(h), den);                /* equation 37 */
    r->alpha_prime_deg = r->alpha_deg + deg(dalpha);                  /* equation 38 */
    r->delta_prime_deg = deg(atan2((sin(delta) - y * sin(xi)) * cos(dalpha), den)); /* equation 39 */
    r->h_prime_deg = r->h_deg - deg(dalpha);                          /* equation 40 */
}

/* Steps 3.14-3.16: elevation with refraction, zenith, azimuth, incidence. */
static void horizon(const jc_spa_site *s, jc_spa_result *r)
{
    double phi = rad(s->latitude_deg), dp = rad(r->delta_prime_deg), hp = rad(r->h_prime_deg);
    r->e0_deg = deg(asin(sin(phi) * sin(dp) + cos(phi) * cos(dp) * cos(hp))); /* equation 41 */
    /* Equation 42. The report applies no refraction below the horizon; its
     * 2008 code takes "below" as under -(sun radius + refraction at the
     * horizon), so that the disc's upper limb still refracts. */
    double de = 0;
    if (r->e0_deg >= -(0.26667 + s->atmos_refract_deg))
        de = (s->pressure_mbar / 1010.0) * (283.0 / (273.0 + s->temperature_c)) * 1.02 /
             (60.0 * tan(rad(r->e0_deg + 10.3 / (r->e0_deg + 5.11))));
    r->elevation_deg = r->e0_deg + de;    /* equation 43 */
    r->zenith_deg = 90.0 - r->elevation_deg; /* equation 44 */
    r->azimuth_astro_deg = limit360(deg(atan2(sin(hp), cos(hp) * sin(phi) - tan(dp) * cos(phi)))); /* eq. 45 */
    r->azimuth_deg = limit360(r->azimuth_astro_deg + 180.0);                                       /* eq. 46 */
    double z = rad(r->zenith_deg), w = rad(s->slope_deg);
    double c = cos(z) * cos(w) + sin(w) * sin(z) * cos(rad(r->azimuth_astro_deg - s->azm_rotation_deg));
    r->incidence_deg = deg(acos(c > 1 ? 1 : c < -1 ? -1 : c)); /* equation 47 */
}

/* Appendix A.1: equation of time, minutes. */
static void equation_of_time(jc_spa_result *r)
{
    double j = r->jme;
    double m = limit360(280.4664567 + 360007.6982779 * j + 0.03032028 * j * j + j * j * j / 49931.0 -
                        j * j * j * j / 15300.0 - j * j * j * j * j / 2000000.0); /* equation A2 */
    double e = 4.0 * (m - 0.0057183 - r->alpha_deg + r->del_psi_deg * cos(rad(r->eps_deg))); /* equation A1 */
    if (e > 20.0)
        e -= 1440.0 * ceil((e - 20.0) / 1440.0);
    if (e < -20.0)
        e += 1440.0 * ceil((-20.0 - e) / 1440.0);
    r->eot_min = e;
}

int jc_spa_compute(const jc_spa_site *site, double jd_utc, jc_spa_result *out)
{
    int rc = check_site(site);
    if (rc)
        return rc;
    if (!isfinite(jd_utc))
        return jc_fail(JC_ERR_INVALID, "sun position: the time is not a number");
    jc_spa_result r = {0};
    r.jd = jd_utc + site->delta_ut1_s / 86400.0; /* UT1 = UTC + delta UT1 */
    r.jde = r.jd + site->delta_t_s / 86400.0;    /* equation 5 */
    r.jc = (r.jd - 2451545.0) / 36525.0;         /* equation 6 */
    r.jce = (r.jde - 2451545.0) / 36525.0;       /* equation 7 */
    r.jme = r.jce / 10.0;                        /* equation 8 */
    earth_and_geocentric(&r);
    apparent_sun(&r);
    topocentric(site, &r);
    horizon(site, &r);
    equation_of_time(&r);
    *out = r;
    return JC_OK;
}

int jc_spa_compute_local(const jc_spa_site *site, int year, int month, int day, int hour, int minute,
                         double second, double timezone_h, jc_spa_result *out)
{
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 24 || minute < 0 || minute > 59 ||
        !(second >= 0 && second < 61) || !(fabs(timezone_h) <= 18))
        return jc_fail(JC_ERR_INVALID, "sun position: date or time out of range");
    return jc_spa_compute(site, jc_spa_julian_day(year, month, day, hour, minute, second, timezone_h), out);
}
