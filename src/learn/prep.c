/* learn/prep.c: what every model and the evaluation harness share: column
 * standardisation, seeded permutations, k-fold ranges, the k-fold grid
 * search the seed uses to pick hyper-parameters, and the error metrics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/learn.h"

int jc_scaler_fit(jc_scaler *s, const double *x, size_t n, size_t p)
{
    memset(s, 0, sizeof *s);
    if (n == 0 || p == 0)
        return jc_fail(JC_ERR_EMPTY, "scaler: nothing to fit (%zu rows, %zu columns)", n, p);
    s->mean = calloc(p, sizeof *s->mean);
    s->scale = calloc(p, sizeof *s->scale);
    if (!s->mean || !s->scale) {
        jc_scaler_free(s);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    s->p = p;
    for (size_t j = 0; j < p; j++) {
        /* two passes: the mean, then squared deviations (stable for large
         * offsets such as FLOP counts near 1e12) */
        double m = 0;
        for (size_t i = 0; i < n; i++)
            m += x[i * p + j];
        m /= (double)n;
        double v = 0;
        for (size_t i = 0; i < n; i++) {
            double d = x[i * p + j] - m;
            v += d * d;
        }
        double sd = sqrt(v / (double)n);
        s->mean[j] = m;
        /* scikit-learn leaves a (near) constant column unscaled */
        s->scale[j] = sd > 10 * 2.220446049250313e-16 * fabs(m) && sd > 0 ? sd : 1.0;
    }
    return JC_OK;
}

void jc_scaler_transform(const jc_scaler *s, double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < s->p; j++)
            x[i * s->p + j] = (x[i * s->p + j] - s->mean[j]) / s->scale[j];
}

void jc_scaler_free(jc_scaler *s)
{
    free(s->mean);
    free(s->scale);
    memset(s, 0, sizeof *s);
}

void jc_permutation(size_t n, uint64_t seed, size_t *perm)
{
    jc_rng rng;
    jc_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)jc_rng_below(&rng, i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

void jc_kfold_range(size_t n, int k, int f, size_t *begin, size_t *end)
{
    size_t kk = (size_t)k, ff = (size_t)f;
    size_t base = n / kk, extra = n % kk;
    *begin = ff * base + (ff < extra ? ff : extra);
    *end = *begin + base + (ff < extra ? 1 : 0);
}

void jc_take_rows(const double *x, size_t p, const size_t *idx, size_t m, double *out)
{
    for (size_t i = 0; i < m; i++)
        memcpy(out + i * p, x + idx[i] * p, p * sizeof *out);
}

int jc_cv_grid_search(void *ctx, size_t ngrid, jc_cv_fit_fn fn,
                      const double *x, size_t n, size_t p, const double *y,
                      int k, uint64_t seed, size_t *best, double *mse_out)
{
    *best = 0;
    if (ngrid == 0)
        return jc_fail(JC_ERR_INVALID, "grid search: empty grid");
    if (k < 2 || (size_t)k > n)
        return jc_fail(JC_ERR_INVALID, "grid search: %d folds need at least %d rows, have %zu", k, k, n);
    size_t *perm = malloc(n * sizeof *perm), *idx = malloc(n * sizeof *idx);
    double *xtr = malloc(n * p * sizeof *xtr), *ytr = malloc(n * sizeof *ytr);
    double *xva = malloc(n * p * sizeof *xva), *yva = malloc(n * sizeof *yva);
    double *yhat = malloc(n * sizeof *yhat), *sum = calloc(ngrid, sizeof *sum);
    int rc = JC_OK;
    if (!perm || !idx || !xtr || !ytr || !xva || !yva || !yhat || !sum) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    jc_permutation(n, seed, perm);
    for (int f = 0; f < k && rc == JC_OK; f++) {
        size_t b, e;
        jc_kfold_range(n, k, f, &b, &e);
        size_t nva = e - b, ntr = 0;
        for (size_t i = 0; i < n; i++)
            if (i < b || i >= e)
                idx[ntr++] = perm[i];
        jc_take_rows(x, p, idx, ntr, xtr);
        jc_take_rows(y, 1, idx, ntr, ytr);
        jc_take_rows(x, p, perm + b, nva, xva);
        jc_take_rows(y, 1, perm + b, nva, yva);
        for (size_t g = 0; g < ngrid && rc == JC_OK; g++) {
            rc = fn(ctx, g, xtr, ntr, ytr, xva, nva, p, yhat);
            if (rc == JC_OK) {
                double mse = jc_metric_mse(yva, yhat, nva);
                /* a diverged fit (NaN) must never be chosen */
                sum[g] += isfinite(mse) ? mse : INFINITY;
            }
        }
    }
    if (rc == JC_OK) {
        for (size_t g = 0; g < ngrid; g++) {
            sum[g] /= k;
            if (mse_out)
                mse_out[g] = sum[g];
            if (sum[g] < sum[*best])
                *best = g;
        }
    }
done:
    free(perm);
    free(idx);
    free(xtr);
    free(ytr);
    free(xva);
    free(yva);
    free(yhat);
    free(sum);
    return rc;
}

double jc_metric_mse(const double *y, const double *yhat, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double d = y[i] - yhat[i];
        s += d * d;
    }
    return n ? s / (double)n : NAN;
}

double jc_metric_mre(const double *y, const double *yhat, size_t n)
{
    double s = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (y[i] != 0) {
            s += fabs(y[i] - yhat[i]) / fabs(y[i]);
            m++;
        }
    return m ? s / (double)m : NAN;
}

double jc_metric_r2(const double *y, const double *yhat, size_t n)
{
    if (n == 0)
        return NAN;
    double mean = 0;
    for (size_t i = 0; i < n; i++)
        mean += y[i];
    mean /= (double)n;
    double ss_res = 0, ss_tot = 0;
    for (size_t i = 0; i < n; i++) {
        ss_res += (y[i] - yhat[i]) * (y[i] - yhat[i]);
        ss_tot += (y[i] - mean) * (y[i] - mean);
    }
    return ss_tot > 0 ? 1.0 - ss_res / ss_tot : 0.0;
}
