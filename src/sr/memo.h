/* Fitness memo for the evolutionary loop: a program that is an exact copy of
 * one already scored (a parent reproduced, a hoist that kept the root, a
 * crossover that swapped equal subtrees, two children that came out the
 * same) is not evaluated again but takes the stored fitness. Only valid
 * when a program's fitness depends on the program alone, i.e. every row is
 * in-bag (max_samples = 1, the seed's setting); the engine uses it then and
 * only then, so results are bit-identical with or without it. */
#ifndef JC_SR_MEMO_H
#define JC_SR_MEMO_H

#include "sr/sr_internal.h"

/* Open addressing, linear probing; entries point at population members. */
typedef struct {
    uint64_t *hash;
    const jc_sr_indiv **ind; /* NULL: empty */
    size_t mask;
} jc_sr_memo;

/* Room for up to max_entries without rehashing (load <= 1/2). */
int jc_sr_memo_init(jc_sr_memo *m, size_t max_entries);
void jc_sr_memo_clear(jc_sr_memo *m);
void jc_sr_memo_free(jc_sr_memo *m);

/* Hash of the program's nodes (op, feature index, constant's bits). */
uint64_t jc_sr_program_hash(const jc_sr_program *p);
/* The member with a program equal to p node for node, or NULL. */
const jc_sr_indiv *jc_sr_memo_find(const jc_sr_memo *m, uint64_t h, const jc_sr_program *p);
/* Add ind (hash h) unless an equal program is there; returns the member
 * that holds it now (ind itself when it was new). */
const jc_sr_indiv *jc_sr_memo_insert(jc_sr_memo *m, uint64_t h, const jc_sr_indiv *ind);

#endif
