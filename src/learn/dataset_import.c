/* Importers of published training measurements into the runs dataset:
 * - Zeus (You et al., NSDI 2023): summary_power_<gpu>.csv, one epoch's time
 *   and mean power per (dataset, network, batch size, optimizer, power limit);
 * - seaa2023 (del Rey et al., SEAA 2023): one row per training run, and the
 *   runs' nvidia-smi traces, from which the square-wave targets come.
 * What each source column becomes, and the assumptions made where a source
 * is silent (dataset sizes, input sizes, the network mapping), are in
 * docs/formats.md, "Runs dataset"; the tables below are that list. */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dataset.h"

/* ---------- shared ---------- */

static int table_column(const jc_table *t, const char *path, const char *name, int *col)
{
    *col = jc_table_find(t, name);
    if (*col < 0)
        return jc_fail_at(JC_ERR_PARSE, path, 1, 0, "no column '%s' in the header", name);
    return JC_OK;
}

/* A required number: present, finite and > 0, else FILE:LINE:COL. */
static int positive_cell(const jc_table *t, const char *path, size_t row, int col, double *out)
{
    double v = jc_table_column_values(t, col)[row];
    if (!(isfinite(v) && v > 0)) {
        const char *text = jc_table_text(t, row, col);
        return jc_fail_at(JC_ERR_PARSE, path, jc_table_row_line(t, row), col + 1,
                          "column '%s': expected a positive number, found '%s'", jc_table_name(t, col),
                          text ? text : "");
    }
    *out = v;
    return JC_OK;
}

static int text_cell(const jc_table *t, const char *path, size_t row, int col, const char **out)
{
    const char *s = jc_table_text(t, row, col);
    if (!s || !*s)
        return jc_fail_at(JC_ERR_PARSE, path, jc_table_row_line(t, row), col + 1, "column '%s': missing value",
                          jc_table_name(t, col));
    *out = s;
    return JC_OK;
}

static void where_of(char *buf, size_t size, const jc_table *t, const char *path, size_t row)
{
    snprintf(buf, size, "%s:%ld", path, jc_table_row_line(t, row));
}

static void progress(const jc_runs_opts *o, size_t done, size_t total)
{
    if (o && o->progress)
        o->progress(o->progress_ctx, done, total);
}

/* ---------- Zeus ---------- */

/* What the Zeus README leaves out: each data set's input and training-set
 * size (docs/formats.md says where each figure comes from). */
static const struct {
    const char *name;
    int image;       /* px; 0: not an image task */
    double samples;  /* training examples */
    int classes;     /* classifier outputs, for counting (0: the model's default) */
    int seq_len;     /* tokens, for BERT */
} zeus_datasets[] = {
    {"cifar100", 32, 50000, 100, 0},
    {"imagenet", 224, 1281167, 1000, 0},
    {"librispeech", 0, 281241, 0, 0},   /* the 960 h training set, in utterances */
    {"squad", 0, 87599, 0, 384},        /* SQuAD v1.1 questions; run_qa.py's 384 tokens */
    {"sentiment140", 0, 1600000, 2, 128},
    {"movielens-1m", 0, 994169, 0, 0},  /* ratings less one held out per user */
};

/* Zeus networks onto zoo models. The CIFAR ShuffleNetV2 Zeus trains keeps
 * the full 32 px through its stem, where torchvision's divides it by 4: its
 * feature maps are torchvision's at 4x the image, so it is counted there. */
static const struct {
    const char *network;
    const char *zoo;     /* NULL: not in the zoo (arch keeps the name) */
    int image_scale;
} zeus_networks[] = {
    {"shufflenetv2", "shufflenet_v2_x1_0", 4},
    {"resnet50", "resnet50", 1},
    {"bert_base_uncased", "bert_base", 1},
    {"deepspeech2", NULL, 1},
    {"ncf", NULL, 1},
};

/* File-name token -> GPU model name. */
static const struct {
    const char *token;
    const char *model;
} zeus_gpus[] = {
    {"a40", "NVIDIA A40"},
    {"v100", "NVIDIA V100"},
    {"rtx6000", "NVIDIA RTX 6000"},
    {"p100", "NVIDIA P100"},
    {"a100", "NVIDIA A100"},
};

