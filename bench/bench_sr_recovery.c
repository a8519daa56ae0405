/* bench_sr_recovery: how often the sr engine recovers the exact formula of
 * noise-free ground-truth problems (Nguyen, AI Feynman), gplearn-style and
 * with the opt-in extras (linear scaling, Levenberg-Marquardt), same seeds.
 *
 * A run counts as recovered ("numeric") when its prediction on 1000 held-out
 * points from the training ranges has RMSE / std(y) < 1e-6: a formula equal
 * to the truth meets it, an approximation found by GP does not (see
 * docs/sr-recovery.md). With --sympy, python3's sympy also checks that the
 * simplified program minus the truth simplifies to 0 ("symbolic").
 *
 *   bench_sr_recovery [--seeds N] [--quick] [--sympy] [--population N] [--generations N]
 *                     [--lm-best N] [--lm-iterations N] [--threads N] [--problem NAME] [-v] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "joulecast/sr.h"
#include "joulecast/util.h"

#define NRMSE_RECOVERED 1e-6
#define NTEST 1000
#define MAXVARS 2
/* A sympy simplify that runs longer than this counts as not recovered (and
 * is reported): bloated programs can take minutes. */
#define SYMPY_TIMEOUT_S 5

typedef struct {
    const char *name;
    int nvars;
    const char *vars[MAXVARS];
    double lo[MAXVARS], hi[MAXVARS];
    size_t ntrain;
    double (*f)(const double *x);
    /* The truth in sympy syntax over x0, x1 (the names jc_sr_program_text
     * gives when it has none, so no identifier rewriting gets in the way). */
    const char *truth;
    const char *shown; /* the truth as printed in the table's legend */
} problem;

static double nguyen1(const double *v)
{
    double x = v[0];
    return x * x * x + x * x + x;
}

static double nguyen2(const double *v)
{
    double x = v[0];
    return x * x * x * x + nguyen1(v);
}

static double nguyen3(const double *v)
{
    double x = v[0];
    return x * x * x * x * x + nguyen2(v);
}

static double nguyen4(const double *v)
{
    double x = v[0];
    return x * x * x * x * x * x + nguyen3(v);
}

static double nguyen5(const double *v)
{
    double x = v[0];
    return sin(x * x) * cos(x) - 1;
}

static double nguyen6(const double *v)
{
    double x = v[0];
    return sin(x) + sin(x + x * x);
}

static double nguyen7(const double *v)
{
    double x = v[0];
    return log(x + 1) + log(x * x + 1);
}

static double nguyen8(const double *v)
{
    return sqrt(v[0]);
}

static double nguyen9(const double *v)
{
    return sin(v[0]) + sin(v[1] * v[1]);
}

static double nguyen10(const double *v)
{
    return 2 * sin(v[0]) * cos(v[1]);
}

static double f_i12_1(const double *v)
{
    return v[0] * v[1];
}

static double f_i14_4(const double *v)
{
    return 0.5 * v[0] * v[1] * v[1];
}

static double f_i25_13(const double *v)
{
    return v[0] / v[1];
}

static double f_i34_27(const double *v)
{
    return v[0] / (2 * M_PI) * v[1];
}

static double f_ii3_24(const double *v)
{
    return v[0] / (4 * M_PI * v[1] * v[1]);
}

static double f_i6_2a(const double *v)
{
    return exp(-v[0] * v[0] / 2) / sqrt(2 * M_PI);
}

/* Nguyen: Uy et al. (2011), 20 points; Nguyen-9 and -10 100 points on
 * U[0,1]^2 (sources differ there: docs/sr-recovery.md). Feynman: the AI
 * Feynman database's formulas and ranges (FeynmanEquations.csv), 100
 * training points. Keijzer-6 (a harmonic sum over an integer grid) is left
 * out: its sum has no closed form in the function set and its sampling is a
 * grid, not a range. */
