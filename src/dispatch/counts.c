/* dispatch/counts.c: the minimal level-count vectors of a deadline: every
 * way to fill the hours with levels that finishes the job and where no
 * single hour could go one level down. Listed depth-first over the levels
 * from the fastest, pruning branches that cannot finish and stopping a
 * level's count as soon as it alone finishes (more would only overshoot).
 * hull.c turns them into cuts. */
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch_internal.h"

typedef struct {
    const double *rate;
    int K, D;
    double need;
    int n[64];
    int *out;
    size_t count, cap, max;
    int overflow;
} enum_state;

static void emit(enum_state *s, double prog)
{
    for (int k = 1; k <= s->K; k++)
        if (s->n[k] > 0 && prog - s->rate[k] + s->rate[k - 1] >= s->need)
            return; /* not minimal: one hour could go one level down */
    if (s->count == s->max) {
        s->overflow = 1;
        return;
    }
    if (s->count == s->cap) {
        size_t c = s->cap ? 2 * s->cap : 256;
        int *p = realloc(s->out, c * (size_t)s->K * sizeof *p);
        if (!p) {
            s->overflow = 1;
            return;
        }
        s->out = p;
        s->cap = c;
    }
    /* cumulative: N_k = hours at level >= k */
    int acc = 0;
    for (int k = s->K; k >= 1; k--) {
        acc += s->n[k];
        s->out[s->count * (size_t)s->K + (size_t)(k - 1)] = acc;
    }
    s->count++;
}

static void rec(enum_state *s, int k, int left, double prog)
{
    if (s->overflow)
        return;
    if (k == 0) {
        if (prog >= s->need)
            emit(s, prog);
        return;
    }
    for (int c = 0; c <= left; c++) {
        double p = prog + c * s->rate[k];
        if (p + (left - c) * s->rate[k - 1] < s->need)
            continue; /* the rest, at the next level down, cannot finish */
        s->n[k] = c;
        rec(s, k - 1, left - c, p);
        if (p >= s->need)
            break; /* more hours here only overshoot: not minimal */
    }
    s->n[k] = 0;
}

int jc_dispatch_minimal_counts(const double *rate, int K, int D, double need, size_t max, int **out, size_t *n)
{
    enum_state s;
    memset(&s, 0, sizeof s);
    s.rate = rate;
    s.K = K;
    s.D = D;
    s.need = need;
    s.max = max;
    rec(&s, K, D, 0.0);
    *out = s.out;
    *n = s.count;
    return s.overflow ? -1 : 0;
}
