/* Pieces of the sr module shared between its files, not public API. */
#ifndef JC_SR_INTERNAL_H
#define JC_SR_INTERNAL_H

#include "joulecast/sr.h"

/* Rows evaluated together: small enough that a program's intermediate
 * vectors stay in L1, large enough to amortise the per-node dispatch. */
#define JC_SR_BLOCK 512

int jc_sr_program_reserve(jc_sr_program *p, uint32_t len);

/* Per-thread evaluation scratch; reused across programs, so the hot loop
 * never allocates. */
typedef struct {
    double *buf;       /* depth x JC_SR_BLOCK */
    size_t depth_cap;
    struct jc_sr_slot *stack;
    size_t stack_cap;
    double *cbuf;      /* the cached evaluator's: depth x cstride, all rows at once */
    size_t cdepth_cap, cstride;
} jc_sr_evaluator;

void jc_sr_evaluator_free(jc_sr_evaluator *ev);
/* Evaluate rows [row0, row0 + m) (m <= JC_SR_BLOCK) into out. */
int jc_sr_eval_block(jc_sr_evaluator *ev, const jc_sr_program *p, const double *X, size_t ld, size_t row0,
                     size_t m, double *out);
/* Sum of the errors of a + b * pred against y over all n rows (squared:
 * e^2, else |e|); non-finite predictions make it non-finite. */
double jc_sr_error_total(const double *pred, const double *y, size_t n, double a, double b, int squared);
/* The same over the rows idx[0..m). */
double jc_sr_error_at(const double *pred, const double *y, const uint32_t *idx, size_t m, double a, double b,
                      int squared);
/* Largest stack depth the evaluator needs for p. */
uint32_t jc_sr_stack_need(const jc_sr_program *p);

/* gplearn's 'auto' parsimony coefficient over programs of these lengths and
 * raw fitnesses (non-finite ones left out). */
double jc_sr_auto_parsimony(const double *length, const double *raw, size_t n);

/* One member of the population. */
typedef struct {
    jc_sr_program prog;
    double raw, oob, fit;  /* in-bag, out-of-bag and penalised fitness */
    double a, b;           /* linear scaling: prediction = a + b * program */
    jc_rng bag_rng;        /* the stream its in-bag rows were drawn from */
} jc_sr_indiv;

#endif
