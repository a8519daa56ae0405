/* learn: from a table of runs to fitted, evaluated regressors (first seed,
 * section 4.4). Feature selection (Pearson, kNN mutual information), data
 * preparation (standardisation, seeded splits, k-fold), metrics, and every
 * model behind one regressor interface: OLS, ridge, lasso, gradient boosting
 * (XGBoost), MLP, and symbolic regression (the sr module).
 *
 * Matrices are row-major doubles, n rows (samples) x p columns (features).
 * Models see inputs as given: the evaluation harness standardises them. */
#ifndef JOULECAST_LEARN_H
#define JOULECAST_LEARN_H

#include <stddef.h>
#include <stdint.h>
#include "joulecast/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the regressor interface ---- */

typedef struct jc_regressor jc_regressor;

/* Options shared by every model kind; each kind reads the ones it uses and
 * ignores the rest. jc_regressor_opts_init fills the seed's defaults. */
typedef struct {
    uint64_t seed;          /* every random choice derives from it */
    int threads;            /* 0: the OpenMP default */
    int cv_folds;           /* k of the k-fold search over the grids (5) */
    int verbose;            /* 1: progress on stderr */
    /* ridge, lasso: the alpha grid (NULL: 1e-4, 1e-3, 1e-2, 0.1, 1, 10) */
    const double *alphas;
    size_t nalphas;
    /* mlp: upper bound on epochs (200), early-stopping patience (20) */
    int max_epochs;
    int patience;
    /* gbr, mlp: 1 = search the full grid by k-fold CV (the seed's setting),
     * 0 = use the first grid point only (fast, for tests and quick looks) */
    int full_grid;
    /* sr: population size and generations (0: the seed's 15000 and 50) */
    int sr_population;
    int sr_generations;
    double sr_p_crossover;  /* 0: the seed's 0.7 (mutation probabilities keep theirs) */
    /* Models with a hyper-parameter grid (ridge, lasso, gbr, mlp): -1 (the
     * default) searches it as full_grid says; k >= 0 uses grid point k of
     * the full grid without searching (what jc_regressor_grid_choice
     * reported for an earlier fit). */
    int grid_point;
} jc_regressor_opts;

void jc_regressor_opts_init(jc_regressor_opts *o);

/* kind: "ols", "ridge", "lasso", "gbr", "mlp" or "sr". An unknown kind is
 * JC_ERR_INVALID with the list of kinds in jc_last_error(). */
int jc_regressor_new(const char *kind, const jc_regressor_opts *o, jc_regressor **out);
/* Names of all kinds, NULL-terminated. */
const char *const *jc_regressor_kinds(void);
const char *jc_regressor_kind(const jc_regressor *r);

/* Fit on x (n x p) and y (n). Rows with a non-finite value are an error.
 * Refitting replaces the previous fit. */
int jc_regressor_fit(jc_regressor *r, const double *x, size_t n, size_t p, const double *y);
/* Predict n rows of x (n x p, p as fitted) into yhat (n). */
int jc_regressor_predict(const jc_regressor *r, const double *x, size_t n, double *yhat);
/* The full-grid point the last fit used (chosen by its search, or given by
 * grid_point); -1 for kinds without a grid and for the quick setting. */
int jc_regressor_grid_choice(const jc_regressor *r);
/* Number of features the fit saw (0 before fitting). */
size_t jc_regressor_nfeatures(const jc_regressor *r);
/* A one-line human description of the fit: chosen hyper-parameters and
 * coefficients or formula. Caller frees. */
char *jc_regressor_describe(const jc_regressor *r);

/* The fitted model as JSON text ({"kind": ..., ...}; caller frees) and back.
 * Predictions after a round trip are bit-identical. */
int jc_regressor_to_json(const jc_regressor *r, char **json_text);
int jc_regressor_from_json(const char *json_text, jc_regressor **out);
void jc_regressor_free(jc_regressor *r);

/* ---- data preparation ---- */

