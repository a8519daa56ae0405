/* learn/modelfile.c: fitted models per target and their file (format
 * "joulecast-model", version 1, docs/formats.md): features, log flags,
 * scaler, training ranges, the regressor's own JSON, metrics, provenance.
 * A loaded model predicts bit-identically to the one saved. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/regressor.h"

#define FORMAT_NAME "joulecast-model"
#define FORMAT_VERSION 1

void jc_model_target_free(jc_model_target *t)
{
    if (!t)
        return;
    for (size_t j = 0; t->features && j < t->p; j++)
        free(t->features[j]);
    free(t->features);
    free(t->log);
    free(t->min);
    free(t->max);
    jc_scaler_free(&t->scaler);
    jc_regressor_free(t->reg);
    for (size_t k = 0; t->members && k < t->nmembers; k++)
        jc_regressor_free(t->members[k]);
    free(t->members);
    for (size_t k = 0; k < t->ngpus_seen; k++)
        free(t->gpus_seen[k]);
    for (size_t k = 0; k < t->narchs_seen; k++)
        free(t->archs_seen[k]);
    free(t->gpus_seen);
    free(t->archs_seen);
    free(t->calib_note);
    free(t->name);
    memset(t, 0, sizeof *t);
}

void jc_model_free(jc_model *m)
{
    if (!m)
        return;
    for (size_t k = 0; m->targets && k < m->ntargets; k++)
        jc_model_target_free(&m->targets[k]);
    free(m->targets);
    free(m->data);
    free(m->filter);
    free(m->created);
    free(m->trained_by);
    memset(m, 0, sizeof *m);
}

static int alloc_target(jc_model_target *t, const char *name, size_t p)
{
    memset(t, 0, sizeof *t);
    t->name = jc_strdup(name);
    t->p = p;
    t->features = calloc(p, sizeof *t->features);
    t->log = calloc(p, sizeof *t->log);
    t->min = calloc(p, sizeof *t->min);
    t->max = calloc(p, sizeof *t->max);
    t->calib_scale = 1.0;
    return t->name && t->features && t->log && t->min && t->max ? JC_OK : JC_ERR_NOMEM;
}

/* Raw features -> model inputs: log where flagged, then standardised. */
static int transform(const jc_model_target *t, const double *x, size_t n, double *z)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < t->p; j++) {
            double v = x[i * t->p + j];
            if (t->log[j]) {
                if (!(v > 0))
                    return jc_fail(JC_ERR_INVALID, "%s: feature %s must be > 0 (the model takes its log), got %g",
                                   t->name, t->features[j], v);
                v = log(v);
            }
            if (!isfinite(v))
                return jc_fail(JC_ERR_INVALID, "%s: feature %s is not a finite number", t->name, t->features[j]);
            z[i * t->p + j] = v;
        }
    jc_scaler_transform(&t->scaler, z, n);
    return JC_OK;
}

/* The values the regressor is fitted to: y, or ln y. */
static int fit_values(const jc_model_target *t, const double *y, size_t n, double **out)
{
    *out = malloc((n ? n : 1) * sizeof **out);
    if (!*out)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (t->log_target && !(y[i] > 0)) {
            free(*out);
            *out = NULL;
            return jc_fail(JC_ERR_INVALID, "%s: fitted as a log, but row %zu has %g (not > 0)", t->name, i + 1, y[i]);
        }
        (*out)[i] = t->log_target ? log(y[i]) : y[i];
    }
    return JC_OK;
}

/* A regressor output back to the target's units (exp for a log target,
 * then the calibration scale). */
static double to_target(const jc_model_target *t, double v)
{
    return (t->log_target ? exp(v) : v) * t->calib_scale;
}

