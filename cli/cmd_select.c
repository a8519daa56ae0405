/* joulecast select: which columns of a run table are worth predicting a target
 * from. Pearson's r with its p-value and kNN mutual information per feature,
 * and the first seed's rule (section 4.4.2: keep the features whose scores are
 * above 0.3), printed as the seed's Table 2 or as JSON. The scores are those
 * of scipy.stats.pearsonr and sklearn's mutual_info_regression (learn.h). */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joulecast/learn.h"
#include "joulecast/table.h"
#include "joulecast/util.h"

void jc_cmd_select_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast select DATA.csv --target COLUMN [--features A,B,...]\n"
            "                        [--discrete A,B] [--log A,B] [--threshold X]\n"
            "                        [--rule either|both|pearson|mi] [--k N] [--seed N] [--json]\n"
            "\n"
            "Scores every feature column of a run table against the target column, as\n"
            "the first seed does before fitting its models (its section 4.4.2, Table 2):\n"
            "  Pearson r   linear association, -1..1, with its two-sided p-value (the\n"
            "              chance of an |r| this large if the two were unrelated);\n"
            "              the same numbers as scipy.stats.pearsonr\n"
            "  MI          mutual information in nats (0: independent; no upper bound),\n"
            "              which also sees non-linear relations: the k-nearest-neighbour\n"
            "              estimate of sklearn's mutual_info_regression, the same numbers\n"
            "              for the same --k and --seed (its random_state)\n"
            "and marks with * the features it selects. The seed keeps the features whose\n"
            "scores are 'larger than 0.3'; its table never has one score above and the\n"
            "other below, so by default a feature is selected when |r| > threshold OR\n"
            "MI > threshold (--rule both asks for both; pearson or mi for one).\n"
            "\n"
            "options:\n"
            "  --target COLUMN   the quantity to predict (required)\n"
            "  --features LIST   the columns to score (default: every other numeric column;\n"
            "                    text columns are skipped with a note, named ones are errors)\n"
            "  --discrete LIST   features taking a few set values (batch size, worker count):\n"
            "                    MI uses Ross's estimator for a discrete variable there\n"
            "  --log LIST        score log(x) instead of x for these columns (heavy tails:\n"
            "                    epoch time, parameter count); may name the target; every\n"
            "                    value must be positive\n"
            "  --threshold X     0.3 (the seed's)\n"
            "  --rule R          either (default), both, pearson, mi\n"
            "  --k N             neighbours of the MI estimate: 5 (the seed's; sklearn's\n"
            "                    default is 3); a feature needs more than N rows\n"
            "  --seed N          0..4294967295, default 42 (the seed's random_state; also\n"
            "                    spelt --random-state): MI breaks ties with 1e-10 noise\n"
            "                    drawn from it\n"
            "  --json            JSON on stdout instead of the table\n"
            "\n"
            "A missing cell (empty, NA, NaN) leaves its row out of that feature's scores\n"
            "only; the rows column says how many each used.\n"
            "\n"
            "examples:\n"
            "  joulecast select runs.csv --target average_power\n"
            "  joulecast select runs.csv --target average_power --discrete batch_size,power_limit \\\n"
            "      --log time_per_epoch\n"
            "  joulecast select runs.csv --target 'energy (MJ)' --features GFLOPs,'batch size' --json\n");
}

/* What the command line asked for. */
typedef struct {
    const char *path, *target, *features, *discrete, *log;
    jc_select_opts o;
    long k, seed;
    int json;
} select_args;

/* The resolved job: columns, their flags, and the data. */
typedef struct {
    jc_table *t;
    int ty;
    size_t p, n;
    int *cols;
    unsigned char *discrete, *log;
    int log_target;
    char *skipped;  /* comma list of columns left out (text), for the note */
    double *x;      /* n x p, NaN where missing */
    const double *y;
} select_job;

static void job_free(select_job *j)
{
    jc_table_free(j->t);
    free(j->cols);
    free(j->discrete);
    free(j->log);
    free(j->skipped);
    free(j->x);
}

