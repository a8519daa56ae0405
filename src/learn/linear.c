/* learn/linear.c: the linear baselines of the first seed (section 4.4.3),
 * computed as scikit-learn computes them:
 *   ols    LinearRegression: least squares through LAPACK's dgelsd on centred
 *          data, so rank-deficient inputs get the minimum-norm answer;
 *   ridge  Ridge: ||y - Xw - b||^2 + alpha ||w||^2, from the SVD of the centred
 *          data (the intercept is left unpenalised by the centring);
 *   lasso  Lasso: ||y - Xw - b||^2 / (2n) + alpha ||w||_1, cyclic coordinate
 *          descent stopped by the duality gap.
 * Ridge and lasso pick alpha by k-fold CV (jc_cv_grid_search) over the seed's
 * grid unless given one, then refit on every row with the chosen alpha. */
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/regressor.h"

typedef enum { LIN_OLS, LIN_RIDGE, LIN_LASSO } lin_kind;

static const char *const kind_names[] = {"ols", "ridge", "lasso"};

/* The seed's grid (section 4.4.3). */
static const double default_alphas[] = {1e-4, 1e-3, 1e-2, 0.1, 1, 10};

/* Lasso stops when the largest coefficient step is below LASSO_TOL of the
 * largest coefficient and the duality gap below LASSO_TOL of ||y - mean||^2:
 * scikit-learn's rule, run far tighter than its default 1e-4 so that the
 * answer is the optimum to ~1e-8 and matches scikit-learn run with
 * tol=1e-10. The sweep limit is set by work rather than count (about 1e9
 * multiply-adds, a second or so, and at most 1e6 sweeps): small problems may
 * need tens of thousands of sweeps, large ones cannot afford them. */
#define LASSO_TOL 1e-12
#define LASSO_WORK 1e9
#define LASSO_MIN_SWEEPS 1000
#define LASSO_MAX_SWEEPS 1000000
#define LASSO_CHECK 16

typedef struct {
    lin_kind kind;
    size_t p;
    double alpha;      /* the alpha used (ridge, lasso) */
    double intercept;
    double *coef;      /* p */
    /* the search that chose alpha (ngrid 0: none, a single alpha) */
    size_t ngrid;
    int folds;
    double *grid, *cv_mse;
    int chosen;        /* grid index used (chosen or given), -1: none */
} lin_state;

/* ---- the solvers, on centred data ---- */

/* Centred copies: xc column-major (LAPACK's layout, and the coordinate
 * descent's), yc, and the means the intercept is made from. */
static void centre(const double *x, size_t n, size_t p, const double *y, double *xc, double *yc, double *xmean,
                   double *ymean)
{
    for (size_t j = 0; j < p; j++) {
        double m = 0;
        for (size_t i = 0; i < n; i++)
            m += x[i * p + j];
        m /= (double)n;
        xmean[j] = m;
        for (size_t i = 0; i < n; i++)
            xc[j * n + i] = x[i * p + j] - m;
    }
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m += y[i];
    m /= (double)n;
    *ymean = m;
    for (size_t i = 0; i < n; i++)
        yc[i] = y[i] - m;
}

/* Minimum-norm least squares by dgelsd, with scipy.linalg.lstsq's cutoff:
 * singular values below machine epsilon times the largest count as zero. */
static int solve_ols(double *xc, size_t n, size_t p, const double *yc, double *coef)
{
    size_t ldb = n > p ? n : p, mn = n < p ? n : p;
    double *b = calloc(ldb, sizeof *b), *s = malloc(mn * sizeof *s);
    if (!b || !s) {
        free(b);
        free(s);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    memcpy(b, yc, n * sizeof *b);
    lapack_int rank;
    lapack_int info = LAPACKE_dgelsd(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)p, 1, xc, (lapack_int)n, b,
                                     (lapack_int)ldb, s, DBL_EPSILON, &rank);
    if (info == 0)
        memcpy(coef, b, p * sizeof *coef);
    free(b);
    free(s);
    if (info != 0)
        return jc_fail(JC_ERR_INTERNAL, "ols: LAPACK dgelsd failed (info %d)", (int)info);
    return JC_OK;
}

