/* solar/poa.c: irradiance on a tilted panel (the plane of array) from the
 * sun's position and the horizontal components DNI, GHI, DHI.
 *   beam    DNI cos(AOI)
 *   ground  GHI albedo (1 - cos tilt) / 2, an isotropic reflecting ground
 *   sky     isotropic: DHI (1 + cos tilt) / 2 (Liu & Jordan)
 *           Hay-Davies: DHI [A Rb + (1 - A)(1 + cos tilt) / 2], A = DNI / I0
 *             (Hay & Davies 1980), Rb = cos AOI / cos Z
 *           Perez: DHI [(1 - F1)(1 + cos tilt) / 2 + F1 a / b + F2 sin tilt]
 *             (Perez, Ineichen, Seals, Michalsky, Stewart, "Modeling daylight
 *             availability and irradiance components from direct and global
 *             irradiance", Solar Energy 44(5), 1990, 271-289)
 * docs/solar.md writes them out with the Perez coefficient table. */
#include "joulecast/solar.h"

#include <math.h>
#include <string.h>

#define PI 3.1415926535897932384626433832795

static double rad(double d) { return d * (PI / 180.0); }
static double deg(double r) { return r * (180.0 / PI); }
static double pos(double x) { return x > 0 ? x : 0; }

int jc_sky_model_parse(const char *name)
{
    static const char *const names[] = {"isotropic", "haydavies", "perez"};
    for (int i = 0; i < 3; i++)
        if (name && !strcmp(name, names[i]))
            return i;
    if (name && (!strcmp(name, "hay-davies") || !strcmp(name, "hay_davies")))
        return JC_SKY_HAYDAVIES;
    return -1;
}

const char *jc_sky_model_name(jc_sky_model m)
{
    return m == JC_SKY_PEREZ ? "perez" : m == JC_SKY_HAYDAVIES ? "haydavies" : "isotropic";
}

double jc_aoi_cos(double tilt_deg, double surface_azimuth_deg, double zenith_deg, double sun_azimuth_deg)
{
    double t = rad(tilt_deg), z = rad(zenith_deg);
    double c = cos(z) * cos(t) + sin(z) * sin(t) * cos(rad(sun_azimuth_deg - surface_azimuth_deg));
    return c > 1 ? 1 : c < -1 ? -1 : c;
}

/* Kasten, F. and Young, A. T., "Revised optical air mass tables and
 * approximation formula", Applied Optics 28(22), 1989: zenith in degrees. */
double jc_airmass_relative(double zenith_deg)
{
    if (!(zenith_deg < 90))
        return NAN;
    return 1.0 / (cos(rad(zenith_deg)) + 0.50572 * pow(96.07995 - zenith_deg, -1.6364));
}

double jc_dni_extra(double r_au) { return 1367.0 / (r_au * r_au); }

/* Perez et al. 1990, Table 6 (sky clearness bins and the F1/F2 coefficients),
 * at the seven decimals R. Perez gave EnergyPlus in 1999 (EnergyPlus
 * Engineering Reference, "Fij Factors as a Function of Sky Clearness Range");
 * rounded to three decimals they are the published table. */
static const double EPS_UPPER[7] = {1.065, 1.230, 1.500, 1.950, 2.800, 4.500, 6.200};
static const double F[8][6] = {
    /*   F11        F12        F13        F21        F22        F23   */
    {-0.0083117, 0.5877285, -0.0620636, -0.0596012, 0.0721249, -0.0220216},
    {0.1299457, 0.6825954, -0.1513752, -0.0189325, 0.0659650, -0.0288748},
    {0.3296958, 0.4868735, -0.2210958, 0.0554140, -0.0639588, -0.0260542},
    {0.5682053, 0.1874525, -0.2951290, 0.1088631, -0.1519229, -0.0139754},
    {0.8730280, -0.3920403, -0.3616149, 0.2255647, -0.4620442, 0.0012448},
    {1.1326077, -1.2367284, -0.4118494, 0.2877813, -0.8230357, 0.0558651},
    {1.0601591, -1.5999137, -0.3589221, 0.2642124, -1.1272340, 0.1310694},
    {0.6777470, -0.3272588, -0.2504286, 0.1561313, -1.3765031, 0.2506212}};

static double isotropic(double dhi, double tilt) { return dhi * (1.0 + cos(rad(tilt))) / 2.0; }

