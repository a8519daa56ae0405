/* forecast GPU specifications: the shipped data/gpus.csv loads and holds every
 * GPU the project needs with its figures and source; names resolve the way
 * forecast.h documents (NVML names, the Zeus and seaa2023 labels, partial
 * names, ambiguity, near misses); broken tables fail with FILE:LINE:COL;
 * JOULECAST_DATA points the loader elsewhere. */
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

#include "joulecast/forecast.h"
#include "joulecast/table.h"

static char tmpdir[64];

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/jc_test_gpus.XXXXXX");
    unsetenv("JOULECAST_DATA"); /* the shipped table, whatever the caller's shell says */
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static jc_gpu_table *shipped(void)
{
    jc_gpu_table *t = NULL;
    int rc = jc_gpu_table_load(NULL, &t);
    if (rc != JC_OK)
        fail_msg("loading the shipped table: status %d: %s", rc, jc_last_error());
    return t;
}

/* name must resolve to the GPU called want. */
static void finds(const jc_gpu_table *t, const char *name, const char *want)
{
    const jc_gpu_spec *s = jc_gpu_find(t, name);
    if (!s)
        fail_msg("'%s' should be %s: %s", name, want, jc_last_error());
    if (strcmp(s->gpu, want) != 0)
        fail_msg("'%s' found %s, wanted %s", name, s->gpu, want);
}

/* name must not resolve, with every string of want in the message. */
static void refuses(const jc_gpu_table *t, const char *name, const char *const *want)
{
    const jc_gpu_spec *s = jc_gpu_find(t, name);
    if (s)
        fail_msg("'%s' should not resolve, found %s", name, s->gpu);
    for (; *want; want++)
        if (!strstr(jc_last_error(), *want))
            fail_msg("'%s': message lacks '%s': %s", name, *want, jc_last_error());
}

static void test_shipped_loads(void **state)
{
    (void)state;
    jc_gpu_table *t = shipped();
    assert_true(jc_gpu_table_count(t) >= 25);
    const char *path = jc_gpu_table_path(t);
    assert_non_null(strstr(path, "gpus.csv"));
    assert_null(jc_gpu_table_at(t, jc_gpu_table_count(t)));
    for (size_t i = 0; i < jc_gpu_table_count(t); i++) {
        const jc_gpu_spec *s = jc_gpu_table_at(t, i);
        assert_true(s->gpu[0] && s->architecture[0] && s->nvml_names[0]);
        assert_true(s->release_year >= 2014 && s->release_year <= 2030);
        /* no figure is ever 0: missing is NaN */
        const double v[] = {s->tdp_w, s->idle_w, s->fp32_tflops, s->fp16_tensor_tflops, s->memory_gb,
                            s->memory_bandwidth_gbs};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            assert_true(isnan(v[k]) || v[k] > 0);
        /* tensor cores are never slower than the FP32 units */
        assert_true(isnan(s->fp16_tensor_tflops) || s->fp16_tensor_tflops > s->fp32_tflops);
        /* every row is its own first match */
        finds(t, s->gpu, s->gpu);
    }
    jc_gpu_table_free(t);
}

static void test_required_gpus(void **state)
{
    (void)state;
    static const char *const required[] = {
        "A100-PCIE-40GB", "A100-SXM4-80GB", "A800-PCIE-80GB", "A800-SXM4-80GB", "H100-PCIE-80GB",
        "H100-SXM5-80GB", "H800-PCIE-80GB", "H800-SXM5-80GB", "V100-PCIE-16GB", "V100-PCIE-32GB",
        "V100-SXM2-16GB", "P100-PCIE-16GB", "A40",            "L40S",           "Quadro RTX 6000",
        "RTX 2080 Ti",    "RTX 3060",       "RTX 3070",       "RTX 3090",       "RTX 4090",
        "T4",             "GTX 750 Ti",     "RTX 6000 Ada",   "L4",             "A10"};
    jc_gpu_table *t = shipped();
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const jc_gpu_spec *s = jc_gpu_find(t, required[i]);
        if (!s)
            fail_msg("%s missing: %s", required[i], jc_last_error());
        assert_string_equal(s->gpu, required[i]);
        if (!(s->tdp_w > 0 && s->fp32_tflops > 0 && s->memory_bandwidth_gbs > 0 && s->memory_gb > 0))
            fail_msg("%s: TDP, FP32, memory or bandwidth missing", s->gpu);
        if (strncmp(s->source, "https://", 8) != 0)
            fail_msg("%s: source is not a URL: '%s'", s->gpu, s->source);
    }
    /* A few figures as NVIDIA publishes them. */
    const jc_gpu_spec *a = jc_gpu_find(t, "A100-SXM4-80GB");
    assert_true(a->tdp_w == 400 && a->fp32_tflops == 19.5 && a->fp16_tensor_tflops == 312 &&
                a->memory_bandwidth_gbs == 2039);
    const jc_gpu_spec *h = jc_gpu_find(t, "H100-SXM5-80GB");
    assert_true(h->tdp_w == 700 && h->fp16_tensor_tflops == 989 && h->memory_bandwidth_gbs == 3350);
    const jc_gpu_spec *p = jc_gpu_find(t, "P100-PCIE-16GB");
    assert_true(p->fp16_tensor_tflops == 18.7 && strstr(p->note, "No tensor cores"));
    const jc_gpu_spec *m = jc_gpu_find(t, "GTX 750 Ti");
    assert_true(m->tdp_w == 60 && isnan(m->fp16_tensor_tflops));
    jc_gpu_table_free(t);
}

