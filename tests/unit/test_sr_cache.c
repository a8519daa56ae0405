/* sr speed-ups that must not change a result: the subtree cache gives the
 * block evaluator's values bit for bit (programs that share subtrees, a warm
 * cache, rows fewer and more than a block), and a fit with the fitness memo
 * and the cache gives the same program, fitness and history as one that
 * evaluates every program in full (every row in-bag, where the memo works;
 * a row sample, where only the cache does; constant optimisation, which
 * edits programs between generations). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/sr.h"
#include "sr/genetic.h"
#include "sr/memo.h"
#include "sr/subcache.h"

static uint32_t all_functions(void)
{
    uint32_t m = 0;
    for (int op = JC_SR_ADD; op < JC_SR_NOPS; op++)
        m |= 1u << op;
    return m;
}

/* Equal as bits (NaN payloads included): what the cache promises. */
static void assert_same_bits(const double *a, const double *b, size_t n, const char *what, int it)
{
    if (memcmp(a, b, n * sizeof *a) == 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof a[i]) != 0)
            fail_msg("%s, program %d, row %zu: cached %.17g, block %.17g", what, it, i, a[i], b[i]);
}

static void cached_equals_block(size_t n, size_t cache_bytes)
{
    jc_sr_options o;
    jc_sr_options_default(&o);
    o.function_set = all_functions();
    o.init_depth_lo = 2;
    o.init_depth_hi = 8;
    jc_sr_genetic g;
    assert_int_equal(jc_sr_genetic_init(&g, &o, 3), JC_OK);
    jc_rng rng;
    jc_rng_seed(&rng, 1000 + n);
    double *X = malloc(3 * n * sizeof *X), *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
    for (size_t i = 0; i < 3 * n; i++)
        X[i] = -3 + 6 * jc_rng_uniform(&rng);
    jc_sr_subcache cache;
    assert_int_equal(jc_sr_subcache_init(&cache, n, cache_bytes), JC_OK);
    jc_sr_evaluator ev = {0};
    /* A small population bred on itself: children share their parents'
     * subtrees, as in a real run, so the cache is hit. */
    enum { POP = 24 };
    jc_sr_program pop[POP] = {{0}}, child = {0}, chicken = {0};
    for (int k = 0; k < POP; k++)
        assert_int_equal(jc_sr_build_program(&g, &rng, &pop[k]), JC_OK);
    for (int it = 0; it < 1500; it++) {
        const jc_sr_program *a = &pop[jc_rng_below(&rng, POP)], *b = &pop[jc_rng_below(&rng, POP)];
        switch (it % 5) {
        case 0:
        case 1:
            assert_int_equal(jc_sr_crossover(a, b->nodes, b->len, &rng, &child), JC_OK);
            break;
        case 2:
            assert_int_equal(jc_sr_subtree_mutation(&g, a, &rng, &chicken, &child), JC_OK);
            break;
        case 3:
            assert_int_equal(jc_sr_hoist_mutation(a, &rng, &child), JC_OK);
            break;
        default:
            assert_int_equal(jc_sr_point_mutation(&g, a, &rng, &child), JC_OK);
        }
        assert_int_equal(jc_sr_program_eval(&child, X, n, n, want), JC_OK);
        assert_int_equal(jc_sr_eval_cached(&ev, &cache, &child, X, got), JC_OK);
        assert_same_bits(got, want, n, "child", it);
        /* and the same program again: now mostly from the cache */
        assert_int_equal(jc_sr_eval_cached(&ev, &cache, &child, X, got), JC_OK);
        assert_same_bits(got, want, n, "again", it);
        if (child.len < 200)
            assert_int_equal(jc_sr_program_copy(&pop[jc_rng_below(&rng, POP)], &child), JC_OK);
    }
    /* the cache did its job: most lookups of a bred population hit */
    assert_true(cache.lookups > 0 && cache.hits > 0.2 * cache.lookups);
    for (int k = 0; k < POP; k++)
        jc_sr_program_free(&pop[k]);
    jc_sr_program_free(&child);
    jc_sr_program_free(&chicken);
    jc_sr_evaluator_free(&ev);
    jc_sr_subcache_free(&cache);
    free(X);
    free(want);
    free(got);
}

static void test_cached_evaluation_is_bit_identical(void **state)
{
    (void)state;
    cached_equals_block(1, 1 << 20);
    cached_equals_block(7, 1 << 20);
    cached_equals_block(367, 2 << 20);
    cached_equals_block(1100, 2 << 20); /* more rows than a block: blocks vs all rows at once */
    cached_equals_block(367, 0);        /* the smallest cache: constant eviction */
}

