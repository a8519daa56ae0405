/* learn/gbr: gradient boosting through XGBoost. It beats a straight line on
 * a smooth nonlinear problem; a seed fixes the fit whatever the thread
 * count; the shared-prefix search shortcut equals fitting each tree count on
 * its own (the oracle: python3 xgboost is not available here); the model
 * JSON round-trips bit for bit; bad input is an error, not a crash. */
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
#include "learn/gbr.h"
#include "learn_synth.h"

enum { NTR = 459, NTE = 1000 };

typedef struct {
    double xtr[NTR * SYNTH_P], ytr[NTR], xte[NTE * SYNTH_P], yte[NTE];
} data;

static data *make_data(void)
{
    data *d = malloc(sizeof *d);
    synth_make(11, NTR, d->xtr, d->ytr);
    synth_make(12, NTE, d->xte, d->yte);
    return d;
}

static jc_regressor *fit_quick(const data *d, uint64_t seed, int threads)
{
    jc_regressor_opts o;
    jc_regressor_opts_init(&o);
    o.full_grid = 0;
    o.seed = seed;
    o.threads = threads;
    jc_regressor *r;
    assert_int_equal(jc_regressor_new("gbr", &o, &r), JC_OK);
    int rc = jc_regressor_fit(r, d->xtr, NTR, SYNTH_P, d->ytr);
    if (rc != JC_OK)
        print_message("fit: %s\n", jc_last_error());
    assert_int_equal(rc, JC_OK);
    return r;
}

static void test_beats_linear(void **state)
{
    (void)state;
    data *d = make_data();
    jc_regressor *r = fit_quick(d, 1, 0);
    double yhat[NTE];
    assert_int_equal(jc_regressor_predict(r, d->xte, NTE, yhat), JC_OK);
    double r2 = jc_metric_r2(d->yte, yhat, NTE);
    double lin = synth_linear_r2(d->xtr, d->ytr, NTR, d->xte, d->yte, NTE);
    print_message("gbr test R^2 %.4f, linear %.4f\n", r2, lin);
    /* measured: gbr 0.87, linear 0.45 */
    assert_true(r2 > 0.8);
    assert_true(r2 > lin + 0.3);
    char *desc = jc_regressor_describe(r);
    assert_non_null(strstr(desc, "200 trees"));
    free(desc);
    jc_regressor_free(r);
    free(d);
}

/* Same seed, same bits: on a refit, and with one thread or two. */
static void test_deterministic(void **state)
{
    (void)state;
    data *d = make_data();
    jc_regressor *a = fit_quick(d, 5, 1), *b = fit_quick(d, 5, 1), *c = fit_quick(d, 5, 2);
    double ya[NTE], yb[NTE], yc[NTE];
    assert_int_equal(jc_regressor_predict(a, d->xte, NTE, ya), JC_OK);
    assert_int_equal(jc_regressor_predict(b, d->xte, NTE, yb), JC_OK);
    assert_int_equal(jc_regressor_predict(c, d->xte, NTE, yc), JC_OK);
    assert_memory_equal(ya, yb, sizeof ya);
    assert_memory_equal(ya, yc, sizeof ya);
    jc_regressor_free(a);
    jc_regressor_free(b);
    jc_regressor_free(c);

    /* row subsampling draws from XGBoost's generator: still the seed's, and
     * not the thread count's, with families of the grid fitted in parallel */
    jc_gbr_params grid[] = {
        {0.1, 30, 4, 0.8}, {0.1, 60, 4, 0.8}, {0.05, 40, 3, 0.8}, {0.2, 30, 2, 0.8}, {0.1, 30, 3, 1.0},
    };
    jc_regressor_opts o;
    jc_regressor_opts_init(&o);
    double m1[5], m2[5], m3[5], m4[5];
    size_t best;
    o.threads = 1;
    assert_int_equal(jc_gbr_cv(grid, 5, 1, &o, d->xtr, NTR, SYNTH_P, d->ytr, &best, m1), JC_OK);
    o.threads = 2;
    assert_int_equal(jc_gbr_cv(grid, 5, 1, &o, d->xtr, NTR, SYNTH_P, d->ytr, &best, m2), JC_OK);
    o.threads = 3;
    assert_int_equal(jc_gbr_cv(grid, 5, 1, &o, d->xtr, NTR, SYNTH_P, d->ytr, &best, m3), JC_OK);
    o.seed = 2;
    assert_int_equal(jc_gbr_cv(grid, 5, 1, &o, d->xtr, NTR, SYNTH_P, d->ytr, &best, m4), JC_OK);
    assert_memory_equal(m1, m2, sizeof m1);
    assert_memory_equal(m1, m3, sizeof m1);
    assert_true(m1[0] != m4[0]); /* the seed does reach the subsampling */
    free(d);
}

/* The oracle for the search shortcut: fitting 400 trees and predicting with
 * the first 200 gives exactly the 200-tree fit, subsampled or not. */
