/* joulecast hc: the second seed's energy = HC x MACs (its equation 4.1).
 * `hc fit` estimates HC, joules per multiply-accumulate, per GPU from a runs
 * table; `hc predict` turns an HC and a job (network, samples, epochs) into
 * energy per GPU. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "joulecast/arch.h"
#include "joulecast/forecast.h"
#include "joulecast/table.h"
#include "joulecast/util.h"
#include "learn_cli.h"

#define SEED_HC_4090 5.9e-11  /* the second seed's RTX 4090, J/MAC */

void jc_cmd_hc_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast hc fit RUNS.csv [--energy COL] [--by COL] [--where COL=VAL]... [--json]\n"
            "       joulecast hc predict (--hc J_PER_MAC | --from HC.json --gpu NAME)\n"
            "                            (--arch NAME [--image S] | --macs N) --samples N [--epochs N]\n"
            "\n"
            "The second seed's model: energy = HC x MACs, one coefficient per GPU (it\n"
            "found 5.9e-11 J per MAC for an RTX 4090). MACs are the network's forward\n"
            "multiply-accumulates per sample (ptflops' count; here flops / 2 from the runs\n"
            "table) times the samples processed; the backward pass and everything else\n"
            "the GPU does are inside HC.\n"
            "\n"
            "hc fit: per group (--by, default gpu_model), runs with energy (--energy,\n"
            "default epoch_energy_j: per GPU, one epoch) and flops and samples: HC as the\n"
            "least-squares line through the origin, with its R^2 and mean relative error,\n"
            "the median of energy / MACs, and the log-log line ln E = a + b ln MACs (b = 1\n"
            "is strict proportionality). --json writes them for `hc predict --from`.\n"
            "\n"
            "hc predict: energy per GPU = HC x MACs per sample x samples x epochs.\n"
            "\n"
            "examples:\n"
            "  joulecast hc fit data/zeus_runs.csv\n"
            "  joulecast hc fit data/seaa2023_runs.csv --json > hc.json\n"
            "  joulecast hc predict --from hc.json --gpu 'RTX 3090' --arch resnet50 --image 128 --samples 23807 --epochs 30\n"
            "  joulecast hc predict --hc 5.9e-11 --arch vgg16 --image 32 --samples 50000 --epochs 20\n");
}

static int hc_fit(int argc, char **argv)
{
    const char *path = NULL, *ecol = "epoch_energy_j", *bycol = "gpu_model";
    char **where = NULL;
    size_t nwhere = 0;
    int json = 0, status = JC_EXIT_USAGE;
    jc_table *t = NULL;
    unsigned char *keep = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "--energy") || !strcmp(a, "--by") || !strcmp(a, "--where")) && i + 1 >= argc) {
            fprintf(stderr, "joulecast: error: %s needs a value\n", a);
            goto out;
        }
        if (!strcmp(a, "--energy")) ecol = argv[++i];
        else if (!strcmp(a, "--by")) bycol = argv[++i];
        else if (!strcmp(a, "--where")) { where = realloc(where, (nwhere + 1) * sizeof *where); where[nwhere++] = argv[++i]; }
        else if (!strcmp(a, "--json")) json = 1;
        else if (a[0] == '-') { fprintf(stderr, "joulecast: error: hc fit: unknown option '%s'\n", a); goto out; }
        else if (!path) path = a;
        else { fprintf(stderr, "joulecast: error: hc fit: one runs CSV, got '%s' too\n", a); goto out; }
    }
    if (!path) {
        fprintf(stderr, "joulecast: error: hc fit needs RUNS.csv\n");
        goto out;
    }
    if ((status = jc_cli_read_rows(path, where, nwhere, &t, &keep)) != 0)
        goto out;
    status = JC_EXIT_USAGE;
    int ce = jc_table_find(t, ecol), cf = jc_table_find(t, "flops"), cs = jc_table_find(t, "samples"),
        cb = jc_table_find(t, bycol);
    if (ce < 0 || cf < 0 || cs < 0 || cb < 0) {
        fprintf(stderr, "joulecast: error: %s needs columns %s, flops, samples and %s\n", path, ecol, bycol);
        goto out;
    }
    status = JC_EXIT_FAIL;
    if (jc_table_require_numeric(t, ce, 0) || jc_table_require_numeric(t, cf, 0) || jc_table_require_numeric(t, cs, 0)) {
        jc_print_error();
        goto out;
    }
    const double *E = jc_table_column_values(t, ce), *F = jc_table_column_values(t, cf),
                 *S = jc_table_column_values(t, cs);
    size_t n = jc_table_nrows(t);
    double *e = malloc((n ? n : 1) * sizeof *e), *m = malloc((n ? n : 1) * sizeof *m);
    char **groups = calloc(n ? n : 1, sizeof *groups);
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        const char *g = jc_table_text(t, i, cb);
        if (!keep[i] || !g || !*g)
            continue;
        int seen = 0;
        for (size_t k = 0; k < ng; k++)
            seen |= !strcmp(groups[k], g);
        if (!seen)
            groups[ng++] = (char *)g;
    }
    json_t *arr = json_array();
    if (!json)
        printf("%-26s %5s %14s %14s %8s %8s %10s   %s\n", bycol, "runs", "HC (J/MAC)", "median E/MACs", "R^2", "MRE",
               "log slope", "ln E = a + b ln MACs");
    for (size_t k = 0; k < ng; k++) {
        size_t c = 0;
        for (size_t i = 0; i < n; i++) {
            const char *g = jc_table_text(t, i, cb);
            if (!keep[i] || !g || strcmp(g, groups[k]) || !(E[i] > 0) || !(F[i] > 0) || !(S[i] > 0))
                continue;
            e[c] = E[i];
            m[c] = F[i] / 2 * S[i];
            c++;
        }
        jc_hc_fit h;
        if (c < 2 || jc_hc_fit_runs(e, m, c, &h) != JC_OK) {
            if (!json)
                printf("%-26s %5zu   (too few runs with energy, flops and samples)\n", groups[k], c);
            continue;
        }
        if (json)
            json_array_append_new(arr, json_pack("{s:s, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "group", groups[k],
                                                 "runs", (json_int_t)c, "hc_j_per_mac", h.hc_j_per_mac, "hc_median",
                                                 h.hc_median, "r2", h.r2, "mre", h.mre, "loglog_slope",
                                                 h.loglog_slope, "loglog_intercept", h.loglog_intercept, "loglog_r2",
                                                 h.loglog_r2));
        else
            printf("%-26s %5zu %14.3e %14.3e %8.3f %7.1f%% %10.3f   R^2 %.3f\n", groups[k], c, h.hc_j_per_mac,
                   h.hc_median, h.r2, 100 * h.mre, h.loglog_slope, h.loglog_r2);
    }
    if (json) {
        json_t *root = json_pack("{s:s, s:s, s:s, s:o, s:f}", "format", "joulecast-hc", "data", path, "energy", ecol,
                                 "fits", arr, "seed_rtx4090_hc_j_per_mac", SEED_HC_4090);
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(8));
        putchar('\n');
        json_decref(root);
    } else {
        json_decref(arr);
        printf("%-26s %5s %14.3e   (the second seed, section 4.2)\n", "RTX 4090 (the seed)", "", SEED_HC_4090);
    }
    free(e);
    free(m);
    free(groups);
    status = JC_EXIT_OK;
