/* dispatch/lp.h: a small builder for a mixed-integer program (columns with
 * bounds, rows with ranges, coefficients as triplets) that hands the whole
 * matrix to CBC at once in compressed-column form. Cbc_addRow/addCol copy the
 * matrix on every call, which costs more than the solve for models this size. */
#ifndef JC_DISPATCH_LP_H
#define JC_DISPATCH_LP_H

#include <Coin_C_defines.h>
#include <stddef.h>

typedef struct {
    int ncols, nrows;
    size_t ccap, rcap, ecap, nel;
    double *collb, *colub, *obj;
    char *isint;
    double *rowlb, *rowub;
    int *erow, *ecol;
    double *eval;
    int failed; /* an allocation failed; checked once, in jc_lp_solve */
} jc_lp;

/* Returns the new column's index. */
int jc_lp_col(jc_lp *lp, double lb, double ub, double obj, int is_int);
/* Returns the new row's index; lb/ub may be -INFINITY/INFINITY. */
int jc_lp_row(jc_lp *lp, double lb, double ub);
void jc_lp_coef(jc_lp *lp, int row, int col, double v);
void jc_lp_free(jc_lp *lp);

typedef struct {
    int optimal, infeasible, time_limit, abandoned;
    double obj, bound;
    long nodes;
    double *x; /* ncols values (malloc'd) when a solution exists */
} jc_lp_result;

/* The model in CBC/Clp's compressed-column form, infinite bounds as
 * +-DBL_MAX (malloc'd; free with jc_lp_export_free). */
int jc_lp_export(const jc_lp *lp, CoinBigIndex **start, int **index, double **value, double **collb,
                 double **colub, double **rowlb, double **rowub);
void jc_lp_export_free(CoinBigIndex *start, int *index, double *value, double *collb, double *colub,
                       double *rowlb, double *rowub);

/* Solve as a minimisation with CBC, silently, within time_limit_s (0: none);
 * tuned: the settings measured best for the tight model (lp.c), else CBC's
 * defaults. */
int jc_lp_solve(const jc_lp *lp, double time_limit_s, int tuned, jc_lp_result *res);
void jc_lp_result_free(jc_lp_result *res);

#endif
