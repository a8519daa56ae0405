/* joulecast gpus: the GPU specification table the forecast uses (data/gpus.csv):
 * all GPUs as a table for people, or one GPU in full with the document its
 * figures come from; JSON for scripts. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joulecast/forecast.h"
#include "joulecast/util.h"

void jc_cmd_gpus_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast gpus [--json]            every GPU the forecast knows\n"
            "       joulecast gpus [--json] NAME       one GPU in full, with its source\n"
            "\n"
            "The forecast needs a few facts about the card a job will run on: its board\n"
            "power (TDP), its peak FP32 and FP16 tensor-core rates and its memory\n"
            "bandwidth. They are figures from public specification sheets (NVIDIA's\n"
            "datasheets, else the TechPowerUp GPU database), one row per model in\n"
            "data/gpus.csv; data/gpus.md says where each comes from and what each\n"
            "column means. An empty cell is a figure no sheet gives (shown as '-'):\n"
            "idle power is one, for every card so far.\n"
            "\n"
            "NAME can be written as you like: case, spaces, dashes and the words\n"
            "NVIDIA, GeForce, Tesla and Quadro do not matter, so 'rtx3090', '3090' and\n"
            "'NVIDIA GeForce RTX 3090' (what nvidia-smi prints) are one card. A part of\n"
            "a name is enough when only one card has it ('4090', 'H100 PCIe'); a name\n"
            "several cards share ('A100': PCIe or SXM, 40 or 80 GB) is an error that\n"
            "lists them, because their power and bandwidth differ.\n"
            "\n"
            "columns of the table:\n"
            "  TDP W          board power: TDP, total graphics power or maximum consumption\n"
            "  idle W         idle power where a sheet publishes it\n"
            "  FP32 TFLOPS    peak FP32 without tensor cores\n"
            "  FP16 tensor    peak dense FP16 tensor-core TFLOPS, FP32 accumulate (no\n"
            "                 sparsity); P100: plain FP16, it has no tensor cores\n"
            "  mem GB, GB/s   memory size and peak bandwidth\n"
            "\n"
            "options:\n"
            "  --json         JSON on stdout (an array, or one object with NAME); missing\n"
            "                 figures are null\n"
            "\n"
            "environment:\n"
            "  JOULECAST_DATA=DIR   read DIR/gpus.csv instead of the shipped table\n"
            "\n"
            "examples:\n"
            "  joulecast gpus                              the whole table\n"
            "  joulecast gpus 3090                         the RTX 3090 in full, with its source\n"
            "  joulecast gpus \"$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)\"\n"
            "  joulecast gpus --json | jq '.[] | select(.tdp_w <= 300) | .gpu'\n"
            "\n"
            "exit status: 0, 1 when NAME is unknown or ambiguous (the message lists the\n"
            "candidates) or the table cannot be read, 2 on bad usage.\n");
}

/* A figure as the sheets give it (936.2, 1.389: %g, no padding zeros), "-"
 * where missing. */
static const char *num(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%g", v);
    return buf;
}

static void print_table(const jc_gpu_table *t)
{
    char a[32], b[32], c[32], d[32], e[32], f[32];
    printf("%-16s %-12s %6s %6s %7s %11s %6s %7s\n", "GPU", "architecture", "TDP W", "idle W", "FP32", "FP16 tensor",
           "mem GB", "GB/s");
    for (size_t i = 0; i < jc_gpu_table_count(t); i++) {
        const jc_gpu_spec *s = jc_gpu_table_at(t, i);
        printf("%-16s %-12s %6s %6s %7s %11s %6s %7s\n", s->gpu, s->architecture, num(s->tdp_w, a, sizeof a),
               num(s->idle_w, b, sizeof b), num(s->fp32_tflops, c, sizeof c),
               num(s->fp16_tensor_tflops, d, sizeof d), num(s->memory_gb, e, sizeof e),
               num(s->memory_bandwidth_gbs, f, sizeof f));
    }
    printf("(%zu GPUs from %s; FP32 and FP16 tensor in TFLOPS, tensor dense with FP32 accumulate;\n"
           " '-': no specification sheet gives it; 'joulecast gpus NAME' shows one with its source)\n",
           jc_gpu_table_count(t), jc_gpu_table_path(t));
}

/* "a|b" as "a, b" for people. */
static void print_names(const char *label, const char *names)
{
    printf("%-20s ", label);
    if (!names[0])
        printf("-");
    for (const char *p = names; *p; p++) {
        if (*p == '|')
            printf(", ");
        else
            putchar(*p);
    }
    printf("\n");
}

/* "label   value unit", or "label   -" where the sheets give nothing. */
static void print_figure(const char *label, double v, const char *unit)
{
    if (isnan(v))
        printf("%-20s - (no specification sheet gives it)\n", label);
    else
        printf("%-20s %g %s\n", label, v, unit);
}

