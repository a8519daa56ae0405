/* cli/dispatch_cli.h: what `schedule` and `sweep` share: the site's files
 * (PV series, levels, tariff, battery, grid; the shipped data/ files by
 * default), their options, and reading them all with errors that name the
 * file and line. */
#ifndef JC_DISPATCH_CLI_H
#define JC_DISPATCH_CLI_H

#include <stdio.h>

#include "joulecast/dispatch.h"

typedef struct {
    const char *pv, *levels, *tariff, *battery, *grid;
    double idle_w;       /* NAN: the levels file's idle row, else the default */
    int no_battery;
    int naive;
    double time_limit_s;
} jc_site_opts;

typedef struct {
    jc_dispatch_pv pv;
    jc_dispatch_levels levels;
    jc_dispatch_tariff tariff;
    jc_dispatch_battery battery;
    jc_dispatch_grid grid;
    jc_dispatch_site site;
    char levels_path[1024], tariff_path[1024], battery_path[1024], grid_path[1024];
} jc_site_data;

/* The long options both commands take; values from SITE_OPT_BASE up. */
enum { SITE_OPT_BASE = 512, SITE_PV = SITE_OPT_BASE, SITE_LEVELS, SITE_TARIFF, SITE_BATTERY, SITE_GRID, SITE_IDLE,
       SITE_NO_BATTERY, SITE_NAIVE, SITE_TIME_LIMIT };
#define JC_SITE_LONGOPTS                                                                                          \
    {"pv", required_argument, 0, SITE_PV}, {"levels", required_argument, 0, SITE_LEVELS},                        \
        {"tariff", required_argument, 0, SITE_TARIFF}, {"battery", required_argument, 0, SITE_BATTERY},           \
        {"grid", required_argument, 0, SITE_GRID}, {"idle-w", required_argument, 0, SITE_IDLE},                   \
        {"no-battery", no_argument, 0, SITE_NO_BATTERY}, {"naive", no_argument, 0, SITE_NAIVE},                   \
        {"time-limit", required_argument, 0, SITE_TIME_LIMIT}

void jc_site_opts_init(jc_site_opts *o);
/* Handle option c (one of SITE_*); 0 if handled, -1 after a usage error,
 * 1 if c is not a site option. */
int jc_site_option(jc_site_opts *o, int c, const char *arg);
void jc_site_help(FILE *out);
/* Read everything; prints the error and returns JC_EXIT_FAIL, or 0. */
int jc_site_load(const jc_site_opts *o, jc_site_data *d);
void jc_site_free(jc_site_data *d);
/* One line on what the site is, for the reports. */
void jc_site_describe(FILE *out, const jc_site_data *d);

#endif
