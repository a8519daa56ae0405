/* forecast: the square wave's arithmetic against the first seed's Table 5,
 * prediction from a model file (features by name, GPU features, flat
 * models, intervals from bootstrap members, warnings outside the training
 * ranges), HC x MACs and calibration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/forecast.h"

static void test_seed_table5(void **state)
{
    (void)state;
    /* 62.23 W for 6.41 s and 291.06 W for 182.58 s on 4 GPUs: about 27.2 kWh
     * a day per server, 27,200 kWh for 1000 servers, 13.6 kg and 13,600 kg
     * of CO2 at 0.5 kg/kWh */
    jc_wave w;
    jc_wave_init(&w);
    w.valley_w = 62.23;
    w.valley_s = 6.41;
    w.peak_w = 291.06;
    w.peak_s = 182.58;
    w.gpus = 4;
    w.servers = 1000;
    w.epochs = 10;
    w.price_per_kwh = 0.2;
    jc_wave_figures f;
    assert_int_equal(jc_wave_figures_of(&w, &f), JC_OK);
    assert_true(fabs(f.cycle_s - 188.99) < 1e-9);
    assert_true(fabs(f.daily_server_kwh - 27.2) < 0.05);
    assert_true(fabs(f.daily_all_kwh - 27200) < 50);
    assert_true(fabs(f.co2_daily_server_kg - 13.6) < 0.03);
    assert_true(fabs(f.co2_daily_all_kg - 13600) < 30);
    double cycle_j = 62.23 * 6.41 + 291.06 * 182.58;
    assert_true(fabs(f.energy_gpu_j - 10 * cycle_j) < 1e-6);
    assert_true(fabs(f.energy_all_j - 10 * cycle_j * 4000) < 1e-3);
    assert_true(fabs(f.duration_s - 1889.9) < 1e-9);
    assert_true(fabs(f.cost_daily_all - 0.2 * f.daily_all_kwh) < 1e-9);
    assert_true(fabs(f.duty - 182.58 / 188.99) < 1e-12);
    w.peak_s = w.valley_s = 0;
    assert_int_equal(jc_wave_figures_of(&w, &f), JC_ERR_INVALID);
    jc_wave_init(&w);
    w.peak_w = -1;
    w.peak_s = 1;
    assert_int_equal(jc_wave_figures_of(&w, &f), JC_ERR_INVALID);
}

/* A model whose four targets are linear in batch_size and gpu_tdp_w. */
static void make_model(jc_model *m, int members)
{
    enum { N = 60 };
    static const char *names[4] = {"peak_power_w", "peak_s", "valley_power_w", "valley_s"};
    char *feats[2] = {"batch_size", "gpu_tdp_w"};
    double x[N * 2], y[N];
    memset(m, 0, sizeof *m);
    m->ntargets = 4;
    m->targets = calloc(4, sizeof *m->targets);
    jc_regressor_opts o;
    jc_regressor_opts_init(&o);
    jc_rng r;
    jc_rng_seed(&r, 3);
    for (int k = 0; k < 4; k++) {
        for (int i = 0; i < N; i++) {
            x[i * 2] = 16 + 8 * (i % 16);
            x[i * 2 + 1] = i % 2 ? 350 : 300;
            double base[4] = {0.5 * x[i * 2 + 1] + 0.1 * x[i * 2], 100 + x[i * 2], 60, 5};
            y[i] = base[k] * (1 + 0.02 * jc_rng_normal(&r));
        }
        assert_int_equal(jc_model_target_fit(&m->targets[k], names[k], feats, NULL, 2, x, N, y, "ols", &o, 0), JC_OK);
        assert_int_equal(jc_model_target_note_seen(&m->targets[k], 0, "NVIDIA GeForce RTX 3090"), JC_OK);
        assert_int_equal(jc_model_target_note_seen(&m->targets[k], 1, "resnet50"), JC_OK);
        if (members)
            assert_int_equal(jc_model_target_bootstrap(&m->targets[k], x, N, y, "ols", &o, members, 9), JC_OK);
    }
}

