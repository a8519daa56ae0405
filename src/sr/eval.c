/* The evaluator: the hot path of symbolic regression. A prefix program is
 * run backwards with a stack over a block of rows, each function one tight
 * loop the compiler vectorises. Stack slots are views: a feature is a pointer
 * into the data (no copy), a constant stays a scalar (so constant subtrees
 * fold on the fly, through the same scalar code the simplifier uses, which
 * keeps simplified programs bit-identical), and only function results occupy
 * scratch vectors, one per stack depth. Transcendental functions are declared
 * with simd variants so that GCC calls glibc's vector math (libmvec). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sr/sr_internal.h"
#include "sr/subcache.h"

/* glibc's vector math library provides these; the declarations let the
 * vectoriser call them (math.h only says so under -ffast-math). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define JC_SIMD __attribute__((simd("notinbranch")))
extern double log(double) JC_SIMD;
extern double exp(double) JC_SIMD;
extern double sin(double) JC_SIMD;
extern double cos(double) JC_SIMD;
extern double tan(double) JC_SIMD;
/* AVX2 where the machine has it, the x86-64 baseline elsewhere. */
#define JC_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define JC_CLONES
#endif

struct jc_sr_slot {
    const double *v; /* NULL: a scalar constant */
    double c;
};
typedef struct jc_sr_slot slot;

void jc_sr_evaluator_free(jc_sr_evaluator *ev)
{
    if (!ev)
        return;
    free(ev->buf);
    free(ev->stack);
    free(ev->cbuf);
    memset(ev, 0, sizeof *ev);
}

uint32_t jc_sr_stack_need(const jc_sr_program *p)
{
    uint32_t top = 0, need = 1;
    for (uint32_t i = p->len; i-- > 0;) {
        top = top + 1 - p->nodes[i].arity;
        if (top > need)
            need = top;
    }
    return need;
}

static int reserve(jc_sr_evaluator *ev, size_t depth)
{
    if (depth <= ev->depth_cap)
        return JC_OK;
    size_t cap = ev->depth_cap ? ev->depth_cap : 16;
    while (cap < depth)
        cap *= 2;
    double *b = aligned_alloc(64, cap * JC_SR_BLOCK * sizeof *b);
    slot *s = malloc(cap * sizeof *s);
    if (!b || !s) {
        free(b);
        free(s);
        return jc_fail(JC_ERR_NOMEM, "out of memory for an evaluation stack of %zu", cap);
    }
    free(ev->buf);
    free(ev->stack);
    ev->buf = b;
    ev->stack = s;
    ev->depth_cap = cap;
    ev->stack_cap = cap;
    return JC_OK;
}

/* ---- vector kernels: elementwise, so r may be the storage of an argument ---- */

JC_CLONES static void k_binary(int op, double *r, const double *a, const double *b, size_t m)
{
    switch (op) {
    case JC_SR_ADD:
        for (size_t i = 0; i < m; i++) r[i] = a[i] + b[i];
        break;
    case JC_SR_SUB:
        for (size_t i = 0; i < m; i++) r[i] = a[i] - b[i];
        break;
    case JC_SR_MUL:
        for (size_t i = 0; i < m; i++) r[i] = a[i] * b[i];
        break;
    case JC_SR_DIV:
        for (size_t i = 0; i < m; i++) {
            double d = b[i];
            double q = a[i] / (fabs(d) > 0.001 ? d : 1.0);
            r[i] = fabs(d) > 0.001 ? q : 1.0;
        }
        break;
    case JC_SR_MAX:
        for (size_t i = 0; i < m; i++) {
            double x = a[i], y = b[i];
            r[i] = (x != x || y != y) ? x + y : (x > y ? x : y);
        }
        break;
    case JC_SR_MIN:
        for (size_t i = 0; i < m; i++) {
            double x = a[i], y = b[i];
            r[i] = (x != x || y != y) ? x + y : (x < y ? x : y);
        }
        break;
    }
}

/* Vector op scalar (a_is_vec = 1) or scalar op vector. */
JC_CLONES static void k_binary_scalar(int op, double *r, const double *v, double c, int vec_first, size_t m)
{
    switch (op) {
    case JC_SR_ADD:
        for (size_t i = 0; i < m; i++) r[i] = v[i] + c;
        break;
    case JC_SR_SUB:
        if (vec_first)
            for (size_t i = 0; i < m; i++) r[i] = v[i] - c;
        else
            for (size_t i = 0; i < m; i++) r[i] = c - v[i];
        break;
    case JC_SR_MUL:
        for (size_t i = 0; i < m; i++) r[i] = v[i] * c;
        break;
    case JC_SR_DIV:
        if (vec_first) {
            if (fabs(c) > 0.001) {
                double inv_safe = c;
                for (size_t i = 0; i < m; i++) r[i] = v[i] / inv_safe;
            } else {
                for (size_t i = 0; i < m; i++) r[i] = 1.0;
            }
        } else {
            for (size_t i = 0; i < m; i++) {
                double d = v[i];
                double q = c / (fabs(d) > 0.001 ? d : 1.0);
                r[i] = fabs(d) > 0.001 ? q : 1.0;
            }
        }
        break;
    case JC_SR_MAX:
        for (size_t i = 0; i < m; i++) {
            double x = vec_first ? v[i] : c, y = vec_first ? c : v[i];
            r[i] = (x != x || y != y) ? x + y : (x > y ? x : y);
        }
        break;
    case JC_SR_MIN:
        for (size_t i = 0; i < m; i++) {
            double x = vec_first ? v[i] : c, y = vec_first ? c : v[i];
            r[i] = (x != x || y != y) ? x + y : (x < y ? x : y);
        }
        break;
    }
}

