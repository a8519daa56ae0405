/* joulecast sweep: the optimal cost of a training job for every start hour
 * and every deadline in a range: the second seed's Figures 5.6 and 5.7. A
 * CSV of the results (one row per problem, each proven optimal), the min and
 * max per deadline, and the figures as plots. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dispatch_cli.h"
#include "joulecast/plot.h"
#include "joulecast/table.h"
#include "joulecast/util.h"

void jc_cmd_sweep_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast sweep --pv PV.csv [--starts A:B] [--hours A:B] [-o FILE] [--plot-prefix P]\n"
            "                       [--jobs N] [site options]\n"
            "\n"
            "Solves the schedule of 'joulecast schedule' for every start hour in A:B and\n"
            "every deadline in A:B (defaults: the seed's starts 0:143 and deadlines 23:32,\n"
            "1440 problems), each proven optimal, in parallel worker processes. Writes\n"
            "start_hour,hours,cost_eur,energy_kwh,grid_kwh,pv_kwh,status,solve_ms (CSV,\n"
            "to FILE or stdout) and prints the cheapest and dearest start per deadline.\n"
            "A problem not solved to optimality keeps its status in the CSV and makes the\n"
            "command fail.\n"
            "\n"
            "options:\n"
            "  --starts A:B     start hours (hour_of_year, local standard time), inclusive (default 0:143)\n"
            "  --hours A:B      deadlines in hours, inclusive (default 23:32)\n"
            "  -o, --output FILE  the CSV (default: stdout; the summary then goes to stderr)\n"
            "  --plot-prefix P  the seed's figures: P-pv.png (PV power over the start hours,\n"
            "                   Fig. 5.6a), P-cost-<A>h.png (cost by start hour for the shortest\n"
            "                   deadline, Fig. 5.6b) and P-cost.png (one line per deadline,\n"
            "                   Fig. 5.7); P ending in .svg gives SVG files instead\n"
            "  --jobs N         worker processes (default: one per CPU)\n"
            "\n");
    jc_site_help(out);
    fprintf(out,
            "\n"
            "examples:\n"
            "  joulecast sweep --pv pv.csv -o sweep.csv --plot-prefix fig\n"
            "  joulecast sweep --pv pv.csv --starts 0:23 --hours 24:24 --no-battery\n");
}

static int parse_range(const char *opt, const char *s, long lo, long hi, long *a, long *b)
{
    char *end;
    long x = strtol(s, &end, 10), y;
    if (end == s || (*end != ':' && *end != 0))
        goto bad;
    if (*end == 0)
        y = x;
    else {
        const char *s2 = end + 1;
        y = strtol(s2, &end, 10);
        if (end == s2 || *end)
            goto bad;
    }
    if (x < lo || y > hi || x > y)
        goto bad;
    *a = x;
    *b = y;
    return 0;
bad:
    fprintf(stderr, "joulecast sweep: error: %s: expected A:B with %ld <= A <= B <= %ld, got '%s'\n", opt, lo, hi, s);
    return -1;
}

typedef struct {
    jc_progress *bar;
} progress_ctx;

static void on_progress(void *ctx, size_t done, size_t total)
{
    progress_ctx *pc = ctx;
    if (!pc->bar)
        pc->bar = jc_progress_begin("sweep", (double)total);
    jc_progress_update(pc->bar, (double)done);
}

static int write_csv(const char *path, const jc_dispatch_sweep_row *r, size_t n)
{
    FILE *f = stdout;
    jc_atomic_file *af = NULL;
    if (path && jc_atomic_open(path, &af, &f))
        return -1;
    fprintf(f, "start_hour,hours,cost_eur,energy_kwh,grid_kwh,pv_kwh,status,solve_ms\n");
    for (size_t i = 0; i < n; i++) {
        if (r[i].status == JC_DISPATCH_OPTIMAL)
            fprintf(f, "%ld,%d,%.9f,%.6f,%.6f,%.6f,%s,%.3f\n", r[i].start_hour, r[i].hours, r[i].cost_eur,
                    r[i].energy_kwh, r[i].grid_kwh, r[i].pv_kwh, jc_dispatch_status_name(r[i].status),
                    r[i].solve_ms);
        else
            fprintf(f, "%ld,%d,,,,,%s,%.3f\n", r[i].start_hour, r[i].hours, jc_dispatch_status_name(r[i].status),
                    r[i].solve_ms);
    }
    if (af)
        return jc_atomic_commit(af) ? -1 : 0;
    fflush(f);
    return 0;
}

static void summary(FILE *out, const jc_dispatch_sweep_row *r, size_t n, int h0, int h1, double wall)
{
    fprintf(out, "%5s %10s %6s %10s %6s %8s\n", "hours", "min_EUR", "start", "max_EUR", "start", "mean_EUR");
    for (int h = h0; h <= h1; h++) {
        double lo = INFINITY, hi = -INFINITY, sum = 0;
        long at_lo = -1, at_hi = -1;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (r[i].hours != h || r[i].status != JC_DISPATCH_OPTIMAL)
                continue;
            if (r[i].cost_eur < lo)
                lo = r[i].cost_eur, at_lo = r[i].start_hour;
            if (r[i].cost_eur > hi)
                hi = r[i].cost_eur, at_hi = r[i].start_hour;
            sum += r[i].cost_eur;
            k++;
        }
        if (k)
            fprintf(out, "%5d %10.4f %6ld %10.4f %6ld %8.4f\n", h, lo, at_lo, hi, at_hi, sum / (double)k);
    }
    double total = 0, slowest = 0;
    for (size_t i = 0; i < n; i++) {
        total += r[i].solve_ms;
        slowest = fmax(slowest, r[i].solve_ms);
    }
    fprintf(out, "%zu problems in %.1f s wall; solves %.1f s in all, the slowest %.0f ms\n", n, wall, total / 1000,
            slowest);
}

/* The file name for one figure: PREFIX-what.png (or .svg when P ends so). */
static void fig_path(const char *prefix, const char *what, char *buf, size_t size)
{
    size_t n = strlen(prefix);
    int svg = n > 4 && !strcmp(prefix + n - 4, ".svg");
    snprintf(buf, size, "%.*s-%s.%s", (int)(svg ? n - 4 : n), prefix, what, svg ? "svg" : "png");
}

