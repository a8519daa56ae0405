/* The runs dataset: one row per training run, the table every model in this
 * module learns from. This file holds the columns, the row helpers shared
 * with the importers (dataset_import.c), and `jc_runs_build`, which turns
 * folders written by `joulecast record` into rows: metadata from run.json's
 * "meta" object and "gpus" array, params and flops from the arch module,
 * targets from jc_trace_analyze. Column meanings: docs/formats.md, "Runs
 * dataset". */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dataset.h"

/* Names carry units; text columns are marked. Order = run_col. */
static const struct {
    const char *name;
    int text;
} columns[RUN_NCOLS] = {
    {"source", 1},          {"run_id", 1},         {"arch", 1},           {"params", 0},
    {"flops", 0},           {"image_size", 0},     {"samples", 0},        {"batch_size", 0},
    {"epochs", 0},          {"workers", 0},        {"gpus", 0},           {"gpu_model", 1},
    {"power_limit_w", 0},   {"dataset", 1},        {"optimizer", 1},      {"peak_power_w", 0},
    {"peak_s", 0},          {"valley_power_w", 0}, {"valley_s", 0},       {"epoch_energy_j", 0},
    {"energy_j", 0},        {"duration_s", 0},     {"time_per_epoch_s", 0}, {"avg_power_w", 0},
};

const char *const *jc_runs_columns(void)
{
    static const char *names[RUN_NCOLS + 1];
    if (!names[0])
        for (int c = 0; c < RUN_NCOLS; c++)
            names[c] = columns[c].name;
    return names;
}

int jc_runs_col_is_text(run_col c) { return columns[c].text; }

/* ---------- rows ---------- */

int jc_runs_row_add(run_rows *rs, run_row **row)
{
    if (jc_grow((void **)&rs->rows, &rs->cap, rs->n + 1, sizeof *rs->rows))
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    run_row *r = &rs->rows[rs->n++];
    for (int c = 0; c < RUN_NCOLS; c++) {
        r->text[c] = NULL;
        r->num[c] = NAN;
    }
    *row = r;
    return JC_OK;
}

int jc_runs_set_text(run_row *r, run_col c, const char *s)
{
    free(r->text[c]);
    r->text[c] = NULL;
    if (!s || !*s)
        return JC_OK;
    r->text[c] = jc_strdup(s);
    return r->text[c] ? JC_OK : jc_fail(JC_ERR_NOMEM, "out of memory");
}

/* The shortest text that reads back as exactly v ("16.85", not the
 * "16.850000000000001" of %.17g): copied source values stay as published.
 * Empty for a non-finite value. */