static void test_names(void **state)
{
    (void)state;
    static const struct {
        const char *name, *gpu;
    } cases[] = {
        /* what NVML says, with and without the brand words old drivers left out */
        {"NVIDIA GeForce RTX 3090", "RTX 3090"},
        {"GeForce RTX 3090", "RTX 3090"},
        {"rtx3090", "RTX 3090"},
        {"RTX-3090", "RTX 3090"},
        {"  rtx 3090 ", "RTX 3090"},
        {"3090", "RTX 3090"},
        {"NVIDIA A100-SXM4-80GB", "A100-SXM4-80GB"},
        {"A100-SXM4-40GB", "A100-SXM4-40GB"},
        {"NVIDIA A100 80GB PCIe", "A100-PCIE-80GB"},
        {"nvidia a100-pcie-40gb", "A100-PCIE-40GB"},
        {"NVIDIA A800-SXM4-80GB", "A800-SXM4-80GB"},
        {"NVIDIA A800 80GB PCIe", "A800-PCIE-80GB"},
        {"NVIDIA H100 80GB HBM3", "H100-SXM5-80GB"},
        {"NVIDIA H100 PCIe", "H100-PCIE-80GB"},
        {"NVIDIA H800", "H800-SXM5-80GB"},
        {"NVIDIA H800 PCIe", "H800-PCIE-80GB"},
        {"Tesla V100-SXM2-16GB", "V100-SXM2-16GB"},
        {"Tesla V100-PCIE-32GB", "V100-PCIE-32GB"},
        {"Tesla P100-PCIE-16GB", "P100-PCIE-16GB"},
        {"Tesla T4", "T4"},
        {"t4", "T4"},
        {"NVIDIA L4", "L4"},
        {"A10", "A10"},
        {"NVIDIA L40S", "L40S"},
        {"Quadro RTX 6000", "Quadro RTX 6000"},
        {"RTX 6000", "Quadro RTX 6000"},
        {"NVIDIA RTX 6000 Ada Generation", "RTX 6000 Ada"},
        {"6000 ada", "RTX 6000 Ada"},
        {"NVIDIA GeForce GTX 750 Ti", "GTX 750 Ti"},
        {"750ti", "GTX 750 Ti"},
        {"4090", "RTX 4090"},
        {"2080 Ti", "RTX 2080 Ti"},
        /* unique partial names */
        {"H100 PCIe", "H100-PCIE-80GB"},
        {"h100 sxm", "H100-SXM5-80GB"},
        {"a100 sxm4 80", "A100-SXM4-80GB"},
        {"P100", "P100-PCIE-16GB"},
        /* the labels of the shipped data sets */
        {"NVIDIA A40", "A40"},
        {"NVIDIA V100", "V100-PCIE-32GB"},
        {"nvidia v100", "V100-PCIE-32GB"},
        {"NVIDIA RTX 6000", "Quadro RTX 6000"},
        {"NVIDIA P100", "P100-PCIE-16GB"},
    };
    jc_gpu_table *t = shipped();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        finds(t, cases[i].name, cases[i].gpu);
    jc_gpu_table_free(t);
}

