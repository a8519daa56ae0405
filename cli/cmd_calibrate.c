/* joulecast calibrate: adapt a fitted model to a GPU or network it was not
 * fitted on, from a few runs of the new kind (the first seed's Discussion).
 * Each target's predictions get a scale shrunk towards the old model; the
 * error on the new runs is printed before and after (leave-one-out too). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joulecast/forecast.h"
#include "joulecast/learn.h"
#include "joulecast/table.h"
#include "joulecast/util.h"
#include "learn_cli.h"

void jc_cmd_calibrate_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast calibrate MODEL.json NEW_RUNS.csv -o MODEL2.json [--targets LIST]\n"
            "                           [--prior-runs M] [--where COL=VAL]... [--gpu-features]\n"
            "\n"
            "A model fitted on some GPUs and networks is adapted to a new one from a few\n"
            "runs of it (3 are enough to gain): for each target, the old model's\n"
            "predictions p on the new runs are compared with what was measured, y, and\n"
            "the model's predictions are scaled from then on by\n"
            "  s = (sum y p + M mean(p^2)) / (sum p^2 + M mean(p^2)),\n"
            "the least-squares ratio shrunk towards 1: the old model counts as M runs\n"
            "(--prior-runs, default 3: as much as the runs) on which it was right. A scale rather than a refit:\n"
            "a few runs can carry one number per target, and a new GPU mostly rescales\n"
            "power and time. Printed per target: the mean relative error on the new runs\n"
            "before, after (in-sample), and after leave-one-out (each run predicted with\n"
            "a scale fitted on the others: the honest figure with so few runs).\n"
            "\n"
            "options:\n"
            "  --targets LIST     the targets to calibrate (default: the model's targets the\n"
            "                     CSV has values for)\n"
            "  --prior-runs M     weight of the old model, in runs (default 3; 0: no prior)\n"
            "  --where COL=VAL    use matching rows only\n"
            "  --gpu-features     add the GPU specification columns, as `fit --gpu-features`\n"
            "  -o FILE            the calibrated model (written atomically; the input stays)\n"
            "\n"
            "example:\n"
            "  joulecast calibrate zeus_a40_v100.json rtx6000_3runs.csv -o zeus_rtx6000.json\n");
}

int jc_cmd_calibrate(int argc, char **argv)
{
    const char *mpath = NULL, *dpath = NULL, *outpath = NULL;
    char **targets = NULL, **where = NULL;
    size_t ntargets = 0, nwhere = 0;
    double prior = 3;
    int gpu_features = 0, status = JC_EXIT_USAGE;
    jc_model m = {0};
    jc_table *t = NULL;
    unsigned char *keep = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if ((!strcmp(a, "-o") || !strcmp(a, "--targets") || !strcmp(a, "--prior-runs") || !strcmp(a, "--where")) &&
            !v) {
            fprintf(stderr, "joulecast: error: %s needs a value\n", a);
            goto out;
        }
        if (!strcmp(a, "-o")) outpath = argv[++i];
        else if (!strcmp(a, "--targets")) { targets = jc_cli_split_list(argv[++i], &ntargets); }
        else if (!strcmp(a, "--prior-runs")) { if (jc_parse_double_opt(a, argv[++i], 0, 1e6, &prior)) goto out; }
        else if (!strcmp(a, "--where")) { where = realloc(where, (nwhere + 1) * sizeof *where); where[nwhere++] = argv[++i]; }
        else if (!strcmp(a, "--gpu-features")) gpu_features = 1;
        else if (a[0] == '-') { fprintf(stderr, "joulecast: error: calibrate: unknown option '%s'\n", a); goto out; }
        else if (!mpath) mpath = a;
        else if (!dpath) dpath = a;
        else { fprintf(stderr, "joulecast: error: calibrate: MODEL.json NEW_RUNS.csv, got '%s' too\n", a); goto out; }
    }
    if (!mpath || !dpath || !outpath) {
        fprintf(stderr, "joulecast: error: calibrate needs MODEL.json, NEW_RUNS.csv and -o (joulecast calibrate --help)\n");
        goto out;
    }
    status = JC_EXIT_FAIL;
    if (jc_model_load(mpath, &m) != JC_OK) {
        jc_print_error();
        goto out;
    }
    if ((status = jc_cli_read_rows(dpath, where, nwhere, &t, &keep)) != 0)
        goto out;
    status = JC_EXIT_FAIL;
    if (gpu_features && jc_cli_add_gpu_columns(t) != JC_OK) {
        jc_print_error();
        goto out;
    }
    printf("%-18s %5s %9s %12s %12s %16s\n", "target", "runs", "scale", "MRE before", "MRE after", "after (LOO)");
    int done = 0;
    for (size_t k = 0; k < m.ntargets; k++) {
        jc_model_target *mt = &m.targets[k];
        int wanted = !targets;
        for (size_t q = 0; q < ntargets; q++)
            wanted |= !strcmp(targets[q], mt->name);
        if (!wanted || jc_table_find(t, mt->name) < 0)
            continue;
        jc_cli_data d;
        if (jc_cli_load_target(t, mt, keep, &d) != JC_OK) {
            jc_print_error();
            goto out;
        }
        size_t nn = d.n;
        double *pred = malloc((nn ? nn : 1) * sizeof *pred);
        jc_calibration c;
        int rc = nn ? jc_model_target_predict(mt, d.x, nn, pred) : JC_ERR_EMPTY;
        if (rc == JC_OK)
            rc = jc_calibrate_scale(pred, d.y, nn, prior, &c);
        free(pred);
        jc_cli_data_free(&d);
        if (rc != JC_OK) {
            if (nn)
                jc_print_error();
            continue;
        }
        mt->calib_scale *= c.scale;
        mt->calib_runs = c.runs;
        char note[512];
        snprintf(note, sizeof note, "%zu runs of %s%s%s, prior %g runs", c.runs, dpath, nwhere ? " where " : "",
                 nwhere ? where[0] : "", prior);
        free(mt->calib_note);
        mt->calib_note = jc_strdup(note);
        printf("%-18s %5zu %9.4f %11.2f%% %11.2f%% %15.2f%%\n", mt->name, c.runs, c.scale, 100 * c.mre_before,
               100 * c.mre_after, 100 * c.mre_after_loo);
        done++;
    }
    if (!done) {
        fprintf(stderr, "joulecast: error: %s has values for none of the model's targets\n", dpath);
        goto out;
    }
    if (jc_model_save(&m, outpath) != JC_OK) {
        jc_print_error();
        goto out;
    }
    fprintf(stderr, "joulecast: calibrated model written to %s\n", outpath);
    status = JC_EXIT_OK;
out:
    jc_cli_free_list(targets, ntargets);
    free(where);
    free(keep);
    jc_model_free(&m);
    jc_table_free(t);
    return status;
}
