/* sr: genetic-programming symbolic regression, gplearn's SymbolicRegressor
 * algorithm in C. Programs are flat prefix arrays of nodes; the evaluator
 * runs them over blocks of rows; the engine evolves a population with
 * tournament selection, crossover, subtree/hoist/point mutation and
 * reproduction, as gplearn does, plus opt-in extras (linear scaling,
 * Levenberg-Marquardt constant optimisation, a Pareto front). The same seed
 * gives the same program whatever the number of threads. */
#ifndef JOULECAST_SR_H
#define JOULECAST_SR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "joulecast/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Node kinds. The order of the functions is the order of gplearn's
 * function_set names; arity is in jc_sr_op_info. */
typedef enum {
    JC_SR_CONST = 0, /* terminal: value */
    JC_SR_VAR,       /* terminal: feature `var` */
    JC_SR_ADD,
    JC_SR_SUB,
    JC_SR_MUL,
    JC_SR_DIV,  /* protected: a/b if |b| > 0.001 else 1 */
    JC_SR_SQRT, /* protected: sqrt(|x|) */
    JC_SR_LOG,  /* protected: log|x| if |x| > 0.001 else 0 */
    JC_SR_ABS,
    JC_SR_NEG,
    JC_SR_INV,  /* protected: 1/x if |x| > 0.001 else 0 */
    JC_SR_MAX,
    JC_SR_MIN,
    JC_SR_SIN,
    JC_SR_COS,
    JC_SR_TAN,
    JC_SR_SIG,  /* 1 / (1 + exp(-x)) */
    JC_SR_NOPS
} jc_sr_op;

typedef struct {
    const char *name;  /* gplearn's name: "add", "div", "sig", ... */
    int arity;         /* 0 for terminals */
} jc_sr_op_info;

const jc_sr_op_info *jc_sr_op_get(jc_sr_op op);
/* JC_SR_ADD.. for a gplearn function name, -1 if unknown. */
int jc_sr_op_from_name(const char *name);
/* Apply one function to scalars, with the protected semantics above. */
double jc_sr_apply(jc_sr_op op, double a, double b);

typedef struct {
    uint8_t op;      /* jc_sr_op */
    uint8_t arity;
    uint16_t var;    /* JC_SR_VAR: feature index */
    uint32_t pad;
    double value;    /* JC_SR_CONST: the constant */
} jc_sr_node;

/* A program in prefix order (gplearn's list order). */
typedef struct {
    jc_sr_node *nodes;
    uint32_t len, cap;
} jc_sr_program;

void jc_sr_program_free(jc_sr_program *p);
int jc_sr_program_copy(jc_sr_program *dst, const jc_sr_program *src);
int jc_sr_program_depth(const jc_sr_program *p);
/* 1 if the prefix array is a single well-formed tree using features < nfeatures. */
int jc_sr_program_valid(const jc_sr_program *p, size_t nfeatures);

/* Evaluate on n rows of column-major X (feature j of row i at X[j*ld + i]).
 * out gets n values. */
int jc_sr_program_eval(const jc_sr_program *p, const double *X, size_t n, size_t ld, double *out);

/* ---- text forms ---- */
typedef enum {
    JC_SR_TEXT_INFIX = 0,  /* 3.2 * log(x1) + x2 * x3 / x4, protected functions by name */
    JC_SR_TEXT_GPLEARN,    /* add(mul(3.2, log(X1)), div(mul(X2, X3), X4)) */
    JC_SR_TEXT_SYMPY       /* parseable by sympy.sympify: log(Abs(x1)), sqrt(Abs(x)), Max, Min */
} jc_sr_syntax;

/* Malloc'd text; names may be NULL (then X0, X1, ... / x0, x1, ...). */
char *jc_sr_program_text(const jc_sr_program *p, const char *const *names, jc_sr_syntax syntax);
/* Parse gplearn syntax ("add(X0, mul(2.5, X1))", names or Xk) back to a program. */
int jc_sr_program_parse(const char *text, const char *const *names, size_t nfeatures, jc_sr_program *out);
/* Constant folding and exact identities (x+0, x*1, x/1, neg(neg(x)), ...):
 * the result evaluates to the same value as p on every input. */
int jc_sr_program_simplify(const jc_sr_program *p, jc_sr_program *out);

/* ---- options (gplearn's names and defaults) ---- */
typedef enum { JC_SR_INIT_HALF_AND_HALF = 0, JC_SR_INIT_GROW, JC_SR_INIT_FULL } jc_sr_init;
typedef enum { JC_SR_MAE = 0, JC_SR_MSE, JC_SR_RMSE } jc_sr_metric;