static int write_figures(const char *prefix, const jc_site_data *d, const jc_dispatch_sweep_row *r, size_t n,
                         long s0, long s1, int h0, int h1)
{
    size_t ns = (size_t)(s1 - s0 + 1), nh = (size_t)(h1 - h0 + 1);
    double *x = malloc(ns * sizeof *x), *pv = malloc(ns * sizeof *pv), *cost = malloc(n * sizeof *cost);
    jc_plot_series *series = calloc(nh, sizeof *series);
    char (*labels)[32] = calloc(nh, sizeof *labels);
    int rc = x && pv && cost && series && labels ? JC_OK : jc_fail(JC_ERR_NOMEM, "out of memory");
    char path[1024], title[160];
    for (size_t i = 0; !rc && i < ns; i++) {
        x[i] = (double)(s0 + (long)i);
        pv[i] = d->pv.ac_w[(size_t)(s0 + (long)i) % d->pv.n];
    }
    for (size_t i = 0; !rc && i < n; i++)
        cost[i] = r[i].status == JC_DISPATCH_OPTIMAL ? r[i].cost_eur : NAN;
    if (!rc) { /* Fig. 5.6a: the PV power over the start hours */
        jc_plot_series s = {.label = "PV AC power", .x = x, .y = pv, .n = ns, .rgb = 0xd62728};
        jc_plot plot = {.title = "PV power at each start hour (Fig. 5.6a)", .xlabel = "hour of year",
                        .ylabel = "PV power (W)", .y_from_zero = 1, .nseries = 1, .series = &s};
        fig_path(prefix, "pv", path, sizeof path);
        rc = jc_plot_write(&plot, path);
    }
    if (!rc) { /* Fig. 5.6b: the cost by start hour for the shortest deadline */
        jc_plot_series s = {.label = NULL, .x = x, .y = cost, .n = ns, .rgb = 0x1f77b4, .width = 2};
        snprintf(title, sizeof title, "least cost by start hour, %d h deadline (Fig. 5.6b)", h0);
        jc_plot_hline zero = {.label = NULL, .y = 0, .rgb = 0x7f7f7f, .dashed = 1};
        jc_plot plot = {.title = title, .xlabel = "start hour of year", .ylabel = "cost (EUR)", .nseries = 1,
                        .series = &s, .nhlines = 1, .hlines = &zero};
        char what[32];
        snprintf(what, sizeof what, "cost-%dh", h0);
        fig_path(prefix, what, path, sizeof path);
        rc = jc_plot_write(&plot, path);
    }
    if (!rc) { /* Fig. 5.7: one line per deadline */
        for (size_t h = 0; h < nh; h++) {
            snprintf(labels[h], sizeof labels[h], "%d h", h0 + (int)h);
            series[h] = (jc_plot_series){.label = labels[h], .x = x, .y = cost + h * ns, .n = ns, .auto_color = 1};
        }
        jc_plot_hline zero = {.label = NULL, .y = 0, .rgb = 0x7f7f7f, .dashed = 1};
        jc_plot plot = {.title = "least cost by start hour and deadline (Fig. 5.7)",
                        .xlabel = "start hour of year", .ylabel = "cost (EUR)", .nseries = nh,
                        .series = series, .nhlines = 1, .hlines = &zero};
        fig_path(prefix, "cost", path, sizeof path);
        rc = jc_plot_write(&plot, path);
    }
    free(x);
    free(pv);
    free(cost);
    free(series);
    free(labels);
    return rc;
}

