/* Simplification of sr programs: constant folding and identities that are
 * exact in IEEE arithmetic, so that a simplified program evaluates to the
 * same bits as the original on every input (any NaN counting as NaN).
 *
 * Folding computes a constant subtree with jc_sr_apply, which is what the
 * evaluator itself does with constant subtrees, so folded values are the
 * evaluator's. The identities, x and y any subtrees:
 *   x + (-0), (-0) + x, x - (+0)          -> x   (exact, signed zeros too)
 *   x + (+0), (+0) + x, x - (-0)          -> x   only where x cannot be -0:
 *                                                 -0 + +0 is +0, and the bits
 *                                                 of zero are kept as well
 *   x * 1, 1 * x, x / 1                   -> x
 *   x * -1, -1 * x, x / -1, (-0) - x      -> -x
 *   x + -y -> x - y,  -x + y -> y - x,  x - -y -> x + y   (IEEE defines
 *                                                 a - b as a + (-b))
 *   -x * -y -> x * y,  -x / -y -> x / y   (the protection tests |y|)
 *   -(-x) -> x;  abs(abs x), abs(sqrt x), abs(sig x) -> the argument;
 *   abs(-x) -> abs x;  sqrt and log of abs x or -x -> of x (both take |x|)
 * Not applied, as not exact: x - x (inf, NaN), x * 0, x / x, regroupings.
 * The rewrites that turn a NaN into -NaN (x * -1 -> -x) leave a NaN. Every
 * rule shortens the program, so the result is never longer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sr/sr_internal.h"

typedef struct {
    jc_sr_program out; /* built in prefix order */
    jc_sr_node *tmp;   /* scratch for reordering children */
} simp;

static uint32_t subtree_end(const jc_sr_node *n, uint32_t i)
{
    long need = 1;
    while (need > 0)
        need += n[i++].arity - 1;
    return i;
}

static int is_const(const jc_sr_node *nd, double v) { return nd->op == JC_SR_CONST && nd->value == v; }

static int is_zero(const jc_sr_node *nd, int negative)
{
    return is_const(nd, 0.0) && !!signbit(nd->value) == negative;
}

/* Whether the subtree at i may evaluate to -0.0 (1 when unsure). In round
 * to nearest a + b is -0 only if both are -0, and a - b only if a is -0;
 * |x|, sqrt|x|, protected log and the sigmoid are never -0. */
static int may_be_negzero(const jc_sr_node *n, uint32_t i)
{
    switch (n[i].op) {
    case JC_SR_CONST: return n[i].value == 0 && signbit(n[i].value);
    case JC_SR_ABS:
    case JC_SR_SQRT:
    case JC_SR_LOG:
    case JC_SR_SIG: return 0;
    case JC_SR_ADD: return may_be_negzero(n, i + 1) && may_be_negzero(n, subtree_end(n, i + 1));
    case JC_SR_SUB: return may_be_negzero(n, i + 1);
    default: return 1;
    }
}

static jc_sr_node function_node(int op, int arity)
{
    return (jc_sr_node){.op = (uint8_t)op, .arity = (uint8_t)arity};
}

/* The node at k becomes the subtree [s, e) that lies after it. */
static void keep(simp *st, uint32_t k, uint32_t s, uint32_t e)
{
    memmove(st->out.nodes + k, st->out.nodes + s, (size_t)(e - s) * sizeof *st->out.nodes);
    st->out.len = k + (e - s);
}

/* Remove the one node at j (a unary node, its argument moves up). */
static void drop(simp *st, uint32_t j)
{
    memmove(st->out.nodes + j, st->out.nodes + j + 1, (size_t)(st->out.len - j - 1) * sizeof *st->out.nodes);
    st->out.len--;
}

/* One rewrite of the node at k, whose children (the rest of out) are
 * already simplified; 1 if something changed. */
