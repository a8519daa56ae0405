/* learn/mlp.c: the seed's MLP baseline (section 4.4), written out in C: 2-3
 * hidden layers (ReLU, Tanh or LeakyReLU), one linear output, mean squared
 * error, Adam with L2 weight decay, mini-batches of 32, early stopping on a
 * 10 % validation split with the best weights restored. Inputs and target
 * are standardised inside the model. The hidden layers, activation and L2
 * are picked by k-fold CV over the seed's grid.
 *
 * Speed: parameters are float32 (PyTorch's default) in one array; a layer is
 * a row-major matrix product whose inner loop runs along a contiguous row,
 * built -O3 with AVX-512/AVX2/baseline clones. Without -ffast-math nothing
 * is reassociated and no FMA is formed, so every clone, and every thread
 * count, gives the same bits. The grid points of a fold are independent,
 * so they are trained in parallel. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/mlp.h"
#include "learn/regressor.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define JC_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define JC_CLONES
#endif

/* Not searched (the seed also searches these two; the issue fixes them to
 * keep the search affordable): Adam's step and the mini-batch. */
#define MLP_LR 1e-3
#define MLP_BATCH 32
#define MLP_VAL_FRACTION 10 /* one row in 10 */
#define LEAKY_SLOPE 0.01f   /* PyTorch's LeakyReLU default */

/* ---- the grid ---- */

size_t jc_mlp_full_grid(jc_mlp_config out[JC_MLP_FULL_GRID])
{
    static const int hidden[][2] = {{64, 64}, {128, 64}, {128, 128}, {256, 128}};
    static const jc_mlp_activation acts[] = {JC_MLP_RELU, JC_MLP_TANH, JC_MLP_LEAKY_RELU};
    static const double l2[] = {1e-5, 1e-3};
    size_t g = 0;
    for (size_t h = 0; h < 4; h++)
        for (size_t a = 0; a < 3; a++)
            for (size_t k = 0; k < 2; k++)
                out[g++] = (jc_mlp_config){2, {hidden[h][0], hidden[h][1], 0}, acts[a], l2[k]};
    return g;
}

static const char *const act_names[] = {"relu", "tanh", "leaky_relu"};

const char *jc_mlp_activation_name(jc_mlp_activation a)
{
    return act_names[a];
}

/* ---- the network ---- */

int jc_mlp_net_init(jc_mlp_net *net, size_t p, const jc_mlp_config *c)
{
    memset(net, 0, sizeof *net);
    if (c->nhidden < 1 || c->nhidden > JC_MLP_MAX_LAYERS - 1)
        return jc_fail(JC_ERR_INVALID, "mlp: %d hidden layers (1 to %d)", c->nhidden, JC_MLP_MAX_LAYERS - 1);
    net->nlayers = c->nhidden + 1;
    net->act = c->act;
    net->sizes[0] = p;
    for (int l = 0; l < c->nhidden; l++) {
        if (c->hidden[l] < 1)
            return jc_fail(JC_ERR_INVALID, "mlp: hidden layer %d has %d units", l + 1, c->hidden[l]);
        net->sizes[l + 1] = (size_t)c->hidden[l];
    }
    net->sizes[net->nlayers] = 1;
    for (int l = 0; l < net->nlayers; l++) {
        net->woff[l] = net->nparams;
        net->nparams += net->sizes[l] * net->sizes[l + 1];
        net->boff[l] = net->nparams;
        net->nparams += net->sizes[l + 1];
    }
    net->params = calloc(net->nparams, sizeof *net->params);
    return net->params ? JC_OK : jc_fail(JC_ERR_NOMEM, "out of memory");
}

void jc_mlp_net_randomize(jc_mlp_net *net, uint64_t seed)
{
    jc_rng r;
    jc_rng_seed(&r, seed);
    for (int l = 0; l < net->nlayers; l++) {
        size_t in = net->sizes[l], out = net->sizes[l + 1];
        int hidden = l + 1 < net->nlayers;
        double sd;
        if (hidden && net->act == JC_MLP_RELU)
            sd = sqrt(2.0 / (double)in);
        else if (hidden && net->act == JC_MLP_LEAKY_RELU)
            sd = sqrt(2.0 / (1.0 + (double)LEAKY_SLOPE * LEAKY_SLOPE) / (double)in);
        else
            sd = sqrt(2.0 / (double)(in + out));
        float *w = net->params + net->woff[l];
        for (size_t k = 0; k < in * out; k++)
            w[k] = (float)(sd * jc_rng_normal(&r));
        memset(net->params + net->boff[l], 0, out * sizeof(float));
    }
}

void jc_mlp_net_free(jc_mlp_net *net)
{
    free(net->params);
    memset(net, 0, sizeof *net);
}