int jc_cmd_sweep(int argc, char **argv)
{
    enum { OPT_STARTS = 256, OPT_HOURS, OPT_OUTPUT, OPT_PLOT, OPT_JOBS };
    static const struct option longopts[] = {{"starts", required_argument, 0, OPT_STARTS},
                                             {"hours", required_argument, 0, OPT_HOURS},
                                             {"output", required_argument, 0, OPT_OUTPUT},
                                             {"plot-prefix", required_argument, 0, OPT_PLOT},
                                             {"jobs", required_argument, 0, OPT_JOBS},
                                             JC_SITE_LONGOPTS,
                                             {0, 0, 0, 0}};
    jc_site_opts so;
    jc_site_opts_init(&so);
    long s0 = 0, s1 = 143, h0 = 23, h1 = 32, jobs = 0;
    const char *out_path = NULL, *prefix = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        int s = jc_site_option(&so, c, optarg);
        if (s < 0)
            return JC_EXIT_USAGE;
        if (s == 0)
            continue;
        switch (c) {
        case OPT_STARTS:
            if (parse_range("--starts", optarg, 0, 1000000, &s0, &s1))
                return JC_EXIT_USAGE;
            break;
        case OPT_HOURS:
            if (parse_range("--hours", optarg, 1, 24 * 366, &h0, &h1))
                return JC_EXIT_USAGE;
            break;
        case 'o':
        case OPT_OUTPUT: out_path = optarg; break;
        case OPT_PLOT: prefix = optarg; break;
        case OPT_JOBS:
            if (jc_parse_int_opt("--jobs", optarg, 1, 64, &jobs))
                return JC_EXIT_USAGE;
            break;
        default:
            fprintf(stderr, "joulecast sweep: error: unknown or incomplete option '%s' (see --help)\n",
                    argv[optind - 1]);
            return JC_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "joulecast sweep: error: unexpected argument '%s'\n", argv[optind]);
        return JC_EXIT_USAGE;
    }
    if (!so.pv) {
        fprintf(stderr, "joulecast sweep: error: --pv is required (see --help)\n");
        return JC_EXIT_USAGE;
    }
    jc_site_data d;
    if (jc_site_load(&so, &d))
        return JC_EXIT_FAIL;
    jc_dispatch_options opt = {so.naive ? JC_DISPATCH_NAIVE : JC_DISPATCH_TIGHT, so.time_limit_s};
    jc_dispatch_sweep_row *rows = NULL;
    size_t n = 0;
    progress_ctx pc = {NULL};
    double t0 = jc_now_monotonic();
    int rc = jc_dispatch_sweep(&d.site, s0, s1, (int)h0, (int)h1, &opt, (int)jobs, on_progress, &pc, &rows, &n);
    double wall = jc_now_monotonic() - t0;
    jc_progress_end(pc.bar);
    int status = JC_EXIT_OK;
    if (rc) {
        jc_print_error();
        status = JC_EXIT_FAIL;
    }
    if (rows) {
        if (write_csv(out_path, rows, n)) {
            jc_print_error();
            status = JC_EXIT_FAIL;
        }
        summary(out_path ? stdout : stderr, rows, n, (int)h0, (int)h1, wall);
        if (prefix && write_figures(prefix, &d, rows, n, s0, s1, (int)h0, (int)h1)) {
            jc_print_error();
            status = JC_EXIT_FAIL;
        }
    }
    free(rows);
    jc_site_free(&d);
    return status;
}
