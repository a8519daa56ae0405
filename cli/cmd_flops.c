/* joulecast flops: how big a network is. Parameters, MACs, FLOPs, training
 * FLOPs per sample, weight layers, parallel branches and a breakdown by layer
 * type, for a zoo model at a given input size; a table or JSON. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joulecast/arch.h"
#include "joulecast/util.h"

void jc_cmd_flops_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast flops --arch NAME [--image N] [--channels N] [--classes N] [--json]\n"
            "       joulecast flops --arch vit_b_16|vit_l_16 [--image N] [--patch N] [--classes N]\n"
            "       joulecast flops --arch bert_base|bert_large [--seq-len N] [--vocab N] [--classes N]\n"
            "       joulecast flops --onnx FILE [--input NAME=1x3x224x224] [--json]\n"
            "       joulecast flops --list [--json]\n"
            "\n"
            "Counts a network from the built-in zoo at the input you give, or an ONNX\n"
            "file (its weights are never read, so a 100 MB file takes milliseconds):\n"
            "parameters,\n"
            "forward multiply-accumulates (MACs), FLOPs (2 x MACs), training FLOPs per\n"
            "sample (3 x forward: the forward pass plus a backward pass costing twice\n"
            "it, the usual convention), weight layers (conv, linear, embedding), the\n"
            "largest number of parallel branches any block merges (1 plain, 2 residual,\n"
            "4 Inception), and params and MACs by layer type. The counts are those of\n"
            "torchvision 0.14 (Keras for MobileNetV1, Xception and NASNet-A Mobile,\n"
            "HuggingFace BertModel + pooler for BERT); docs/flops.md has the conventions.\n"
            "\n"
            "options:\n"
            "  --arch NAME      model (case and '-'/'_' do not matter: resnet-50, ResNet50,\n"
            "                   vit_b_16, bert-base-uncased); --list shows them\n"
            "  --image N        input height = width in pixels (default 224; Xception 299)\n"
            "  --channels N     input channels (default 3)\n"
            "  --classes N      classifier outputs (default 1000; BERT: none unless given)\n"
            "  --patch N        ViT patch size (default 16; the image must be a multiple)\n"
            "  --seq-len N      BERT tokens per sample (default 128, at most 512)\n"
            "  --vocab N        BERT vocabulary (default 30522; 28996 for the -cased names)\n"
            "  --onnx FILE      count an ONNX model instead of a zoo one (export from PyTorch\n"
            "                   in training mode, or BatchNorm is folded into the convolutions)\n"
            "  --input SHAPE    with --onnx: NAME=1x3x224x224 or 1x3x224x224 (first input);\n"
            "                   default: the graph's own input shape, symbolic sizes as 1\n"
            "  --json           JSON on stdout instead of the table\n"
            "  --list           the zoo: names, what each is, default input\n"
            "\n"
            "examples:\n"
            "  joulecast flops --arch resnet50                 ResNet-50 at 224 px\n"
            "  joulecast flops --arch vgg16 --image 512 --classes 10\n"
            "  joulecast flops --arch googlenet --json | jq .branches\n"
            "  joulecast flops --arch bert-base-uncased --seq-len 512\n"
            "  joulecast flops --onnx resnet50.onnx --input input=1x3x512x512\n"
            "  for s in 64 224 512 1024; do joulecast flops --arch xception --image $s --json; done\n");
}

/* 1234567 -> "1,234,567" */
static const char *grouped(int64_t v, char *buf, size_t size)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
    size_t n = strlen(digits), k = 0;
    if (v < 0 && k + 1 < size)
        buf[k++] = '-';
    for (size_t i = 0; i < n && k + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = 0;
    return buf;
}

/* 4.09e9 -> "4.09 G" */
static const char *si(double v, char *buf, size_t size)
{
    static const char *const units[] = {"", "k", "M", "G", "T", "P", "E"};
    int u = 0;
    while (v >= 1000 && u < 6)
        v /= 1000, u++;
    snprintf(buf, size, u ? "%.2f %s" : "%.0f%s", v, units[u]);
    return buf;
}

static void describe_input(const jc_arch_input *in, char *buf, size_t size)
{
    if (in->image == 0)
        snprintf(buf, size, "%d tokens, %d-word vocabulary, %s", in->seq_len, in->vocab,
                 in->classes ? "classification head" : "no classification head");
    else if (in->patch)
        snprintf(buf, size, "%d x %d x %d, %d x %d patches (%d tokens), %d classes", in->image, in->image,
                 in->channels, in->patch, in->patch, in->seq_len, in->classes);
    else
        snprintf(buf, size, "%d x %d x %d, %d classes", in->image, in->image, in->channels, in->classes);
    if (in->image == 0 && in->classes)
        snprintf(buf + strlen(buf), size - strlen(buf), " (%d classes)", in->classes);
}

