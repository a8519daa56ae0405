/* learn, runs dataset: the Zeus and seaa2023 importers on real excerpts
 * (tests/data/learn/zeus_a40_power.csv, tests/data/learn/seaa_runs.csv with
 * the run-0 traces of tests/data/seaa2023/), what each source column becomes,
 * the seaa2023 epoch correction, errors that name FILE:LINE:COL, and
 * `build` on hand-made recording folders (meta keys, aliases, errors). The
 * fake-GPU recordings and the full shared data are in
 * tests/e2e/test_dataset*.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "joulecast/arch.h"
#include "joulecast/learn.h"
#include "joulecast/table.h"

#define ZEUS JC_TEST_DATA "/learn/zeus_a40_power.csv"
#define SEAA JC_TEST_DATA "/learn/seaa_runs.csv"
#define SEAA_TRACES JC_TEST_DATA "/seaa2023"

/* ---------- helpers ---------- */

static int col(const jc_table *t, const char *name)
{
    int c = jc_table_find(t, name);
    if (c < 0)
        fail_msg("no column '%s'", name);
    return c;
}

static double num(const jc_table *t, size_t row, const char *name)
{
    return jc_table_column_values(t, col(t, name))[row];
}

static const char *text(const jc_table *t, size_t row, const char *name)
{
    return jc_table_text(t, row, col(t, name));
}

/* The row whose run_id is id. */
static size_t row_of(const jc_table *t, const char *id)
{
    for (size_t i = 0; i < jc_table_nrows(t); i++)
        if (!strcmp(text(t, i, "run_id"), id))
            return i;
    fail_msg("no run '%s'", id);
    return 0;
}

static void expect_error(int rc, int status, const char *want)
{
    if (rc != status || !strstr(jc_last_error(), want))
        fail_msg("expected status %d and '%s', got %d: '%s'", status, want, rc, jc_last_error());
}

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/jc_dataset_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text_)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text_, f);
    fclose(f);
}

static char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* ---------- schema ---------- */

static void test_columns(void **state)
{
    (void)state;
    const char *const *c = jc_runs_columns();
    size_t n = 0;
    while (c[n])
        n++;
    assert_int_equal(n, 24);
    assert_string_equal(c[0], "source");
    assert_string_equal(c[n - 1], "avg_power_w");
    /* The four square-wave targets of the first seed are there. */
    const char *want[] = {"peak_power_w", "peak_s", "valley_power_w", "valley_s", "flops", "params"};
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found |= !strcmp(c[i], want[w]);
        assert_true(found);
    }
}

/* ---------- Zeus ---------- */

