/* learn: the evaluation protocol (splits shared by every model, repeat
 * determinism, transfer sets, metrics), the model file (bit-identical
 * predictions after save/load, log features, training ranges), the
 * perturbation importance, the SR regressor, and the curve fits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "joulecast/learn.h"

/* y = 3 x0 - 2 x1 + 5 (+ small noise); x2 is irrelevant */
static void linear_data(size_t n, double *x, double *y, double noise)
{
    jc_rng r;
    jc_rng_seed(&r, 7);
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < 3; j++)
            x[i * 3 + j] = jc_rng_uniform(&r) * 10;
        y[i] = 3 * x[i * 3] - 2 * x[i * 3 + 1] + 5 + noise * jc_rng_normal(&r);
    }
}

static void test_evaluate_linear(void **state)
{
    (void)state;
    enum { N = 200 };
    double x[N * 3], y[N * 2];
    double yy[N];
    linear_data(N, x, yy, 0.01);
    for (size_t i = 0; i < N; i++) {
        y[i * 2] = yy[i];
        y[i * 2 + 1] = i % 10 == 0 ? NAN : 2 * yy[i];  /* a second target with missing values */
    }
    const char *targets[] = {"y", "y2"}, *models[] = {"ols", "ridge"};
    jc_eval_opts o;
    jc_eval_opts_init(&o);
    o.repeats = 5;
    jc_eval_result r;
    assert_int_equal(jc_evaluate(x, N, 3, y, 2, targets, models, 2, &o, &r), JC_OK);
    assert_int_equal(r.ntest[0], 20);  /* 10 % of 200 */
    assert_int_equal(r.ntrain[0], 180);
    assert_int_equal(r.ntest[1], 18);  /* 180 rows have y2 */
    for (size_t c = 0; c < 4; c++) {
        assert_int_equal(r.cells[c].repeats, 5);
        assert_true(r.cells[c].r2_mean > 0.9999);
        assert_true(r.cells[c].mre_mean < 0.01);
    }
    /* the same seed gives the same figures */
    jc_eval_result r2;
    assert_int_equal(jc_evaluate(x, N, 3, y, 2, targets, models, 2, &o, &r2), JC_OK);
    assert_memory_equal(r.cells[0].mse, r2.cells[0].mse, 5 * sizeof(double));
    jc_eval_result_free(&r2);
    /* another seed, other splits */
    o.seed = 43;
    assert_int_equal(jc_evaluate(x, N, 3, y, 2, targets, models, 2, &o, &r2), JC_OK);
    assert_true(r.cells[0].mse[0] != r2.cells[0].mse[0]);
    jc_eval_result_free(&r2);
    jc_eval_result_free(&r);
}

static void test_evaluate_transfer_and_errors(void **state)
{
    (void)state;
    enum { N = 100 };
    double x[N * 3], y[N];
    linear_data(N, x, y, 0.0);
    unsigned char tr[N], te[N];
    for (size_t i = 0; i < N; i++) {
        tr[i] = i < 70;
        te[i] = i >= 70;
    }
    const char *targets[] = {"y"}, *models[] = {"ols"};
    jc_eval_opts o;
    jc_eval_opts_init(&o);
    o.repeats = 2;
    o.train_rows = tr;
    o.test_rows = te;
    jc_eval_result r;
    assert_int_equal(jc_evaluate(x, N, 3, y, 1, targets, models, 1, &o, &r), JC_OK);
    assert_int_equal(r.ntrain[0], 70);
    assert_int_equal(r.ntest[0], 30);
    assert_true(r.cells[0].mse_mean < 1e-16);
    jc_eval_result_free(&r);
    const char *bad[] = {"svm"};
    assert_int_equal(jc_evaluate(x, N, 3, y, 1, targets, bad, 1, &o, &r), JC_ERR_INVALID);
    assert_non_null(strstr(jc_last_error(), "unknown model 'svm'"));
    o.train_rows = o.test_rows = NULL;
    double few[2] = {1, 2};
    assert_int_equal(jc_evaluate(x, 2, 3, few, 1, targets, models, 1, &o, &r), JC_ERR_EMPTY);
}

