/* arch: the zoo against torchvision's own counts (the table that
 * scripts/gen_arch_reference.py writes from Debian's python3-torch), against
 * Keras' and HuggingFace's published counts, and its errors and aliases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/arch.h"

#define REFERENCE JC_TEST_DATA "/arch/torchvision_reference.csv"

static jc_arch_counts count_ok(const char *name, jc_arch_input in)
{
    jc_arch_counts c;
    int rc = jc_arch_zoo_count(name, &in, &c);
    if (rc != JC_OK)
        fail_msg("%s: status %d: %s", name, rc, jc_last_error());
    return c;
}

/* Every row of the reference: params exact, conv and linear MACs within 1%
 * (they come out exact; the bound is the issue's). */
static void test_torchvision_reference(void **state)
{
    (void)state;
    FILE *f = fopen(REFERENCE, "r");
    if (!f)
        fail_msg("cannot open %s", REFERENCE);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "model,image,classes,params,conv_macs,linear_macs\n");
    int rows = 0;
    double worst = 0;
    while (fgets(line, sizeof line, f)) {
        char model[64];
        int image, classes;
        long long params, conv, lin;
        if (sscanf(line, "%63[^,],%d,%d,%lld,%lld,%lld", model, &image, &classes, &params, &conv, &lin) != 6)
            fail_msg("bad reference line: %s", line);
        jc_arch_input in = {0};
        in.classes = classes;
        if (!strncmp(model, "bert", 4))
            in.seq_len = image; /* the image column holds BERT's sequence length */
        else
            in.image = image;
        jc_arch_counts c = count_ok(model, in);
        if (c.params != params)
            fail_msg("%s at %d: params %lld, torch says %lld", model, image, (long long)c.params, params);
        const long long want[2] = {conv, lin};
        const int64_t got[2] = {c.kind_macs[JC_LAYER_CONV], c.kind_macs[JC_LAYER_LINEAR]};
        for (int k = 0; k < 2; k++) {
            double rel = want[k] ? fabs((double)got[k] - (double)want[k]) / (double)want[k] : (double)got[k];
            if (rel > worst)
                worst = rel;
            if (rel > 0.01)
                fail_msg("%s at %d: %s MACs %lld, torch says %lld (%.3f%% off)", model, image,
                         k ? "linear" : "conv", (long long)got[k], want[k], 100 * rel);
        }
        rows++;
    }
    fclose(f);
    printf("torchvision reference: %d rows, params exact, worst MAC difference %.4f%%\n", rows, 100 * worst);
    assert_true(rows >= 40);
}

/* Keras counts BatchNorm's moving mean and variance in its "Total params";
 * joulecast counts trainable weights only, so Keras' total = ours + the
 * norm parameters (gamma and beta, as many as the two statistics). */
static void test_keras_models(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int image;
        int64_t keras_total, keras_trainable;
    } k[] = {
        {"xception", 299, 22910480, 22855952},
        {"nasnet_mobile", 224, 5326716, 5289978},
        {"mobilenet_v1", 224, 4253864, 4231976},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        jc_arch_input in = {0};
        in.image = k[i].image;
        jc_arch_counts c = count_ok(k[i].name, in);
        assert_int_equal(c.params, k[i].keras_trainable);
        assert_int_equal(c.params + c.kind_params[JC_LAYER_NORM], k[i].keras_total);
    }
}

static void test_bert_published(void **state)
{
    (void)state;
    jc_arch_input in = {0};
    assert_int_equal(count_ok("bert-base-uncased", in).params, 109482240);
    assert_int_equal(count_ok("BERT_large", in).params, 335141888);
    assert_int_equal(count_ok("bert-base-cased", in).params, 108310272); /* 28996-word vocabulary */
    in.classes = 2;                                                      /* + a sequence-classification head */
    assert_int_equal(count_ok("bert_base", in).params, 109482240 + 768 * 2 + 2);
    jc_arch_counts c = count_ok("bert_base", (jc_arch_input){0});
    assert_int_equal(c.input.seq_len, 128);
    assert_int_equal(c.input.vocab, 30522);
    assert_int_equal(c.input.image, 0);
    /* attention products: 2 x seq^2 x hidden per layer */
    assert_int_equal(c.kind_macs[JC_LAYER_ATTENTION], 12LL * 2 * 128 * 128 * 768);
}