/* The GPU of a Zeus file: a known token in its name, else whatever follows
 * "summary_power_". token gets a short lower-case name for run ids. */
static int zeus_gpu_from_name(const char *path, char *token, size_t tsize, char *model, size_t msize)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char lower[256];
    size_t k = 0;
    for (; base[k] && k + 1 < sizeof lower; k++)
        lower[k] = (char)tolower((unsigned char)base[k]);
    lower[k] = '\0';
    for (size_t i = 0; i < sizeof zeus_gpus / sizeof zeus_gpus[0]; i++)
        if (strstr(lower, zeus_gpus[i].token)) {
            snprintf(token, tsize, "%s", zeus_gpus[i].token);
            snprintf(model, msize, "%s", zeus_gpus[i].model);
            return 1;
        }
    const char *p = strncmp(lower, "summary_power_", 14) == 0 ? lower + 14 : NULL;
    if (!p || !*p)
        return 0;
    size_t n = strcspn(p, ".");
    if (n == 0)
        return 0;
    snprintf(token, tsize, "%.*s", (int)n, p);
    snprintf(model, msize, "NVIDIA %.*s", (int)n, base + 14);
    for (char *c = model + 7; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    return 1;
}

/* A short id from a GPU name given with --gpu: lower case, [a-z0-9] only. */
static void token_of(const char *model, char *token, size_t size)
{
    size_t k = 0;
    for (const char *c = model; *c && k + 1 < size; c++)
        if (isalnum((unsigned char)*c))
            token[k++] = (char)tolower((unsigned char)*c);
    token[k] = '\0';
}

enum { Z_DATASET, Z_NETWORK, Z_BATCH, Z_OPTIMIZER, Z_LIMIT, Z_TIME, Z_POWER, Z_NCOLS };
static const char *const zeus_columns[Z_NCOLS] = {"dataset",     "network",        "batch_size", "optimizer",
                                                  "power_limit", "time_per_epoch", "average_power"};

/* Network size at the data set's input; the data set's figures. */
static int zeus_fill_model(run_rows *rs, run_row *r, const char *dataset, const char *network, const char *where)
{
    int ds = -1;
    for (size_t i = 0; i < sizeof zeus_datasets / sizeof zeus_datasets[0]; i++)
        if (!strcmp(dataset, zeus_datasets[i].name))
            ds = (int)i;
    jc_arch_input in = {0};
    if (ds >= 0) {
        if (zeus_datasets[ds].image)
            r->num[RUN_IMAGE_SIZE] = zeus_datasets[ds].image;
        r->num[RUN_SAMPLES] = zeus_datasets[ds].samples;
        in.image = zeus_datasets[ds].image;
        in.classes = zeus_datasets[ds].classes;
        in.seq_len = zeus_datasets[ds].seq_len;
    } else {
        char key[300];
        snprintf(key, sizeof key, "dataset:%s", dataset);
        if (jc_runs_first_warning(rs, key))
            jc_warn("%s: unknown data set '%s': image_size and samples left empty", where, dataset);
    }
    const char *zoo = network;
    for (size_t i = 0; i < sizeof zeus_networks / sizeof zeus_networks[0]; i++)
        if (!strcmp(network, zeus_networks[i].network)) {
            if (!zeus_networks[i].zoo)
                break; /* not in the zoo: jc_runs_fill_arch warns and keeps the name */
            zoo = zeus_networks[i].zoo;
            in.image *= zeus_networks[i].image_scale;
        }
    int rc = jc_runs_fill_arch(rs, r, zoo, &in, where);
    return rc < 0 ? rc : JC_OK;
}

