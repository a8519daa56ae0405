/* sr engine: protected functions at their edges, the vectorised evaluator
 * against a plain recursive one, validity of every genetic operator's
 * output, 'auto' parsimony against a hand computation (and numpy's
 * definition), thread-count determinism, and recovery of a simple formula. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/sr.h"
#include "sr/extras.h"
#include "sr/genetic.h"

static uint32_t all_functions(void)
{
    uint32_t m = 0;
    for (int op = JC_SR_ADD; op < JC_SR_NOPS; op++)
        m |= 1u << op;
    return m;
}

/* Evaluate one node of a program on one row, recursively: the reference. */
static double ref_eval(const jc_sr_program *p, uint32_t *pos, const double *row)
{
    const jc_sr_node *nd = &p->nodes[(*pos)++];
    if (nd->op == JC_SR_CONST)
        return nd->value;
    if (nd->op == JC_SR_VAR)
        return row[nd->var];
    double a = ref_eval(p, pos, row);
    double b = nd->arity == 2 ? ref_eval(p, pos, row) : 0;
    return jc_sr_apply((jc_sr_op)nd->op, a, b);
}

static jc_sr_program prog_of(const jc_sr_node *nodes, uint32_t len)
{
    jc_sr_program p = {0};
    p.nodes = malloc(len * sizeof *nodes);
    memcpy(p.nodes, nodes, len * sizeof *nodes);
    p.len = p.cap = len;
    return p;
}

#define F(op) {(uint8_t)(op), (uint8_t)(jc_sr_op_get(op)->arity), 0, 0, 0}
#define V(k) {JC_SR_VAR, 0, (k), 0, 0}
#define C(x) {JC_SR_CONST, 0, 0, 0, (x)}

static void test_protected_functions(void **state)
{
    (void)state;
    /* gplearn: div(a,b) = a/b if |b| > 0.001 else 1 */
    assert_true(jc_sr_apply(JC_SR_DIV, 3, 0) == 1.0);
    assert_true(jc_sr_apply(JC_SR_DIV, 3, 0.001) == 1.0);
    assert_true(jc_sr_apply(JC_SR_DIV, 3, -0.0005) == 1.0);
    assert_true(jc_sr_apply(JC_SR_DIV, 3, 0.0011) == 3 / 0.0011);
    /* log(x) = log|x| if |x| > 0.001 else 0 */
    assert_true(jc_sr_apply(JC_SR_LOG, 0, 0) == 0.0);
    assert_true(jc_sr_apply(JC_SR_LOG, -0.001, 0) == 0.0);
    assert_true(fabs(jc_sr_apply(JC_SR_LOG, -M_E, 0) - 1) < 1e-15);
    /* sqrt(x) = sqrt|x| */
    assert_true(jc_sr_apply(JC_SR_SQRT, -4, 0) == 2.0);
    /* inv(x) = 1/x if |x| > 0.001 else 0 */
    assert_true(jc_sr_apply(JC_SR_INV, 0.0001, 0) == 0.0);
    assert_true(jc_sr_apply(JC_SR_INV, -2, 0) == -0.5);
    assert_true(jc_sr_apply(JC_SR_SIG, 0, 0) == 0.5);
    assert_true(jc_sr_apply(JC_SR_SIG, -1000, 0) == 0.0);
    assert_true(jc_sr_apply(JC_SR_NEG, 2, 0) == -2);
    assert_true(jc_sr_apply(JC_SR_ABS, -2, 0) == 2);
    assert_true(isnan(jc_sr_apply(JC_SR_MAX, NAN, 1)));
    assert_true(isnan(jc_sr_apply(JC_SR_MIN, 1, NAN)));
    assert_true(jc_sr_apply(JC_SR_MAX, -1, 2) == 2);
    assert_true(jc_sr_apply(JC_SR_MIN, -1, 2) == -1);

    /* The vectorised evaluator gives the same at the edges: one column of
     * edge values through each function. */
    const double xs[] = {0.0, -0.0, 0.001, -0.001, 0.0010001, 1e-300, -4.0, M_E, 1e300, -1e300, 700, -700, 2.5};
    const size_t n = sizeof xs / sizeof xs[0];
    double out[16];
    for (int op = JC_SR_SQRT; op < JC_SR_NOPS; op++) {
        if (jc_sr_op_get((jc_sr_op)op)->arity != 1)
            continue;
        jc_sr_node nodes[] = {F((jc_sr_op)op), V(0)};
        jc_sr_program p = prog_of(nodes, 2);
        assert_int_equal(jc_sr_program_eval(&p, xs, n, n, out), JC_OK);
        for (size_t i = 0; i < n; i++) {
            double want = jc_sr_apply((jc_sr_op)op, xs[i], 0);
            if (isnan(want))
                assert_true(isnan(out[i]));
            else if (want == 0 || isinf(want))
                assert_true(out[i] == want);
            else
                assert_true(fabs(out[i] - want) <= 1e-14 * fabs(want));
        }
        jc_sr_program_free(&p);
    }
    /* Binary functions over pairs of edge values, vector-vector. */
    double X2[2 * 13 * 13];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            X2[m] = xs[i];
            X2[13 * 13 + m] = xs[j];
            m++;
        }
    double out2[13 * 13];
    for (int op = JC_SR_ADD; op < JC_SR_NOPS; op++) {
        if (jc_sr_op_get((jc_sr_op)op)->arity != 2)
            continue;
        jc_sr_node nodes[] = {F((jc_sr_op)op), V(0), V(1)};
        jc_sr_program p = prog_of(nodes, 3);
        assert_int_equal(jc_sr_program_eval(&p, X2, m, m, out2), JC_OK);
        for (size_t i = 0; i < m; i++) {
            double want = jc_sr_apply((jc_sr_op)op, X2[i], X2[m + i]);
            assert_true((isnan(want) && isnan(out2[i])) || want == out2[i]);
        }
        jc_sr_program_free(&p);
    }
}