out:
    free(where);
    free(keep);
    jc_table_free(t);
    return status;
}

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

static int hc_predict(int argc, char **argv)
{
    double hc = NAN, macs = NAN, samples = NAN, epochs = 1, image = NAN;
    const char *from = NULL, *gpu = NULL, *arch = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "joulecast: error: %s needs a value\n", a);
            return JC_EXIT_USAGE;
        }
        i++;
        if (!strcmp(a, "--hc")) { if (jc_parse_double_opt(a, v, 1e-18, 1, &hc)) return JC_EXIT_USAGE; }
        else if (!strcmp(a, "--macs")) { if (jc_parse_double_opt(a, v, 1, 1e18, &macs)) return JC_EXIT_USAGE; }
        else if (!strcmp(a, "--samples")) { if (jc_parse_double_opt(a, v, 1, 1e13, &samples)) return JC_EXIT_USAGE; }
        else if (!strcmp(a, "--epochs")) { if (jc_parse_double_opt(a, v, 1e-3, 1e7, &epochs)) return JC_EXIT_USAGE; }
        else if (!strcmp(a, "--image")) { if (jc_parse_double_opt(a, v, 1, 100000, &image)) return JC_EXIT_USAGE; }
        else if (!strcmp(a, "--from")) from = v;
        else if (!strcmp(a, "--gpu")) gpu = v;
        else if (!strcmp(a, "--arch")) arch = v;
        else { fprintf(stderr, "joulecast: error: hc predict: unknown option '%s'\n", a); return JC_EXIT_USAGE; }
    }
    if ((!isfinite(hc) && !(from && gpu)) || (!isfinite(macs) && !arch) || !isfinite(samples)) {
        fprintf(stderr, "joulecast: error: hc predict needs --hc (or --from and --gpu), --arch (or --macs) and "
                        "--samples\n");
        return JC_EXIT_USAGE;
    }
    if (!isfinite(hc)) {
        json_error_t err;
        json_t *root = json_load_file(from, 0, &err);
        if (!root) {
            fprintf(stderr, "joulecast: error: %s:%d:%d: %s\n", from, err.line, err.column, err.text);
            return JC_EXIT_FAIL;
        }
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(root, "fits"), i, f) {
            const char *g = json_string_value(json_object_get(f, "group"));
            if (g && (strcasecmp(g, gpu) == 0 || contains_nocase(g, gpu)))
                hc = json_number_value(json_object_get(f, "hc_j_per_mac"));
        }
        json_decref(root);
        if (!isfinite(hc) || !(hc > 0)) {
            fprintf(stderr, "joulecast: error: %s has no HC for '%s'\n", from, gpu);
            return JC_EXIT_FAIL;
        }
    }
    if (!isfinite(macs)) {
        jc_arch_input in;
        memset(&in, 0, sizeof in);
        if (isfinite(image))
            in.image = (int)image;
        jc_arch_counts c;
        if (jc_arch_zoo_count(arch, &in, &c) != JC_OK) {
            jc_print_error();
            return JC_EXIT_USAGE;
        }
        macs = (double)c.macs;
    }
    double e = hc * macs * samples * epochs;
    printf("energy per GPU = HC %.3e J/MAC x %.4g MACs/sample x %.4g samples x %g epochs = %.6g J = %.4g kWh\n", hc,
           macs, samples, epochs, e, e / 3.6e6);
    return JC_EXIT_OK;
}

int jc_cmd_hc(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "fit"))
        return hc_fit(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "predict"))
        return hc_predict(argc, argv);
    fprintf(stderr, "joulecast: error: hc needs 'fit' or 'predict' (joulecast hc --help)\n");
    return JC_EXIT_USAGE;
}