static void test_zeus(void **state)
{
    (void)state;
    const char *paths[] = {ZEUS};
    jc_table *t = NULL;
    assert_int_equal(jc_runs_import_zeus(paths, 1, NULL, &t), JC_OK);
    assert_int_equal(jc_table_nrows(t), 453);
    assert_int_equal(jc_table_ncols(t), 24);

    /* First line: cifar100,shufflenetv2,1024,adadelta,100,27.130000000000003,106.88881213499654 */
    size_t r = row_of(t, "a40-cifar100-shufflenetv2-b1024-adadelta-100W");
    assert_string_equal(text(t, r, "source"), "zeus-nsdi23");
    assert_string_equal(text(t, r, "arch"), "shufflenet_v2_x1_0");
    assert_string_equal(text(t, r, "gpu_model"), "NVIDIA A40");
    assert_string_equal(text(t, r, "dataset"), "cifar100");
    assert_string_equal(text(t, r, "optimizer"), "adadelta");
    assert_true(num(t, r, "batch_size") == 1024 && num(t, r, "power_limit_w") == 100 && num(t, r, "gpus") == 1);
    assert_true(num(t, r, "image_size") == 32 && num(t, r, "samples") == 50000);
    assert_true(num(t, r, "time_per_epoch_s") == 27.130000000000003);
    assert_true(num(t, r, "avg_power_w") == 106.88881213499654);
    assert_true(num(t, r, "epoch_energy_j") == 27.130000000000003 * 106.88881213499654);
    /* Zeus's CIFAR ShuffleNetV2 keeps 32 px through its stem: counted as
     * torchvision's at 128 px, 100 classes. */
    jc_arch_input in = {.image = 128, .classes = 100};
    jc_arch_counts c;
    assert_int_equal(jc_arch_zoo_count("shufflenet_v2_x1_0", &in, &c), JC_OK);
    assert_true(num(t, r, "params") == (double)c.params && num(t, r, "flops") == c.flops);
    /* Only one epoch was profiled: no run totals, no square wave. */
    const char *empty[] = {"epochs", "workers", "energy_j", "duration_s", "peak_power_w", "valley_s"};
    for (size_t k = 0; k < sizeof empty / sizeof empty[0]; k++)
        assert_true(isnan(num(t, r, empty[k])));

    /* BERT on SQuAD: not an image task, counted at 384 tokens. */
    for (size_t i = 0; i < jc_table_nrows(t); i++) {
        const char *ds = text(t, i, "dataset");
        if (!strcmp(ds, "squad")) {
            jc_arch_input bi = {.seq_len = 384};
            assert_int_equal(jc_arch_zoo_count("bert_base", &bi, &c), JC_OK);
            assert_string_equal(text(t, i, "arch"), "bert_base");
            assert_true(isnan(num(t, i, "image_size")) && num(t, i, "flops") == c.flops);
            assert_true(num(t, i, "samples") == 87599);
        } else if (!strcmp(ds, "librispeech")) {
            /* Not in the zoo: the name stays, the counts are empty. */
            assert_string_equal(text(t, i, "arch"), "deepspeech2");
            assert_true(isnan(num(t, i, "params")) && isnan(num(t, i, "flops")));
        } else if (!strcmp(ds, "imagenet")) {
            assert_true(num(t, i, "image_size") == 224 && num(t, i, "samples") == 1281167);
        }
    }
    jc_table_free(t);
}

static void test_zeus_gpu_option(void **state)
{
    (void)state;
    /* A file whose name tells no GPU needs --gpu. */
    char *p = tmp_path("power.csv");
    write_file(p, "dataset,network,batch_size,optimizer,power_limit,time_per_epoch,average_power\n"
                  "imagenet,resnet50,256,adadelta,225,11198.95,116.63087520008567\n");
    const char *paths[] = {p};
    jc_table *t = NULL;
    expect_error(jc_runs_import_zeus(paths, 1, NULL, &t), JC_ERR_INVALID, "--gpu");
    assert_null(t);
    jc_runs_opts o = {.gpu_model = "NVIDIA H100 80GB HBM3"};
    assert_int_equal(jc_runs_import_zeus(paths, 1, &o, &t), JC_OK);
    assert_string_equal(text(t, 0, "gpu_model"), "NVIDIA H100 80GB HBM3");
    assert_string_equal(text(t, 0, "run_id"), "nvidiah10080gbhbm3-imagenet-resnet50-b256-adadelta-225W");
    assert_true(num(t, 0, "epoch_energy_j") == 11198.95 * 116.63087520008567);
    jc_table_free(t);
    /* The option wins over the file name. */
    const char *zeus[] = {ZEUS};
    assert_int_equal(jc_runs_import_zeus(zeus, 1, &o, &t), JC_OK);
    assert_string_equal(text(t, 0, "gpu_model"), "NVIDIA H100 80GB HBM3");
    jc_table_free(t);
}