JC_CLONES static void k_unary(int op, double *r, const double *a, size_t m)
{
    switch (op) {
    case JC_SR_SQRT:
        for (size_t i = 0; i < m; i++) r[i] = sqrt(fabs(a[i]));
        break;
    case JC_SR_LOG:
        for (size_t i = 0; i < m; i++) {
            double x = fabs(a[i]);
            double l = log(x > 0.001 ? x : 1.0);
            r[i] = x > 0.001 ? l : 0.0;
        }
        break;
    case JC_SR_ABS:
        for (size_t i = 0; i < m; i++) r[i] = fabs(a[i]);
        break;
    case JC_SR_NEG:
        for (size_t i = 0; i < m; i++) r[i] = -a[i];
        break;
    case JC_SR_INV:
        for (size_t i = 0; i < m; i++) {
            double x = a[i];
            double q = 1.0 / (fabs(x) > 0.001 ? x : 1.0);
            r[i] = fabs(x) > 0.001 ? q : 0.0;
        }
        break;
    case JC_SR_SIN:
        for (size_t i = 0; i < m; i++) r[i] = sin(a[i]);
        break;
    case JC_SR_COS:
        for (size_t i = 0; i < m; i++) r[i] = cos(a[i]);
        break;
    case JC_SR_TAN:
        for (size_t i = 0; i < m; i++) r[i] = tan(a[i]);
        break;
    case JC_SR_SIG:
        for (size_t i = 0; i < m; i++) r[i] = 1.0 / (1.0 + exp(-a[i]));
        break;
    }
}

/* One function node over the stack: folds constants, else runs the kernel
 * into the vector dest(ctx, depth) gives (asked only then, because the
 * cached evaluator claims a cache entry for it). Returns the new top. */
typedef double *(*dest_fn)(void *ctx, size_t depth);

static inline size_t apply_function(const jc_sr_node *nd, slot *st, size_t top, size_t m, dest_fn dest, void *ctx)
{
    if (nd->arity == 1) {
        slot *a = &st[top - 1];
        if (!a->v) {
            a->c = jc_sr_apply((jc_sr_op)nd->op, a->c, 0);
        } else {
            double *r = dest(ctx, top - 1);
            k_unary(nd->op, r, a->v, m);
            a->v = r;
        }
        return top;
    }
    /* top-1 is the first argument, top-2 the second. */
    slot *a = &st[top - 1], *b = &st[top - 2];
    if (!a->v && !b->v) {
        b->c = jc_sr_apply((jc_sr_op)nd->op, a->c, b->c);
    } else {
        double *r = dest(ctx, top - 2);
        if (a->v && b->v)
            k_binary(nd->op, r, a->v, b->v, m);
        else if (a->v)
            k_binary_scalar(nd->op, r, a->v, b->c, 1, m);
        else
            k_binary_scalar(nd->op, r, b->v, a->c, 0, m);
        b->v = r;
    }
    return top - 1;
}

/* The program's value, once the stack holds exactly it. */
static int finish(const slot *st, size_t top, double *out, size_t m)
{
    if (top != 1)
        return jc_fail(JC_ERR_INVALID, "malformed program (%zu values left on the stack)", top);
    if (st[0].v)
        memcpy(out, st[0].v, m * sizeof *out);
    else
        for (size_t k = 0; k < m; k++)
            out[k] = st[0].c;
    return JC_OK;
}

static double *block_dest(void *ctx, size_t depth)
{
    return ((jc_sr_evaluator *)ctx)->buf + depth * JC_SR_BLOCK;
}

int jc_sr_eval_block(jc_sr_evaluator *ev, const jc_sr_program *p, const double *X, size_t ld, size_t row0,
                     size_t m, double *out)
{
    if (ev->depth_cap < p->len) {
        int rc = reserve(ev, jc_sr_stack_need(p));
        if (rc)
            return rc;
    }
    slot *st = ev->stack;
    size_t top = 0;
    for (uint32_t i = p->len; i-- > 0;) {
        const jc_sr_node *nd = &p->nodes[i];
        if (nd->arity)
            top = apply_function(nd, st, top, m, block_dest, ev);
        else if (nd->op == JC_SR_VAR)
            st[top++] = (slot){X + (size_t)nd->var * ld + row0, 0};
        else
            st[top++] = (slot){NULL, nd->value};
    }
    return finish(st, top, out, m);
}

/* Eight independent accumulators: the compiler may vectorise them without
 * reassociating (which it must not do on its own), and the order of the
 * additions is fixed, so sums do not depend on the machine's vector width.
 * One loop per case keeps the common one (no scaling, |e|) tight. */
