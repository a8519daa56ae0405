/* joulecast fit / importance: fit the chosen model per target on every
 * (filtered) row and write the model file the forecast reads; and the
 * input-perturbation importance of each feature of a fitted model. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "joulecast/learn.h"
#include "joulecast/table.h"
#include "joulecast/util.h"
#include "learn_cli.h"

#ifndef JC_VERSION
#define JC_VERSION "0.1.0"
#endif

void jc_cmd_fit_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast fit RUNS.csv --targets T1,T2 --features F1,F2,... -o MODEL.json [options]\n"
            "\n"
            "Fits one model per target on every row that has it (after --where), and\n"
            "writes the model file (docs/formats.md, \"joulecast-model\"): per target its\n"
            "features, which are log-transformed, the standardisation, each feature's\n"
            "training range (predictions outside it get a warning), the fitted model\n"
            "(formula for sr), training metrics and where it came from. `joulecast\n"
            "predict --model` reads it.\n"
            "\n"
            "options:\n"
            "  --targets LIST       columns to predict\n"
            "  --features LIST      input columns, the same for every target...\n"
            "  --features-for T=A,B ...or per target (repeat; the seed's Table 2 picks\n"
            "                       different features per target: see `joulecast select`)\n"
            "  --log LIST           features to take the natural log of\n"
            "  --log-target LIST    targets to fit as ln(y) (for relative error on values that span\n"
            "                       decades, such as epoch time); predictions come back as y\n"
            "  --model KIND         sr (default), mlp, ols, ridge, lasso or gbr\n"
            "  --where COL=VAL      fit on matching rows only (repeat; COL!=VAL excludes)\n"
            "  --seed S             default 42\n"
            "  --quick              gbr, mlp: one grid point instead of the CV search\n"
            "  --bootstrap N        also fit N refits on bootstrap resamples: the forecast's\n"
            "                       prediction interval (5th to 95th percentile of the members)\n"
            "  --gpu-features       add the GPU's specifications (gpu_tdp_w, gpu_fp32_tflops,\n"
            "                       gpu_fp16_tensor_tflops, gpu_memory_gb, gpu_memory_bandwidth_gbs,\n"
            "                       from data/gpus.csv by gpu_model) as columns to use as features\n"
            "  --into MODEL.json    start from that model file: its other targets are kept,\n"
            "                       targets fitted now replace theirs (models from several tables)\n"
            "  --sr-population N, --sr-generations N, --sr-p-crossover P   (15000, 50, 0.7)\n"
            "  --threads N          0: all cores\n"
            "  -o FILE              the model file (written atomically)\n"
            "\n"
            "example:\n"
            "  joulecast fit data/zeus_runs.csv --targets time_per_epoch_s,avg_power_w \\\n"
            "      --features batch_size,power_limit_w,params,flops --log params,flops -o zeus.json\n");
}

void jc_cmd_importance_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast importance MODEL.json RUNS.csv [--target T] [--repeats N] [--seed S] [--where COL=VAL]\n"
            "\n"
            "Input-perturbation importance (the first seed's Table S5): for each feature,\n"
            "the values in RUNS.csv are shuffled among the rows (N times, seeded) and the\n"
            "mean increase of the model's MSE is reported, with each feature's share of\n"
            "the total increase. Use held-out rows for an honest figure.\n");
}

static void iso_now(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

typedef struct {
    char *target;
    char **features;
    size_t n;
} per_target;

int jc_cmd_fit(int argc, char **argv)
{
    const char *path = NULL, *outpath = NULL, *kind = "sr";
    char **targets = NULL, **features = NULL, **logs = NULL, **where = NULL;
    size_t ntargets = 0, nfeatures = 0, nlogs = 0, nwhere = 0, nper = 0;
    per_target per[32];
    jc_regressor_opts ro;
    jc_regressor_opts_init(&ro);
    ro.seed = 42;
    long bootstrap = 0;
    char **logt = NULL;
    size_t nlogt = 0;
    int gpu_features = 0;
    const char *into = NULL;
    int status = JC_EXIT_USAGE;
    jc_table *t = NULL;
    jc_model m = {0};
    unsigned char *keep = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long lv;
        double dv;
#define NEED() do { if (!v) { fprintf(stderr, "joulecast: error: %s needs a value\n", a); goto out; } i++; } while (0)
        if (!strcmp(a, "--targets")) { NEED(); jc_cli_free_list(targets, ntargets); targets = jc_cli_split_list(v, &ntargets); }
        else if (!strcmp(a, "--features")) { NEED(); jc_cli_free_list(features, nfeatures); features = jc_cli_split_list(v, &nfeatures); }
        else if (!strcmp(a, "--features-for")) {
            NEED();
            const char *eq = strchr(v, '=');
            if (!eq || eq == v || nper == 32) { fprintf(stderr, "joulecast: error: --features-for '%s': expected TARGET=F1,F2\n", v); goto out; }
            per[nper].target = strndup(v, (size_t)(eq - v));
            per[nper].features = jc_cli_split_list(eq + 1, &per[nper].n);
            nper++;
        }
        else if (!strcmp(a, "--log")) { NEED(); jc_cli_free_list(logs, nlogs); logs = jc_cli_split_list(v, &nlogs); }
        else if (!strcmp(a, "--where")) { NEED(); where = realloc(where, (nwhere + 1) * sizeof *where); where[nwhere++] = (char *)v; }
        else if (!strcmp(a, "--model")) { NEED(); kind = v; }
        else if (!strcmp(a, "--seed")) { NEED(); if (jc_parse_int_opt(a, v, 0, 0x7fffffffL, &lv)) goto out; ro.seed = (uint64_t)lv; }
        else if (!strcmp(a, "--quick")) { ro.full_grid = 0; }
        else if (!strcmp(a, "--bootstrap")) { NEED(); if (jc_parse_int_opt(a, v, 0, 1000, &bootstrap)) goto out; }
        else if (!strcmp(a, "--gpu-features")) { gpu_features = 1; }
        else if (!strcmp(a, "--log-target")) { NEED(); jc_cli_free_list(logt, nlogt); logt = jc_cli_split_list(v, &nlogt); }
        else if (!strcmp(a, "--into")) { NEED(); into = v; }
        else if (!strcmp(a, "--sr-population")) { NEED(); if (jc_parse_int_opt(a, v, 2, 10000000, &lv)) goto out; ro.sr_population = (int)lv; }
        else if (!strcmp(a, "--sr-generations")) { NEED(); if (jc_parse_int_opt(a, v, 1, 100000, &lv)) goto out; ro.sr_generations = (int)lv; }
        else if (!strcmp(a, "--sr-p-crossover")) { NEED(); if (jc_parse_double_opt(a, v, 0.001, 1, &dv)) goto out; ro.sr_p_crossover = dv; }
        else if (!strcmp(a, "--threads")) { NEED(); if (jc_parse_int_opt(a, v, 0, 1024, &lv)) goto out; ro.threads = (int)lv; }
        else if (!strcmp(a, "-o")) { NEED(); outpath = v; }
        else if (a[0] == '-') { fprintf(stderr, "joulecast: error: fit: unknown option '%s'\n", a); goto out; }
        else if (!path) path = a;
        else { fprintf(stderr, "joulecast: error: fit: one runs CSV, got '%s' too\n", a); goto out; }
#undef NEED
    }
    if (!path || !ntargets || !outpath || (!nfeatures && nper < ntargets)) {
        fprintf(stderr, "joulecast: error: fit needs RUNS.csv, --targets, --features (or --features-for each target) "
                        "and -o (joulecast fit --help)\n");
        goto out;
    }
    if (jc_cli_check_model(kind) != 0)
        goto out;
    if ((status = jc_cli_read_rows(path, where, nwhere, &t, &keep)) != 0)
        goto out;
    status = JC_EXIT_FAIL;
    if (gpu_features && jc_cli_add_gpu_columns(t) != JC_OK) {
        jc_print_error();
        goto out;
    }
    jc_model base = {0};
    if (into && jc_model_load(into, &base) != JC_OK) {
        jc_print_error();
        goto out;
    }
    /* targets of the existing model that this fit does not replace come first */
    size_t kept = 0;
    m.targets = calloc(base.ntargets + ntargets, sizeof *m.targets);
    for (size_t k = 0; k < base.ntargets; k++) {
        int replaced = 0;
        for (size_t q = 0; q < ntargets; q++)
            replaced |= !strcmp(base.targets[k].name, targets[q]);
        if (replaced) {
            jc_model_target_free(&base.targets[k]);
            continue;
        }
        m.targets[kept++] = base.targets[k];
    }
    free(base.targets);
    base.targets = NULL;
    base.ntargets = 0;
    jc_model_free(&base);
    m.ntargets = kept + ntargets;
    m.data = jc_strdup(into ? "several (see each target)" : path);
    char filt[1024] = "";
    for (size_t k = 0; k < nwhere; k++)
        snprintf(filt + strlen(filt), sizeof filt - strlen(filt), "%s%s", k ? " " : "", where[k]);
    m.filter = jc_strdup(filt);
    char now[32];
    iso_now(now, sizeof now);
    m.created = jc_strdup(now);
    m.trained_by = jc_strdup("joulecast " JC_VERSION);
    m.seed = ro.seed;
    for (size_t k = 0; k < ntargets; k++) {
        char **fs = features;
        size_t nf = nfeatures;
        for (size_t q = 0; q < nper; q++)
            if (!strcmp(per[q].target, targets[k])) {
                fs = per[q].features;
                nf = per[q].n;
            }
        jc_cli_data d;
        if (jc_cli_load(t, fs, nf, &targets[k], 1, logs, nlogs, keep, &d) != JC_OK) {
            jc_print_error();
            status = JC_EXIT_USAGE;
            goto out;
        }
        /* rows with the target; the log flags go to the model, which applies
         * them itself at prediction: undo the loader's log here */
        unsigned char *lf = calloc(nf, 1);
        for (size_t j = 0; j < nf; j++)
            for (size_t q = 0; q < nlogs; q++)
                if (!strcmp(fs[j], logs[q]))
                    lf[j] = 1;
        size_t nn = 0;
        for (size_t i = 0; i < d.n; i++) {
            if (!isfinite(d.y[i]))
                continue;
            for (size_t j = 0; j < nf; j++)
                d.x[nn * nf + j] = lf[j] ? exp(d.x[i * nf + j]) : d.x[i * nf + j];
            d.row[nn] = d.row[i];
            d.y[nn++] = d.y[i];
        }
        fprintf(stderr, "joulecast: fitting %s (%s) on %zu rows...\n", targets[k], kind, nn);
        jc_model_target *mt = &m.targets[kept + k];
        int lt = 0;
        for (size_t q = 0; q < nlogt; q++)
            lt |= !strcmp(logt[q], targets[k]);
        int rc = nn >= 2 ? jc_model_target_fit(mt, targets[k], fs, lf, nf, d.x, nn, d.y, kind, &ro, lt)
                         : jc_fail(JC_ERR_EMPTY, "%s: %zu rows have target '%s'; at least 2 are needed", path, nn,
                                   targets[k]);
        if (rc == JC_OK && bootstrap > 0) {
            fprintf(stderr, "joulecast: %ld bootstrap refits of %s for the prediction interval...\n", bootstrap,
                    targets[k]);
            rc = jc_model_target_bootstrap(mt, d.x, nn, d.y, kind, &ro, (int)bootstrap, ro.seed + 1000 * (k + 1));
        }
        /* what the rows covered, for the forecast's "outside the model" warnings */
        int gc = jc_table_find(t, "gpu_model"), ac = jc_table_find(t, "arch");
        for (size_t i = 0; rc == JC_OK && i < nn; i++) {
            if (gc >= 0)
                rc = jc_model_target_note_seen(mt, 0, jc_table_text(t, d.row[i], gc));
            if (rc == JC_OK && ac >= 0)
                rc = jc_model_target_note_seen(mt, 1, jc_table_text(t, d.row[i], ac));
        }
        free(lf);
        jc_cli_data_free(&d);
        if (rc != JC_OK) {
            jc_print_error();
            goto out;
        }
        char *desc = jc_regressor_describe(mt->reg);
        printf("%s = %s\n  train: R^2 %.4f, MRE %.2f %%, MSE %.4g on %zu rows\n", targets[k], desc ? desc : "?",
               mt->train_r2, 100 * mt->train_mre, mt->train_mse, mt->rows);
        free(desc);
    }
    if (jc_model_save(&m, outpath) != JC_OK) {
        jc_print_error();
        goto out;
    }
    fprintf(stderr, "joulecast: model written to %s\n", outpath);
    status = JC_EXIT_OK;
