/* Opt-in extras of the sr engine beyond gplearn (extras.c). */
#ifndef JC_SR_EXTRAS_H
#define JC_SR_EXTRAS_H

#include "sr/sr_internal.h"

/* Keijzer (2003) linear scaling: the a, b minimising the in-bag squared error
 * of a + b * pred (w: 0/1 in-bag weights, NULL: all rows). Non-finite pred gives a=0, b=1. */
void jc_sr_linear_scaling(const double *pred, const double *y, const double *w, size_t n, double *a,
                          double *b);

/* Levenberg-Marquardt on the program's constants, minimising the in-bag
 * squared error (of a + b * f when scaled). Keeps the program unchanged if
 * nothing improves. *node_evals gets the nodes x rows it evaluated. */
int jc_sr_lm_optimize(jc_sr_program *prog, const double *X, const double *y, const double *w, size_t n,
                      int iterations, int scaled, jc_sr_evaluator *ev, double *node_evals);

/* Error-against-length Pareto front, gathered over generations. */
typedef struct {
    jc_sr_pareto_point *pts;
    size_t n, cap;
} jc_sr_pareto;

int jc_sr_pareto_add(jc_sr_pareto *pf, const jc_sr_indiv *pop, size_t npop);
/* Hand the points (sorted by length) to the caller; pf is left empty. */
void jc_sr_pareto_take(jc_sr_pareto *pf, jc_sr_pareto_point **pts, size_t *n);
void jc_sr_pareto_free(jc_sr_pareto *pf);

#endif