typedef struct {
    int population_size;       /* 1000 */
    int generations;           /* 20 */
    int tournament_size;       /* 20 */
    double stopping_criteria;  /* 0.0 */
    int const_range_none;      /* 1: no constants (gplearn const_range=None) */
    double const_lo, const_hi; /* -1, 1 */
    int init_depth_lo, init_depth_hi; /* 2, 6: like gplearn (numpy randint), depth lo .. hi-1 */
    jc_sr_init init_method;    /* half and half */
    uint32_t function_set;     /* bit (1 << op); default add, sub, mul, div */
    jc_sr_metric metric;       /* mae */
    int parsimony_auto;        /* 1: cov(length, fitness) / var(length) each generation */
    double parsimony_coefficient; /* 0.001 */
    double p_crossover;        /* 0.9 */
    double p_subtree_mutation; /* 0.01 */
    double p_hoist_mutation;   /* 0.01 */
    double p_point_mutation;   /* 0.01 */
    double p_point_replace;    /* 0.05 */
    double max_samples;        /* 1.0 */
    uint64_t random_state;     /* 0 */
    int n_jobs;                /* threads; 0: all cores */
    /* Beyond gplearn, all off by default. */
    int linear_scaling;        /* fit a + b*f(x) by least squares for every program */
    int optimize_constants;    /* Levenberg-Marquardt on the constants of the best N programs per generation (0: off) */
    int lm_iterations;         /* per optimisation, default 20 */
    int pareto_front;          /* keep the error-vs-length Pareto front */
    /* Speed only: 1 evaluates every program in full, with no fitness memo
     * and no subtree cache. The result is the same either way (a test
     * checks); not saved with a model. */
    int no_reuse;
} jc_sr_options;

void jc_sr_options_default(jc_sr_options *o);
/* Checks ranges and that the probabilities sum to at most 1. */
int jc_sr_options_check(const jc_sr_options *o);

/* ---- fitted model ---- */
typedef struct {
    int generation;
    double best_raw_fitness, mean_raw_fitness, best_oob_fitness;
    double mean_length;
    double seconds;            /* wall time of the generation */
} jc_sr_generation;

typedef struct {
    jc_sr_program program;
    double length, raw_fitness, oob_fitness;
} jc_sr_pareto_point;

typedef struct {
    jc_sr_program program;     /* the final program: best raw fitness of the last generation */
    double raw_fitness;        /* in-bag, on the metric */
    double oob_fitness;        /* out-of-bag (NaN when max_samples = 1) */
    double scale_a, scale_b;   /* prediction = scale_a + scale_b * program (0 and 1 unless linear scaling) */
    size_t nfeatures;
    char **feature_names;
    char *target_name;
    jc_sr_options options;
    size_t ngenerations;
    jc_sr_generation *history;
    size_t npareto;
    jc_sr_pareto_point *pareto;
    double node_evaluations;   /* nodes x rows of every program scored (the work of a plain
                                  evaluator: the memo and the subtree cache skip some of it) */
    double programs_evaluated; /* programs run over the rows */
    double programs_memoised;  /* programs that took the fitness of an equal one scored before */
    double fit_seconds;
} jc_sr_model;

/* Called after each generation (may be NULL); return nonzero to stop early. */
typedef int (*jc_sr_progress_fn)(const jc_sr_generation *g, int total_generations, void *user);

/* Fit on n rows of column-major X (p features, X[j*n + i]) and y. */
int jc_sr_fit(const double *X, const double *y, size_t n, size_t p, const char *const *feature_names,
              const jc_sr_options *o, jc_sr_progress_fn progress, void *user, jc_sr_model *out);
/* Predict n rows of column-major X with leading dimension ld (>= n). */
int jc_sr_predict(const jc_sr_model *m, const double *X, size_t n, size_t ld, double *out);
void jc_sr_model_free(jc_sr_model *m);

/* Save / load as JSON (format "joulecast-sr", version 1); a loaded model
 * predicts bit-identically. Save is atomic. */
int jc_sr_model_save(const jc_sr_model *m, const char *path);
/* The same JSON to an open stream (stdout, say). */
int jc_sr_model_write(const jc_sr_model *m, FILE *stream);
int jc_sr_model_load(const char *path, jc_sr_model *out);

#ifdef __cplusplus
}
#endif
#endif