/* Random programs through every operator stay valid trees, and the block
 * evaluator agrees with the recursive reference. */
static void test_operators_and_evaluator(void **state)
{
    (void)state;
    jc_sr_options o;
    jc_sr_options_default(&o);
    o.function_set = all_functions();
    o.init_depth_lo = 2;
    o.init_depth_hi = 7;
    jc_sr_genetic g;
    assert_int_equal(jc_sr_genetic_init(&g, &o, 3), JC_OK);
    jc_rng rng;
    jc_rng_seed(&rng, 11);
    const size_t n = 600; /* more than two blocks, with a remainder */
    double *X = malloc(3 * n * sizeof *X), *out = malloc(n * sizeof *out);
    for (size_t i = 0; i < 3 * n; i++)
        X[i] = -3 + 6 * jc_rng_uniform(&rng);
    jc_sr_program a = {0}, b = {0}, child = {0}, chicken = {0};
    for (int it = 0; it < 400; it++) {
        assert_int_equal(jc_sr_build_program(&g, &rng, &a), JC_OK);
        assert_true(jc_sr_program_valid(&a, 3));
        assert_true(jc_sr_program_depth(&a) <= o.init_depth_hi - 1);
        assert_int_equal(jc_sr_build_program(&g, &rng, &b), JC_OK);
        int which = it % 4;
        if (which == 0)
            assert_int_equal(jc_sr_crossover(&a, b.nodes, b.len, &rng, &child), JC_OK);
        else if (which == 1)
            assert_int_equal(jc_sr_subtree_mutation(&g, &a, &rng, &chicken, &child), JC_OK);
        else if (which == 2)
            assert_int_equal(jc_sr_hoist_mutation(&a, &rng, &child), JC_OK);
        else
            assert_int_equal(jc_sr_point_mutation(&g, &a, &rng, &child), JC_OK);
        assert_true(jc_sr_program_valid(&child, 3));
        if (which == 2)
            assert_true(child.len <= a.len);
        if (which == 3)
            assert_int_equal(child.len, a.len);
        assert_int_equal(jc_sr_program_eval(&child, X, n, n, out), JC_OK);
        for (size_t i = 0; i < n; i += 7) {
            double row[3] = {X[i], X[n + i], X[2 * n + i]};
            uint32_t pos = 0;
            double want = ref_eval(&child, &pos, row);
            assert_int_equal(pos, child.len);
            if (isnan(want) || isinf(want) || fabs(want) > 1e12) {
                assert_true(isnan(want) == isnan(out[i]) || fabs(want) > 1e12);
                continue;
            }
            /* libmvec's vector log/exp/sin are within a few ulps of libm */
            double tol = 1e-9 * fmax(1.0, fabs(want));
            if (fabs(out[i] - want) > tol)
                fail_msg("row %zu: block evaluator %.17g, reference %.17g", i, out[i], want);
        }
    }
    jc_sr_program_free(&a);
    jc_sr_program_free(&b);
    jc_sr_program_free(&child);
    jc_sr_program_free(&chicken);
    free(X);
    free(out);
}

static void test_auto_parsimony(void **state)
{
    (void)state;
    /* By hand: lengths 2, 4, 6; fitness 1, 3, 8.
     * mean len 4, mean fit 4; cov (ddof 1) = ((-2)(-3) + 0 + 2*4) / 2 = 7;
     * var (ddof 0) = (4 + 0 + 4) / 3 = 8/3; coefficient = 7 / (8/3) = 2.625
     * (numpy: np.cov([2,4,6],[1,3,8])[1,0] / np.var([2,4,6]) = 2.625). */
    double len[] = {2, 4, 6, 10}, raw[] = {1, 3, 8, INFINITY};
    assert_true(fabs(jc_sr_auto_parsimony(len, raw, 4) - 2.625) < 1e-12);
    double len1[] = {5, 5}, raw1[] = {1, 2};
    assert_true(jc_sr_auto_parsimony(len1, raw1, 2) == 0);
}

