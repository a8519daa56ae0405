/* From raw samples to a clean uniform signal, and energy: trapezoidal
 * integration over the raw samples, linear resampling onto a uniform grid,
 * centred moving-average smoothing (the first seed's 3-5 points), idle
 * trimming, and point-by-point averaging of replicate runs. */
#include "joulecast/trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int jc_trace_gpu_energy(const jc_trace_gpu *g, double max_gap_s, jc_energy *out)
{
    memset(out, 0, sizeof *out);
    if (!g || g->n == 0)
        return jc_fail(JC_ERR_EMPTY, "no samples to integrate");
    double e = 0, covered = 0, lo = g->power_w[0], hi = g->power_w[0];
    for (size_t i = 1; i < g->n; i++) {
        double dt = g->t[i] - g->t[i - 1];
        double p = g->power_w[i];
        if (p < lo) lo = p;
        if (p > hi) hi = p;
        if (max_gap_s > 0 && dt > max_gap_s)
            continue; /* a hole in the log: do not invent energy across it */
        e += 0.5 * (g->power_w[i] + g->power_w[i - 1]) * dt;
        covered += dt;
    }
    out->samples = g->n;
    out->duration_s = g->t[g->n - 1] - g->t[0];
    out->energy_j = e;
    out->mean_power_w = covered > 0 ? e / covered : g->power_w[0];
    out->min_power_w = lo;
    out->max_power_w = hi;
    return JC_OK;
}

void jc_signal_free(jc_signal *s)
{
    if (!s)
        return;
    free(s->p);
    memset(s, 0, sizeof *s);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double jc_trace_gpu_median_interval(const jc_trace_gpu *g)
{
    if (!g || g->n < 2)
        return 0;
    /* A sample of the gaps is enough and keeps this O(n) for long traces. */
    size_t m = g->n - 1, step = m > 4096 ? m / 4096 : 1, k = 0;
    double *d = malloc(((m + step - 1) / step) * sizeof *d);
    if (!d)
        return 0;
    for (size_t i = 0; i < m; i += step)
        d[k++] = g->t[i + 1] - g->t[i];
    qsort(d, k, sizeof *d, cmp_double);
    double med = d[k / 2];
    free(d);
    return med;
}

int jc_trace_gpu_resample(const jc_trace_gpu *g, double dt, jc_signal *out)
{
    memset(out, 0, sizeof *out);
    if (!g || g->n == 0)
        return jc_fail(JC_ERR_EMPTY, "no samples to resample");
    if (dt <= 0)
        dt = jc_trace_gpu_median_interval(g);
    if (!(dt > 0))
        dt = 1.0;
    double span = g->t[g->n - 1] - g->t[0];
    size_t n = (size_t)floor(span / dt + 1e-9) + 1;
    double *p = malloc(n * sizeof *p);
    if (!p)
        return jc_fail(JC_ERR_NOMEM, "out of memory resampling %zu points", n);
    size_t j = 0;
    for (size_t k = 0; k < n; k++) {
        double t = g->t[0] + (double)k * dt;
        while (j + 1 < g->n && g->t[j + 1] < t)
            j++;
        if (j + 1 >= g->n) {
            p[k] = g->power_w[g->n - 1];
            continue;
        }
        double t0 = g->t[j], t1 = g->t[j + 1];
        double w = t1 > t0 ? (t - t0) / (t1 - t0) : 1.0;
        if (w < 0) w = 0;
        if (w > 1) w = 1;
        p[k] = g->power_w[j] + w * (g->power_w[j + 1] - g->power_w[j]);
    }
    out->t0 = g->t[0];
    out->dt = dt;
    out->n = n;
    out->p = p;
    return JC_OK;
}

int jc_signal_smooth(jc_signal *s, int window)
{
    if (window <= 1 || s->n < 2)
        return JC_OK;
    double *q = malloc(s->n * sizeof *q);
    if (!q)
        return jc_fail(JC_ERR_NOMEM, "out of memory smoothing");
    /* Window [i - left, i + right]; an even window leans one sample back. */
    size_t left = (size_t)window / 2, right = (size_t)(window - 1) / 2;
    double sum = 0;
    size_t lo = 0, hi = 0; /* current window is [lo, hi) */
    for (size_t i = 0; i < s->n; i++) {
        size_t want_lo = i >= left ? i - left : 0;
        size_t want_hi = i + right + 1 < s->n ? i + right + 1 : s->n;
        while (hi < want_hi)
            sum += s->p[hi++];
        while (lo < want_lo)
            sum -= s->p[lo++];
        q[i] = sum / (double)(hi - lo);
    }
    free(s->p);
    s->p = q;
    return JC_OK;
}

int jc_signal_trim_idle(jc_signal *s, size_t *cut_head, size_t *cut_tail)
{
    if (cut_head) *cut_head = 0;
    if (cut_tail) *cut_tail = 0;
    if (s->n < 3)
        return JC_OK;
    /* Idle level: low percentile; working level: high percentile. Robust to
     * the odd spike, unlike min and max. */
    double *sorted = malloc(s->n * sizeof *sorted);
    if (!sorted)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    memcpy(sorted, s->p, s->n * sizeof *sorted);
    qsort(sorted, s->n, sizeof *sorted, cmp_double);
    double idle = sorted[s->n / 50], work = sorted[s->n - 1 - s->n / 50];
    free(sorted);
    if (work - idle < 1e-9)
        return JC_OK;
    double thr = 0.5 * (idle + work);
    size_t a = 0, b = s->n;
    while (a < s->n && s->p[a] < thr)
        a++;
    while (b > a && s->p[b - 1] < thr)
        b--;
    if (b <= a)
        return JC_OK;
    memmove(s->p, s->p + a, (b - a) * sizeof *s->p);
    s->t0 += (double)a * s->dt;
    if (cut_head) *cut_head = a;
    if (cut_tail) *cut_tail = s->n - b;
    s->n = b - a;
    return JC_OK;
}

int jc_signal_average(const jc_signal *runs, size_t nruns, jc_signal *out)
{
    memset(out, 0, sizeof *out);
    if (nruns == 0)
        return jc_fail(JC_ERR_EMPTY, "no runs to average");
    size_t n = runs[0].n;
    for (size_t r = 1; r < nruns; r++) {
        if (fabs(runs[r].dt - runs[0].dt) > 1e-9 * runs[0].dt)
            return jc_fail(JC_ERR_INVALID, "cannot average runs sampled at %g s and %g s: resample them to one step",
                           runs[0].dt, runs[r].dt);
        if (runs[r].n < n)
            n = runs[r].n;
    }
    if (n == 0)
        return jc_fail(JC_ERR_EMPTY, "a run to average is empty");
    out->p = calloc(n, sizeof *out->p);
    if (!out->p)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    for (size_t r = 0; r < nruns; r++)
        for (size_t i = 0; i < n; i++)
            out->p[i] += runs[r].p[i];
    for (size_t i = 0; i < n; i++)
        out->p[i] /= (double)nruns;
    out->n = n;
    out->dt = runs[0].dt;
    out->t0 = 0;
    return JC_OK;
}

double jc_signal_energy(const jc_signal *s)
{
    if (!s || s->n < 2)
        return 0;
    double e = 0.5 * (s->p[0] + s->p[s->n - 1]);
    for (size_t i = 1; i + 1 < s->n; i++)
        e += s->p[i];
    return e * s->dt;
}
