/* joulecast schedule: when and how fast to run one training job on PV, a
 * battery and the grid. The hour-by-hour plan of least cost that finishes by
 * the deadline (the second seed's MILP, fixed; docs/dispatch.md), proven
 * optimal by CBC, beside two baselines: starting at once at full power with
 * PV and battery used greedily, and the grid alone. Text, JSON or a plot. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dispatch_cli.h"
#include "joulecast/plot.h"
#include "joulecast/util.h"

void jc_cmd_schedule_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast schedule --pv PV.csv --start H --hours D [site options] [--json] [--plot FILE]\n"
            "\n"
            "Plans one training job hour by hour: the GPU's power level (or idle) in each\n"
            "hour from H (an hour_of_year of the PV series: local standard time) so that\n"
            "the job is done"
            " within D hours, and where each Wh comes from: PV, the battery, the grid; at\n"
            "the least grid bill (bought x price - sold x price over the window). The plan\n"
            "is proven optimal by CBC or the command fails. Two baselines run over the\n"
            "same window: (a) start now at full power, PV first, surplus into the battery\n"
            "then sold, deficits from the battery then the grid (greedy); (b) full power\n"
            "from the grid alone. The savings against both are printed.\n"
            "\n"
            "options:\n"
            "  --start H        first hour (hour_of_year, 0-based, local standard time)\n"
            "  --hours D        the deadline: the job must be done within D hours\n"
            "  --json           the plan as JSON on stdout\n"
            "  --plot FILE      GPU power, PV, grid and battery by hour (.png or .svg)\n"
            "\n");
    jc_site_help(out);
    fprintf(out,
            "\n"
            "examples:\n"
            "  joulecast solar -o pv.csv && joulecast schedule --pv pv.csv --start 115 --hours 23\n"
            "  joulecast schedule --pv pv.csv --start 8 --hours 32 --levels powercap/levels.csv --json\n"
            "  joulecast schedule --pv pv.csv --start 0 --hours 26 --no-battery --plot plan.png\n");
}

static const char *level_label(const jc_dispatch_levels *l, int k, char *buf, size_t size)
{
    if (k == 0)
        snprintf(buf, size, "idle");
    else
        snprintf(buf, size, "%gW", l->level[k - 1].power_limit_w);
    return buf;
}

static void print_hours(const jc_dispatch_problem *p, const jc_dispatch_tariff *tf, const jc_dispatch_plan *plan)
{
    printf("%5s %5s %3s %6s %7s %6s %6s %6s %6s %6s %6s %6s %6s %8s\n", "hour", "local", "tar", "level", "gpu_Wh",
           "pv_Wh", "pv_use", "curt", "bat_in", "batout", "soc_Wh", "buy_Wh", "sell", "cost_EUR");
    for (size_t t = 0; t < plan->hours; t++) {
        const jc_dispatch_hour *h = &plan->hour[t];
        char lv[24];
        printf("%5ld %02d:00 %3s %6s %7.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %8.4f\n",
               p->start_hour + (long)t, p->local_hour[t], tf->window[p->local_hour[t]],
               level_label(p->levels, h->level, lv, sizeof lv), h->gpu_wh, h->pv_wh, h->pv_used_wh,
               h->pv_curtailed_wh, h->charge_wh, h->discharge_wh, h->soc_wh, h->buy_wh, h->sell_wh, h->cost_eur);
    }
    printf("%5s %5s %3s %6s %7.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6s %6.1f %6.1f %8.4f\n", "total", "", "", "",
           plan->gpu_wh, plan->pv_wh, plan->pv_used_wh, plan->pv_curtailed_wh, plan->charge_wh, plan->discharge_wh, "",
           plan->buy_wh, plan->sell_wh, plan->cost_eur);
}

static void print_compare(const char *name, const jc_dispatch_plan *x, const jc_dispatch_plan *opt)
{
    double save = x->cost_eur - opt->cost_eur;
    printf("  %-46s %8.4f EUR  GPU %5.2f kWh  grid %5.2f kWh  PV used %5.2f kWh", name, x->cost_eur,
           x->gpu_wh / 1000, x->buy_wh / 1000, x->pv_used_wh / 1000);
    if (x != opt)
        printf("  saving %.4f EUR", save);
    printf("\n");
}

static void print_text(const jc_site_data *d, const jc_dispatch_problem *p, const jc_dispatch_plan *plan,
                       const jc_dispatch_plan *greedy, const jc_dispatch_plan *grid, int naive)
{
    printf("schedule   start hour %ld (%02d:00 local standard time), deadline %zu h\n", p->start_hour, p->local_hour[0],
           p->hours);
    jc_site_describe(stdout, d);
    printf("solve      %s, %s formulation, %.3f s, %ld nodes\n\n", jc_dispatch_status_name(plan->status),
           naive ? "naive" : "tight", plan->solve_s, plan->nodes);
    print_hours(p, &d->tariff, plan);
    printf("\ncompared over the same %zu hours:\n", p->hours);
    print_compare("optimal plan", plan, plan);
    print_compare("(a) start now, full power, greedy PV+battery", greedy, plan);
    print_compare("(b) start now, full power, grid only", grid, plan);
}

static json_t *plan_json(const jc_dispatch_problem *p, const jc_dispatch_plan *plan, int with_hours)
{
    json_t *o = json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "cost_eur", plan->cost_eur, "gpu_wh",
                          plan->gpu_wh, "progress", plan->progress, "pv_wh", plan->pv_wh, "pv_used_wh",
                          plan->pv_used_wh, "pv_curtailed_wh", plan->pv_curtailed_wh, "charge_wh", plan->charge_wh,
                          "discharge_wh", plan->discharge_wh, "buy_wh", plan->buy_wh, "sell_wh", plan->sell_wh);
    if (!with_hours)
        return o;
    json_t *hours = json_array();
    for (size_t t = 0; t < plan->hours; t++) {
        const jc_dispatch_hour *h = &plan->hour[t];
        const jc_dispatch_levels *l = p->levels;
        json_array_append_new(
            hours, json_pack("{s:I,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "hour_of_year",
                             (json_int_t)(p->start_hour + (long)t), "local_hour", p->local_hour[t], "level", h->level,
                             "power_limit_w", h->level ? l->level[h->level - 1].power_limit_w : 0.0, "gpu_wh",
                             h->gpu_wh, "progress", h->progress, "pv_wh", h->pv_wh, "pv_used_wh", h->pv_used_wh,
                             "pv_curtailed_wh", h->pv_curtailed_wh, "charge_wh", h->charge_wh, "discharge_wh",
                             h->discharge_wh, "soc_wh", h->soc_wh, "buy_wh", h->buy_wh, "sell_wh", h->sell_wh,
                             "cost_eur", h->cost_eur));
    }
    json_object_set_new(o, "hours", hours);
    return o;
}

static int print_json(const jc_dispatch_problem *p, const jc_dispatch_plan *plan, const jc_dispatch_plan *greedy,
                      const jc_dispatch_plan *grid, int naive)
{
    json_t *root = json_pack("{s:s,s:i,s:I,s:i,s:s,s:s,s:f,s:I}", "format", "joulecast-schedule", "version", 1,
                             "start_hour", (json_int_t)p->start_hour, "deadline_h", (int)p->hours, "status",
                             jc_dispatch_status_name(plan->status), "formulation", naive ? "naive" : "tight",
                             "solve_s", plan->solve_s, "nodes", (json_int_t)plan->nodes);
    json_object_set_new(root, "plan", plan_json(p, plan, 1));
    json_t *base = json_object();
    json_object_set_new(base, "greedy_full_power", plan_json(p, greedy, 0));
    json_object_set_new(base, "grid_only_full_power", plan_json(p, grid, 0));
    json_object_set_new(root, "baselines", base);
    json_object_set_new(root, "saving_vs_greedy_eur", json_real(greedy->cost_eur - plan->cost_eur));
    json_object_set_new(root, "saving_vs_grid_only_eur", json_real(grid->cost_eur - plan->cost_eur));
    int rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    printf("\n");
    json_decref(root);
    return rc ? JC_EXIT_FAIL : JC_EXIT_OK;
}

static int write_plot(const char *path, const jc_dispatch_problem *p, const jc_dispatch_plan *plan)
{
    size_t n = plan->hours + 1;
    double *buf = calloc(5 * n, sizeof *buf);
    if (!buf)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    double *x = buf, *gpu = buf + n, *pv = buf + 2 * n, *grid = buf + 3 * n, *soc = buf + 4 * n;
    /* steps: each hour's value holds from its start to the next hour */
    for (size_t t = 0; t < n; t++) {
        size_t k = t < plan->hours ? t : plan->hours - 1;
        x[t] = (double)(p->start_hour + (long)t);
        gpu[t] = plan->hour[k].gpu_wh;
        pv[t] = plan->hour[k].pv_wh;
        grid[t] = plan->hour[k].buy_wh - plan->hour[k].sell_wh;
        soc[t] = plan->hour[k].soc_wh;
    }
    jc_plot_series s[4] = {
        {.label = "GPU (W)", .x = x, .y = gpu, .n = n, .style = JC_PLOT_STEP, .rgb = 0x1f77b4, .width = 2},
        {.label = "PV available (W)", .x = x, .y = pv, .n = n, .style = JC_PLOT_STEP, .rgb = 0xff7f0e},
        {.label = "grid import - export (W)", .x = x, .y = grid, .n = n, .style = JC_PLOT_STEP, .rgb = 0x7f7f7f},
        {.label = "battery (Wh, end of hour)", .x = x, .y = soc, .n = n, .style = JC_PLOT_STEP, .rgb = 0x2ca02c}};
    char title[160];
    snprintf(title, sizeof title, "schedule: start hour %ld, %zu h deadline, cost %.3f EUR", p->start_hour,
             plan->hours, plan->cost_eur);
    jc_plot plot = {.title = title, .xlabel = "hour of year (local standard time)", .ylabel = "W (Wh per hour)", .nseries = 4,
                    .series = s};
    int rc = jc_plot_write(&plot, path);
    free(buf);
    return rc;
}