static int list_zoo(int as_json)
{
    const char *const *names = jc_arch_zoo_names();
    json_t *arr = as_json ? json_array() : NULL;
    for (int i = 0; names[i]; i++) {
        jc_arch_zoo_info info;
        if (jc_arch_zoo_describe(names[i], &info)) {
            jc_print_error();
            json_decref(arr);
            return JC_EXIT_FAIL;
        }
        char input[160];
        describe_input(&info.defaults, input, sizeof input);
        if (as_json)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "name", info.name, "description",
                                                 info.description, "default_input", input));
        else
            printf("%-20s %s\n%-20s   default: %s\n", info.name, info.description, "", input);
    }
    if (as_json) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(arr);
    }
    return JC_EXIT_OK;
}

static const char *branch_note(int b)
{
    return b <= 1 ? "a plain chain" : b == 2 ? "residual adds or two-way concats" : "multi-branch blocks";
}

static void print_table(const jc_arch_counts *c, const char *description)
{
    char a[48], b[48], input[160];
    describe_input(&c->input, input, sizeof input);
    printf("model              %s (%s)\n", c->name, description);
    printf("input              %s\n", input);
    printf("parameters         %s (%s)\n", grouped(c->params, a, sizeof a), si((double)c->params, b, sizeof b));
    printf("MACs               %s (%s)\n", grouped(c->macs, a, sizeof a), si((double)c->macs, b, sizeof b));
    printf("FLOPs              %sFLOPs (2 x MACs)\n", si(c->flops, a, sizeof a));
    printf("training FLOPs     %sFLOPs per sample (3 x forward: forward + backward, the usual convention)\n",
           si(c->train_flops, a, sizeof a));
    printf("weight layers      %d\n", c->weight_layers);
    printf("branches           %d (%s)\n", c->branches, branch_note(c->branches));
    printf("\n%-12s %18s %7s %18s %7s\n", "layer type", "params", "%", "MACs", "%");
    for (int k = 0; k < JC_LAYER_NKINDS; k++) {
        if (k == JC_LAYER_OTHER && !c->kind_params[k] && !c->kind_macs[k])
            continue;
        double pp = c->params ? 100.0 * (double)c->kind_params[k] / (double)c->params : 0;
        double pm = c->macs ? 100.0 * (double)c->kind_macs[k] / (double)c->macs : 0;
        printf("%-12s %18s %6.2f%% %18s %6.2f%%\n", jc_layer_kind_name((jc_layer_kind)k),
               grouped(c->kind_params[k], a, sizeof a), pp, grouped(c->kind_macs[k], b, sizeof b), pm);
    }
    printf("(normalisation, activations, pooling and element-wise adds count no MACs; docs/flops.md)\n");
}

static void print_json(const jc_arch_counts *c, const char *description)
{
    const jc_arch_input *in = &c->input;
    json_t *o = json_object();
    json_object_set_new(o, "model", json_string(c->name));
    json_object_set_new(o, "description", json_string(description));
    json_t *ji = json_object();
    const struct {
        const char *key;
        int v;
    } fields[] = {{"image", in->image},     {"channels", in->channels}, {"classes", in->classes},
                  {"seq_len", in->seq_len}, {"patch", in->patch},       {"vocab", in->vocab}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].v || !strcmp(fields[i].key, "classes"))
            json_object_set_new(ji, fields[i].key, json_integer(fields[i].v));
    json_object_set_new(o, "input", ji);
    json_object_set_new(o, "params", json_integer(c->params));
    json_object_set_new(o, "macs", json_integer(c->macs));
    json_object_set_new(o, "flops", json_real(c->flops));
    json_object_set_new(o, "train_flops_per_sample", json_real(c->train_flops));
    json_object_set_new(o, "train_flops_note",
                        json_string("3 x forward FLOPs (forward + backward), the usual convention"));
    json_object_set_new(o, "weight_layers", json_integer(c->weight_layers));
    json_object_set_new(o, "branches", json_integer(c->branches));
    json_t *kinds = json_object();
    for (int k = 0; k < JC_LAYER_NKINDS; k++)
        json_object_set_new(kinds, jc_layer_kind_name((jc_layer_kind)k),
                            json_pack("{s:I,s:I}", "params", (json_int_t)c->kind_params[k], "macs",
                                      (json_int_t)c->kind_macs[k]));
    json_object_set_new(o, "by_kind", kinds);
    json_dumpf(o, stdout, JSON_INDENT(2));
    printf("\n");
    json_decref(o);
}