static void make_data(size_t n, double *X, double *y, uint64_t seed)
{
    jc_rng rng;
    jc_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++) {
        X[i] = -2 + 4 * jc_rng_uniform(&rng);
        X[n + i] = -2 + 4 * jc_rng_uniform(&rng);
        y[i] = X[i] * X[i] + X[n + i];
    }
}

static void test_thread_count_determinism(void **state)
{
    (void)state;
    const size_t n = 200;
    double X[2 * 200], y[200];
    make_data(n, X, y, 5);
    jc_sr_options o;
    jc_sr_options_default(&o);
    o.population_size = 300;
    o.generations = 6;
    o.max_samples = 0.8;
    o.parsimony_auto = 1;
    o.function_set = all_functions();
    o.random_state = 42;
    jc_sr_model m1, m2, m3;
    o.n_jobs = 1;
    assert_int_equal(jc_sr_fit(X, y, n, 2, NULL, &o, NULL, NULL, &m1), JC_OK);
    o.n_jobs = 2;
    assert_int_equal(jc_sr_fit(X, y, n, 2, NULL, &o, NULL, NULL, &m2), JC_OK);
    o.n_jobs = 3;
    assert_int_equal(jc_sr_fit(X, y, n, 2, NULL, &o, NULL, NULL, &m3), JC_OK);
    assert_int_equal(m1.program.len, m2.program.len);
    assert_int_equal(m1.program.len, m3.program.len);
    assert_memory_equal(m1.program.nodes, m2.program.nodes, m1.program.len * sizeof(jc_sr_node));
    assert_memory_equal(m1.program.nodes, m3.program.nodes, m1.program.len * sizeof(jc_sr_node));
    assert_true(m1.raw_fitness == m2.raw_fitness && m1.oob_fitness == m3.oob_fitness);
    for (size_t g = 0; g < m1.ngenerations; g++)
        assert_true(m1.history[g].best_raw_fitness == m3.history[g].best_raw_fitness);
    /* Another seed, another run. */
    o.random_state = 43;
    jc_sr_model m4;
    assert_int_equal(jc_sr_fit(X, y, n, 2, NULL, &o, NULL, NULL, &m4), JC_OK);
    assert_true(m4.history[0].mean_raw_fitness != m1.history[0].mean_raw_fitness);
    jc_sr_model_free(&m1);
    jc_sr_model_free(&m2);
    jc_sr_model_free(&m3);
    jc_sr_model_free(&m4);
}

