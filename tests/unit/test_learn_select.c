/* learn/select.c against scipy and scikit-learn (tests/oracles/
 * select_oracle.py, run at test time): the incomplete beta function, Pearson's
 * r and p-value, kNN mutual information for continuous and discrete features
 * on random and real tables, and the seed's selection with missing cells and
 * log transforms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/learn.h"
#include "joulecast/table.h"
#include "oracle.h"

/* Pearson's r and p within 1e-9 relative of scipy (the brief's bound;
 * measured ~1e-13 for r, ~1e-11 for p: p's only error is r's, amplified by
 * the steepness of the tail, and that of lgamma for large n). */
#define PEARSON_TOL 1e-9
/* Mutual information within 1e-9 nats of scikit-learn. The noise is drawn
 * from the same stream and every count is made with the same rounding, so
 * the estimates agree but for the order of the final sums (measured
 * ~1e-13); a count off by one would move MI by ~1e-3 and fail loudly. */
#define MI_TOL 1e-9

static char dir[256];

/* Relative agreement; NaN agrees with NaN only. */
static int rel_close(double got, double want, double tol)
{
    if (isnan(got) || isnan(want))
        return isnan(got) && isnan(want);
    return fabs(got - want) <= tol * fabs(want);
}

static double rel_err(double got, double want)
{
    if (isnan(got) || isnan(want) || want == got)
        return 0;
    return fabs(got - want) / fabs(want);
}

static void test_beta_inc(void **state)
{
    (void)state;
    jc_table *t = oracle_read(dir, "betainc_ref.csv");
    assert_non_null(t);
    const double *a = jc_table_column_values(t, 0), *b = jc_table_column_values(t, 1);
    const double *x = jc_table_column_values(t, 2), *v = jc_table_column_values(t, 3);
    double worst = 0;
    for (size_t i = 0; i < jc_table_nrows(t); i++) {
        double got = jc_beta_inc(a[i], b[i], x[i]);
        if (v[i] < 1e-290)
            continue; /* subnormal: no relative accuracy on either side */
        if (!rel_close(got, v[i], 1e-10))
            fail_msg("I_%g(%g, %g) = %.17g, scipy %.17g", x[i], a[i], b[i], got, v[i]);
        worst = fmax(worst, rel_err(got, v[i]));
    }
    printf("# incomplete beta: largest relative difference from scipy %.2e\n", worst);
    assert_true(jc_beta_inc(2, 3, 0) == 0 && jc_beta_inc(2, 3, 1) == 1);
    assert_true(isnan(jc_beta_inc(-1, 3, 0.5)) && isnan(jc_beta_inc(1, 3, 1.5)));
    jc_table_free(t);
}

static void test_pearson(void **state)
{
    (void)state;
    jc_table *ref = oracle_read(dir, "pearson_ref.csv");
    assert_non_null(ref);
    const double *r = jc_table_column_values(ref, 2), *p = jc_table_column_values(ref, 3);
    double worst_r = 0, worst_p = 0;
    for (size_t c = 0; c < jc_table_nrows(ref); c++) {
        char name[64];
        snprintf(name, sizeof name, "pearson_%zu.csv", c);
        jc_table *t = oracle_read(dir, name);
        assert_non_null(t);
        double gr, gp;
        jc_pearson(jc_table_column_values(t, 0), jc_table_column_values(t, 1), jc_table_nrows(t), &gr, &gp);
        if (!rel_close(gr, r[c], PEARSON_TOL) || !rel_close(gp, p[c], PEARSON_TOL))
            fail_msg("case %zu (n %zu): r %.17g p %.17g, scipy r %.17g p %.17g", c, jc_table_nrows(t), gr, gp,
                     r[c], p[c]);
        worst_r = fmax(worst_r, rel_err(gr, r[c]));
        worst_p = fmax(worst_p, rel_err(gp, p[c]));
        jc_table_free(t);
    }
    printf("# Pearson: largest relative difference from scipy: r %.2e, p %.2e\n", worst_r, worst_p);
    double x[1] = {1}, gr, gp;
    jc_pearson(x, x, 1, &gr, &gp);
    assert_true(isnan(gr) && isnan(gp));
    jc_table_free(ref);
}

/* Columns f0.. and y of a table as an n x p matrix and a vector. */
static void as_matrix(const jc_table *t, double **x, double **y, size_t *n, size_t *p)
{
    *n = jc_table_nrows(t);
    *p = (size_t)jc_table_ncols(t) - 1;
    *x = malloc(*n * *p * sizeof **x);
    *y = malloc(*n * sizeof **y);
    assert_non_null(*x);
    assert_non_null(*y);
    for (size_t j = 0; j < *p; j++) {
        const double *v = jc_table_column_values(t, (int)j);
        for (size_t i = 0; i < *n; i++)
            (*x)[i * *p + j] = v[i];
    }
    memcpy(*y, jc_table_column_values(t, (int)*p), *n * sizeof **y);
}