out:
    jc_cli_free_list(targets, ntargets);
    jc_cli_free_list(features, nfeatures);
    jc_cli_free_list(logs, nlogs);
    jc_cli_free_list(logt, nlogt);
    for (size_t q = 0; q < nper; q++) {
        free(per[q].target);
        jc_cli_free_list(per[q].features, per[q].n);
    }
    free(where);
    free(keep);
    jc_model_free(&m);
    jc_table_free(t);
    return status;
}

int jc_cmd_importance(int argc, char **argv)
{
    const char *mpath = NULL, *dpath = NULL, *target = NULL;
    char **where = NULL;
    size_t nwhere = 0;
    long repeats = 10, seed = 42;
    int status = JC_EXIT_USAGE;
    jc_model m = {0};
    jc_table *t = NULL;
    unsigned char *keep = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if ((!strcmp(a, "--target") || !strcmp(a, "--repeats") || !strcmp(a, "--seed") || !strcmp(a, "--where")) && !v) {
            fprintf(stderr, "joulecast: error: %s needs a value\n", a);
            goto out;
        }
        if (!strcmp(a, "--target")) target = argv[++i];
        else if (!strcmp(a, "--repeats")) { if (jc_parse_int_opt(a, argv[++i], 1, 10000, &repeats)) goto out; }
        else if (!strcmp(a, "--seed")) { if (jc_parse_int_opt(a, argv[++i], 0, 0x7fffffffL, &seed)) goto out; }
        else if (!strcmp(a, "--where")) { where = realloc(where, (nwhere + 1) * sizeof *where); where[nwhere++] = argv[++i]; }
        else if (a[0] == '-') { fprintf(stderr, "joulecast: error: importance: unknown option '%s'\n", a); goto out; }
        else if (!mpath) mpath = a;
        else if (!dpath) dpath = a;
        else { fprintf(stderr, "joulecast: error: importance: MODEL.json RUNS.csv, got '%s' too\n", a); goto out; }
    }
    if (!mpath || !dpath) {
        fprintf(stderr, "joulecast: error: importance needs MODEL.json and RUNS.csv\n");
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
    int found = 0;
    for (size_t k = 0; k < m.ntargets; k++) {
        jc_model_target *mt = &m.targets[k];
        if (target && strcmp(target, mt->name))
            continue;
        found = 1;
        jc_cli_data d;
        if (jc_cli_load_target(t, mt, keep, &d) != JC_OK) {
            jc_print_error();
            goto out;
        }
        size_t nn = d.n;
        /* in the target's units: a log target and a calibration included */
        double *inc = calloc(mt->p, sizeof *inc), *share = calloc(mt->p, sizeof *share);
        int rc = nn >= 2 ? JC_OK : jc_fail(JC_ERR_EMPTY, "%s: fewer than 2 rows with '%s'", dpath, mt->name);
        if (rc == JC_OK)
            rc = jc_model_target_importance(mt, d.x, nn, d.y, (int)repeats, (uint64_t)seed, inc, share);
        if (rc == JC_OK) {
            printf("%s (%zu rows, %ld shuffles per feature)\n  %-24s %14s %8s\n", mt->name, nn, repeats, "feature",
                   "MSE increase", "share");
            for (size_t j = 0; j < mt->p; j++)
                printf("  %-24s %14.4g %7.1f%%\n", mt->features[j], inc[j], 100 * share[j]);
        } else {
            jc_print_error();
        }
        free(inc);
        free(share);
        jc_cli_data_free(&d);
        if (rc != JC_OK)
            goto out;
    }
    if (!found) {
        fprintf(stderr, "joulecast: error: %s has no target '%s'\n", mpath, target);
        goto out;
    }
    status = JC_EXIT_OK;
out:
    free(where);
    free(keep);
    jc_model_free(&m);
    jc_table_free(t);
    return status;
}