static void test_recovers_simple_formula(void **state)
{
    (void)state;
    /* y = x0^2 + x1 with a small population: the exact formula is found. */
    const size_t n = 100;
    double X[200], y[100], Xt[200], yt[100], pt[100];
    make_data(n, X, y, 1);
    make_data(n, Xt, yt, 2);
    jc_sr_options o;
    jc_sr_options_default(&o);
    o.population_size = 500;
    o.generations = 20;
    o.parsimony_coefficient = 0.001;
    o.stopping_criteria = 1e-10;
    o.random_state = 3;
    jc_sr_model m;
    assert_int_equal(jc_sr_fit(X, y, n, 2, NULL, &o, NULL, NULL, &m), JC_OK);
    assert_true(m.raw_fitness < 1e-10);
    assert_int_equal(jc_sr_predict(&m, Xt, n, n, pt), JC_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(fabs(pt[i] - yt[i]) < 1e-9);
    assert_true(m.ngenerations < 20); /* stopped early on stopping_criteria */
    jc_sr_model_free(&m);
}

static void test_non_finite_never_wins(void **state)
{
    (void)state;
    /* Every feature value is huge: many programs overflow to inf. The fit
     * must still end on a program with a finite fitness. */
    const size_t n = 50;
    double X[50], y[50];
    for (size_t i = 0; i < n; i++) {
        X[i] = 1e300 * (i % 2 ? 1 : -1);
        y[i] = 1.0;
    }
    jc_sr_options o;
    jc_sr_options_default(&o);
    o.population_size = 200;
    o.generations = 3;
    o.function_set = all_functions();
    jc_sr_model m;
    assert_int_equal(jc_sr_fit(X, y, n, 1, NULL, &o, NULL, NULL, &m), JC_OK);
    assert_true(isfinite(m.raw_fitness));
    for (size_t g = 0; g < m.ngenerations; g++)
        assert_true(isfinite(m.history[g].best_raw_fitness));
    jc_sr_model_free(&m);
}

static void test_bad_options(void **state)
{
    (void)state;
    jc_sr_options o;
    jc_sr_options_default(&o);
    o.p_crossover = 0.95;
    o.p_point_mutation = 0.1;
    assert_int_equal(jc_sr_options_check(&o), JC_ERR_INVALID);
    assert_non_null(strstr(jc_last_error(), "at most 1"));
    jc_sr_options_default(&o);
    o.max_samples = 0;
    assert_int_equal(jc_sr_options_check(&o), JC_ERR_INVALID);
    jc_sr_options_default(&o);
    o.tournament_size = o.population_size + 1;
    assert_int_equal(jc_sr_options_check(&o), JC_ERR_INVALID);
    jc_sr_options_default(&o);
    double X[4] = {1, 2, NAN, 4}, y[4] = {1, 2, 3, 4};
    jc_sr_model m;
    assert_int_equal(jc_sr_fit(X, y, 4, 1, NULL, &o, NULL, NULL, &m), JC_ERR_INVALID);
    assert_non_null(strstr(jc_last_error(), "row 3"));
}

static void test_linear_scaling_and_lm(void **state)
{
    (void)state;
    /* y = 5 + 3 x: linear scaling of the program "x" gives a = 5, b = 3. */
    double x[50], y[50];
    for (int i = 0; i < 50; i++) {
        x[i] = -2 + 0.1 * i;
        y[i] = 5 + 3 * x[i];
    }
    double a, b;
    jc_sr_linear_scaling(x, y, NULL, 50, &a, &b);
    assert_true(fabs(a - 5) < 1e-12 && fabs(b - 3) < 1e-12);
    /* Only in-bag rows count: corrupt the out-of-bag ones. */
    double w[50], y2[50];
    for (int i = 0; i < 50; i++) {
        w[i] = i % 5 ? 1.0 : 0.0;
        y2[i] = w[i] ? y[i] : 1e6;
    }
    jc_sr_linear_scaling(x, y2, w, 50, &a, &b);
    assert_true(fabs(a - 5) < 1e-9 && fabs(b - 3) < 1e-9);
    /* LM: y = 2.5 x0 + 0.75 from the program 0.1 * x0 + 0.2. */
    jc_sr_node nodes[] = {F(JC_SR_ADD), F(JC_SR_MUL), C(0.1), V(0), C(0.2)};
    jc_sr_program p = prog_of(nodes, 5);
    for (int i = 0; i < 50; i++)
        y[i] = 2.5 * x[i] + 0.75;
    jc_sr_evaluator ev = {0};
    double evals = 0;
    assert_int_equal(jc_sr_lm_optimize(&p, x, y, NULL, 50, 20, 0, &ev, &evals), JC_OK);
    assert_true(fabs(p.nodes[2].value - 2.5) < 1e-6);
    assert_true(fabs(p.nodes[4].value - 0.75) < 1e-6);
    assert_true(evals > 0);
    jc_sr_evaluator_free(&ev);
    jc_sr_program_free(&p);
}

static void test_pareto_front(void **state)
{
    (void)state;
    const size_t n = 100;
    double X[200], y[100];
    make_data(n, X, y, 9);
    jc_sr_options o;
    jc_sr_options_default(&o);
    o.population_size = 300;
    o.generations = 8;
    o.pareto_front = 1;
    o.random_state = 4;
    jc_sr_model m;
    assert_int_equal(jc_sr_fit(X, y, n, 2, NULL, &o, NULL, NULL, &m), JC_OK);
    assert_true(m.npareto >= 2);
    /* Sorted by length, each longer point strictly better: non-dominated. */
    for (size_t k = 1; k < m.npareto; k++) {
        assert_true(m.pareto[k].length > m.pareto[k - 1].length);
        assert_true(m.pareto[k].raw_fitness < m.pareto[k - 1].raw_fitness);
    }
    for (size_t k = 0; k < m.npareto; k++) {
        assert_true(jc_sr_program_valid(&m.pareto[k].program, 2));
        assert_true(m.pareto[k].length == m.pareto[k].program.len);
    }
    /* Nothing on the front is beaten by the final program at equal or smaller length. */
    for (size_t k = 0; k < m.npareto; k++)
        assert_false(m.program.len <= m.pareto[k].length && m.raw_fitness < m.pareto[k].raw_fitness);
    jc_sr_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protected_functions),
        cmocka_unit_test(test_operators_and_evaluator),
        cmocka_unit_test(test_auto_parsimony),
        cmocka_unit_test(test_thread_count_determinism),
        cmocka_unit_test(test_recovers_simple_formula),
        cmocka_unit_test(test_non_finite_never_wins),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_linear_scaling_and_lm),
        cmocka_unit_test(test_pareto_front),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
