/* cli/dispatch_cli.c: the site options and files `schedule` and `sweep`
 * share. Defaults are the shipped data/ files, which hold the second seed's
 * values (docs/dispatch.md). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dispatch_cli.h"

void jc_site_opts_init(jc_site_opts *o)
{
    memset(o, 0, sizeof *o);
    o->idle_w = NAN;
}

int jc_site_option(jc_site_opts *o, int c, const char *arg)
{
    switch (c) {
    case SITE_PV: o->pv = arg; return 0;
    case SITE_LEVELS: o->levels = arg; return 0;
    case SITE_TARIFF: o->tariff = arg; return 0;
    case SITE_BATTERY: o->battery = arg; return 0;
    case SITE_GRID: o->grid = arg; return 0;
    case SITE_NO_BATTERY: o->no_battery = 1; return 0;
    case SITE_NAIVE: o->naive = 1; return 0;
    case SITE_IDLE: return jc_parse_double_opt("--idle-w", arg, 0, 1e6, &o->idle_w) ? -1 : 0;
    case SITE_TIME_LIMIT: return jc_parse_double_opt("--time-limit", arg, 0.001, 1e6, &o->time_limit_s) ? -1 : 0;
    default: return 1;
    }
}

void jc_site_help(FILE *out)
{
    fprintf(out,
            "site options (defaults: the seed's values, in the shipped data/ folder):\n"
            "  --pv FILE        hourly PV series, as written by 'joulecast solar -o FILE'\n"
            "                   (columns hour_of_year and ac_w; required)\n"
            "  --levels FILE    power levels: power_limit_w,time_s[,avg_power_w] (data/levels_rtx4090.csv,\n"
            "                   the seed's Table 5.1); the levels.csv of 'joulecast powercap' works too\n"
            "  --idle-w W       the GPU's draw while the job waits (default: the levels file's idle row,\n"
            "                   else %g W)\n"
            "  --tariff FILE    buy/sell prices by clock hour (data/tariff.csv, Table 5.3)\n"
            "  --battery FILE   battery JSON (data/battery.json, Table 5.2)\n"
            "  --grid FILE      grid import and export limits (data/grid.json)\n"
            "  --no-battery     as if there were no battery\n"
            "  --naive          solve the seed's one-hot formulation instead of the tight one (slower;\n"
            "                   the same optimum)\n"
            "  --time-limit S   give up a solve after S seconds (an error: only proven optima are reported)\n",
            JC_DISPATCH_SEED_IDLE_W);
}

static int data_default(const char *given, const char *name, char *buf, size_t size)
{
    if (given) {
        snprintf(buf, size, "%s", given);
        return 0;
    }
    if (jc_data_path(name, buf, size)) {
        jc_print_error();
        return -1;
    }
    return 0;
}

int jc_site_load(const jc_site_opts *o, jc_site_data *d)
{
    memset(d, 0, sizeof *d);
    if (data_default(o->levels, "levels_rtx4090.csv", d->levels_path, sizeof d->levels_path) ||
        data_default(o->tariff, "tariff.csv", d->tariff_path, sizeof d->tariff_path) ||
        data_default(o->battery, "battery.json", d->battery_path, sizeof d->battery_path) ||
        data_default(o->grid, "grid.json", d->grid_path, sizeof d->grid_path))
        return JC_EXIT_FAIL;
    double idle = isnan(o->idle_w) ? JC_DISPATCH_SEED_IDLE_W : o->idle_w;
    int rc = jc_dispatch_pv_read(o->pv, &d->pv);
    if (!rc)
        rc = jc_dispatch_levels_read(d->levels_path, idle, &d->levels);
    if (!rc && !isnan(o->idle_w))
        d->levels.idle_w = o->idle_w;
    if (!rc)
        rc = jc_dispatch_tariff_read(d->tariff_path, &d->tariff);
    if (!rc)
        rc = jc_dispatch_battery_read(d->battery_path, &d->battery);
    if (!rc)
        rc = jc_dispatch_grid_read(d->grid_path, &d->grid);
    if (rc) {
        jc_print_error();
        jc_site_free(d);
        return JC_EXIT_FAIL;
    }
    if (o->no_battery)
        d->battery.capacity_wh = 0;
    d->site = (jc_dispatch_site){&d->pv, &d->tariff, &d->levels, &d->battery, &d->grid};
    return 0;
}

void jc_site_free(jc_site_data *d)
{
    jc_dispatch_pv_free(&d->pv);
    jc_dispatch_levels_free(&d->levels);
}

void jc_site_describe(FILE *out, const jc_site_data *d)
{
    const jc_dispatch_levels *l = &d->levels;
    fprintf(out, "levels     %zu, %g..%g W drawn, %g..%g h for the job; idle %g W (%s)\n", l->n, l->level[0].draw_w,
            l->level[l->n - 1].draw_w, l->level[l->n - 1].time_h, l->level[0].time_h, l->idle_w, d->levels_path);
    if (d->battery.capacity_wh > 0)
        fprintf(out, "battery    %g Wh, charge %g, discharge %g, self-discharge %g/h (%s)\n", d->battery.capacity_wh,
                d->battery.charge_efficiency, d->battery.discharge_efficiency, d->battery.self_discharge_per_h,
                d->battery_path);
    else
        fprintf(out, "battery    none\n");
    fprintf(out, "grid       import <= %g W, export <= %g W (%s, %s)\n", d->grid.max_import_w, d->grid.max_export_w,
            d->tariff_path, d->grid_path);
    fprintf(out, "PV         %s, %zu hours\n", d->pv.source, d->pv.n);
}