static void test_model_file_roundtrip(void **state)
{
    (void)state;
    enum { N = 120 };
    double x[N * 3], y[N];
    linear_data(N, x, y, 0.5);
    for (size_t i = 0; i < N; i++)
        x[i * 3 + 2] = 1 + x[i * 3 + 2];  /* > 0: taken as log */
    char *names[] = {"a", "b", "c"};
    unsigned char logs[3] = {0, 0, 1};
    jc_regressor_opts ro;
    jc_regressor_opts_init(&ro);
    jc_model m = {0};
    m.ntargets = 1;
    m.targets = calloc(1, sizeof *m.targets);
    m.data = strdup("synthetic");
    assert_int_equal(jc_model_target_fit(&m.targets[0], "y", names, logs, 3, x, N, y, "ridge", &ro, 0), JC_OK);
    assert_true(m.targets[0].train_r2 > 0.99);
    assert_true(m.targets[0].min[0] >= 0 && m.targets[0].max[0] <= 10);
    char path[] = "/tmp/jc_model_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    assert_int_equal(jc_model_save(&m, path), JC_OK);
    jc_model l;
    assert_int_equal(jc_model_load(path, &l), JC_OK);
    assert_int_equal(jc_model_find(&l, "y"), 0);
    assert_int_equal(l.targets[0].log[2], 1);
    double p1[N], p2[N];
    assert_int_equal(jc_model_target_predict(&m.targets[0], x, N, p1), JC_OK);
    assert_int_equal(jc_model_target_predict(&l.targets[0], x, N, p2), JC_OK);
    assert_memory_equal(p1, p2, sizeof p1);
    /* a logged feature must be > 0 */
    double bad[3] = {1, 1, 0};
    assert_int_equal(jc_model_target_predict(&l.targets[0], bad, 1, p1), JC_ERR_INVALID);
    /* importance: the irrelevant feature c gets almost nothing */
    double inc[3], share[3];
    double *z = malloc(sizeof x);
    for (size_t i = 0; i < N * 3; i++)
        z[i] = logs[i % 3] ? log(x[i]) : x[i];
    jc_scaler_transform(&l.targets[0].scaler, z, N);
    assert_int_equal(jc_importance(l.targets[0].reg, z, N, 3, y, 5, 1, inc, share), JC_OK);
    assert_true(share[0] > share[1] && share[1] > 0.2 && share[2] < 0.01);
    /* the same through the model target, on raw features */
    double inc2[3], share2[3];
    assert_int_equal(jc_model_target_importance(&l.targets[0], x, N, y, 5, 1, inc2, share2), JC_OK);
    for (int j = 0; j < 3; j++)
        assert_true(fabs(share2[j] - share[j]) < 1e-9);
    free(z);
    jc_model_free(&l);
    jc_model_free(&m);
    /* a file that is not a model */
    FILE *f = fopen(path, "w");
    fputs("{\"format\": \"other\"}", f);
    fclose(f);
    assert_int_equal(jc_model_load(path, &l), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "joulecast-model"));
    unlink(path);
}

static void test_sr_regressor(void **state)
{
    (void)state;
    enum { N = 150 };
    double x[N * 3], y[N];
    linear_data(N, x, y, 0.0);
    jc_regressor_opts ro;
    jc_regressor_opts_init(&ro);
    ro.sr_population = 500;
    ro.sr_generations = 15;
    ro.threads = 1;
    jc_regressor *r;
    assert_int_equal(jc_regressor_new("sr", &ro, &r), JC_OK);
    assert_int_equal(jc_regressor_fit(r, x, N, 3, y), JC_OK);
    double yhat[N];
    assert_int_equal(jc_regressor_predict(r, x, N, yhat), JC_OK);
    assert_true(jc_metric_r2(y, yhat, N) > 0.9);
    char *desc = jc_regressor_describe(r);
    assert_non_null(strstr(desc, "length"));
    free(desc);
    char *text;
    assert_int_equal(jc_regressor_to_json(r, &text), JC_OK);
    jc_regressor *back;
    assert_int_equal(jc_regressor_from_json(text, &back), JC_OK);
    double y2[N];
    assert_int_equal(jc_regressor_predict(back, x, N, y2), JC_OK);
    assert_memory_equal(yhat, y2, sizeof yhat);
    free(text);
    jc_regressor_free(back);
    /* the same seed, two threads: the same program */
    ro.threads = 2;
    jc_regressor *r2;
    assert_int_equal(jc_regressor_new("sr", &ro, &r2), JC_OK);
    assert_int_equal(jc_regressor_fit(r2, x, N, 3, y), JC_OK);
    assert_int_equal(jc_regressor_predict(r2, x, N, y2), JC_OK);
    assert_memory_equal(yhat, y2, sizeof yhat);
    jc_regressor_free(r2);
    jc_regressor_free(r);
}

static void test_curve_fits(void **state)
{
    (void)state;
    double x[8], y[8];
    for (int i = 0; i < 8; i++) {
        x[i] = 16 << i;
        y[i] = 2.5 * log(x[i]) + 7;  /* exactly logarithmic */
    }
    jc_curve_fit f[JC_CURVE_COUNT];
    jc_curve_fit_all(x, y, 8, f);
    assert_true(f[JC_CURVE_LOG].ok);
    assert_true(fabs(f[JC_CURVE_LOG].a - 2.5) < 1e-12 && fabs(f[JC_CURVE_LOG].b - 7) < 1e-10);
    assert_true(f[JC_CURVE_LOG].r2 > 1 - 1e-12);
    for (int k = 0; k < JC_CURVE_COUNT; k++)
        if (k != JC_CURVE_LOG)
            assert_true(f[k].r2 < f[JC_CURVE_LOG].r2);
    for (int i = 0; i < 8; i++)
        y[i] = 3 * pow(x[i], 0.7);
    jc_curve_fit_all(x, y, 8, f);
    assert_true(fabs(f[JC_CURVE_POWER].a - 3) < 1e-8 && fabs(f[JC_CURVE_POWER].b - 0.7) < 1e-10);
    x[0] = -1;
    jc_curve_fit_all(x, y, 8, f);
    assert_false(f[JC_CURVE_LOG].ok);
    assert_non_null(strstr(f[JC_CURVE_LOG].why, "x > 0"));
    assert_true(f[JC_CURVE_LINEAR].ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluate_linear),
        cmocka_unit_test(test_evaluate_transfer_and_errors),
        cmocka_unit_test(test_model_file_roundtrip),
        cmocka_unit_test(test_sr_regressor),
        cmocka_unit_test(test_curve_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