static int zeus_row(run_rows *rs, const jc_table *t, const char *path, size_t i, const int *col,
                    const char *token, const char *model)
{
    const char *dataset = NULL, *network = NULL, *optimizer = NULL;
    double batch = 0, limit = 0, time = 0, power = 0;
    int rc = text_cell(t, path, i, col[Z_DATASET], &dataset);
    if (!rc)
        rc = text_cell(t, path, i, col[Z_NETWORK], &network);
    if (!rc)
        rc = text_cell(t, path, i, col[Z_OPTIMIZER], &optimizer);
    if (!rc)
        rc = positive_cell(t, path, i, col[Z_BATCH], &batch);
    if (!rc)
        rc = positive_cell(t, path, i, col[Z_LIMIT], &limit);
    if (!rc)
        rc = positive_cell(t, path, i, col[Z_TIME], &time);
    if (!rc)
        rc = positive_cell(t, path, i, col[Z_POWER], &power);
    run_row *r = NULL;
    if (!rc)
        rc = jc_runs_row_add(rs, &r);
    if (rc)
        return rc;
    char id[512], where[4200];
    snprintf(id, sizeof id, "%s-%s-%s-b%g-%s-%gW", token, dataset, network, batch, optimizer, limit);
    where_of(where, sizeof where, t, path, i);
    rc = jc_runs_set_text(r, RUN_SOURCE, "zeus-nsdi23");
    if (!rc)
        rc = jc_runs_set_text(r, RUN_ID, id);
    if (!rc)
        rc = jc_runs_set_text(r, RUN_GPU_MODEL, model);
    if (!rc)
        rc = jc_runs_set_text(r, RUN_DATASET, dataset);
    if (!rc)
        rc = jc_runs_set_text(r, RUN_OPTIMIZER, optimizer);
    if (!rc)
        rc = zeus_fill_model(rs, r, dataset, network, where);
    r->num[RUN_BATCH_SIZE] = batch;
    r->num[RUN_GPUS] = 1;
    r->num[RUN_POWER_LIMIT_W] = limit;
    r->num[RUN_TIME_PER_EPOCH_S] = time;
    r->num[RUN_AVG_POWER_W] = power;
    /* average_power is the GPU's mean over the profiled epoch. */
    r->num[RUN_EPOCH_ENERGY_J] = time * power;
    return rc;
}

static int zeus_file(run_rows *rs, const char *path, const jc_runs_opts *o)
{
    char token[64], model[128];
    if (!zeus_gpu_from_name(path, token, sizeof token, model, sizeof model)) {
        if (!o || !o->gpu_model)
            return jc_fail(JC_ERR_INVALID, "%s: cannot tell the GPU from the file name (expected "
                                           "summary_power_<gpu>.csv): give it with --gpu NAME", path);
        token_of(o->gpu_model, token, sizeof token);
    }
    if (o && o->gpu_model)
        snprintf(model, sizeof model, "%s", o->gpu_model);
    jc_table *t = NULL;
    int rc = jc_table_read_csv(path, &t);
    if (rc)
        return rc;
    int col[Z_NCOLS];
    for (int c = 0; c < Z_NCOLS && !rc; c++)
        rc = table_column(t, path, zeus_columns[c], &col[c]);
    /* Numbers first: the table names the exact cell that is not one. */
    for (int c = Z_BATCH; c < Z_NCOLS && !rc; c++)
        if (c != Z_OPTIMIZER)
            rc = jc_table_require_numeric(t, col[c], JC_TABLE_NO_MISSING);
    if (!rc && jc_table_nrows(t) == 0)
        rc = jc_fail(JC_ERR_EMPTY, "%s: a header and no rows", path);
    for (size_t i = 0; i < jc_table_nrows(t) && !rc; i++)
        rc = zeus_row(rs, t, path, i, col, token, model);
    jc_table_free(t);
    return rc;
}

int jc_runs_import_zeus(const char *const *paths, size_t n, const jc_runs_opts *o, jc_table **out)
{
    *out = NULL;
    if (n == 0)
        return jc_fail(JC_ERR_INVALID, "no Zeus files given");
    run_rows rs = {0};
    int rc = JC_OK;
    for (size_t i = 0; i < n && !rc; i++)
        rc = zeus_file(&rs, paths[i], o);
    if (!rc)
        rc = jc_runs_to_table(&rs, out);
    jc_runs_rows_free(&rs);
    return rc;
}

/* ---------- seaa2023 ---------- */

/* The published `trained epochs` is the real count + 9 whenever early
 * stopping fired (docs/analyze.md); at this cap it did not, and the real
 * count is somewhere in SEAA_CAP - 9 .. SEAA_CAP. */