static void test_predict(void **state)
{
    (void)state;
    jc_model m;
    make_model(&m, 20);
    jc_gpu_table *gt;
    assert_int_equal(jc_gpu_table_load(NULL, &gt), JC_OK);
    jc_task t;
    jc_task_init(&t);
    t.arch = "resnet50";
    t.batch_size = 64;
    t.gpu = "RTX 3090";
    t.epochs = 10;
    jc_wave counts;
    jc_wave_init(&counts);
    jc_forecast f;
    assert_int_equal(jc_forecast_predict(&m, &t, gt, &counts, &f), JC_OK);
    assert_non_null(f.gpu);
    double tdp = f.gpu->tdp_w;
    assert_true(fabs(f.wave.peak_w - (0.5 * tdp + 6.4)) < 0.03 * (0.5 * tdp + 6.4));
    assert_true(fabs(f.wave.peak_s - 164) < 0.03 * 164);
    assert_int_equal(f.wave.epochs, 10);
    assert_false(f.flat);
    assert_true(f.params > 2.5e7 && f.flops > 8e9);  /* ResNet-50 from the zoo */
    assert_int_equal(f.members, 20);
    assert_true(f.lo.energy_gpu_j <= f.fig.energy_gpu_j * 1.001 && f.fig.energy_gpu_j <= f.hi.energy_gpu_j * 1.001);
    assert_true(f.hi.energy_gpu_j > f.lo.energy_gpu_j);
    assert_int_equal(f.nwarnings, 0);
    jc_forecast_free(&f);

    /* outside: a batch beyond the range, an unseen GPU and network */
    t.batch_size = 4096;
    t.gpu = "A40";
    t.arch = "vgg16";
    assert_int_equal(jc_forecast_predict(&m, &t, gt, &counts, &f), JC_OK);
    int range = 0, gpu = 0, arch = 0;
    for (size_t i = 0; i < f.nwarnings; i++) {
        range |= strstr(f.warnings[i], "batch_size = 4096 is outside") != NULL;
        gpu |= strstr(f.warnings[i], "not fitted on A40") != NULL;
        arch |= strstr(f.warnings[i], "not fitted on vgg16") != NULL;
    }
    assert_true(range && gpu && arch);
    jc_forecast_free(&f);

    /* a feature the task lacks */
    t.batch_size = NAN;
    assert_int_equal(jc_forecast_predict(&m, &t, gt, &counts, &f), JC_ERR_INVALID);
    assert_non_null(strstr(jc_last_error(), "'batch_size' (--batch N)"));
    jc_gpu_table_free(gt);
    jc_model_free(&m);
}

static void test_hc_and_calibration(void **state)
{
    (void)state;
    double macs[5] = {1e12, 2e12, 5e12, 1e13, 3e13}, e[5];
    for (int i = 0; i < 5; i++)
        e[i] = 5.9e-11 * macs[i];
    jc_hc_fit h;
    assert_int_equal(jc_hc_fit_runs(e, macs, 5, &h), JC_OK);
    assert_true(fabs(h.hc_j_per_mac - 5.9e-11) < 1e-22);
    assert_true(fabs(h.loglog_slope - 1) < 1e-12 && h.r2 > 1 - 1e-12 && h.mre < 1e-12);
    e[0] = -1;
    assert_int_equal(jc_hc_fit_runs(e, macs, 5, &h), JC_ERR_INVALID);

    /* the new GPU is 20 % slower than the model says */
    double p[3] = {100, 150, 200}, y[3] = {120, 181, 239};
    jc_calibration c;
    assert_int_equal(jc_calibrate_scale(p, y, 3, 0, &c), JC_OK);
    assert_true(fabs(c.scale - 1.2) < 0.01);
    assert_true(c.mre_before > 0.15 && c.mre_after < 0.01 && c.mre_after_loo < 0.02);
    /* the prior pulls towards 1 */
    jc_calibration c1;
    assert_int_equal(jc_calibrate_scale(p, y, 3, 3, &c1), JC_OK);
    assert_true(c1.scale > 1.05 && c1.scale < c.scale);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_table5),
        cmocka_unit_test(test_predict),
        cmocka_unit_test(test_hc_and_calibration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