static int parse_args(int argc, char **argv, select_args *a)
{
    enum { O_TARGET = 256, O_FEATURES, O_DISCRETE, O_LOG, O_THRESHOLD, O_RULE, O_K, O_SEED, O_JSON };
    static const struct option lo[] = {{"target", required_argument, 0, O_TARGET},
                                       {"features", required_argument, 0, O_FEATURES},
                                       {"discrete", required_argument, 0, O_DISCRETE},
                                       {"log", required_argument, 0, O_LOG},
                                       {"threshold", required_argument, 0, O_THRESHOLD},
                                       {"rule", required_argument, 0, O_RULE},
                                       {"k", required_argument, 0, O_K},
                                       {"seed", required_argument, 0, O_SEED},
                                       {"random-state", required_argument, 0, O_SEED},
                                       {"json", no_argument, 0, O_JSON},
                                       {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    jc_select_opts_init(&a->o);
    a->k = a->o.mi.k;
    a->seed = a->o.mi.seed;
    optind = 1;
    opterr = 0;
    int c, rule;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case O_TARGET: a->target = optarg; break;
        case O_FEATURES: a->features = optarg; break;
        case O_DISCRETE: a->discrete = optarg; break;
        case O_LOG: a->log = optarg; break;
        case O_JSON: a->json = 1; break;
        case O_THRESHOLD:
            if (jc_parse_double_opt("--threshold", optarg, 0, 1e300, &a->o.threshold))
                return -1;
            break;
        case O_RULE:
            if ((rule = jc_select_rule_parse(optarg)) < 0) {
                fprintf(stderr, "joulecast select: error: --rule: expected either, both, pearson or mi, got '%s'\n",
                        optarg);
                return -1;
            }
            a->o.rule = (jc_select_rule)rule;
            break;
        case O_K:
            if (jc_parse_int_opt("--k", optarg, 1, 100000, &a->k))
                return -1;
            break;
        case O_SEED:
            if (jc_parse_int_opt("--seed", optarg, 0, 4294967295L, &a->seed))
                return -1;
            break;
        default:
            fprintf(stderr, "joulecast select: error: unknown or incomplete option '%s' (see --help)\n",
                    argv[optind - 1]);
            return -1;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "joulecast select: error: expected one data file, got %d (see --help)\n", argc - optind);
        return -1;
    }
    if (!a->target) {
        fprintf(stderr, "joulecast select: error: --target COLUMN is required\n");
        return -1;
    }
    a->path = argv[optind];
    a->o.mi.k = (int)a->k;
    a->o.mi.seed = (uint32_t)a->seed;
    return 0;
}

/* Append name to a comma list. */
static int list_add(char **list, const char *name)
{
    size_t a = *list ? strlen(*list) : 0, b = strlen(name);
    char *grown = realloc(*list, a + b + 3);
    if (!grown)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    if (a)
        memcpy(grown + a, ", ", 2), a += 2;
    memcpy(grown + a, name, b + 1);
    *list = grown;
    return JC_OK;
}

/* Does column k hold at least one number? */
static int has_numbers(const jc_table *t, int k)
{
    const double *v = jc_table_column_values(t, k);
    for (size_t i = 0; i < jc_table_nrows(t); i++)
        if (!isnan(v[i]))
            return 1;
    return 0;
}

/* The feature columns: those named (each must exist, be numeric, not be the
 * target), or every other column holding numbers and only numbers. */
static int pick_features(const select_args *a, select_job *j)
{
    int ncols = jc_table_ncols(j->t);
    j->cols = calloc((size_t)ncols + 1, sizeof *j->cols);
    if (!j->cols)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    if (!a->features) {
        for (int k = 0; k < ncols; k++) {
            if (k == j->ty)
                continue;
            if (jc_table_require_numeric(j->t, k, 0) == JC_OK && has_numbers(j->t, k))
                j->cols[j->p++] = k;
            else if (list_add(&j->skipped, jc_table_name(j->t, k)) != JC_OK)
                return JC_ERR_NOMEM;
        }
        return j->p ? JC_OK : jc_fail(JC_ERR_EMPTY, "%s: no numeric feature columns besides '%s'", a->path, a->target);
    }
    char *copy = jc_strdup(a->features), *save = NULL;
    int rc = copy ? JC_OK : jc_fail(JC_ERR_NOMEM, "out of memory");
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && rc == JC_OK; tok = strtok_r(NULL, ",", &save)) {
        int k = jc_table_find(j->t, tok);
        if (k < 0)
            rc = jc_fail(JC_ERR_INVALID, "%s: no column '%s'", a->path, tok);
        else if (k == j->ty)
            rc = jc_fail(JC_ERR_INVALID, "--features: '%s' is the target", tok);
        else if ((rc = jc_table_require_numeric(j->t, k, 0)) == JC_OK) {
            for (size_t q = 0; q < j->p && rc == JC_OK; q++)
                if (j->cols[q] == k)
                    rc = jc_fail(JC_ERR_INVALID, "--features: '%s' is named twice", tok);
            if (rc == JC_OK && j->p < (size_t)ncols)
                j->cols[j->p++] = k;
        }
    }
    free(copy);
    return rc;
}

/* Set flags[q] for every feature named in list (--discrete, --log); the
 * target may be named only where target_flag is given. */