/* Ridge through the thin SVD X = U S V^T: w = V diag(s / (s^2 + alpha)) U^T y.
 * One factorisation, stable when X^T X is near singular, and the same
 * formula whether there are more rows or more columns. */
static int solve_ridge(double *xc, size_t n, size_t p, const double *yc, double alpha, double *coef)
{
    if (alpha == 0)
        return solve_ols(xc, n, p, yc, coef);
    size_t mn = n < p ? n : p;
    double *s = malloc(mn * sizeof *s), *u = malloc(n * mn * sizeof *u), *vt = malloc(mn * p * sizeof *vt);
    double *uty = malloc(mn * sizeof *uty);
    int rc = JC_OK;
    if (!s || !u || !vt || !uty) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    lapack_int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', (lapack_int)n, (lapack_int)p, xc, (lapack_int)n, s, u,
                                     (lapack_int)n, vt, (lapack_int)mn);
    if (info != 0) {
        rc = jc_fail(JC_ERR_INTERNAL, "ridge: LAPACK dgesdd failed (info %d)", (int)info);
        goto done;
    }
    for (size_t k = 0; k < mn; k++) {
        double d = 0;
        for (size_t i = 0; i < n; i++)
            d += u[k * n + i] * yc[i];
        uty[k] = d * s[k] / (s[k] * s[k] + alpha);
    }
    for (size_t j = 0; j < p; j++) {
        double w = 0;
        for (size_t k = 0; k < mn; k++)
            w += vt[j * mn + k] * uty[k];
        coef[j] = w;
    }
done:
    free(s);
    free(u);
    free(vt);
    free(uty);
    return rc;
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* The lasso's duality gap, in the n-scaled form the descent works in:
 * primal 0.5 ||r||^2 + l1 ||w||_1; the dual point theta = s r, with s the
 * largest scale keeping ||X^T theta||_inf <= l1, is worth
 * s y.r - 0.5 s^2 ||r||^2. */
static double lasso_gap(const double *xc, size_t n, size_t p, const double *yc, const double *r, const double *w,
                        double l1)
{
    double dual_norm = 0, w1 = 0;
    for (size_t j = 0; j < p; j++) {
        double g = fabs(dot(xc + j * n, r, n));
        if (g > dual_norm)
            dual_norm = g;
        w1 += fabs(w[j]);
    }
    double rr = dot(r, r, n), ry = dot(r, yc, n);
    double s = dual_norm > l1 ? l1 / dual_norm : 1.0;
    return 0.5 * rr * (1 + s * s) + l1 * w1 - s * ry;
}

/* r = yc - X w, afresh (the descent keeps r by updates, which drift). */
static void residual(const double *xc, size_t n, size_t p, const double *yc, const double *w, double *r)
{
    memcpy(r, yc, n * sizeof *r);
    for (size_t j = 0; j < p; j++)
        if (w[j] != 0)
            for (size_t i = 0; i < n; i++)
                r[i] -= xc[j * n + i] * w[j];
}

/* Coordinate descent crawls when active columns are strongly correlated.
 * Once it has the right active set and signs, the optimum solves
 * X_A^T X_A w_A = X_A^T y - l1 sign(w_A) exactly; try that, and keep it only
 * if the signs hold and its duality gap is within tolerance (then it is the
 * optimum, whatever the descent would have reached). Returns 1 if kept. */