/* Standardisation as scikit-learn's StandardScaler: mean and population
 * standard deviation (ddof 0) per column; a constant column gets scale 1. */
typedef struct {
    size_t p;
    double *mean, *scale;
} jc_scaler;

int jc_scaler_fit(jc_scaler *s, const double *x, size_t n, size_t p);
void jc_scaler_transform(const jc_scaler *s, double *x, size_t n);   /* in place */
void jc_scaler_free(jc_scaler *s);

/* A seeded uniform permutation of 0..n-1 (Fisher-Yates on jc_rng). */
void jc_permutation(size_t n, uint64_t seed, size_t *perm);
/* Fold f (0-based) of k contiguous folds over n items, as scikit-learn's
 * KFold: the first n % k folds hold one item more. [*begin, *end). */
void jc_kfold_range(size_t n, int k, int f, size_t *begin, size_t *end);
/* out (m x p) = rows idx[0..m) of x (n x p). */
void jc_take_rows(const double *x, size_t p, const size_t *idx, size_t m, double *out);

/* k-fold grid search. fn fits grid point g on the training rows and predicts
 * the validation rows into yhat_va; returns JC_OK or an error. The rows are
 * shuffled once with `seed`, then split into k folds; every grid point sees
 * the same folds. *best is the grid point with the least mean validation MSE
 * (the first on ties); mse_out (ngrid, may be NULL) gets every point's mean. */
typedef int (*jc_cv_fit_fn)(void *ctx, size_t g,
                            const double *xtr, size_t ntr, const double *ytr,
                            const double *xva, size_t nva, size_t p, double *yhat_va);
int jc_cv_grid_search(void *ctx, size_t ngrid, jc_cv_fit_fn fn,
                      const double *x, size_t n, size_t p, const double *y,
                      int k, uint64_t seed, size_t *best, double *mse_out);

/* ---- metrics ---- */

double jc_metric_mse(const double *y, const double *yhat, size_t n);
/* Mean relative error, mean |y - yhat| / |y| (the seed's MRE); rows with
 * y == 0 are left out. */
double jc_metric_mre(const double *y, const double *yhat, size_t n);
/* Coefficient of determination; 0 when y is constant. */
double jc_metric_r2(const double *y, const double *yhat, size_t n);

/* ---- feature selection (first seed, section 4.4.2 and Table 2) ---- */

/* Regularised incomplete beta function I_x(a, b) (a, b > 0, 0 <= x <= 1;
 * NaN otherwise), by its continued fraction; relative accuracy ~1e-14. */
double jc_beta_inc(double a, double b, double x);

/* Pearson's r of x and y (n values) and its two-sided p-value, as
 * scipy.stats.pearsonr: p = 2 P(|R| >= |r|) with R ~ Beta(n/2-1, n/2-1) on
 * (-1, 1). A constant x or y, or n < 2, gives NaN for both; n == 2 gives
 * r = +-1 and p = 1. */
void jc_pearson(const double *x, const double *y, size_t n, double *r, double *p_value);

/* Mutual information options. */
typedef struct {
    int k;                         /* neighbours (5, the seed's; sklearn's default is 3) */
    uint32_t seed;                 /* the noise, as sklearn's random_state (42, the seed's) */
    const unsigned char *discrete; /* p flags: 1 = discrete feature; NULL: none */
} jc_mi_opts;

void jc_mi_opts_init(jc_mi_opts *o);

/* Mutual information in nats between each column of x (n x p) and the
 * continuous target y, as scikit-learn's mutual_info_regression(x, y,
 * discrete_features=..., n_neighbors=k, random_state=seed): Kraskov et al.
 * (2004) for a continuous feature, Ross (2014) for a discrete one; continuous
 * columns scaled to unit variance with 1e-10-scale noise from numpy's
 * RandomState(seed) stream; negative estimates clipped to 0. A row where
 * x_j or y is not finite is left out of feature j's estimate (with none
 * left out the result is scikit-learn's to rounding). mi[j] is NaN when a
 * continuous feature keeps k rows or fewer, or a discrete one keeps none. */
