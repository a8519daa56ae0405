/* learn/regressor.h: what a model kind implements to sit behind
 * jc_regressor (include/joulecast/learn.h). One ops table per kind, one file
 * per kind (linear.c, gbr.c, mlp.c, sr_regressor.c); regressor.c holds the
 * registry and the checks common to all kinds. */
#ifndef JC_LEARN_REGRESSOR_H
#define JC_LEARN_REGRESSOR_H

#include <jansson.h>
#include "joulecast/learn.h"

typedef struct {
    const char *kind;
    /* A fresh, unfitted state for this kind; NULL on allocation failure. */
    void *(*create)(const jc_regressor_opts *o);
    void (*destroy)(void *state);
    /* x, y are finite (checked by the caller); n >= 1, p >= 1. */
    int (*fit)(void *state, const jc_regressor_opts *o,
               const double *x, size_t n, size_t p, const double *y);
    int (*predict)(const void *state, const double *x, size_t n, size_t p, double *yhat);
    char *(*describe)(const void *state);
    /* Serialise the fitted state (the caller adds "kind" and "nfeatures"). */
    json_t *(*save)(const void *state);
    /* Rebuild a fitted state from what save wrote; errors via jc_fail. */
    int (*load)(const json_t *j, size_t p, void **state);
    /* The full-grid index the last fit used, -1 if none (NULL: no grid). */
    int (*grid_choice)(const void *state);
} jc_regressor_ops;

struct jc_regressor {
    const jc_regressor_ops *ops;
    jc_regressor_opts opts;
    size_t p;          /* features seen by fit; 0 = unfitted */
    void *state;
};

extern const jc_regressor_ops jc_ols_ops, jc_ridge_ops, jc_lasso_ops;  /* linear.c */
extern const jc_regressor_ops jc_gbr_ops;                              /* gbr.c */
extern const jc_regressor_ops jc_mlp_ops;                              /* mlp.c */
extern const jc_regressor_ops jc_sr_regressor_ops;                     /* sr_regressor.c */

#endif
