/* Tests of the ONNX path of arch: torchvision (and BERT-base) exports, graph
 * only, weights stripped (scripts/gen_onnx_fixtures.py), against the counts
 * torch gives and against the built-in zoo; damaged and unsupported files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "joulecast/arch.h"

#define DIR JC_TEST_DATA "/arch/onnx/"

/* Every zoo model torchvision 0.14 has, and BERT-base (scripts/gen_onnx_fixtures.py). */
static const char *const MODELS[] = {"resnet18", "resnet34",     "resnet50",  "resnet101", "resnet152",
                                     "vgg11",    "vgg13",        "vgg16",     "vgg19",     "alexnet",
                                     "mobilenet_v2", "googlenet", "shufflenet_v2_x1_0", "vit_b_16",
                                     "vit_l_16", "bert_base",    NULL};

static void fixture(const char *model, char *path, size_t cap)
{
    snprintf(path, cap, DIR "%s.onnx", model);
}

/* MACs: exact or within 1% (the zoo/torch hooks and the graph may round a
 * pooling edge differently on other exports; these fixtures are exact). */
static void assert_close(int64_t got, int64_t want, const char *what, const char *model)
{
    double tol = 0.01 * (double)(want > 0 ? want : 1);
    if ((double)llabs(got - want) > tol) {
        print_error("%s %s: got %lld, want %lld\n", model, what, (long long)got, (long long)want);
        fail();
    }
}

static void test_fixtures_match_torch(void **state)
{
    (void)state;
    FILE *f = fopen(DIR "expected.csv", "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        char model[64];
        long long params, conv, linear, att;
        if (sscanf(line, "%63[^,],%lld,%lld,%lld,%lld", model, &params, &conv, &linear, &att) != 5)
            continue;
        char path[512];
        fixture(model, path, sizeof path);
        jc_arch_counts c;
        int rc = jc_arch_onnx_count(path, NULL, &c);
        if (rc)
            print_error("%s: %s\n", model, jc_last_error());
        assert_int_equal(rc, 0);
        assert_int_equal(c.params, params);
        assert_close(c.kind_macs[JC_LAYER_CONV], conv, "conv MACs", model);
        assert_close(c.kind_macs[JC_LAYER_LINEAR], linear, "linear MACs", model);
        assert_close(c.kind_macs[JC_LAYER_ATTENTION], att, "attention MACs", model);
        assert_int_equal(c.macs, conv + linear + att);
        assert_true(c.flops == 2.0 * (double)c.macs);
        assert_true(c.train_flops == 3.0 * c.flops);
        if (strcmp(model, "bert_base") == 0) {
            assert_int_equal(c.input.seq_len, 128);
        } else {
            assert_int_equal(c.input.image, 224);
            assert_int_equal(c.input.channels, 3);
            assert_int_equal(c.input.classes, 1000);
        }
        assert_string_equal(c.name, model);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 16); /* every torchvision zoo model and BERT-base */
}

static void assert_same_counts(const jc_arch_counts *a, const jc_arch_counts *z, const char *model)
{
    if (a->params != z->params || a->macs != z->macs || a->weight_layers != z->weight_layers ||
        a->branches != z->branches)
        print_error("%s: onnx params %lld macs %lld layers %d branches %d; zoo %lld %lld %d %d\n", model,
                    (long long)a->params, (long long)a->macs, a->weight_layers, a->branches,
                    (long long)z->params, (long long)z->macs, z->weight_layers, z->branches);
    assert_int_equal(a->params, z->params);
    assert_int_equal(a->macs, z->macs);
    assert_int_equal(a->weight_layers, z->weight_layers);
    assert_int_equal(a->branches, z->branches);
    for (int k = 0; k < JC_LAYER_NKINDS; k++) {
        assert_int_equal(a->kind_macs[k], z->kind_macs[k]);
        assert_int_equal(a->kind_params[k], z->kind_params[k]);
    }
}