static void shortest(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        buf[0] = '\0';
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

int jc_runs_to_table(const run_rows *rs, jc_table **out)
{
    *out = NULL;
    jc_table *t = NULL;
    int rc = jc_table_new(rs->n, &t);
    if (rc)
        return rc;
    size_t n = rs->n ? rs->n : 1;
    const char **cells = malloc(n * sizeof *cells);
    char (*num)[32] = malloc(n * sizeof *num);
    if (!cells || !num)
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
    /* Every column is text, numbers written by shortest(); the table parses
     * them back, so readers see the same numbers. */
    for (int c = 0; c < RUN_NCOLS && !rc; c++) {
        for (size_t i = 0; i < rs->n; i++) {
            if (columns[c].text) {
                cells[i] = rs->rows[i].text[c];
            } else {
                shortest(rs->rows[i].num[c], num[i], sizeof num[i]);
                cells[i] = num[i];
            }
        }
        int col = jc_table_add_text(t, columns[c].name, cells);
        if (col < 0)
            rc = col;
    }
    free(cells);
    free(num);
    if (rc) {
        jc_table_free(t);
        return rc;
    }
    *out = t;
    return JC_OK;
}

void jc_runs_rows_free(run_rows *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        for (int c = 0; c < RUN_NCOLS; c++)
            free(rs->rows[i].text[c]);
    free(rs->rows);
    for (size_t i = 0; i < rs->nwarned; i++)
        free(rs->warned[i]);
    free(rs->warned);
    memset(rs, 0, sizeof *rs);
}

/* ---------- network size ---------- */

int jc_runs_first_warning(run_rows *rs, const char *name)
{
    for (size_t i = 0; i < rs->nwarned; i++)
        if (!strcmp(rs->warned[i], name))
            return 0;
    char *copy = jc_strdup(name);
    if (!copy || jc_grow((void **)&rs->warned, &rs->capwarned, rs->nwarned + 1, sizeof *rs->warned)) {
        free(copy);
        return 1;
    }
    rs->warned[rs->nwarned++] = copy;
    return 1;
}

int jc_runs_fill_arch(run_rows *rs, run_row *r, const char *name, const jc_arch_input *in, const char *where)
{
    if (!name || !*name)
        return 0;
    jc_arch_zoo_info info;
    if (jc_arch_zoo_describe(name, &info)) {
        jc_clear_error();
        if (jc_runs_first_warning(rs, name))
            jc_warn("%s: unknown architecture '%s': params and flops left empty (known: 'joulecast flops --list')",
                    where, name);
        return jc_runs_set_text(r, RUN_ARCH, name);
    }
    int rc = jc_runs_set_text(r, RUN_ARCH, info.name);
    if (rc)
        return rc;
    jc_arch_counts counts;
    if (jc_arch_zoo_count(name, in, &counts)) {
        /* e.g. an image too small for the network: the row is still a run. */
        if (jc_runs_first_warning(rs, jc_last_error()))
            jc_warn("%s: %s: params and flops left empty", where, jc_last_error());
        jc_clear_error();
        return 0;
    }
    r->num[RUN_PARAMS] = (double)counts.params;
    r->num[RUN_FLOPS] = counts.flops;
    return 1;
}

/* ---------- targets from a trace ---------- */

size_t jc_runs_fill_targets(run_row *r, const jc_analysis *an)
{
    static const run_col wave[] = {RUN_PEAK_POWER_W, RUN_PEAK_S, RUN_VALLEY_POWER_W, RUN_VALLEY_S,
                                   RUN_EPOCH_ENERGY_J, RUN_TIME_PER_EPOCH_S};
    enum { NWAVE = sizeof wave / sizeof wave[0] };
    double sum[NWAVE] = {0}, energy = 0, power = 0;
    size_t with_epochs = 0, epochs = 0;
    for (size_t g = 0; g < an->ngpu; g++) {
        const jc_gpu_analysis *ga = &an->gpus[g];
        energy += ga->energy.energy_j;
        power += ga->energy.mean_power_w;
        if (ga->seg_status || ga->seg.nepochs == 0)
            continue;
        const jc_segmentation *s = &ga->seg;
        double v[NWAVE] = {s->peak_power_w.mean, s->peak_s.mean,         s->valley_power_w.mean,
                           s->valley_s.mean,     s->epoch_energy_j.mean, s->epoch_s.mean};
        int ok = 1;
        for (int k = 0; k < NWAVE; k++)
            ok &= isfinite(v[k]) != 0;
        if (!ok)
            continue;
        for (int k = 0; k < NWAVE; k++)
            sum[k] += v[k];
        with_epochs++;
        if (!epochs)
            epochs = s->nepochs;
    }
    if (an->ngpu) {
        /* Per GPU: what the seed predicts, and comparable across GPU counts. */
        r->num[RUN_ENERGY_J] = energy / (double)an->ngpu;
        r->num[RUN_AVG_POWER_W] = power / (double)an->ngpu;
        r->num[RUN_DURATION_S] = an->duration_s;
    }
    if (with_epochs)
        for (int k = 0; k < NWAVE; k++)
            r->num[wave[k]] = sum[k] / (double)with_epochs;
    return epochs;
}

/* ---------- joulecast record folders ---------- */

/* What a meta key can set; several spellings name each (meta_keys). */
typedef enum {
    M_ARCH, M_PARAMS, M_FLOPS, M_IMAGE, M_SAMPLES, M_BATCH, M_EPOCHS, M_WORKERS, M_DATASET, M_OPTIMIZER,
    M_CLASSES, M_SEQ_LEN, M_RUN_ID, M_NFIELDS
} meta_field;

static const struct {
    const char *key;   /* lower case, '_' for '-' */
    meta_field field;
} meta_keys[] = {
    {"arch", M_ARCH},           {"architecture", M_ARCH},     {"model", M_ARCH},
    {"network", M_ARCH},        {"params", M_PARAMS},         {"parameters", M_PARAMS},
    {"flops", M_FLOPS},         {"image", M_IMAGE},           {"image_size", M_IMAGE},
    {"img_size", M_IMAGE},      {"resolution", M_IMAGE},      {"samples", M_SAMPLES},
    {"data_size", M_SAMPLES},   {"dataset_size", M_SAMPLES},  {"train_size", M_SAMPLES},
    {"training_size", M_SAMPLES}, {"batch", M_BATCH},         {"batch_size", M_BATCH},
    {"bs", M_BATCH},            {"epochs", M_EPOCHS},         {"num_epochs", M_EPOCHS},
    {"num_epoch", M_EPOCHS},    {"workers", M_WORKERS},       {"num_workers", M_WORKERS},
    {"dataset", M_DATASET},     {"data", M_DATASET},          {"optimizer", M_OPTIMIZER},
    {"optim", M_OPTIMIZER},     {"classes", M_CLASSES},       {"num_classes", M_CLASSES},
    {"seq_len", M_SEQ_LEN},     {"max_seq_length", M_SEQ_LEN}, {"run_id", M_RUN_ID},
    {"name", M_RUN_ID},
};

typedef struct {
    const char *value[M_NFIELDS]; /* as written (points into the JSON) */
    const char *key[M_NFIELDS];   /* the spelling used, for messages */
    char numbuf[M_NFIELDS][40];   /* a JSON number written back as text */
} run_meta;

/* The line of "key" inside run.json's "meta" object, for messages (jansson
 * keeps no positions); 0 when not found. */
static long meta_key_line(const char *path, const char *key)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char *text = NULL;
    size_t len = 0, cap = 0;
    char buf[8192];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        if (jc_grow((void **)&text, &cap, len + got + 1, 1))
            break;
        memcpy(text + len, buf, got);
        len += got;
    }
    fclose(f);
    if (!text)
        return 0;
    text[len] = '\0';
    long line = 0;
    char want[160];
    snprintf(want, sizeof want, "\"%s\"", key);
    const char *meta = strstr(text, "\"meta\"");
    const char *at = meta ? strstr(meta, want) : NULL;
    if (at) {
        line = 1;
        for (const char *p = text; p < at; p++)
            line += *p == '\n';
    }
    free(text);
    return line;
}

