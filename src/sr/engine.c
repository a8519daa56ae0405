/* The evolutionary loop of gplearn's SymbolicRegressor: a population evolved
 * generation by generation by tournament selection on penalised fitness and
 * the genetic operators chosen by cumulative probability; raw fitness in-bag
 * and out-of-bag (max_samples < 1); parsimony fixed or 'auto'; early stop on
 * stopping_criteria; the final program is the best raw fitness of the last
 * generation.
 *
 * Differences from gplearn, on purpose:
 * - A program whose predictions are not all finite gets fitness +inf and can
 *   never win a tournament or be the final program. (gplearn lets NaN
 *   through: numpy's argmin returns a NaN as the minimum, so one NaN program
 *   can win a tournament or even become the final program.) 'auto' parsimony
 *   is computed over the finite programs only, where gplearn's becomes NaN.
 * - Every child of generation g draws from its own random stream
 *   jc_rng_split(stream of g, child index), so the result does not depend on
 *   the number of threads (gplearn splits the population into n_jobs chunks
 *   with their own seeds, so its result changes with n_jobs).
 * The streams are this project's, not numpy's: the same seed does not give
 * gplearn's program, only the same algorithm. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "sr/extras.h"
#include "sr/genetic.h"
#include "sr/memo.h"
#include "sr/subcache.h"

typedef jc_sr_indiv indiv;

/* Each thread's subtree cache: about its core's L2 (a few hundred subtrees
 * of a few hundred rows), which holds a popular parent's subtrees while its
 * children are evaluated. Measured on 367 rows x 6 features at the seed's
 * setting: 2 MB beat 1, 4, 6, 8, 24 and 64 MB (bigger ones spill to L3 and
 * cost more in writes than they give back in hits). */
#ifndef JC_SR_CACHE_BYTES
#define JC_SR_CACHE_BYTES ((size_t)2 << 20)
#endif

/* Per-thread scratch, reused for every program the thread handles. */
typedef struct {
    jc_sr_evaluator ev;
    double *pred;       /* n */
    uint32_t *bag;      /* the drawn rows: min(in-bag, out-of-bag) of them */
    uint64_t *bits;     /* n bits: rows already drawn */
    double *w;          /* n: 1 in-bag, 0 out-of-bag (for the extras only) */
    jc_sr_program chicken;
    jc_sr_subcache cache; /* values of recent subtrees; unused when cache.slot is NULL */
} scratch;

/* The rows a program is scored on: the listed rows are its in-bag rows
 * (in_listed) or its out-of-bag rows, whichever are fewer. */
typedef struct {
    const uint32_t *idx;
    size_t m;
    int in_listed;
} bag_t;

typedef struct {
    const double *X, *y;
    size_t n, p, n_inbag;
    const jc_sr_options *o;
    jc_sr_genetic g;
} context;

void jc_sr_options_default(jc_sr_options *o)
{
    memset(o, 0, sizeof *o);
    o->population_size = 1000;
    o->generations = 20;
    o->tournament_size = 20;
    o->stopping_criteria = 0.0;
    o->const_lo = -1.0;
    o->const_hi = 1.0;
    o->init_depth_lo = 2;
    o->init_depth_hi = 6;
    o->init_method = JC_SR_INIT_HALF_AND_HALF;
    o->function_set = 1u << JC_SR_ADD | 1u << JC_SR_SUB | 1u << JC_SR_MUL | 1u << JC_SR_DIV;
    o->metric = JC_SR_MAE;
    o->parsimony_coefficient = 0.001;
    o->p_crossover = 0.9;
    o->p_subtree_mutation = 0.01;
    o->p_hoist_mutation = 0.01;
    o->p_point_mutation = 0.01;
    o->p_point_replace = 0.05;
    o->max_samples = 1.0;
    o->lm_iterations = 20;
}