static void test_mutual_info(void **state)
{
    (void)state;
    jc_table *ref = oracle_read(dir, "mi_ref.csv");
    assert_non_null(ref);
    const double *k = jc_table_column_values(ref, 1), *seed = jc_table_column_values(ref, 2);
    const double *mi = jc_table_column_values(ref, 5);
    double worst = 0;
    size_t ncases = 0;
    for (size_t i = 0; i < jc_table_nrows(ref); ncases++) {
        const char *name = jc_table_text(ref, i, 0), *kinds = jc_table_text(ref, i, 3);
        char file[64];
        snprintf(file, sizeof file, "mi_%s.csv", name);
        jc_table *t = oracle_read(dir, file);
        assert_non_null(t);
        double *x, *y;
        size_t n, p;
        as_matrix(t, &x, &y, &n, &p);
        assert_int_equal(strlen(kinds), p);
        unsigned char discrete[16];
        for (size_t j = 0; j < p; j++)
            discrete[j] = kinds[j] == 'd';
        jc_mi_opts o;
        jc_mi_opts_init(&o);
        o.k = (int)k[i];
        o.seed = (uint32_t)seed[i];
        o.discrete = discrete;
        double got[16];
        assert_int_equal(jc_mutual_info(x, n, p, y, &o, got), JC_OK);
        for (size_t j = 0; j < p; j++) {
            if (fabs(got[j] - mi[i + j]) > MI_TOL)
                fail_msg("%s feature %zu (%c): MI %.17g, scikit-learn %.17g", name, j, kinds[j], got[j], mi[i + j]);
            worst = fmax(worst, fabs(got[j] - mi[i + j]));
        }
        i += p;
        free(x);
        free(y);
        jc_table_free(t);
    }
    printf("# MI: %zu cases, largest difference from scikit-learn %.2e nats\n", ncases, worst);
    jc_table_free(ref);
}

/* Edges: too few rows for k neighbours is NaN; a discrete feature whose
 * every value is unique carries no estimate (0, as scikit-learn); k < 1 is
 * an error. */
static void test_mutual_info_edges(void **state)
{
    (void)state;
    double x[5] = {1, 2, 3, 4, 5}, y[5] = {2, 1, 4, 3, 5}, mi;
    jc_mi_opts o;
    jc_mi_opts_init(&o);
    assert_int_equal(jc_mutual_info(x, 5, 1, y, &o, &mi), JC_OK);
    assert_true(isnan(mi)); /* k = 5 needs 6 rows */
    o.k = 4;
    assert_int_equal(jc_mutual_info(x, 5, 1, y, &o, &mi), JC_OK);
    assert_true(isfinite(mi) && mi >= 0);
    unsigned char d = 1;
    o.discrete = &d;
    assert_int_equal(jc_mutual_info(x, 5, 1, y, &o, &mi), JC_OK);
    assert_true(mi == 0);
    o.k = 0;
    assert_int_equal(jc_mutual_info(x, 5, 1, y, &o, &mi), JC_ERR_INVALID);
}

/* The seed's selection on the Zeus table with blanked cells: rows used,
 * Pearson as scipy on the rows left, MI as scikit-learn where nothing is
 * missing, and the rule applied to them. */
