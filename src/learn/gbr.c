/* learn/gbr.c: gradient boosting, the seed's "Gradient Boosting Regressor"
 * (section 4.4), through XGBoost's C API: squared error, exact greedy trees,
 * the seed's 54-point grid searched by k-fold CV, then a refit on all rows.
 * The fitted booster travels inside the model JSON as base64 of XGBoost's
 * own UBJSON model bytes, so a loaded model predicts bit for bit the same.
 *
 * The search is the cost: 18 families (learning rate, depth, subsample) x 3
 * tree counts x k folds. Boosting is sequential, so the first 200 trees of an
 * 800-tree fit are exactly a 200-tree fit: each family is fitted once with
 * 800 trees and predicted at 200, 400 and 800 (jc_gbr_cv, prefix = 1; 1.7x
 * less work, bench_learn_models --direct). The families of a fold are fitted
 * in parallel, one XGBoost thread each; the result does not depend on the
 * thread count (tests/unit/test_learn_gbr.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <omp.h>
#include <xgboost/c_api.h>

#include "learn/gbr.h"
#include "learn/regressor.h"

/* ---- the grid ---- */

size_t jc_gbr_full_grid(jc_gbr_params out[JC_GBR_FULL_GRID])
{
    static const double lr[] = {0.01, 0.05, 0.1};
    static const int depth[] = {3, 4, 5};
    static const double subsample[] = {0.8, 1.0};
    static const int trees[] = {200, 400, 800};
    size_t g = 0;
    for (size_t a = 0; a < 3; a++)
        for (size_t d = 0; d < 3; d++)
            for (size_t s = 0; s < 2; s++)
                for (size_t t = 0; t < 3; t++)
                    out[g++] = (jc_gbr_params){lr[a], trees[t], depth[d], subsample[s]};
    return g;
}

/* The quick setting (full_grid = 0). */
static const jc_gbr_params quick_params = {0.1, 200, 3, 1.0};

/* ---- XGBoost, wrapped ---- */

static int xgb_fail(const char *what)
{
    return jc_fail(JC_ERR_INTERNAL, "gbr: XGBoost %s: %s", what, XGBGetLastError());
}

/* XGBoost's log level is a thread-local global: silence it on every thread
 * that is about to call it. */
static void xgb_quiet(void)
{
    (void)XGBSetGlobalConfig("{\"verbosity\": 0}");
}

/* XGBoost takes floats; features and labels are converted on the way in. */
static int dmatrix_new(const double *x, size_t n, size_t p, const double *y, DMatrixHandle *out)
{
    *out = NULL;
    float *f = malloc(n * p * sizeof *f);
    if (!f)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n * p; i++)
        f[i] = (float)x[i];
    int rc = JC_OK;
    if (XGDMatrixCreateFromMat(f, (bst_ulong)n, (bst_ulong)p, NAN, out) != 0)
        rc = xgb_fail("DMatrix");
    if (rc == JC_OK && y) {
        for (size_t i = 0; i < n; i++)
            f[i] = (float)y[i];
        if (XGDMatrixSetFloatInfo(*out, "label", f, (bst_ulong)n) != 0)
            rc = xgb_fail("labels");
    }
    free(f);
    if (rc != JC_OK && *out) {
        XGDMatrixFree(*out);
        *out = NULL;
    }
    return rc;
}

/* XGBoost's seed is a 32-bit int: a fixed mix of ours. */
static unsigned xgb_seed(uint64_t seed)
{
    jc_rng r;
    jc_rng_seed(&r, seed);
    return (unsigned)(jc_rng_next(&r) >> 33);
}

/* A booster with every setting fixed, so that a fit depends on the data,
 * the grid point and the seed only. lambda 0 and min_child_weight 1 are
 * scikit-learn's GradientBoostingRegressor (the seed's model): no L2 on the
 * leaves, at least one row per leaf. base_score is the mean target (the
 * first stage of scikit-learn's model), not XGBoost 1.7's constant 0.5, which
 * wastes trees on targets far from 0. */