#define JC_ERROR_LOOP(EXPR)                                                                                       \
    do {                                                                                                          \
        for (; i + 8 <= n; i += 8)                                                                                \
            for (int l = 0; l < 8; l++) {                                                                         \
                double e = (EXPR);                                                                                \
                acc[l] += e;                                                                                      \
            }                                                                                                     \
    } while (0)

JC_CLONES double jc_sr_error_total(const double *pred, const double *y, size_t n, double a, double b, int squared)
{
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    const int plain = a == 0 && b == 1;
    if (plain && !squared)
        JC_ERROR_LOOP(fabs(pred[i + l] - y[i + l]));
    else if (plain)
        JC_ERROR_LOOP((pred[i + l] - y[i + l]) * (pred[i + l] - y[i + l]));
    else if (!squared)
        JC_ERROR_LOOP(fabs(a + b * pred[i + l] - y[i + l]));
    else
        JC_ERROR_LOOP((a + b * pred[i + l] - y[i + l]) * (a + b * pred[i + l] - y[i + l]));
    for (; i < n; i++) {
        double e = a + b * pred[i] - y[i];
        acc[0] += squared ? e * e : fabs(e);
    }
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

double jc_sr_error_at(const double *pred, const double *y, const uint32_t *idx, size_t m, double a, double b,
                      int squared)
{
    double s = 0;
    for (size_t k = 0; k < m; k++) {
        double e = a + b * pred[idx[k]] - y[idx[k]];
        s += squared ? e * e : fabs(e);
    }
    return s;
}

int jc_sr_program_eval(const jc_sr_program *p, const double *X, size_t n, size_t ld, double *out)
{
    if (!jc_sr_program_valid(p, SIZE_MAX))
        return jc_fail(JC_ERR_INVALID, "malformed program");
    jc_sr_evaluator ev = {0};
    int rc = JC_OK;
    for (size_t r = 0; r < n && !rc; r += JC_SR_BLOCK) {
        size_t m = n - r < JC_SR_BLOCK ? n - r : JC_SR_BLOCK;
        rc = jc_sr_eval_block(&ev, p, X, ld, r, m, out + r);
    }
    jc_sr_evaluator_free(&ev);
    return rc;
}

/* ---- evaluation through the subtree cache ---- */

static int reserve_rows(jc_sr_evaluator *ev, size_t depth, size_t stride)
{
    if (depth > ev->stack_cap) {
        size_t cap = ev->stack_cap ? ev->stack_cap : 16;
        while (cap < depth)
            cap *= 2;
        slot *s = realloc(ev->stack, cap * sizeof *s);
        if (!s)
            return jc_fail(JC_ERR_NOMEM, "out of memory for an evaluation stack of %zu", cap);
        ev->stack = s;
        ev->stack_cap = cap;
    }
    if (depth <= ev->cdepth_cap && stride == ev->cstride)
        return JC_OK;
    size_t cap = ev->cdepth_cap ? ev->cdepth_cap : 16;
    while (cap < depth)
        cap *= 2;
    double *b = aligned_alloc(64, cap * stride * sizeof *b);
    if (!b)
        return jc_fail(JC_ERR_NOMEM, "out of memory for an evaluation stack of %zu x %zu rows", cap, stride);
    free(ev->cbuf);
    ev->cbuf = b;
    ev->cdepth_cap = cap;
    ev->cstride = stride;
    return JC_OK;
}

/* Where node i's value goes: a cache entry when one is free, else the
 * stack's own vector at its depth. */
typedef struct {
    jc_sr_evaluator *ev;
    jc_sr_subcache *c;
    uint32_t i;
} cached_dest_ctx;

static double *cached_dest(void *ctx, size_t depth)
{
    cached_dest_ctx *d = ctx;
    double *r = jc_sr_subcache_claim(d->c, d->i);
    return r ? r : d->ev->cbuf + depth * d->ev->cstride;
}

int jc_sr_eval_cached(jc_sr_evaluator *ev, jc_sr_subcache *c, const jc_sr_program *p, const double *X,
                      double *out)
{
    const size_t n = c->n;
    int rc = jc_sr_subcache_plan(c, p);
    if (!rc)
        rc = reserve_rows(ev, jc_sr_stack_need(p), c->stride);
    if (rc)
        return rc;
    slot *st = ev->stack;
    size_t top = 0;
    cached_dest_ctx d = {ev, c, 0};
    for (uint32_t i = p->len; i-- > 0;) {
        if (c->jump[i] >= 0) {
            /* the last node of a cached subtree: take its value, skip to its root */
            i = (uint32_t)c->jump[i];
            st[top++] = (slot){c->hit[i]->vec, 0};
            continue;
        }
        const jc_sr_node *nd = &p->nodes[i];
        d.i = i;
        if (nd->arity)
            top = apply_function(nd, st, top, n, cached_dest, &d);
        else if (nd->op == JC_SR_VAR)
            st[top++] = (slot){X + (size_t)nd->var * n, 0};
        else
            st[top++] = (slot){NULL, nd->value};
    }
    return finish(st, top, out, n);
}
