/* bench_learn_models: what gradient boosting and the MLP cost at the first
 * seed's setting, and what that means for the full evaluation (4 targets x 6
 * models x 20 repeats, every grid searched by 5-fold CV; goal: 5 minutes on
 * 2 cores).
 *
 * Data: 459 training rows (the seed's dataset size) x 8 standard-normal
 * features, y = sin(1.5 x1) + 0.5 x2^2 + 0.5 x3 x4 + tanh(2 x5) + 0.3 x6 +
 * N(0, 0.05^2); 2000 test rows. For each model: the fit with the full grid
 * (search + refit), the fit of the first/quick grid point alone, test R^2,
 * and the projection: one repeat = 4 targets x one full-grid fit.
 *
 *   bench_learn_models [--threads N] [--seed S] [--folds K] [--model gbr|mlp] [--direct]
 *
 * --direct also times gbr's grid search without the shared-prefix shortcut
 * (every tree count fitted on its own), to measure what the shortcut saves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "joulecast/learn.h"
#include "joulecast/util.h"
/* internal: the search with and without its shortcut (bench only) */
#include "../src/learn/gbr.h"

enum { NTR = 459, NTE = 2000, P = 8, TARGETS = 4, REPEATS = 20 };

static void make_data(jc_rng *rng, size_t n, double *x, double *y)
{
    for (size_t i = 0; i < n; i++) {
        double *row = x + i * P;
        for (size_t j = 0; j < P; j++)
            row[j] = jc_rng_normal(rng);
        y[i] = sin(1.5 * row[0]) + 0.5 * row[1] * row[1] + 0.5 * row[2] * row[3] + tanh(2 * row[4]) +
               0.3 * row[5] + 0.05 * jc_rng_normal(rng);
    }
}

typedef struct {
    double seconds, r2;
    char *desc;
} fit_result;

static int timed_fit(const char *kind, const jc_regressor_opts *o, const double *xtr, const double *ytr,
                     const double *xte, const double *yte, fit_result *res)
{
    jc_regressor *r;
    if (jc_regressor_new(kind, o, &r) != JC_OK)
        return -1;
    double t0 = jc_now_monotonic();
    int rc = jc_regressor_fit(r, xtr, NTR, P, ytr);
    res->seconds = jc_now_monotonic() - t0;
    double *yhat = malloc(NTE * sizeof *yhat);
    if (rc == JC_OK && yhat)
        rc = jc_regressor_predict(r, xte, NTE, yhat);
    res->r2 = rc == JC_OK ? jc_metric_r2(yte, yhat, NTE) : NAN;
    res->desc = rc == JC_OK ? jc_regressor_describe(r) : NULL;
    free(yhat);
    jc_regressor_free(r);
    if (rc != JC_OK)
        fprintf(stderr, "bench_learn_models: %s: %s\n", kind, jc_last_error());
    return rc;
}

/* gbr's search alone, with and without the shortcut. */
static void time_gbr_search(const jc_regressor_opts *o, const double *x, const double *y)
{
    jc_gbr_params grid[JC_GBR_FULL_GRID];
    size_t ngrid = jc_gbr_full_grid(grid), best[2];
    double secs[2];
    for (int direct = 0; direct < 2; direct++) {
        double t0 = jc_now_monotonic();
        if (jc_gbr_cv(grid, ngrid, !direct, o, x, NTR, P, y, &best[direct], NULL) != JC_OK) {
            fprintf(stderr, "bench_learn_models: gbr search: %s\n", jc_last_error());
            return;
        }
        secs[direct] = jc_now_monotonic() - t0;
    }
    printf("gbr search alone: %.2f s with the shared-prefix shortcut, %.2f s fitting each tree count "
           "(%.2fx; same choice: %s)\n",
           secs[0], secs[1], secs[1] / secs[0], best[0] == best[1] ? "yes" : "NO");
}

static void report(const char *kind, const fit_result *full, const fit_result *quick, int threads)
{
    printf("%s full grid: %.2f s, test R^2 %.4f\n  %s\n", kind, full->seconds, full->r2, full->desc);
    printf("%s first grid point only: %.3f s, test R^2 %.4f\n", kind, quick->seconds, quick->r2);
    double repeat = TARGETS * full->seconds;
    printf("%s projected: %.1f s per repeat (%d targets), %.1f min for %d repeats (threads %d)\n", kind, repeat,
           TARGETS, repeat * REPEATS / 60, REPEATS, threads);
}

int main(int argc, char **argv)
{
    jc_regressor_opts o;
    jc_regressor_opts_init(&o);
    const char *only = NULL;
    int direct = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            o.threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            o.seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--folds") == 0 && i + 1 < argc)
            o.cv_folds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--direct") == 0)
            direct = 1;
        else {
            fprintf(stderr, "usage: bench_learn_models [--threads N] [--seed S] [--folds K] [--model gbr|mlp] "
                            "[--direct]\n");
            return 2;
        }
    }
    double *xtr = malloc(NTR * P * sizeof *xtr), *ytr = malloc(NTR * sizeof *ytr);
    double *xte = malloc(NTE * P * sizeof *xte), *yte = malloc(NTE * sizeof *yte);
    if (!xtr || !ytr || !xte || !yte)
        return 1;
    jc_rng rng;
    jc_rng_seed(&rng, 2024);
    make_data(&rng, NTR, xtr, ytr);
    make_data(&rng, NTE, xte, yte);
    printf("data: %d training rows x %d features, %d test rows; %d-fold CV; threads %d (0: OpenMP default)\n", NTR,
           P, NTE, o.cv_folds, o.threads);

    static const char *const kinds[] = {"gbr", "mlp"};
    double per_repeat = 0;
    int status = 0;
    for (int k = 0; k < 2; k++) {
        if (only && strcmp(only, kinds[k]) != 0)
            continue;
        fit_result full = {0}, quick = {0};
        jc_regressor_opts oq = o;
        oq.full_grid = 0;
        if (timed_fit(kinds[k], &o, xtr, ytr, xte, yte, &full) != JC_OK ||
            timed_fit(kinds[k], &oq, xtr, ytr, xte, yte, &quick) != JC_OK) {
            status = 1;
            continue;
        }
        report(kinds[k], &full, &quick, o.threads);
        per_repeat += TARGETS * full.seconds;
        free(full.desc);
        free(quick.desc);
        if (direct && k == 0)
            time_gbr_search(&o, xtr, ytr);
    }
    printf("gbr + mlp: %.1f s per repeat, %.1f min for %d repeats; the goal for all 6 models is 5 min\n",
           per_repeat, per_repeat * REPEATS / 60, REPEATS);
    free(xtr);
    free(ytr);
    free(xte);
    free(yte);
    return status;
}