int jc_cmd_schedule(int argc, char **argv)
{
    enum { OPT_START = 256, OPT_HOURS, OPT_JSON, OPT_PLOT };
    static const struct option longopts[] = {{"start", required_argument, 0, OPT_START},
                                             {"hours", required_argument, 0, OPT_HOURS},
                                             {"json", no_argument, 0, OPT_JSON},
                                             {"plot", required_argument, 0, OPT_PLOT},
                                             JC_SITE_LONGOPTS,
                                             {0, 0, 0, 0}};
    jc_site_opts so;
    jc_site_opts_init(&so);
    long start = -1, hours = -1;
    int json = 0;
    const char *plot_path = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int s = jc_site_option(&so, c, optarg);
        if (s < 0)
            return JC_EXIT_USAGE;
        if (s == 0)
            continue;
        switch (c) {
        case OPT_START:
            if (jc_parse_int_opt("--start", optarg, 0, 1000000, &start))
                return JC_EXIT_USAGE;
            break;
        case OPT_HOURS:
            if (jc_parse_int_opt("--hours", optarg, 1, 24 * 366, &hours))
                return JC_EXIT_USAGE;
            break;
        case OPT_JSON: json = 1; break;
        case OPT_PLOT: plot_path = optarg; break;
        default:
            fprintf(stderr, "joulecast schedule: error: unknown or incomplete option '%s' (see --help)\n",
                    argv[optind - 1]);
            return JC_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "joulecast schedule: error: unexpected argument '%s'\n", argv[optind]);
        return JC_EXIT_USAGE;
    }
    if (!so.pv || start < 0 || hours < 0) {
        fprintf(stderr, "joulecast schedule: error: --pv, --start and --hours are required (see --help)\n");
        return JC_EXIT_USAGE;
    }
    jc_site_data d;
    if (jc_site_load(&so, &d))
        return JC_EXIT_FAIL;
    jc_dispatch_problem p;
    jc_dispatch_plan plan = {0}, greedy = {0}, grid = {0};
    jc_dispatch_options opt = {so.naive ? JC_DISPATCH_NAIVE : JC_DISPATCH_TIGHT, so.time_limit_s};
    int status = JC_EXIT_OK;
    if (jc_dispatch_problem_make(&d.site, start, (int)hours, &p) || jc_dispatch_solve(&p, &opt, &plan) ||
        jc_dispatch_baseline(&p, 1, &greedy) || jc_dispatch_baseline(&p, 0, &grid)) {
        jc_print_error();
        status = JC_EXIT_FAIL;
    }
    if (!status)
        status = json ? print_json(&p, &plan, &greedy, &grid, so.naive)
                      : (print_text(&d, &p, &plan, &greedy, &grid, so.naive), JC_EXIT_OK);
    if (!status && plot_path && write_plot(plot_path, &p, &plan)) {
        jc_print_error();
        status = JC_EXIT_FAIL;
    }
    jc_dispatch_plan_free(&plan);
    jc_dispatch_plan_free(&greedy);
    jc_dispatch_plan_free(&grid);
    jc_dispatch_problem_free(&p);
    jc_site_free(&d);
    return status;
}