/* The promise: an exported zoo model counts the same both ways. */
static void test_fixtures_match_zoo(void **state)
{
    (void)state;
    for (int i = 0; MODELS[i]; i++) {
        char path[512];
        fixture(MODELS[i], path, sizeof path);
        jc_arch_counts a, z;
        assert_int_equal(jc_arch_onnx_count(path, NULL, &a), 0);
        int rc = jc_arch_zoo_count(MODELS[i], NULL, &z);
        if (rc)
            print_error("zoo %s: %s\n", MODELS[i], jc_last_error());
        assert_int_equal(rc, 0);
        assert_same_counts(&a, &z, MODELS[i]);
    }
}

/* --input changes the image size (ResNet's global pooling takes any size) and
 * the batch; counts stay per sample. */
static void test_input_override(void **state)
{
    (void)state;
    jc_arch_counts a, b, z;
    assert_int_equal(jc_arch_onnx_count(DIR "resnet50.onnx", "input=1x3x112x112", &a), 0);
    jc_arch_input in = {0};
    in.image = 112;
    assert_int_equal(jc_arch_zoo_count("resnet50", &in, &z), 0);
    assert_same_counts(&a, &z, "resnet50@112");
    assert_int_equal(a.input.image, 112);

    assert_int_equal(jc_arch_onnx_count(DIR "resnet50.onnx", "1x3x224x224", &a), 0);
    assert_int_equal(jc_arch_onnx_count(DIR "resnet50.onnx", "input=4x3x224x224", &b), 0);
    assert_int_equal(a.macs, b.macs);
    assert_int_equal(a.params, b.params);

    assert_int_equal(jc_arch_onnx_count(DIR "resnet50.onnx", "nosuch=1x3x224x224", &a), JC_ERR_INVALID);
    assert_non_null(strstr(jc_last_error(), "nosuch"));
    assert_int_equal(jc_arch_onnx_count(DIR "resnet50.onnx", "1xx3", &a), JC_ERR_INVALID);
    assert_int_equal(jc_arch_onnx_count(DIR "resnet50.onnx", "input=", &a), JC_ERR_INVALID);
    assert_int_equal(jc_arch_onnx_count(DIR "resnet50.onnx", "input=0x3x224x224", &a), JC_ERR_INVALID);
    /* shapes the graph cannot take: errors naming the node, not crashes */
    assert_int_equal(jc_arch_onnx_count(DIR "resnet50.onnx", "input=1x4x224x224", &a), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "Conv"));
    assert_int_equal(jc_arch_onnx_count(DIR "resnet50.onnx", "input=1x3x224", &a), JC_ERR_PARSE);
}

static void test_tiny(void **state)
{
    (void)state;
    jc_arch_counts c;
    assert_int_equal(jc_arch_onnx_count(DIR "tiny_relu.onnx", NULL, &c), 0);
    assert_int_equal(c.params, 32);
    assert_int_equal(c.macs, 32);
    assert_int_equal(c.kind_macs[JC_LAYER_LINEAR], 32);
    assert_int_equal(c.weight_layers, 1);
    assert_int_equal(c.branches, 1);
}

/* Weights inside the file are skipped unread, but an int64 shape initializer
 * still gives its values to Reshape. */
static void test_inline_weights(void **state)
{
    (void)state;
    jc_arch_counts c;
    int rc = jc_arch_onnx_count(DIR "inline_weights.onnx", NULL, &c);
    if (rc)
        print_error("%s\n", jc_last_error());
    assert_int_equal(rc, 0);
    assert_int_equal(c.params, 8 * 300);
    assert_int_equal(c.macs, 8 * 300);
    assert_int_equal(c.weight_layers, 1);
    assert_int_equal(c.branches, 1);
    /* the Reshape's shape was fixed at export: another batch cannot pass */
    assert_int_equal(jc_arch_onnx_count(DIR "inline_weights.onnx", "x=3x8", &c), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "Reshape"));
}

static void test_unsupported(void **state)
{
    (void)state;
    jc_arch_counts c;
    assert_int_equal(jc_arch_onnx_count(DIR "unsupported_op.onnx", NULL, &c), JC_ERR_UNSUPPORTED);
    assert_non_null(strstr(jc_last_error(), "FrobnicateX"));
    assert_non_null(strstr(jc_last_error(), "not supported"));
    assert_int_equal(jc_arch_onnx_count(DIR "custom_domain.onnx", NULL, &c), JC_ERR_UNSUPPORTED);
    assert_non_null(strstr(jc_last_error(), "com.example"));
}