int jc_sr_options_check(const jc_sr_options *o)
{
    if (o->population_size < 1)
        return jc_fail(JC_ERR_INVALID, "population_size must be at least 1 (got %d)", o->population_size);
    if (o->generations < 1)
        return jc_fail(JC_ERR_INVALID, "generations must be at least 1 (got %d)", o->generations);
    if (o->tournament_size < 1 || o->tournament_size > o->population_size)
        return jc_fail(JC_ERR_INVALID, "tournament_size must be from 1 to population_size (got %d)",
                       o->tournament_size);
    if (o->init_depth_lo < 1 || o->init_depth_hi <= o->init_depth_lo || o->init_depth_hi > 60)
        return jc_fail(JC_ERR_INVALID, "init_depth must be (lo, hi) with 1 <= lo < hi <= 60 (got (%d, %d))",
                       o->init_depth_lo, o->init_depth_hi);
    if (!o->const_range_none && !(o->const_lo <= o->const_hi))
        return jc_fail(JC_ERR_INVALID, "const_range must be (lo, hi) with lo <= hi");
    double probs[] = {o->p_crossover, o->p_subtree_mutation, o->p_hoist_mutation, o->p_point_mutation};
    double sum = 0;
    for (int i = 0; i < 4; i++) {
        if (!(probs[i] >= 0 && probs[i] <= 1))
            return jc_fail(JC_ERR_INVALID, "genetic operator probabilities must be in [0, 1]");
        sum += probs[i];
    }
    /* gplearn: "The sum of p_crossover, p_subtree_mutation, p_hoist_mutation
     * and p_point_mutation should total to 1.0 or less." */
    if (sum > 1.0 + 1e-12)
        return jc_fail(JC_ERR_INVALID, "p_crossover + p_subtree_mutation + p_hoist_mutation + p_point_mutation = %g, must be at most 1", sum);
    if (!(o->p_point_replace >= 0 && o->p_point_replace <= 1))
        return jc_fail(JC_ERR_INVALID, "p_point_replace must be in [0, 1]");
    if (!(o->max_samples > 0 && o->max_samples <= 1))
        return jc_fail(JC_ERR_INVALID, "max_samples must be in (0, 1] (got %g)", o->max_samples);
    if (!o->parsimony_auto && !(o->parsimony_coefficient >= 0))
        return jc_fail(JC_ERR_INVALID, "parsimony_coefficient must be >= 0 or auto");
    if ((unsigned)o->metric > JC_SR_RMSE)
        return jc_fail(JC_ERR_INVALID, "unknown metric");
    if (o->n_jobs < 0)
        return jc_fail(JC_ERR_INVALID, "n_jobs must be >= 0 (0: all cores)");
    return JC_OK;
}

/* ---- fitness ---- */

static double metric_value(jc_sr_metric m, double sum, double w)
{
    if (w <= 0)
        return NAN;
    double v = sum / w;
    return m == JC_SR_RMSE ? sqrt(v) : v;
}

/* 0/1 in-bag weights from a bag (the extras work with weights). */
static const double *bag_weights(const context *c, scratch *s, const bag_t *bag)
{
    if (!bag)
        return NULL;
    double fill = bag->in_listed ? 0.0 : 1.0;
    for (size_t i = 0; i < c->n; i++)
        s->w[i] = fill;
    for (size_t k = 0; k < bag->m; k++)
        s->w[bag->idx[k]] = 1.0 - fill;
    return s->w;
}

/* Evaluate a program on all rows, then its in-bag and out-of-bag error from
 * one pass: the error over all rows and over the few listed ones. With
 * linear scaling the in-bag least-squares a + b * f is applied first. */