static int mark(const char *opt, const char *list, const select_job *j, unsigned char *flags, int *target_flag)
{
    if (!list)
        return JC_OK;
    char *copy = jc_strdup(list), *save = NULL;
    if (!copy)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    int rc = JC_OK;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == JC_OK; tok = strtok_r(NULL, ",", &save)) {
        int k = jc_table_find(j->t, tok), found = 0;
        for (size_t q = 0; q < j->p; q++)
            if (j->cols[q] == k)
                flags[q] = 1, found = 1;
        if (!found && target_flag && k == j->ty)
            *target_flag = found = 1;
        if (!found)
            rc = jc_fail(JC_ERR_INVALID, "%s: '%s' is not %s", opt, tok,
                         target_flag ? "a feature or the target" : "one of the features");
    }
    free(copy);
    return rc;
}

/* A log column must hold positive numbers: the first that is not is named
 * with its place in the file. */
static int check_positive(const select_job *j, int col)
{
    const double *v = jc_table_column_values(j->t, col);
    for (size_t i = 0; i < j->n; i++)
        if (!isnan(v[i]) && !(v[i] > 0)) {
            const char *text = jc_table_text(j->t, i, col);
            return jc_fail_at(JC_ERR_INVALID, jc_table_source(j->t), jc_table_row_line(j->t, i), (long)col + 1,
                              "column '%s': --log needs positive values, found '%s'", jc_table_name(j->t, col),
                              text ? text : "?");
        }
    return JC_OK;
}

static int prepare(const select_args *a, select_job *j)
{
    int rc = jc_table_read_csv(a->path, &j->t);
    if (rc != JC_OK)
        return rc;
    j->n = jc_table_nrows(j->t);
    j->ty = jc_table_find(j->t, a->target);
    if (j->ty < 0)
        return jc_fail(JC_ERR_INVALID, "%s: no column '%s' for the target", a->path, a->target);
    if ((rc = jc_table_require_numeric(j->t, j->ty, 0)) != JC_OK || (rc = pick_features(a, j)) != JC_OK)
        return rc;
    j->discrete = calloc(j->p, 1);
    j->log = calloc(j->p, 1);
    j->x = malloc((j->n * j->p + 1) * sizeof *j->x);
    if (!j->discrete || !j->log || !j->x)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    if ((rc = mark("--discrete", a->discrete, j, j->discrete, NULL)) != JC_OK ||
        (rc = mark("--log", a->log, j, j->log, &j->log_target)) != JC_OK)
        return rc;
    for (size_t q = 0; q < j->p && rc == JC_OK; q++)
        if (j->log[q])
            rc = check_positive(j, j->cols[q]);
    if (rc == JC_OK && j->log_target)
        rc = check_positive(j, j->ty);
    if (rc != JC_OK)
        return rc;
    for (size_t q = 0; q < j->p; q++) {
        const double *v = jc_table_column_values(j->t, j->cols[q]);
        for (size_t i = 0; i < j->n; i++)
            j->x[i * j->p + q] = v[i];
    }
    j->y = jc_table_column_values(j->t, j->ty);
    return JC_OK;
}

/* "name" or "log(name)", into buf. */
static const char *shown_name(const select_job *j, int col, int logged, char *buf, size_t size)
{
    snprintf(buf, size, logged ? "log(%s)" : "%s", jc_table_name(j->t, col));
    return buf;
}

/* Notes on stderr: what was left out and why, one line per reason. */
static void notes(const select_args *a, const select_job *j, const jc_feature_score *s)
{
    if (j->skipped)
        fprintf(stderr, "note: skipped columns that are not numeric: %s (name one with --features to see why)\n",
                j->skipped);
    size_t no_target = 0;
    for (size_t i = 0; i < j->n; i++)
        no_target += isnan(j->y[i]);
    if (no_target)
        fprintf(stderr, "note: %zu of %zu rows have no '%s' and are left out\n", no_target, j->n, a->target);
    char *no_mi = NULL, *no_r = NULL;
    for (size_t q = 0; q < j->p; q++) {
        const char *name = jc_table_name(j->t, j->cols[q]);
        size_t missing = j->n - no_target - s[q].n;
        if (missing)
            fprintf(stderr, "note: '%s': %zu row%s with a missing value left out of its scores\n", name, missing,
                    missing == 1 ? "" : "s");
        if (isnan(s[q].mi))
            list_add(&no_mi, name);
        if (isnan(s[q].r))
            list_add(&no_r, name);
    }
    if (no_r)
        fprintf(stderr, "note: no Pearson r where a column is constant (or has under 2 rows): %s\n", no_r);
    if (no_mi)
        fprintf(stderr, "note: no MI where k = %d neighbours need more rows than there are (try a smaller --k): %s\n",
                a->o.mi.k, no_mi);
    free(no_r);
    free(no_mi);
}

static void print_number(double v, const char *fmt, int width)
{
    if (isnan(v))
        printf(" %*s", width, "-");
    else
        printf(fmt, width, v);
}