#define SEAA_CAP 150
#define SEAA_OVERCOUNT 9
/* Every seaa2023 network was trained on 128 px inputs: the names in the
 * shipped TensorFlow profiles (mobilenetv2_0.50_128) and the GFLOPs column
 * (ResNet-50, Xception, NASNet counted at 128 px) agree. */
#define SEAA_IMAGE 128

enum { S_ENV, S_ARCH, S_RUN, S_HOURS, S_GPU, S_POWER, S_LIMIT, S_ENERGY, S_SAMPLES, S_BATCH, S_GFLOPS,
       S_EPOCHS, S_NCOLS };
static const char *const seaa_columns[S_NCOLS] = {
    "training environment", "architecture", "run", "training duration (h)", "gpu model",
    "average power draw (W)", "max power limit (W)", "energy (MJ)", "training size", "batch size", "GFLOPs",
    "trained epochs"};

/* One architecture's traces, in time order. */
typedef struct {
    char *arch;
    char **files;
    size_t n;
} seaa_traces;

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int has_trace_suffix(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && !strcmp(name + n - 4, ".csv")) || (n > 7 && !strcmp(name + n - 7, ".csv.gz"));
}

static char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* DIR/<arch>/gpu-power-<timestamp>.csv[.gz], sorted: the timestamps in the
 * names sort in time order, so the k-th file is run k. */
static int list_arch_traces(const char *dir, const char *arch, seaa_traces *out)
{
    memset(out, 0, sizeof *out);
    out->arch = jc_strdup(arch);
    char *sub = path_join(dir, arch);
    if (!out->arch || !sub) {
        free(sub);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    DIR *d = opendir(sub);
    if (!d) {
        free(sub);
        return JC_OK; /* no folder: runs of this architecture get no trace */
    }
    size_t cap = 0;
    int rc = JC_OK;
    struct dirent *e;
    while ((e = readdir(d)) && !rc) {
        if (strncmp(e->d_name, "gpu-power-", 10) != 0 || !has_trace_suffix(e->d_name))
            continue;
        char *p = path_join(sub, e->d_name);
        if (!p || jc_grow((void **)&out->files, &cap, out->n + 1, sizeof *out->files)) {
            free(p);
            rc = jc_fail(JC_ERR_NOMEM, "out of memory");
            break;
        }
        out->files[out->n++] = p;
    }
    closedir(d);
    free(sub);
    if (out->n)
        qsort(out->files, out->n, sizeof *out->files, cmp_names);
    return rc;
}

static void seaa_traces_free(seaa_traces *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < t[i].n; k++)
            free(t[i].files[k]);
        free(t[i].files);
        free(t[i].arch);
    }
    free(t);
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The trace of run k of arch, or NULL (*path stays NULL) when there is none.
 * Two layouts: DIR/<arch>/gpu-power-*.csv (the published raw/cloud folder)
 * or DIR/<arch>-run<k>.csv[.gz] (single runs, as tests/data/seaa2023). */
static int seaa_trace_path(const char *dir, seaa_traces **cache, size_t *ncache, const char *arch, long k,
                           const char **path)
{
    *path = NULL;
    size_t a = 0;
    while (a < *ncache && strcmp((*cache)[a].arch, arch) != 0)
        a++;
    if (a == *ncache) {
        seaa_traces *grown = realloc(*cache, (*ncache + 1) * sizeof **cache);
        if (!grown)
            return jc_fail(JC_ERR_NOMEM, "out of memory");
        *cache = grown;
        int rc = list_arch_traces(dir, arch, &grown[a]);
        (*ncache)++;
        if (rc)
            return rc;
        if (grown[a].n == 0) {
            /* The flat layout: at most one file per run. */
            for (long run = 0;; run++) {
                char name[320], *p = NULL;
                for (int gz = 0; gz < 2 && !p; gz++) {
                    snprintf(name, sizeof name, "%s-run%ld.csv%s", arch, run, gz ? ".gz" : "");
                    p = path_join(dir, name);
                    if (p && !file_exists(p)) {
                        free(p);
                        p = NULL;
                    }
                }
                if (!p)
                    break;
                char **files = realloc(grown[a].files, (size_t)(run + 1) * sizeof *files);
                if (!files) {
                    free(p);
                    return jc_fail(JC_ERR_NOMEM, "out of memory");
                }
                grown[a].files = files;
                grown[a].files[grown[a].n++] = p;
            }
        }
    }
    if (k >= 0 && (size_t)k < (*cache)[a].n)
        *path = (*cache)[a].files[k];
    return JC_OK;
}

