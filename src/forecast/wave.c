/* forecast/wave.c: the first seed's arithmetic from the four numbers of the
 * square wave (valley and peak power and duration per GPU) to a job's
 * duration, energy per GPU, server and data centre, daily energy when the
 * job repeats back to back, CO2 and cost (its section 4.4.6 and Table 5:
 * 62.23 W for 6.41 s and 291.06 W for 182.58 s on 4 GPUs is about
 * 27.2 kWh a day per server and 13.6 kg of CO2 at 0.5 kg/kWh). */
#include <math.h>
#include <string.h>

#include "joulecast/forecast.h"

#define J_PER_KWH 3.6e6
#define S_PER_DAY 86400.0

void jc_wave_init(jc_wave *w)
{
    memset(w, 0, sizeof *w);
    w->epochs = 1;
    w->gpus = 1;
    w->servers = 1;
    w->intensity_kg_per_kwh = 0.5;
    w->price_per_kwh = NAN;
}

int jc_wave_figures_of(const jc_wave *w, jc_wave_figures *f)
{
    memset(f, 0, sizeof *f);
    if (!(w->valley_w >= 0) || !(w->peak_w >= 0) || !(w->valley_s >= 0) || !(w->peak_s >= 0))
        return jc_fail(JC_ERR_INVALID, "square wave: powers and durations must be >= 0 (valley %g W for %g s, peak %g W "
                       "for %g s)", w->valley_w, w->valley_s, w->peak_w, w->peak_s);
    if (!(w->valley_s + w->peak_s > 0))
        return jc_fail(JC_ERR_INVALID, "square wave: an epoch of no length");
    if (!(w->epochs > 0) || !(w->gpus > 0) || !(w->servers > 0))
        return jc_fail(JC_ERR_INVALID, "square wave: epochs, GPUs and servers must be > 0");
    f->cycle_s = w->valley_s + w->peak_s;
    f->duty = w->peak_s / f->cycle_s;
    double cycle_j = w->valley_w * w->valley_s + w->peak_w * w->peak_s;
    f->mean_power_w = cycle_j / f->cycle_s;
    f->duration_s = w->epochs * f->cycle_s;
    f->energy_gpu_j = w->epochs * cycle_j;
    f->energy_server_j = f->energy_gpu_j * w->gpus;
    f->energy_all_j = f->energy_server_j * w->servers;
    /* repeated back to back, a day holds 86400 / cycle epochs whatever the
     * job's length: daily energy is the mean power over a day */
    f->jobs_per_day = S_PER_DAY / f->duration_s;
    f->daily_gpu_kwh = f->mean_power_w * S_PER_DAY / J_PER_KWH;
    f->daily_server_kwh = f->daily_gpu_kwh * w->gpus;
    f->daily_all_kwh = f->daily_server_kwh * w->servers;
    double k = w->intensity_kg_per_kwh;
    f->co2_job_server_kg = f->energy_server_j / J_PER_KWH * k;
    f->co2_job_all_kg = f->energy_all_j / J_PER_KWH * k;
    f->co2_daily_server_kg = f->daily_server_kwh * k;
    f->co2_daily_all_kg = f->daily_all_kwh * k;
    f->cost_job_all = f->energy_all_j / J_PER_KWH * w->price_per_kwh;
    f->cost_daily_all = f->daily_all_kwh * w->price_per_kwh;
    return JC_OK;
}