static int booster_new(DMatrixHandle dtrain, const jc_gbr_params *par, double base_score, uint64_t seed,
                       int threads, BoosterHandle *out)
{
    char eta[32], depth[16], sub[32], base[32], xseed[24], nthread[16];
    snprintf(eta, sizeof eta, "%.17g", par->learning_rate);
    snprintf(depth, sizeof depth, "%d", par->max_depth);
    snprintf(sub, sizeof sub, "%.17g", par->subsample);
    snprintf(base, sizeof base, "%.17g", base_score);
    snprintf(xseed, sizeof xseed, "%u", xgb_seed(seed));
    snprintf(nthread, sizeof nthread, "%d", threads);
    const char *const params[][2] = {
        {"verbosity", "0"},   {"objective", "reg:squarederror"}, {"tree_method", "exact"},
        {"eta", eta},         {"max_depth", depth},              {"subsample", sub},
        {"lambda", "0"},      {"min_child_weight", "1"},         {"base_score", base},
        {"seed", xseed},      {"nthread", threads > 0 ? nthread : NULL},
    };
    xgb_quiet();
    if (XGBoosterCreate(&dtrain, 1, out) != 0)
        return xgb_fail("create");
    for (size_t k = 0; k < sizeof params / sizeof params[0]; k++)
        if (params[k][1] && XGBoosterSetParam(*out, params[k][0], params[k][1]) != 0) {
            int rc = xgb_fail(params[k][0]);
            XGBoosterFree(*out);
            *out = NULL;
            return rc;
        }
    return JC_OK;
}

static double mean_of(const double *y, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += y[i];
    return s / (double)n;
}

/* Fit `trees` rounds of par on (x, y) into a new booster. */
static int fit_booster(const jc_gbr_params *par, int trees, uint64_t seed, int threads, const double *x,
                       size_t n, size_t p, const double *y, BoosterHandle *out, double *base_score)
{
    *out = NULL;
    *base_score = mean_of(y, n);
    DMatrixHandle d;
    int rc = dmatrix_new(x, n, p, y, &d);
    if (rc != JC_OK)
        return rc;
    rc = booster_new(d, par, *base_score, seed, threads, out);
    for (int it = 0; rc == JC_OK && it < trees; it++)
        if (XGBoosterUpdateOneIter(*out, it, d) != 0)
            rc = xgb_fail("training");
    XGDMatrixFree(d);
    if (rc != JC_OK && *out) {
        XGBoosterFree(*out);
        *out = NULL;
    }
    return rc;
}

/* Predict the n rows of d with the first `trees` trees (0: all). */
static int booster_predict(BoosterHandle h, DMatrixHandle d, int trees, size_t n, double *yhat)
{
    char cfg[160];
    snprintf(cfg, sizeof cfg,
             "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": %d, "
             "\"strict_shape\": false}",
             trees);
    bst_ulong const *shape;
    bst_ulong dim;
    float const *out;
    if (XGBoosterPredictFromDMatrix(h, d, cfg, &shape, &dim, &out) != 0)
        return xgb_fail("predict");
    bst_ulong len = 1;
    for (bst_ulong k = 0; k < dim; k++)
        len *= shape[k];
    if (len != (bst_ulong)n)
        return jc_fail(JC_ERR_INTERNAL, "gbr: XGBoost returned %llu predictions for %zu rows",
                       (unsigned long long)len, n);
    for (size_t i = 0; i < n; i++)
        yhat[i] = out[i];
    return JC_OK;
}

static int predict_rows(BoosterHandle h, int trees, const double *x, size_t n, size_t p, double *yhat)
{
    DMatrixHandle d;
    int rc = dmatrix_new(x, n, p, NULL, &d);
    if (rc != JC_OK)
        return rc;
    rc = booster_predict(h, d, trees, n, yhat);
    XGDMatrixFree(d);
    return rc;
}

/* ---- the k-fold search, with the shared-prefix shortcut ---- */

typedef struct {
    const jc_gbr_params *grid;
    size_t ngrid;
    int prefix;
    const jc_regressor_opts *o;
    /* prefix: every grid point's predictions on the current fold's
     * validation rows (ngrid blocks of nva), filled at the fold's first call
     * and valid while the calls run on through the grid */
    double *cache;
    size_t cache_cap;
    int cache_valid;
    size_t cache_g;  /* the grid point whose call filled it */
    long cache_call; /* ... and that call's number */
    long calls;
} gbr_cv;

static int same_family(const jc_gbr_params *a, const jc_gbr_params *b)
{
    return a->learning_rate == b->learning_rate && a->max_depth == b->max_depth &&
           a->subsample == b->subsample;
}

/* Fit the family [first, end) once with its largest tree count and predict
 * every member's count into the cache. */