static const problem problems[] = {
    {"Nguyen-1", 1, {"x"}, {-1}, {1}, 20, nguyen1, "x0**3 + x0**2 + x0", "x^3+x^2+x"},
    {"Nguyen-2", 1, {"x"}, {-1}, {1}, 20, nguyen2, "x0**4 + x0**3 + x0**2 + x0", "x^4+x^3+x^2+x"},
    {"Nguyen-3", 1, {"x"}, {-1}, {1}, 20, nguyen3, "x0**5 + x0**4 + x0**3 + x0**2 + x0",
     "x^5+x^4+x^3+x^2+x"},
    {"Nguyen-4", 1, {"x"}, {-1}, {1}, 20, nguyen4, "x0**6 + x0**5 + x0**4 + x0**3 + x0**2 + x0",
     "x^6+x^5+x^4+x^3+x^2+x"},
    {"Nguyen-5", 1, {"x"}, {-1}, {1}, 20, nguyen5, "sin(x0**2)*cos(x0) - 1", "sin(x^2)cos(x)-1"},
    {"Nguyen-6", 1, {"x"}, {-1}, {1}, 20, nguyen6, "sin(x0) + sin(x0 + x0**2)", "sin(x)+sin(x+x^2)"},
    {"Nguyen-7", 1, {"x"}, {0}, {2}, 20, nguyen7, "log(x0 + 1) + log(x0**2 + 1)",
     "log(x+1)+log(x^2+1)"},
    {"Nguyen-8", 1, {"x"}, {0}, {4}, 20, nguyen8, "sqrt(x0)", "sqrt(x)"},
    {"Nguyen-9", 2, {"x", "y"}, {0, 0}, {1, 1}, 100, nguyen9, "sin(x0) + sin(x1**2)", "sin(x)+sin(y^2)"},
    {"Nguyen-10", 2, {"x", "y"}, {0, 0}, {1, 1}, 100, nguyen10, "2*sin(x0)*cos(x1)", "2 sin(x) cos(y)"},
    {"I.12.1", 2, {"mu", "Nn"}, {1, 1}, {5, 5}, 100, f_i12_1, "x0*x1", "F = mu Nn"},
    {"I.14.4", 2, {"k", "x"}, {1, 1}, {5, 5}, 100, f_i14_4, "x0*x1**2/2", "U = k x^2/2"},
    {"I.25.13", 2, {"q", "C"}, {1, 1}, {5, 5}, 100, f_i25_13, "x0/x1", "V = q/C"},
    {"I.34.27", 2, {"h", "omega"}, {1, 1}, {5, 5}, 100, f_i34_27, "x0/(2*pi)*x1",
     "E = h/(2 pi) omega"},
    {"II.3.24", 2, {"P", "r"}, {1, 1}, {5, 5}, 100, f_ii3_24, "x0/(4*pi*x1**2)", "I = P/(4 pi r^2)"},
    {"I.6.2a", 1, {"theta"}, {1}, {3}, 100, f_i6_2a, "exp(-x0**2/2)/sqrt(2*pi)",
     "f = exp(-theta^2/2)/sqrt(2 pi)"},
};
#define NPROBLEMS (sizeof problems / sizeof *problems)

enum { S_GPLEARN, S_LS, S_LM, S_BOTH, NSETTINGS };
static const char *const setting_names[NSETTINGS] = {"gplearn", "+LS", "+LM", "+LS+LM"};

/* One run's outcome. */
typedef struct {
    double nrmse, seconds, node_evals, train_mae;
    int numeric, generations;
    char symbolic; /* '1', '0', 'T' (sympy timed out), 'E' (sympy failed), 0 (not checked) */
    char *sympy;   /* the found formula for sympy, NULL when not checking */
    char *infix;   /* for -v */
} outcome;

static void make_data(const problem *pb, uint64_t seed, size_t n, double *X, double *y)
{
    jc_rng rng;
    jc_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++) {
        double v[MAXVARS];
        for (int j = 0; j < pb->nvars; j++) {
            v[j] = pb->lo[j] + (pb->hi[j] - pb->lo[j]) * jc_rng_uniform(&rng);
            X[(size_t)j * n + i] = v[j];
        }
        y[i] = pb->f(v);
    }
}

/* LM's reach: how many of the best programs per generation, how many iterations. */
static int lm_best = 20, lm_iterations = 10;

static void setting_options(int s, const jc_sr_options *base, jc_sr_options *o)
{
    *o = *base;
    o->linear_scaling = s == S_LS || s == S_BOTH;
    o->optimize_constants = s == S_LM || s == S_BOTH ? lm_best : 0;
    o->lm_iterations = lm_iterations;
}

/* RMSE / std of the truth on the test points; +inf when a prediction is not finite. */
static double nrmse(const double *pred, const double *y, size_t n)
{
    double my = 0, se = 0, sy = 0;
    for (size_t i = 0; i < n; i++)
        my += y[i];
    my /= (double)n;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(pred[i]))
            return INFINITY;
        se += (pred[i] - y[i]) * (pred[i] - y[i]);
        sy += (y[i] - my) * (y[i] - my);
    }
    return sqrt(se / sy);
}