static void test_missing_empty(void **state)
{
    (void)state;
    jc_arch_counts c;
    assert_int_equal(jc_arch_onnx_count(DIR "no_such_model.onnx", NULL, &c), JC_ERR_IO);
    assert_non_null(strstr(jc_last_error(), "no_such_model.onnx"));
    assert_int_equal(jc_arch_onnx_count(DIR, NULL, &c), JC_ERR_IO); /* a folder */
    char tmp[] = "/tmp/jc_onnx_emptyXXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(jc_arch_onnx_count(tmp, NULL, &c), JC_ERR_EMPTY);
    unlink(tmp);
    assert_int_equal(jc_arch_onnx_count(NULL, NULL, &c), JC_ERR_INVALID);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static int count_bytes(const unsigned char *b, size_t n, jc_arch_counts *c)
{
    char tmp[] = "/tmp/jc_onnx_dmgXXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b, n), (ssize_t)n);
    close(fd);
    int rc = jc_arch_onnx_count(tmp, NULL, c);
    unlink(tmp);
    return rc;
}

/* Cut anywhere: an error with a message, or (cut exactly between top-level
 * fields after the graph) the same counts; never a crash. */
static void test_truncated(void **state)
{
    (void)state;
    const char *files[] = {DIR "resnet18.onnx", DIR "tiny_relu.onnx", DIR "vit_b_16.onnx",
                           DIR "inline_weights.onnx"};
    for (size_t f = 0; f < 4; f++) {
        size_t n;
        unsigned char *b = slurp(files[f], &n);
        jc_arch_counts full, c;
        assert_int_equal(jc_arch_onnx_count(files[f], NULL, &full), 0);
        size_t step = n / 97 + 1, errors = 0, tries = 0;
        for (size_t cut = 1; cut < n; cut += step) {
            int rc = count_bytes(b, cut, &c);
            tries++;
            if (rc) {
                errors++;
                assert_true(strlen(jc_last_error()) > 0);
            } else {
                assert_int_equal(c.params, full.params);
                assert_int_equal(c.macs, full.macs);
            }
        }
        assert_true(errors >= tries * 9 / 10);
        free(b);
    }
}

/* Random bytes and random byte flips (dims, counts, lengths gone wrong). */
static void test_random_damage(void **state)
{
    (void)state;
    jc_rng rng;
    jc_rng_seed(&rng, 20260121);
    jc_arch_counts c;
    unsigned char junk[4096];
    for (int t = 0; t < 20; t++) {
        size_t n = 1 + jc_rng_below(&rng, sizeof junk);
        for (size_t i = 0; i < n; i++)
            junk[i] = (unsigned char)jc_rng_next(&rng);
        assert_true(count_bytes(junk, n, &c) < 0);
        assert_true(strlen(jc_last_error()) > 0);
    }
    const char *files[] = {DIR "tiny_relu.onnx", DIR "shufflenet_v2_x1_0.onnx", DIR "inline_weights.onnx"};
    for (size_t f = 0; f < 3; f++) {
        size_t n;
        unsigned char *orig = slurp(files[f], &n);
        unsigned char *b = malloc(n);
        assert_non_null(b);
        for (int t = 0; t < 150; t++) {
            memcpy(b, orig, n);
            int flips = 1 + (int)jc_rng_below(&rng, 4);
            for (int k = 0; k < flips; k++)
                b[jc_rng_below(&rng, n)] = (unsigned char)jc_rng_next(&rng);
            int rc = count_bytes(b, n, &c);
            assert_true(rc == 0 || strlen(jc_last_error()) > 0);
        }
        free(b);
        free(orig);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_match_torch),
        cmocka_unit_test(test_fixtures_match_zoo),
        cmocka_unit_test(test_input_override),
        cmocka_unit_test(test_tiny),
        cmocka_unit_test(test_inline_weights),
        cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_missing_empty),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_random_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
