/* trace: reading real and hand-written nvidia-smi and joulecast traces,
 * every kind of damage the readers must survive or report, and the signal
 * cleaning steps (resample, smooth, trim, average, energy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "joulecast/trace.h"

#define DATA JC_TEST_DATA "/seaa2023/"

static jc_trace *read_text(const char *text, const jc_trace_read_opts *o, int expect)
{
    jc_trace *tr = NULL;
    int rc = jc_trace_read_buffer("test.csv", text, strlen(text), o, &tr);
    if (rc != expect)
        fail_msg("expected status %d, got %d: %s", expect, rc, jc_last_error());
    return tr;
}

static void test_seaa_plain(void **state)
{
    (void)state;
    jc_trace *tr = NULL;
    assert_int_equal(jc_trace_read(DATA "mobilenet_v2-run0.csv", NULL, &tr), JC_OK);
    assert_int_equal(tr->format, JC_TRACE_NVSMI);
    assert_int_equal(tr->ngpu, 1);
    assert_string_equal(tr->gpus[0].name, "NVIDIA GeForce RTX 3090");
    assert_int_equal(tr->gpus[0].n, 2649);
    assert_int_equal(tr->stats.skipped, 0);
    /* 2022-12-05 09:55:42.535 */
    double t0 = 19331.0 * 86400 + 9 * 3600 + 55 * 60 + 42.535;
    assert_true(fabs(tr->t0_unix - t0) < 1e-6);
    assert_true(fabs(tr->gpus[0].power_w[0] - 119.17) < 1e-9);
    assert_true(fabs(tr->gpus[0].t[1] - 1.001) < 1e-6);
    int fi = jc_trace_field_index(tr, "gpu_memory_used");
    assert_true(fi >= 0);
    assert_true(fabs(tr->gpus[0].fields[fi] - 23573) < 1e-9);
    /* The published energy of this run: 0.4151704675 MJ (seaa2023 table, run 0). */
    jc_energy e;
    assert_int_equal(jc_trace_gpu_energy(&tr->gpus[0], 60, &e), JC_OK);
    assert_true(fabs(e.energy_j / 415170.4675 - 1) < 0.01);
    jc_trace_free(tr);
}

static void test_seaa_gzip_truncated(void **state)
{
    (void)state;
    jc_trace *tr = NULL;
    assert_int_equal(jc_trace_read(DATA "resnet50-run0.csv.gz", NULL, &tr), JC_OK);
    /* Header with units: names carry them; the cut-off last line is skipped. */
    assert_true(jc_trace_field_index(tr, "utilization_gpu_pct") >= 0);
    assert_true(jc_trace_field_index(tr, "memory_used_mib") >= 0);
    assert_true(jc_trace_field_index(tr, "power_max_limit_w") >= 0);
    assert_int_equal(tr->stats.skipped, 1);
    assert_int_equal(tr->stats.skipped_truncated, 1);
    assert_int_equal(tr->stats.first_skipped_line, 4288);
    assert_int_equal(tr->gpus[0].n, 4286);
    jc_energy e;
    assert_int_equal(jc_trace_gpu_energy(&tr->gpus[0], 60, &e), JC_OK);
    assert_true(fabs(e.energy_j / 1399893.4625 - 1) < 0.01);
    jc_trace_free(tr);
    /* Strict reading turns the damage into an error naming the line. */
    jc_trace_read_opts o = {.strict = 1};
    assert_int_equal(jc_trace_read(DATA "resnet50-run0.csv.gz", &o, &tr), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "resnet50-run0.csv.gz:4288:"));
}

