/* Fitness memo: see memo.h. Programs are compared node for node after a
 * 64-bit hash match, so a hash collision can never hand a program someone
 * else's fitness. */
#include <stdlib.h>
#include <string.h>

#include "sr/memo.h"

int jc_sr_memo_init(jc_sr_memo *m, size_t max_entries)
{
    size_t cap = 64;
    while (cap < 2 * max_entries)
        cap *= 2;
    m->hash = malloc(cap * sizeof *m->hash);
    m->ind = calloc(cap, sizeof *m->ind);
    m->mask = cap - 1;
    if (!m->hash || !m->ind) {
        jc_sr_memo_free(m);
        return jc_fail(JC_ERR_NOMEM, "out of memory for a fitness memo of %zu programs", max_entries);
    }
    return JC_OK;
}

void jc_sr_memo_clear(jc_sr_memo *m)
{
    memset(m->ind, 0, (m->mask + 1) * sizeof *m->ind);
}

void jc_sr_memo_free(jc_sr_memo *m)
{
    free(m->hash);
    free(m->ind);
    memset(m, 0, sizeof *m);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xbf58476d1ce4e5b9ull;
}

uint64_t jc_sr_program_hash(const jc_sr_program *p)
{
    uint64_t h = p->len;
    for (uint32_t i = 0; i < p->len; i++) {
        const jc_sr_node *nd = &p->nodes[i];
        h = mix(h, jc_sr_node_word(nd));
        if (nd->op == JC_SR_CONST) {
            uint64_t bits;
            memcpy(&bits, &nd->value, sizeof bits);
            h = mix(h, bits);
        }
    }
    return h ^ (h >> 31);
}

static int same_program(const jc_sr_program *a, const jc_sr_program *b)
{
    if (a->len != b->len)
        return 0;
    for (uint32_t i = 0; i < a->len; i++)
        if (!jc_sr_node_same(&a->nodes[i], &b->nodes[i]))
            return 0;
    return 1;
}

const jc_sr_indiv *jc_sr_memo_find(const jc_sr_memo *m, uint64_t h, const jc_sr_program *p)
{
    for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
        if (!m->ind[i])
            return NULL;
        if (m->hash[i] == h && same_program(&m->ind[i]->prog, p))
            return m->ind[i];
    }
}

const jc_sr_indiv *jc_sr_memo_insert(jc_sr_memo *m, uint64_t h, const jc_sr_indiv *ind)
{
    size_t i = h & m->mask;
    for (;; i = (i + 1) & m->mask) {
        if (!m->ind[i])
            break;
        if (m->hash[i] == h && same_program(&m->ind[i]->prog, &ind->prog))
            return m->ind[i];
    }
    m->hash[i] = h;
    m->ind[i] = ind;
    return ind;
}