static void test_prefix_equals_direct(void **state)
{
    (void)state;
    data *d = make_data();
    jc_gbr_params grid[] = {
        {0.1, 200, 3, 0.8}, {0.1, 400, 3, 0.8}, {0.05, 100, 2, 1.0}, {0.05, 200, 2, 1.0},
    };
    jc_regressor_opts o;
    jc_regressor_opts_init(&o);
    double fast[4], slow[4];
    size_t bfast, bslow;
    assert_int_equal(jc_gbr_cv(grid, 4, 1, &o, d->xtr, NTR, SYNTH_P, d->ytr, &bfast, fast), JC_OK);
    assert_int_equal(jc_gbr_cv(grid, 4, 0, &o, d->xtr, NTR, SYNTH_P, d->ytr, &bslow, slow), JC_OK);
    for (int g = 0; g < 4; g++)
        print_message("point %d: CV MSE %.9g (prefix) %.9g (direct)\n", g, fast[g], slow[g]);
    assert_memory_equal(fast, slow, sizeof fast);
    assert_int_equal(bfast, bslow);
    free(d);
}

static void test_full_grid_layout(void **state)
{
    (void)state;
    jc_gbr_params g[JC_GBR_FULL_GRID];
    assert_int_equal(jc_gbr_full_grid(g), 54);
    assert_true(g[0].learning_rate == 0.01 && g[0].trees == 200 && g[0].max_depth == 3 && g[0].subsample == 0.8);
    assert_true(g[1].trees == 400 && g[2].trees == 800 && g[3].subsample == 1.0);
    assert_true(g[53].learning_rate == 0.1 && g[53].trees == 800 && g[53].max_depth == 5 && g[53].subsample == 1.0);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    data *d = make_data();
    jc_regressor *r = fit_quick(d, 3, 0);
    char *text;
    assert_int_equal(jc_regressor_to_json(r, &text), JC_OK);
    jc_regressor *back;
    assert_int_equal(jc_regressor_from_json(text, &back), JC_OK);
    assert_string_equal(jc_regressor_kind(back), "gbr");
    assert_int_equal(jc_regressor_nfeatures(back), SYNTH_P);
    double y1[NTE], y2[NTE];
    assert_int_equal(jc_regressor_predict(r, d->xte, NTE, y1), JC_OK);
    assert_int_equal(jc_regressor_predict(back, d->xte, NTE, y2), JC_OK);
    assert_memory_equal(y1, y2, sizeof y1);
    char *d1 = jc_regressor_describe(r), *d2 = jc_regressor_describe(back);
    assert_string_equal(d1, d2);
    free(d1);
    free(d2);
    jc_regressor_free(back);
    free(text);
    jc_regressor_free(r);
    free(d);
}

/* Replace the first occurrence of `from` in text by `to` (a new string). */
static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t head = (size_t)(at - text);
    char *out = malloc(strlen(text) + strlen(to) + 1);
    memcpy(out, text, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    return out;
}

static void expect_load_error(const char *text, const char *needle)
{
    jc_regressor *r = (jc_regressor *)1;
    assert_int_not_equal(jc_regressor_from_json(text, &r), JC_OK);
    assert_null(r);
    print_message("rejected: %s\n", jc_last_error());
    assert_non_null(strstr(jc_last_error(), needle));
}

static void test_bad_input(void **state)
{
    (void)state;
    data *d = make_data();
    jc_regressor *r;
    assert_int_equal(jc_regressor_new("gbr", NULL, &r), JC_OK);
    double yhat[4];
    assert_int_not_equal(jc_regressor_predict(r, d->xte, 4, yhat), JC_OK);
    d->xtr[7] = NAN;
    assert_int_not_equal(jc_regressor_fit(r, d->xtr, NTR, SYNTH_P, d->ytr), JC_OK);
    /* the full grid needs as many rows as folds */
    assert_int_equal(jc_regressor_fit(r, d->xte, 3, SYNTH_P, d->yte), JC_ERR_INVALID);
    jc_regressor_free(r);

    r = fit_quick(&(data){0}, 1, 0); /* all zero: one constant leaf */
    assert_int_equal(jc_regressor_predict(r, d->xte, 4, yhat), JC_OK);
    assert_true(yhat[0] == 0 && yhat[3] == 0);
    char *text;
    assert_int_equal(jc_regressor_to_json(r, &text), JC_OK);
    jc_regressor_free(r);

    char *bad = replaced(text, "\"nfeatures\": 8", "\"nfeatures\": 5");
    expect_load_error(bad, "features");
    free(bad);
    bad = replaced(text, "\"trees\": 200", "\"trees\": 300");
    expect_load_error(bad, "trees");
    free(bad);
    bad = replaced(text, "\"xgboost_ubj_zlib_base64\": \"", "\"xgboost_ubj_zlib_base64\": \"!!!!");
    expect_load_error(bad, "base64");
    free(bad);
    bad = replaced(text, "\"xgboost_ubj_zlib_base64\": \"", "\"xgboost_ubj_zlib_base64\": \"AAAA");
    expect_load_error(bad, "damaged");
    free(bad);
    bad = replaced(text, "\"max_depth\"", "\"depth\"");
    expect_load_error(bad, "max_depth");
    free(bad);
    free(text);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beats_linear),         cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_prefix_equals_direct), cmocka_unit_test(test_full_grid_layout),
        cmocka_unit_test(test_json_round_trip),      cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
