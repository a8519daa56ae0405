/* dispatch/dispatch_internal.h: what the dispatch files share and the public
 * header does not promise: the bounds every formulation (and the exact
 * solver) derive from a problem the same way, and plan helpers. */
#ifndef JC_DISPATCH_INTERNAL_H
#define JC_DISPATCH_INTERNAL_H

#include "dispatch/lp.h"
#include "joulecast/dispatch.h"

/* The deadline is met when the summed progress reaches 1 - this: 23 hours of
 * 1/23 each add up to 0.9999999999999999 in doubles. */
#define JC_DISPATCH_PROGRESS_EPS 1e-9

/* Limits that follow from a problem, finite wherever the model needs a
 * finite bound. Energies per hour (Wh). */
typedef struct {
    double soc0, soc_min, soc_max, soc_end_min; /* Wh */
    double alpha, beta, keep;                   /* keep = 1 - theta */
    double charge_max, discharge_max;           /* bus side, Wh per hour */
    double draw_max;                            /* the largest draw of any level, idle included */
    int has_battery;
} jc_dispatch_bounds;

void jc_dispatch_bounds_of(const jc_dispatch_problem *p, jc_dispatch_bounds *b);
/* The most that can be imported or exported in hour t without changing the
 * optimum: the grid limit, or what the site could use or offer at most. */
double jc_dispatch_import_max(const jc_dispatch_problem *p, const jc_dispatch_bounds *b, size_t t);
double jc_dispatch_export_max(const jc_dispatch_problem *p, const jc_dispatch_bounds *b, size_t t);
/* Draw (Wh per hour) and progress per hour of level k (0 idle, 1..n). */
double jc_dispatch_level_wh(const jc_dispatch_levels *l, int k);
double jc_dispatch_level_rate(const jc_dispatch_levels *l, int k);

int jc_dispatch_plan_alloc(size_t hours, jc_dispatch_plan *plan);
/* Fill the plan's totals and each hour's cost from its hours. */
void jc_dispatch_plan_total(const jc_dispatch_problem *p, jc_dispatch_plan *plan);

/* The minimal level-count vectors of a deadline (dispatch/counts.c): every
 * count vector of `hours` hours over levels 0..K (rates rate[0] = 0 <
 * rate[1] < ...) that reaches `need` and where no single hour can go one level
 * down, as cumulative counts (out[i*K + k-1] = hours at level >= k). -1 when
 * there are more than max (then *out is partial). */
int jc_dispatch_minimal_counts(const double *rate, int K, int hours, double need, size_t max, int **out, size_t *n);

/* Those vectors for one set of levels and deadline, made once and shared by
 * every problem of that deadline (the sweep's 144 starts). */
typedef struct {
    int K, hours, ready;
    size_t n;
    int *v;
} jc_dispatch_hull;
int jc_dispatch_hull_make(const jc_dispatch_levels *l, int hours, jc_dispatch_hull *h);
void jc_dispatch_hull_free(jc_dispatch_hull *h);

/* Cutting planes from the deadline's knapsack (dispatch/hull.c): solve the
 * LP relaxation of `relax` strengthened by the hull by column generation
 * with Clp, and write each round's supporting hyperplane
 * sum_k cut[k] N_k >= cut[K] (K+1 doubles per cut, at most maxcuts) over the
 * count columns ncol[0..K-1]. */
int jc_dispatch_hull_cuts(const jc_lp *relax, const int *ncol, const jc_dispatch_hull *h, double *cuts, int maxcuts,
                          int *ncuts);

/* Solve with a hull (NULL: made for this problem alone). */
int jc_dispatch_solve_with(const jc_dispatch_problem *p, const jc_dispatch_options *opt, const jc_dispatch_hull *hull,
                           jc_dispatch_plan *plan);

#endif