static void print_table(const select_args *a, const select_job *j, const jc_feature_score *s)
{
    char name[256];
    int w = 7;
    for (size_t q = 0; q < j->p; q++) {
        int len = (int)strlen(shown_name(j, j->cols[q], j->log[q], name, sizeof name)) + (j->discrete[q] ? 4 : 0);
        w = len > w ? len : w;
    }
    printf("target     %s from %s (%zu rows)\n", shown_name(j, j->ty, j->log_target, name, sizeof name), a->path,
           j->n);
    printf("MI         k = %d neighbours, seed %u; [d] = discrete feature\n", a->o.mi.k, a->o.mi.seed);
    const char *how = a->o.rule == JC_SELECT_EITHER ? "|r| or MI"
                      : a->o.rule == JC_SELECT_BOTH ? "|r| and MI"
                      : a->o.rule == JC_SELECT_PEARSON ? "|r|"
                                                        : "MI";
    printf("selected   * when %s > %g\n\n", how, a->o.threshold);
    printf("%-*s %6s %10s %10s %9s  %s\n", w, "feature", "rows", "Pearson r", "p-value", "MI", "selected");
    for (size_t q = 0; q < j->p; q++) {
        char label[300];
        snprintf(label, sizeof label, "%s%s", shown_name(j, j->cols[q], j->log[q], name, sizeof name),
                 j->discrete[q] ? " [d]" : "");
        printf("%-*s %6zu", w, label, s[q].n);
        print_number(s[q].r, " %*.4f", 10);
        print_number(s[q].p_value, " %*.3g", 10);
        print_number(s[q].mi, " %*.4f", 9);
        printf("  %s\n", s[q].selected ? "*" : "");
    }
    size_t nsel = 0;
    for (size_t q = 0; q < j->p; q++)
        nsel += s[q].selected != 0;
    printf("\nselected (%zu of %zu):", nsel, j->p);
    for (size_t q = 0, first = 1; q < j->p; q++)
        if (s[q].selected) {
            printf("%s %s", first ? "" : ",", jc_table_name(j->t, j->cols[q]));
            first = 0;
        }
    printf("%s\n", nsel ? "" : " none");
}

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static int print_json(const select_args *a, const select_job *j, const jc_feature_score *s)
{
    json_t *feats = json_array(), *sel = json_array(), *skipped = json_array();
    for (size_t q = 0; q < j->p; q++) {
        const char *name = jc_table_name(j->t, j->cols[q]);
        json_array_append_new(
            feats, json_pack("{s:s, s:b, s:b, s:I, s:o, s:o, s:o, s:b}", "name", name, "discrete", j->discrete[q],
                             "log", j->log[q], "rows", (json_int_t)s[q].n, "pearson_r", num_or_null(s[q].r),
                             "p_value", num_or_null(s[q].p_value), "mi", num_or_null(s[q].mi), "selected",
                             s[q].selected));
        if (s[q].selected)
            json_array_append_new(sel, json_string(name));
    }
    int ncols = jc_table_ncols(j->t);
    for (int k = 0; j->skipped && k < ncols; k++) {
        int used = k == j->ty;
        for (size_t q = 0; q < j->p; q++)
            used |= j->cols[q] == k;
        if (!used)
            json_array_append_new(skipped, json_string(jc_table_name(j->t, k)));
    }
    json_t *root = json_pack("{s:s, s:s, s:b, s:I, s:i, s:I, s:f, s:s, s:o, s:o, s:o}", "file", a->path, "target",
                             a->target, "target_log", j->log_target, "rows", (json_int_t)j->n, "k", a->o.mi.k,
                             "seed", (json_int_t)a->o.mi.seed, "threshold", a->o.threshold, "rule",
                             jc_select_rule_name(a->o.rule), "features", feats, "selected", sel, "skipped_columns",
                             skipped);
    if (!root)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    printf("\n");
    json_decref(root);
    return JC_OK;
}

int jc_cmd_select(int argc, char **argv)
{
    select_args a;
    if (parse_args(argc, argv, &a) != 0)
        return JC_EXIT_USAGE;
    select_job j = {0};
    int rc = prepare(&a, &j);
    jc_feature_score *s = NULL;
    if (rc == JC_OK) {
        s = calloc(j.p, sizeof *s);
        rc = s ? JC_OK : jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    if (rc == JC_OK) {
        a.o.mi.discrete = j.discrete;
        a.o.log = j.log;
        a.o.log_target = j.log_target;
        rc = jc_select_features(j.x, j.n, j.p, j.y, &a.o, s);
    }
    if (rc == JC_OK) {
        notes(&a, &j, s);
        if (a.json)
            rc = print_json(&a, &j, s);
        else
            print_table(&a, &j, s);
    }
    if (rc != JC_OK)
        jc_print_error();
    free(s);
    job_free(&j);
    return rc == JC_OK ? JC_EXIT_OK : JC_EXIT_FAIL;
}