static int evaluate(const context *c, scratch *s, indiv *ind, const bag_t *bag)
{
    const size_t n = c->n;
    if (s->cache.slot) {
        int rc = jc_sr_eval_cached(&s->ev, &s->cache, &ind->prog, c->X, s->pred);
        if (rc)
            return rc;
    } else {
        for (size_t r = 0; r < n; r += JC_SR_BLOCK) {
            size_t m = n - r < JC_SR_BLOCK ? n - r : JC_SR_BLOCK;
            int rc = jc_sr_eval_block(&s->ev, &ind->prog, c->X, n, r, m, s->pred + r);
            if (rc)
                return rc;
        }
    }
    double a = 0, b = 1;
    if (c->o->linear_scaling)
        jc_sr_linear_scaling(s->pred, c->y, bag_weights(c, s, bag), n, &a, &b);
    const int squared = c->o->metric != JC_SR_MAE;
    double all = jc_sr_error_total(s->pred, c->y, n, a, b, squared);
    double listed = bag ? jc_sr_error_at(s->pred, c->y, bag->idx, bag->m, a, b, squared) : 0;
    ind->a = a;
    ind->b = b;
    if (!isfinite(all)) {
        /* Some prediction is not finite: never a winner (see the top). */
        ind->raw = ind->oob = INFINITY;
        return JC_OK;
    }
    if (!bag) {
        ind->raw = metric_value(c->o->metric, all, (double)n);
        ind->oob = NAN;
    } else {
        double s_in = bag->in_listed ? listed : all - listed, s_out = bag->in_listed ? all - listed : listed;
        if (s_in < 0)
            s_in = 0; /* rounding in the subtraction */
        if (s_out < 0)
            s_out = 0;
        ind->raw = metric_value(c->o->metric, s_in, (double)c->n_inbag);
        ind->oob = metric_value(c->o->metric, s_out, (double)(n - c->n_inbag));
    }
    if (!isfinite(ind->raw))
        ind->raw = INFINITY;
    return JC_OK;
}

/* k of n rows in-bag, uniformly: draw the smaller side (for max_samples 0.9,
 * the 10% left out) by rejection against a bitmap, so a draw costs about
 * min(k, n-k) random numbers and no pass over all rows. */
static void draw_bag(jc_rng *rng, size_t n, size_t k, scratch *s, bag_t *bag)
{
    int in_listed = k <= n - k;
    size_t m = in_listed ? k : n - k;
    memset(s->bits, 0, ((n + 63) / 64) * sizeof *s->bits);
    for (size_t j = 0; j < m; j++) {
        uint64_t r;
        do
            r = jc_rng_below(rng, n);
        while (s->bits[r / 64] >> (r % 64) & 1);
        s->bits[r / 64] |= 1ull << (r % 64);
        s->bag[j] = (uint32_t)r;
    }
    bag->idx = s->bag;
    bag->m = m;
    bag->in_listed = in_listed;
}

/* The calling thread's scratch (inside an OpenMP loop). */
static scratch *my_scratch(scratch *sc)
{
#ifdef _OPENMP
    return &sc[omp_get_thread_num()];
#else
    return &sc[0];
#endif
}

/* Errors inside a parallel loop: the first one stops the remaining
 * iterations (OpenMP loops cannot break). */
static int failed_already(const int *err)
{
    return __atomic_load_n(err, __ATOMIC_RELAXED);
}

static void fail_loop(int *err, int rc)
{
    __atomic_store_n(err, rc, __ATOMIC_RELAXED);
}

/* fit: the parents' penalised fitness, dense (a tournament touches 20
 * random members; a compact array keeps them in cache). */
static size_t tournament(const double *fit, size_t npop, int size, jc_rng *rng)
{
    size_t best = jc_rng_below(rng, npop);
    for (int k = 1; k < size; k++) {
        size_t c = jc_rng_below(rng, npop);
        /* strict <: the first contender wins ties, as numpy's argmin */
        if (fit[c] < fit[best])
            best = c;
    }
    return best;
}

/* Build one child of the generation. Its parent (the first tournament's
 * winner; SIZE_MAX for a new random program) orders the evaluations, so
 * that children sharing most of a tree run one after another through the
 * same thread's subtree cache. */