int jc_mutual_info(const double *x, size_t n, size_t p, const double *y, const jc_mi_opts *o, double *mi);

/* Which score must be above the threshold for a feature to be selected. The
 * seed ranks both and keeps "those larger than 0.3"; its Table 2 cannot tell
 * "either" from "both" (the two agree on every feature), so either is the
 * default: Pearson sees linear relations, MI non-linear ones. */
typedef enum {
    JC_SELECT_EITHER = 0, /* |r| > threshold or MI > threshold */
    JC_SELECT_BOTH,       /* |r| > threshold and MI > threshold */
    JC_SELECT_PEARSON,    /* |r| > threshold */
    JC_SELECT_MI          /* MI > threshold */
} jc_select_rule;

const char *jc_select_rule_name(jc_select_rule rule);
/* "either|both|pearson|mi" -> the rule, -1 if unknown. */
int jc_select_rule_parse(const char *name);

typedef struct {
    double threshold;          /* 0.3, the seed's */
    jc_select_rule rule;       /* JC_SELECT_EITHER */
    jc_mi_opts mi;             /* k, seed, discrete features */
    const unsigned char *log;  /* p flags: score log(x_j) instead (NULL: none) */
    int log_target;            /* 1: score against log(y) */
} jc_select_opts;

void jc_select_opts_init(jc_select_opts *o);

/* One feature's scores: what a row of the seed's Table 2 shows. */
typedef struct {
    size_t n;        /* rows used: x_j and y both finite */
    double r;        /* Pearson's r (NaN: undefined) */
    double p_value;  /* its two-sided p-value */
    double mi;       /* mutual information, nats */
    int selected;    /* passes the rule */
} jc_feature_score;

/* Score every column of x (n x p, non-finite = missing) against y and apply
 * the rule; out has p entries. A log-transformed column (or target) holding
 * a value <= 0 is JC_ERR_INVALID. */
int jc_select_features(const double *x, size_t n, size_t p, const double *y, const jc_select_opts *o,
                       jc_feature_score *out);

/* ---- evaluation: repeated random splits (the seed's Tables 3 and 4) ---- */

typedef struct {
    int repeats;               /* 20 */
    double train, valid, test; /* proportions, 8:1:1 */
    uint64_t seed;
    jc_regressor_opts model;   /* every model's options; the seed is set per repeat */
    /* Transfer (Table 4): fixed row sets (n flags each) instead of random
     * splits; repeats then differ only in the models' seeds. NULL: random. */
    const unsigned char *train_rows, *test_rows;
    /* 0 (default): a model's hyper-parameters are searched on the first
     * repeat's fitting rows and that grid point is used for every later
     * repeat (the seed tunes once per target); 1: searched again in every
     * repeat (nested, strict, costly). */
    int tune_every_repeat;
    /* Targets fitted as ln(y) (n flags per target, NULL: none); the
     * predictions are exp()'d before scoring. */
    const unsigned char *log_targets;
    /* Called after each fit: done of total fits, and what was fitted. */
    void (*progress)(void *ctx, size_t done, size_t total, const char *target, const char *model);
    void *progress_ctx;
} jc_eval_opts;

void jc_eval_opts_init(jc_eval_opts *o);

typedef struct {
    size_t repeats;            /* repeats that ran (all, unless a fit failed) */
    double *mse, *mre, *r2;    /* per repeat, on the test rows */
    double mse_mean, mse_std, mre_mean, mre_std, r2_mean, r2_std;  /* std: population (ddof 0) */
    double seconds;            /* fitting and predicting, all repeats */
    char *error;               /* why a fit failed (the cell then holds fewer repeats), or NULL */
    int grid_point;            /* the tuned grid point (-1: none); the last repeat's when tuning each */
} jc_eval_cell;