static void print_one(const jc_gpu_spec *s)
{
    printf("GPU                  %s\n", s->gpu);
    print_names("NVML names", s->nvml_names);
    if (s->aliases[0])
        print_names("aliases", s->aliases);
    printf("architecture         %s\n", s->architecture[0] ? s->architecture : "-");
    if (s->release_year)
        printf("released             %d\n", s->release_year);
    else
        printf("released             -\n");
    print_figure("TDP", s->tdp_w, "W");
    print_figure("idle power", s->idle_w, "W");
    print_figure("FP32", s->fp32_tflops, "TFLOPS");
    print_figure("FP16 tensor", s->fp16_tensor_tflops, "TFLOPS (dense)");
    print_figure("memory", s->memory_gb, "GB");
    print_figure("memory bandwidth", s->memory_bandwidth_gbs, "GB/s");
    if (s->note[0])
        printf("note                 %s\n", s->note);
    printf("source               %s\n", s->source);
}

static json_t *json_num(double v) { return isnan(v) ? json_null() : json_real(v); }

/* '|'-separated names as a JSON array of trimmed strings. */
static json_t *json_names(const char *s)
{
    json_t *arr = json_array();
    while (s && *s) {
        size_t n = strcspn(s, "|");
        const char *b = s, *e = s + n;
        while (b < e && *b == ' ')
            b++;
        while (e > b && e[-1] == ' ')
            e--;
        if (e > b)
            json_array_append_new(arr, json_stringn(b, (size_t)(e - b)));
        s += n;
        if (*s == '|')
            s++;
    }
    return arr;
}

static json_t *spec_json(const jc_gpu_spec *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "gpu", json_string(s->gpu));
    json_object_set_new(o, "nvml_names", json_names(s->nvml_names));
    json_object_set_new(o, "aliases", json_names(s->aliases));
    json_object_set_new(o, "architecture", json_string(s->architecture));
    json_object_set_new(o, "release_year", s->release_year ? json_integer(s->release_year) : json_null());
    json_object_set_new(o, "tdp_w", json_num(s->tdp_w));
    json_object_set_new(o, "idle_w", json_num(s->idle_w));
    json_object_set_new(o, "fp32_tflops", json_num(s->fp32_tflops));
    json_object_set_new(o, "fp16_tensor_tflops", json_num(s->fp16_tensor_tflops));
    json_object_set_new(o, "memory_gb", json_num(s->memory_gb));
    json_object_set_new(o, "memory_bandwidth_gbs", json_num(s->memory_bandwidth_gbs));
    json_object_set_new(o, "note", json_string(s->note));
    json_object_set_new(o, "source", json_string(s->source));
    return o;
}

static void dump(json_t *j)
{
    json_dumpf(j, stdout, JSON_INDENT(2));
    printf("\n");
    json_decref(j);
}

int jc_cmd_gpus(int argc, char **argv)
{
    enum { O_JSON = 256 };
    static const struct option lo[] = {{"json", no_argument, 0, O_JSON}, {0, 0, 0, 0}};
    int as_json = 0;
    optind = 1;
    opterr = 0;
    for (;;) {
        int o = getopt_long(argc, argv, "", lo, NULL);
        if (o == -1)
            break;
        if (o == O_JSON) {
            as_json = 1;
            continue;
        }
        fprintf(stderr, "joulecast gpus: error: unknown option '%s' (see 'joulecast gpus --help')\n",
                argv[optind - 1]);
        return JC_EXIT_USAGE;
    }
    if (argc - optind > 1) {
        fprintf(stderr, "joulecast gpus: error: one GPU name at a time (got '%s' and '%s'; quote a name with "
                        "spaces)\n", argv[optind], argv[optind + 1]);
        return JC_EXIT_USAGE;
    }
    const char *name = optind < argc ? argv[optind] : NULL;
    jc_gpu_table *t = NULL;
    if (jc_gpu_table_load(NULL, &t)) {
        jc_print_error();
        return JC_EXIT_FAIL;
    }
    int rc = JC_EXIT_OK;
    if (name) {
        const jc_gpu_spec *s = jc_gpu_find(t, name);
        if (!s) {
            jc_print_error();
            rc = JC_EXIT_FAIL;
        } else if (as_json) {
            dump(spec_json(s));
        } else {
            print_one(s);
        }
    } else if (as_json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < jc_gpu_table_count(t); i++)
            json_array_append_new(arr, spec_json(jc_gpu_table_at(t, i)));
        dump(arr);
    } else {
        print_table(t);
    }
    jc_gpu_table_free(t);
    return rc;
}
