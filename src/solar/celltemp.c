/* solar/celltemp.c: how hot the cells run, which sets how much the DC power
 * falls below nameplate (PVWatts' temperature coefficient).
 *   SAPM (King, Boyson, Kratochvil, "Photovoltaic Array Performance Model",
 *   SAND2004-3535, Sandia 2004, equations 11-12 and Table 1):
 *     Tm = E exp(a + b WS) + Ta,   Tc = Tm + (E / E0) dT,   E0 = 1000 W/m^2
 *   NOCT as SAM implements it (Gilman, "SAM Photovoltaic Model Technical
 *   Reference", NREL/TP-6A20-64102, 2015, section 10.6, after Duffie &
 *   Beckman, "Solar Engineering of Thermal Processes", eq. 23.3.3):
 *     Tc = Ta + (E / 800)(NOCT' - 20)(1 - eta / tau_alpha) 9.5 / (5.7 + 3.8 v)
 *   with NOCT' the NOCT raised for a close mounting (the standoff) and v the
 *   10 m wind scaled to the array's height. */
#include "joulecast/solar.h"

#include <math.h>
#include <string.h>

const jc_sapm_temp JC_SAPM_OPEN_RACK_GLASS_GLASS = {"open rack, glass/cell/glass", -3.47, -0.0594, 3};
const jc_sapm_temp JC_SAPM_OPEN_RACK_GLASS_POLYMER = {"open rack, glass/cell/polymer sheet", -3.56, -0.0750, 3};
const jc_sapm_temp JC_SAPM_CLOSE_ROOF_GLASS_GLASS = {"close roof mount, glass/cell/glass", -2.98, -0.0471, 1};
const jc_sapm_temp JC_SAPM_INSULATED_BACK_GLASS_POLYMER = {"insulated back, glass/cell/polymer sheet", -2.81,
                                                           -0.0455, 0};

int jc_temp_model_parse(const char *name)
{
    if (name && !strcmp(name, "sapm"))
        return JC_TEMP_SAPM;
    if (name && !strcmp(name, "noct"))
        return JC_TEMP_NOCT;
    return -1;
}

double jc_celltemp_sapm(const jc_sapm_temp *p, double poa, double temp_air_c, double wind10_ms)
{
    double e = poa > 0 ? poa : 0;
    double ws = wind10_ms > 0 ? wind10_ms : 0;
    double tm = e * exp(p->a + p->b * ws) + temp_air_c;
    return tm + e / 1000.0 * p->delta_t_c;
}

void jc_noct_defaults(jc_noct_params *p)
{
    *p = (jc_noct_params){.noct_c = 45, .module_efficiency = 0.19, .tau_alpha = 0.9, .standoff_in = 4,
                          .height_stories = 1};
}

/* SAM's NOCT increase for a mounting standoff (inches) that lets less air
 * behind the module: > 3.5 in is open rack (none). */
static double standoff_adjust_c(double x)
{
    if (x <= 0)
        return 0; /* SAM: no standoff given (ground mount) */
    if (x < 0.5)
        return 18;
    if (x < 1.5)
        return 11;
    if (x < 2.5)
        return 6;
    if (x <= 3.5)
        return 2;
    return 0;
}

double jc_celltemp_noct(const jc_noct_params *p, double poa, double temp_air_c, double wind10_ms)
{
    double e = poa > 0 ? poa : 0;
    /* SAM scales the 10 m wind to the array: 0.51 for one story, 0.61 for two. */
    double v = (wind10_ms > 0 ? wind10_ms : 0) * (p->height_stories >= 2 ? 0.61 : 0.51);
    double noct = p->noct_c + standoff_adjust_c(p->standoff_in);
    return temp_air_c + e / 800.0 * (noct - 20.0) * (1.0 - p->module_efficiency / p->tau_alpha) * 9.5 /
                            (5.7 + 3.8 * v);
}