int jc_model_target_fit(jc_model_target *t, const char *name, char *const *features, const unsigned char *take_log,
                        size_t p, const double *x, size_t n, const double *y, const char *kind,
                        const jc_regressor_opts *o, int log_target)
{
    if (alloc_target(t, name, p) != JC_OK) {
        jc_model_target_free(t);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    t->log_target = log_target;
    for (size_t j = 0; j < p; j++) {
        t->features[j] = jc_strdup(features[j]);
        t->log[j] = take_log ? take_log[j] : 0;
        t->min[j] = INFINITY;
        t->max[j] = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            t->min[j] = fmin(t->min[j], x[i * p + j]);
            t->max[j] = fmax(t->max[j], x[i * p + j]);
        }
    }
    double *z = malloc(n * p * sizeof *z), *yhat = malloc(n * sizeof *yhat);
    int rc = z && yhat ? JC_OK : jc_fail(JC_ERR_NOMEM, "out of memory");
    /* the scaler is fitted on the transformed (logged) training inputs */
    t->scaler.p = 0;
    if (rc == JC_OK) {
        for (size_t i = 0; i < n * p; i++)
            z[i] = t->log[i % p] ? log(x[i]) : x[i];
        rc = jc_scaler_fit(&t->scaler, z, n, p);
    }
    if (rc == JC_OK)
        rc = transform(t, x, n, z);
    double *yf = NULL;
    if (rc == JC_OK)
        rc = fit_values(t, y, n, &yf);
    if (rc == JC_OK)
        rc = jc_regressor_new(kind, o, &t->reg);
    if (rc == JC_OK)
        rc = jc_regressor_fit(t->reg, z, n, p, yf);
    if (rc == JC_OK)
        rc = jc_regressor_predict(t->reg, z, n, yhat);
    free(yf);
    for (size_t i = 0; rc == JC_OK && i < n; i++)
        yhat[i] = to_target(t, yhat[i]);
    if (rc == JC_OK) {
        t->rows = n;
        t->train_mse = jc_metric_mse(y, yhat, n);
        t->train_mre = jc_metric_mre(y, yhat, n);
        t->train_r2 = jc_metric_r2(y, yhat, n);
    }
    free(z);
    free(yhat);
    if (rc != JC_OK)
        jc_model_target_free(t);
    return rc;
}

int jc_model_target_predict(const jc_model_target *t, const double *x, size_t n, double *yhat)
{
    double *z = malloc((n ? n : 1) * t->p * sizeof *z);
    if (!z)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    int rc = transform(t, x, n, z);
    if (rc == JC_OK)
        rc = jc_regressor_predict(t->reg, z, n, yhat);
    for (size_t i = 0; rc == JC_OK && i < n; i++)
        yhat[i] = to_target(t, yhat[i]);
    free(z);
    return rc;
}

int jc_model_target_bootstrap(jc_model_target *t, const double *x, size_t n, const double *y, const char *kind,
                              const jc_regressor_opts *o, int members, uint64_t seed)
{
    if (members <= 0)
        return JC_OK;
    size_t p = t->p;
    double *z = malloc(n * p * sizeof *z), *zb = malloc(n * p * sizeof *zb), *yb = malloc(n * sizeof *yb);
    double *yf = NULL;
    jc_regressor **mem = calloc((size_t)members, sizeof *mem);
    int rc = z && zb && yb && mem ? transform(t, x, n, z) : jc_fail(JC_ERR_NOMEM, "out of memory");
    if (rc == JC_OK)
        rc = fit_values(t, y, n, &yf);
    jc_rng rng;
    jc_rng_seed(&rng, seed);
    for (int k = 0; k < members && rc == JC_OK; k++) {
        for (size_t i = 0; i < n; i++) {
            size_t r = (size_t)jc_rng_below(&rng, n);
            memcpy(zb + i * p, z + r * p, p * sizeof *zb);
            yb[i] = yf[r];
        }
        jc_regressor_opts mo = *o;
        mo.seed = seed + 1 + (uint64_t)k;
        /* the hyper-parameters the main fit chose: a bootstrap member
         * estimates the spread of the fit, not of the search */
        mo.grid_point = jc_regressor_grid_choice(t->reg);
        if ((rc = jc_regressor_new(kind, &mo, &mem[k])) == JC_OK)
            rc = jc_regressor_fit(mem[k], zb, n, p, yb);
    }
    if (rc == JC_OK) {
        t->members = mem;
        t->nmembers = (size_t)members;
        mem = NULL;
    }
    for (int k = 0; mem && k < members; k++)
        jc_regressor_free(mem[k]);
    free(mem);
    free(z);
    free(zb);
    free(yb);
    free(yf);
    return rc;
}