static int lasso_polish(const double *xc, size_t n, size_t p, const double *yc, double l1, double gap_tol,
                        double *w, double *r, double *gap)
{
    size_t m = 0;
    for (size_t j = 0; j < p; j++)
        m += w[j] != 0;
    if (m == 0)
        return 0;
    size_t *act = malloc(m * sizeof *act);
    double *g = malloc(m * m * sizeof *g), *b = malloc(m * sizeof *b), *sv = malloc(m * sizeof *sv);
    double *wt = malloc(p * sizeof *wt), *rt = malloc(n * sizeof *rt);
    int kept = 0;
    if (!act || !g || !b || !sv || !wt || !rt)
        goto done; /* polishing is an optimisation: without memory, descend on */
    m = 0;
    for (size_t j = 0; j < p; j++)
        if (w[j] != 0)
            act[m++] = j;
    for (size_t a = 0; a < m; a++) {
        const double *xa = xc + act[a] * n;
        for (size_t c = a; c < m; c++)
            g[c * m + a] = g[a * m + c] = dot(xa, xc + act[c] * n, n);
        b[a] = dot(xa, yc, n) - copysign(l1, w[act[a]]);
    }
    /* least squares with a cutoff rather than Cholesky: proportional columns
     * (epochs and images seen, say) make the system singular yet consistent,
     * and any split of their weight is an optimum */
    lapack_int rank;
    if (LAPACKE_dgelsd(LAPACK_COL_MAJOR, (lapack_int)m, (lapack_int)m, 1, g, (lapack_int)m, b, (lapack_int)m, sv,
                       1e-13, &rank) != 0)
        goto done;
    memset(wt, 0, p * sizeof *wt);
    for (size_t a = 0; a < m; a++) {
        if (!(b[a] * w[act[a]] > 0))
            goto done; /* a sign flipped: not yet the right active set */
        wt[act[a]] = b[a];
    }
    residual(xc, n, p, yc, wt, rt);
    double gt = lasso_gap(xc, n, p, yc, rt, wt, l1);
    if (gt <= gap_tol) {
        memcpy(w, wt, p * sizeof *w);
        memcpy(r, rt, n * sizeof *r);
        *gap = gt;
        kept = 1;
    }
done:
    free(act);
    free(g);
    free(b);
    free(sv);
    free(wt);
    free(rt);
    return kept;
}

/* Cyclic coordinate descent from w = 0, as scikit-learn's cd_fast: each
 * coordinate is soft-thresholded against the current residual; after a
 * sweep whose largest step is small relative to the largest coefficient
 * (and every LASSO_CHECK sweeps, with a try at polishing), the duality gap
 * decides. */
static int solve_lasso(const double *xc, size_t n, size_t p, const double *yc, double alpha, double *w)
{
    double *r = malloc(n * sizeof *r), *norm2 = malloc(p * sizeof *norm2);
    if (!r || !norm2) {
        free(r);
        free(norm2);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    memcpy(r, yc, n * sizeof *r);
    for (size_t j = 0; j < p; j++) {
        w[j] = 0;
        norm2[j] = dot(xc + j * n, xc + j * n, n);
    }
    double l1 = alpha * (double)n;
    double gap_tol = LASSO_TOL * dot(yc, yc, n);
    double gap = INFINITY;
    double budget = LASSO_WORK / ((double)n * (double)p);
    long max_sweeps = budget > LASSO_MAX_SWEEPS ? LASSO_MAX_SWEEPS
                      : budget < LASSO_MIN_SWEEPS ? LASSO_MIN_SWEEPS
                                                  : (long)budget;
    long sweep;
    for (sweep = 0; sweep < max_sweeps; sweep++) {
        double w_max = 0, step_max = 0;
        for (size_t j = 0; j < p; j++) {
            if (norm2[j] == 0)
                continue; /* a constant column stays at 0 */
            const double *xj = xc + j * n;
            double old = w[j];
            /* rho = x_j . (r + x_j w_j): the fit without coordinate j */
            double rho = dot(xj, r, n) + norm2[j] * old;
            double shrunk = fabs(rho) > l1 ? copysign(fabs(rho) - l1, rho) : 0.0;
            double nw = shrunk / norm2[j];
            if (nw != old) {
                double delta = nw - old;
                for (size_t i = 0; i < n; i++)
                    r[i] -= xj[i] * delta;
                w[j] = nw;
            }
            double step = fabs(nw - old);
            if (step > step_max)
                step_max = step;
            if (fabs(nw) > w_max)
                w_max = fabs(nw);
        }
        int small_step = w_max == 0 || step_max / w_max < LASSO_TOL;
        if (small_step || sweep % LASSO_CHECK == LASSO_CHECK - 1 || sweep == max_sweeps - 1) {
            residual(xc, n, p, yc, w, r);
            gap = lasso_gap(xc, n, p, yc, r, w, l1);
            if (gap <= gap_tol || lasso_polish(xc, n, p, yc, l1, gap_tol, w, r, &gap))
                break;
        }
    }
    if (sweep >= max_sweeps)
        jc_warn("lasso: alpha %g did not converge in %ld sweeps (duality gap %.3g, wanted %.3g)", alpha,
                max_sweeps, gap, gap_tol);
    free(r);
    free(norm2);
    return JC_OK;
}

/* Fit one kind at one alpha: centre, solve, intercept = ymean - xmean . w. */
static int fit_at(lin_kind kind, double alpha, const double *x, size_t n, size_t p, const double *y, double *coef,
                  double *intercept)
{
    double *xc = malloc(n * p * sizeof *xc), *yc = malloc(n * sizeof *yc), *xmean = malloc(p * sizeof *xmean);
    double ymean;
    int rc;
    if (!xc || !yc || !xmean) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    centre(x, n, p, y, xc, yc, xmean, &ymean);
    rc = kind == LIN_OLS     ? solve_ols(xc, n, p, yc, coef)
         : kind == LIN_RIDGE ? solve_ridge(xc, n, p, yc, alpha, coef)
                             : solve_lasso(xc, n, p, yc, alpha, coef);
    if (rc == JC_OK) {
        double b = ymean;
        for (size_t j = 0; j < p; j++)
            b -= xmean[j] * coef[j];
        *intercept = b;
    }
done:
    free(xc);
    free(yc);
    free(xmean);
    return rc;
}

static void predict_rows(const double *coef, double intercept, const double *x, size_t n, size_t p, double *yhat)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < p; j++)
            s += x[i * p + j] * coef[j];
        yhat[i] = s + intercept;
    }
}