typedef struct {
    size_t ntargets, nmodels;
    char **targets, **models;
    jc_eval_cell *cells;       /* [target * nmodels + model] */
    size_t *ntrain, *ntest;    /* rows per target (a target's missing values drop rows) */
} jc_eval_result;

/* Evaluate every model on every target: per repeat, shuffle the rows that
 * have the target, split train/validation/test, standardise the features on
 * train+validation, fit each model on train+validation (models choose their
 * hyper-parameters inside it: k-fold CV or early stopping), score on test.
 * x: n x p, finite. y: n x ntargets row-major, NaN where missing. */
int jc_evaluate(const double *x, size_t n, size_t p, const double *y, size_t ntargets,
                const char *const *target_names, const char *const *models, size_t nmodels,
                const jc_eval_opts *o, jc_eval_result *out);
void jc_eval_result_free(jc_eval_result *r);

/* Input-perturbation importance of each feature for a fitted model: the
 * mean increase of the MSE on (x, y) when feature j is shuffled (repeats
 * times, seeded), and each feature's share of the total increase.
 * increase and share: p each. */
int jc_importance(const jc_regressor *r, const double *x, size_t n, size_t p, const double *y, int repeats,
                  uint64_t seed, double *increase, double *share);
/* The same for any predictor (x: n x p in the predictor's own inputs). */
typedef int (*jc_predict_fn)(const void *model, const double *x, size_t n, double *yhat);
int jc_importance_with(jc_predict_fn predict, const void *model, const double *x, size_t n, size_t p,
                       const double *y, int repeats, uint64_t seed, double *increase, double *share);

/* ---- the runs dataset (docs/formats.md, "Runs dataset") ----
 * One row per training run: what the run was (network, its size, data, batch,
 * GPUs) and what it drew (the square wave, energy, time), in the columns
 * jc_runs_columns lists. Built from `joulecast record` folders, or imported
 * from published measurements (Zeus, seaa2023). Empty cells where a source
 * has no value. Unknown architectures are a warning (params and flops stay
 * empty), never an error; damaged input is an error naming FILE:LINE[:COL]. */
#include "joulecast/table.h"

/* The column names, in file order, NULL-terminated. */
const char *const *jc_runs_columns(void);