int jc_model_target_predict_members(const jc_model_target *t, const double *x, double *out)
{
    double *z = malloc(t->p * sizeof *z);
    if (!z)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    int rc = transform(t, x, 1, z);
    for (size_t k = 0; k < t->nmembers && rc == JC_OK; k++) {
        rc = jc_regressor_predict(t->members[k], z, 1, &out[k]);
        out[k] = to_target(t, out[k]);
    }
    free(z);
    return rc;
}

int jc_model_target_note_seen(jc_model_target *t, int which_arch, const char *value)
{
    if (!value || !*value)
        return JC_OK;
    char ***list = which_arch ? &t->archs_seen : &t->gpus_seen;
    size_t *n = which_arch ? &t->narchs_seen : &t->ngpus_seen;
    for (size_t k = 0; k < *n; k++)
        if (strcmp((*list)[k], value) == 0)
            return JC_OK;
    char **nl = realloc(*list, (*n + 1) * sizeof *nl);
    if (!nl)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    *list = nl;
    if (!(nl[*n] = jc_strdup(value)))
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    (*n)++;
    return JC_OK;
}

int jc_model_find(const jc_model *m, const char *target)
{
    for (size_t k = 0; k < m->ntargets; k++)
        if (strcmp(m->targets[k].name, target) == 0)
            return (int)k;
    return -1;
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *target_json(const jc_model_target *t)
{
    json_t *feats = json_array();
    for (size_t j = 0; j < t->p; j++)
        json_array_append_new(feats, json_pack("{s:s, s:b, s:o, s:o, s:f, s:f}", "name", t->features[j], "log",
                                               (int)t->log[j], "min", num(t->min[j]), "max", num(t->max[j]), "mean",
                                               t->scaler.mean[j], "scale", t->scaler.scale[j]));
    char *text = NULL;
    if (jc_regressor_to_json(t->reg, &text) != JC_OK)
        return NULL;
    json_error_t err;
    json_t *reg = json_loads(text, 0, &err);
    free(text);
    char *desc = jc_regressor_describe(t->reg);
    json_t *o = json_pack("{s:s, s:o, s:o, s:s, s:I, s:{s:o, s:o, s:o}}", "name", t->name, "features", feats,
                          "regressor", reg, "description", desc ? desc : "", "rows", (json_int_t)t->rows,
                          "train", "mse", num(t->train_mse), "mre", num(t->train_mre), "r2", num(t->train_r2));
    free(desc);
    json_t *members = json_array();
    for (size_t k = 0; k < t->nmembers; k++) {
        char *mt = NULL;
        if (jc_regressor_to_json(t->members[k], &mt) != JC_OK) {
            json_decref(members);
            json_decref(o);
            return NULL;
        }
        json_array_append_new(members, json_loads(mt, 0, &err));
        free(mt);
    }
    json_object_set_new(o, "members", members);
    json_t *gs = json_array(), *as = json_array();
    for (size_t k = 0; k < t->ngpus_seen; k++)
        json_array_append_new(gs, json_string(t->gpus_seen[k]));
    for (size_t k = 0; k < t->narchs_seen; k++)
        json_array_append_new(as, json_string(t->archs_seen[k]));
    json_object_set_new(o, "seen", json_pack("{s:o, s:o}", "gpu_model", gs, "arch", as));
    json_object_set_new(o, "log_target", json_boolean(t->log_target));
    if (t->calib_runs)
        json_object_set_new(o, "calibration", json_pack("{s:f, s:I, s:s}", "scale", t->calib_scale, "runs",
                                                        (json_int_t)t->calib_runs, "note",
                                                        t->calib_note ? t->calib_note : ""));
    return o;
}

int jc_model_save(const jc_model *m, const char *path)
{
    json_t *targets = json_array();
    for (size_t k = 0; k < m->ntargets; k++) {
        json_t *tj = target_json(&m->targets[k]);
        if (!tj) {
            json_decref(targets);
            return JC_ERR_INVALID;
        }
        json_array_append_new(targets, tj);
    }
    json_t *root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:I, s:o}", "format", FORMAT_NAME, "version",
                             FORMAT_VERSION, "data", m->data ? m->data : "", "filter", m->filter ? m->filter : "",
                             "created", m->created ? m->created : "", "trained_by",
                             m->trained_by ? m->trained_by : "", "seed", (json_int_t)m->seed, "targets", targets);
    jc_atomic_file *af;
    FILE *f;
    int rc = jc_atomic_open(path, &af, &f);
    if (rc == JC_OK) {
        if (json_dumpf(root, f, JSON_INDENT(1) | JSON_REAL_PRECISION(17)) != 0 || fputc('\n', f) == EOF) {
            jc_atomic_abort(af);
            rc = jc_fail_at(JC_ERR_IO, path, 0, 0, "cannot write");
        } else {
            rc = jc_atomic_commit(af);
        }
    }
    json_decref(root);
    return rc;
}

