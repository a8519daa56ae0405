/* joulecast sr: symbolic regression on any CSV (feature columns, one target).
 *   sr fit DATA.csv --target Y [options]   evolve a formula, save it as JSON
 *   sr predict MODEL.json DATA.csv         apply a saved formula
 *   sr show MODEL.json                     print the formula in its forms
 * The options are gplearn's SymbolicRegressor parameters, spelt with dashes. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "joulecast/sr.h"
#include "joulecast/table.h"
#include "joulecast/util.h"

void jc_cmd_sr_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast sr fit DATA.csv --target COLUMN [--features A,B,...] [-o MODEL.json] [options]\n"
            "       joulecast sr predict MODEL.json DATA.csv [-o OUT.csv] [--column NAME]\n"
            "       joulecast sr show MODEL.json [--json] [--history] [--pareto]\n"
            "\n"
            "Genetic-programming symbolic regression: gplearn's SymbolicRegressor algorithm,\n"
            "in C. 'fit' evolves a formula predicting COLUMN from the feature columns (all\n"
            "other numeric columns unless --features is given) and prints it; -o saves it.\n"
            "'predict' evaluates a saved formula on a CSV holding its feature columns and\n"
            "prints (or writes) one prediction per row; when the CSV also holds the target\n"
            "it reports MAE, MSE and R^2 on stderr. 'show' prints a saved formula as infix,\n"
            "simplified, gplearn and sympy forms.\n"
            "\n"
            "fit options (gplearn's names and defaults):\n"
            "  --population-size N        1000\n"
            "  --generations N            20\n"
            "  --tournament-size N        20\n"
            "  --stopping-criteria X      0 (stop when the best raw fitness is <= X)\n"
            "  --const-range LO,HI|none   -1,1\n"
            "  --init-depth LO,HI         2,6 (depth drawn from LO to HI-1, as gplearn)\n"
            "  --init-method M            half-and-half | grow | full\n"
            "  --function-set LIST        add,sub,mul,div; also sqrt log abs neg inv max min\n"
            "                             sin cos tan sig, or 'all'\n"
            "  --metric M                 mae | mse | rmse (default mae)\n"
            "  --parsimony-coefficient X  0.001, or auto\n"
            "  --p-crossover X            0.9\n"
            "  --p-subtree-mutation X     0.01\n"
            "  --p-hoist-mutation X       0.01\n"
            "  --p-point-mutation X       0.01\n"
            "  --p-point-replace X        0.05\n"
            "  --max-samples X            1.0 (< 1: in-bag/out-of-bag fitness)\n"
            "  --random-state N           0\n"
            "  --threads N                0 = all cores (the result does not depend on it)\n"
            "beyond gplearn (off by default):\n"
            "  --linear-scaling           fit a + b * formula by least squares (Keijzer 2003)\n"
            "  --optimize-constants N     Levenberg-Marquardt on the constants of the best N\n"
            "                             programs every generation\n"
            "  --lm-iterations N          iterations per optimisation (default 20)\n"
            "  --pareto                   keep the Pareto front of error against length\n"
            "other:\n"
            "  --json                     print the fitted model as JSON on stdout\n"
            "  --quiet                    no progress lines (drawn only on a terminal anyway)\n"
            "\n"
            "examples:\n"
            "  joulecast sr fit runs.csv --target peak_power_w --features params,flops,batch \\\n"
            "      --function-set all --population-size 15000 --generations 50 -o peak.json\n"
            "  joulecast sr predict peak.json new_runs.csv -o predicted.csv\n"
            "  joulecast sr show peak.json\n");
}

/* ---- option parsing helpers ---- */

static int parse_pair(const char *opt, const char *val, double *lo, double *hi)
{
    char *end;
    *lo = strtod(val, &end);
    if (end == val || *end != ',') {
        fprintf(stderr, "joulecast sr: error: %s: expected LO,HI, got '%s'\n", opt, val);
        return -1;
    }
    const char *b = end + 1;
    *hi = strtod(b, &end);
    if (end == b || *end) {
        fprintf(stderr, "joulecast sr: error: %s: expected LO,HI, got '%s'\n", opt, val);
        return -1;
    }
    return 0;
}