int jc_mlp_work_init(jc_mlp_work *w, const jc_mlp_net *net, size_t rows, int train)
{
    memset(w, 0, sizeof *w);
    w->rows = rows;
    size_t widest = 1, biggest = 1; /* widest layer, largest weight matrix */
    int ok = 1;
    for (int l = 0; l < net->nlayers; l++)
        if (net->sizes[l] * net->sizes[l + 1] > biggest)
            biggest = net->sizes[l] * net->sizes[l + 1];
    for (int l = 0; l + 1 < net->nlayers; l++) {
        size_t width = net->sizes[l + 1];
        widest = width > widest ? width : widest;
        w->z[l] = malloc(rows * width * sizeof(float));
        w->a[l] = malloc(rows * width * sizeof(float));
        ok = ok && w->z[l] && w->a[l];
    }
    w->out = malloc(rows * sizeof(float));
    ok = ok && w->out;
    if (train) {
        w->d0 = malloc(rows * widest * sizeof(float));
        w->d1 = malloc(rows * widest * sizeof(float));
        w->wt = malloc(biggest * sizeof(float));
        w->grad = malloc(net->nparams * sizeof(float));
        w->m = calloc(net->nparams, sizeof(float));
        w->v = calloc(net->nparams, sizeof(float));
        ok = ok && w->d0 && w->d1 && w->wt && w->grad && w->m && w->v;
    }
    if (!ok) {
        jc_mlp_work_free(w);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    return JC_OK;
}

void jc_mlp_work_free(jc_mlp_work *w)
{
    for (int l = 0; l < JC_MLP_MAX_LAYERS; l++) {
        free(w->z[l]);
        free(w->a[l]);
    }
    free(w->out);
    free(w->d0);
    free(w->d1);
    free(w->wt);
    free(w->grad);
    free(w->m);
    free(w->v);
    memset(w, 0, sizeof *w);
}

/* ---- the kernels ---- */

/* A dot product with 16 running sums in a fixed order: vectorisable without
 * reassociation, so its bits do not depend on the vector width. */
static inline float dot(const float *restrict a, const float *restrict b, size_t n)
{
    float acc[16] = {0};
    size_t k = 0;
    for (; k + 16 <= n; k += 16)
        for (size_t u = 0; u < 16; u++)
            acc[u] += a[k + u] * b[k + u];
    for (size_t u = 0; u < 8; u++)
        acc[u] += acc[u + 8];
    float s = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
    for (; k < n; k++)
        s += a[k] * b[k];
    return s;
}

/* The one matrix kernel: c (m x n) += l (m x k) r (k x n), where l's
 * element (i, kk) is l[i * ls + kk * lk] (so l may be a transpose) and r's
 * rows are contiguous. Each element of c sums over kk in order, four terms
 * per statement: c + l0 r0 + l1 r1 + ... evaluates left to right, the same
 * roundings as one term at a time, so the result is fixed by the order of
 * kk alone. Two rows of c share each load of r; the inner loop runs along
 * the rows and vectorises. */
JC_CLONES static void gemm_acc(size_t m, size_t n, size_t k, const float *l, size_t ls, size_t lk,
                               const float *restrict r, float *restrict c)
{
    size_t i = 0;
    for (; i + 2 <= m; i += 2) {
        float *restrict c0 = c + i * n, *restrict c1 = c0 + n;
        const float *l0 = l + i * ls, *l1 = l0 + ls;
        size_t kk = 0;
        for (; kk + 4 <= k; kk += 4) {
            float a0 = l0[kk * lk], a1 = l0[(kk + 1) * lk], a2 = l0[(kk + 2) * lk], a3 = l0[(kk + 3) * lk];
            float b0 = l1[kk * lk], b1 = l1[(kk + 1) * lk], b2 = l1[(kk + 2) * lk], b3 = l1[(kk + 3) * lk];
            const float *restrict r0 = r + kk * n, *restrict r1 = r0 + n;
            const float *restrict r2 = r1 + n, *restrict r3 = r2 + n;
            for (size_t j = 0; j < n; j++) {
                float x0 = r0[j], x1 = r1[j], x2 = r2[j], x3 = r3[j];
                c0[j] = c0[j] + a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
                c1[j] = c1[j] + b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3;
            }
        }
        for (; kk < k; kk++) {
            float a0 = l0[kk * lk], b0 = l1[kk * lk];
            const float *restrict r0 = r + kk * n;
            for (size_t j = 0; j < n; j++) {
                c0[j] += a0 * r0[j];
                c1[j] += b0 * r0[j];
            }
        }
    }
    for (; i < m; i++) {
        float *restrict c0 = c + i * n;
        const float *l0 = l + i * ls;
        for (size_t kk = 0; kk < k; kk++) {
            float a0 = l0[kk * lk];
            const float *restrict r0 = r + kk * n;
            for (size_t j = 0; j < n; j++)
                c0[j] += a0 * r0[j];
        }
    }
}

/* z (m x out) = a (m x in) w (in x out) + b. */
static void affine(const float *a, size_t m, size_t in, const float *w, const float *b, size_t out, float *z)
{
    if (out == 1) { /* the output unit: one dot product per row */
        for (size_t r = 0; r < m; r++)
            z[r] = b[0] + dot(a + r * in, w, in);
        return;
    }
    for (size_t r = 0; r < m; r++)
        memcpy(z + r * out, b, out * sizeof *z);
    gemm_acc(m, out, in, a, in, 1, w, z);
}

/* tanh in plain float arithmetic, so that the activation loop vectorises
 * (libm's tanhf is a call per element and was 40 % of a Tanh net's time)
 * and gives the same bits in every clone. Within 2 ulp of tanhf:
 * |x| < 0.55: the odd Taylor series to x^17 (each term < 0.12 x the one
 * before); else (1 - e) / (1 + e) with e = exp(-2|x|) = 2^k exp(r),
 * |r| <= ln2 / 2, exp(r) by its series to r^7; |x| >= 9.1: +-1. */
static inline float tanh_f(float x)
{
    float ax = x < 0 ? -x : x, x2 = x * x;
    float series = x + x * x2 * (-1.0f / 3 + x2 * (2.0f / 15 + x2 * (-17.0f / 315 + x2 * (62.0f / 2835 +
                   x2 * (-1382.0f / 155925 + x2 * (21844.0f / 6081075 + x2 * (-929569.0f / 638512875 +
                   x2 * (6404582.0f / 10854718875.0f))))))));
    float y = ax < 9.1f ? -2 * ax : -18.2f;
    /* k = round(y / ln 2) by the 1.5 * 2^23 trick; r = y - k ln 2 in two parts */
    float k = (y * 1.44269504f + 12582912.0f) - 12582912.0f;
    float r = (y - k * 0.693145752f) - k * 1.42860677e-6f;
    float er = 1 + r * (1 + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 +
               r * (1.0f / 720 + r * (1.0f / 5040)))))));
    uint32_t bits = (uint32_t)((int32_t)k + 127) << 23;
    float two_k;
    memcpy(&two_k, &bits, sizeof two_k);
    float e = er * two_k, t = (1 - e) / (1 + e);
    float big = ax >= 9.1f ? 1.0f : t;
    return ax < 0.55f ? series : (x < 0 ? -big : big);
}