static void test_zeus_errors(void **state)
{
    (void)state;
    const char *hdr = "dataset,network,batch_size,optimizer,power_limit,time_per_epoch,average_power\n";
    char body[512];
    jc_table *t = NULL;
    char *p = tmp_path("summary_power_a40.csv");
    const char *paths[] = {p};

    snprintf(body, sizeof body, "%scifar100,shufflenetv2,128,adam,100,17.9,143.3\ncifar100,shufflenetv2,128,adam,"
                                "125,abc,143.3\n", hdr);
    write_file(p, body);
    expect_error(jc_runs_import_zeus(paths, 1, NULL, &t), JC_ERR_PARSE,
                 "summary_power_a40.csv:3:6: column 'time_per_epoch'");

    snprintf(body, sizeof body, "%scifar100,shufflenetv2,128,adam,100,17.9,-3\n", hdr);
    write_file(p, body);
    expect_error(jc_runs_import_zeus(paths, 1, NULL, &t), JC_ERR_PARSE, "summary_power_a40.csv:2:7");
    assert_non_null(strstr(jc_last_error(), "positive"));

    snprintf(body, sizeof body, "%s,shufflenetv2,128,adam,100,17.9,3\n", hdr);
    write_file(p, body);
    expect_error(jc_runs_import_zeus(paths, 1, NULL, &t), JC_ERR_PARSE, "summary_power_a40.csv:2:1: column 'dataset'");

    write_file(p, "dataset,network,batch_size,optimizer,power_limit,time_per_epoch\nx,y,1,a,1,1\n");
    expect_error(jc_runs_import_zeus(paths, 1, NULL, &t), JC_ERR_PARSE, "average_power");

    write_file(p, "dataset,network,batch_size,optimizer,power_limit,time_per_epoch,average_power\nx,y,1,a,1,1,1\n"
                  "x,y,1\n");
    expect_error(jc_runs_import_zeus(paths, 1, NULL, &t), JC_ERR_PARSE, "summary_power_a40.csv:3");

    const char *missing[] = {"/nonexistent/summary_power_a40.csv"};
    expect_error(jc_runs_import_zeus(missing, 1, NULL, &t), JC_ERR_IO, "/nonexistent/summary_power_a40.csv");
    assert_null(t);

    /* An unknown network or data set is a warning: the row is kept. */
    snprintf(body, sizeof body, "%smnist,lenet9,64,sgd,100,5,60\n", hdr);
    write_file(p, body);
    assert_int_equal(jc_runs_import_zeus(paths, 1, NULL, &t), JC_OK);
    assert_string_equal(text(t, 0, "arch"), "lenet9");
    assert_true(isnan(num(t, 0, "params")) && isnan(num(t, 0, "samples")) && num(t, 0, "epoch_energy_j") == 300);
    jc_table_free(t);
}

/* ---------- seaa2023 ---------- */

static size_t progress_calls;
static void count_progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    assert_true(done >= 1 && done <= total);
    progress_calls++;
}