static int parse_function_set(const char *val, uint32_t *mask)
{
    *mask = 0;
    if (!strcmp(val, "all")) {
        for (int op = JC_SR_ADD; op < JC_SR_NOPS; op++)
            *mask |= 1u << op;
        return 0;
    }
    char *copy = jc_strdup(val), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        int op = jc_sr_op_from_name(tok);
        if (op < 0) {
            fprintf(stderr,
                    "joulecast sr: error: --function-set: unknown function '%s' (known: add sub mul div sqrt log "
                    "abs neg inv max min sin cos tan sig)\n",
                    tok);
            free(copy);
            return -1;
        }
        *mask |= 1u << op;
    }
    free(copy);
    if (!*mask) {
        fprintf(stderr, "joulecast sr: error: --function-set is empty\n");
        return -1;
    }
    return 0;
}

/* ---- progress ---- */

typedef struct {
    int show;
    double start;
} progress_state;

static int on_generation(const jc_sr_generation *g, int total, void *user)
{
    progress_state *ps = user;
    if (!ps->show)
        return 0;
    double el = jc_now_monotonic() - ps->start;
    double left = el / (g->generation + 1) * (total - g->generation - 1);
    fprintf(stderr, "gen %3d/%d  best %-11.6g mean %-11.4g length %6.1f  %5.1f s, %.0f s left\n", g->generation + 1,
            total, g->best_raw_fitness, g->mean_raw_fitness, g->mean_length, el, left);
    return 0;
}

/* ---- data ---- */

/* Column-major feature matrix from table columns; every cell must be a number. */
static int gather(const jc_table *t, const int *cols, size_t p, double **X)
{
    size_t n = jc_table_nrows(t);
    size_t cells = n * p;
    *X = malloc((cells ? cells : 1) * sizeof **X);
    if (!*X)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < p; j++) {
        int rc = jc_table_require_numeric(t, cols[j], JC_TABLE_NO_MISSING);
        if (rc)
            return rc;
        memcpy(*X + j * n, jc_table_column_values(t, cols[j]), n * sizeof **X);
    }
    return JC_OK;
}

static void print_model(const jc_sr_model *m, FILE *out)
{
    const char *const *names = (const char *const *)m->feature_names;
    char *infix = jc_sr_program_text(&m->program, names, JC_SR_TEXT_INFIX);
    char *gp = jc_sr_program_text(&m->program, names, JC_SR_TEXT_GPLEARN);
    char *sym = jc_sr_program_text(&m->program, names, JC_SR_TEXT_SYMPY);
    jc_sr_program simple = {0};
    char *simp = NULL;
    if (jc_sr_program_simplify(&m->program, &simple) == JC_OK)
        simp = jc_sr_program_text(&simple, names, JC_SR_TEXT_INFIX);
    const char *target = m->target_name ? m->target_name : "y";
    int scaled = m->scale_a != 0 || m->scale_b != 1;
    fprintf(out, "formula     %s = %s%s%s\n", target, scaled ? "a + b * (" : "", infix ? infix : "?",
            scaled ? ")" : "");
    if (scaled)
        fprintf(out, "scaling     a = %.10g, b = %.10g\n", m->scale_a, m->scale_b);
    fprintf(out, "simplified  %s (%u nodes)\n", simp ? simp : "?", simple.len);
    fprintf(out, "gplearn     %s\n", gp ? gp : "?");
    fprintf(out, "sympy       %s\n", sym ? sym : "?");
    fprintf(out, "length      %u nodes, depth %d\n", m->program.len, jc_sr_program_depth(&m->program));
    const char *metric = m->options.metric == JC_SR_MSE ? "mse" : m->options.metric == JC_SR_RMSE ? "rmse" : "mae";
    fprintf(out, "fitness     %s %.6g in-bag", metric, m->raw_fitness);
    if (!isnan(m->oob_fitness))
        fprintf(out, ", %.6g out-of-bag", m->oob_fitness);
    fprintf(out, "\n");
    if (m->fit_seconds > 0)
        fprintf(out, "fit         %zu generations in %.2f s, %.3g node evaluations/s\n", m->ngenerations,
                m->fit_seconds, m->node_evaluations / m->fit_seconds);
    free(infix);
    free(gp);
    free(sym);
    free(simp);
    jc_sr_program_free(&simple);
}

/* ---- fit ---- */