static int fit_family(gbr_cv *c, size_t first, size_t end, const double *xtr, size_t ntr, const double *ytr,
                      const double *xva, size_t nva, size_t p)
{
    int most = 0;
    for (size_t k = first; k < end; k++)
        most = c->grid[k].trees > most ? c->grid[k].trees : most;
    BoosterHandle h;
    double base;
    /* one XGBoost thread each: the parallelism is over families */
    int rc = fit_booster(&c->grid[first], most, c->o->seed, 1, xtr, ntr, p, ytr, &h, &base);
    if (rc != JC_OK)
        return rc;
    DMatrixHandle d;
    rc = dmatrix_new(xva, nva, p, NULL, &d);
    for (size_t k = first; rc == JC_OK && k < end; k++)
        rc = booster_predict(h, d, c->grid[k].trees, nva, c->cache + k * nva);
    if (d)
        XGDMatrixFree(d);
    XGBoosterFree(h);
    return rc;
}

/* Every family of the grid on one fold, the families spread over threads.
 * Each fit draws only from its own booster's seeded generator (XGBoost
 * reseeds its thread's generator when a booster is configured), so the
 * cache does not depend on which thread fitted what. */
static int fill_fold(gbr_cv *c, const double *xtr, size_t ntr, const double *ytr, const double *xva,
                     size_t nva, size_t p)
{
    size_t *first = malloc((c->ngrid + 1) * sizeof *first), nfam = 0;
    if (!first || jc_grow((void **)&c->cache, &c->cache_cap, c->ngrid * nva, sizeof *c->cache) != JC_OK) {
        free(first);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    for (size_t g = 0; g < c->ngrid; g++)
        if (g == 0 || !same_family(&c->grid[g - 1], &c->grid[g]))
            first[nfam++] = g;
    first[nfam] = c->ngrid;
    int rc = JC_OK, nthreads = c->o->threads > 0 ? c->o->threads : omp_get_max_threads();
    char msg[512] = "";
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1)
    for (size_t f = 0; f < nfam; f++) {
        int r = fit_family(c, first[f], first[f + 1], xtr, ntr, ytr, xva, nva, p);
        if (r != JC_OK) {
            /* the message lives in the failing thread: carry it out */
#pragma omp critical(jc_gbr_fail)
            if (rc == JC_OK) {
                rc = r;
                snprintf(msg, sizeof msg, "%s", jc_last_error());
            }
        }
    }
    free(first);
    return rc == JC_OK ? JC_OK : jc_fail(rc, "%s", msg);
}