JC_CLONES static void activate(jc_mlp_activation act, const float *restrict z, size_t n, float *restrict a)
{
    switch (act) {
    case JC_MLP_RELU:
        for (size_t k = 0; k < n; k++)
            a[k] = z[k] > 0 ? z[k] : 0.0f;
        break;
    case JC_MLP_LEAKY_RELU:
        for (size_t k = 0; k < n; k++)
            a[k] = z[k] > 0 ? z[k] : LEAKY_SLOPE * z[k];
        break;
    case JC_MLP_TANH:
        for (size_t k = 0; k < n; k++)
            a[k] = tanh_f(z[k]);
        break;
    }
}

void jc_mlp_forward(const jc_mlp_net *net, jc_mlp_work *w, const float *x, size_t m)
{
    const float *in = x;
    for (int l = 0; l < net->nlayers; l++) {
        size_t nin = net->sizes[l], nout = net->sizes[l + 1];
        const float *wt = net->params + net->woff[l], *b = net->params + net->boff[l];
        if (l + 1 == net->nlayers) {
            affine(in, m, nin, wt, b, nout, w->out);
        } else {
            affine(in, m, nin, wt, b, nout, w->z[l]);
            activate(net->act, w->z[l], m * nout, w->a[l]);
            in = w->a[l];
        }
    }
}

/* gw (in x out) = a^T d and gb = the column sums of d, for a (m x in) and
 * d (m x out): sums over the batch rows in order. */
static void weight_grad(const float *a, const float *d, size_t m, size_t in, size_t out, float *gw, float *gb)
{
    memset(gw, 0, in * out * sizeof *gw);
    gemm_acc(in, out, m, a, 1, in, d, gw);
    memset(gb, 0, out * sizeof *gb);
    for (size_t r = 0; r < m; r++)
        for (size_t j = 0; j < out; j++)
            gb[j] += d[r * out + j];
}

/* wt (out x in) = w (in x out) transposed, in 16 x 16 tiles. */
static void transpose(const float *restrict w, size_t in, size_t out, float *restrict wt)
{
    enum { T = 16 };
    for (size_t i0 = 0; i0 < in; i0 += T)
        for (size_t j0 = 0; j0 < out; j0 += T) {
            size_t i1 = i0 + T < in ? i0 + T : in, j1 = j0 + T < out ? j0 + T : out;
            for (size_t j = j0; j < j1; j++)
                for (size_t i = i0; i < i1; i++)
                    wt[j * in + i] = w[i * out + j];
        }
}

/* dprev (m x in) = d (m x out) w^T, given wt = w transposed (out x in); a
 * single output unit needs no transpose: then wt is w. */
static void input_grad(const float *d, const float *wt, size_t m, size_t in, size_t out, float *dprev)
{
    memset(dprev, 0, m * in * sizeof *dprev);
    gemm_acc(m, in, out, d, out, 1, wt, dprev);
}

/* d *= the activation's derivative at the layer (z its pre-activation, a
 * its output), as PyTorch: ReLU's is 0 at 0, LeakyReLU's the slope. */