typedef struct {
    /* zeus: the GPU name for every row (NULL: from each file's name) */
    const char *gpu_model;
    /* Called after each trace is analysed (may be NULL). */
    void (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
} jc_runs_opts;

/* Folders written by `joulecast record` (trace.csv + run.json; meta keys in
 * docs/formats.md): one row each. o may be NULL. */
int jc_runs_build(const char *const *run_dirs, size_t n, const jc_runs_opts *o, jc_table **out);
/* Zeus summary_power_<gpu>.csv files: one row per (dataset, network, batch
 * size, optimizer, power limit). */
int jc_runs_import_zeus(const char *const *paths, size_t n, const jc_runs_opts *o, jc_table **out);
/* The seaa2023 per-run table; traces_dir (may be NULL) adds the square-wave
 * targets of the Cloud runs from their nvidia-smi traces. */
int jc_runs_import_seaa(const char *table_path, const char *traces_dir, const jc_runs_opts *o, jc_table **out);

/* ---- the model file (`joulecast fit`; what the forecast reads) ----
 * One fitted regressor per target, each with its own features (names, which
 * are log-transformed), the scaler fitted on its training rows, the range of
 * every feature seen in training (so that a prediction outside it can be
 * flagged), training metrics, and how it was trained. docs/formats.md. */

typedef struct {
    char *name;              /* the target column */
    size_t p;
    char **features;
    unsigned char *log;      /* per feature: 1 = natural log before scaling */
    double *min, *max;       /* per feature, raw units, over the training rows */
    jc_scaler scaler;
    jc_regressor *reg;
    size_t rows;             /* training rows */
    double train_mse, train_mre, train_r2;
    /* Bootstrap ensemble for prediction intervals (0 members: none): the
     * same kind refitted on resamples of the training rows, same scaler. */
    size_t nmembers;
    jc_regressor **members;
    /* What the training rows covered besides numeric ranges: GPU models
     * and architectures seen (from the gpu_model and arch columns). */
    size_t ngpus_seen, narchs_seen;
    char **gpus_seen, **archs_seen;
    /* Calibration to new runs (`joulecast calibrate`): predictions are
     * multiplied by calib_scale (1 when never calibrated). */
    double calib_scale;
    size_t calib_runs;
    /* 1: the regressor was fitted to ln(target) (a target spanning decades,
     * such as epoch time, fitted for relative error); predictions are
     * exp()'d back. Set before jc_model_target_fit. */
    int log_target;
    char *calib_note;        /* what it was calibrated on, or NULL */
} jc_model_target;

typedef struct {
    size_t ntargets;
    jc_model_target *targets;
    char *data;              /* the CSV it was fitted on */
    char *filter;            /* --where filters, as text ("" if none) */
    char *created;           /* ISO 8601 UTC */
    char *trained_by;        /* "joulecast 0.1.0" */
    uint64_t seed;
} jc_model;

/* Fit kind on x (n x p, raw units; log flags applied here) for one target. */
int jc_model_target_fit(jc_model_target *t, const char *name, char *const *features, const unsigned char *take_log,
                        size_t p, const double *x, size_t n, const double *y, const char *kind,
                        const jc_regressor_opts *o, int log_target);
/* Add `members` bootstrap refits (rows drawn with replacement, seeded) to a
 * fitted target; x, y as given to jc_model_target_fit. */
int jc_model_target_bootstrap(jc_model_target *t, const double *x, size_t n, const double *y, const char *kind,
                              const jc_regressor_opts *o, int members, uint64_t seed);
/* Each member's prediction for one row of raw features (out: nmembers). */
int jc_model_target_predict_members(const jc_model_target *t, const double *x, double *out);
/* Record a categorical value seen in training ("gpu" or "arch" list). */
int jc_model_target_note_seen(jc_model_target *t, int which_arch, const char *value);
/* Predict from raw feature values (n x p, in t->features order). */
int jc_model_target_predict(const jc_model_target *t, const double *x, size_t n, double *yhat);
/* Importance of each raw feature of a fitted target, in the target's own
 * units (log targets and calibration included): jc_importance through
 * jc_model_target_predict. x: n x t->p raw features. */
int jc_model_target_importance(const jc_model_target *t, const double *x, size_t n, const double *y, int repeats,
                               uint64_t seed, double *increase, double *share);
/* Index of a target by name, -1 if absent. */
int jc_model_find(const jc_model *m, const char *target);
int jc_model_save(const jc_model *m, const char *path);   /* atomic */
int jc_model_load(const char *path, jc_model *m);
void jc_model_target_free(jc_model_target *t);
void jc_model_free(jc_model *m);

/* ---- curve fits (the first seed's Observations 1 to 3) ---- */

typedef enum { JC_CURVE_LINEAR = 0, JC_CURVE_LOG, JC_CURVE_EXP, JC_CURVE_POWER, JC_CURVE_COUNT } jc_curve_kind;

typedef struct {
    jc_curve_kind kind;
    int ok;           /* 0: not defined for these data (log of x <= 0, ...) */
    double a, b;      /* linear: a x + b; log: a ln x + b; exp: a e^(b x); power: a x^b */
    double r2;        /* on y itself */
    double rmse;
    char why[96];     /* when not ok */
} jc_curve_fit;

/* Least squares on y for each form: linear and logarithmic in closed form,
 * exponential and power from their log-linear fit refined by
 * Levenberg-Marquardt on y (what scipy's curve_fit minimises). */
void jc_curve_fit_all(const double *x, const double *y, size_t n, jc_curve_fit fits[JC_CURVE_COUNT]);
const char *jc_curve_name(jc_curve_kind k);

#ifdef __cplusplus
}
#endif
#endif
