/* forecast/calibrate.c: adapting a fitted model to a GPU or network it was
 * not fitted on, from a few runs (the first seed's Discussion): a scale per
 * target, shrunk towards the old model (see forecast.h for the formula and
 * why a scale), with the error on the new runs before and after, the
 * "after" also leave-one-out so that 3 runs do not grade themselves. */
#include <math.h>
#include <string.h>

#include "joulecast/forecast.h"

static double shrunk_scale(const double *p, const double *y, size_t n, size_t skip, double prior)
{
    double syp = 0, spp = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == skip)
            continue;
        syp += y[i] * p[i];
        spp += p[i] * p[i];
        m++;
    }
    if (m == 0 || !(spp > 0))
        return 1.0;
    double mean_pp = spp / (double)m;
    return (syp + prior * mean_pp) / (spp + prior * mean_pp);
}

static double mre_scaled(const double *p, const double *y, size_t n, double s)
{
    double r = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (y[i] != 0) {
            r += fabs(y[i] - s * p[i]) / fabs(y[i]);
            m++;
        }
    return m ? r / (double)m : NAN;
}

int jc_calibrate_scale(const double *pred, const double *obs, size_t n, double prior_runs, jc_calibration *out)
{
    memset(out, 0, sizeof *out);
    if (n < 1)
        return jc_fail(JC_ERR_EMPTY, "calibration: no runs");
    if (!(prior_runs >= 0))
        return jc_fail(JC_ERR_INVALID, "calibration: the prior's weight must be >= 0");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(pred[i]) || !isfinite(obs[i]))
            return jc_fail(JC_ERR_INVALID, "calibration: run %zu has no prediction or no observation", i + 1);
    out->runs = n;
    out->scale = shrunk_scale(pred, obs, n, (size_t)-1, prior_runs);
    out->mre_before = mre_scaled(pred, obs, n, 1.0);
    out->mre_after = mre_scaled(pred, obs, n, out->scale);
    if (n >= 2) {
        double r = 0;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (obs[i] == 0)
                continue;
            double s = shrunk_scale(pred, obs, n, i, prior_runs);
            r += fabs(obs[i] - s * pred[i]) / fabs(obs[i]);
            m++;
        }
        out->mre_after_loo = m ? r / (double)m : NAN;
    } else {
        out->mre_after_loo = NAN;
    }
    return JC_OK;
}