static int cmd_fit(int argc, char **argv)
{
    enum { O_TARGET = 256, O_FEATURES, O_POP, O_GEN, O_TOUR, O_STOP, O_CONST, O_DEPTH, O_INIT, O_FSET, O_METRIC,
           O_PARS, O_PC, O_PS, O_PH, O_PP, O_PR, O_MAXS, O_SEED, O_THREADS, O_LS, O_OPT, O_LMIT, O_PARETO, O_JSON,
           O_QUIET };
    static const struct option lo[] = {
        {"target", required_argument, 0, O_TARGET},
        {"features", required_argument, 0, O_FEATURES},
        {"population-size", required_argument, 0, O_POP},
        {"generations", required_argument, 0, O_GEN},
        {"tournament-size", required_argument, 0, O_TOUR},
        {"stopping-criteria", required_argument, 0, O_STOP},
        {"const-range", required_argument, 0, O_CONST},
        {"init-depth", required_argument, 0, O_DEPTH},
        {"init-method", required_argument, 0, O_INIT},
        {"function-set", required_argument, 0, O_FSET},
        {"metric", required_argument, 0, O_METRIC},
        {"parsimony-coefficient", required_argument, 0, O_PARS},
        {"p-crossover", required_argument, 0, O_PC},
        {"p-subtree-mutation", required_argument, 0, O_PS},
        {"p-hoist-mutation", required_argument, 0, O_PH},
        {"p-point-mutation", required_argument, 0, O_PP},
        {"p-point-replace", required_argument, 0, O_PR},
        {"max-samples", required_argument, 0, O_MAXS},
        {"random-state", required_argument, 0, O_SEED},
        {"seed", required_argument, 0, O_SEED},
        {"threads", required_argument, 0, O_THREADS},
        {"linear-scaling", no_argument, 0, O_LS},
        {"optimize-constants", required_argument, 0, O_OPT},
        {"lm-iterations", required_argument, 0, O_LMIT},
        {"pareto", no_argument, 0, O_PARETO},
        {"json", no_argument, 0, O_JSON},
        {"quiet", no_argument, 0, O_QUIET},
        {"output", required_argument, 0, 'o'},
        {0, 0, 0, 0}};
    jc_sr_options o;
    jc_sr_options_default(&o);
    const char *target = NULL, *features = NULL, *outpath = NULL;
    int json = 0, quiet = 0;
    long lv;
    double dv, a, b;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
        switch (c) {
        case O_TARGET: target = optarg; break;
        case O_FEATURES: features = optarg; break;
        case 'o': outpath = optarg; break;
        case O_POP:
            if (jc_parse_int_opt("--population-size", optarg, 1, 100000000, &lv)) return JC_EXIT_USAGE;
            o.population_size = (int)lv;
            break;
        case O_GEN:
            if (jc_parse_int_opt("--generations", optarg, 1, 1000000, &lv)) return JC_EXIT_USAGE;
            o.generations = (int)lv;
            break;
        case O_TOUR:
            if (jc_parse_int_opt("--tournament-size", optarg, 1, 100000000, &lv)) return JC_EXIT_USAGE;
            o.tournament_size = (int)lv;
            break;
        case O_STOP:
            if (jc_parse_double_opt("--stopping-criteria", optarg, -1e308, 1e308, &dv)) return JC_EXIT_USAGE;
            o.stopping_criteria = dv;
            break;
        case O_CONST:
            if (!strcmp(optarg, "none")) {
                o.const_range_none = 1;
            } else {
                if (parse_pair("--const-range", optarg, &a, &b)) return JC_EXIT_USAGE;
                o.const_lo = a;
                o.const_hi = b;
                o.const_range_none = 0;
            }
            break;
        case O_DEPTH:
            if (parse_pair("--init-depth", optarg, &a, &b)) return JC_EXIT_USAGE;
            o.init_depth_lo = (int)a;
            o.init_depth_hi = (int)b;
            break;
        case O_INIT:
            if (!strcmp(optarg, "half-and-half") || !strcmp(optarg, "half and half"))
                o.init_method = JC_SR_INIT_HALF_AND_HALF;
            else if (!strcmp(optarg, "grow"))
                o.init_method = JC_SR_INIT_GROW;
            else if (!strcmp(optarg, "full"))
                o.init_method = JC_SR_INIT_FULL;
            else {
                fprintf(stderr, "joulecast sr: error: --init-method: expected half-and-half, grow or full, got '%s'\n",
                        optarg);
                return JC_EXIT_USAGE;
            }
            break;
        case O_FSET:
            if (parse_function_set(optarg, &o.function_set)) return JC_EXIT_USAGE;
            break;
        case O_METRIC:
            if (!strcmp(optarg, "mae") || !strcmp(optarg, "mean absolute error"))
                o.metric = JC_SR_MAE;
            else if (!strcmp(optarg, "mse"))
                o.metric = JC_SR_MSE;
            else if (!strcmp(optarg, "rmse"))
                o.metric = JC_SR_RMSE;
            else {
                fprintf(stderr, "joulecast sr: error: --metric: expected mae, mse or rmse, got '%s'\n", optarg);
                return JC_EXIT_USAGE;
            }
            break;
        case O_PARS:
            if (!strcmp(optarg, "auto")) {
                o.parsimony_auto = 1;
            } else {
                if (jc_parse_double_opt("--parsimony-coefficient", optarg, 0, 1e300, &dv)) return JC_EXIT_USAGE;
                o.parsimony_auto = 0;
                o.parsimony_coefficient = dv;
            }
            break;
        case O_PC:
            if (jc_parse_double_opt("--p-crossover", optarg, 0, 1, &o.p_crossover)) return JC_EXIT_USAGE;
            break;
        case O_PS:
            if (jc_parse_double_opt("--p-subtree-mutation", optarg, 0, 1, &o.p_subtree_mutation)) return JC_EXIT_USAGE;
            break;
        case O_PH:
            if (jc_parse_double_opt("--p-hoist-mutation", optarg, 0, 1, &o.p_hoist_mutation)) return JC_EXIT_USAGE;
            break;
        case O_PP:
            if (jc_parse_double_opt("--p-point-mutation", optarg, 0, 1, &o.p_point_mutation)) return JC_EXIT_USAGE;
            break;
        case O_PR:
            if (jc_parse_double_opt("--p-point-replace", optarg, 0, 1, &o.p_point_replace)) return JC_EXIT_USAGE;
            break;
        case O_MAXS:
            if (jc_parse_double_opt("--max-samples", optarg, 1e-9, 1, &o.max_samples)) return JC_EXIT_USAGE;
            break;
        case O_SEED:
            if (jc_parse_int_opt("--random-state", optarg, 0, 2147483647, &lv)) return JC_EXIT_USAGE;
            o.random_state = (uint64_t)lv;
            break;
        case O_THREADS:
            if (jc_parse_int_opt("--threads", optarg, 0, 4096, &lv)) return JC_EXIT_USAGE;
            o.n_jobs = (int)lv;
            break;
        case O_LS: o.linear_scaling = 1; break;
        case O_OPT:
            if (jc_parse_int_opt("--optimize-constants", optarg, 0, 100000000, &lv)) return JC_EXIT_USAGE;
            o.optimize_constants = (int)lv;
            break;
        case O_LMIT:
            if (jc_parse_int_opt("--lm-iterations", optarg, 1, 100000, &lv)) return JC_EXIT_USAGE;
            o.lm_iterations = (int)lv;
            break;
        case O_PARETO: o.pareto_front = 1; break;
        case O_JSON: json = 1; break;
        case O_QUIET: quiet = 1; break;
        default:
            fprintf(stderr, "joulecast sr fit: error: unknown or incomplete option '%s' (see 'joulecast sr --help')\n",
                    argv[optind - 1]);
            return JC_EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || !target) {
        fprintf(stderr, "joulecast sr fit: error: expected one DATA.csv and --target COLUMN (see 'joulecast sr --help')\n");
        return JC_EXIT_USAGE;
    }
    if (jc_sr_options_check(&o)) {
        fprintf(stderr, "joulecast sr fit: error: %s\n", jc_last_error());
        return JC_EXIT_USAGE;
    }
    const char *path = argv[optind];
    jc_table *t = NULL;
    if (jc_table_read_csv(path, &t)) {
        jc_print_error();
        return JC_EXIT_FAIL;
    }
    int status = JC_EXIT_FAIL;
    double *X = NULL;
    int *cols = NULL;
    char **names = NULL;
    size_t p = 0, n = jc_table_nrows(t);
    jc_sr_model m = {0};
    int ty = jc_table_find(t, target);
    if (ty < 0) {
        fprintf(stderr, "joulecast sr fit: error: %s: no column '%s'\n", path, target);
        goto out;
    }
    int ncols = jc_table_ncols(t);
    cols = calloc((size_t)ncols + 1, sizeof *cols);
    names = calloc((size_t)ncols + 1, sizeof *names);
    if (!cols || !names)
        goto out;
    if (features) {
        char *copy = jc_strdup(features), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            int k = jc_table_find(t, tok);
            if (k < 0) {
                fprintf(stderr, "joulecast sr fit: error: %s: no feature column '%s'\n", path, tok);
                free(copy);
                goto out;
            }
            if ((size_t)p >= (size_t)ncols)
                break;
            cols[p] = k;
            names[p++] = jc_strdup(tok);
        }
        free(copy);
    } else {
        /* Every other column that is all numbers. */
        for (int k = 0; k < ncols; k++) {
            if (k == ty || jc_table_require_numeric(t, k, JC_TABLE_NO_MISSING) != JC_OK)
                continue;
            cols[p] = k;
            names[p++] = jc_strdup(jc_table_name(t, k));
        }
    }
    if (p == 0) {
        fprintf(stderr, "joulecast sr fit: error: %s: no numeric feature columns\n", path);
        goto out;
    }
    if (gather(t, cols, p, &X) || jc_table_require_numeric(t, ty, JC_TABLE_NO_MISSING)) {
        jc_print_error();
        goto out;
    }
    progress_state ps = {.show = !quiet && isatty(STDERR_FILENO), .start = jc_now_monotonic()};
    if (jc_sr_fit(X, jc_table_column_values(t, ty), n, p, (const char *const *)names, &o, on_generation, &ps, &m)) {
        jc_print_error();
        goto out;
    }
    m.target_name = jc_strdup(target);
    if (outpath && jc_sr_model_save(&m, outpath)) {
        jc_print_error();
        goto out;
    }
    if (json) {
        if (jc_sr_model_write(&m, stdout)) {
            jc_print_error();
            goto out;
        }
    } else {
        print_model(&m, stdout);
        if (outpath)
            printf("saved       %s\n", outpath);
    }
    status = JC_EXIT_OK;
