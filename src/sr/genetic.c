/* Genetic operators, as gplearn's _Program does them: random programs by
 * grow/full/half-and-half, subtree choice weighting functions 0.9 and
 * terminals 0.1, crossover, subtree (headless-chicken), hoist and point
 * mutation. Programs are prefix arrays, so every operator is a splice of
 * contiguous slices; results are written into the caller's program buffer,
 * which is reused across generations (no allocation once warmed up). */
#include <string.h>

#include "sr/genetic.h"

static jc_sr_node terminal(const jc_sr_genetic *g, jc_rng *rng)
{
    jc_sr_node n = {0};
    /* gplearn: randint(n_features + 1); the extra value means a constant,
     * unless const_range is None. */
    uint64_t k = jc_rng_below(rng, g->nfeatures + (g->constants ? 1 : 0));
    if (k == g->nfeatures) {
        n.op = JC_SR_CONST;
        n.value = g->const_lo + (g->const_hi - g->const_lo) * jc_rng_uniform(rng);
    } else {
        n.op = JC_SR_VAR;
        n.var = (uint16_t)k;
    }
    return n;
}

static jc_sr_node function(const jc_sr_genetic *g, jc_rng *rng)
{
    jc_sr_node n = {0};
    n.op = (uint8_t)g->functions[jc_rng_below(rng, g->nfunctions)];
    n.arity = (uint8_t)jc_sr_op_get((jc_sr_op)n.op)->arity;
    return n;
}

int jc_sr_build_program(const jc_sr_genetic *g, jc_rng *rng, jc_sr_program *out)
{
    int full;
    if (g->init_method == JC_SR_INIT_HALF_AND_HALF)
        full = (int)jc_rng_below(rng, 2);
    else
        full = g->init_method == JC_SR_INIT_FULL;
    /* gplearn: max_depth = randint(*init_depth), i.e. lo .. hi-1. */
    int max_depth = g->depth_lo + (int)jc_rng_below(rng, (uint64_t)(g->depth_hi - g->depth_lo));
    int stack[64];
    int top = 0;
    out->len = 0;
    int rc = jc_sr_program_reserve(out, 64);
    if (rc)
        return rc;
    out->nodes[out->len++] = function(g, rng);
    stack[top++] = out->nodes[0].arity;
    while (top > 0) {
        int depth = top;
        uint64_t choice = jc_rng_below(rng, g->nfeatures + g->nfunctions);
        if (out->len + 1 > out->cap && (rc = jc_sr_program_reserve(out, out->len + 1)))
            return rc;
        /* gplearn's test is choice <= len(function_set): keep its bias. */
        if (depth < max_depth && (full || choice <= g->nfunctions) && top < 63) {
            jc_sr_node f = function(g, rng);
            out->nodes[out->len++] = f;
            stack[top++] = f.arity;
        } else {
            out->nodes[out->len++] = terminal(g, rng);
            stack[top - 1]--;
            while (top > 0 && stack[top - 1] == 0) {
                top--;
                if (top > 0)
                    stack[top - 1]--;
            }
        }
    }
    return JC_OK;
}

/* End of the subtree starting at start (exclusive). */
static uint32_t subtree_end(const jc_sr_node *nodes, uint32_t start)
{
    uint32_t end = start;
    long stack = 1;
    while (stack > (long)(end - start)) {
        stack += nodes[end].arity;
        end++;
    }
    return end;
}

void jc_sr_get_subtree(const jc_sr_node *nodes, uint32_t len, jc_rng *rng, uint32_t *start, uint32_t *end)
{
    /* gplearn: weights 0.9 per function, 0.1 per terminal; the first index
     * whose cumulative share reaches a uniform draw (searchsorted, left).
     * Counted in tenths, as integers: the same distribution without a
     * floating-point sum per node (this runs twice per crossover). */
    uint32_t total = 0;
    for (uint32_t i = 0; i < len; i++)
        total += nodes[i].arity ? 9u : 1u;
    double u = jc_rng_uniform(rng) * (double)total;
    uint32_t acc = 0, s = len - 1;
    for (uint32_t i = 0; i < len; i++) {
        acc += nodes[i].arity ? 9u : 1u;
        if ((double)acc >= u) {
            s = i;
            break;
        }
    }
    *start = s;
    *end = subtree_end(nodes, s);
}