static void test_select_missing(void **state)
{
    (void)state;
    jc_table *t = oracle_read(dir, "select_zeus.csv"), *ref = oracle_read(dir, "select_ref.csv");
    assert_non_null(t);
    assert_non_null(ref);
    double *x, *y;
    size_t n, p;
    as_matrix(t, &x, &y, &n, &p);
    unsigned char discrete[3] = {1, 1, 0};
    jc_select_opts o;
    jc_select_opts_init(&o);
    o.mi.discrete = discrete;
    jc_feature_score s[3];
    assert_int_equal(jc_select_features(x, n, p, y, &o, s), JC_OK);
    const double *rn = jc_table_column_values(ref, 1), *rr = jc_table_column_values(ref, 2);
    const double *rp = jc_table_column_values(ref, 3), *rmi = jc_table_column_values(ref, 4);
    for (size_t j = 0; j < p; j++) {
        assert_int_equal(s[j].n, (size_t)rn[j]);
        assert_true(rel_close(s[j].r, rr[j], PEARSON_TOL));
        assert_true(rel_close(s[j].p_value, rp[j], PEARSON_TOL));
        if (!isnan(rmi[j]))
            assert_true(fabs(s[j].mi - rmi[j]) <= MI_TOL);
        else
            assert_true(isfinite(s[j].mi));
        assert_int_equal(s[j].selected, fabs(s[j].r) > 0.3 || s[j].mi > 0.3);
    }
    /* MI passes all three (0.36, 0.77, ~1.1 nats); |r| only power limit
     * (-0.26, 0.50, 0.08) */
    assert_true(s[0].selected && s[1].selected && s[2].selected);
    o.rule = JC_SELECT_BOTH;
    assert_int_equal(jc_select_features(x, n, p, y, &o, s), JC_OK);
    assert_true(!s[0].selected && s[1].selected && !s[2].selected);
    o.rule = JC_SELECT_PEARSON;
    assert_int_equal(jc_select_features(x, n, p, y, &o, s), JC_OK);
    assert_true(!s[0].selected && s[1].selected && !s[2].selected);
    o.rule = JC_SELECT_MI;
    o.threshold = 0.5;
    assert_int_equal(jc_select_features(x, n, p, y, &o, s), JC_OK);
    assert_true(!s[0].selected && s[1].selected && s[2].selected);
    free(x);
    free(y);
    jc_table_free(t);
    jc_table_free(ref);
}

/* log(x) for a heavy-tailed column: the scores of the oracle's own
 * log(time_per_epoch) columns, from the raw column with the log flag. */
static void test_select_log(void **state)
{
    (void)state;
    jc_table *t = NULL, *ref = oracle_read(dir, "mi_ref.csv"), *pr = oracle_read(dir, "pearson_ref.csv");
    assert_int_equal(jc_table_read_csv(JC_TEST_DATA "/learn/zeus_a40_power.csv", &t), JC_OK);
    assert_non_null(ref);
    assert_non_null(pr);
    size_t n = jc_table_nrows(t);
    int cols[4] = {jc_table_find(t, "batch_size"), jc_table_find(t, "power_limit"),
                   jc_table_find(t, "time_per_epoch"), jc_table_find(t, "time_per_epoch")};
    double *x = malloc(n * 4 * sizeof *x);
    for (size_t j = 0; j < 4; j++)
        for (size_t i = 0; i < n; i++)
            x[i * 4 + j] = jc_table_column_values(t, cols[j])[i];
    const double *y = jc_table_column_values(t, jc_table_find(t, "average_power"));
    unsigned char discrete[4] = {1, 1, 0, 0}, logs[4] = {0, 0, 0, 1};
    jc_select_opts o;
    jc_select_opts_init(&o);
    o.mi.discrete = discrete;
    o.log = logs;
    jc_feature_score s[4];
    assert_int_equal(jc_select_features(x, n, 4, y, &o, s), JC_OK);
    /* mi_ref rows of case "zeus" (the same features, k 5, seed 42) */
    size_t row = 0;
    while (strcmp(jc_table_text(ref, row, 0), "zeus") != 0)
        row++;
    for (size_t j = 0; j < 4; j++)
        assert_true(fabs(s[j].mi - jc_table_column_values(ref, 5)[row + j]) <= MI_TOL);
    /* pearson case 14 is log(time_per_epoch) against average power */
    assert_true(rel_close(s[3].r, jc_table_column_values(pr, 2)[14], PEARSON_TOL));
    /* a log of a non-positive value is refused */
    x[4 * 7 + 0] = 0;
    logs[0] = 1;
    assert_int_equal(jc_select_features(x, n, 4, y, &o, s), JC_ERR_INVALID);
    assert_non_null(strstr(jc_last_error(), "row 8"));
    free(x);
    jc_table_free(t);
    jc_table_free(ref);
    jc_table_free(pr);
}

static void test_rule_names(void **state)
{
    (void)state;
    for (int r = JC_SELECT_EITHER; r <= JC_SELECT_MI; r++)
        assert_int_equal(jc_select_rule_parse(jc_select_rule_name((jc_select_rule)r)), r);
    assert_int_equal(jc_select_rule_parse("any"), -1);
    assert_int_equal(jc_select_rule_parse(NULL), -1);
}

int main(void)
{
    int rc = oracle_run("select_oracle.py", dir);
    if (rc != 0)
        return rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beta_inc),      cmocka_unit_test(test_pearson),
        cmocka_unit_test(test_mutual_info),   cmocka_unit_test(test_mutual_info_edges),
        cmocka_unit_test(test_select_missing), cmocka_unit_test(test_select_log),
        cmocka_unit_test(test_rule_names),
    };
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    oracle_cleanup(dir);
    return rc;
}