static void test_aliases_and_defaults(void **state)
{
    (void)state;
    const char *same[] = {"resnet50", "resnet-50", "ResNet50", "RESNET_50"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(count_ok(same[i], (jc_arch_input){0}).name, "resnet50");
    assert_string_equal(count_ok("vit-b-16", (jc_arch_input){0}).name, "vit_b_16");
    assert_string_equal(count_ok("MobileNetV2", (jc_arch_input){0}).name, "mobilenet_v2");
    assert_string_equal(count_ok("nasnet-mobile", (jc_arch_input){0}).name, "nasnet_mobile");
    jc_arch_counts c;
    assert_int_equal(jc_arch_zoo_count("resnet50", NULL, &c), JC_OK);
    assert_int_equal(c.input.image, 224);
    assert_int_equal(c.input.channels, 3);
    assert_int_equal(c.input.classes, 1000);
    assert_int_equal(count_ok("xception", (jc_arch_input){0}).input.image, 299);
    jc_arch_zoo_info info;
    assert_int_equal(jc_arch_zoo_describe("inception_v1", &info), JC_OK);
    assert_string_equal(info.name, "googlenet");
    assert_int_equal(info.defaults.image, 224);
    int n = 0;
    for (const char *const *p = jc_arch_zoo_names(); *p; p++, n++) {
        jc_arch_counts z = count_ok(*p, (jc_arch_input){0});
        /* the breakdown adds up to the totals */
        int64_t sp = 0, sm = 0;
        for (int k = 0; k < JC_LAYER_NKINDS; k++)
            sp += z.kind_params[k], sm += z.kind_macs[k];
        assert_int_equal(sp, z.params);
        assert_int_equal(sm, z.macs);
        assert_true(z.flops == 2.0 * (double)z.macs);
        assert_true(z.train_flops == 3.0 * z.flops);
        assert_true(z.weight_layers > 0 && z.branches >= 1);
    }
    assert_int_equal(n, 20);
}

static void test_structure(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int branches, weight_layers;
    } s[] = {{"alexnet", 1, 8},  {"vgg16", 1, 16},          {"resnet18", 2, 21},      {"resnet50", 2, 54},
             {"googlenet", 4, 58}, {"mobilenet_v1", 1, 28}, {"nasnet_mobile", 6, 0}, {"shufflenet_v2_x1_0", 2, 0}};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        jc_arch_counts c = count_ok(s[i].name, (jc_arch_input){0});
        assert_int_equal(c.branches, s[i].branches);
        if (s[i].weight_layers)
            assert_int_equal(c.weight_layers, s[i].weight_layers);
    }
}

static void test_input_scaling(void **state)
{
    (void)state;
    /* ViT's position embedding grows with (image/patch)^2 + 1 tokens */
    jc_arch_counts a = count_ok("vit_b_16", (jc_arch_input){.image = 224});
    jc_arch_counts b = count_ok("vit_b_16", (jc_arch_input){.image = 384});
    assert_int_equal(b.params - a.params, (24 * 24 - 14 * 14) * 768LL);
    assert_int_equal(b.input.seq_len, 577);
    /* a CNN's conv MACs scale with the image area, its params not at all */
    jc_arch_counts r1 = count_ok("vgg16", (jc_arch_input){.image = 224});
    jc_arch_counts r2 = count_ok("vgg16", (jc_arch_input){.image = 448});
    assert_int_equal(r1.params, r2.params);
    assert_int_equal(r2.kind_macs[JC_LAYER_CONV], 4 * r1.kind_macs[JC_LAYER_CONV]);
    /* the head follows the classes, the first conv the channels */
    jc_arch_counts c10 = count_ok("resnet18", (jc_arch_input){.classes = 10});
    assert_int_equal(count_ok("resnet18", (jc_arch_input){0}).params - c10.params, 990 * 513LL);
    jc_arch_counts g1 = count_ok("resnet18", (jc_arch_input){.channels = 1});
    assert_int_equal(count_ok("resnet18", (jc_arch_input){0}).params - g1.params, 2 * 64 * 49LL);
    /* the seed's image sizes all count */
    const int sizes[] = {64, 224, 512, 1024};
    for (const char *const *p = jc_arch_zoo_names(); *p; p++)
        for (int i = 0; i < 4; i++)
            count_ok(*p, (jc_arch_input){.image = sizes[i]});
}

static void fails(const char *name, jc_arch_input in, int status, const char *want)
{
    jc_arch_counts c;
    int rc = jc_arch_zoo_count(name, &in, &c);
    if (rc != status || !strstr(jc_last_error(), want))
        fail_msg("%s: expected %d and '%s', got %d: '%s'", name, status, want, rc, jc_last_error());
    assert_int_equal(c.params, 0);
}

static void test_errors(void **state)
{
    (void)state;
    fails("resnet51", (jc_arch_input){0}, JC_ERR_INVALID, "known: alexnet, vgg11");
    fails(NULL, (jc_arch_input){0}, JC_ERR_INVALID, "unknown model");
    fails("alexnet", (jc_arch_input){.image = 16}, JC_ERR_INVALID, "smallest image it takes is 63 px");
    fails("vgg16", (jc_arch_input){.image = 31}, JC_ERR_INVALID, "smallest image it takes is 32 px");
    count_ok("alexnet", (jc_arch_input){.image = 63});
    fails("vit_b_16", (jc_arch_input){.image = 100}, JC_ERR_INVALID, "not a multiple of the patch size");
    fails("resnet50", (jc_arch_input){.image = -3}, JC_ERR_INVALID, "image size");
    fails("resnet50", (jc_arch_input){.image = 20000}, JC_ERR_INVALID, "image size");
    fails("bert_base", (jc_arch_input){.seq_len = 513}, JC_ERR_INVALID, "sequence length");
    fails("resnet50", (jc_arch_input){.classes = -1}, JC_ERR_INVALID, "classes");
    /* ViT-L at 16384 px with 1 px patches: 2.7e8 tokens, attention beyond 64 bits */
    fails("vit_l_16", (jc_arch_input){.image = 16384, .patch = 1}, JC_ERR_UNSUPPORTED, "overflow");
    assert_string_equal(jc_layer_kind_name(JC_LAYER_ATTENTION), "attention");
    assert_string_equal(jc_layer_kind_name((jc_layer_kind)99), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_torchvision_reference), cmocka_unit_test(test_keras_models),
        cmocka_unit_test(test_bert_published),        cmocka_unit_test(test_aliases_and_defaults),
        cmocka_unit_test(test_structure),             cmocka_unit_test(test_input_scaling),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