out:
    jc_sr_model_free(&m);
    if (names)
        for (size_t j = 0; j < p; j++)
            free(names[j]);
    free(names);
    free(cols);
    free(X);
    jc_table_free(t);
    return status;
}

/* ---- predict ---- */

static int cmd_predict(int argc, char **argv)
{
    static const struct option lo[] = {{"output", required_argument, 0, 'o'},
                                       {"column", required_argument, 0, 'c'},
                                       {0, 0, 0, 0}};
    const char *outpath = NULL, *colname = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
        if (c == 'o')
            outpath = optarg;
        else if (c == 'c')
            colname = optarg;
        else {
            fprintf(stderr, "joulecast sr predict: error: unknown or incomplete option '%s'\n", argv[optind - 1]);
            return JC_EXIT_USAGE;
        }
    }
    if (optind != argc - 2) {
        fprintf(stderr, "joulecast sr predict: error: expected MODEL.json DATA.csv (see 'joulecast sr --help')\n");
        return JC_EXIT_USAGE;
    }
    jc_sr_model m = {0};
    jc_table *t = NULL, *outt = NULL;
    double *X = NULL, *pred = NULL;
    int *cols = NULL;
    int status = JC_EXIT_FAIL;
    if (jc_sr_model_load(argv[optind], &m) || jc_table_read_csv(argv[optind + 1], &t)) {
        jc_print_error();
        goto out;
    }
    size_t n = jc_table_nrows(t);
    cols = calloc(m.nfeatures + 1, sizeof *cols);
    pred = malloc((n ? n : 1) * sizeof *pred);
    if (!cols || !pred)
        goto out;
    for (size_t j = 0; j < m.nfeatures; j++) {
        cols[j] = jc_table_find(t, m.feature_names[j]);
        if (cols[j] < 0) {
            fprintf(stderr, "joulecast sr predict: error: %s: no column '%s', a feature of the model\n",
                    argv[optind + 1], m.feature_names[j]);
            goto out;
        }
    }
    if (gather(t, cols, m.nfeatures, &X) || jc_sr_predict(&m, X, n, n, pred)) {
        jc_print_error();
        goto out;
    }
    char defname[256];
    snprintf(defname, sizeof defname, "%s_predicted", m.target_name ? m.target_name : "y");
    if (jc_table_new(n, &outt) || jc_table_add_numeric(outt, colname ? colname : defname, pred) < 0) {
        jc_print_error();
        goto out;
    }
    if (outpath) {
        if (jc_table_write_csv(outt, outpath)) {
            jc_print_error();
            goto out;
        }
    } else {
        printf("%s\n", colname ? colname : defname);
        for (size_t i = 0; i < n; i++)
            printf("%.17g\n", pred[i]);
    }
    /* With the target present, say how good the predictions are. */
    int ty = m.target_name ? jc_table_find(t, m.target_name) : -1;
    if (ty >= 0 && jc_table_require_numeric(t, ty, JC_TABLE_NO_MISSING) == JC_OK && n > 0) {
        const double *y = jc_table_column_values(t, ty);
        double mae = 0, mse = 0, my = 0, sst = 0;
        for (size_t i = 0; i < n; i++)
            my += y[i] / (double)n;
        for (size_t i = 0; i < n; i++) {
            double e = pred[i] - y[i];
            mae += fabs(e) / (double)n;
            mse += e * e / (double)n;
            sst += (y[i] - my) * (y[i] - my);
        }
        fprintf(stderr, "%s vs %s: MAE %.6g, MSE %.6g, R^2 %.6f over %zu rows\n", colname ? colname : defname,
                m.target_name, mae, mse, sst > 0 ? 1 - mse * (double)n / sst : NAN, n);
    }
    status = JC_EXIT_OK;