static void test_seaa_traces(void **state)
{
    (void)state;
    jc_table *t = NULL;
    jc_runs_opts o = {.progress = count_progress};
    progress_calls = 0;
    assert_int_equal(jc_runs_import_seaa(SEAA, SEAA_TRACES, &o, &t), JC_OK);
    assert_int_equal(jc_table_nrows(t), 8);
    assert_true(progress_calls == 8);

    size_t r = row_of(t, "cloud-mobilenet_v2-run0");
    assert_string_equal(text(t, r, "source"), "seaa2023");
    assert_string_equal(text(t, r, "arch"), "mobilenet_v2");
    assert_string_equal(text(t, r, "gpu_model"), "NVIDIA GeForce RTX 3090");
    assert_true(num(t, r, "flops") == 0.06402816 * 1e9);
    assert_true(isnan(num(t, r, "params")));
    assert_true(num(t, r, "image_size") == 128 && num(t, r, "samples") == 23807 && num(t, r, "batch_size") == 32);
    assert_true(num(t, r, "power_limit_w") == 350 && num(t, r, "gpus") == 1);
    /* Published `trained epochs` 98 = the real count + 9. */
    assert_true(num(t, r, "epochs") == 89);
    assert_true(num(t, r, "duration_s") == 0.7347502777777778 * 3600);
    assert_true(num(t, r, "energy_j") == 0.4151704675 * 1e6);
    assert_true(num(t, r, "avg_power_w") == 156.9447597427166);
    /* The square wave of its trace (docs/analyze.md: fine-tuning peaks at
     * about 188 W over a 126 W valley, epochs of about 30 s). */
    double peak = num(t, r, "peak_power_w"), valley = num(t, r, "valley_power_w");
    if (!(peak > 170 && peak < 195 && valley > 115 && valley < 132))
        fail_msg("mobilenet_v2 run 0: peak %g W, valley %g W", peak, valley);
    double period = num(t, r, "time_per_epoch_s");
    assert_true(period > 27 && period < 33);
    assert_true(fabs(num(t, r, "peak_s") + num(t, r, "valley_s") - period) < 0.5);
    double e = num(t, r, "epoch_energy_j");
    assert_true(e > 4000 && e < 5600);

    /* ResNet-50 run 0 is at the 150 cap: the trace's count, inside 141..150. */
    r = row_of(t, "cloud-resnet50-run0");
    double ep = num(t, r, "epochs");
    if (!(ep >= 141 && ep <= 150))
        fail_msg("resnet50 run 0: epochs %g", ep);
    assert_false(isnan(num(t, r, "peak_power_w")));

    size_t with_wave = 0;
    for (size_t i = 0; i < jc_table_nrows(t); i++)
        with_wave += !isnan(num(t, i, "peak_power_w"));
    assert_int_equal(with_wave, 5); /* the five run-0 Cloud traces */
    /* No trace shipped for run 1; the Local runs have none published. */
    assert_true(isnan(num(t, row_of(t, "cloud-mobilenet_v2-run1"), "peak_power_w")));
    r = row_of(t, "local-nasnet_mobile-run0");
    assert_true(isnan(num(t, r, "peak_power_w")) && num(t, r, "power_limit_w") == 60);
    assert_string_equal(text(t, r, "gpu_model"), "NVIDIA GeForce GTX 750 Ti");
    jc_table_free(t);
}

static void test_seaa_no_traces(void **state)
{
    (void)state;
    jc_table *t = NULL;
    assert_int_equal(jc_runs_import_seaa(SEAA, NULL, NULL, &t), JC_OK);
    assert_int_equal(jc_table_nrows(t), 8);
    for (size_t i = 0; i < jc_table_nrows(t); i++)
        assert_true(isnan(num(t, i, "peak_power_w")));
    /* At the cap without a trace: the cap. */
    assert_true(num(t, row_of(t, "cloud-resnet50-run0"), "epochs") == 150);
    assert_true(num(t, row_of(t, "local-mobilenet_v2-run0"), "epochs") == 82 - 9);
    jc_table_free(t);
}

/* The excerpt with one cell replaced (line is 1-based, field 0-based). */
static void seaa_with(const char *path, int line, int field, const char *value)
{
    FILE *in = fopen(SEAA, "r"), *out = fopen(path, "w");
    assert_non_null(in);
    assert_non_null(out);
    char buf[8192];
    for (int ln = 1; fgets(buf, sizeof buf, in); ln++) {
        if (ln != line) {
            fputs(buf, out);
            continue;
        }
        char *p = buf;
        for (int f = 0; f < field; f++)
            p = strchr(p, ',') + 1;
        char *end = strchr(p, ',');
        fprintf(out, "%.*s%s%s", (int)(p - buf), buf, value, end);
    }
    fclose(in);
    fclose(out);
}

