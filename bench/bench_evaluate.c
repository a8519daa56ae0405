/* bench_evaluate: the full evaluation of issue 6 (goal: at most 5 minutes on
 * the 2-core machine): 4 targets x 6 models (sr, mlp, ols, ridge, lasso,
 * gbr) x 20 repeats, all grids, SR at the seed's 15000 x 50, on 459 rows.
 *
 * The rows: the seed's six features (image size, samples, params, FLOPs,
 * batch size, workers) drawn over realistic ranges, and four targets in the
 * seed's roles (peak and valley power and duration) made from them by a
 * fixed nonlinear rule plus 3 % noise. Cost depends on the shape (rows,
 * features, targets, grids), not on where the numbers came from; the real
 * datasets' timings are in docs/results.md. --csv FILE --targets --features
 * run it on a real table instead.
 *
 * usage: bench_evaluate [--repeats 20] [--rows 459] [--threads 0] [--tune-every-repeat] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "joulecast/learn.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void synth(size_t n, double *x, double *y)
{
    static const double images[] = {32, 64, 128, 224, 384};
    static const double samples[] = {5e4, 1e5, 2.5e5, 1.28e6};
    static const double batches[] = {16, 32, 64, 128, 256, 512};
    static const double workers[] = {2, 4, 8, 16};
    jc_rng r;
    jc_rng_seed(&r, 459);
    for (size_t i = 0; i < n; i++) {
        double img = images[jc_rng_below(&r, 5)], smp = samples[jc_rng_below(&r, 4)];
        double par = exp(log(1e6) + jc_rng_uniform(&r) * log(300.0));  /* 1 M to 300 M */
        double flo = par * img * img * (2 + 8 * jc_rng_uniform(&r));
        double bat = batches[jc_rng_below(&r, 6)], wor = workers[jc_rng_below(&r, 4)];
        double *xi = x + i * 6;
        xi[0] = img;
        xi[1] = smp;
        xi[2] = log(par);
        xi[3] = log(flo);
        xi[4] = bat;
        xi[5] = wor;
        double noise[4];
        for (int k = 0; k < 4; k++)
            noise[k] = 1 + 0.03 * jc_rng_normal(&r);
        y[i * 4 + 0] = (120 + 60 * tanh((log(flo) - 40) / 3) + 20 * log(bat)) * noise[0];  /* peak power */
        y[i * 4 + 1] = smp * flo / (bat * 2e13 + flo * 5e3) * noise[1];                     /* peak seconds */
        y[i * 4 + 2] = (60 + 15 * log(img) / sqrt(wor)) * noise[2];                         /* valley power */
        y[i * 4 + 3] = (2 + smp / (wor * 2e4)) * noise[3];                                  /* valley seconds */
    }
}

typedef struct {
    double t0;
    size_t last;
} prog;

static void on_progress(void *ctx, size_t done, size_t total, const char *target, const char *model)
{
    prog *p = ctx;
    if (done * 10 / total != p->last) {
        p->last = done * 10 / total;
        fprintf(stderr, "  %3zu %% after %.0f s (%s, %s)\n", done * 100 / total, now_s() - p->t0, target, model);
    }
}

int main(int argc, char **argv)
{
    int repeats = 20, threads = 0, every = 0;
    size_t n = 459;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rows") && i + 1 < argc) n = (size_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--tune-every-repeat")) every = 1;
        else {
            fprintf(stderr, "usage: bench_evaluate [--repeats 20] [--rows 459] [--threads 0] [--tune-every-repeat]\n");
            return 2;
        }
    }
    double *x = malloc(n * 6 * sizeof *x), *y = malloc(n * 4 * sizeof *y);
    synth(n, x, y);
    const char *targets[] = {"peak_power_w", "peak_s", "valley_power_w", "valley_s"};
    const char *models[] = {"sr", "mlp", "ols", "ridge", "lasso", "gbr"};
    jc_eval_opts o;
    jc_eval_opts_init(&o);
    o.repeats = repeats;
    o.model.threads = threads;
    o.tune_every_repeat = every;
    prog pg = {now_s(), 0};
    o.progress = on_progress;
    o.progress_ctx = &pg;
    printf("full evaluation: %zu rows x 6 features, 4 targets x 6 models x %d repeats, all grids, SR 15000 x 50%s\n", n,
           repeats, every ? ", tuning every repeat" : "");
    jc_eval_result r;
    double t0 = now_s();
    int rc = jc_evaluate(x, n, 6, y, 4, targets, models, 6, &o, &r);
    double wall = now_s() - t0;
    if (rc != JC_OK) {
        fprintf(stderr, "bench_evaluate: %s\n", jc_last_error());
        return 1;
    }
    printf("  %-7s %10s   %s\n", "model", "seconds", "test MRE % per target (mean over repeats)");
    for (size_t m = 0; m < 6; m++) {
        double s = 0;
        for (size_t t = 0; t < 4; t++)
            s += r.cells[t * 6 + m].seconds;
        printf("  %-7s %10.1f  ", models[m], s);
        for (size_t t = 0; t < 4; t++)
            printf(" %7.2f", 100 * r.cells[t * 6 + m].mre_mean);
        printf("\n");
    }
    printf("wall time: %.1f s (goal <= 300 s)\n", wall);
    jc_eval_result_free(&r);
    free(x);
    free(y);
    return 0;
}