/* Every GPU label in the runs data sets shipped in data/ resolves. */
static void test_dataset_labels(void **state)
{
    (void)state;
    jc_gpu_table *g = shipped();
    static const char *const files[] = {"zeus_runs.csv", "seaa2023_runs.csv"};
    size_t seen = 0;
    for (size_t f = 0; f < 2; f++) {
        char path[4096];
        assert_int_equal(jc_data_path(files[f], path, sizeof path), JC_OK);
        jc_table *t = NULL;
        if (jc_table_read_csv(path, &t) != JC_OK)
            fail_msg("%s", jc_last_error());
        int col = jc_table_find(t, "gpu_model");
        assert_true(col >= 0);
        for (size_t r = 0; r < jc_table_nrows(t); r++) {
            const char *label = jc_table_text(t, r, col);
            if (!label[0])
                continue;
            if (!jc_gpu_find(g, label))
                fail_msg("%s row %zu: '%s': %s", files[f], r + 1, label, jc_last_error());
            seen++;
        }
        jc_table_free(t);
    }
    assert_true(seen > 1000);
    finds(g, "NVIDIA GeForce RTX 3090", "RTX 3090");
    jc_gpu_table_free(g);
}

static void test_ambiguous_and_unknown(void **state)
{
    (void)state;
    jc_gpu_table *t = shipped();
    /* a model with variants is never guessed */
    refuses(t, "A100",
            (const char *const[]){"'A100' could be", "A100-PCIE-40GB", "A100-SXM4-40GB", "A100-PCIE-80GB",
                                  "A100-SXM4-80GB", NULL});
    refuses(t, "V100", (const char *const[]){"V100-PCIE-16GB", "V100-PCIE-32GB", "V100-SXM2-16GB", NULL});
    refuses(t, "NVIDIA H100", (const char *const[]){"H100-PCIE-80GB", "H100-SXM5-80GB", NULL});
    refuses(t, "A100 80GB", (const char *const[]){"A100-PCIE-80GB", "A100-SXM4-80GB", NULL});
    refuses(t, "RTX 30", (const char *const[]){"RTX 3060", "RTX 3070", "RTX 3090", NULL});
    /* the A800 must not catch A100 names nor the reverse */
    const char *const a100[] = {"A100-PCIE-40GB", NULL};
    refuses(t, "A100", a100);
    assert_null(strstr(jc_last_error(), "A800"));
    /* aliases are literal: "V100" alone stays ambiguous although
     * "NVIDIA V100" is an alias */
    refuses(t, "NVIDIA-V100", (const char *const[]){"could be", NULL});
    /* near misses are suggested, far ones get the list */
    refuses(t, "RTX 3909", (const char *const[]){"no GPU called 'RTX 3909'", "did you mean", "RTX 3090", NULL});
    refuses(t, "Radeon RX 7900", (const char *const[]){"no GPU called", "known:", "GTX 750 Ti", "A10", NULL});
    refuses(t, "x", (const char *const[]){"no GPU called 'x'", NULL});
    refuses(t, "", (const char *const[]){"empty GPU name", NULL});
    refuses(t, "NVIDIA ", (const char *const[]){"empty GPU name", NULL});
    jc_gpu_table_free(t);
}

/* ---- broken tables ---- */

static const char *const HEADER = "gpu,nvml_names,aliases,architecture,release_year,tdp_w,idle_w,fp32_tflops,"
                                  "fp16_tensor_tflops,memory_gb,memory_bandwidth_gbs,note,source\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A table of HEADER + body in tmpdir/name; loading it must fail with status
 * and a message starting "PATH:" followed by where. */