static void normalise_key(const char *in, char *out, size_t size)
{
    size_t k = 0;
    for (; in[k] && k + 1 < size; k++)
        out[k] = in[k] == '-' ? '_' : (char)tolower((unsigned char)in[k]);
    out[k] = '\0';
}

static int read_meta(json_t *root, const char *jpath, run_meta *m)
{
    memset(m, 0, sizeof *m);
    json_t *meta = json_object_get(root, "meta");
    if (!meta || json_is_null(meta))
        return JC_OK;
    if (!json_is_object(meta))
        return jc_fail_at(JC_ERR_PARSE, jpath, meta_key_line(jpath, "meta"), 0, "\"meta\" must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(meta, key, v) {
        char norm[64];
        normalise_key(key, norm, sizeof norm);
        int field = -1;
        for (size_t i = 0; i < sizeof meta_keys / sizeof meta_keys[0]; i++)
            if (!strcmp(norm, meta_keys[i].key))
                field = (int)meta_keys[i].field;
        if (field < 0) {
            jc_debug("%s: meta key '%s' is not a dataset column; ignored", jpath, key);
            continue;
        }
        const char *s;
        char number[40];
        if (json_is_string(v)) {
            s = json_string_value(v);
        } else if (json_is_number(v)) {
            snprintf(number, sizeof number, "%.17g", json_number_value(v));
            s = number;
        } else {
            return jc_fail_at(JC_ERR_PARSE, jpath, meta_key_line(jpath, key), 0,
                              "meta '%s': expected a string or a number", key);
        }
        if (m->value[field] && strcmp(m->value[field], s) != 0)
            return jc_fail_at(JC_ERR_PARSE, jpath, meta_key_line(jpath, key), 0,
                              "meta '%s' = '%s' and '%s' = '%s' name the same column with different values",
                              m->key[field], m->value[field], key, s);
        if (s == number) {
            memcpy(m->numbuf[field], number, sizeof number);
            s = m->numbuf[field];
        }
        m->value[field] = s;
        m->key[field] = key;
    }
    return JC_OK;
}

/* A meta value as a number: positive, and whole when integer is set. */
static int meta_number(const run_meta *m, meta_field f, int integer, const char *jpath, double *out)
{
    *out = NAN;
    const char *s = m->value[f];
    if (!s)
        return JC_OK;
    while (isspace((unsigned char)*s))
        s++;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (end != s && isspace((unsigned char)*end))
        end++;
    if (end == s || *end || errno || !isfinite(v) || v <= 0 || (integer && v != floor(v)))
        return jc_fail_at(JC_ERR_PARSE, jpath, meta_key_line(jpath, m->key[f]), 0,
                          "meta '%s': expected %s, found '%s'", m->key[f],
                          integer ? "a positive whole number" : "a positive number", m->value[f]);
    *out = v;
    return JC_OK;
}

