/* Subtree cache: the values of recently evaluated subtrees, so that a child
 * that shares most of its tree with its parent (crossover and mutation
 * change one subtree; the rest is copied) costs the changed path, not the
 * whole program. One cache per thread, no locks. Entries are keyed by two
 * independent 64-bit hashes of the subtree and its length (a copy of the
 * nodes to compare made every cached write cost more than it saved; with
 * 128 bits, the chance that any two of the ~1e8 subtrees of a fit collide
 * is below 1e-22). The kernels are elementwise, so a cached vector equals
 * the recomputed one bit for bit and the evolution does not depend on what
 * the cache held (tests/unit/test_sr_cache.c). */
#ifndef JC_SR_SUBCACHE_H
#define JC_SR_SUBCACHE_H

#include "sr/sr_internal.h"

typedef struct {
    uint64_t hash, hash2;
    uint32_t len;       /* the subtree's nodes (0: empty) */
    uint32_t stamp;     /* the evaluation that last used it (pinned while current) */
    double *vec;        /* its value on every row */
} jc_sr_cache_slot;

typedef struct {
    jc_sr_cache_slot *slot; /* 2-way sets: slot[2k], slot[2k+1] */
    size_t nsets_mask;
    size_t n;               /* rows */
    double *pool;           /* the vectors, 64-byte aligned, stride `stride` */
    size_t stride;
    uint32_t stamp;
    /* per-program scratch, grown to the longest program */
    uint64_t *h, *h2;
    uint32_t *size, *istack;
    int32_t *jump;          /* at the last node of a cached subtree: its root */
    jc_sr_cache_slot **hit; /* at a cached subtree's root: its slot */
    uint8_t *hasvar;        /* the subtree reads a feature (so its value is a vector) */
    size_t prog_cap;
    double lookups, hits;   /* statistics */
} jc_sr_subcache;

/* A cache for vectors of n rows using at most about max_bytes (at least 64
 * entries). */
int jc_sr_subcache_init(jc_sr_subcache *c, size_t n, size_t max_bytes);
void jc_sr_subcache_free(jc_sr_subcache *c);

/* Evaluate p on all n rows of column-major X (leading dimension n) into
 * out, taking cached subtrees and caching new ones. Same values as
 * jc_sr_eval_block over the rows. */
int jc_sr_eval_cached(jc_sr_evaluator *ev, jc_sr_subcache *c, const jc_sr_program *p, const double *X,
                      double *out);



/* ---- used by the evaluator (eval.c) ---- */

/* Hash, size and feature use of every subtree of p; the largest cached
 * subtrees found and pinned (c->jump, c->hit). */
int jc_sr_subcache_plan(jc_sr_subcache *c, const jc_sr_program *p);
/* Storage for the value of the planned program's subtree at node i,
 * registered under its hash and pinned; NULL when it is not worth caching
 * (small) or both slots of its set are pinned by this program (the caller
 * then uses its own scratch). */
double *jc_sr_subcache_claim(jc_sr_subcache *c, uint32_t i);
#endif