static void test_seaa_errors(void **state)
{
    (void)state;
    jc_table *t = NULL;
    char *p = tmp_path("seaa.csv");
    seaa_with(p, 4, 22, "abc"); /* batch size */
    expect_error(jc_runs_import_seaa(p, NULL, NULL, &t), JC_ERR_PARSE, "seaa.csv:4:23: column 'batch size'");
    seaa_with(p, 3, 2, "-1"); /* run */
    expect_error(jc_runs_import_seaa(p, NULL, NULL, &t), JC_ERR_PARSE, "seaa.csv:3:3: column 'run'");
    seaa_with(p, 2, 1, ""); /* architecture */
    expect_error(jc_runs_import_seaa(p, NULL, NULL, &t), JC_ERR_PARSE, "seaa.csv:2:2: column 'architecture'");
    write_file(p, "architecture,run\nvgg16,0\n");
    expect_error(jc_runs_import_seaa(p, NULL, NULL, &t), JC_ERR_PARSE, "training environment");
    expect_error(jc_runs_import_seaa("/nonexistent/seaa.csv", NULL, NULL, &t), JC_ERR_IO, "/nonexistent/seaa.csv");
    expect_error(jc_runs_import_seaa(SEAA, "/nonexistent/traces", NULL, &t), JC_ERR_IO, "/nonexistent/traces");
    assert_null(t);
}

/* ---------- build ---------- */

/* A recording folder by hand: 10 s at 100 W on one GPU, 10 Hz; run.json
 * with the given meta lines (line 6 onwards). */