out:
    jc_sr_model_free(&m);
    jc_table_free(t);
    jc_table_free(outt);
    free(X);
    free(pred);
    free(cols);
    return status;
}

/* ---- show ---- */

static int cmd_show(int argc, char **argv)
{
    static const struct option lo[] = {{"json", no_argument, 0, 'j'},
                                       {"history", no_argument, 0, 'h'},
                                       {"pareto", no_argument, 0, 'p'},
                                       {0, 0, 0, 0}};
    int json = 0, history = 0, pareto = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'h')
            history = 1;
        else if (c == 'p')
            pareto = 1;
        else {
            fprintf(stderr, "joulecast sr show: error: unknown option '%s'\n", argv[optind - 1]);
            return JC_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "joulecast sr show: error: expected MODEL.json (see 'joulecast sr --help')\n");
        return JC_EXIT_USAGE;
    }
    jc_sr_model m = {0};
    if (jc_sr_model_load(argv[optind], &m)) {
        jc_print_error();
        return JC_EXIT_FAIL;
    }
    if (json) {
        FILE *f = fopen(argv[optind], "r");
        char buf[65536];
        size_t k;
        while (f && (k = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, k, stdout);
        if (f)
            fclose(f);
    } else {
        print_model(&m, stdout);
        if (history) {
            printf("\n%4s %14s %14s %14s %10s %8s\n", "gen", "best", "mean", "best oob", "length", "seconds");
            for (size_t g = 0; g < m.ngenerations; g++) {
                const jc_sr_generation *h = &m.history[g];
                printf("%4d %14.6g %14.6g %14.6g %10.1f %8.3f\n", h->generation + 1, h->best_raw_fitness,
                       h->mean_raw_fitness, h->best_oob_fitness, h->mean_length, h->seconds);
            }
        }
        if (pareto) {
            printf("\nPareto front (error against length):\n%8s %14s  %s\n", "length", "fitness", "formula");
            for (size_t k = 0; k < m.npareto; k++) {
                char *s = jc_sr_program_text(&m.pareto[k].program, (const char *const *)m.feature_names,
                                             JC_SR_TEXT_INFIX);
                printf("%8.0f %14.6g  %s\n", m.pareto[k].length, m.pareto[k].raw_fitness, s ? s : "?");
                free(s);
            }
        }
    }
    jc_sr_model_free(&m);
    return JC_EXIT_OK;
}

int jc_cmd_sr(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "joulecast sr: error: expected fit, predict or show (see 'joulecast sr --help')\n");
        return JC_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "fit"))
        return cmd_fit(argc - 1, argv + 1);
    if (!strcmp(argv[1], "predict"))
        return cmd_predict(argc - 1, argv + 1);
    if (!strcmp(argv[1], "show"))
        return cmd_show(argc - 1, argv + 1);
    fprintf(stderr, "joulecast sr: error: unknown action '%s': expected fit, predict or show\n", argv[1]);
    return JC_EXIT_USAGE;
}