/* The fitted model as one sympy expression: a + b * simplified program. */
static char *model_sympy(const jc_sr_model *m)
{
    jc_sr_program simple = {0};
    if (jc_sr_program_simplify(&m->program, &simple))
        return NULL;
    char *body = jc_sr_program_text(&simple, NULL, JC_SR_TEXT_SYMPY);
    jc_sr_program_free(&simple);
    if (!body || (m->scale_a == 0 && m->scale_b == 1))
        return body;
    size_t len = strlen(body) + 96;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "%.17g + %.17g*(%s)", m->scale_a, m->scale_b, body);
    free(body);
    return s;
}

static char *model_infix(const jc_sr_model *m)
{
    jc_sr_program simple = {0};
    if (jc_sr_program_simplify(&m->program, &simple))
        return NULL;
    char *body = jc_sr_program_text(&simple, (const char *const *)m->feature_names, JC_SR_TEXT_INFIX);
    jc_sr_program_free(&simple);
    if (!body || (m->scale_a == 0 && m->scale_b == 1))
        return body;
    size_t len = strlen(body) + 64;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "%.6g + %.6g*(%s)", m->scale_a, m->scale_b, body);
    free(body);
    return s;
}

/* want_text: 1 keeps the sympy form (for --sympy), 2 the infix form (for -v);
 * both are skipped otherwise since printing costs more than a short fit. */
static int run_one(const problem *pb, const double *X, const double *y, const double *Xt, const double *yt,
                   const jc_sr_options *o, int want_text, outcome *r)
{
    jc_sr_model m;
    double t0 = jc_now_monotonic();
    int rc = jc_sr_fit(X, y, pb->ntrain, (size_t)pb->nvars, pb->vars, o, NULL, NULL, &m);
    r->seconds = jc_now_monotonic() - t0;
    if (rc) {
        fprintf(stderr, "bench_sr_recovery: %s: %s\n", pb->name, jc_last_error());
        return rc;
    }
    double pred[NTEST];
    rc = jc_sr_predict(&m, Xt, NTEST, NTEST, pred);
    if (rc) {
        fprintf(stderr, "bench_sr_recovery: %s: %s\n", pb->name, jc_last_error());
        jc_sr_model_free(&m);
        return rc;
    }
    r->nrmse = nrmse(pred, yt, NTEST);
    r->numeric = r->nrmse < NRMSE_RECOVERED;
    r->node_evals = m.node_evaluations;
    r->train_mae = m.raw_fitness;
    r->generations = (int)m.ngenerations;
    if (want_text & 1)
        r->sympy = model_sympy(&m);
    if (want_text & 2)
        r->infix = model_infix(&m);
    jc_sr_model_free(&m);
    return 0;
}

/* The sympy check, one worker process per core; each line of the input is
 * "index<TAB>declarations<TAB>truth<TAB>found", each line of the output
 * "index result". Floats are read as exact rationals (rational=True), so a
 * constant counts only when its 17 digits are a simple exact number (0.5 is
 * 1/2; an LM constant 0.49999999999999994 or 1/(4 pi) to 17 digits is not). */
static const char sympy_script[] =
    "import sys, os, signal, multiprocessing as mp\n"
    "import sympy\n"
    "class Timeout(Exception): pass\n"
    "def alarm(s, f): raise Timeout()\n"
    "def check(line):\n"
    "    idx, decl, truth, found = line.rstrip('\\n').split('\\t')\n"
    "    signal.signal(signal.SIGALRM, alarm)\n"
    "    syms = {}\n"
    "    for d in decl.split(';'):\n"
    "        name, kind = d.split(':')\n"
    "        syms[name] = sympy.Symbol(name, **{kind: True})\n"
    "    signal.alarm(int(sys.argv[2]))\n"
    "    try:\n"
    "        t = sympy.sympify(truth, locals=syms)\n"
    "        f = sympy.sympify(found, locals=syms, rational=True)\n"
    "        r = '1' if sympy.simplify(f - t) == 0 else '0'\n"
    "    except Timeout:\n"
    "        r = 'T'\n"
    "    except Exception:\n"
    "        r = 'E'\n"
    "    finally:\n"
    "        signal.alarm(0)\n"
    "    return idx + ' ' + r\n"
    "if __name__ == '__main__':\n"
    "    lines = open(sys.argv[1]).readlines()\n"
    "    with mp.Pool(os.cpu_count()) as pool:\n"
    "        for out in pool.imap_unordered(check, lines):\n"
    "            print(out, flush=True)\n";