static int make_child(const context *c, scratch *s, const indiv *parents, const double *fit, size_t npop,
                      jc_rng *rng, indiv *child, size_t *parent_out)
{
    const jc_sr_options *o = c->o;
    int rc;
    *parent_out = SIZE_MAX;
    if (!parents) {
        rc = jc_sr_build_program(&c->g, rng, &child->prog);
    } else {
        size_t ip = tournament(fit, npop, o->tournament_size, rng);
        const indiv *parent = &parents[ip];
        *parent_out = ip;
        double u = jc_rng_uniform(rng);
        double p1 = o->p_crossover, p2 = p1 + o->p_subtree_mutation, p3 = p2 + o->p_hoist_mutation,
               p4 = p3 + o->p_point_mutation;
        if (u < p1) {
            const indiv *donor = &parents[tournament(fit, npop, o->tournament_size, rng)];
            rc = jc_sr_crossover(&parent->prog, donor->prog.nodes, donor->prog.len, rng, &child->prog);
        } else if (u < p2) {
            rc = jc_sr_subtree_mutation(&c->g, &parent->prog, rng, &s->chicken, &child->prog);
        } else if (u < p3) {
            rc = jc_sr_hoist_mutation(&parent->prog, rng, &child->prog);
        } else if (u < p4) {
            rc = jc_sr_point_mutation(&c->g, &parent->prog, rng, &child->prog);
        } else {
            rc = jc_sr_program_copy(&child->prog, &parent->prog);
        }
    }
    /* the stream its in-bag rows are drawn from (score_child) */
    child->bag_rng = *rng;
    return rc;
}

/* Raw (and out-of-bag) fitness of a child made by make_child. */
static int score_child(const context *c, scratch *s, indiv *child)
{
    bag_t bag, *bp = NULL;
    if (c->n_inbag < c->n) {
        jc_rng rng = child->bag_rng;
        draw_bag(&rng, c->n, c->n_inbag, s, &bag);
        bp = &bag;
    }
    return evaluate(c, s, child, bp);
}

static int cmp_raw(const void *a, const void *b)
{
    double x = (*(indiv *const *)a)->raw, y = (*(indiv *const *)b)->raw;
    return (x > y) - (x < y);
}

/* Opt-in: Levenberg-Marquardt on the constants of the best programs of the
 * generation, on their own in-bag rows, then their fitness again. */
static int optimize_best(const context *c, scratch *sc, int nthreads, indiv *pop, size_t npop, double *node_evals)
{
    size_t k = (size_t)c->o->optimize_constants;
    if (k > npop)
        k = npop;
    indiv **order = malloc(npop * sizeof *order);
    if (!order)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < npop; i++)
        order[i] = &pop[i];
    qsort(order, npop, sizeof *order, cmp_raw);
    int err = 0;
    double evals = 0;
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1) reduction(+ : evals)
    for (size_t j = 0; j < k; j++) {
        scratch *s = my_scratch(sc);
        indiv *ind = order[j];
        if (!isfinite(ind->raw))
            continue;
        jc_rng rng = ind->bag_rng;
        bag_t bag, *bp = NULL;
        if (c->n_inbag < c->n) {
            draw_bag(&rng, c->n, c->n_inbag, s, &bag);
            bp = &bag;
        }
        double used = 0;
        int r = jc_sr_lm_optimize(&ind->prog, c->X, c->y, bag_weights(c, s, bp), c->n, c->o->lm_iterations,
                                  c->o->linear_scaling, &s->ev, &used);
        if (!r)
            r = evaluate(c, s, ind, bp);
        evals += used + (double)ind->prog.len * (double)c->n;
        if (r)
            fail_loop(&err, r);
    }
    free(order);
    *node_evals += evals;
    return err;
}

double jc_sr_auto_parsimony(const double *length, const double *raw, size_t n)
{
    /* gplearn: np.cov(length, fitness)[1, 0] / np.var(length): the
     * covariance with ddof = 1 over the variance with ddof = 0. Kept, over
     * the programs with a finite fitness (see the top). */
    double ml = 0, mf = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(raw[i])) {
            ml += length[i];
            mf += raw[i];
            k++;
        }
    if (k < 2)
        return 0;
    ml /= (double)k;
    mf /= (double)k;
    double cov = 0, var = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(raw[i])) {
            double dl = length[i] - ml;
            cov += dl * (raw[i] - mf);
            var += dl * dl;
        }
    cov /= (double)(k - 1);
    var /= (double)k;
    return var > 0 ? cov / var : 0;
}

/* Penalised fitness for the whole generation (needs all raw fitnesses for
 * 'auto'). */