/* ---- the alpha search ---- */

typedef struct {
    lin_kind kind;
    const double *grid;
} cv_ctx;

static int cv_fit(void *vctx, size_t g, const double *xtr, size_t ntr, const double *ytr, const double *xva,
                  size_t nva, size_t p, double *yhat_va)
{
    const cv_ctx *ctx = vctx;
    double *coef = malloc(p * sizeof *coef), b = 0;
    if (!coef)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    int rc = fit_at(ctx->kind, ctx->grid[g], xtr, ntr, p, ytr, coef, &b);
    if (rc == JC_OK)
        predict_rows(coef, b, xva, nva, p, yhat_va);
    free(coef);
    return rc;
}

/* ---- the regressor interface ---- */

static void lin_clear(lin_state *s)
{
    free(s->coef);
    free(s->grid);
    free(s->cv_mse);
    s->coef = s->grid = s->cv_mse = NULL;
    s->p = s->ngrid = 0;
    s->chosen = -1;
}

static void *lin_create(lin_kind kind)
{
    lin_state *s = calloc(1, sizeof *s);
    if (s) {
        s->kind = kind;
        s->chosen = -1;
    }
    return s;
}

static void *ols_create(const jc_regressor_opts *o) { (void)o; return lin_create(LIN_OLS); }
static void *ridge_create(const jc_regressor_opts *o) { (void)o; return lin_create(LIN_RIDGE); }
static void *lasso_create(const jc_regressor_opts *o) { (void)o; return lin_create(LIN_LASSO); }

static void lin_destroy(void *state)
{
    lin_state *s = state;
    lin_clear(s);
    free(s);
}

static int check_grid(lin_kind kind, const double *grid, size_t ngrid)
{
    if (ngrid == 0)
        return jc_fail(JC_ERR_INVALID, "%s: empty alpha grid", kind_names[kind]);
    for (size_t g = 0; g < ngrid; g++)
        if (!isfinite(grid[g]) || grid[g] < 0)
            return jc_fail(JC_ERR_INVALID, "%s: alpha must be a finite number >= 0, got %g", kind_names[kind],
                           grid[g]);
    return JC_OK;
}