static int bad(const char *path, const char *what)
{
    return jc_fail_at(JC_ERR_PARSE, path, 0, 0, "not a valid " FORMAT_NAME " file: %s", what);
}

static double jnum(const json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static int target_from_json(const char *path, const json_t *tj, jc_model_target *t)
{
    const char *name = json_string_value(json_object_get(tj, "name"));
    json_t *feats = json_object_get(tj, "features"), *reg = json_object_get(tj, "regressor");
    if (!name || !json_is_array(feats) || json_array_size(feats) == 0 || !json_is_object(reg))
        return bad(path, "a target needs \"name\", \"features\" and \"regressor\"");
    size_t p = json_array_size(feats);
    if (alloc_target(t, name, p) != JC_OK)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    t->scaler.p = p;
    t->scaler.mean = calloc(p, sizeof(double));
    t->scaler.scale = calloc(p, sizeof(double));
    if (!t->scaler.mean || !t->scaler.scale)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < p; j++) {
        json_t *fj = json_array_get(feats, j);
        const char *fn = json_string_value(json_object_get(fj, "name"));
        double mean = jnum(json_object_get(fj, "mean")), scale = jnum(json_object_get(fj, "scale"));
        if (!fn || !isfinite(mean) || !(scale > 0))
            return bad(path, "a feature needs \"name\", \"mean\" and \"scale\" > 0");
        t->features[j] = jc_strdup(fn);
        t->log[j] = json_is_true(json_object_get(fj, "log"));
        t->min[j] = jnum(json_object_get(fj, "min"));
        t->max[j] = jnum(json_object_get(fj, "max"));
        t->scaler.mean[j] = mean;
        t->scaler.scale[j] = scale;
    }
    char *text = json_dumps(reg, JSON_REAL_PRECISION(17));
    int rc = text ? jc_regressor_from_json(text, &t->reg) : jc_fail(JC_ERR_NOMEM, "out of memory");
    free(text);
    if (rc != JC_OK)
        return jc_fail_at(rc, path, 0, 0, "target '%s': %s", name, jc_last_error());
    if (jc_regressor_nfeatures(t->reg) != p)
        return bad(path, "the regressor's feature count differs from the features listed");
    json_t *members = json_object_get(tj, "members");
    if (json_is_array(members) && json_array_size(members) > 0) {
        t->members = calloc(json_array_size(members), sizeof *t->members);
        if (!t->members)
            return jc_fail(JC_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < json_array_size(members); k++) {
            char *mt = json_dumps(json_array_get(members, k), JSON_REAL_PRECISION(17));
            int mrc = mt ? jc_regressor_from_json(mt, &t->members[k]) : jc_fail(JC_ERR_NOMEM, "out of memory");
            free(mt);
            if (mrc != JC_OK)
                return jc_fail_at(mrc, path, 0, 0, "target '%s', member %zu: %s", name, k, jc_last_error());
            t->nmembers++;
            if (jc_regressor_nfeatures(t->members[k]) != p)
                return bad(path, "a bootstrap member's feature count differs from the features listed");
        }
    }
    json_t *seen = json_object_get(tj, "seen");
    for (int which = 0; which < 2 && json_is_object(seen); which++) {
        json_t *arr = json_object_get(seen, which ? "arch" : "gpu_model");
        for (size_t k = 0; json_is_array(arr) && k < json_array_size(arr); k++)
            if (jc_model_target_note_seen(t, which, json_string_value(json_array_get(arr, k))) != JC_OK)
                return JC_ERR_NOMEM;
    }
    t->log_target = json_is_true(json_object_get(tj, "log_target"));
    json_t *cal = json_object_get(tj, "calibration");
    if (cal) {
        double sc = jnum(json_object_get(cal, "scale"));
        if (!(sc > 0))
            return bad(path, "a calibration needs \"scale\" > 0");
        t->calib_scale = sc;
        t->calib_runs = (size_t)json_integer_value(json_object_get(cal, "runs"));
        const char *note = json_string_value(json_object_get(cal, "note"));
        t->calib_note = note ? jc_strdup(note) : NULL;
    }
    json_t *train = json_object_get(tj, "train");
    t->rows = (size_t)json_integer_value(json_object_get(tj, "rows"));
    t->train_mse = jnum(json_object_get(train, "mse"));
    t->train_mre = jnum(json_object_get(train, "mre"));
    t->train_r2 = jnum(json_object_get(train, "r2"));
    return JC_OK;
}