/* The folder of a recording: the path itself, or the folder of a file in it. */
static int recording_dir(const char *path, char **out)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0)
        return jc_fail(JC_ERR_IO, "%s: %s", path, strerror(errno));
    char *dir = jc_strdup(path);
    if (!dir)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    if (!S_ISDIR(st.st_mode)) {
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            strcpy(dir, ".");
    }
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        dir[--n] = '\0';
    *out = dir;
    return JC_OK;
}

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Distinct GPU models joined with " + " (a mixed machine is rare). */
static void add_model(char *names, size_t size, const char *name)
{
    if (!name || !*name || strstr(names, name) || strlen(names) + strlen(name) + 4 > size)
        return;
    if (*names)
        strcat(names, " + ");
    strcat(names, name);
}

/* GPU count, model(s) and the mean power limit from run.json's "gpus"; the
 * trace's GPU names when run.json has no such array. */
static int fill_gpus(run_row *r, json_t *root, const jc_trace *tr)
{
    json_t *gpus = json_object_get(root, "gpus");
    char names[512] = "";
    double limit = 0;
    size_t nlimit = 0, count = 0;
    if (json_is_array(gpus) && json_array_size(gpus) > 0) {
        size_t i;
        json_t *g;
        json_array_foreach(gpus, i, g) {
            count++;
            json_t *name = json_object_get(g, "name"), *pl = json_object_get(g, "power_limit_w");
            if (json_is_number(pl) && json_number_value(pl) > 0) {
                limit += json_number_value(pl);
                nlimit++;
            }
            add_model(names, sizeof names, json_is_string(name) ? json_string_value(name) : NULL);
        }
    } else {
        count = tr->ngpu;
        for (size_t g = 0; g < tr->ngpu; g++)
            add_model(names, sizeof names, tr->gpus[g].name);
    }
    r->num[RUN_GPUS] = count ? (double)count : NAN;
    if (nlimit)
        r->num[RUN_POWER_LIMIT_W] = limit / (double)nlimit;
    return jc_runs_set_text(r, RUN_GPU_MODEL, names);
}

/* Metadata from meta: the numbers, the texts, and the network's size. */
static int fill_meta(run_rows *rs, run_row *r, const run_meta *m, const char *jpath)
{
    static const struct {
        meta_field f;
        run_col c;
        int integer;
    } nums[] = {{M_IMAGE, RUN_IMAGE_SIZE, 1}, {M_SAMPLES, RUN_SAMPLES, 1}, {M_BATCH, RUN_BATCH_SIZE, 1},
                {M_EPOCHS, RUN_EPOCHS, 1},    {M_WORKERS, RUN_WORKERS, 1}};
    int rc = JC_OK;
    for (size_t i = 0; i < sizeof nums / sizeof nums[0] && !rc; i++)
        rc = meta_number(m, nums[i].f, nums[i].integer, jpath, &r->num[nums[i].c]);
    double params, flops, classes, seq_len;
    if (!rc)
        rc = meta_number(m, M_PARAMS, 0, jpath, &params);
    if (!rc)
        rc = meta_number(m, M_FLOPS, 0, jpath, &flops);
    if (!rc)
        rc = meta_number(m, M_CLASSES, 1, jpath, &classes);
    if (!rc)
        rc = meta_number(m, M_SEQ_LEN, 1, jpath, &seq_len);
    if (!rc)
        rc = jc_runs_set_text(r, RUN_DATASET, m->value[M_DATASET]);
    if (!rc)
        rc = jc_runs_set_text(r, RUN_OPTIMIZER, m->value[M_OPTIMIZER]);
    if (rc)
        return rc;
    if (m->value[M_ARCH]) {
        jc_arch_input in = {0};
        double image = r->num[RUN_IMAGE_SIZE];
        in.image = isfinite(image) && image < 1e6 ? (int)image : 0;
        in.classes = isfinite(classes) && classes < 1e7 ? (int)classes : 0;
        in.seq_len = isfinite(seq_len) && seq_len < 1e6 ? (int)seq_len : 0;
        char where[4200];
        long line = meta_key_line(jpath, m->key[M_ARCH]);
        if (line > 0)
            snprintf(where, sizeof where, "%s:%ld", jpath, line);
        else
            snprintf(where, sizeof where, "%s", jpath);
        rc = jc_runs_fill_arch(rs, r, m->value[M_ARCH], &in, where);
        if (rc < 0)
            return rc;
        jc_arch_zoo_info info;
        if (rc == 1 && !in.image && !jc_arch_zoo_describe(m->value[M_ARCH], &info) && info.defaults.image) {
            /* flops must be those of the input the row states. */
            jc_warn("%s: meta has no image size: %s counted at its default %d px", where, info.name,
                    info.defaults.image);
            r->num[RUN_IMAGE_SIZE] = info.defaults.image;
        }
    }
    /* Explicit figures win over the zoo's. */
    if (isfinite(params))
        r->num[RUN_PARAMS] = params;
    if (isfinite(flops))
        r->num[RUN_FLOPS] = flops;
    return JC_OK;
}