static void load_fails(const char *name, const char *body, int status, const char *where, const char *what)
{
    char path[256], text[4096], want[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    snprintf(text, sizeof text, "%s%s", strncmp(body, "gpu,", 4) == 0 ? "" : HEADER, body);
    write_file(path, text);
    jc_gpu_table *t = (jc_gpu_table *)1;
    int rc = jc_gpu_table_load(path, &t);
    assert_null(t);
    snprintf(want, sizeof want, "%s:%s", path, where);
    if (rc != status || strncmp(jc_last_error(), want, strlen(want)) != 0 || !strstr(jc_last_error(), what))
        fail_msg("%s: expected status %d, '%s...' and '%s'; got %d: %s", name, status, want, what, rc,
                 jc_last_error());
}

#define ROW_3090 "RTX 3090,NVIDIA GeForce RTX 3090,,Ampere,2020,350,,35.58,71,24,936.2,,https://example.org/3090\n"

static void test_broken(void **state)
{
    (void)state;
    load_fails("no_column.csv",
               "gpu,nvml_names,architecture,release_year,idle_w,fp32_tflops,fp16_tensor_tflops,memory_gb,"
               "memory_bandwidth_gbs,note,source\nX,X,Ampere,2020,,1,,1,1,,https://x\n",
               JC_ERR_PARSE, "1: ", "no column 'tdp_w'");
    load_fails("not_a_number.csv", ROW_3090 "RTX 3070,,,Ampere,2020,22O,,20.31,40.6,8,448,,https://x\n",
               JC_ERR_PARSE, "3:6: ", "column 'tdp_w': expected a number, found '22O'");
    load_fails("negative.csv", ROW_3090 "RTX 3070,,,Ampere,2020,220,,-20.31,40.6,8,448,,https://x\n",
               JC_ERR_PARSE, "3:8: ", "column 'fp32_tflops': expected a positive number");
    load_fails("zero.csv", "RTX 3070,,,Ampere,2020,220,0,20.31,40.6,8,448,,https://x\n", JC_ERR_PARSE, "2:7: ",
               "column 'idle_w'");
    load_fails("year.csv", "RTX 3070,,,Ampere,1850,220,,20.31,40.6,8,448,,https://x\n", JC_ERR_PARSE, "2:5: ",
               "expected a year, found '1850'");
    load_fails("no_source.csv", ROW_3090 "RTX 3070,,,Ampere,2020,220,,20.31,40.6,8,448,a note,\n", JC_ERR_PARSE,
               "3:13: ", "GPU 'RTX 3070' has no source");
    load_fails("no_name.csv", ROW_3090 ",x,,Ampere,2020,220,,20.31,40.6,8,448,,https://x\n", JC_ERR_PARSE, "3:1: ",
               "a row with no name");
    /* one card under two names: the normal forms clash */
    load_fails("clash.csv", ROW_3090 "3090 again,GeForce RTX-3090,,Ampere,2020,350,,35.58,71,24,936.2,,https://x\n",
               JC_ERR_PARSE, "3:2: ", "GPU 'RTX 3090' (line 2)");
    /* an alias equal to another row's name */
    load_fails("alias_clash.csv",
               ROW_3090 "RTX 3070,,NVIDIA GeForce RTX 3090,Ampere,2020,220,,20.31,40.6,8,448,,https://x\n",
               JC_ERR_PARSE, "3:3: ", "is one GPU 'RTX 3090'");
    /* the table module's own errors keep their place */
    load_fails("short_row.csv", ROW_3090 "RTX 3070,,,Ampere,2020,220\n", JC_ERR_PARSE, "3: ", "expected 13 fields");
    load_fails("unclosed.csv", ROW_3090 "\"RTX 3070,,,Ampere,2020,220,,20.31,40.6,8,448,,https://x\n", JC_ERR_PARSE,
               "3:1: ", "never closed");
    load_fails("header_only.csv", "", JC_ERR_EMPTY, " ", "no GPUs");

    jc_gpu_table *t = (jc_gpu_table *)1;
    assert_int_equal(jc_gpu_table_load("/nonexistent/gpus.csv", &t), JC_ERR_IO);
    assert_null(t);
}

/* A table without the optional aliases column, read through JOULECAST_DATA. */
static void test_env_override(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/gpus.csv", tmpdir);
    write_file(path, "gpu,nvml_names,architecture,release_year,tdp_w,idle_w,fp32_tflops,fp16_tensor_tflops,"
                     "memory_gb,memory_bandwidth_gbs,note,source\n"
                     "Test GPU,NVIDIA Test GPU|Test GPU Max,Imaginary,,123,9.5,1.5,,4,100,\"a, note\",https://x\n");
    setenv("JOULECAST_DATA", tmpdir, 1);
    jc_gpu_table *t = NULL;
    int rc = jc_gpu_table_load(NULL, &t);
    unsetenv("JOULECAST_DATA");
    if (rc)
        fail_msg("%s", jc_last_error());
    assert_string_equal(jc_gpu_table_path(t), path);
    assert_int_equal(jc_gpu_table_count(t), 1);
    const jc_gpu_spec *s = jc_gpu_table_at(t, 0);
    assert_string_equal(s->gpu, "Test GPU");
    assert_string_equal(s->aliases, "");
    assert_string_equal(s->note, "a, note");
    assert_int_equal(s->release_year, 0);
    assert_true(s->tdp_w == 123 && s->idle_w == 9.5 && isnan(s->fp16_tensor_tflops));
    finds(t, "test gpu max", "Test GPU");
    finds(t, "NVIDIA-Test-GPU", "Test GPU");
    finds(t, "max", "Test GPU");
    jc_gpu_table_free(t);
    jc_gpu_table_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_loads),    cmocka_unit_test(test_required_gpus),
        cmocka_unit_test(test_names),            cmocka_unit_test(test_dataset_labels),
        cmocka_unit_test(test_ambiguous_and_unknown), cmocka_unit_test(test_broken),
        cmocka_unit_test(test_env_override),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