static int cv_fit(void *ctx, size_t g, const double *xtr, size_t ntr, const double *ytr,
                  const double *xva, size_t nva, size_t p, double *yhat_va)
{
    gbr_cv *c = ctx;
    c->calls++;
    if (!c->prefix) {
        BoosterHandle h;
        double base;
        int rc = fit_booster(&c->grid[g], c->grid[g].trees, c->o->seed, c->o->threads, xtr, ntr, p, ytr, &h,
                             &base);
        if (rc == JC_OK) {
            rc = predict_rows(h, 0, xva, nva, p, yhat_va);
            XGBoosterFree(h);
        }
        return rc;
    }
    /* jc_cv_grid_search walks the grid point by point within a fold, so the
     * cache serves g when the calls since it was filled match the steps
     * through the grid (a new fold restarts at g = 0 and misses). */
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

int jc_gbr_cv(const jc_gbr_params *grid, size_t ngrid, int prefix, const jc_regressor_opts *o,
              const double *x, size_t n, size_t p, const double *y, size_t *best, double *mse)
{
    gbr_cv c = {.grid = grid, .ngrid = ngrid, .prefix = prefix, .o = o};
    int rc = jc_cv_grid_search(&c, ngrid, cv_fit, x, n, p, y, o->cv_folds, o->seed, best, mse);
    free(c.cache);
    return rc;
}

/* ---- the regressor ---- */

typedef struct {
    BoosterHandle booster; /* NULL until fitted */
    jc_gbr_params par;
    double base_score;
    double cv_mse;         /* of the chosen point; NAN when nothing was searched */
    size_t grid_points;
    int chosen;            /* full-grid index used, -1 for the quick setting */
} gbr_state;

static void *gbr_create(const jc_regressor_opts *o)
{
    (void)o;
    gbr_state *s = calloc(1, sizeof *s);
    if (s) {
        s->cv_mse = NAN;
        s->chosen = -1;
    }
    return s;
}

static void gbr_destroy(void *state)
{
    gbr_state *s = state;
    if (s->booster)
        XGBoosterFree(s->booster);
    free(s);
}

static int gbr_fit(void *state, const jc_regressor_opts *o, const double *x, size_t n, size_t p,
                   const double *y)
{
    gbr_state *s = state;
    if (s->booster) {
        XGBoosterFree(s->booster);
        s->booster = NULL;
    }
    jc_gbr_params grid[JC_GBR_FULL_GRID];
    size_t ngrid = 1, best = 0;
    double mse[JC_GBR_FULL_GRID];
    s->cv_mse = NAN;
    s->chosen = -1;
    if (o->grid_point >= 0) {
        /* a point chosen by an earlier search: no search now */
        ngrid = jc_gbr_full_grid(grid);
        if ((size_t)o->grid_point >= ngrid)
            return jc_fail(JC_ERR_INVALID, "gbr: grid point %d: the grid has %zu", o->grid_point, ngrid);
        best = (size_t)o->grid_point;
        s->chosen = o->grid_point;
    } else if (o->full_grid) {
        ngrid = jc_gbr_full_grid(grid);
        int rc = jc_gbr_cv(grid, ngrid, 1, o, x, n, p, y, &best, mse);
        if (rc != JC_OK)
            return rc;
        s->cv_mse = mse[best];
        s->chosen = (int)best;
    } else {
        grid[0] = quick_params;
    }
    s->par = grid[best];
    s->grid_points = ngrid;
    return fit_booster(&s->par, s->par.trees, o->seed, o->threads, x, n, p, y, &s->booster, &s->base_score);
}

static int gbr_predict(const void *state, const double *x, size_t n, size_t p, double *yhat)
{
    const gbr_state *s = state;
    return predict_rows(s->booster, 0, x, n, p, yhat);
}

static char *gbr_describe(const void *state)
{
    const gbr_state *s = state;
    char search[96] = "no grid search";
    if (isfinite(s->cv_mse))
        snprintf(search, sizeof search, "CV MSE %.6g, best of %zu grid points", s->cv_mse, s->grid_points);
    char buf[256];
    snprintf(buf, sizeof buf, "gbr: learning_rate %g, %d trees, max_depth %d, subsample %g, base_score %.6g; %s",
             s->par.learning_rate, s->par.trees, s->par.max_depth, s->par.subsample, s->base_score, search);
    return jc_strdup(buf);
}

/* ---- base64 (RFC 4648, with padding) for the booster's bytes ---- */

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64_encode(const unsigned char *in, size_t len)
{
    char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len) v |= in[i + 2];
        *o++ = b64_alphabet[v >> 18 & 63];
        *o++ = b64_alphabet[v >> 12 & 63];
        *o++ = i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=';
        *o++ = i + 2 < len ? b64_alphabet[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

static int b64_value(char ch)
{
    const char *at = ch ? strchr(b64_alphabet, ch) : NULL;
    return at ? (int)(at - b64_alphabet) : -1;
}

/* Decode text (length a multiple of 4, '=' only at the end); NULL when it
 * is not base64. */
static unsigned char *base64_decode(const char *text, size_t *len)
{
    size_t n = strlen(text);
    if (n == 0 || n % 4)
        return NULL;
    size_t pad = (text[n - 1] == '=') + (text[n - 2] == '=');
    unsigned char *out = malloc(n / 4 * 3);
    if (!out)
        return NULL;
    for (size_t i = 0, o = 0; i < n; i += 4) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            int d = (i + k >= n - pad) ? 0 : b64_value(text[i + k]);
            if (d < 0) {
                free(out);
                return NULL;
            }
            v = v << 6 | (uint32_t)d;
        }
        out[o++] = (unsigned char)(v >> 16);
        out[o++] = (unsigned char)(v >> 8);
        out[o++] = (unsigned char)v;
    }
    *len = n / 4 * 3 - pad;
    return out;
}

/* ---- save / load ---- */

static json_t *gbr_save(const void *state)
{
    const gbr_state *s = state;
    bst_ulong len;
    const char *bytes;
    if (XGBoosterSaveModelToBuffer(s->booster, "{\"format\": \"ubj\"}", &len, &bytes) != 0) {
        xgb_fail("save");
        return NULL;
    }
    /* deflated first: a booster's UBJ is mostly repeated keys and node
     * statistics, and shrinks about 5x, which keeps model files with
     * bootstrap ensembles small enough to ship */
    uLongf zlen = compressBound((uLong)len);
    unsigned char *z = malloc(zlen);
    if (!z || compress2(z, &zlen, (const Bytef *)bytes, (uLong)len, 9) != Z_OK) {
        free(z);
        jc_fail(JC_ERR_NOMEM, "gbr: cannot compress the booster");
        return NULL;
    }
    char *text = base64_encode(z, (size_t)zlen);
    free(z);
    if (!text)
        return NULL;
    json_t *j = json_pack("{s:f, s:i, s:i, s:f, s:f, s:o, s:I, s:I, s:s}", "learning_rate", s->par.learning_rate,
                          "trees", s->par.trees, "max_depth", s->par.max_depth, "subsample", s->par.subsample,
                          "base_score", s->base_score, "cv_mse",
                          isfinite(s->cv_mse) ? json_real(s->cv_mse) : json_null(), "grid_points",
                          (json_int_t)s->grid_points, "ubj_bytes", (json_int_t)len, "xgboost_ubj_zlib_base64", text);
    free(text);
    return j;
}