static int penalise(const jc_sr_options *o, indiv *pop, size_t npop)
{
    double coef = o->parsimony_coefficient;
    if (o->parsimony_auto) {
        double *len = malloc(2 * npop * sizeof *len);
        if (!len)
            return jc_fail(JC_ERR_NOMEM, "out of memory");
        double *raw = len + npop;
        for (size_t i = 0; i < npop; i++) {
            len[i] = pop[i].prog.len;
            raw[i] = pop[i].raw;
        }
        coef = jc_sr_auto_parsimony(len, raw, npop);
        free(len);
    }
    for (size_t i = 0; i < npop; i++)
        pop[i].fit = isfinite(pop[i].raw) ? pop[i].raw + coef * pop[i].prog.len : INFINITY;
    return JC_OK;
}

static void free_pop(indiv *pop, size_t n)
{
    if (!pop)
        return;
    for (size_t i = 0; i < n; i++)
        jc_sr_program_free(&pop[i].prog);
    free(pop);
}

static int threads_for(const jc_sr_options *o)
{
#ifdef _OPENMP
    return o->n_jobs > 0 ? o->n_jobs : omp_get_max_threads();
#else
    (void)o;
    return 1;
#endif
}

/* Scratch of the breeding, kept across generations. */
typedef struct {
    int use_memo;       /* every row in-bag: a fitness is a function of the program */
    jc_sr_memo parents; /* the previous generation's programs */
    jc_sr_memo fresh;   /* this generation's distinct programs */
    uint64_t *hash;     /* per child */
    const indiv **seen; /* per child: a parent with the same program, or NULL */
    int64_t *same_as;   /* per child: an earlier child with the same program, or -1 */
    size_t *parent;     /* per child: its parent (SIZE_MAX: none) */
    uint32_t *todo;     /* children to evaluate */
    uint32_t *sorted;   /* the same, grouped by parent */
    uint32_t *count;    /* npop + 2: counting sort by parent */
} breed_work;

static void copy_fitness(indiv *dst, const indiv *src)
{
    dst->raw = src->raw;
    dst->oob = src->oob;
    dst->a = src->a;
    dst->b = src->b;
}

/* One generation, in three steps: build every child (in parallel); with
 * the memo, look each up among the parents and the children before it
 * (serial: a few hash probes per child against the evaluation's program
 * length x rows); evaluate the rest in parallel, children of one parent one
 * after another, then hand the fitness to the copies. The children and
 * their fitness do not depend on the threads, the memo or the cache. */