static const char *base_name(const char *dir)
{
    const char *slash = strrchr(dir, '/');
    return slash && slash[1] ? slash + 1 : dir;
}

/* One recording folder: one row. */
static int build_one(run_rows *rs, const char *path)
{
    char *dir = NULL;
    int rc = recording_dir(path, &dir);
    if (rc)
        return rc;
    char *jpath = join_path(dir, "run.json");
    json_t *root = NULL;
    jc_trace *tr = NULL;
    jc_analysis an = {0};
    run_row *r = NULL;
    struct stat st;
    if (!jpath) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (stat(jpath, &st) != 0) {
        rc = jc_fail(JC_ERR_IO, "%s: no run.json: not a folder written by 'joulecast record'", dir);
        goto done;
    }
    json_error_t err;
    root = json_load_file(jpath, 0, &err);
    if (!root) {
        rc = jc_fail_at(JC_ERR_PARSE, jpath, err.line, err.column, "invalid JSON: %s", err.text);
        goto done;
    }
    if (!json_is_object(root)) {
        rc = jc_fail_at(JC_ERR_PARSE, jpath, 1, 1, "expected a JSON object");
        goto done;
    }
    run_meta meta;
    if ((rc = read_meta(root, jpath, &meta)))
        goto done;
    if ((rc = jc_trace_read(dir, NULL, &tr)))
        goto done;
    jc_analyze_opts ao;
    jc_analyze_opts_default(&ao);
    if ((rc = jc_trace_analyze(tr, &ao, &an)))
        goto done;
    if ((rc = jc_runs_row_add(rs, &r)))
        goto done;
    rc = jc_runs_set_text(r, RUN_SOURCE, "joulecast");
    if (!rc)
        rc = jc_runs_set_text(r, RUN_ID, meta.value[M_RUN_ID] ? meta.value[M_RUN_ID] : base_name(dir));
    if (!rc)
        rc = fill_meta(rs, r, &meta, jpath);
    if (!rc)
        rc = fill_gpus(r, root, tr);
    if (rc)
        goto done;
    size_t found = jc_runs_fill_targets(r, &an);
    /* No epochs in meta: the count the trace shows is the best there is. */
    if (!isfinite(r->num[RUN_EPOCHS]) && found)
        r->num[RUN_EPOCHS] = (double)found;
    json_t *complete = json_object_get(root, "complete");
    if (json_is_false(complete))
        jc_warn("%s: the recording is incomplete (its recorder died): the row covers what was recorded", dir);
done:
    if (rc && r) {
        /* Drop the half-filled row. */
        for (int c = 0; c < RUN_NCOLS; c++)
            free(r->text[c]);
        rs->n--;
    }
    jc_analysis_free(&an);
    jc_trace_free(tr);
    json_decref(root);
    free(jpath);
    free(dir);
    return rc;
}

int jc_runs_build(const char *const *run_dirs, size_t n, const jc_runs_opts *o, jc_table **out)
{
    *out = NULL;
    if (n == 0)
        return jc_fail(JC_ERR_INVALID, "no recording folders given");
    run_rows rs = {0};
    int rc = JC_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = build_one(&rs, run_dirs[i]);
        if (!rc && o && o->progress)
            o->progress(o->progress_ctx, i + 1, n);
    }
    if (!rc)
        rc = jc_runs_to_table(&rs, out);
    jc_runs_rows_free(&rs);
    return rc;
}