/* Square-wave targets of one run from its trace; the energy is checked
 * against the table's, which tells a trace matched to the wrong run. */
static int seaa_trace_targets(run_row *r, const char *trace_path, const char *where, size_t *epochs)
{
    jc_trace *tr = NULL;
    jc_analysis an = {0};
    jc_analyze_opts ao;
    jc_analyze_opts_default(&ao);
    int rc = jc_trace_read(trace_path, NULL, &tr);
    if (!rc)
        rc = jc_trace_analyze(tr, &ao, &an);
    if (!rc) {
        run_row tmp;
        for (int c = 0; c < RUN_NCOLS; c++)
            tmp.num[c] = NAN;
        *epochs = jc_runs_fill_targets(&tmp, &an);
        static const run_col wave[] = {RUN_PEAK_POWER_W, RUN_PEAK_S, RUN_VALLEY_POWER_W, RUN_VALLEY_S,
                                       RUN_EPOCH_ENERGY_J, RUN_TIME_PER_EPOCH_S};
        for (size_t i = 0; i < sizeof wave / sizeof wave[0]; i++)
            r->num[wave[i]] = tmp.num[wave[i]];
        double rel = tmp.num[RUN_ENERGY_J] / r->num[RUN_ENERGY_J] - 1;
        if (isfinite(rel) && fabs(rel) > 0.05)
            jc_warn("%s: trace %s holds %.0f%% %s energy than the row: is it this run's?", where, trace_path,
                    fabs(100 * rel), rel > 0 ? "more" : "less");
    }
    jc_analysis_free(&an);
    jc_trace_free(tr);
    return rc;
}

/* The real epoch count (see SEAA_CAP): trained - 9, or at the cap the count
 * the trace shows, held inside the range the cap allows (the cap itself
 * without a trace). */
static double seaa_epochs(double trained, size_t found)
{
    if (trained < SEAA_CAP)
        return trained > SEAA_OVERCOUNT ? trained - SEAA_OVERCOUNT : trained;
    if (!found)
        return SEAA_CAP;
    double f = (double)found;
    return f < SEAA_CAP - SEAA_OVERCOUNT ? SEAA_CAP - SEAA_OVERCOUNT : f > SEAA_CAP ? SEAA_CAP : f;
}

typedef struct {
    const char *path;        /* the table */
    const char *traces_dir;  /* may be NULL */
    seaa_traces *cache;
    size_t ncache;
    size_t with_targets;
} seaa_ctx;