static char *recording(const char *name, const char *meta)
{
    char *dir = tmp_path(name);
    mkdir(dir, 0755);
    char path[512];
    snprintf(path, sizeof path, "%s/trace.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "time_s,gpu,power_w\n");
    for (int i = 0; i <= 100; i++)
        fprintf(f, "%.1f,0,100\n", i * 0.1);
    fclose(f);
    snprintf(path, sizeof path, "%s/run.json", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\n  \"format\": \"joulecast-run\", \"version\": 1,\n  \"interval_s\": 0.1,\n"
               "  \"gpus\": [{\"index\": 0, \"name\": \"NVIDIA A800 80GB PCIe\", \"power_limit_w\": 400}],\n"
               "  \"meta\": {\n%s\n  },\n  \"complete\": true\n}\n",
            meta);
    fclose(f);
    return dir;
}

static void test_build(void **state)
{
    (void)state;
    char *a = recording("a", "    \"arch\": \"ResNet-50\",\n    \"Batch-Size\": \"128\",\n    \"image\": \"512\",\n"
                             "    \"num_workers\": \"18\",\n    \"samples\": \"100000\",\n    \"epochs\": \"3\",\n"
                             "    \"dataset\": \"imagenet\",\n    \"optimizer\": \"sgd\",\n"
                             "    \"run_id\": \"r50-512\"");
    char *b = recording("b", "    \"model\": \"mystery-net\",\n    \"params\": \"1.5e6\",\n    \"bs\": \"64\",\n"
                             "    \"unrelated\": \"x\"");
    const char *dirs[] = {a, b};
    jc_table *t = NULL;
    assert_int_equal(jc_runs_build(dirs, 2, NULL, &t), JC_OK);
    assert_int_equal(jc_table_nrows(t), 2);
    assert_string_equal(text(t, 0, "source"), "joulecast");
    assert_string_equal(text(t, 0, "run_id"), "r50-512");
    assert_string_equal(text(t, 0, "arch"), "resnet50");
    jc_arch_input in = {.image = 512};
    jc_arch_counts c;
    assert_int_equal(jc_arch_zoo_count("resnet50", &in, &c), JC_OK);
    assert_true(num(t, 0, "params") == (double)c.params && num(t, 0, "flops") == c.flops);
    assert_true(num(t, 0, "batch_size") == 128 && num(t, 0, "image_size") == 512 && num(t, 0, "workers") == 18);
    assert_true(num(t, 0, "samples") == 100000 && num(t, 0, "epochs") == 3);
    assert_string_equal(text(t, 0, "dataset"), "imagenet");
    assert_string_equal(text(t, 0, "optimizer"), "sgd");
    assert_true(num(t, 0, "gpus") == 1 && num(t, 0, "power_limit_w") == 400);
    assert_string_equal(text(t, 0, "gpu_model"), "NVIDIA A800 80GB PCIe");
    /* Flat power: energy and time, but no square wave. */
    assert_true(fabs(num(t, 0, "energy_j") - 1000) < 1e-6 && fabs(num(t, 0, "duration_s") - 10) < 1e-9);
    assert_true(fabs(num(t, 0, "avg_power_w") - 100) < 1e-9);
    assert_true(isnan(num(t, 0, "peak_power_w")) && isnan(num(t, 0, "time_per_epoch_s")));

    /* Unknown network: a warning, explicit params kept, no flops. */
    assert_string_equal(text(t, 1, "run_id"), "b");
    assert_string_equal(text(t, 1, "arch"), "mystery-net");
    assert_true(num(t, 1, "params") == 1.5e6 && isnan(num(t, 1, "flops")) && num(t, 1, "batch_size") == 64);
    assert_true(isnan(num(t, 1, "epochs")) && isnan(num(t, 1, "image_size")));
    jc_table_free(t);

    /* A trace.csv path works as its folder. */
    char tpath[512];
    snprintf(tpath, sizeof tpath, "%s/trace.csv", a);
    const char *one[] = {tpath};
    assert_int_equal(jc_runs_build(one, 1, NULL, &t), JC_OK);
    assert_string_equal(text(t, 0, "run_id"), "r50-512");
    jc_table_free(t);
}

static void test_build_errors(void **state)
{
    (void)state;
    jc_table *t = NULL;
    /* meta starts on line 6: "batch" is on line 7. */
    const char *d1[] = {recording("bad", "    \"arch\": \"vgg16\",\n    \"batch\": \"lots\"")};
    expect_error(jc_runs_build(d1, 1, NULL, &t), JC_ERR_PARSE, "run.json:7: meta 'batch'");
    const char *d2[] = {recording("frac", "    \"image\": \"22.5\"")};
    expect_error(jc_runs_build(d2, 1, NULL, &t), JC_ERR_PARSE, "run.json:6: meta 'image'");
    const char *d3[] = {recording("twice", "    \"batch\": \"32\",\n    \"batch_size\": \"64\"")};
    expect_error(jc_runs_build(d3, 1, NULL, &t), JC_ERR_PARSE, "name the same column");
    const char *d4[] = {recording("same", "    \"batch\": \"32\",\n    \"batch_size\": \"32\"")};
    assert_int_equal(jc_runs_build(d4, 1, NULL, &t), JC_OK);
    jc_table_free(t);
    t = NULL;

    char *bare = tmp_path("bare");
    mkdir(bare, 0755);
    const char *d5[] = {bare};
    expect_error(jc_runs_build(d5, 1, NULL, &t), JC_ERR_IO, "no run.json");
    const char *d6[] = {"/nonexistent/run"};
    expect_error(jc_runs_build(d6, 1, NULL, &t), JC_ERR_IO, "/nonexistent/run");

    char *broken = tmp_path("broken");
    mkdir(broken, 0755);
    char path[512];
    snprintf(path, sizeof path, "%s/run.json", broken);
    write_file(path, "{\n  \"meta\": {\"arch\": }\n}\n");
    const char *d7[] = {broken};
    expect_error(jc_runs_build(d7, 1, NULL, &t), JC_ERR_PARSE, "run.json:2:");
    assert_null(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_zeus),
        cmocka_unit_test(test_zeus_gpu_option),
        cmocka_unit_test(test_zeus_errors),
        cmocka_unit_test(test_seaa_traces),
        cmocka_unit_test(test_seaa_no_traces),
        cmocka_unit_test(test_seaa_errors),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_build_errors),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
