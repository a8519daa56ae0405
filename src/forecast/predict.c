/* forecast/predict.c: from a job's metadata to its predicted square wave,
 * the figures that follow, a prediction interval from the model's bootstrap
 * members, and plain warnings where the job lies outside what the model was
 * fitted on (the first seed's Discussion asks for exactly that). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/arch.h"
#include "joulecast/forecast.h"

void jc_task_init(jc_task *t)
{
    memset(t, 0, sizeof *t);
    t->params = t->flops = t->image_size = t->samples = t->batch_size = NAN;
    t->epochs = t->workers = t->gpus = t->power_limit_w = NAN;
}

static void warn(jc_forecast *f, const char *fmt, ...) JC_PRINTF(2, 3);
static void warn(jc_forecast *f, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < f->nwarnings; i++)
        if (strcmp(f->warnings[i], buf) == 0)
            return;  /* several targets share a feature: say it once */
    char **nw = realloc(f->warnings, (f->nwarnings + 1) * sizeof *nw);
    if (!nw)
        return;
    f->warnings = nw;
    if ((nw[f->nwarnings] = jc_strdup(buf)))
        f->nwarnings++;
}

void jc_forecast_free(jc_forecast *f)
{
    for (size_t i = 0; i < f->nwarnings; i++)
        free(f->warnings[i]);
    free(f->warnings);
    memset(f, 0, sizeof *f);
}

/* The value of a model feature for this task, NaN if the task lacks it. */
static double feature_value(const char *name, const jc_task *t, const jc_forecast *f)
{
    const jc_gpu_spec *g = f->gpu;
    if (!strcmp(name, "params")) return f->params;
    if (!strcmp(name, "flops")) return f->flops;
    if (!strcmp(name, "image_size")) return t->image_size;
    if (!strcmp(name, "samples")) return t->samples;
    if (!strcmp(name, "batch_size")) return t->batch_size;
    if (!strcmp(name, "epochs")) return t->epochs;
    if (!strcmp(name, "workers")) return t->workers;
    if (!strcmp(name, "gpus")) return t->gpus;
    if (!strcmp(name, "power_limit_w")) return isfinite(t->power_limit_w) ? t->power_limit_w : g ? g->tdp_w : NAN;
    if (!g)
        return NAN;
    if (!strcmp(name, "gpu_tdp_w")) return g->tdp_w;
    if (!strcmp(name, "gpu_idle_w")) return g->idle_w;
    if (!strcmp(name, "gpu_fp32_tflops")) return g->fp32_tflops;
    if (!strcmp(name, "gpu_fp16_tensor_tflops")) return g->fp16_tensor_tflops;
    if (!strcmp(name, "gpu_memory_gb")) return g->memory_gb;
    if (!strcmp(name, "gpu_memory_bandwidth_gbs")) return g->memory_bandwidth_gbs;
    return NAN;
}

static const char *option_for(const char *feature)
{
    static const struct { const char *f, *opt; } map[] = {
        {"params", "--params N or --arch NAME"}, {"flops", "--flops N or --arch NAME"},
        {"image_size", "--image S"}, {"samples", "--samples N"}, {"batch_size", "--batch N"},
        {"epochs", "--epochs N"}, {"workers", "--workers N"}, {"gpus", "--gpus N"},
        {"power_limit_w", "--power-limit W or a --gpu in the GPU table"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].f, feature))
            return map[i].opt;
    return "a --gpu in the GPU table";
}

static int in_list(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (s && strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

/* Whether a target's training covered this GPU (an empty list: unknown). */
static int covers_gpu(const jc_model_target *t, const jc_forecast *f, const char *gpu_name)
{
    if (t->ngpus_seen == 0 || !gpu_name)
        return 1;
    if (in_list(t->gpus_seen, t->ngpus_seen, gpu_name))
        return 1;
    for (size_t k = 0; f->gpu && k < t->ngpus_seen; k++)
        if (strstr(f->gpu->nvml_names ? f->gpu->nvml_names : "", t->gpus_seen[k]) ||
            (f->gpu->aliases && strstr(f->gpu->aliases, t->gpus_seen[k])) || !strcmp(f->gpu->gpu, t->gpus_seen[k]))
            return 1;
    return 0;
}

static void list_text(char *const *v, size_t n, char *buf, size_t size)
{
    buf[0] = 0;
    for (size_t i = 0; i < n && strlen(buf) + 4 < size; i++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? ", " : "", v[i]);
}

/* Predict one target (and its members) for the task. */
static int predict_target(const jc_model_target *t, const jc_task *task, jc_forecast *f, double *point,
                          double *members)
{
    double *x = malloc(t->p * sizeof *x);
    if (!x)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < t->p; j++) {
        x[j] = feature_value(t->features[j], task, f);
        if (!isfinite(x[j])) {
            int rc = jc_fail(JC_ERR_INVALID, "the model's %s needs '%s' (%s)", t->name, t->features[j],
                             option_for(t->features[j]));
            free(x);
            return rc;
        }
        if (isfinite(t->min[j]) && isfinite(t->max[j]) && (x[j] < t->min[j] || x[j] > t->max[j]))
            warn(f, "%s = %g is outside the range the model was fitted on (%g to %g)", t->features[j], x[j], t->min[j],
                 t->max[j]);
    }
    int rc = jc_model_target_predict(t, x, 1, point);
    if (rc == JC_OK && t->nmembers)
        rc = jc_model_target_predict_members(t, x, members);
    free(x);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Linear-interpolated percentile of v (sorted in place). */
static double percentile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, cmp_double);
    double pos = q * (double)(n - 1);
    size_t i = (size_t)floor(pos);
    if (i + 1 >= n)
        return v[n - 1];
    return v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}