int jc_cmd_flops(int argc, char **argv)
{
    enum { O_ARCH = 256, O_IMAGE, O_CHANNELS, O_CLASSES, O_SEQ, O_PATCH, O_VOCAB, O_JSON, O_LIST, O_ONNX, O_INPUT };
    static const struct option lo[] = {
        {"arch", required_argument, 0, O_ARCH},     {"image", required_argument, 0, O_IMAGE},
        {"channels", required_argument, 0, O_CHANNELS}, {"classes", required_argument, 0, O_CLASSES},
        {"seq-len", required_argument, 0, O_SEQ},   {"patch", required_argument, 0, O_PATCH},
        {"vocab", required_argument, 0, O_VOCAB},   {"json", no_argument, 0, O_JSON},
        {"list", no_argument, 0, O_LIST},           {"onnx", required_argument, 0, O_ONNX},
        {"input", required_argument, 0, O_INPUT},   {0, 0, 0, 0}};
    const char *arch = NULL, *onnx = NULL, *input = NULL;
    int as_json = 0, list = 0;
    jc_arch_input in = {0};
    optind = 1;
    opterr = 0;
    for (;;) {
        int o = getopt_long(argc, argv, "", lo, NULL);
        if (o == -1)
            break;
        long v = 0;
        const char *name = NULL;
        int *dst = NULL;
        long hi = 0;
        switch (o) {
        case O_ARCH: arch = optarg; continue;
        case O_JSON: as_json = 1; continue;
        case O_LIST: list = 1; continue;
        case O_ONNX: onnx = optarg; continue;
        case O_INPUT: input = optarg; continue;
        case O_IMAGE: name = "--image", dst = &in.image, hi = 16384; break;
        case O_CHANNELS: name = "--channels", dst = &in.channels, hi = 4096; break;
        case O_CLASSES: name = "--classes", dst = &in.classes, hi = 10000000; break;
        case O_SEQ: name = "--seq-len", dst = &in.seq_len, hi = 512; break;
        case O_PATCH: name = "--patch", dst = &in.patch, hi = 16384; break;
        case O_VOCAB: name = "--vocab", dst = &in.vocab, hi = 10000000; break;
        default:
            fprintf(stderr,
                    "joulecast flops: error: unknown or incomplete option '%s' (see 'joulecast flops --help')\n",
                    argv[optind - 1]);
            return JC_EXIT_USAGE;
        }
        if (jc_parse_int_opt(name, optarg, 1, hi, &v))
            return JC_EXIT_USAGE;
        *dst = (int)v;
    }
    if (optind < argc) {
        fprintf(stderr, "joulecast flops: error: unexpected argument '%s' (the model goes after --arch)\n",
                argv[optind]);
        return JC_EXIT_USAGE;
    }
    if (list)
        return list_zoo(as_json);
    if (onnx && arch) {
        fprintf(stderr, "joulecast flops: error: give either --arch or --onnx, not both\n");
        return JC_EXIT_USAGE;
    }
    if (input && !onnx) {
        fprintf(stderr, "joulecast flops: error: --input goes with --onnx (zoo models take --image etc.)\n");
        return JC_EXIT_USAGE;
    }
    if (onnx) {
        jc_arch_counts oc;
        if (jc_arch_onnx_count(onnx, input, &oc)) {
            jc_print_error();
            return JC_EXIT_FAIL;
        }
        if (as_json)
            print_json(&oc, "ONNX model");
        else
            print_table(&oc, "ONNX model");
        return JC_EXIT_OK;
    }
    if (!arch) {
        fprintf(stderr, "joulecast flops: error: no model: give --arch NAME (--list shows the zoo) or --onnx FILE\n");
        return JC_EXIT_USAGE;
    }
    jc_arch_counts c;
    int rc = jc_arch_zoo_count(arch, &in, &c);
    if (rc) {
        jc_print_error();
        return rc == JC_ERR_INVALID ? JC_EXIT_USAGE : JC_EXIT_FAIL;
    }
    /* Say so when an option does not apply to this model rather than silently dropping it. */
    const struct {
        const char *opt;
        int given, used;
    } applies[] = {{"--image", in.image, c.input.image},
                   {"--channels", in.channels, c.input.channels},
                   {"--patch", in.patch, c.input.patch},
                   {"--seq-len", in.seq_len, c.input.seq_len && !c.input.image},
                   {"--vocab", in.vocab, c.input.vocab}};
    for (size_t i = 0; i < sizeof applies / sizeof applies[0]; i++)
        if (applies[i].given && !applies[i].used)
            fprintf(stderr, "joulecast flops: warning: %s does not apply to %s; ignored\n", applies[i].opt, c.name);
    jc_arch_zoo_info info;
    const char *description = jc_arch_zoo_describe(arch, &info) == JC_OK ? info.description : "";
    if (as_json)
        print_json(&c, description);
    else
        print_table(&c, description);
    return JC_EXIT_OK;
}
