/* Shared by the learn model tests: a seeded, smooth, nonlinear regression
 * problem and the least-squares line through it, the baseline that a
 * nonlinear model has to beat. Header-only (static inline) so each test
 * executable stays one file. */
#ifndef JC_TEST_LEARN_SYNTH_H
#define JC_TEST_LEARN_SYNTH_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/learn.h"

#define SYNTH_P 8

/* x ~ N(0, 1) in 8 columns (as the evaluation harness hands models
 * standardised features); y mixes a sine, a square, a product and a tanh,
 * ignores the last two columns, plus N(0, 0.05^2) noise. */
static inline void synth_make(uint64_t seed, size_t n, double *x, double *y)
{
    jc_rng r;
    jc_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        double *row = x + i * SYNTH_P;
        for (size_t j = 0; j < SYNTH_P; j++)
            row[j] = jc_rng_normal(&r);
        y[i] = sin(1.5 * row[0]) + 0.5 * row[1] * row[1] + 0.5 * row[2] * row[3] + tanh(2 * row[4]) +
               0.3 * row[5] + 0.05 * jc_rng_normal(&r);
    }
}

/* Test R^2 of ordinary least squares (with intercept) fitted on the
 * training rows: normal equations solved by Gaussian elimination with
 * partial pivoting, plenty for 9 well-conditioned unknowns. */
static inline double synth_linear_r2(const double *xtr, const double *ytr, size_t ntr, const double *xte,
                                     const double *yte, size_t nte)
{
    enum { K = SYNTH_P + 1 };
    double a[K][K + 1];
    memset(a, 0, sizeof a);
    for (size_t i = 0; i < ntr; i++) {
        double z[K];
        z[0] = 1;
        memcpy(z + 1, xtr + i * SYNTH_P, SYNTH_P * sizeof *z);
        for (int r = 0; r < K; r++) {
            for (int c = 0; c < K; c++)
                a[r][c] += z[r] * z[c];
            a[r][K] += z[r] * ytr[i];
        }
    }
    for (int c = 0; c < K; c++) {
        int piv = c;
        for (int r = c + 1; r < K; r++)
            if (fabs(a[r][c]) > fabs(a[piv][c]))
                piv = r;
        for (int k = 0; k <= K; k++) {
            double t = a[c][k];
            a[c][k] = a[piv][k];
            a[piv][k] = t;
        }
        for (int r = 0; r < K; r++) {
            if (r == c)
                continue;
            double f = a[r][c] / a[c][c];
            for (int k = c; k <= K; k++)
                a[r][k] -= f * a[c][k];
        }
    }
    double *yhat = malloc(nte * sizeof *yhat);
    for (size_t i = 0; i < nte; i++) {
        double s = a[0][K] / a[0][0];
        for (int j = 1; j < K; j++)
            s += a[j][K] / a[j][j] * xte[i * SYNTH_P + (size_t)j - 1];
        yhat[i] = s;
    }
    double r2 = jc_metric_r2(yte, yhat, nte);
    free(yhat);
    return r2;
}

#endif
