/* bench_dispatch: the seed's full sweep (start hours 0..143 x deadlines
 * 23..32 h = 1440 problems, the seed's levels, tariff and battery) with the
 * tight formulation, each proven optimal: wall time, the slowest solve and
 * the total; then the naive one-hot formulation on a sample of the same
 * problems, under a time limit, for the speed-up; then the least and the
 * greatest cost per deadline (docs/dispatch.md, "Results").
 *
 * usage: bench_dispatch [PV.csv] [--workers N] [--naive-limit S] [--no-naive]
 * PV.csv defaults to the shipped Turin year (data/pv_turin_0.76kwdc.csv). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/dispatch.h"
#include "joulecast/util.h"

#define S0 0
#define S1 143
#define H0 23
#define H1 32
#define SAMPLE_STEP 12

static double load_average(void)
{
    double l = NAN;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = NAN;
        fclose(f);
    }
    return l;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, const jc_dispatch_sweep_row *r, size_t n, double wall)
{
    double total = 0, slowest = 0;
    size_t optimal = 0, at = 0;
    long nodes = 0;
    double *ms = malloc(n * sizeof *ms);
    for (size_t i = 0; i < n; i++) {
        total += r[i].solve_ms;
        nodes += r[i].nodes;
        optimal += r[i].status == JC_DISPATCH_OPTIMAL;
        if (r[i].solve_ms > slowest)
            slowest = r[i].solve_ms, at = i;
        if (ms)
            ms[i] = r[i].solve_ms;
    }
    double median = NAN, p99 = NAN;
    if (ms) {
        qsort(ms, n, sizeof *ms, cmp_double);
        median = ms[n / 2];
        p99 = ms[(size_t)(0.99 * (double)(n - 1))];
        free(ms);
    }
    char w[32] = "";
    if (!isnan(wall))
        snprintf(w, sizeof w, "wall %.1f s; ", wall);
    printf("%-6s %zu problems: %ssolves %.1f s in all (mean %.0f ms, median %.0f ms, p99 %.0f ms); "
           "slowest %.0f ms (start %ld, %d h); proven optimal %zu/%zu; %ld nodes\n",
           what, n, w, total / 1000, total / (double)n, median, p99, slowest, r[at].start_hour, r[at].hours,
           optimal, n, nodes);
}

static double total_ms(const jc_dispatch_sweep_row *r, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += r[i].solve_ms;
    return s;
}

int main(int argc, char **argv)
{
    const char *pv_path = NULL;
    int workers = 2, naive = 1;
    double naive_limit = 10;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--workers") && i + 1 < argc)
            workers = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--naive-limit") && i + 1 < argc)
            naive_limit = atof(argv[++i]);
        else if (!strcmp(argv[i], "--no-naive"))
            naive = 0;
        else
            pv_path = argv[i];
    }
    char def[1024];
    if (!pv_path) {
        if (jc_data_path("pv_turin_0.76kwdc.csv", def, sizeof def))
            return 1;
        pv_path = def;
    }
    jc_dispatch_pv pv;
    jc_dispatch_levels levels;
    jc_dispatch_tariff tariff;
    jc_dispatch_battery battery;
    jc_dispatch_grid grid;
    if (jc_dispatch_pv_read(pv_path, &pv) || jc_dispatch_levels_seed(&levels)) {
        fprintf(stderr, "bench_dispatch: %s\n", jc_last_error());
        return 1;
    }
    jc_dispatch_tariff_seed(&tariff);
    jc_dispatch_battery_seed(&battery);
    jc_dispatch_grid_seed(&grid);
    jc_dispatch_site site = {&pv, &tariff, &levels, &battery, &grid};
    printf("bench_dispatch: %s; starts %d..%d x deadlines %d..%d h; the seed's levels, tariff, battery; %d workers; "
           "load average %.2f at the start\n",
           pv_path, S0, S1, H0, H1, workers, load_average());

    jc_dispatch_options tight = {JC_DISPATCH_TIGHT, 0};
    jc_dispatch_sweep_row *rows = NULL;
    size_t n = 0;
    double t0 = jc_now_monotonic();
    int rc = jc_dispatch_sweep(&site, S0, S1, H0, H1, &tight, workers, NULL, NULL, &rows, &n);
    double wall = jc_now_monotonic() - t0;
    if (rc)
        fprintf(stderr, "bench_dispatch: %s\n", jc_last_error());
    if (!rows)
        return 1;
    report("tight", rows, n, wall);
    printf("  goal: the 1440 problems in at most 60 s on 2 cores: %s (load average %.2f at the end)\n",
           wall <= 60 ? "met" : "NOT met", load_average());

    if (naive) {
        /* a sample: every 12th start, every deadline */
        size_t ns = 0, nsample = (size_t)((S1 - S0) / SAMPLE_STEP + 1) * (H1 - H0 + 1);
        jc_dispatch_sweep_row *nrows = calloc(nsample, sizeof *nrows), *trows = calloc(nsample, sizeof *trows);
        jc_dispatch_options nopt = {JC_DISPATCH_NAIVE, naive_limit};
        double nwall = 0;
        for (int s = S0; s <= S1 && nrows && trows; s += SAMPLE_STEP) {
            jc_dispatch_sweep_row *part = NULL;
            size_t np = 0;
            double t1 = jc_now_monotonic();
            jc_dispatch_sweep(&site, s, s, H0, H1, &nopt, workers, NULL, NULL, &part, &np);
            nwall += jc_now_monotonic() - t1;
            for (size_t i = 0; part && i < np; i++) {
                nrows[ns] = part[i];
                /* the tight solve of the same problem, from the full sweep */
                trows[ns] = rows[(size_t)(part[i].hours - H0) * (size_t)(S1 - S0 + 1) + (size_t)(part[i].start_hour - S0)];
                ns++;
            }
            free(part);
        }
        printf("naive on a sample (starts %d, %d, ..., %d x every deadline), %.0f s limit per solve:\n", S0,
               S0 + SAMPLE_STEP, S0 + SAMPLE_STEP * ((S1 - S0) / SAMPLE_STEP), naive_limit);
        report("naive", nrows, ns, nwall);
        report("tight", trows, ns, NAN);
        size_t limited = 0;
        double worst = 0;
        for (size_t i = 0; i < ns; i++) {
            limited += nrows[i].status != JC_DISPATCH_OPTIMAL;
            if (nrows[i].status == JC_DISPATCH_OPTIMAL)
                worst = fmax(worst, fabs(nrows[i].cost_eur - trows[i].cost_eur));
        }
        printf("  speed-up of the tight formulation on the sample: %.1fx in solve time%s; "
               "largest cost difference where both are optimal %.2g EUR\n",
               total_ms(nrows, ns) / total_ms(trows, ns),
               limited ? " (a lower bound: naive solves stopped at the time limit count as the limit)" : "", worst);
        for (int h = H0; h <= H1; h++) {
            double tn = 0, tt = 0;
            size_t lim = 0;
            for (size_t i = 0; i < ns; i++)
                if (nrows[i].hours == h) {
                    tn += nrows[i].solve_ms;
                    tt += trows[i].solve_ms;
                    lim += nrows[i].status != JC_DISPATCH_OPTIMAL;
                }
            printf("  %d h: naive %8.0f ms, tight %6.0f ms%s\n", h, tn, tt, lim ? " (naive hit the limit)" : "");
        }
        free(nrows);
        free(trows);
    }

    printf("least and greatest cost per deadline (tight, every start %d..%d):\n", S0, S1);
    printf("%5s %9s %6s %9s %6s\n", "hours", "min_EUR", "start", "max_EUR", "start");
    for (int h = H0; h <= H1; h++) {
        double lo = INFINITY, hi = -INFINITY;
        long alo = -1, ahi = -1;
        for (size_t i = 0; i < n; i++) {
            if (rows[i].hours != h || rows[i].status != JC_DISPATCH_OPTIMAL)
                continue;
            if (rows[i].cost_eur < lo)
                lo = rows[i].cost_eur, alo = rows[i].start_hour;
            if (rows[i].cost_eur > hi)
                hi = rows[i].cost_eur, ahi = rows[i].start_hour;
        }
        printf("%5d %9.4f %6ld %9.4f %6ld\n", h, lo, alo, hi, ahi);
    }
    free(rows);
    jc_dispatch_levels_free(&levels);
    jc_dispatch_pv_free(&pv);
    return rc ? 1 : 0;
}
