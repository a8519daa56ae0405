/* Subtree cache (see subcache.h): 2-way set-associative, least recently
 * used of the two replaced, entries pinned while the program that loaded
 * or wrote them is being evaluated (its stack may point at them). */
#include <stdlib.h>
#include <string.h>

#include "sr/subcache.h"

/* Subtrees smaller than this are recomputed, not cached. 2 (a function of
 * one feature, sin(X1) say, is worth keeping) measured best of 2, 3, 4, 6. */
#ifndef JC_SR_CACHE_MIN_NODES
#define JC_SR_CACHE_MIN_NODES 2
#endif

int jc_sr_subcache_init(jc_sr_subcache *c, size_t n, size_t max_bytes)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    c->stride = (n + 7) & ~(size_t)7; /* whole cache lines: every vector 64-byte aligned */
    size_t per = c->stride * sizeof(double) + sizeof(jc_sr_cache_slot);
    size_t nsets = 32;
    while (2 * (2 * nsets) * per <= max_bytes)
        nsets *= 2;
    c->slot = calloc(2 * nsets, sizeof *c->slot);
    c->pool = aligned_alloc(64, 2 * nsets * c->stride * sizeof(double));
    if (!c->slot || !c->pool) {
        jc_sr_subcache_free(c);
        return jc_fail(JC_ERR_NOMEM, "out of memory for a subtree cache of %zu entries", 2 * nsets);
    }
    for (size_t k = 0; k < 2 * nsets; k++)
        c->slot[k].vec = c->pool + k * c->stride;
    c->nsets_mask = nsets - 1;
    return JC_OK;
}

void jc_sr_subcache_free(jc_sr_subcache *c)
{
    free(c->slot);
    free(c->pool);
    free(c->h);
    free(c->h2);
    free(c->size);
    free(c->istack);
    free(c->jump);
    free(c->hit);
    free(c->hasvar);
    memset(c, 0, sizeof *c);
}

/* realloc that leaves *p as it was on failure */
static int resize(void **p, size_t n, size_t elem)
{
    void *q = realloc(*p, n * elem);
    if (!q)
        return 1;
    *p = q;
    return 0;
}

static int grow_scratch(jc_sr_subcache *c, size_t len)
{
    if (len <= c->prog_cap)
        return JC_OK;
    size_t cap = c->prog_cap ? c->prog_cap : 64;
    while (cap < len)
        cap *= 2;
    if (resize((void **)&c->h, cap, sizeof *c->h) || resize((void **)&c->h2, cap, sizeof *c->h2) ||
        resize((void **)&c->size, cap, sizeof *c->size) || resize((void **)&c->istack, cap, sizeof *c->istack) ||
        resize((void **)&c->jump, cap, sizeof *c->jump) || resize((void **)&c->hit, cap, sizeof *c->hit) ||
        resize((void **)&c->hasvar, cap, sizeof *c->hasvar))
        return jc_fail(JC_ERR_NOMEM, "out of memory for a program of %zu nodes", len);
    c->prog_cap = cap;
    return JC_OK;
}

/* Two multiply-xorshift mixers with different constants: two hashes as
 * independent as two 64-bit functions of the same input can be. */
static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

static uint64_t mix2(uint64_t h, uint64_t v)
{
    h += v;
    h *= 0xc2b2ae3d27d4eb4full;
    h ^= h >> 31;
    return h * 0x165667b19e3779f9ull;
}

static jc_sr_cache_slot *find(jc_sr_subcache *c, uint64_t h, uint64_t h2, uint32_t len)
{
    jc_sr_cache_slot *set = &c->slot[2 * (h & c->nsets_mask)];
    for (int w = 0; w < 2; w++)
        if (set[w].hash == h && set[w].hash2 == h2 && set[w].len == len)
            return &set[w];
    return NULL;
}

int jc_sr_subcache_plan(jc_sr_subcache *c, const jc_sr_program *p)
{
    const uint32_t len = p->len;
    int rc = grow_scratch(c, len);
    if (rc)
        return rc;
    if (++c->stamp == 0) { /* wrapped: forget every pin */
        for (size_t k = 0; k <= 2 * c->nsets_mask + 1; k++)
            c->slot[k].stamp = 0;
        c->stamp = 1;
    }
    /* Right to left: every subtree's hash, length and feature use. */
    uint32_t top = 0;
    for (uint32_t i = len; i-- > 0;) {
        const jc_sr_node *nd = &p->nodes[i];
        uint64_t w = jc_sr_node_word(nd);
        uint64_t h = mix(0x243f6a8885a308d3ull, w), h2 = mix2(0x13198a2e03707344ull, w);
        if (nd->arity == 0) {
            if (nd->op == JC_SR_CONST) {
                /* the bits, not the value: -0.0 and 0.0 are different constants */
                uint64_t bits;
                memcpy(&bits, &nd->value, sizeof bits);
                h = mix(h, bits);
                h2 = mix2(h2, bits);
            }
            c->size[i] = 1;
            c->hasvar[i] = nd->op == JC_SR_VAR;
        } else if (nd->arity == 1) {
            uint32_t a = c->istack[--top];
            h = mix(h, c->h[a]);
            h2 = mix2(h2, c->h2[a]);
            c->size[i] = 1 + c->size[a];
            c->hasvar[i] = c->hasvar[a];
        } else {
            /* the order of the arguments matters: the second enters rotated */
            uint32_t a = c->istack[--top], b = c->istack[--top];
            h = mix(mix(h, c->h[a]), c->h[b] << 17 | c->h[b] >> 47);
            h2 = mix2(mix2(h2, c->h2[a]), c->h2[b] << 23 | c->h2[b] >> 41);
            c->size[i] = 1 + c->size[a] + c->size[b];
            c->hasvar[i] = c->hasvar[a] | c->hasvar[b];
        }
        c->h[i] = h;
        c->h2[i] = h2;
        c->istack[top++] = i;
        c->jump[i] = -1;
    }
    /* Left to right: the largest subtrees already cached. A function of a
     * feature is a vector; constant subtrees fold to scalars and are not
     * cached; a lone feature is a pointer already. */
    for (uint32_t i = 0; i < len;) {
        if (p->nodes[i].arity && c->hasvar[i] && c->size[i] >= JC_SR_CACHE_MIN_NODES) {
            c->lookups++;
            jc_sr_cache_slot *s = find(c, c->h[i], c->h2[i], c->size[i]);
            if (s) {
                c->hits++;
                s->stamp = c->stamp;
                c->hit[i] = s;
                c->jump[i + c->size[i] - 1] = (int32_t)i;
                i += c->size[i];
                continue;
            }
        }
        i++;
    }
    return JC_OK;
}

double *jc_sr_subcache_claim(jc_sr_subcache *c, uint32_t i)
{
    /* Small subtrees cost little to recompute and a cached write goes to
     * memory far from the evaluation's own hot scratch. */
    if (c->size[i] < JC_SR_CACHE_MIN_NODES)
        return NULL;
    jc_sr_cache_slot *set = &c->slot[2 * (c->h[i] & c->nsets_mask)];
    /* the unpinned way, the less recently used if both are free */
    jc_sr_cache_slot *s = NULL;
    for (int w = 0; w < 2; w++)
        if (set[w].stamp != c->stamp && (!s || set[w].stamp < s->stamp))
            s = &set[w];
    if (!s)
        return NULL;
    s->hash = c->h[i];
    s->hash2 = c->h2[i];
    s->len = c->size[i];
    s->stamp = c->stamp;
    return s->vec;
}