JC_CLONES static void activation_grad(jc_mlp_activation act, const float *restrict z, const float *restrict a,
                                      size_t n, float *restrict d)
{
    switch (act) {
    case JC_MLP_RELU:
        for (size_t k = 0; k < n; k++)
            d[k] = z[k] > 0 ? d[k] : 0.0f;
        break;
    case JC_MLP_LEAKY_RELU:
        for (size_t k = 0; k < n; k++)
            d[k] = z[k] > 0 ? d[k] : d[k] * LEAKY_SLOPE;
        break;
    case JC_MLP_TANH:
        for (size_t k = 0; k < n; k++)
            d[k] = d[k] * (1.0f - a[k] * a[k]);
        break;
    }
}

/* Adam as torch.optim.Adam(weight_decay=l2): the decay joins the gradient. */
JC_CLONES static void adam(float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
                           size_t n, float step, float bc2_sqrt, float l2)
{
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    for (size_t k = 0; k < n; k++) {
        float gk = g[k] + l2 * p[k];
        m[k] = m[k] * b1 + gk * (1 - b1);
        v[k] = v[k] * b2 + gk * gk * (1 - b2);
        p[k] -= step * (m[k] / (sqrtf(v[k]) / bc2_sqrt + eps));
    }
}

double jc_mlp_step(jc_mlp_net *net, jc_mlp_work *w, const float *x, const float *y, size_t m, double lr,
                   double l2)
{
    jc_mlp_forward(net, w, x, m);
    double loss = 0;
    float *d = w->d0, *dn = w->d1;
    for (size_t r = 0; r < m; r++) {
        float e = w->out[r] - y[r];
        loss += (double)e * e;
        d[r] = 2.0f * e / (float)m;
    }
    for (int l = net->nlayers - 1; l >= 0; l--) {
        size_t in = net->sizes[l], out = net->sizes[l + 1];
        const float *below = l == 0 ? x : w->a[l - 1];
        weight_grad(below, d, m, in, out, w->grad + net->woff[l], w->grad + net->boff[l]);
        if (l > 0) {
            const float *wl = net->params + net->woff[l];
            if (out > 1) {
                transpose(wl, in, out, w->wt);
                wl = w->wt;
            }
            input_grad(d, wl, m, in, out, dn);
            activation_grad(net->act, w->z[l - 1], w->a[l - 1], m * in, dn);
            float *t = d;
            d = dn;
            dn = t;
        }
    }
    w->t++;
    double bc1 = 1 - pow(0.9, (double)w->t), bc2 = 1 - pow(0.999, (double)w->t);
    adam(net->params, w->grad, w->m, w->v, net->nparams, (float)(lr / bc1), (float)sqrt(bc2), (float)l2);
    return loss / (double)m;
}

/* ---- training one configuration ---- */

typedef struct {
    int max_epochs, patience;
    uint64_t seed;
} train_settings;

typedef struct {
    int epochs;     /* epochs run */
    int best_epoch; /* the one whose weights were kept (0: the initial ones) */
    double val_mse; /* on the standardised target */
} train_report;

/* Mean squared error of the net on m rows, forward in chunks of w->rows. */
static double net_mse(const jc_mlp_net *net, jc_mlp_work *w, const float *x, const float *y, size_t m, size_t p)
{
    double s = 0;
    for (size_t b = 0; b < m; b += w->rows) {
        size_t k = m - b < w->rows ? m - b : w->rows;
        jc_mlp_forward(net, w, x + b * p, k);
        for (size_t r = 0; r < k; r++) {
            double e = (double)w->out[r] - y[b + r];
            s += e * e;
        }
    }
    return s / (double)m;
}

/* Epochs of shuffled mini-batches over the training rows (xt, yt: nt rows)
 * until max_epochs, or patience epochs without a better validation error;
 * the net ends with the weights of the best validation epoch. With no
 * validation rows every epoch runs and the last weights stay. */