#define NFIG (sizeof(jc_wave_figures) / sizeof(double))
_Static_assert(sizeof(jc_wave_figures) % sizeof(double) == 0, "jc_wave_figures holds doubles only");

static int intervals(jc_forecast *f, double *const mem[4], size_t nm)
{
    double *figs = malloc(nm * NFIG * sizeof *figs), *col = malloc(nm * sizeof *col);
    if (!figs || !col) {
        free(figs);
        free(col);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    size_t good = 0;
    for (size_t k = 0; k < nm; k++) {
        jc_wave w = f->wave;
        w.peak_w = mem[0][k];
        w.peak_s = mem[1][k];
        w.valley_w = mem[2] ? mem[2][k] : 0;
        w.valley_s = mem[3] ? mem[3][k] : 0;
        /* a member may overshoot below zero where the point does not */
        w.peak_w = fmax(w.peak_w, 0);
        w.peak_s = fmax(w.peak_s, 0);
        w.valley_w = fmax(w.valley_w, 0);
        w.valley_s = fmax(w.valley_s, 0);
        jc_wave_figures fg;
        if (jc_wave_figures_of(&w, &fg) != JC_OK)
            continue;
        memcpy(figs + good * NFIG, &fg, sizeof fg);
        good++;
    }
    if (good >= 2) {
        double lo[NFIG], hi[NFIG];
        for (size_t q = 0; q < NFIG; q++) {
            for (size_t k = 0; k < good; k++)
                col[k] = figs[k * NFIG + q];
            lo[q] = percentile(col, good, 0.05);
            hi[q] = percentile(col, good, 0.95);
        }
        memcpy(&f->lo, lo, sizeof f->lo);
        memcpy(&f->hi, hi, sizeof f->hi);
        double *nums[4] = {&f->lo_wave.peak_w, &f->lo_wave.peak_s, &f->lo_wave.valley_w, &f->lo_wave.valley_s};
        double *numh[4] = {&f->hi_wave.peak_w, &f->hi_wave.peak_s, &f->hi_wave.valley_w, &f->hi_wave.valley_s};
        f->lo_wave = f->hi_wave = f->wave;
        for (int t = 0; t < 4; t++) {
            if (!mem[t]) {
                *nums[t] = *numh[t] = 0;
                continue;
            }
            memcpy(col, mem[t], nm * sizeof *col);
            /* powers and durations are not negative, whatever a member says */
            *nums[t] = fmax(percentile(col, nm, 0.05), 0);
            *numh[t] = fmax(percentile(col, nm, 0.95), 0);
        }
        f->members = good;
    }
    free(figs);
    free(col);
    return JC_OK;
}

static int params_from_arch(const jc_task *task, jc_forecast *f)
{
    f->params = task->params;
    f->flops = task->flops;
    if (!task->arch || (isfinite(f->params) && isfinite(f->flops)))
        return JC_OK;
    jc_arch_input in;
    memset(&in, 0, sizeof in);
    if (isfinite(task->image_size))
        in.image = (int)task->image_size;
    jc_arch_counts c;
    int rc = jc_arch_zoo_count(task->arch, &in, &c);
    if (rc != JC_OK)
        return rc;
    if (!isfinite(f->params))
        f->params = (double)c.params;
    if (!isfinite(f->flops))
        f->flops = c.flops;
    return JC_OK;
}

int jc_forecast_predict(const jc_model *m, const jc_task *task, const jc_gpu_table *gpus, const jc_wave *counts,
                        jc_forecast *out)
{
    memset(out, 0, sizeof *out);
    out->wave = *counts;
    if (isfinite(task->epochs))
        out->wave.epochs = task->epochs;
    if (isfinite(task->gpus))
        out->wave.gpus = task->gpus;
    if (task->gpu && gpus) {
        out->gpu = jc_gpu_find(gpus, task->gpu);
        if (!out->gpu)
            return JC_ERR_INVALID;  /* jc_last_error names the candidates */
    }
    int rc = params_from_arch(task, out);
    if (rc != JC_OK)
        return rc;

    static const char *const wave_names[4] = {"peak_power_w", "peak_s", "valley_power_w", "valley_s"};
    static const char *const flat_names[2] = {"avg_power_w", "time_per_epoch_s"};
    int wi[4], fi[2];
    int have_wave = 1, have_flat = 1;
    for (int k = 0; k < 4; k++)
        have_wave &= (wi[k] = jc_model_find(m, wave_names[k])) >= 0;
    for (int k = 0; k < 2; k++)
        have_flat &= (fi[k] = jc_model_find(m, flat_names[k])) >= 0;
    if (!have_wave && !have_flat)
        return jc_fail(JC_ERR_INVALID, "the model predicts neither the square wave (peak_power_w, peak_s, "
                       "valley_power_w, valley_s) nor time_per_epoch_s and avg_power_w");
    const char *gname = task->gpu;
    int use_wave = have_wave;
    if (have_wave && have_flat)  /* both: the set whose training saw this GPU */
        use_wave = covers_gpu(&m->targets[wi[0]], out, gname) || !covers_gpu(&m->targets[fi[0]], out, gname);
    out->flat = !use_wave;
    int idx[4] = {use_wave ? wi[0] : fi[0], use_wave ? wi[1] : fi[1], use_wave ? wi[2] : -1, use_wave ? wi[3] : -1};

    double point[4] = {0, 0, 0, 0};
    double *mem[4] = {NULL, NULL, NULL, NULL};
    size_t nm = (size_t)-1;
    for (int k = 0; k < 4; k++)
        if (idx[k] >= 0 && m->targets[idx[k]].nmembers < nm)
            nm = m->targets[idx[k]].nmembers;
    for (int k = 0; k < 4 && rc == JC_OK; k++) {
        if (idx[k] < 0)
            continue;
        const jc_model_target *t = &m->targets[idx[k]];
        out->targets[k] = t->name;
        if (!covers_gpu(t, out, gname)) {
            char seen[256];
            list_text(t->gpus_seen, t->ngpus_seen, seen, sizeof seen);
            warn(out, "the model was not fitted on %s (it saw %s): its GPU features carry the prediction", gname, seen);
        }
        if (task->arch && t->narchs_seen && !in_list(t->archs_seen, t->narchs_seen, task->arch)) {
            char seen[256];
            list_text(t->archs_seen, t->narchs_seen, seen, sizeof seen);
            warn(out, "the model was not fitted on %s (it saw %s)", task->arch, seen);
        }
        double *mv = t->nmembers ? malloc(t->nmembers * sizeof *mv) : NULL;
        rc = predict_target(t, task, out, &point[k], mv);
        mem[k] = mv;
    }
    if (rc == JC_OK) {
        out->wave.peak_w = point[0];
        out->wave.peak_s = point[1];
        out->wave.valley_w = point[2];
        out->wave.valley_s = point[3];
        if (point[0] < 0 || point[1] < 0 || point[2] < 0 || point[3] < 0) {
            warn(out, "the model predicts a negative number here (peak %.4g W, %.4g s; valley %.4g W, %.4g s); "
                 "taken as 0", point[0], point[1], point[2], point[3]);
            out->wave.peak_w = fmax(point[0], 0);
            out->wave.peak_s = fmax(point[1], 0);
            out->wave.valley_w = fmax(point[2], 0);
            out->wave.valley_s = fmax(point[3], 0);
        }
        if (out->gpu && isfinite(out->gpu->tdp_w) && out->wave.peak_w > out->gpu->tdp_w * 1.05)
            warn(out, "the predicted peak, %.0f W, is above the GPU's %.0f W board power", out->wave.peak_w,
                 out->gpu->tdp_w);
        rc = jc_wave_figures_of(&out->wave, &out->fig);
    }
    if (rc == JC_OK && nm != (size_t)-1 && nm >= 2)
        rc = intervals(out, mem, nm);
    for (int k = 0; k < 4; k++)
        free(mem[k]);
    if (rc != JC_OK)
        jc_forecast_free(out);
    return rc;
}
