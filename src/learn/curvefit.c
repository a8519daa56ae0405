/* learn/curvefit.c: one-variable curve fits with R^2, for relations like
 * the first seed's Observations 1 to 3 (energy against batch size, y = a ln x
 * + b). Linear and logarithmic forms are linear least squares; exponential
 * and power start from their log-linear fit (ln y against x or ln x) and are
 * refined by Levenberg-Marquardt on the squared error in y, so that large
 * y do not dominate less than they should (the log fit weighs relative
 * errors). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/learn.h"

const char *jc_curve_name(jc_curve_kind k)
{
    static const char *const names[] = {"linear", "logarithmic", "exponential", "power"};
    return k < JC_CURVE_COUNT ? names[k] : "?";
}

/* y = a u + b by least squares; returns 0 if u is constant. */
static int line(const double *u, const double *y, size_t n, double *a, double *b)
{
    double mu = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mu += u[i];
        my += y[i];
    }
    mu /= (double)n;
    my /= (double)n;
    double suu = 0, suy = 0;
    for (size_t i = 0; i < n; i++) {
        suu += (u[i] - mu) * (u[i] - mu);
        suy += (u[i] - mu) * (y[i] - my);
    }
    if (!(suu > 0))
        return 0;
    *a = suy / suu;
    *b = my - *a * mu;
    return 1;
}

static double model(jc_curve_kind k, double a, double b, double x)
{
    switch (k) {
    case JC_CURVE_LINEAR: return a * x + b;
    case JC_CURVE_LOG: return a * log(x) + b;
    case JC_CURVE_EXP: return a * exp(b * x);
    default: return a * pow(x, b);
    }
}

static double sse(jc_curve_kind k, double a, double b, const double *x, const double *y, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - model(k, a, b, x[i]);
        s += e * e;
    }
    return isfinite(s) ? s : INFINITY;
}

/* Levenberg-Marquardt for the two parameters of exp / power. */
static void refine(jc_curve_kind k, double *a, double *b, const double *x, const double *y, size_t n)
{
    double lambda = 1e-3, cur = sse(k, *a, *b, x, y, n);
    for (int it = 0; it < 200; it++) {
        double jtj[3] = {0, 0, 0}, jtr[2] = {0, 0};
        for (size_t i = 0; i < n; i++) {
            double f, da, db;
            if (k == JC_CURVE_EXP) {
                double e = exp(*b * x[i]);
                f = *a * e;
                da = e;
                db = *a * x[i] * e;
            } else {
                double pw = pow(x[i], *b);
                f = *a * pw;
                da = pw;
                db = f * log(x[i]);
            }
            double r = y[i] - f;
            jtj[0] += da * da;
            jtj[1] += da * db;
            jtj[2] += db * db;
            jtr[0] += da * r;
            jtr[1] += db * r;
        }
        int improved = 0;
        for (int tries = 0; tries < 30 && !improved; tries++) {
            double m00 = jtj[0] * (1 + lambda), m11 = jtj[2] * (1 + lambda), m01 = jtj[1];
            double det = m00 * m11 - m01 * m01;
            if (!(fabs(det) > 0))
                return;
            double sa = (m11 * jtr[0] - m01 * jtr[1]) / det, sb = (m00 * jtr[1] - m01 * jtr[0]) / det;
            double na = *a + sa, nb = *b + sb, ns = sse(k, na, nb, x, y, n);
            if (ns < cur) {
                double rel = (cur - ns) / (cur > 0 ? cur : 1);
                *a = na;
                *b = nb;
                cur = ns;
                lambda *= 0.3;
                improved = 1;
                if (rel < 1e-15)
                    return;
            } else {
                lambda *= 10;
            }
        }
        if (!improved)
            return;
    }
}

void jc_curve_fit_all(const double *x, const double *y, size_t n, jc_curve_fit fits[JC_CURVE_COUNT])
{
    double my = 0, sst = 0;
    for (size_t i = 0; i < n; i++)
        my += y[i];
    my /= n ? (double)n : 1;
    for (size_t i = 0; i < n; i++)
        sst += (y[i] - my) * (y[i] - my);
    int xpos = 1, ypos = 1;
    for (size_t i = 0; i < n; i++) {
        xpos &= x[i] > 0;
        ypos &= y[i] > 0;
    }
    double *u = malloc((n ? n : 1) * sizeof *u), *v = malloc((n ? n : 1) * sizeof *v);
    for (int k = 0; k < JC_CURVE_COUNT; k++) {
        jc_curve_fit *f = &fits[k];
        memset(f, 0, sizeof *f);
        f->kind = (jc_curve_kind)k;
        f->r2 = f->rmse = NAN;
        if (n < 3 || !u || !v) {
            snprintf(f->why, sizeof f->why, n < 3 ? "fewer than 3 points" : "out of memory");
            continue;
        }
        if ((k == JC_CURVE_LOG || k == JC_CURVE_POWER) && !xpos) {
            snprintf(f->why, sizeof f->why, "needs x > 0");
            continue;
        }
        if ((k == JC_CURVE_EXP || k == JC_CURVE_POWER) && !ypos) {
            snprintf(f->why, sizeof f->why, "needs y > 0 (for its starting point)");
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            u[i] = k == JC_CURVE_LOG || k == JC_CURVE_POWER ? log(x[i]) : x[i];
            v[i] = k == JC_CURVE_EXP || k == JC_CURVE_POWER ? log(y[i]) : y[i];
        }
        double a, b;
        if (!line(u, v, n, &a, &b)) {
            snprintf(f->why, sizeof f->why, "x is constant");
            continue;
        }
        if (k == JC_CURVE_EXP || k == JC_CURVE_POWER) {
            /* ln y = a' u + b'  ->  y = e^b' e^(a' u) */
            double A = exp(b), B = a;
            refine((jc_curve_kind)k, &A, &B, x, y, n);
            a = A;
            b = B;
        }
        double s = sse((jc_curve_kind)k, a, b, x, y, n);
        f->ok = isfinite(s);
        f->a = a;
        f->b = b;
        f->rmse = sqrt(s / (double)n);
        f->r2 = sst > 0 ? 1 - s / sst : NAN;
        if (!f->ok)
            snprintf(f->why, sizeof f->why, "the fit overflowed");
    }
    free(u);
    free(v);
}