static int seaa_row(run_rows *rs, seaa_ctx *cx, const jc_table *t, size_t i, const int *col)
{
    const char *env = NULL, *arch = NULL, *gpu = NULL;
    double run, hours = 0, samples = 0, batch = 0, trained = 0;
    int rc = text_cell(t, cx->path, i, col[S_ENV], &env);
    if (!rc)
        rc = text_cell(t, cx->path, i, col[S_ARCH], &arch);
    if (!rc)
        rc = text_cell(t, cx->path, i, col[S_GPU], &gpu);
    if (!rc)
        rc = positive_cell(t, cx->path, i, col[S_HOURS], &hours);
    if (!rc)
        rc = positive_cell(t, cx->path, i, col[S_SAMPLES], &samples);
    if (!rc)
        rc = positive_cell(t, cx->path, i, col[S_BATCH], &batch);
    if (!rc)
        rc = positive_cell(t, cx->path, i, col[S_EPOCHS], &trained);
    run = jc_table_column_values(t, col[S_RUN])[i];
    if (!rc && !(run >= 0 && run == floor(run)))
        rc = jc_fail_at(JC_ERR_PARSE, cx->path, jc_table_row_line(t, i), col[S_RUN] + 1,
                        "column 'run': expected a whole number from 0, found '%s'", jc_table_text(t, i, col[S_RUN]));
    run_row *r = NULL;
    if (!rc)
        rc = jc_runs_row_add(rs, &r);
    if (rc)
        return rc;
    /* "Cloud" -> cloud, "Local Normal User" -> local */
    char envw[32], id[400], where[4200];
    size_t k = 0;
    for (; env[k] && !isspace((unsigned char)env[k]) && k + 1 < sizeof envw; k++)
        envw[k] = (char)tolower((unsigned char)env[k]);
    envw[k] = '\0';
    snprintf(id, sizeof id, "%s-%s-run%.0f", envw, arch, run);
    where_of(where, sizeof where, t, cx->path, i);
    rc = jc_runs_set_text(r, RUN_SOURCE, "seaa2023");
    if (!rc)
        rc = jc_runs_set_text(r, RUN_ID, id);
    if (!rc)
        rc = jc_runs_set_text(r, RUN_ARCH, arch);
    if (!rc)
        rc = jc_runs_set_text(r, RUN_GPU_MODEL, gpu);
    if (rc)
        return rc;
    const double *gflops = jc_table_column_values(t, col[S_GFLOPS]);
    r->num[RUN_FLOPS] = gflops[i] * 1e9; /* counted on the real (Keras) models */
    r->num[RUN_IMAGE_SIZE] = SEAA_IMAGE;
    r->num[RUN_SAMPLES] = samples;
    r->num[RUN_BATCH_SIZE] = batch;
    r->num[RUN_GPUS] = 1;
    r->num[RUN_POWER_LIMIT_W] = jc_table_column_values(t, col[S_LIMIT])[i];
    r->num[RUN_DURATION_S] = hours * 3600;
    r->num[RUN_ENERGY_J] = jc_table_column_values(t, col[S_ENERGY])[i] * 1e6;
    r->num[RUN_AVG_POWER_W] = jc_table_column_values(t, col[S_POWER])[i];
    size_t found = 0;
    if (cx->traces_dir && !strcmp(envw, "cloud")) {
        const char *trace = NULL;
        rc = seaa_trace_path(cx->traces_dir, &cx->cache, &cx->ncache, arch, (long)run, &trace);
        if (!rc && trace) {
            rc = seaa_trace_targets(r, trace, where, &found);
            cx->with_targets += !rc && isfinite(r->num[RUN_PEAK_POWER_W]);
        } else if (!rc) {
            jc_info("%s: no trace of %s run %.0f in %s", where, arch, run, cx->traces_dir);
        }
    }
    r->num[RUN_EPOCHS] = seaa_epochs(trained, found);
    return rc;
}

int jc_runs_import_seaa(const char *table_path, const char *traces_dir, const jc_runs_opts *o, jc_table **out)
{
    *out = NULL;
    if (traces_dir) {
        struct stat st;
        if (stat(traces_dir, &st) != 0 || !S_ISDIR(st.st_mode))
            return jc_fail(JC_ERR_IO, "%s: not a folder of traces", traces_dir);
    }
    jc_table *t = NULL;
    int rc = jc_table_read_csv(table_path, &t);
    if (rc)
        return rc;
    int col[S_NCOLS];
    for (int c = 0; c < S_NCOLS && !rc; c++)
        rc = table_column(t, table_path, seaa_columns[c], &col[c]);
    static const int numeric[] = {S_RUN, S_HOURS, S_POWER, S_LIMIT, S_ENERGY, S_SAMPLES, S_BATCH, S_GFLOPS, S_EPOCHS};
    for (size_t c = 0; c < sizeof numeric / sizeof numeric[0] && !rc; c++)
        rc = jc_table_require_numeric(t, col[numeric[c]], 0);
    if (!rc && jc_table_nrows(t) == 0)
        rc = jc_fail(JC_ERR_EMPTY, "%s: a header and no rows", table_path);
    run_rows rs = {0};
    seaa_ctx cx = {table_path, traces_dir, NULL, 0, 0};
    size_t n = jc_table_nrows(t);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = seaa_row(&rs, &cx, t, i, col);
        if (traces_dir)
            progress(o, i + 1, n);
    }
    if (!rc)
        rc = jc_runs_to_table(&rs, out);
    if (!rc && traces_dir)
        jc_info("%s: square-wave targets for %zu of %zu runs", table_path, cx.with_targets, n);
    seaa_traces_free(cx.cache, cx.ncache);
    jc_runs_rows_free(&rs);
    jc_table_free(t);
    return rc;
}