static int have_sympy(void)
{
    return system("python3 -c 'import sympy' >/dev/null 2>&1") == 0;
}

/* Write the script and the expressions to temporary files, run python3 once
 * over all of them (one import of sympy, all cores), read the verdicts back. */
static int sympy_check(outcome *runs, const int *run_problem, size_t nruns)
{
    char script[] = "/tmp/jc_sr_recovery_XXXXXX";
    char input[] = "/tmp/jc_sr_recovery_XXXXXX";
    int fs = mkstemp(script), fi = mkstemp(input);
    if (fs < 0 || fi < 0) {
        perror("bench_sr_recovery: mkstemp");
        return -1;
    }
    FILE *s = fdopen(fs, "w"), *in = fdopen(fi, "w");
    if (!s || !in) {
        perror("bench_sr_recovery: fdopen");
        return -1;
    }
    fputs(sympy_script, s);
    fclose(s);
    for (size_t k = 0; k < nruns; k++) {
        if (!runs[k].sympy) {
            runs[k].symbolic = 'E';
            continue;
        }
        const problem *pb = &problems[run_problem[k]];
        fprintf(in, "%zu\t", k);
        /* A range that starts at 0 or above makes the symbol positive, so
         * that sqrt(Abs(x)) and log(Abs(x + 1)) simplify as they should. */
        for (int j = 0; j < pb->nvars; j++)
            fprintf(in, "%sx%d:%s", j ? ";" : "", j, pb->lo[j] >= 0 ? "positive" : "real");
        fprintf(in, "\t%s\t%s\n", pb->truth, runs[k].sympy);
    }
    fclose(in);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "python3 %s %s %d", script, input, SYMPY_TIMEOUT_S);
    FILE *p = popen(cmd, "r");
    int rc = 0;
    if (!p) {
        perror("bench_sr_recovery: popen");
        rc = -1;
    } else {
        size_t k;
        char v;
        while (fscanf(p, "%zu %c", &k, &v) == 2)
            if (k < nruns)
                runs[k].symbolic = v;
        if (pclose(p) != 0)
            rc = -1;
    }
    unlink(script);
    unlink(input);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_sr_recovery [--seeds N] [--quick] [--sympy] [--population N] [--generations N]\n"
                    "                         [--lm-best N] [--lm-iterations N] [--threads N] [--problem NAME] [-v]\n");
}