static int breed(const context *c, scratch *sc, int nthreads, const jc_rng *gen_rng, const indiv *parents,
                 const double *fitness, size_t npop, indiv *next, breed_work *w, double *node_evals,
                 double *evaluated, double *memoised)
{
    int err = 0;
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 64)
    for (size_t i = 0; i < npop; i++) {
        if (failed_already(&err))
            continue;
        scratch *s = my_scratch(sc);
        jc_rng rng;
        jc_rng_split(gen_rng, i, &rng);
        int r = make_child(c, s, parents, fitness, npop, &rng, &next[i], &w->parent[i]);
        if (r) {
            fail_loop(&err, r);
            continue;
        }
        if (w->use_memo) {
            w->hash[i] = jc_sr_program_hash(&next[i].prog);
            w->seen[i] = parents ? jc_sr_memo_find(&w->parents, w->hash[i], &next[i].prog) : NULL;
        }
    }
    if (err)
        return err;
    /* Which children to evaluate; every child enters `fresh`, the next
     * generation's parent memo. */
    size_t ntodo = 0;
    if (w->use_memo)
        jc_sr_memo_clear(&w->fresh);
    for (size_t i = 0; i < npop; i++) {
        w->same_as[i] = -1;
        if (!w->use_memo) {
            w->todo[ntodo++] = (uint32_t)i;
            continue;
        }
        const indiv *first = jc_sr_memo_insert(&w->fresh, w->hash[i], &next[i]);
        if (w->seen[i])
            copy_fitness(&next[i], w->seen[i]);
        else if (first == &next[i])
            w->todo[ntodo++] = (uint32_t)i;
        else
            w->same_as[i] = first - next;
    }
    /* Group by parent (counting sort, stable). */
    memset(w->count, 0, (npop + 2) * sizeof *w->count);
    for (size_t k = 0; k < ntodo; k++) {
        size_t pa = w->parent[w->todo[k]];
        w->count[(pa == SIZE_MAX ? npop : pa) + 1]++;
    }
    for (size_t b = 1; b < npop + 2; b++)
        w->count[b] += w->count[b - 1];
    uint32_t *sorted = w->sorted;
    for (size_t k = 0; k < ntodo; k++) {
        size_t pa = w->parent[w->todo[k]];
        sorted[w->count[pa == SIZE_MAX ? npop : pa]++] = w->todo[k];
    }
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 64)
    for (size_t k = 0; k < ntodo; k++) {
        if (failed_already(&err))
            continue;
        scratch *s = my_scratch(sc);
        indiv *child = &next[sorted[k]];
        if (k + 1 < ntodo) {
            /* the next program was built a while ago, maybe on the other
             * core: fetch its nodes while this one runs */
            const jc_sr_program *np = &next[sorted[k + 1]].prog;
            for (uint32_t b = 0; b < np->len; b += 4)
                __builtin_prefetch(np->nodes + b);
        }
        int r = score_child(c, s, child);
        if (r)
            fail_loop(&err, r);
    }
    if (err)
        return err;
    for (size_t i = 0; i < npop; i++)
        if (w->same_as[i] >= 0)
            copy_fitness(&next[i], &next[w->same_as[i]]);
    /* Counted for every child, from the memo or not: node evaluations are
     * the work a plain evaluator would do, so their rate is comparable. */
    double evals = 0;
    for (size_t i = 0; i < npop; i++)
        evals += (double)next[i].prog.len * (double)c->n;
    *node_evals += evals;
    *evaluated += (double)ntodo;
    *memoised += (double)(npop - ntodo);
    return JC_OK;
}

/* The generation just made becomes the parents the memo looks up: the
 * `fresh` table holds every child already, unless constant optimisation
 * changed some programs since, and then it is built again. */
static void memo_remember(breed_work *w, const indiv *pop, size_t npop, int programs_changed)
{
    jc_sr_memo t = w->parents;
    w->parents = w->fresh;
    w->fresh = t;
    if (!programs_changed)
        return;
    jc_sr_memo_clear(&w->parents);
    for (size_t i = 0; i < npop; i++)
        jc_sr_memo_insert(&w->parents, jc_sr_program_hash(&pop[i].prog), &pop[i]);
}

static void breed_work_free(breed_work *w)
{
    jc_sr_memo_free(&w->parents);
    jc_sr_memo_free(&w->fresh);
    free(w->hash);
    free(w->seen);
    free(w->same_as);
    free(w->parent);
    free(w->todo);
    free(w->sorted);
    free(w->count);
    memset(w, 0, sizeof *w);
}

static int breed_work_init(breed_work *w, size_t npop, int use_memo)
{
    memset(w, 0, sizeof *w);
    w->use_memo = use_memo;
    w->hash = malloc(npop * sizeof *w->hash);
    w->seen = malloc(npop * sizeof *w->seen);
    w->same_as = malloc(npop * sizeof *w->same_as);
    w->parent = malloc(npop * sizeof *w->parent);
    w->todo = malloc(npop * sizeof *w->todo);
    w->sorted = malloc(npop * sizeof *w->sorted);
    w->count = malloc((npop + 2) * sizeof *w->count);
    int rc = !w->hash || !w->seen || !w->same_as || !w->parent || !w->todo || !w->sorted || !w->count
                 ? jc_fail(JC_ERR_NOMEM, "out of memory")
                 : JC_OK;
    if (!rc && use_memo)
        rc = jc_sr_memo_init(&w->parents, npop);
    if (!rc && use_memo)
        rc = jc_sr_memo_init(&w->fresh, npop);
    if (rc)
        breed_work_free(w);
    return rc;
}

