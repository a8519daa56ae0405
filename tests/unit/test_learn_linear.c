/* learn/linear.c against scikit-learn (tests/oracles/linear_oracle.py, run at
 * test time): OLS, ridge and lasso coefficients and intercepts at every alpha
 * of the seed's grid on random, rank-deficient, wide and real data; the
 * 5-fold alpha search against GridSearchCV on the same folds; JSON round
 * trips with bit-identical predictions; bad models and options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/learn.h"
#include "oracle.h"

/* Coefficients, intercepts and CV errors within 1e-6 of scikit-learn's
 * (relative above 1). Measured: 9e-16 for OLS, 2e-11 for ridge (SVD here,
 * Cholesky there), 4e-9 for the lasso (both sides stop at a duality gap, not
 * at the optimum itself), 3e-10 for the mean CV errors. */
#define COEF_TOL 1e-6

static char dir[256];

/* A data set lin_<name>.csv: columns x0..x{p-1}, then y. */
typedef struct {
    double *x, *y;
    size_t n, p;
} dataset;

static void load_set(const char *name, dataset *d)
{
    char file[128];
    snprintf(file, sizeof file, "lin_%s.csv", name);
    jc_table *t = oracle_read(dir, file);
    assert_non_null(t);
    d->n = jc_table_nrows(t);
    d->p = (size_t)jc_table_ncols(t) - 1;
    d->x = malloc(d->n * d->p * sizeof *d->x);
    d->y = malloc(d->n * sizeof *d->y);
    assert_non_null(d->x);
    assert_non_null(d->y);
    for (size_t j = 0; j <= d->p; j++) {
        const double *v = jc_table_column_values(t, (int)j);
        for (size_t i = 0; i < d->n; i++) {
            if (j < d->p)
                d->x[i * d->p + j] = v[i];
            else
                d->y[i] = v[i];
        }
    }
    jc_table_free(t);
}

static void free_set(dataset *d)
{
    free(d->x);
    free(d->y);
}

static jc_regressor *fit_kind(const char *kind, const dataset *d, const double *alphas, size_t nalphas,
                              uint64_t seed)
{
    jc_regressor_opts o;
    jc_regressor_opts_init(&o);
    o.alphas = alphas;
    o.nalphas = nalphas;
    o.seed = seed;
    jc_regressor *r = NULL;
    assert_int_equal(jc_regressor_new(kind, &o, &r), JC_OK);
    int rc = jc_regressor_fit(r, d->x, d->n, d->p, d->y);
    if (rc != JC_OK)
        fail_msg("%s fit: %s", kind, jc_last_error());
    return r;
}

/* The fitted model's own JSON, parsed: the place intercept, coef, alpha and
 * the CV record can be read from without reaching into the state. */
static json_t *model_json(const jc_regressor *r)
{
    char *text = NULL;
    assert_int_equal(jc_regressor_to_json(r, &text), JC_OK);
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    free(text);
    assert_non_null(root);
    return root;
}

/* Every (dataset, model, alpha) block of lin_ref.csv: fit at that alpha
 * alone and compare each term. */
static void test_coefficients(void **state)
{
    (void)state;
    jc_table *ref = oracle_read(dir, "lin_ref.csv");
    assert_non_null(ref);
    const double *alpha = jc_table_column_values(ref, jc_table_find(ref, "alpha"));
    const double *value = jc_table_column_values(ref, jc_table_find(ref, "value"));
    int cset = jc_table_find(ref, "dataset"), cmodel = jc_table_find(ref, "model");
    double worst[3] = {0, 0, 0};
    const char *names[3] = {"ols", "ridge", "lasso"};
    size_t nrows = jc_table_nrows(ref), blocks = 0;
    for (size_t i = 0; i < nrows;) {
        const char *set = jc_table_text(ref, i, cset), *kind = jc_table_text(ref, i, cmodel);
        dataset d;
        load_set(set, &d);
        jc_regressor *r = fit_kind(kind, &d, &alpha[i], 1, 1);
        json_t *root = model_json(r), *m = json_object_get(root, "model");
        int k = !strcmp(kind, "ols") ? 0 : !strcmp(kind, "ridge") ? 1 : 2;
        /* rows: intercept, then coef0..coef{p-1} */
        double got = json_number_value(json_object_get(m, "intercept"));
        if (!oracle_close(got, value[i], COEF_TOL))
            fail_msg("%s %s alpha %g: intercept %.17g, sklearn %.17g", set, kind, alpha[i], got, value[i]);
        worst[k] = fmax(worst[k], oracle_err(got, value[i]));
        for (size_t j = 0; j < d.p; j++) {
            double want = value[i + 1 + j];
            got = json_number_value(json_array_get(json_object_get(m, "coef"), j));
            if (!oracle_close(got, want, COEF_TOL))
                fail_msg("%s %s alpha %g: coef %zu %.17g, sklearn %.17g", set, kind, alpha[i], j, got, want);
            worst[k] = fmax(worst[k], oracle_err(got, want));
        }
        json_decref(root);
        i += 1 + d.p;
        blocks++;
        jc_regressor_free(r);
        free_set(&d);
    }
    for (int k = 0; k < 3; k++)
        printf("# %-5s largest difference from scikit-learn: %.2e\n", names[k], worst[k]);
    printf("# %zu fits compared\n", blocks);
    jc_table_free(ref);
}