static void test_multi_gpu_index_and_placeholders(void **state)
{
    (void)state;
    const char *text =
        "timestamp, index, name, power.draw [W], utilization.gpu [%], clocks.sm [MHz]\n"
        "2023/03/08 17:52:45.737, 0, NVIDIA A800 80GB PCIe, 61.20 W, 0 %, 210 MHz\n"
        "2023/03/08 17:52:45.739, 1, NVIDIA A800 80GB PCIe, 63.01 W, [N/A], 210 MHz\n"
        "2023/03/08 17:52:45.837, 0, NVIDIA A800 80GB PCIe, 301.5 W, 98 %, 1410 MHz\n"
        "2023/03/08 17:52:45.839, 1, NVIDIA A800 80GB PCIe, [Not Supported], 97 %, 1410 MHz\n"
        "2023/03/08 17:52:45.937, 0, NVIDIA A800 80GB PCIe, 305.25 W, 99 %, 1410 MHz\r\n"
        "2023/03/08 17:52:45.939, 1, NVIDIA A800 80GB PCIe, 299.75 W, 99 %, [Not Supported]\n";
    jc_trace *tr = read_text(text, NULL, JC_OK);
    assert_int_equal(tr->ngpu, 2);
    assert_string_equal(tr->gpus[0].id, "0");
    assert_string_equal(tr->gpus[1].id, "1");
    assert_int_equal(tr->gpus[0].n, 3);
    assert_int_equal(tr->gpus[1].n, 2);
    assert_int_equal(tr->stats.skipped_power, 1);
    assert_int_equal(tr->stats.first_skipped_line, 5);
    int u = jc_trace_field_index(tr, "utilization_gpu_pct"), c = jc_trace_field_index(tr, "clocks_sm_mhz");
    assert_true(u >= 0 && c >= 0);
    assert_true(isnan(tr->gpus[1].fields[0 * tr->nfields + u]));
    assert_true(isnan(tr->gpus[1].fields[1 * tr->nfields + c]));
    assert_true(fabs(tr->gpus[0].fields[2 * tr->nfields + u] - 99) < 1e-12);
    /* Absolute stamps near 1.7e9 s keep ~0.2 us precision in a double. */
    assert_true(fabs(tr->gpus[0].t[2] - 0.2) < 1e-6);
    assert_true(fabs(tr->gpus[1].t[0] - 0.002) < 1e-6);
    assert_true(fabs(tr->gpus[0].power_w[2] - 305.25) < 1e-12);
    jc_trace_free(tr);
}

static void test_uuid_instant_preferred(void **state)
{
    (void)state;
    const char *text = "timestamp, uuid, power.draw [W], power.draw.instant [W]\n"
                       "2024-01-02 03:04:05.000, GPU-aaaa, 100.0 W, 150.0 W\n"
                       "2024-01-02 03:04:05.000, GPU-bbbb, 101.0 W, 151.0 W\n"
                       "2024-01-02 03:04:05.100, GPU-aaaa, 102.0 W, 152.0 W\n";
    jc_trace *tr = read_text(text, NULL, JC_OK);
    assert_int_equal(tr->ngpu, 2);
    assert_string_equal(tr->gpus[1].id, "GPU-bbbb");
    /* The instantaneous reading wins; the 1 s average is kept as a field. */
    assert_true(fabs(tr->gpus[0].power_w[1] - 152.0) < 1e-12);
    int f = jc_trace_field_index(tr, "power_draw_w");
    assert_true(f >= 0);
    assert_true(fabs(tr->gpus[0].fields[f] - 100.0) < 1e-12);
    jc_trace_free(tr);
}

