/* joulecast evaluate: the first seed's Table 3 (and, with --train-where /
 * --test-where, Table 4; with --sr-sweep, Tables S3 and S4): every model on
 * every target over repeated seeded splits, MSE and MRE mean +- std, as a
 * terminal table, markdown, CSV or JSON. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joulecast/learn.h"
#include "joulecast/table.h"
#include "joulecast/util.h"
#include "learn_cli.h"

void jc_cmd_evaluate_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast evaluate RUNS.csv --targets T1,T2 --features F1,F2,... [options]\n"
            "\n"
            "The first seed's evaluation (section 4.4, Table 3): for each repeat, the rows\n"
            "that have the target are shuffled (seeded) and split train:validation:test;\n"
            "features are standardised on train+validation; every model is fitted on\n"
            "train+validation (each picks its hyper-parameters inside it: 5-fold CV over\n"
            "its grid, or early stopping) and scored on the test rows. Every model sees\n"
            "the same split. Reported: MSE, MRE (mean |y - yhat| / |y|) and R^2, mean and\n"
            "standard deviation (population) over the repeats.\n"
            "\n"
            "options:\n"
            "  --targets LIST       columns to predict (each evaluated on its own rows)\n"
            "  --features LIST      input columns (numeric; rows missing one are left out)\n"
            "  --log LIST           features to take the natural log of (heavy-tailed: params, flops)\n"
            "  --log-target LIST    targets to fit as ln(y), scored back in y (values spanning decades)\n"
            "  --gpu-features       add the GPU's specifications as columns (gpu_tdp_w, gpu_fp32_tflops,\n"
            "                       gpu_fp16_tensor_tflops, gpu_memory_gb, gpu_memory_bandwidth_gbs)\n"
            "  --models LIST        any of sr,mlp,ols,ridge,lasso,gbr (default: all six)\n"
            "  --repeats N          default 20\n"
            "  --split A:B:C        train:validation:test proportions (default 8:1:1)\n"
            "  --seed S             default 42\n"
            "  --where COL=VAL      use only matching rows (repeat it; COL!=VAL excludes)\n"
            "  --train-where COL=VAL, --test-where COL=VAL\n"
            "                       transfer (Table 4): fit on rows matching the first, test on\n"
            "                       rows matching the second; repeats vary the models' seeds\n"
            "  --quick              gbr and mlp: one grid point instead of the full CV search\n"
            "  --tune-every-repeat  search hyper-parameters in every repeat (nested; default:\n"
            "                       search on the first repeat's fitting rows, then keep that\n"
            "                       grid point, as the seed tunes once per target)\n"
            "  --sr-population N    default 15000 (the seed's)\n"
            "  --sr-generations N   default 50\n"
            "  --sr-p-crossover P   default 0.7\n"
            "  --sr-sweep KEY=V1,V2,...\n"
            "                       SR sensitivity (Tables S3, S4): evaluate SR once per value of\n"
            "                       population, generations or p_crossover (repeat for several\n"
            "                       keys: each is swept alone, the others at their value)\n"
            "  --threads N          threads for SR and gbr (0: all cores)\n"
            "  --format F           table (default), markdown, csv or json\n"
            "  -o FILE              write there (atomically) instead of stdout\n"
            "\n"
            "examples:\n"
            "  joulecast evaluate data/zeus_runs.csv --targets time_per_epoch_s,avg_power_w \\\n"
            "      --features batch_size,power_limit_w,params,flops --log params,flops\n"
            "  joulecast evaluate runs.csv --targets peak_power_w --features batch_size,image_size \\\n"
            "      --train-where arch=resnet50 --test-where arch=vit_b_16 --format markdown\n"
            "  joulecast evaluate runs.csv --targets valley_s --features samples,workers --models sr \\\n"
            "      --sr-sweep population=1000,5000,15000 --sr-sweep p_crossover=0.5,0.7,0.9\n");
}

typedef struct {
    jc_progress *bar;
} progress_ctx;

static void on_progress(void *ctx, size_t done, size_t total, const char *target, const char *model)
{
    (void)target;
    (void)model;
    progress_ctx *pc = ctx;
    (void)total;
    jc_progress_update(pc->bar, (double)done);
}

static const char *fmt_g(double v, char *buf, size_t size)
{
    if (!isfinite(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.4g", v);
    return buf;
}

static void print_table(FILE *f, const jc_eval_result *r, const char *label)
{
    for (size_t t = 0; t < r->ntargets; t++) {
        fprintf(f, "%s%s  (%zu rows fitted, %zu tested per repeat)\n", label ? label : "", r->targets[t],
                r->ntrain[t], r->ntest[t]);
        fprintf(f, "  %-7s %24s %20s %16s %8s %9s\n", "model", "MSE (mean +- std)", "MRE % (mean +- std)",
                "R^2 (mean)", "repeats", "time");
        for (size_t m = 0; m < r->nmodels; m++) {
            const jc_eval_cell *c = &r->cells[t * r->nmodels + m];
            char a[32], b[32], d[32];
            if (c->repeats == 0) {
                fprintf(f, "  %-7s failed: %s\n", r->models[m], c->error ? c->error : "?");
                continue;
            }
            char mse[80], mre[64];
            snprintf(mse, sizeof mse, "%s +- %s", fmt_g(c->mse_mean, a, sizeof a), fmt_g(c->mse_std, b, sizeof b));
            snprintf(mre, sizeof mre, "%.2f +- %.2f", 100 * c->mre_mean, 100 * c->mre_std);
            fprintf(f, "  %-7s %24s %20s %16.4f %8zu %9s%s\n", r->models[m], mse, mre, c->r2_mean, c->repeats,
                    jc_fmt_duration(c->seconds, d), c->error ? "  (some repeats failed)" : "");
        }
    }
}

/* The seed's Table 3: models as rows, MSE and MRE per target as columns. */
static void print_markdown(FILE *f, const jc_eval_result *r, const char *label)
{
    if (label)
        fprintf(f, "**%s**\n\n", label);
    fprintf(f, "| model |");
    for (size_t t = 0; t < r->ntargets; t++)
        fprintf(f, " %s MSE | %s MRE (%%) |", r->targets[t], r->targets[t]);
    fprintf(f, "\n|---|");
    for (size_t t = 0; t < r->ntargets; t++)
        fprintf(f, "---|---|");
    fprintf(f, "\n");
    for (size_t m = 0; m < r->nmodels; m++) {
        fprintf(f, "| %s |", r->models[m]);
        for (size_t t = 0; t < r->ntargets; t++) {
            const jc_eval_cell *c = &r->cells[t * r->nmodels + m];
            char a[32], b[32];
            if (c->repeats == 0)
                fprintf(f, " failed | failed |");
            else
                fprintf(f, " %s ± %s | %.2f ± %.2f |", fmt_g(c->mse_mean, a, sizeof a), fmt_g(c->mse_std, b, sizeof b),
                        100 * c->mre_mean, 100 * c->mre_std);
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

static void print_csv(FILE *f, const jc_eval_result *r, const char *label, int header)
{
    if (header)
        fprintf(f, "%starget,model,repeats,mse_mean,mse_std,mre_mean,mre_std,r2_mean,r2_std,seconds,n_fit,n_test,error\n",
                label ? "setting," : "");
    for (size_t t = 0; t < r->ntargets; t++)
        for (size_t m = 0; m < r->nmodels; m++) {
            const jc_eval_cell *c = &r->cells[t * r->nmodels + m];
            if (label)
                fprintf(f, "%s,", label);
            fprintf(f, "%s,%s,%zu,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.3f,%zu,%zu,", r->targets[t], r->models[m],
                    c->repeats, c->mse_mean, c->mse_std, c->mre_mean, c->mre_std, c->r2_mean, c->r2_std, c->seconds,
                    r->ntrain[t], r->ntest[t]);
            if (c->error) {
                fputc('"', f);
                for (const char *s = c->error; *s; s++) {
                    if (*s == '"')
                        fputc('"', f);
                    fputc(*s, f);
                }
                fputc('"', f);
            }
            fputc('\n', f);
        }
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *result_json(const jc_eval_result *r, const char *label)
{
    json_t *cells = json_array();
    for (size_t t = 0; t < r->ntargets; t++)
        for (size_t m = 0; m < r->nmodels; m++) {
            const jc_eval_cell *c = &r->cells[t * r->nmodels + m];
            json_t *o = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:I, s:I}", "target",
                                  r->targets[t], "model", r->models[m], "repeats", (json_int_t)c->repeats, "mse_mean",
                                  num(c->mse_mean), "mse_std", num(c->mse_std), "mre_mean", num(c->mre_mean),
                                  "mre_std", num(c->mre_std), "r2_mean", num(c->r2_mean), "r2_std", num(c->r2_std),
                                  "seconds", c->seconds, "n_fit", (json_int_t)r->ntrain[t], "n_test",
                                  (json_int_t)r->ntest[t]);
            json_t *per = json_array();
            for (size_t k = 0; k < c->repeats; k++)
                json_array_append_new(per, json_pack("{s:o, s:o, s:o}", "mse", num(c->mse[k]), "mre", num(c->mre[k]),
                                                     "r2", num(c->r2[k])));
            json_object_set_new(o, "per_repeat", per);
            json_object_set_new(o, "error", c->error ? json_string(c->error) : json_null());
            json_object_set_new(o, "grid_point", c->grid_point >= 0 ? json_integer(c->grid_point) : json_null());
            json_array_append_new(cells, o);
        }
    json_t *root = json_object();
    if (label)
        json_object_set_new(root, "setting", json_string(label));
    json_object_set_new(root, "results", cells);
    return root;
}

typedef struct {
    char *key;
    double *values;
    size_t n;
} sweep;

static int parse_sweep(const char *s, sweep *sw)
{
    const char *eq = strchr(s, '=');
    if (!eq) {
        fprintf(stderr, "joulecast: error: --sr-sweep '%s': expected KEY=V1,V2,...\n", s);
        return -1;
    }
    sw->key = strndup(s, (size_t)(eq - s));
    if (strcmp(sw->key, "population") && strcmp(sw->key, "generations") && strcmp(sw->key, "p_crossover")) {
        fprintf(stderr, "joulecast: error: --sr-sweep: '%s' is not population, generations or p_crossover\n",
                sw->key);
        return -1;
    }
    size_t n;
    char **v = jc_cli_split_list(eq + 1, &n);
    sw->values = calloc(n ? n : 1, sizeof *sw->values);
    sw->n = n;
    int bad = n == 0;
    for (size_t i = 0; i < n; i++)
        if (jc_parse_double_opt("--sr-sweep", v[i], 1e-9, 1e9, &sw->values[i]) != 0)
            bad = 1;
    jc_cli_free_list(v, n);
    return bad ? -1 : 0;
}

int jc_cmd_evaluate(int argc, char **argv)
{
    const char *path = NULL, *outpath = NULL, *format = "table";
    char **targets = NULL, **features = NULL, **models = NULL, **logs = NULL;
    size_t ntargets = 0, nfeatures = 0, nmodels = 0, nlogs = 0;
    char **where = NULL, **trainw = NULL, **testw = NULL;
    size_t nwhere = 0, ntrainw = 0, ntestw = 0;
    sweep sweeps[3];
    size_t nsweeps = 0;
    jc_eval_opts o;
    jc_eval_opts_init(&o);
    int gpu_features = 0;
    char **logt = NULL;
    size_t nlogt = 0;
    unsigned char *ltflags = NULL;
    int status = JC_EXIT_USAGE;
    jc_table *t = NULL;
    jc_cli_data d = {0};
    unsigned char *keep = NULL, *trk = NULL, *tek = NULL;
    memset(sweeps, 0, sizeof sweeps);

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long lv;
        double dv;
#define NEED() do { if (!v) { fprintf(stderr, "joulecast: error: %s needs a value\n", a); goto out; } i++; } while (0)
        if (!strcmp(a, "--targets")) { NEED(); jc_cli_free_list(targets, ntargets); targets = jc_cli_split_list(v, &ntargets); }
        else if (!strcmp(a, "--features")) { NEED(); jc_cli_free_list(features, nfeatures); features = jc_cli_split_list(v, &nfeatures); }
        else if (!strcmp(a, "--models")) { NEED(); jc_cli_free_list(models, nmodels); models = jc_cli_split_list(v, &nmodels); }
        else if (!strcmp(a, "--log")) { NEED(); jc_cli_free_list(logs, nlogs); logs = jc_cli_split_list(v, &nlogs); }
        else if (!strcmp(a, "--where") || !strcmp(a, "--train-where") || !strcmp(a, "--test-where")) {
            NEED();
            char ***list = a[2] == 'w' ? &where : a[3] == 'r' ? &trainw : &testw;
            size_t *cnt = a[2] == 'w' ? &nwhere : a[3] == 'r' ? &ntrainw : &ntestw;
            *list = realloc(*list, (*cnt + 1) * sizeof **list);
            (*list)[(*cnt)++] = (char *)v;
        } else if (!strcmp(a, "--repeats")) { NEED(); if (jc_parse_int_opt(a, v, 1, 100000, &lv)) goto out; o.repeats = (int)lv; }
        else if (!strcmp(a, "--seed")) { NEED(); if (jc_parse_int_opt(a, v, 0, 0x7fffffffL, &lv)) goto out; o.seed = (uint64_t)lv; }
        else if (!strcmp(a, "--split")) {
            NEED();
            if (sscanf(v, "%lf:%lf:%lf", &o.train, &o.valid, &o.test) != 3 || !(o.test > 0) || o.train < 0 || o.valid < 0 ||
                !(o.train + o.valid > 0)) {
                fprintf(stderr, "joulecast: error: --split '%s': expected TRAIN:VALID:TEST, e.g. 8:1:1\n", v);
                goto out;
            }
        } else if (!strcmp(a, "--quick")) { o.model.full_grid = 0; }
        else if (!strcmp(a, "--tune-every-repeat")) { o.tune_every_repeat = 1; }
        else if (!strcmp(a, "--gpu-features")) { gpu_features = 1; }
        else if (!strcmp(a, "--log-target")) { NEED(); jc_cli_free_list(logt, nlogt); logt = jc_cli_split_list(v, &nlogt); }
        else if (!strcmp(a, "--sr-population")) { NEED(); if (jc_parse_int_opt(a, v, 2, 10000000, &lv)) goto out; o.model.sr_population = (int)lv; }
        else if (!strcmp(a, "--sr-generations")) { NEED(); if (jc_parse_int_opt(a, v, 1, 100000, &lv)) goto out; o.model.sr_generations = (int)lv; }
        else if (!strcmp(a, "--sr-p-crossover")) { NEED(); if (jc_parse_double_opt(a, v, 0.001, 1, &dv)) goto out; o.model.sr_p_crossover = dv; }
        else if (!strcmp(a, "--sr-sweep")) {
            NEED();
            if (nsweeps == 3) { fprintf(stderr, "joulecast: error: at most 3 --sr-sweep\n"); goto out; }
            if (parse_sweep(v, &sweeps[nsweeps++]) != 0) goto out;
        } else if (!strcmp(a, "--threads")) { NEED(); if (jc_parse_int_opt(a, v, 0, 1024, &lv)) goto out; o.model.threads = (int)lv; }
        else if (!strcmp(a, "--format")) { NEED(); format = v; }
        else if (!strcmp(a, "-o")) { NEED(); outpath = v; }
        else if (a[0] == '-') { fprintf(stderr, "joulecast: error: evaluate: unknown option '%s'\n", a); goto out; }
        else if (!path) path = a;
        else { fprintf(stderr, "joulecast: error: evaluate: one runs CSV, got '%s' too\n", a); goto out; }
#undef NEED
    }
    if (!path || !ntargets || !nfeatures) {
        fprintf(stderr, "joulecast: error: evaluate needs RUNS.csv, --targets and --features (joulecast evaluate --help)\n");
        goto out;
    }
    if (strcmp(format, "table") && strcmp(format, "markdown") && strcmp(format, "csv") && strcmp(format, "json")) {
        fprintf(stderr, "joulecast: error: --format '%s': expected table, markdown, csv or json\n", format);
        goto out;
    }
    if (!!ntrainw != !!ntestw) {
        fprintf(stderr, "joulecast: error: --train-where and --test-where go together\n");
        goto out;
    }
    if (!models) {
        static const char *all[] = {"sr", "mlp", "ols", "ridge", "lasso", "gbr"};
        models = calloc(6, sizeof *models);
        for (int k = 0; k < 6; k++)
            models[k] = jc_strdup(all[k]);
        nmodels = 6;
    }
    for (size_t m = 0; m < nmodels; m++)
        if (jc_cli_check_model(models[m]) != 0)
            goto out;
    if ((status = jc_cli_read_rows(path, where, nwhere, &t, &keep)) != 0)
        goto out;
    status = JC_EXIT_FAIL;
    if (gpu_features && jc_cli_add_gpu_columns(t) != JC_OK) {
        jc_print_error();
        goto out;
    }
    ltflags = calloc(ntargets, 1);
    for (size_t k = 0; k < ntargets; k++)
        for (size_t q = 0; q < nlogt; q++)
            ltflags[k] |= !strcmp(targets[k], logt[q]);
    o.log_targets = ltflags;
    size_t nrows = jc_table_nrows(t);
    if (jc_cli_load(t, features, nfeatures, targets, ntargets, logs, nlogs, keep, &d) != JC_OK) {
        jc_print_error();
        status = JC_EXIT_USAGE;
        goto out;
    }
    if (d.dropped)
        fprintf(stderr, "joulecast: %zu row%s left out: a feature is missing or not a number\n", d.dropped,
                d.dropped == 1 ? "" : "s");
    if (ntrainw) {
        trk = malloc(nrows);
        tek = malloc(nrows);
        memset(trk, 1, nrows);
        memset(tek, 1, nrows);
        if (jc_cli_filter_rows(t, trainw, ntrainw, trk) != JC_OK || jc_cli_filter_rows(t, testw, ntestw, tek) != JC_OK) {
            jc_print_error();
            status = JC_EXIT_USAGE;
            goto out;
        }
        /* flags per matrix row */
        unsigned char *a = malloc(d.n ? d.n : 1), *b = malloc(d.n ? d.n : 1);
        for (size_t i = 0; i < d.n; i++) {
            a[i] = trk[d.row[i]];
            b[i] = tek[d.row[i]] && !trk[d.row[i]];
        }
        free(trk);
        free(tek);
        trk = a;
        tek = b;
        o.train_rows = trk;
        o.test_rows = tek;
    }

    FILE *f = stdout;
    jc_atomic_file *af = NULL;
    if (outpath && jc_atomic_open(outpath, &af, &f) != JC_OK) {
        jc_print_error();
        goto out;
    }
    json_t *all = json_array();
    int failed = 0;
    size_t setting = 0;
    for (size_t s = 0; s < (nsweeps ? nsweeps : 1) && !failed; s++) {
        for (size_t k = 0; k < (nsweeps ? sweeps[s].n : 1) && !failed; k++, setting++) {
            jc_eval_opts so = o;
            char label[96] = "";
            if (nsweeps) {
                double v = sweeps[s].values[k];
                if (!strcmp(sweeps[s].key, "population"))
                    so.model.sr_population = (int)v;
                else if (!strcmp(sweeps[s].key, "generations"))
                    so.model.sr_generations = (int)v;
                else
                    so.model.sr_p_crossover = v;
                snprintf(label, sizeof label, "%s=%g", sweeps[s].key, v);
            }
            char blabel[128];
            snprintf(blabel, sizeof blabel, "evaluate%s%s", nsweeps ? " " : "", label);
            progress_ctx pc = {jc_progress_begin(blabel, (double)(ntargets * nmodels * (size_t)so.repeats))};
            so.progress = on_progress;
            so.progress_ctx = &pc;
            jc_eval_result r;
            int rc = jc_evaluate(d.x, d.n, d.p, d.y, d.ntargets, (const char *const *)targets,
                                 (const char *const *)models, nmodels, &so, &r);
            jc_progress_end(pc.bar);
            if (rc != JC_OK) {
                jc_print_error();
                failed = 1;
                break;
            }
            const char *lab = nsweeps ? label : NULL;
            char tlabel[128];
            snprintf(tlabel, sizeof tlabel, "[%s] ", label);
            if (!strcmp(format, "table"))
                print_table(f, &r, nsweeps ? tlabel : NULL);
            else if (!strcmp(format, "markdown"))
                print_markdown(f, &r, lab);
            else if (!strcmp(format, "csv"))
                print_csv(f, &r, lab, setting == 0);
            else
                json_array_append_new(all, result_json(&r, lab));
            jc_eval_result_free(&r);
        }
    }
    if (!failed && !strcmp(format, "json")) {
        json_t *root = json_pack("{s:s, s:s, s:I, s:s, s:I}", "format", "joulecast-evaluation", "data", path,
                                 "repeats", (json_int_t)o.repeats, "protocol",
                                 ntrainw ? "transfer" : "repeated random split", "seed", (json_int_t)o.seed);
        json_object_set(root, "runs", nsweeps ? all : json_array_get(all, 0));
        json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        fputc('\n', f);
        json_decref(root);
    }
    json_decref(all);
    if (af) {
        if (failed)
            jc_atomic_abort(af);
        else if (jc_atomic_commit(af) != JC_OK) {
            jc_print_error();
            failed = 1;
        }
    }
    status = failed ? JC_EXIT_FAIL : JC_EXIT_OK;
out:
    jc_cli_free_list(targets, ntargets);
    jc_cli_free_list(features, nfeatures);
    jc_cli_free_list(models, nmodels);
    jc_cli_free_list(logs, nlogs);
    jc_cli_free_list(logt, nlogt);
    free(ltflags);
    free(where);
    free(trainw);
    free(testw);
    for (size_t s = 0; s < nsweeps; s++) {
        free(sweeps[s].key);
        free(sweeps[s].values);
    }
    free(keep);
    free(trk);
    free(tek);
    jc_cli_data_free(&d);
    jc_table_free(t);
    return status;
}