static char *str_or_empty(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return jc_strdup(s ? s : "");
}

int jc_model_load(const char *path, jc_model *m)
{
    memset(m, 0, sizeof *m);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root)
        return jc_fail_at(err.line > 0 ? JC_ERR_PARSE : JC_ERR_IO, path, err.line > 0 ? err.line : 0,
                          err.column > 0 ? err.column : 0, "%s", err.text);
    int rc = JC_OK;
    const char *fmt = json_string_value(json_object_get(root, "format"));
    json_t *targets = json_object_get(root, "targets");
    if (!fmt || strcmp(fmt, FORMAT_NAME) != 0) {
        rc = bad(path, "\"format\" is not \"" FORMAT_NAME "\"");
    } else if (json_integer_value(json_object_get(root, "version")) != FORMAT_VERSION) {
        rc = bad(path, "unsupported version (this build reads version 1)");
    } else if (!json_is_array(targets) || json_array_size(targets) == 0) {
        rc = bad(path, "no \"targets\"");
    } else {
        m->ntargets = json_array_size(targets);
        m->targets = calloc(m->ntargets, sizeof *m->targets);
        if (!m->targets)
            rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < m->ntargets && rc == JC_OK; k++)
            rc = target_from_json(path, json_array_get(targets, k), &m->targets[k]);
        m->data = str_or_empty(root, "data");
        m->filter = str_or_empty(root, "filter");
        m->created = str_or_empty(root, "created");
        m->trained_by = str_or_empty(root, "trained_by");
        m->seed = (uint64_t)json_integer_value(json_object_get(root, "seed"));
    }
    json_decref(root);
    if (rc != JC_OK)
        jc_model_free(m);
    return rc;
}
