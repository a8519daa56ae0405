/* learn/gbr.h: the insides of the gradient-boosting model (gbr.c) that the
 * tests reach past the regressor interface for: the k-fold search over an
 * arbitrary grid, with and without the shared-prefix shortcut, so that the
 * shortcut can be checked against fitting every tree count directly. */
#ifndef JC_LEARN_GBR_H
#define JC_LEARN_GBR_H

#include "joulecast/learn.h"

typedef struct {
    double learning_rate;
    int trees;
    int max_depth;
    double subsample;
} jc_gbr_params;

/* The grid the seed searches (section 4.4), 54 points: learning rate 0.01/0.05/0.1 x
 * depth 3/4/5 x subsample 0.8/1.0 x trees 200/400/800, the tree count
 * varying fastest so that the three counts of one family are adjacent.
 * Fills out and returns the number of points. */
#define JC_GBR_FULL_GRID 54
size_t jc_gbr_full_grid(jc_gbr_params out[JC_GBR_FULL_GRID]);

/* k-fold CV (o->cv_folds, o->seed, o->threads) of every point of grid.
 * prefix = 1: points next to each other that differ only in the number of
 * trees share one fit of the largest count, predicted at each count;
 * prefix = 0: every point is fitted on its own. *best and mse (ngrid, may be
 * NULL) as jc_cv_grid_search. */
int jc_gbr_cv(const jc_gbr_params *grid, size_t ngrid, int prefix, const jc_regressor_opts *o,
              const double *x, size_t n, size_t p, const double *y, size_t *best, double *mse);

#endif