/* Rebuild the booster from its bytes and check that it is the model the
 * envelope describes (features, rounds). */
static int load_booster(const char *text, size_t ubj_bytes, size_t p, int trees, BoosterHandle *out)
{
    *out = NULL;
    size_t len;
    unsigned char *bytes = base64_decode(text, &len);
    if (!bytes)
        return jc_fail(JC_ERR_PARSE, "gbr model: the booster is not base64");
    if (ubj_bytes) {
        /* deflated (see gbr_save) */
        unsigned char *raw = malloc(ubj_bytes);
        uLongf rlen = (uLongf)ubj_bytes;
        int zrc = raw ? uncompress(raw, &rlen, bytes, (uLong)len) : Z_MEM_ERROR;
        free(bytes);
        if (zrc != Z_OK || rlen != (uLongf)ubj_bytes) {
            free(raw);
            return jc_fail(JC_ERR_PARSE, "gbr model: the booster's compressed bytes are damaged");
        }
        bytes = raw;
        len = ubj_bytes;
    }
    xgb_quiet();
    int rc = JC_OK;
    if (XGBoosterCreate(NULL, 0, out) != 0)
        rc = xgb_fail("create");
    else if (XGBoosterLoadModelFromBuffer(*out, bytes, (bst_ulong)len) != 0)
        rc = jc_fail(JC_ERR_PARSE, "gbr model: XGBoost cannot read the booster: %s", XGBGetLastError());
    free(bytes);
    bst_ulong nf = 0;
    int rounds = 0;
    if (rc == JC_OK && (XGBoosterGetNumFeature(*out, &nf) != 0 || XGBoosterBoostedRounds(*out, &rounds) != 0))
        rc = xgb_fail("model info");
    if (rc == JC_OK && (nf != (bst_ulong)p || rounds != trees))
        rc = jc_fail(JC_ERR_PARSE, "gbr model: the booster has %llu features and %d trees, the model says %zu and %d",
                     (unsigned long long)nf, rounds, p, trees);
    if (rc != JC_OK && *out) {
        XGBoosterFree(*out);
        *out = NULL;
    }
    return rc;
}

static int gbr_load(const json_t *j, size_t p, void **state)
{
    *state = NULL;
    gbr_state *s = gbr_create(NULL);
    if (!s)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    json_t *cv = NULL;
    json_int_t points = 0, ubj = 0;
    int rc = JC_OK;
    /* the booster: deflated (written since) or plain (older files) */
    const char *ztext = json_string_value(json_object_get(j, "xgboost_ubj_zlib_base64"));
    const char *text = ztext ? ztext : json_string_value(json_object_get(j, "xgboost_ubj_base64"));
    if (json_unpack((json_t *)j, "{s:F, s:i, s:i, s:F, s:F, s?o, s?I, s?I}", "learning_rate",
                    &s->par.learning_rate, "trees", &s->par.trees, "max_depth", &s->par.max_depth,
                    "subsample", &s->par.subsample, "base_score", &s->base_score, "cv_mse", &cv,
                    "grid_points", &points, "ubj_bytes", &ubj) != 0 ||
        s->par.trees < 1 || !text || (ztext && ubj <= 0))
        rc = jc_fail(JC_ERR_PARSE, "gbr model: expected learning_rate, trees >= 1, max_depth, subsample, "
                                   "base_score and the booster (xgboost_ubj_zlib_base64 with ubj_bytes)");
    if (rc == JC_OK) {
        s->cv_mse = json_is_number(cv) ? json_number_value(cv) : NAN;
        s->grid_points = points > 0 ? (size_t)points : 1;
        rc = load_booster(text, ztext ? (size_t)ubj : 0, p, s->par.trees, &s->booster);
    }
    if (rc != JC_OK) {
        gbr_destroy(s);
        return rc;
    }
    *state = s;
    return JC_OK;
}

static int gbr_grid_choice(const void *state)
{
    return ((gbr_state *)state)->chosen;
}

const jc_regressor_ops jc_gbr_ops = {
    "gbr", gbr_create, gbr_destroy, gbr_fit, gbr_predict, gbr_describe, gbr_save, gbr_load,
    gbr_grid_choice,
};