/* The default grid searched by 5-fold CV on jc_cv_grid_search's folds: every
 * alpha's mean validation MSE as GridSearchCV's on the same folds, and the
 * same alpha chosen. */
static void test_grid_search(void **state)
{
    (void)state;
    jc_table *cv = oracle_read(dir, "lin_cv.csv");
    assert_non_null(cv);
    int cset = jc_table_find(cv, "dataset"), cmodel = jc_table_find(cv, "model");
    const double *seed = jc_table_column_values(cv, jc_table_find(cv, "seed"));
    const double *alpha = jc_table_column_values(cv, jc_table_find(cv, "alpha"));
    const double *mse = jc_table_column_values(cv, jc_table_find(cv, "mean_mse"));
    const double *chosen = jc_table_column_values(cv, jc_table_find(cv, "chosen"));
    size_t nrows = jc_table_nrows(cv), searches = 0;
    double worst = 0;
    for (size_t i = 0; i < nrows; i += 6, searches++) {
        const char *set = jc_table_text(cv, i, cset), *kind = jc_table_text(cv, i, cmodel);
        dataset d;
        load_set(set, &d);
        jc_regressor *r = fit_kind(kind, &d, NULL, 0, (uint64_t)seed[i]);
        json_t *root = model_json(r), *m = json_object_get(root, "model");
        json_t *grid = json_object_get(m, "cv_alphas"), *gmse = json_object_get(m, "cv_mse");
        assert_int_equal(json_array_size(grid), 6);
        assert_int_equal(json_integer_value(json_object_get(m, "cv_folds")), 5);
        for (size_t g = 0; g < 6; g++) {
            assert_true(json_number_value(json_array_get(grid, g)) == alpha[i + g]);
            double got = json_number_value(json_array_get(gmse, g));
            if (!oracle_close(got, mse[i + g], COEF_TOL))
                fail_msg("%s %s alpha %g: CV MSE %.17g, GridSearchCV %.17g", set, kind, alpha[i + g], got,
                         mse[i + g]);
            worst = fmax(worst, oracle_err(got, mse[i + g]));
            if (chosen[i + g] == 1 && json_number_value(json_object_get(m, "alpha")) != alpha[i + g])
                fail_msg("%s %s: chose alpha %g, GridSearchCV %g", set, kind,
                         json_number_value(json_object_get(m, "alpha")), alpha[i + g]);
        }
        char *text = jc_regressor_describe(r);
        assert_non_null(strstr(text, "by 5-fold CV"));
        free(text);
        json_decref(root);
        jc_regressor_free(r);
        free_set(&d);
    }
    printf("# %zu searches; largest CV MSE difference from GridSearchCV: %.2e\n", searches, worst);
    jc_table_free(cv);
}

