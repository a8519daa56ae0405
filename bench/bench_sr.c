/* bench_sr: the symbolic-regression engine at the first seed's setting.
 * Data: y = 3 log(x1) + x2 x3 / x4 + N(0, 0.1^2), x1 ~ U(0.5, 10),
 * x2, x3 ~ U(0.5, 5), x4 ~ U(1, 5); 460 training rows, 2000 test rows.
 * Settings (section 4.4.3): population 15000, 50 generations with
 * stopping_criteria 0 (all run), tournament 20, the full function set, mae,
 * p = 0.7 / 0.1 / 0.05 / 0.1, p_point_replace 0.05, parsimony 0.01,
 * max_samples 0.9. Prints wall time, node evaluations per second (nodes x
 * rows evaluated / s), test R^2 and the program. Goals (issue 3): <= 2 s on
 * 2 cores, >= 1.5e9 node-evaluations/s, test R^2 >= 0.99.
 *
 * With --seeds K it runs seeds 1..K and prints the spread (the outcome of a
 * genetic search depends on its seed); --no-reuse evaluates every program
 * in full (no fitness memo, no subtree cache: the engine before them, same
 * results); --max-samples 1 is gplearn's default (every row in-bag, where
 * the fitness memo works too); --linear-scaling and
 * --optimize-constants N turn on the opt-in extras for comparison.
 *
 *   bench_sr [--threads N] [--population N] [--generations N] [--seed S | --seeds K]
 *            [--max-samples X] [--no-reuse] [--linear-scaling] [--optimize-constants N] [-v] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/sr.h"
#include "joulecast/util.h"

static void make_data(jc_rng *rng, size_t n, double *X, double *y, int noise)
{
    for (size_t i = 0; i < n; i++) {
        double x1 = 0.5 + 9.5 * jc_rng_uniform(rng);
        double x2 = 0.5 + 4.5 * jc_rng_uniform(rng);
        double x3 = 0.5 + 4.5 * jc_rng_uniform(rng);
        double x4 = 1.0 + 4.0 * jc_rng_uniform(rng);
        X[0 * n + i] = x1;
        X[1 * n + i] = x2;
        X[2 * n + i] = x3;
        X[3 * n + i] = x4;
        y[i] = 3 * log(x1) + x2 * x3 / x4 + (noise ? 0.1 * jc_rng_normal(rng) : 0);
    }
}

static int on_generation(const jc_sr_generation *g, int total, void *user)
{
    (void)user;
    fprintf(stderr, "  gen %2d/%d  best %.4f  mean %.3g  length %.1f  %.3f s\n", g->generation + 1, total,
            g->best_raw_fitness, g->mean_raw_fitness, g->mean_length, g->seconds);
    return 0;
}

typedef struct {
    double wall, evals_per_s, r2, mae, length;
} run_result;

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int main(int argc, char **argv)
{
    jc_sr_options o;
    jc_sr_options_default(&o);
    o.population_size = 15000;
    o.generations = 50;
    o.tournament_size = 20;
    o.stopping_criteria = 0.0;
    o.function_set = 0;
    for (int op = JC_SR_ADD; op < JC_SR_NOPS; op++)
        o.function_set |= 1u << op;
    o.metric = JC_SR_MAE;
    o.p_crossover = 0.7;
    o.p_subtree_mutation = 0.1;
    o.p_hoist_mutation = 0.05;
    o.p_point_mutation = 0.1;
    o.p_point_replace = 0.05;
    o.parsimony_coefficient = 0.01;
    o.max_samples = 0.9;
    o.random_state = 1;
    int verbose = 0, seeds = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            o.n_jobs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--population") && i + 1 < argc)
            o.population_size = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--generations") && i + 1 < argc)
            o.generations = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            o.random_state = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
            seeds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-reuse"))
            o.no_reuse = 1;
        else if (!strcmp(argv[i], "--max-samples") && i + 1 < argc)
            o.max_samples = atof(argv[++i]);
        else if (!strcmp(argv[i], "--linear-scaling"))
            o.linear_scaling = 1;
        else if (!strcmp(argv[i], "--optimize-constants") && i + 1 < argc)
            o.optimize_constants = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else {
            fprintf(stderr, "usage: bench_sr [--threads N] [--population N] [--generations N] [--seed S | --seeds K] "
                            "[--max-samples X] [--no-reuse] [--linear-scaling] [--optimize-constants N] [-v]\n");
            return 2;
        }
    }
    const size_t ntrain = 460, ntest = 2000;
    double *X = malloc(4 * ntrain * sizeof *X), *y = malloc(ntrain * sizeof *y);
    double *Xt = malloc(4 * ntest * sizeof *Xt), *yt = malloc(ntest * sizeof *yt), *pt = malloc(ntest * sizeof *pt);
    jc_rng rng;
    jc_rng_seed(&rng, 20260116);
    make_data(&rng, ntrain, X, y, 1);
    make_data(&rng, ntest, Xt, yt, 1);
    const char *names[] = {"x1", "x2", "x3", "x4"};
    int nruns = seeds > 0 ? seeds : 1;
    run_result *res = calloc((size_t)nruns, sizeof *res);
    printf("symbolic regression, seed setting: population %d, %d generations, %zu training rows, %s threads%s%s\n",
           o.population_size, o.generations, ntrain, o.n_jobs ? "" : "all", o.linear_scaling ? ", linear scaling" : "",
           o.optimize_constants ? ", LM constants" : "");
    for (int r = 0; r < nruns; r++) {
        if (seeds > 0)
            o.random_state = (uint64_t)r + 1;
        jc_sr_model m;
        double t0 = jc_now_monotonic();
        int rc = jc_sr_fit(X, y, ntrain, 4, names, &o, verbose ? on_generation : NULL, NULL, &m);
        double wall = jc_now_monotonic() - t0;
        if (rc) {
            fprintf(stderr, "bench_sr: %s\n", jc_last_error());
            return 1;
        }
        jc_sr_predict(&m, Xt, ntest, ntest, pt);
        double my = 0, ss = 0, st = 0;
        for (size_t i = 0; i < ntest; i++)
            my += yt[i];
        my /= (double)ntest;
        for (size_t i = 0; i < ntest; i++) {
            ss += (yt[i] - pt[i]) * (yt[i] - pt[i]);
            st += (yt[i] - my) * (yt[i] - my);
        }
        res[r] = (run_result){wall, m.node_evaluations / wall, 1 - ss / st, m.raw_fitness, m.program.len};
        char *formula = jc_sr_program_text(&m.program, (const char *const *)m.feature_names, JC_SR_TEXT_INFIX);
        if (seeds > 0) {
            printf("  seed %2d: %6.3f s  %.3e node-evals/s  test R^2 %.5f  length %3u  %s\n", r + 1, wall,
                   res[r].evals_per_s, res[r].r2, m.program.len, formula ? formula : "?");
        } else {
            printf("wall time:              %.3f s   (goal <= 2 s on 2 cores; gplearn: 366 s)\n", wall);
            printf("node evaluations:       %.3e  = %.3e per second   (goal >= 1.5e9/s)\n", m.node_evaluations,
                   m.node_evaluations / wall);
            printf("final mean length:      %.1f nodes\n", m.history[m.ngenerations - 1].mean_length);
            printf("train MAE (in-bag):     %.4f   out-of-bag: %.4f\n", m.raw_fitness, m.oob_fitness);
            printf("test R^2:               %.5f   (goal >= 0.99)\n", res[r].r2);
            printf("program (%u nodes):      %s\n", m.program.len, formula ? formula : "?");
        }
        free(formula);
        jc_sr_model_free(&m);
    }
    if (seeds > 0) {
        double w[1024], e[1024], q[1024];
        int k = nruns < 1024 ? nruns : 1024, good = 0;
        double rmin = 1e9, rmax = -1e9;
        for (int r = 0; r < k; r++) {
            w[r] = res[r].wall;
            e[r] = res[r].evals_per_s;
            q[r] = res[r].r2;
            good += res[r].r2 >= 0.99;
            rmin = res[r].r2 < rmin ? res[r].r2 : rmin;
            rmax = res[r].r2 > rmax ? res[r].r2 : rmax;
        }
        printf("over %d seeds: wall median %.3f s (goal <= 2 s), node-evals/s median %.3e (goal >= 1.5e9),\n", k,
               median(w, k), median(e, k));
        printf("               test R^2 median %.5f, min %.5f, max %.5f; %d of %d seeds >= 0.99 (goal >= 0.99)\n",
               median(q, k), rmin, rmax, good, k);
    }
    free(res);
    free(X);
    free(y);
    free(Xt);
    free(yt);
    free(pt);
    return 0;
}