int jc_sr_fit(const double *X, const double *y, size_t n, size_t p, const char *const *feature_names,
              const jc_sr_options *opts, jc_sr_progress_fn progress, void *user, jc_sr_model *out)
{
    memset(out, 0, sizeof *out);
    jc_sr_options defaults;
    if (!opts) {
        jc_sr_options_default(&defaults);
        opts = &defaults;
    }
    int rc = jc_sr_options_check(opts);
    if (rc)
        return rc;
    if (n < 2)
        return jc_fail(JC_ERR_EMPTY, "need at least 2 rows to fit (got %zu)", n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return jc_fail(JC_ERR_INVALID, "target row %zu is not a finite number", i + 1);
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < n; i++)
            if (!isfinite(X[j * n + i]))
                return jc_fail(JC_ERR_INVALID, "feature %zu, row %zu is not a finite number", j + 1, i + 1);
    context c = {.X = X, .y = y, .n = n, .p = p, .o = opts};
    rc = jc_sr_genetic_init(&c.g, opts, p);
    if (rc)
        return rc;
    c.n_inbag = (size_t)(opts->max_samples * (double)n);
    if (c.n_inbag < 1)
        c.n_inbag = 1;
    const size_t npop = (size_t)opts->population_size;
    const int nthreads = threads_for(opts);
    breed_work bw = {0};
    indiv *cur = calloc(npop, sizeof *cur), *next = calloc(npop, sizeof *next);
    double *fitness = malloc(npop * sizeof *fitness);
    scratch *sc = calloc((size_t)nthreads, sizeof *sc);
    out->history = calloc((size_t)opts->generations, sizeof *out->history);
    if (!cur || !next || !fitness || !sc || !out->history) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory for a population of %zu", npop);
        goto done;
    }
    /* Room for typical programs in every slot up front: growing 30000 small
     * buffers one realloc at a time costs page faults all through the run. */
    for (size_t i = 0; i < npop; i++)
        if (jc_sr_program_reserve(&cur[i].prog, 64) || jc_sr_program_reserve(&next[i].prog, 64)) {
            rc = JC_ERR_NOMEM;
            goto done;
        }
    for (int t = 0; t < nthreads; t++) {
        sc[t].pred = malloc(n * sizeof *sc[t].pred);
        sc[t].w = malloc(n * sizeof *sc[t].w);
        sc[t].bag = malloc(n * sizeof *sc[t].bag);
        sc[t].bits = malloc(((n + 63) / 64) * sizeof *sc[t].bits);
        if (!sc[t].pred || !sc[t].w || !sc[t].bag || !sc[t].bits) {
            rc = jc_fail(JC_ERR_NOMEM, "out of memory");
            goto done;
        }
        if (!opts->no_reuse && (rc = jc_sr_subcache_init(&sc[t].cache, n, JC_SR_CACHE_BYTES)))
            goto done;
    }
    /* The memo needs a program's fitness to depend on the program alone:
     * no per-child row sample. */
    if ((rc = breed_work_init(&bw, npop, !opts->no_reuse && c.n_inbag == n)))
        goto done;
    jc_rng root;
    jc_rng_seed(&root, opts->random_state);
    double t_fit = jc_now_monotonic(), node_evals = 0, evaluated = 0, memoised = 0;
    jc_sr_pareto archive = {0};
    for (int gen = 0; gen < opts->generations; gen++) {
        double t0 = jc_now_monotonic();
        jc_rng gen_rng;
        jc_rng_split(&root, (uint64_t)gen, &gen_rng);
        const indiv *parents = gen == 0 ? NULL : cur;
        for (size_t i = 0; gen > 0 && i < npop; i++)
            fitness[i] = cur[i].fit;
        rc = breed(&c, sc, nthreads, &gen_rng, parents, fitness, npop, next, &bw, &node_evals, &evaluated,
                   &memoised);
        if (rc)
            goto done;
        if (opts->optimize_constants > 0) {
            rc = optimize_best(&c, sc, nthreads, next, npop, &node_evals);
            if (rc)
                goto done;
        }
        rc = penalise(opts, next, npop);
        if (rc)
            goto done;
        indiv *tmp = cur;
        cur = next;
        next = tmp;
        if (bw.use_memo)
            memo_remember(&bw, cur, npop, opts->optimize_constants > 0);
        /* Generation statistics (finite programs only). */
        jc_sr_generation *h = &out->history[gen];
        h->generation = gen;
        double best = INFINITY, sum = 0, len = 0;
        size_t k = 0, ibest = 0;
        for (size_t i = 0; i < npop; i++) {
            len += cur[i].prog.len;
            if (!isfinite(cur[i].raw))
                continue;
            sum += cur[i].raw;
            k++;
            if (cur[i].raw < best) {
                best = cur[i].raw;
                ibest = i;
            }
        }
        h->best_raw_fitness = best;
        h->mean_raw_fitness = k ? sum / (double)k : INFINITY;
        h->best_oob_fitness = cur[ibest].oob;
        h->mean_length = len / (double)npop;
        h->seconds = jc_now_monotonic() - t0;
        out->ngenerations = (size_t)gen + 1;
        if (opts->pareto_front) {
            rc = jc_sr_pareto_add(&archive, cur, npop);
            if (rc)
                goto done;
        }
        if (progress && progress(h, opts->generations, user))
            break;
        if (best <= opts->stopping_criteria)
            break;
    }
    /* The final program: best raw fitness of the last generation. */
    size_t best = 0;
    for (size_t i = 1; i < npop; i++)
        if (cur[i].raw < cur[best].raw)
            best = i;
    if (!isfinite(cur[best].raw)) {
        rc = jc_fail(JC_ERR_INTERNAL, "no program with a finite fitness in the last generation");
        goto done;
    }
    rc = jc_sr_program_copy(&out->program, &cur[best].prog);
    if (rc)
        goto done;
    out->raw_fitness = cur[best].raw;
    out->oob_fitness = cur[best].oob;
    out->scale_a = cur[best].a;
    out->scale_b = cur[best].b;
    out->options = *opts;
    out->nfeatures = p;
    out->feature_names = calloc(p ? p : 1, sizeof *out->feature_names);
    if (!out->feature_names) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < p; j++) {
        char buf[32];
        snprintf(buf, sizeof buf, "X%zu", j);
        out->feature_names[j] = jc_strdup(feature_names && feature_names[j] ? feature_names[j] : buf);
    }
    out->node_evaluations = node_evals;
    out->programs_evaluated = evaluated;
    out->programs_memoised = memoised;
    out->fit_seconds = jc_now_monotonic() - t_fit;
    if (opts->pareto_front)
        jc_sr_pareto_take(&archive, &out->pareto, &out->npareto);
    jc_sr_pareto_free(&archive);