static void test_memo_finds_equal_programs_only(void **state)
{
    (void)state;
    jc_sr_node n1[] = {{JC_SR_ADD, 2, 0, 0, 0}, {JC_SR_VAR, 0, 1, 0, 0}, {JC_SR_CONST, 0, 0, 0, 0.5}};
    jc_sr_node n2[] = {{JC_SR_ADD, 2, 0, 0, 0}, {JC_SR_VAR, 0, 1, 0, 0}, {JC_SR_CONST, 0, 0, 0, 0.5}};
    jc_sr_node n3[] = {{JC_SR_ADD, 2, 0, 0, 0}, {JC_SR_VAR, 0, 1, 0, 0}, {JC_SR_CONST, 0, 0, 0, -0.5}};
    jc_sr_node n4[] = {{JC_SR_ADD, 2, 0, 0, 0}, {JC_SR_CONST, 0, 0, 0, 0.5}, {JC_SR_VAR, 0, 1, 0, 0}};
    /* padding and a terminal's unused fields do not make programs differ */
    n2[1].pad = 7;
    n2[0].value = 3.0;
    jc_sr_indiv a = {.prog = {n1, 3, 3}}, b = {.prog = {n2, 3, 3}}, c = {.prog = {n3, 3, 3}},
                d = {.prog = {n4, 3, 3}};
    jc_sr_memo m;
    assert_int_equal(jc_sr_memo_init(&m, 8), JC_OK);
    assert_true(jc_sr_program_hash(&a.prog) == jc_sr_program_hash(&b.prog));
    assert_ptr_equal(jc_sr_memo_insert(&m, jc_sr_program_hash(&a.prog), &a), &a);
    assert_ptr_equal(jc_sr_memo_find(&m, jc_sr_program_hash(&b.prog), &b.prog), &a);
    assert_ptr_equal(jc_sr_memo_insert(&m, jc_sr_program_hash(&b.prog), &b), &a);
    assert_null(jc_sr_memo_find(&m, jc_sr_program_hash(&c.prog), &c.prog));
    assert_null(jc_sr_memo_find(&m, jc_sr_program_hash(&d.prog), &d.prog));
    /* a forced hash collision still compares the nodes */
    assert_null(jc_sr_memo_find(&m, jc_sr_program_hash(&a.prog), &c.prog));
    jc_sr_memo_clear(&m);
    assert_null(jc_sr_memo_find(&m, jc_sr_program_hash(&a.prog), &a.prog));
    jc_sr_memo_free(&m);
}

static void fit_both_ways(jc_sr_options *o, size_t n)
{
    double *X = malloc(3 * n * sizeof *X), *y = malloc(n * sizeof *y);
    jc_rng rng;
    jc_rng_seed(&rng, 77);
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < 3; j++)
            X[j * n + i] = 0.5 + 4 * jc_rng_uniform(&rng);
        y[i] = 3 * log(X[i]) + X[n + i] * X[2 * n + i] / (1 + X[i]) + 0.05 * jc_rng_normal(&rng);
    }
    jc_sr_model fast, full;
    o->no_reuse = 0;
    assert_int_equal(jc_sr_fit(X, y, n, 3, NULL, o, NULL, NULL, &fast), JC_OK);
    o->no_reuse = 1;
    assert_int_equal(jc_sr_fit(X, y, n, 3, NULL, o, NULL, NULL, &full), JC_OK);
    assert_int_equal(fast.program.len, full.program.len);
    assert_memory_equal(fast.program.nodes, full.program.nodes, fast.program.len * sizeof(jc_sr_node));
    assert_true(memcmp(&fast.raw_fitness, &full.raw_fitness, sizeof(double)) == 0);
    assert_true(memcmp(&fast.oob_fitness, &full.oob_fitness, sizeof(double)) == 0);
    assert_int_equal(fast.ngenerations, full.ngenerations);
    for (size_t g = 0; g < fast.ngenerations; g++) {
        assert_true(fast.history[g].best_raw_fitness == full.history[g].best_raw_fitness);
        assert_true(fast.history[g].mean_raw_fitness == full.history[g].mean_raw_fitness);
        assert_true(fast.history[g].mean_length == full.history[g].mean_length);
    }
    /* the memo saved work where it may, and never where it may not */
    assert_true(full.programs_memoised == 0);
    if (o->max_samples == 1.0)
        assert_true(fast.programs_memoised > 0.05 * (fast.programs_evaluated + fast.programs_memoised));
    else
        assert_true(fast.programs_memoised == 0);
    jc_sr_model_free(&fast);
    jc_sr_model_free(&full);
    free(X);
    free(y);
}

static void base_options(jc_sr_options *o)
{
    jc_sr_options_default(o);
    o->population_size = 2000;
    o->generations = 12;
    o->function_set = all_functions();
    o->p_crossover = 0.7;
    o->p_subtree_mutation = 0.1;
    o->p_hoist_mutation = 0.05;
    o->p_point_mutation = 0.1;
    o->random_state = 9;
}

static void test_fit_same_with_and_without_reuse(void **state)
{
    (void)state;
    jc_sr_options o;
    base_options(&o);
    fit_both_ways(&o, 300); /* the seed's setting: every row in-bag */
    o.n_jobs = 1;
    fit_both_ways(&o, 700); /* one thread, more rows than a block */
    base_options(&o);
    o.max_samples = 0.8; /* a row sample per program: no memo, the cache still */
    o.parsimony_auto = 1;
    fit_both_ways(&o, 300);
    base_options(&o);
    o.generations = 5;
    o.optimize_constants = 20; /* programs edited after evaluation */
    o.linear_scaling = 1;
    fit_both_ways(&o, 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cached_evaluation_is_bit_identical),
        cmocka_unit_test(test_memo_finds_equal_programs_only),
        cmocka_unit_test(test_fit_same_with_and_without_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
