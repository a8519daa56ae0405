/* forecast/hc.c: the second seed's HC x MACs model (its equation 4.1):
 * training energy proportional to the multiply-accumulates done, with one
 * coefficient per GPU (5.9e-11 J/MAC for its RTX 4090). Fitted here as a
 * line through the origin (what the equation says), with the median ratio
 * and a log-log line beside it to show whether the proportionality holds
 * (slope 1) or energy grows slower or faster than MACs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/forecast.h"

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int jc_hc_fit_runs(const double *e, const double *m, size_t n, jc_hc_fit *out)
{
    memset(out, 0, sizeof *out);
    if (n < 2)
        return jc_fail(JC_ERR_EMPTY, "HC fit: %zu runs; at least 2 are needed", n);
    for (size_t i = 0; i < n; i++)
        if (!(e[i] > 0) || !(m[i] > 0) || !isfinite(e[i]) || !isfinite(m[i]))
            return jc_fail(JC_ERR_INVALID, "HC fit: run %zu: energy %g J and MACs %g must be finite and > 0", i + 1,
                           e[i], m[i]);
    double sem = 0, smm = 0, se = 0;
    for (size_t i = 0; i < n; i++) {
        sem += e[i] * m[i];
        smm += m[i] * m[i];
        se += e[i];
    }
    out->n = n;
    out->hc_j_per_mac = sem / smm;
    double mean = se / (double)n, ssr = 0, sst = 0, rel = 0;
    for (size_t i = 0; i < n; i++) {
        double f = out->hc_j_per_mac * m[i];
        ssr += (e[i] - f) * (e[i] - f);
        sst += (e[i] - mean) * (e[i] - mean);
        rel += fabs(e[i] - f) / e[i];
    }
    out->r2 = sst > 0 ? 1 - ssr / sst : NAN;
    out->mre = rel / (double)n;
    double *ratio = malloc(n * sizeof *ratio);
    if (!ratio)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        ratio[i] = e[i] / m[i];
    qsort(ratio, n, sizeof *ratio, cmp_d);
    out->hc_median = n % 2 ? ratio[n / 2] : 0.5 * (ratio[n / 2 - 1] + ratio[n / 2]);
    free(ratio);
    /* ln E = a + b ln MACs */
    double sx = 0, sy = 0;
    for (size_t i = 0; i < n; i++) {
        sx += log(m[i]);
        sy += log(e[i]);
    }
    double mx = sx / (double)n, my = sy / (double)n, sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = log(m[i]) - mx, dy = log(e[i]) - my;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    out->loglog_slope = sxx > 0 ? sxy / sxx : NAN;
    out->loglog_intercept = my - out->loglog_slope * mx;
    out->loglog_r2 = sxx > 0 && syy > 0 ? sxy * sxy / (sxx * syy) : NAN;
    return JC_OK;
}