/* Choose alpha: the single one given, or the best by k-fold CV. */
static int choose_alpha(lin_state *s, const jc_regressor_opts *o, const double *x, size_t n, size_t p,
                        const double *y)
{
    const double *grid = o->alphas ? o->alphas : default_alphas;
    size_t ngrid = o->alphas ? o->nalphas : sizeof default_alphas / sizeof default_alphas[0];
    int rc = check_grid(s->kind, grid, ngrid);
    if (rc != JC_OK)
        return rc;
    if (ngrid == 1) {
        s->alpha = grid[0];
        return JC_OK;
    }
    if (o->grid_point >= 0) {
        /* chosen by an earlier search: no search now */
        if ((size_t)o->grid_point >= ngrid)
            return jc_fail(JC_ERR_INVALID, "grid point %d: the alpha grid has %zu", o->grid_point, ngrid);
        s->alpha = grid[o->grid_point];
        s->chosen = o->grid_point;
        return JC_OK;
    }
    s->grid = malloc(ngrid * sizeof *s->grid);
    s->cv_mse = malloc(ngrid * sizeof *s->cv_mse);
    if (!s->grid || !s->cv_mse)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    memcpy(s->grid, grid, ngrid * sizeof *grid);
    s->ngrid = ngrid;
    s->folds = o->cv_folds;
    cv_ctx ctx = {s->kind, grid};
    size_t best;
    rc = jc_cv_grid_search(&ctx, ngrid, cv_fit, x, n, p, y, o->cv_folds, o->seed, &best, s->cv_mse);
    if (rc != JC_OK)
        return rc;
    s->alpha = grid[best];
    s->chosen = (int)best;
    return JC_OK;
}

static int lin_grid_choice(const void *state)
{
    return ((const lin_state *)state)->chosen;
}

static int lin_fit(void *state, const jc_regressor_opts *o, const double *x, size_t n, size_t p, const double *y)
{
    lin_state *s = state;
    lin_clear(s);
    s->alpha = 0;
    int rc = s->kind == LIN_OLS ? JC_OK : choose_alpha(s, o, x, n, p, y);
    if (rc == JC_OK) {
        s->coef = malloc(p * sizeof *s->coef);
        if (!s->coef)
            rc = jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    if (rc == JC_OK)
        rc = fit_at(s->kind, s->alpha, x, n, p, y, s->coef, &s->intercept);
    if (rc != JC_OK) {
        lin_clear(s);
        return rc;
    }
    s->p = p;
    return JC_OK;
}

static int lin_predict(const void *state, const double *x, size_t n, size_t p, double *yhat)
{
    const lin_state *s = state;
    predict_rows(s->coef, s->intercept, x, n, p, yhat);
    return JC_OK;
}

/* Append text to a growing string; on failure the string is freed and NULL
 * comes back, which later appends pass along. */
static char *append(char *str, const char *text)
{
    if (!str)
        return NULL;
    size_t a = strlen(str), b = strlen(text);
    char *grown = realloc(str, a + b + 1);
    if (!grown) {
        free(str);
        return NULL;
    }
    memcpy(grown + a, text, b + 1);
    return grown;
}

static char *lin_describe(const void *state)
{
    const lin_state *s = state;
    char piece[160];
    if (s->kind == LIN_OLS)
        snprintf(piece, sizeof piece, "ols: intercept %.6g, coefficients [", s->intercept);
    else if (s->ngrid)
        snprintf(piece, sizeof piece, "%s: alpha %g (best of %zu by %d-fold CV), intercept %.6g, coefficients [",
                 kind_names[s->kind], s->alpha, s->ngrid, s->folds, s->intercept);
    else
        snprintf(piece, sizeof piece, "%s: alpha %g, intercept %.6g, coefficients [", kind_names[s->kind],
                 s->alpha, s->intercept);
    char *out = jc_strdup(piece);
    for (size_t j = 0; j < s->p; j++) {
        snprintf(piece, sizeof piece, j ? ", %.6g" : "%.6g", s->coef[j]);
        out = append(out, piece);
    }
    return append(out, "]");
}

/* A finite double as a JSON number; non-finite (a diverged CV fold) as null. */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *lin_save(const void *state)
{
    const lin_state *s = state;
    json_t *coef = json_array();
    for (size_t j = 0; coef && j < s->p; j++)
        json_array_append_new(coef, json_real(s->coef[j]));
    json_t *root = json_pack("{s:o, s:o}", "intercept", json_real(s->intercept), "coef", coef);
    if (!root)
        return NULL;
    if (s->kind != LIN_OLS)
        json_object_set_new(root, "alpha", json_real(s->alpha));
    if (s->ngrid) {
        json_t *g = json_array(), *m = json_array();
        for (size_t k = 0; k < s->ngrid; k++) {
            json_array_append_new(g, json_real(s->grid[k]));
            json_array_append_new(m, num(s->cv_mse[k]));
        }
        json_object_set_new(root, "cv_folds", json_integer(s->folds));
        json_object_set_new(root, "cv_alphas", g);
        json_object_set_new(root, "cv_mse", m);
    }
    return root;
}

/* A number read back: a JSON number, or null for a non-finite CV error. */
static int get_number(const json_t *v, int allow_null, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 1;
    }
    if (allow_null && json_is_null(v)) {
        *out = INFINITY;
        return 1;
    }
    return 0;
}