static void test_headerless(void **state)
{
    (void)state;
    /* noheader with units: time and power found from their shape. */
    const char *with_units = "2022-12-05 09:55:42.535, NVIDIA GeForce RTX 3090, 0 %, 119.17 W, 350.00 W\n"
                             "2022-12-05 09:55:43.536, NVIDIA GeForce RTX 3090, 0 %, 118.97 W, 350.00 W\n";
    jc_trace *tr = read_text(with_units, NULL, JC_OK);
    assert_int_equal(tr->gpus[0].n, 2);
    assert_true(fabs(tr->gpus[0].power_w[1] - 118.97) < 1e-12);
    jc_trace_free(tr);
    /* noheader,nounits: ambiguous without the field list... */
    const char *bare = "2022/12/05 09:55:42.535, 0, 119.17, 350.00\n"
                       "2022/12/05 09:55:43.536, 0, 118.97, 350.00\n";
    tr = read_text(bare, NULL, JC_ERR_PARSE);
    assert_null(tr);
    assert_non_null(strstr(jc_last_error(), "--columns"));
    /* ...and fine with it. */
    jc_trace_read_opts o = {.columns = "timestamp,index,power.draw,power.limit"};
    tr = read_text(bare, &o, JC_OK);
    assert_int_equal(tr->ngpu, 1);
    assert_true(fabs(tr->gpus[0].power_w[0] - 119.17) < 1e-12);
    assert_true(jc_trace_field_index(tr, "power_limit") >= 0);
    jc_trace_free(tr);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    jc_trace *tr = NULL;
    assert_int_equal(jc_trace_read("/nonexistent/trace.csv", NULL, &tr), JC_ERR_IO);
    assert_non_null(strstr(jc_last_error(), "/nonexistent/trace.csv"));
    assert_null(tr);

    tr = read_text("timestamp, name, temperature.gpu\n2022-12-05 09:55:42.535, X, 55\n", NULL, JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "test.csv:1:"));
    assert_non_null(strstr(jc_last_error(), "no power column"));

    tr = read_text("timestamp, power.draw [W]\n", NULL, JC_ERR_EMPTY);
    tr = read_text("\n\n", NULL, JC_ERR_EMPTY);

    tr = read_text("timestamp, power.draw [W]\nhello, world\n%%%, ###\n", NULL, JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "no valid samples in 2 lines"));

    const char bin[] = "\x1f\x00\x01\x02garbage";
    assert_int_equal(jc_trace_read_buffer("bin.csv", bin, sizeof bin, NULL, &tr), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "binary"));

    tr = read_text("timestamp, power.draw [W]\n"
                   "2022-12-05 09:55:42.000, 100 W\n"
                   "2022-12-05 09:55:43.000, 100 W\n"
                   "2022-12-05 09:55:41.000, 100 W\n",
                   NULL, JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "test.csv:4:"));
    assert_non_null(strstr(jc_last_error(), "backwards"));

    /* A value that is not a number, mid-file: skipped and counted. */
    tr = read_text("timestamp, power.draw [W]\n"
                   "2022-12-05 09:55:42.000, 100 W\n"
                   "2022-12-05 09:55:43.000, 1x0 W\n"
                   "2022-13-05 09:55:43.500, 100 W\n"
                   "2022-12-05 09:55:44.000, 100 W\n",
                   NULL, JC_OK);
    assert_int_equal(tr->stats.skipped_power, 1);
    assert_int_equal(tr->stats.skipped_time, 1);
    assert_int_equal(tr->gpus[0].n, 2);
    jc_trace_free(tr);
}

static void test_joulecast_roundtrip_and_run_json(void **state)
{
    (void)state;
    char dir[] = "/tmp/jc-trace-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char csv[256], json[256];
    snprintf(csv, sizeof csv, "%s/trace.csv", dir);
    snprintf(json, sizeof json, "%s/run.json", dir);
    const char *text = "time_s,gpu,power_w,util_gpu_pct\n"
                       "0.0,0,100.5,10\n0.0,1,90,\n0.1,0,200.25,95\n0.1,1,180,90\n";
    jc_trace *tr = read_text(text, NULL, JC_OK);
    assert_int_equal(tr->format, JC_TRACE_JOULECAST);
    assert_int_equal(tr->ngpu, 2);
    assert_true(isnan(tr->gpus[1].fields[0]));
    assert_int_equal(jc_trace_write_csv(tr, csv), JC_OK);
    jc_trace_free(tr);
    FILE *f = fopen(json, "w");
    fputs("{\"format\":\"joulecast-run\",\"version\":1,\"start_unix\":1700000000.5,\"interval_s\":0.1,"
          "\"gpus\":[{\"index\":0,\"name\":\"NVIDIA H100\"}],"
          "\"markers\":[{\"t_s\":0.05,\"label\":\"epoch 1\"},{\"t_s\":0.01,\"label\":\"start\"}]}",
          f);
    fclose(f);
    assert_int_equal(jc_trace_read(csv, NULL, &tr), JC_OK);
    assert_int_equal(tr->ngpu, 2);
    assert_true(fabs(tr->gpus[0].power_w[1] - 200.25) < 1e-9);
    assert_true(fabs(tr->t0_unix - 1700000000.5) < 1e-9);
    assert_true(fabs(tr->interval_s - 0.1) < 1e-12);
    assert_string_equal(tr->gpus[0].name, "NVIDIA H100");
    assert_int_equal(tr->nmarkers, 2);
    assert_string_equal(tr->markers[0].label, "start"); /* sorted by time */
    jc_trace_free(tr);
    /* A broken run.json is an error with its line and column. */
    f = fopen(json, "w");
    fputs("{\"markers\": [\n  {\"t_s\": }\n]}", f);
    fclose(f);
    assert_int_equal(jc_trace_read(csv, NULL, &tr), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "run.json:2:"));
    unlink(csv);
    unlink(json);
    rmdir(dir);
}