done:
    breed_work_free(&bw);
    free_pop(cur, npop);
    free_pop(next, npop);
    free(fitness);
    if (sc)
        for (int t = 0; t < nthreads; t++) {
            jc_sr_evaluator_free(&sc[t].ev);
            free(sc[t].pred);
            free(sc[t].w);
            free(sc[t].bag);
            free(sc[t].bits);
            jc_sr_program_free(&sc[t].chicken);
            jc_sr_subcache_free(&sc[t].cache);
        }
    free(sc);
    if (rc)
        jc_sr_model_free(out);
    return rc;
}

int jc_sr_predict(const jc_sr_model *m, const double *X, size_t n, size_t ld, double *out)
{
    if (!m || m->program.len == 0)
        return jc_fail(JC_ERR_INVALID, "no fitted program");
    int rc = jc_sr_program_eval(&m->program, X, n, ld, out);
    if (rc)
        return rc;
    if (m->scale_a != 0 || m->scale_b != 1)
        for (size_t i = 0; i < n; i++)
            out[i] = m->scale_a + m->scale_b * out[i];
    return JC_OK;
}

void jc_sr_model_free(jc_sr_model *m)
{
    if (!m)
        return;
    jc_sr_program_free(&m->program);
    if (m->feature_names)
        for (size_t j = 0; j < m->nfeatures; j++)
            free(m->feature_names[j]);
    free(m->feature_names);
    free(m->target_name);
    free(m->history);
    for (size_t i = 0; i < m->npareto; i++)
        jc_sr_program_free(&m->pareto[i].program);
    free(m->pareto);
    memset(m, 0, sizeof *m);
}