static int lin_load(lin_kind kind, const json_t *j, size_t p, void **state)
{
    *state = NULL;
    const char *name = kind_names[kind];
    lin_state *s = lin_create(kind);
    if (!s)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    const json_t *coef = json_object_get(j, "coef");
    int ok = get_number(json_object_get(j, "intercept"), 0, &s->intercept) && json_is_array(coef) &&
             json_array_size(coef) == p;
    if (ok && kind != LIN_OLS)
        ok = get_number(json_object_get(j, "alpha"), 0, &s->alpha);
    if (!ok) {
        lin_destroy(s);
        return jc_fail(JC_ERR_PARSE, "model: %s needs \"intercept\", \"coef\" (%zu numbers)%s", name, p,
                       kind != LIN_OLS ? " and \"alpha\"" : "");
    }
    s->coef = malloc(p * sizeof *s->coef);
    if (!s->coef) {
        lin_destroy(s);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    for (size_t k = 0; k < p; k++)
        if (!get_number(json_array_get(coef, k), 0, &s->coef[k])) {
            lin_destroy(s);
            return jc_fail(JC_ERR_PARSE, "model: %s coefficient %zu is not a number", name, k + 1);
        }
    /* the search record is optional: describe shows it when present */
    const json_t *g = json_object_get(j, "cv_alphas"), *m = json_object_get(j, "cv_mse");
    size_t ng = json_array_size(g);
    if (ng && json_array_size(m) == ng && json_is_integer(json_object_get(j, "cv_folds"))) {
        s->grid = malloc(ng * sizeof *s->grid);
        s->cv_mse = malloc(ng * sizeof *s->cv_mse);
        int good = s->grid && s->cv_mse;
        for (size_t k = 0; good && k < ng; k++)
            good = get_number(json_array_get(g, k), 0, &s->grid[k]) &&
                   get_number(json_array_get(m, k), 1, &s->cv_mse[k]);
        if (!good) {
            lin_destroy(s);
            return jc_fail(JC_ERR_PARSE, "model: %s \"cv_alphas\"/\"cv_mse\" must be numbers", name);
        }
        s->ngrid = ng;
        s->folds = (int)json_integer_value(json_object_get(j, "cv_folds"));
    }
    s->p = p;
    *state = s;
    return JC_OK;
}

static int ols_load(const json_t *j, size_t p, void **state) { return lin_load(LIN_OLS, j, p, state); }
static int ridge_load(const json_t *j, size_t p, void **state) { return lin_load(LIN_RIDGE, j, p, state); }
static int lasso_load(const json_t *j, size_t p, void **state) { return lin_load(LIN_LASSO, j, p, state); }

const jc_regressor_ops jc_ols_ops = {"ols", ols_create, lin_destroy, lin_fit, lin_predict,
                                     lin_describe, lin_save, ols_load, NULL};
const jc_regressor_ops jc_ridge_ops = {"ridge", ridge_create, lin_destroy, lin_fit, lin_predict,
                                       lin_describe, lin_save, ridge_load, lin_grid_choice};
const jc_regressor_ops jc_lasso_ops = {"lasso", lasso_create, lin_destroy, lin_fit, lin_predict,
                                       lin_describe, lin_save, lasso_load, lin_grid_choice};
