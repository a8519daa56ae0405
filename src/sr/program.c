/* Programs as flat prefix arrays: ownership, copying, depth and validity.
 * Prefix order is gplearn's; a subtree is a contiguous slice, which is what
 * makes crossover and mutation simple array splices. */
#include <stdlib.h>
#include <string.h>

#include "sr/sr_internal.h"

void jc_sr_program_free(jc_sr_program *p)
{
    if (!p)
        return;
    free(p->nodes);
    memset(p, 0, sizeof *p);
}

int jc_sr_program_reserve(jc_sr_program *p, uint32_t len)
{
    if (len <= p->cap)
        return JC_OK;
    uint32_t cap = p->cap ? p->cap : 16;
    while (cap < len)
        cap *= 2;
    jc_sr_node *n = realloc(p->nodes, (size_t)cap * sizeof *n);
    if (!n)
        return jc_fail(JC_ERR_NOMEM, "out of memory for a program of %u nodes", len);
    p->nodes = n;
    p->cap = cap;
    return JC_OK;
}

int jc_sr_program_copy(jc_sr_program *dst, const jc_sr_program *src)
{
    int rc = jc_sr_program_reserve(dst, src->len ? src->len : 1);
    if (rc)
        return rc;
    memcpy(dst->nodes, src->nodes, (size_t)src->len * sizeof *src->nodes);
    dst->len = src->len;
    return JC_OK;
}

int jc_sr_program_depth(const jc_sr_program *p)
{
    /* gplearn's depth: a lone terminal has depth 0. Walk with a stack of
     * remaining-children counts. */
    int *stack = malloc(((size_t)p->len + 1) * sizeof *stack);
    if (!stack)
        return -1;
    int top = 0, depth = 0;
    for (uint32_t i = 0; i < p->len; i++) {
        int arity = p->nodes[i].arity;
        if (top > depth)
            depth = top;
        if (arity > 0) {
            stack[top++] = arity;
        } else {
            while (top > 0 && --stack[top - 1] == 0)
                top--;
        }
    }
    free(stack);
    return depth;
}

int jc_sr_program_valid(const jc_sr_program *p, size_t nfeatures)
{
    if (!p || p->len == 0)
        return 0;
    /* need = open argument slots; a tree fills exactly one, ending at the last node. */
    long need = 1;
    for (uint32_t i = 0; i < p->len; i++) {
        const jc_sr_node *nd = &p->nodes[i];
        if (need <= 0 || nd->op >= JC_SR_NOPS)
            return 0;
        const jc_sr_op_info *info = jc_sr_op_get((jc_sr_op)nd->op);
        if (info->arity != nd->arity)
            return 0;
        if (nd->op == JC_SR_VAR && nd->var >= nfeatures)
            return 0;
        need += nd->arity - 1;
    }
    return need == 0;
}