/* out = a[0:s) + b[bs:be) + a[e:len) */
static int splice(const jc_sr_program *a, uint32_t s, uint32_t e, const jc_sr_node *b, uint32_t bs, uint32_t be,
                  jc_sr_program *out)
{
    uint32_t len = s + (be - bs) + (a->len - e);
    int rc = jc_sr_program_reserve(out, len);
    if (rc)
        return rc;
    memcpy(out->nodes, a->nodes, s * sizeof *out->nodes);
    memcpy(out->nodes + s, b + bs, (be - bs) * sizeof *out->nodes);
    memcpy(out->nodes + s + (be - bs), a->nodes + e, (a->len - e) * sizeof *out->nodes);
    out->len = len;
    return JC_OK;
}

int jc_sr_crossover(const jc_sr_program *parent, const jc_sr_node *donor, uint32_t donor_len, jc_rng *rng,
                    jc_sr_program *out)
{
    uint32_t s, e, ds, de;
    jc_sr_get_subtree(parent->nodes, parent->len, rng, &s, &e);
    jc_sr_get_subtree(donor, donor_len, rng, &ds, &de);
    return splice(parent, s, e, donor, ds, de, out);
}

int jc_sr_subtree_mutation(const jc_sr_genetic *g, const jc_sr_program *parent, jc_rng *rng,
                           jc_sr_program *chicken, jc_sr_program *out)
{
    int rc = jc_sr_build_program(g, rng, chicken);
    if (rc)
        return rc;
    return jc_sr_crossover(parent, chicken->nodes, chicken->len, rng, out);
}

int jc_sr_hoist_mutation(const jc_sr_program *parent, jc_rng *rng, jc_sr_program *out)
{
    uint32_t s, e, ss, se;
    jc_sr_get_subtree(parent->nodes, parent->len, rng, &s, &e);
    jc_sr_get_subtree(parent->nodes + s, e - s, rng, &ss, &se);
    return splice(parent, s, e, parent->nodes + s, ss, se, out);
}

int jc_sr_point_mutation(const jc_sr_genetic *g, const jc_sr_program *parent, jc_rng *rng, jc_sr_program *out)
{
    int rc = jc_sr_program_copy(out, parent);
    if (rc)
        return rc;
    /* gplearn draws one uniform per node first, then replaces those below
     * p_point_replace; drawing and replacing in one pass would interleave
     * the streams differently but keeps the same distribution. */
    for (uint32_t i = 0; i < out->len; i++) {
        if (jc_rng_uniform(rng) >= g->p_point_replace)
            continue;
        jc_sr_node *nd = &out->nodes[i];
        if (nd->arity) {
            const uint8_t *same = g->by_arity[nd->arity];
            nd->op = same[jc_rng_below(rng, g->nby_arity[nd->arity])];
        } else {
            *nd = terminal(g, rng);
        }
    }
    return JC_OK;
}

int jc_sr_genetic_init(jc_sr_genetic *g, const jc_sr_options *o, size_t nfeatures)
{
    memset(g, 0, sizeof *g);
    g->nfeatures = nfeatures;
    g->constants = !o->const_range_none;
    g->const_lo = o->const_lo;
    g->const_hi = o->const_hi;
    g->depth_lo = o->init_depth_lo;
    g->depth_hi = o->init_depth_hi;
    g->init_method = o->init_method;
    g->p_point_replace = o->p_point_replace;
    for (int op = JC_SR_ADD; op < JC_SR_NOPS; op++) {
        if (!(o->function_set & (1u << op)))
            continue;
        int a = jc_sr_op_get((jc_sr_op)op)->arity;
        g->functions[g->nfunctions++] = (uint8_t)op;
        g->by_arity[a][g->nby_arity[a]++] = (uint8_t)op;
    }
    if (g->nfunctions == 0)
        return jc_fail(JC_ERR_INVALID, "function_set is empty");
    if (nfeatures == 0)
        return jc_fail(JC_ERR_INVALID, "no features");
    if (nfeatures > 65535)
        return jc_fail(JC_ERR_INVALID, "at most 65535 features (got %zu)", nfeatures);
    return JC_OK;
}