static void test_signal_steps(void **state)
{
    (void)state;
    /* Samples every 2 s on a ramp: resampling at 1 s interpolates exactly. */
    double t[] = {0, 2, 4, 6}, p[] = {0, 20, 40, 60};
    jc_trace_gpu g = {.id = "0", .n = 4, .t = t, .power_w = p};
    assert_true(fabs(jc_trace_gpu_median_interval(&g) - 2) < 1e-12);
    jc_signal s;
    assert_int_equal(jc_trace_gpu_resample(&g, 1.0, &s), JC_OK);
    assert_int_equal(s.n, 7);
    for (size_t i = 0; i < s.n; i++)
        assert_true(fabs(s.p[i] - 10.0 * (double)i) < 1e-12);
    /* Energy of a ramp 0..60 W over 6 s: 180 J, from raw samples and signal. */
    jc_energy e;
    assert_int_equal(jc_trace_gpu_energy(&g, 0, &e), JC_OK);
    assert_true(fabs(e.energy_j - 180) < 1e-9);
    assert_true(fabs(jc_signal_energy(&s) - 180) < 1e-9);
    /* A gap longer than max_gap_s is not bridged. */
    assert_int_equal(jc_trace_gpu_energy(&g, 1.5, &e), JC_OK);
    assert_true(e.energy_j == 0);
    /* Centred 3-point mean keeps a ramp, averages the ends over what exists. */
    assert_int_equal(jc_signal_smooth(&s, 3), JC_OK);
    assert_true(fabs(s.p[3] - 30) < 1e-12);
    assert_true(fabs(s.p[0] - 5) < 1e-12);
    assert_true(fabs(s.p[6] - 55) < 1e-12);
    jc_signal_free(&s);

    /* Trim: idle 50 W around a 300 W block. */
    double q[20];
    for (int i = 0; i < 20; i++)
        q[i] = (i >= 5 && i < 15) ? 300 : 50;
    jc_signal w = {.t0 = 100, .dt = 0.5, .n = 20, .p = malloc(sizeof q)};
    memcpy(w.p, q, sizeof q);
    size_t head, tail;
    assert_int_equal(jc_signal_trim_idle(&w, &head, &tail), JC_OK);
    assert_int_equal(head, 5);
    assert_int_equal(tail, 5);
    assert_int_equal(w.n, 10);
    assert_true(fabs(w.t0 - 102.5) < 1e-12);

    /* Average of two replicates, cut to the shorter. */
    jc_signal r2 = {.t0 = 0, .dt = 0.5, .n = 8, .p = malloc(8 * sizeof(double))};
    for (int i = 0; i < 8; i++)
        r2.p[i] = 100;
    jc_signal runs[2] = {w, r2}, mean;
    assert_int_equal(jc_signal_average(runs, 2, &mean), JC_OK);
    assert_int_equal(mean.n, 8);
    assert_true(fabs(mean.p[0] - 200) < 1e-12);
    jc_signal_free(&mean);
    r2.dt = 1.0;
    runs[1] = r2;
    assert_int_equal(jc_signal_average(runs, 2, &mean), JC_ERR_INVALID);
    jc_signal_free(&w);
    jc_signal_free(&r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seaa_plain),
        cmocka_unit_test(test_seaa_gzip_truncated),
        cmocka_unit_test(test_multi_gpu_index_and_placeholders),
        cmocka_unit_test(test_uuid_instant_preferred),
        cmocka_unit_test(test_headerless),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_joulecast_roundtrip_and_run_json),
        cmocka_unit_test(test_signal_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