/* Save, load, predict: the same doubles, bit for bit, and the same text. */
static void test_round_trip(void **state)
{
    (void)state;
    const char *sets[] = {"zeus", "random"}, *kinds[] = {"ols", "ridge", "lasso"};
    for (int s = 0; s < 2; s++) {
        dataset d;
        load_set(sets[s], &d);
        double *a = malloc(d.n * sizeof *a), *b = malloc(d.n * sizeof *b);
        for (int k = 0; k < 3; k++) {
            jc_regressor *r = fit_kind(kinds[k], &d, NULL, 0, 3), *back = NULL;
            char *text = NULL;
            assert_int_equal(jc_regressor_to_json(r, &text), JC_OK);
            assert_int_equal(jc_regressor_from_json(text, &back), JC_OK);
            assert_string_equal(jc_regressor_kind(back), kinds[k]);
            assert_int_equal(jc_regressor_nfeatures(back), d.p);
            assert_int_equal(jc_regressor_predict(r, d.x, d.n, a), JC_OK);
            assert_int_equal(jc_regressor_predict(back, d.x, d.n, b), JC_OK);
            assert_memory_equal(a, b, d.n * sizeof *a);
            char *da = jc_regressor_describe(r), *db = jc_regressor_describe(back);
            assert_string_equal(da, db);
            assert_non_null(strstr(da, "intercept"));
            if (k > 0)
                assert_non_null(strstr(da, "alpha"));
            /* the random set is linear plus noise of sd 0.5 */
            if (s == 1)
                assert_true(jc_metric_r2(d.y, a, d.n) > 0.9);
            free(da);
            free(db);
            free(text);
            jc_regressor_free(r);
            jc_regressor_free(back);
        }
        free(a);
        free(b);
        free_set(&d);
    }
}

/* A model file with a wrong coefficient count or a missing alpha, and
 * alphas that make no sense, are errors that say what is wrong. */
static void test_errors(void **state)
{
    (void)state;
    jc_regressor *r = NULL;
    assert_int_equal(jc_regressor_from_json("{\"kind\": \"ridge\", \"nfeatures\": 2, \"model\": "
                                            "{\"intercept\": 1, \"coef\": [1], \"alpha\": 1}}",
                                            &r),
                     JC_ERR_PARSE);
    assert_null(r);
    assert_non_null(strstr(jc_last_error(), "coef"));
    assert_int_equal(jc_regressor_from_json("{\"kind\": \"lasso\", \"nfeatures\": 1, \"model\": "
                                            "{\"intercept\": 1, \"coef\": [1]}}",
                                            &r),
                     JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "alpha"));
    assert_int_equal(jc_regressor_from_json("{\"kind\": \"ols\", \"nfeatures\": 2, \"model\": "
                                            "{\"intercept\": 1, \"coef\": [1, \"x\"]}}",
                                            &r),
                     JC_ERR_PARSE);
    /* a hand-written model with integer numbers loads */
    assert_int_equal(jc_regressor_from_json("{\"kind\": \"ols\", \"nfeatures\": 2, \"model\": "
                                            "{\"intercept\": 1, \"coef\": [2, 3]}}",
                                            &r),
                     JC_OK);
    double x[2] = {10, 100}, yhat;
    assert_int_equal(jc_regressor_predict(r, x, 1, &yhat), JC_OK);
    assert_true(yhat == 321);
    jc_regressor_free(r);

    dataset d;
    load_set("random", &d);
    double bad[] = {0.1, -1};
    jc_regressor_opts o;
    jc_regressor_opts_init(&o);
    o.alphas = bad;
    o.nalphas = 2;
    assert_int_equal(jc_regressor_new("ridge", &o, &r), JC_OK);
    assert_int_equal(jc_regressor_fit(r, d.x, d.n, d.p, d.y), JC_ERR_INVALID);
    assert_non_null(strstr(jc_last_error(), "alpha"));
    assert_int_equal(jc_regressor_nfeatures(r), 0);
    jc_regressor_free(r);
    /* more folds than rows */
    o.alphas = NULL;
    o.cv_folds = 5;
    assert_int_equal(jc_regressor_new("lasso", &o, &r), JC_OK);
    assert_int_equal(jc_regressor_fit(r, d.x, 4, d.p, d.y), JC_ERR_INVALID);
    assert_non_null(strstr(jc_last_error(), "folds"));
    jc_regressor_free(r);
    free_set(&d);
}

int main(void)
{
    int rc = oracle_run("linear_oracle.py", dir);
    if (rc != 0)
        return rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coefficients),
        cmocka_unit_test(test_grid_search),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_errors),
    };
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    oracle_cleanup(dir);
    return rc;
}
