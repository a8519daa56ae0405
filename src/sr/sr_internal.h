/* Pieces of the sr module shared between its files, not public API. */
#ifndef JC_SR_INTERNAL_H
#define JC_SR_INTERNAL_H

#include <string.h>

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

/* What a node computes, as one word: op, arity and, for a feature, its
 * index (a constant's value is compared by its bits separately). The
 * padding and a function's unused fields may hold anything, so the program
 * memo and the subtree cache key nodes by this, never by their bytes. */
static inline uint64_t jc_sr_node_word(const jc_sr_node *nd)
{
    return (uint64_t)nd->op | (uint64_t)nd->arity << 8 | (nd->op == JC_SR_VAR ? (uint64_t)nd->var << 16 : 0);
}

/* The same node, constants compared by their bits (-0.0 is not 0.0). */
static inline int jc_sr_node_same(const jc_sr_node *a, const jc_sr_node *b)
{
    return jc_sr_node_word(a) == jc_sr_node_word(b) &&
           (a->op != JC_SR_CONST || memcmp(&a->value, &b->value, sizeof a->value) == 0);
}

/* One member of the population. */
typedef struct {
    jc_sr_program prog;
    double raw, oob, fit;  /* in-bag, out-of-bag and penalised fitness */
    double a, b;           /* linear scaling: prediction = a + b * program */
    jc_rng bag_rng;        /* the stream its in-bag rows were drawn from */
} jc_sr_indiv;

#endif