/* Hay & Davies: the anisotropy index A = DNI / I0 is the share of the
 * diffuse that comes from the sun's direction (circumsolar), the rest is
 * isotropic. cos Z is floored at cos 85 deg, as Perez's b, so that a sun on
 * the horizon does not blow Rb up. */
static double hay_davies(double dhi, double dni, double dni_extra, double tilt, double cos_aoi, double zenith)
{
    double a = dni_extra > 0 ? pos(dni) / dni_extra : 0;
    if (a > 1)
        a = 1;
    double rb = pos(cos_aoi) / fmax(cos(rad(zenith)), cos(rad(85.0)));
    return dhi * (a * rb + (1.0 - a) * (1.0 + cos(rad(tilt))) / 2.0);
}

/* Perez 1990: the sky clearness epsilon (kappa = 1.041 for Z in radians)
 * picks a bin; the brightness delta = DHI m / I0 and Z then give the
 * circumsolar (F1) and horizon (F2) brightening. Returns the bin 1..8. */
static int perez(double dhi, double dni, double dni_extra, double airmass, double tilt, double cos_aoi,
                 double zenith, double *sky)
{
    double z = rad(zenith), kz3 = 1.041 * z * z * z;
    double eps = ((dhi + pos(dni)) / dhi + kz3) / (1.0 + kz3);
    int bin = 0;
    while (bin < 7 && eps >= EPS_UPPER[bin])
        bin++;
    double delta = dhi * airmass / dni_extra;
    const double *f = F[bin];
    double f1 = pos(f[0] + f[1] * delta + f[2] * z);
    double f2 = f[3] + f[4] * delta + f[5] * z;
    double a = pos(cos_aoi), b = fmax(cos(rad(85.0)), cos(z));
    double t = rad(tilt);
    *sky = pos(dhi * ((1.0 - f1) * (1.0 + cos(t)) / 2.0 + f1 * a / b + f2 * sin(t)));
    return bin + 1;
}

int jc_poa_compute(jc_sky_model model, double tilt_deg, double surface_azimuth_deg, double zenith_deg,
                   double sun_azimuth_deg, double dni, double ghi, double dhi, double dni_extra, double airmass,
                   double albedo, jc_poa *out)
{
    memset(out, 0, sizeof *out);
    if (!isfinite(tilt_deg) || !isfinite(surface_azimuth_deg) || !isfinite(zenith_deg) ||
        !isfinite(sun_azimuth_deg) || !(tilt_deg >= 0 && tilt_deg <= 180))
        return jc_fail(JC_ERR_INVALID, "plane of array: tilt %g, azimuth %g, zenith %g: out of range", tilt_deg,
                       surface_azimuth_deg, zenith_deg);
    dni = isfinite(dni) ? pos(dni) : 0;
    ghi = isfinite(ghi) ? pos(ghi) : 0;
    dhi = isfinite(dhi) ? pos(dhi) : 0;
    double cos_aoi = jc_aoi_cos(tilt_deg, surface_azimuth_deg, zenith_deg, sun_azimuth_deg);
    out->aoi_deg = deg(acos(cos_aoi));
    int up = zenith_deg < 90.0;
    out->beam = up ? dni * pos(cos_aoi) : 0;
    out->ground = ghi * (isfinite(albedo) ? albedo : 0.2) * (1.0 - cos(rad(tilt_deg))) / 2.0;
    if (dhi <= 0)
        out->sky_diffuse = 0;
    else if (!up || model == JC_SKY_ISOTROPIC)
        out->sky_diffuse = isotropic(dhi, tilt_deg);
    else if (model == JC_SKY_HAYDAVIES) {
        if (!(dni_extra > 0))
            return jc_fail(JC_ERR_INVALID, "Hay-Davies needs the extraterrestrial irradiance");
        out->sky_diffuse = hay_davies(dhi, dni, dni_extra, tilt_deg, cos_aoi, zenith_deg);
    } else {
        if (!(dni_extra > 0) || !(airmass > 0))
            return jc_fail(JC_ERR_INVALID, "Perez needs the extraterrestrial irradiance and the air mass");
        out->perez_bin = perez(dhi, dni, dni_extra, airmass, tilt_deg, cos_aoi, zenith_deg, &out->sky_diffuse);
    }
    out->total = out->beam + out->sky_diffuse + out->ground;
    return JC_OK;
}