int main(int argc, char **argv)
{
    int nseeds = 10, use_sympy = 0, verbose = 0;
    const char *only = NULL;
    /* gplearn's SymbolicRegressor defaults, except for the function set
     * (gplearn's is add, sub, mul, div; the usual Nguyen set also has exp,
     * which neither gplearn nor this engine has), 30 generations and the
     * early stop once the MAE is 1e-10. */
    jc_sr_options base;
    jc_sr_options_default(&base);
    base.population_size = 1000;
    base.generations = 30;
    base.stopping_criteria = 1e-10;
    base.function_set = 0;
    const jc_sr_op fset[] = {JC_SR_ADD, JC_SR_SUB, JC_SR_MUL, JC_SR_DIV, JC_SR_SIN,
                             JC_SR_COS, JC_SR_LOG, JC_SR_SQRT, JC_SR_NEG};
    for (size_t i = 0; i < sizeof fset / sizeof *fset; i++)
        base.function_set |= 1u << fset[i];
    base.n_jobs = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
            nseeds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--quick"))
            nseeds = 3;
        else if (!strcmp(argv[i], "--sympy"))
            use_sympy = 1;
        else if (!strcmp(argv[i], "--population") && i + 1 < argc)
            base.population_size = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--generations") && i + 1 < argc)
            base.generations = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--lm-best") && i + 1 < argc)
            lm_best = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--lm-iterations") && i + 1 < argc)
            lm_iterations = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            base.n_jobs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--problem") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else {
            usage();
            return 2;
        }
    }
    if (nseeds < 1 || lm_best < 1 || lm_iterations < 1) {
        usage();
        return 2;
    }
    if (use_sympy && !have_sympy()) {
        fprintf(stderr, "bench_sr_recovery: --sympy needs python3 with sympy (apt-get install python3-sympy)\n");
        return 2;
    }
    size_t nprob = 0;
    int chosen[NPROBLEMS];
    for (size_t p = 0; p < NPROBLEMS; p++)
        if (!only || !strcmp(only, problems[p].name))
            chosen[nprob++] = (int)p;
    if (!nprob) {
        fprintf(stderr, "bench_sr_recovery: no problem named '%s'\n", only);
        return 2;
    }

    printf("symbolic regression: exact recovery on noise-free problems, %d seeds (1..%d) per setting\n", nseeds,
           nseeds);
    printf("engine: population %d, %d generations, tournament %d, const (%g, %g), init depth %d-%d half-and-half,\n"
           "        mae, parsimony %g, p_crossover %g, subtree/hoist/point %g/%g/%g, point_replace %g,\n"
           "        max_samples %g, stop at mae <= %g; functions add sub mul div sin cos log sqrt neg (no exp)\n",
           base.population_size, base.generations, base.tournament_size, base.const_lo, base.const_hi,
           base.init_depth_lo, base.init_depth_hi - 1, base.parsimony_coefficient, base.p_crossover,
           base.p_subtree_mutation, base.p_hoist_mutation, base.p_point_mutation, base.p_point_replace,
           base.max_samples, base.stopping_criteria);
    printf("settings: gplearn = the above; +LS = linear scaling; +LM = Levenberg-Marquardt on the constants of\n"
           "          the best %d programs per generation (%d iterations); +LS+LM = both\n",
           lm_best, lm_iterations);
    printf("recovered: RMSE / std(y) < %g on %d held-out points from the training ranges%s\n", NRMSE_RECOVERED,
           NTEST, use_sympy ? ";\n           symbolic: sympy.simplify(found - truth) == 0, floats read exactly" : "");
    printf("\n");

    const size_t nruns = nprob * NSETTINGS * (size_t)nseeds;
    outcome *runs = calloc(nruns, sizeof *runs);
    int *run_problem = calloc(nruns, sizeof *run_problem);
    size_t maxn = 100;
    double *X = malloc(MAXVARS * maxn * sizeof *X), *y = malloc(maxn * sizeof *y);
    double *Xt = malloc(MAXVARS * NTEST * sizeof *Xt), *yt = malloc(NTEST * sizeof *yt);
    if (!runs || !run_problem || !X || !y || !Xt || !yt) {
        fprintf(stderr, "bench_sr_recovery: out of memory\n");
        return 1;
    }
    double t_all = jc_now_monotonic();
    for (size_t pi = 0; pi < nprob; pi++) {
        const problem *pb = &problems[chosen[pi]];
        /* One training and one test sample per problem, the same for every
         * setting and seed: the seeds vary the search only. */
        make_data(pb, 1000 + (uint64_t)chosen[pi], pb->ntrain, X, y);
        make_data(pb, 2000 + (uint64_t)chosen[pi], NTEST, Xt, yt);
        for (int s = 0; s < NSETTINGS; s++) {
            jc_sr_options o;
            setting_options(s, &base, &o);
            for (int k = 0; k < nseeds; k++) {
                size_t idx = (pi * NSETTINGS + (size_t)s) * (size_t)nseeds + (size_t)k;
                o.random_state = (uint64_t)k + 1;
                run_problem[idx] = chosen[pi];
                if (run_one(pb, X, y, Xt, yt, &o, (use_sympy ? 1 : 0) | (verbose ? 2 : 0), &runs[idx]))
                    return 1;
            }
        }
        fprintf(stderr, "  %s done (%.0f s so far)\n", pb->name, jc_now_monotonic() - t_all);
    }
    double t_search = jc_now_monotonic() - t_all;
    if (use_sympy) {
        double t0 = jc_now_monotonic();
        if (sympy_check(runs, run_problem, nruns))
            fprintf(stderr, "bench_sr_recovery: the sympy check failed; symbolic results are incomplete\n");
        fprintf(stderr, "  sympy check: %.0f s\n", jc_now_monotonic() - t0);
    }

    if (verbose)
        for (size_t k = 0; k < nruns; k++) {
            const outcome *r = &runs[k];
            fprintf(stderr, "%-9s %-7s seed %2zu  %5.2f s  %2d gen  mae %.1e  nrmse %.1e  %s%c  %s\n",
                    problems[run_problem[k]].name, setting_names[k / (size_t)nseeds % NSETTINGS],
                    k % (size_t)nseeds + 1, r->seconds, r->generations, r->train_mae, r->nrmse,
                    r->symbolic ? "sym " : "", r->symbolic ? r->symbolic : ' ', r->infix ? r->infix : "?");
            if (r->symbolic && r->numeric != (r->symbolic == '1'))
                fprintf(stderr, "    sympy: %s\n", r->sympy ? r->sympy : "?");
        }

    printf("problems (truth; ranges; training points; 1000 test points from the same ranges):\n");
    for (size_t pi = 0; pi < nprob; pi++) {
        const problem *pb = &problems[chosen[pi]];
        printf("  %-10s %-32s ", pb->name, pb->shown);
        for (int j = 0; j < pb->nvars; j++)
            printf("%s%s U[%g,%g]", j ? ", " : "", pb->vars[j], pb->lo[j], pb->hi[j]);
        printf("; %zu\n", pb->ntrain);
    }
    printf("\n");

    /* The table: one row per problem, per setting "numeric k/N [symbolic k/N] median time". */
    printf("%-10s", "problem");
    for (int s = 0; s < NSETTINGS; s++)
        printf(use_sympy ? " | %-25s" : " | %-17s", setting_names[s]);
    printf("\n%-10s", "");
    for (int s = 0; s < NSETTINGS; s++)
        printf(use_sympy ? " | %-25s" : " | %-17s", use_sympy ? "numeric symbolic  median" : "recov.   median");
    printf("\n");
    int tot_num[NSETTINGS] = {0}, tot_sym[NSETTINGS] = {0}, tot_timeout[NSETTINGS] = {0}, tot_err[NSETTINGS] = {0};
    double tot_evals[NSETTINGS] = {0}, tot_secs[NSETTINGS] = {0};
    double *times = malloc((size_t)nseeds * sizeof *times);
    for (size_t pi = 0; pi < nprob; pi++) {
        printf("%-10s", problems[chosen[pi]].name);
        for (int s = 0; s < NSETTINGS; s++) {
            int num = 0, sym = 0;
            for (int k = 0; k < nseeds; k++) {
                const outcome *r = &runs[(pi * NSETTINGS + (size_t)s) * (size_t)nseeds + (size_t)k];
                num += r->numeric;
                sym += r->symbolic == '1';
                tot_timeout[s] += r->symbolic == 'T';
                tot_err[s] += r->symbolic == 'E';
                times[k] = r->seconds;
                tot_evals[s] += r->node_evals;
                tot_secs[s] += r->seconds;
            }
            tot_num[s] += num;
            tot_sym[s] += sym;
            qsort(times, (size_t)nseeds, sizeof *times, cmp_double);
            double med = nseeds % 2 ? times[nseeds / 2] : 0.5 * (times[nseeds / 2 - 1] + times[nseeds / 2]);
            char cell[64];
            if (use_sympy)
                snprintf(cell, sizeof cell, "%3d/%-3d %3d/%-3d %6.1f ms", num, nseeds, sym, nseeds, 1e3 * med);
            else
                snprintf(cell, sizeof cell, "%3d/%-3d %6.1f ms", num, nseeds, 1e3 * med);
            printf(" | %-*s", use_sympy ? 25 : 17, cell);
        }
        printf("\n");
    }
    printf("\n");
    int total = (int)nprob * nseeds;
    double all_evals = 0, all_secs = 0;
    for (int s = 0; s < NSETTINGS; s++) {
        printf("%-8s numeric %3d/%d (%5.1f%%)", setting_names[s], tot_num[s], total, 100.0 * tot_num[s] / total);
        if (use_sympy)
            printf("  symbolic %3d/%d (%5.1f%%; sympy timed out on %d, failed on %d)", tot_sym[s], total,
                   100.0 * tot_sym[s] / total, tot_timeout[s], tot_err[s]);
        printf("  search %.0f s, %.3e node-evaluations/s\n", tot_secs[s], tot_evals[s] / tot_secs[s]);
        all_evals += tot_evals[s];
        all_secs += tot_secs[s];
    }
    printf("all      %zu runs in %.0f s of search; engine %.3e node-evaluations/s (nodes x rows / fit time, "
           "LM's evaluations included)\n",
           nruns, t_search, all_evals / all_secs);
    for (size_t k = 0; k < nruns; k++) {
        free(runs[k].sympy);
        free(runs[k].infix);
    }
    free(times);
    free(runs);
    free(run_problem);
    free(X);
    free(y);
    free(Xt);
    free(yt);
    return 0;
}
