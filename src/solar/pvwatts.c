/* solar/pvwatts.c: PVWatts v5's DC, loss and inverter models (A. P. Dobos,
 * "PVWatts Version 5 Manual", NREL/TP-6A20-62641, 2014), and the glass
 * cover's angle-of-incidence transmittance it applies to the beam.
 *   DC       Pdc = (Itr / 1000) Pdc0 (1 + gamma (Tc - 25))
 *   losses   Pdc' = Pdc (1 - L), L = 14.08 % by default
 *   inverter Pac0 = Pdc0 / (DC/AC ratio), Pdc0_inv = Pac0 / eta_nom,
 *            zeta = Pdc' / Pdc0_inv,
 *            eta = (eta_nom / eta_ref)(-0.0162 zeta - 0.0059 / zeta + 0.9858),
 *            Pac = min(eta Pdc', Pac0), never below 0 */
#include "joulecast/solar.h"

#include <math.h>

#define PI 3.1415926535897932384626433832795

/* PVWatts' default loss categories, percent (the manual's loss table):
 * soiling, shading, snow, mismatch, wiring, connections, light-induced
 * degradation, nameplate rating, age, availability. They compound. */
static const double DEFAULT_LOSSES_PCT[10] = {2, 3, 0, 2, 2, 0.5, 1.5, 1, 0, 3};

double jc_pvwatts_default_losses_pct(void)
{
    double keep = 1;
    for (int i = 0; i < 10; i++)
        keep *= 1.0 - DEFAULT_LOSSES_PCT[i] / 100.0;
    return round((1.0 - keep) * 10000.0) / 100.0; /* 14.08, as PVWatts shows it */
}

void jc_pvwatts_defaults(jc_pvwatts *p, double pdc0_w)
{
    *p = (jc_pvwatts){.pdc0_w = pdc0_w, .gamma_per_c = -0.0047, .losses_pct = jc_pvwatts_default_losses_pct(),
                      .dc_ac_ratio = 1.2, .inv_eff_nom = 0.96, .inv_eff_ref = 0.9637};
}

/* Transmittance of a glass cover (Snell's law for the refraction angle,
 * Fresnel's equations for unpolarised reflection at the surface, Bouguer's
 * law for absorption over the path), relative to normal incidence: De Soto,
 * Klein, Beckman, Solar Energy 80 (2006) 78-88, section 3, with n = 1.526,
 * K = 4 /m, L = 2 mm as PVWatts v5 takes them. */
static double cover_tau(double theta)
{
    const double n = 1.526, kl = 4.0 * 0.002;
    if (theta < 1e-6) {
        double r0 = (n - 1.0) / (n + 1.0);
        return exp(-kl) * (1.0 - r0 * r0);
    }
    double tr = asin(sin(theta) / n);
    double s = sin(tr - theta) / sin(tr + theta), t = tan(tr - theta) / tan(tr + theta);
    return exp(-kl / cos(tr)) * (1.0 - 0.5 * (s * s + t * t));
}

double jc_iam_glass(double aoi_deg)
{
    if (!(aoi_deg < 90.0))
        return 0;
    double theta = fabs(aoi_deg) * PI / 180.0;
    double r = cover_tau(theta) / cover_tau(0);
    return r > 0 ? r : 0;
}

double jc_pvwatts_dc(const jc_pvwatts *p, double poa_transmitted, double tcell_c)
{
    if (!(poa_transmitted > 0))
        return 0;
    double pdc = poa_transmitted / 1000.0 * p->pdc0_w * (1.0 + p->gamma_per_c * (tcell_c - 25.0));
    return pdc > 0 ? pdc : 0;
}

double jc_pvwatts_pac0(const jc_pvwatts *p) { return p->pdc0_w / p->dc_ac_ratio; }

double jc_pvwatts_ac(const jc_pvwatts *p, double pdc_w, double *eff)
{
    if (eff)
        *eff = 0;
    if (!(pdc_w > 0))
        return 0;
    double pac0 = jc_pvwatts_pac0(p);
    double pdc0_inv = pac0 / p->inv_eff_nom;
    double zeta = pdc_w / pdc0_inv;
    double eta = p->inv_eff_nom / p->inv_eff_ref * (-0.0162 * zeta - 0.0059 / zeta + 0.9858);
    double pac = eta * pdc_w;
    if (pac > pac0)
        pac = pac0; /* clipping at the inverter's AC rating */
    if (pac < 0)
        pac = 0;    /* below its start-up power the inverter gives nothing */
    if (eff)
        *eff = pac / pdc_w;
    return pac;
}
