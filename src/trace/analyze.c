/* One call from a read trace to its analysis: per GPU, energy from the raw
 * samples (so resampling never changes the energy figure), then a uniform,
 * smoothed signal and its segmentation into epochs. */
#include "joulecast/trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void jc_analyze_opts_default(jc_analyze_opts *o)
{
    memset(o, 0, sizeof *o);
    o->smooth = 0; /* auto: see smooth_window() */
    o->use_markers = 1;
    o->max_gap_s = 60;
}

/* The first seed smooths its 100 ms samples over 3-5 points: fluctuations on
 * the millisecond scale, not the epoch structure. The window is therefore a
 * time (about half a second), not a count: 5 points at 10 Hz, 3 at 5 Hz, none
 * at 1 Hz, where 3 points would blur the few-second dips that mark epoch
 * boundaries. smooth > 0 overrides. */
static int smooth_window(const jc_analyze_opts *o, double dt)
{
    if (o->smooth > 0)
        return o->smooth;
    if (!(dt > 0))
        return 1;
    int w = 2 * (int)floor(0.25 / dt + 1e-9) + 1;
    return w > 5 ? 5 : w;
}

static void segment_into(const jc_signal *s, const double *raw, int window, const jc_analyze_opts *o,
                         const jc_trace *tr, jc_gpu_analysis *g)
{
    jc_segment_opts so = {0};
    /* levels from the unsmoothed samples, away from the smoothed edges: half
     * the window, plus one sample for a step that falls between samples */
    so.raw = raw;
    so.edge_margin = window / 2 + 1;
    so.epochs_hint = o->epochs_hint;
    if (tr && o->use_markers && tr->nmarkers) {
        so.markers = tr->markers;
        so.nmarkers = tr->nmarkers;
    }
    g->seg_status = jc_segment(s, &so, &g->seg);
    if (g->seg_status)
        snprintf(g->seg_error, sizeof g->seg_error, "%s", jc_last_error());
}

int jc_signal_analyze(const jc_signal *s, const jc_analyze_opts *o, jc_gpu_analysis *out)
{
    jc_analyze_opts def;
    if (!o) {
        jc_analyze_opts_default(&def);
        o = &def;
    }
    memset(out, 0, sizeof *out);
    out->signal = *s;
    out->signal.p = malloc((s->n ? s->n : 1) * sizeof *s->p);
    if (!out->signal.p)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    memcpy(out->signal.p, s->p, s->n * sizeof *s->p);
    out->energy.samples = s->n;
    out->energy.duration_s = s->n > 1 ? (double)(s->n - 1) * s->dt : 0;
    out->energy.energy_j = jc_signal_energy(s);
    out->energy.mean_power_w = out->energy.duration_s > 0 ? out->energy.energy_j / out->energy.duration_s
                                                          : (s->n ? s->p[0] : 0);
    out->energy.min_power_w = out->energy.max_power_w = s->n ? s->p[0] : 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->p[i] < out->energy.min_power_w) out->energy.min_power_w = s->p[i];
        if (s->p[i] > out->energy.max_power_w) out->energy.max_power_w = s->p[i];
    }
    int window = smooth_window(o, s->dt);
    int rc = jc_signal_smooth(&out->signal, window);
    if (rc)
        return rc;
    segment_into(&out->signal, s->p, window, o, NULL, out);
    return JC_OK;
}

int jc_trace_analyze(const jc_trace *tr, const jc_analyze_opts *o, jc_analysis *out)
{
    jc_analyze_opts def;
    if (!o) {
        jc_analyze_opts_default(&def);
        o = &def;
    }
    memset(out, 0, sizeof *out);
    if (!tr || tr->ngpu == 0)
        return jc_fail(JC_ERR_EMPTY, "trace has no GPUs");
    out->gpus = calloc(tr->ngpu, sizeof *out->gpus);
    if (!out->gpus)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    out->ngpu = tr->ngpu;
    for (size_t i = 0; i < tr->ngpu; i++) {
        jc_gpu_analysis *g = &out->gpus[i];
        g->gpu = &tr->gpus[i];
        int rc = jc_trace_gpu_energy(g->gpu, o->max_gap_s, &g->energy);
        if (!rc)
            rc = jc_trace_gpu_resample(g->gpu, o->dt, &g->signal);
        double *raw = NULL;
        int window = 1;
        if (!rc) {
            raw = malloc((g->signal.n ? g->signal.n : 1) * sizeof *raw);
            if (!raw)
                rc = jc_fail(JC_ERR_NOMEM, "out of memory");
            else
                memcpy(raw, g->signal.p, g->signal.n * sizeof *raw);
        }
        if (!rc) {
            window = smooth_window(o, g->signal.dt);
            rc = jc_signal_smooth(&g->signal, window);
        }
        if (rc) {
            free(raw);
            jc_analysis_free(out);
            return rc;
        }
        segment_into(&g->signal, raw, window, o, tr, g);
        free(raw);
        out->energy_j += g->energy.energy_j;
        out->mean_power_w += g->energy.mean_power_w;
        if (g->energy.duration_s > out->duration_s)
            out->duration_s = g->energy.duration_s;
    }
    return JC_OK;
}

void jc_gpu_analysis_free(jc_gpu_analysis *g)
{
    if (!g)
        return;
    jc_signal_free(&g->signal);
    jc_segmentation_free(&g->seg);
}

void jc_analysis_free(jc_analysis *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->ngpu; i++)
        jc_gpu_analysis_free(&a->gpus[i]);
    free(a->gpus);
    memset(a, 0, sizeof *a);
}