static int rewrite(simp *st, uint32_t k)
{
    jc_sr_node *n = st->out.nodes;
    uint32_t len = st->out.len;
    const jc_sr_node nd = n[k];
    uint32_t c1 = k + 1, c2 = nd.arity == 2 ? subtree_end(n, c1) : len;
    const jc_sr_node *a = &n[c1], *b = nd.arity == 2 ? &n[c2] : NULL;

    if (a->op == JC_SR_CONST && (!b || b->op == JC_SR_CONST)) {
        double v = jc_sr_apply((jc_sr_op)nd.op, a->value, b ? b->value : 0);
        n[k] = (jc_sr_node){.op = JC_SR_CONST, .value = v};
        st->out.len = k + 1;
        return 1;
    }
    switch (nd.op) {
    case JC_SR_ADD:
        if (is_zero(b, 1) || (is_zero(b, 0) && !may_be_negzero(n, c1))) {
            keep(st, k, c1, c2);
            return 1;
        }
        if (is_zero(a, 1) || (is_zero(a, 0) && !may_be_negzero(n, c2))) {
            keep(st, k, c2, len);
            return 1;
        }
        if (b->op == JC_SR_NEG) {
            n[k].op = JC_SR_SUB;
            drop(st, c2);
            return 1;
        }
        if (a->op == JC_SR_NEG) {
            /* -x + y -> y - x: the children swap places. */
            uint32_t ny = len - c2, nx = c2 - (c1 + 1);
            memcpy(st->tmp, n + c2, (size_t)ny * sizeof *n);
            memcpy(st->tmp + ny, n + c1 + 1, (size_t)nx * sizeof *n);
            memcpy(n + c1, st->tmp, (size_t)(ny + nx) * sizeof *n);
            n[k].op = JC_SR_SUB;
            st->out.len = len - 1;
            return 1;
        }
        return 0;
    case JC_SR_SUB:
        if (is_zero(b, 0) || (is_zero(b, 1) && !may_be_negzero(n, c1))) {
            keep(st, k, c1, c2);
            return 1;
        }
        if (is_zero(a, 1)) {
            n[k] = function_node(JC_SR_NEG, 1);
            keep(st, c1, c2, len);
            return 1;
        }
        if (b->op == JC_SR_NEG) {
            n[k].op = JC_SR_ADD;
            drop(st, c2);
            return 1;
        }
        return 0;
    case JC_SR_MUL:
    case JC_SR_DIV:
        if (is_const(b, 1.0)) {
            keep(st, k, c1, c2);
            return 1;
        }
        if (nd.op == JC_SR_MUL && is_const(a, 1.0)) {
            keep(st, k, c2, len);
            return 1;
        }
        if (is_const(b, -1.0)) {
            n[k] = function_node(JC_SR_NEG, 1);
            st->out.len = c2;
            return 1;
        }
        if (nd.op == JC_SR_MUL && is_const(a, -1.0)) {
            n[k] = function_node(JC_SR_NEG, 1);
            keep(st, c1, c2, len);
            return 1;
        }
        if (a->op == JC_SR_NEG && b->op == JC_SR_NEG) {
            drop(st, c2);
            drop(st, c1);
            return 1;
        }
        return 0;
    case JC_SR_NEG:
        if (a->op == JC_SR_NEG) {
            keep(st, k, c1 + 1, len);
            return 1;
        }
        return 0;
    case JC_SR_ABS:
        if (a->op == JC_SR_ABS || a->op == JC_SR_SQRT || a->op == JC_SR_SIG) {
            keep(st, k, c1, len);
            return 1;
        }
        if (a->op == JC_SR_NEG) {
            drop(st, c1);
            return 1;
        }
        return 0;
    case JC_SR_SQRT:
    case JC_SR_LOG:
        if (a->op == JC_SR_ABS || a->op == JC_SR_NEG) {
            drop(st, c1);
            return 1;
        }
        return 0;
    default: return 0;
    }
}

/* Copy the subtree of in at i into out, simplified bottom-up: children
 * first, then rules at the node until none applies. Every rewrite puts a new
 * node over simplified subtrees, so only the node itself can match again.
 * Recursion goes as deep as the program. */
static uint32_t simplify_at(simp *st, const jc_sr_node *in, uint32_t i)
{
    uint32_t k = st->out.len;
    st->out.nodes[st->out.len++] = in[i];
    uint32_t j = i + 1;
    for (int c = 0; c < in[i].arity; c++)
        j = simplify_at(st, in, j);
    if (in[i].arity > 0)
        while (rewrite(st, k))
            if (st->out.nodes[k].arity == 0)
                break;
    return j;
}

int jc_sr_program_simplify(const jc_sr_program *p, jc_sr_program *out)
{
    if (!jc_sr_program_valid(p, SIZE_MAX))
        return jc_fail(JC_ERR_INVALID, "cannot simplify a malformed program");
    simp st = {0};
    jc_sr_program cur = {0};
    int rc = jc_sr_program_copy(&cur, p);
    if (rc == JC_OK)
        rc = jc_sr_program_reserve(&st.out, p->len);
    st.tmp = malloc((size_t)p->len * sizeof *st.tmp);
    if (rc == JC_OK && !st.tmp)
        rc = jc_fail(JC_ERR_NOMEM, "out of memory simplifying a program of %u nodes", p->len);
    /* One pass reaches the fixed point; another pass confirms it (every rule
     * shortens the program, so this ends). */
    while (rc == JC_OK) {
        st.out.len = 0;
        simplify_at(&st, cur.nodes, 0);
        int changed = st.out.len < cur.len;
        jc_sr_program t = cur;
        cur = st.out;
        st.out = t;
        if (!changed)
            break;
    }
    jc_sr_program_free(&st.out);
    free(st.tmp);
    if (rc) {
        jc_sr_program_free(&cur);
        return rc;
    }
    jc_sr_program_free(out);
    *out = cur;
    return JC_OK;
}