static int train_loop(jc_mlp_net *net, const jc_mlp_config *c, const train_settings *s, const float *xt,
                      const float *yt, size_t nt, const float *xv, const float *yv, size_t nv,
                      train_report *rep)
{
    size_t p = net->sizes[0];
    jc_mlp_work w;
    float *best = malloc(net->nparams * sizeof *best), *xb = malloc(MLP_BATCH * p * sizeof *xb);
    float *yb = malloc(MLP_BATCH * sizeof *yb);
    size_t *order = malloc(nt * sizeof *order);
    int rc = jc_mlp_work_init(&w, net, MLP_BATCH, 1);
    if (rc == JC_OK && (!best || !xb || !yb || !order))
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
    if (rc != JC_OK)
        goto done;
    jc_rng root, shuffle;
    jc_rng_seed(&root, s->seed);
    jc_rng_split(&root, 1, &shuffle);
    jc_rng init;
    jc_rng_split(&root, 2, &init);
    jc_mlp_net_randomize(net, jc_rng_next(&init));
    memcpy(best, net->params, net->nparams * sizeof *best);
    rep->best_epoch = 0;
    rep->epochs = 0;
    rep->val_mse = nv ? net_mse(net, &w, xv, yv, nv, p) : NAN;
    if (nv && !isfinite(rep->val_mse)) /* so that any finite error improves on it */
        rep->val_mse = INFINITY;
    for (size_t i = 0; i < nt; i++)
        order[i] = i;
    int stale = 0;
    for (int epoch = 1; epoch <= s->max_epochs; epoch++) {
        for (size_t i = nt; i > 1; i--) { /* Fisher-Yates */
            size_t j = (size_t)jc_rng_below(&shuffle, i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (size_t b = 0; b < nt; b += MLP_BATCH) {
            size_t m = nt - b < MLP_BATCH ? nt - b : MLP_BATCH;
            for (size_t r = 0; r < m; r++) {
                memcpy(xb + r * p, xt + order[b + r] * p, p * sizeof *xb);
                yb[r] = yt[order[b + r]];
            }
            jc_mlp_step(net, &w, xb, yb, m, MLP_LR, c->l2);
        }
        rep->epochs = epoch;
        if (!nv)
            continue;
        double mse = net_mse(net, &w, xv, yv, nv, p);
        if (mse < rep->val_mse) { /* NaN never improves */
            rep->val_mse = mse;
            rep->best_epoch = epoch;
            memcpy(best, net->params, net->nparams * sizeof *best);
            stale = 0;
        } else if (++stale >= s->patience) {
            break;
        }
    }
    if (nv)
        memcpy(net->params, best, net->nparams * sizeof *best);
    else
        rep->best_epoch = rep->epochs;
done:
    jc_mlp_work_free(&w);
    free(best);
    free(xb);
    free(yb);
    free(order);
    return rc;
}

/* ---- a fitted model: scalers around a trained net ---- */

typedef struct {
    jc_mlp_config cfg;
    jc_mlp_net net;
    size_t p;
    double *x_mean, *x_scale;
    double y_mean, y_scale;
    train_report rep;
} mlp_model;

static void model_free(mlp_model *md)
{
    jc_mlp_net_free(&md->net);
    free(md->x_mean);
    free(md->x_scale);
    memset(md, 0, sizeof *md);
}

/* Rows of x, standardised, as floats. */
static void scale_rows(const mlp_model *md, const double *x, const size_t *rows, size_t m, float *out)
{
    for (size_t r = 0; r < m; r++) {
        const double *xr = x + (rows ? rows[r] : r) * md->p;
        for (size_t j = 0; j < md->p; j++)
            out[r * md->p + j] = (float)((xr[j] - md->x_mean[j]) / md->x_scale[j]);
    }
}

static void target_scaler(mlp_model *md, const double *y, size_t n)
{
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++)
        mean += y[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        var += (y[i] - mean) * (y[i] - mean);
    double sd = sqrt(var / (double)n);
    md->y_mean = mean;
    md->y_scale = sd > 0 && isfinite(sd) ? sd : 1.0;
}

/* The validation rows: one in MLP_VAL_FRACTION of the n rows, at least one
 * when there are two or more, drawn by a seeded permutation (first nv). */
static size_t validation_split(size_t n, uint64_t seed, size_t *perm)
{
    jc_rng root, split;
    jc_rng_seed(&root, seed);
    jc_rng_split(&root, 3, &split);
    jc_permutation(n, jc_rng_next(&split), perm);
    size_t nv = n / MLP_VAL_FRACTION;
    return nv == 0 && n >= 2 ? 1 : nv;
}

static int model_fit(mlp_model *md, const jc_mlp_config *c, const train_settings *s, const double *x, size_t n,
                     size_t p, const double *y)
{
    memset(md, 0, sizeof *md);
    md->cfg = *c;
    md->p = p;
    jc_scaler sc;
    int rc = jc_scaler_fit(&sc, x, n, p);
    if (rc != JC_OK)
        return rc;
    md->x_mean = sc.mean;
    md->x_scale = sc.scale;
    target_scaler(md, y, n);
    rc = jc_mlp_net_init(&md->net, p, c);
    size_t *perm = malloc(n * sizeof *perm);
    float *xs = malloc(n * p * sizeof *xs), *ys = malloc(n * sizeof *ys);
    if (rc == JC_OK && (!perm || !xs || !ys))
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
    if (rc == JC_OK) {
        /* validation rows first, then the training rows */
        size_t nv = validation_split(n, s->seed, perm);
        scale_rows(md, x, perm, n, xs);
        for (size_t i = 0; i < n; i++)
            ys[i] = (float)((y[perm[i]] - md->y_mean) / md->y_scale);
        rc = train_loop(&md->net, c, s, xs + nv * p, ys + nv, n - nv, xs, ys, nv, &md->rep);
    }
    free(perm);
    free(xs);
    free(ys);
    if (rc != JC_OK)
        model_free(md);
    return rc;
}

static int model_predict(const mlp_model *md, const double *x, size_t n, double *yhat)
{
    enum { CHUNK = 256 };
    jc_mlp_work w;
    float *xs = malloc(CHUNK * md->p * sizeof *xs);
    int rc = jc_mlp_work_init(&w, &md->net, CHUNK, 0);
    if (rc == JC_OK && !xs)
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
    for (size_t b = 0; rc == JC_OK && b < n; b += CHUNK) {
        size_t m = n - b < CHUNK ? n - b : CHUNK;
        scale_rows(md, x + b * md->p, NULL, m, xs);
        jc_mlp_forward(&md->net, &w, xs, m);
        for (size_t r = 0; r < m; r++)
            yhat[b + r] = md->y_mean + md->y_scale * (double)w.out[r];
    }
    jc_mlp_work_free(&w);
    free(xs);
    return rc;
}

/* ---- the k-fold search: a fold's grid points trained in parallel ---- */

typedef struct {
    const jc_mlp_config *grid;
    size_t ngrid;
    const train_settings *s;
    int threads;
    /* every grid point's predictions on the current fold's validation rows
     * (ngrid blocks of nva), filled at the fold's first call and valid while
     * the calls run on through the grid */
    double *cache;
    size_t cache_cap;
    int cache_valid;
    size_t cache_g;
    long cache_call, calls;
} mlp_cv;

static int fit_predict(const jc_mlp_config *c, const train_settings *s, const double *xtr, size_t ntr,
                       const double *ytr, const double *xva, size_t nva, size_t p, double *yhat)
{
    mlp_model md;
    int rc = model_fit(&md, c, s, xtr, ntr, p, ytr);
    if (rc != JC_OK)
        return rc;
    rc = model_predict(&md, xva, nva, yhat);
    model_free(&md);
    return rc;
}

/* Each point's training draws only from its own seeded streams, so the
 * cache does not depend on which thread trained what. */
static int fill_fold(mlp_cv *c, const double *xtr, size_t ntr, const double *ytr, const double *xva, size_t nva,
                     size_t p)
{
    if (jc_grow((void **)&c->cache, &c->cache_cap, c->ngrid * nva, sizeof *c->cache) != JC_OK)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    int rc = JC_OK, nthreads = c->threads > 0 ? c->threads : omp_get_max_threads();
    char msg[512] = "";
    /* big networks first, so that no thread is left with one at the end */
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1)
    for (size_t k = 0; k < c->ngrid; k++) {
        size_t g = c->ngrid - 1 - k;
        int r = fit_predict(&c->grid[g], c->s, xtr, ntr, ytr, xva, nva, p, c->cache + g * nva);
        if (r != JC_OK) {
            /* the message lives in the failing thread: carry it out */
#pragma omp critical(jc_mlp_fail)
            if (rc == JC_OK) {
                rc = r;
                snprintf(msg, sizeof msg, "%s", jc_last_error());
            }
        }
    }
    return rc == JC_OK ? JC_OK : jc_fail(rc, "%s", msg);
}

static int cv_fit(void *ctx, size_t g, const double *xtr, size_t ntr, const double *ytr, const double *xva,
                  size_t nva, size_t p, double *yhat_va)
{
    mlp_cv *c = ctx;
    c->calls++;
    /* jc_cv_grid_search walks the grid point by point within a fold: the
     * cache serves g when the calls since it was filled match the steps
     * through the grid (a new fold restarts at g = 0 and misses) */
    int hit = c->cache_valid && g > c->cache_g && c->calls - c->cache_call == (long)(g - c->cache_g);
    if (!hit) {
        c->cache_valid = 0;
        int rc = fill_fold(c, xtr, ntr, ytr, xva, nva, p);
        if (rc != JC_OK)
            return rc;
        c->cache_valid = 1;
        c->cache_g = g;
        c->cache_call = c->calls;
    }
    memcpy(yhat_va, c->cache + g * nva, nva * sizeof *yhat_va);
    return JC_OK;
}

/* ---- the regressor ---- */

typedef struct {
    mlp_model md;
    double cv_mse; /* of the chosen point; NAN when nothing was searched */
    size_t grid_points;
    int chosen;    /* full-grid index used, -1 for the quick setting */
} mlp_state;

static void *mlp_create(const jc_regressor_opts *o)
{
    (void)o;
    mlp_state *s = calloc(1, sizeof *s);
    if (s) {
        s->cv_mse = NAN;
        s->chosen = -1;
    }
    return s;
}

static void mlp_destroy(void *state)
{
    mlp_state *s = state;
    model_free(&s->md);
    free(s);
}

static int mlp_fit(void *state, const jc_regressor_opts *o, const double *x, size_t n, size_t p, const double *y)
{
    mlp_state *s = state;
    model_free(&s->md);
    s->cv_mse = NAN;
    train_settings ts = {o->max_epochs > 0 ? o->max_epochs : 200, o->patience > 0 ? o->patience : 20, o->seed};
    jc_mlp_config grid[JC_MLP_FULL_GRID];
    size_t ngrid = jc_mlp_full_grid(grid), best = 0;
    s->chosen = -1;
    if (o->grid_point >= 0) {
        /* a point chosen by an earlier search: no search now */
        if ((size_t)o->grid_point >= ngrid)
            return jc_fail(JC_ERR_INVALID, "mlp: grid point %d: the grid has %zu", o->grid_point, ngrid);
        best = (size_t)o->grid_point;
        s->chosen = o->grid_point;
    } else if (o->full_grid) {
        mlp_cv c = {.grid = grid, .ngrid = ngrid, .s = &ts, .threads = o->threads};
        double mse[JC_MLP_FULL_GRID];
        int rc = jc_cv_grid_search(&c, ngrid, cv_fit, x, n, p, y, o->cv_folds, o->seed, &best, mse);
        free(c.cache);
        if (rc != JC_OK)
            return rc;
        s->cv_mse = mse[best];
        s->chosen = (int)best;
    } else {
        ngrid = 1;
    }
    s->grid_points = ngrid;
    return model_fit(&s->md, &grid[best], &ts, x, n, p, y);
}

static int mlp_predict(const void *state, const double *x, size_t n, size_t p, double *yhat)
{
    const mlp_state *s = state;
    (void)p;
    return model_predict(&s->md, x, n, yhat);
}

static void format_hidden(const jc_mlp_config *c, char *buf, size_t size)
{
    size_t at = (size_t)snprintf(buf, size, "(");
    for (int l = 0; l < c->nhidden && at < size; l++)
        at += (size_t)snprintf(buf + at, size - at, l ? ", %d" : "%d", c->hidden[l]);
    if (at < size)
        snprintf(buf + at, size - at, ")");
}

static char *mlp_describe(const void *state)
{
    const mlp_state *s = state;
    const mlp_model *md = &s->md;
    char hidden[64], search[96] = "no grid search", buf[384];
    format_hidden(&md->cfg, hidden, sizeof hidden);
    if (isfinite(s->cv_mse))
        snprintf(search, sizeof search, "CV MSE %.6g, best of %zu grid points", s->cv_mse, s->grid_points);
    snprintf(buf, sizeof buf,
             "mlp: hidden %s, %s, l2 %g, Adam lr %g, batch %d; %d epochs run, weights of epoch %d, "
             "validation MSE %.6g (standardised target); %s",
             hidden, jc_mlp_activation_name(md->cfg.act), md->cfg.l2, MLP_LR, MLP_BATCH, md->rep.epochs,
             md->rep.best_epoch, md->rep.val_mse, search);
    return jc_strdup(buf);
}

/* ---- save / load ---- */

static json_t *reals(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_real(v[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *float_reals(const float *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_real((double)v[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *mlp_save(const void *state)
{
    const mlp_state *s = state;
    const mlp_model *md = &s->md;
    json_t *hidden = json_array(), *layers = json_array();
    for (int l = 0; hidden && l < md->cfg.nhidden; l++)
        json_array_append_new(hidden, json_integer(md->cfg.hidden[l]));
    for (int l = 0; layers && l < md->net.nlayers; l++) {
        size_t in = md->net.sizes[l], out = md->net.sizes[l + 1];
        json_array_append_new(layers, json_pack("{s:o, s:o}", "w",
                                                float_reals(md->net.params + md->net.woff[l], in * out), "b",
                                                float_reals(md->net.params + md->net.boff[l], out)));
    }
    /* a NaN validation error (no validation rows) is written as null */
    double vm = md->rep.val_mse;
    return json_pack("{s:o, s:s, s:f, s:f, s:i, s:i, s:i, s:o, s:o, s:I, s:o, s:o, s:f, s:f, s:o}", "hidden",
                     hidden, "activation", jc_mlp_activation_name(md->cfg.act), "l2", md->cfg.l2,
                     "learning_rate", MLP_LR, "batch", MLP_BATCH, "epochs", md->rep.epochs, "best_epoch",
                     md->rep.best_epoch, "val_mse", isfinite(vm) ? json_real(vm) : json_null(), "cv_mse",
                     isfinite(s->cv_mse) ? json_real(s->cv_mse) : json_null(), "grid_points",
                     (json_int_t)s->grid_points, "x_mean", reals(md->x_mean, md->p), "x_scale",
                     reals(md->x_scale, md->p), "y_mean", md->y_mean, "y_scale", md->y_scale, "layers", layers);
}

/* An array of exactly n finite numbers into out (doubles or floats). */
static int read_numbers(const json_t *a, size_t n, const char *what, double *d, float *f)
{
    if (!json_is_array(a) || json_array_size(a) != n)
        return jc_fail(JC_ERR_PARSE, "mlp model: %s must be an array of %zu numbers (has %zu)", what, n,
                       json_is_array(a) ? json_array_size(a) : 0);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(a, i);
        double x = json_number_value(v);
        if (!json_is_number(v) || !isfinite(x))
            return jc_fail(JC_ERR_PARSE, "mlp model: %s[%zu] is not a finite number", what, i);
        if (d)
            d[i] = x;
        else
            f[i] = (float)x;
    }
    return JC_OK;
}

static int read_config(const json_t *j, jc_mlp_config *c)
{
    json_t *hidden = json_object_get(j, "hidden");
    const char *act = json_string_value(json_object_get(j, "activation"));
    json_t *l2 = json_object_get(j, "l2");
    memset(c, 0, sizeof *c);
    if (!json_is_array(hidden) || json_array_size(hidden) < 1 || json_array_size(hidden) > JC_MLP_MAX_LAYERS - 1)
        return jc_fail(JC_ERR_PARSE, "mlp model: \"hidden\" must list 1 to %d layer sizes", JC_MLP_MAX_LAYERS - 1);
    c->nhidden = (int)json_array_size(hidden);
    for (int l = 0; l < c->nhidden; l++) {
        json_int_t h = json_integer_value(json_array_get(hidden, (size_t)l));
        if (h < 1 || h > 65536)
            return jc_fail(JC_ERR_PARSE, "mlp model: hidden layer %d must have 1 to 65536 units", l + 1);
        c->hidden[l] = (int)h;
    }
    int a = -1;
    for (int k = 0; act && k < 3; k++)
        if (strcmp(act, act_names[k]) == 0)
            a = k;
    if (a < 0)
        return jc_fail(JC_ERR_PARSE, "mlp model: \"activation\" must be relu, tanh or leaky_relu");
    c->act = (jc_mlp_activation)a;
    c->l2 = json_is_number(l2) ? json_number_value(l2) : 0;
    return JC_OK;
}

static int read_layers(const json_t *layers, mlp_model *md)
{
    jc_mlp_net *net = &md->net;
    if (!json_is_array(layers) || json_array_size(layers) != (size_t)net->nlayers)
        return jc_fail(JC_ERR_PARSE, "mlp model: \"layers\" must hold %d layers", net->nlayers);
    for (int l = 0; l < net->nlayers; l++) {
        json_t *layer = json_array_get(layers, (size_t)l);
        char what[32];
        size_t in = net->sizes[l], out = net->sizes[l + 1];
        snprintf(what, sizeof what, "layers[%d].w", l);
        int rc = read_numbers(json_object_get(layer, "w"), in * out, what, NULL, net->params + net->woff[l]);
        snprintf(what, sizeof what, "layers[%d].b", l);
        if (rc == JC_OK)
            rc = read_numbers(json_object_get(layer, "b"), out, what, NULL, net->params + net->boff[l]);
        if (rc != JC_OK)
            return rc;
    }
    return JC_OK;
}

static int read_model(const json_t *j, size_t p, mlp_state *s)
{
    mlp_model *md = &s->md;
    int rc = read_config(j, &md->cfg);
    if (rc == JC_OK)
        rc = jc_mlp_net_init(&md->net, p, &md->cfg);
    if (rc != JC_OK)
        return rc;
    md->p = p;
    md->x_mean = malloc(p * sizeof *md->x_mean);
    md->x_scale = malloc(p * sizeof *md->x_scale);
    if (!md->x_mean || !md->x_scale)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    rc = read_numbers(json_object_get(j, "x_mean"), p, "x_mean", md->x_mean, NULL);
    if (rc == JC_OK)
        rc = read_numbers(json_object_get(j, "x_scale"), p, "x_scale", md->x_scale, NULL);
    if (rc != JC_OK)
        return rc;
    for (size_t k = 0; k < p; k++)
        if (md->x_scale[k] == 0)
            return jc_fail(JC_ERR_PARSE, "mlp model: x_scale[%zu] is 0", k);
    json_t *ym = json_object_get(j, "y_mean"), *ys = json_object_get(j, "y_scale");
    md->y_mean = json_number_value(ym);
    md->y_scale = json_number_value(ys);
    if (!json_is_number(ym) || !json_is_number(ys) || !isfinite(md->y_mean) || !isfinite(md->y_scale) ||
        md->y_scale == 0)
        return jc_fail(JC_ERR_PARSE, "mlp model: y_mean and y_scale must be finite numbers, y_scale not 0");
    rc = read_layers(json_object_get(j, "layers"), md);
    if (rc != JC_OK)
        return rc;
    /* what describe shows; absent or null is fine */
    json_t *v;
    md->rep.epochs = (int)json_integer_value(json_object_get(j, "epochs"));
    md->rep.best_epoch = (int)json_integer_value(json_object_get(j, "best_epoch"));
    v = json_object_get(j, "val_mse");
    md->rep.val_mse = json_is_number(v) ? json_number_value(v) : NAN;
    v = json_object_get(j, "cv_mse");
    s->cv_mse = json_is_number(v) ? json_number_value(v) : NAN;
    json_int_t gp = json_integer_value(json_object_get(j, "grid_points"));
    s->grid_points = gp > 0 ? (size_t)gp : 1;
    return JC_OK;
}

static int mlp_load(const json_t *j, size_t p, void **state)
{
    *state = NULL;
    mlp_state *s = mlp_create(NULL);
    if (!s)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    int rc = read_model(j, p, s);
    if (rc != JC_OK) {
        mlp_destroy(s);
        return rc;
    }
    *state = s;
    return JC_OK;
}

static int mlp_grid_choice(const void *state)
{
    return ((mlp_state *)state)->chosen;
}

const jc_regressor_ops jc_mlp_ops = {
    "mlp", mlp_create, mlp_destroy, mlp_fit, mlp_predict, mlp_describe, mlp_save, mlp_load,
    mlp_grid_choice,
};
