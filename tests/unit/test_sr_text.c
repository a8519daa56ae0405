/* sr text forms, parser, simplifier and model files: every function in the
 * three syntaxes, precedence, parse round trips and errors, simplification
 * checked bit for bit on random programs, save/load round trips with
 * bit-identical predictions, every load error, and (when python3 has sympy)
 * the sympy form evaluated by sympy against the evaluator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "joulecast/sr.h"

/* ---- building programs ---- */

#define F(o) ((jc_sr_node){.op = JC_SR_##o})
#define V(k) ((jc_sr_node){.op = JC_SR_VAR, .var = (k)})
#define C(v) ((jc_sr_node){.op = JC_SR_CONST, .value = (v)})
#define PROG(...) \
    make_prog((const jc_sr_node[]){__VA_ARGS__}, sizeof((const jc_sr_node[]){__VA_ARGS__}) / sizeof(jc_sr_node))

static void append(jc_sr_program *p, jc_sr_node nd)
{
    nd.arity = (uint8_t)jc_sr_op_get((jc_sr_op)nd.op)->arity;
    if (p->len == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 16;
        p->nodes = realloc(p->nodes, p->cap * sizeof *p->nodes);
        assert_non_null(p->nodes);
    }
    p->nodes[p->len++] = nd;
}

static jc_sr_program make_prog(const jc_sr_node *nodes, size_t n)
{
    jc_sr_program p = {0};
    for (size_t i = 0; i < n; i++)
        append(&p, nodes[i]);
    assert_true(jc_sr_program_valid(&p, 16));
    return p;
}

static void check_text(jc_sr_program p, const char *const *names, const char *infix, const char *gplearn,
                       const char *sympy)
{
    const char *want[3] = {infix, gplearn, sympy};
    const jc_sr_syntax syn[3] = {JC_SR_TEXT_INFIX, JC_SR_TEXT_GPLEARN, JC_SR_TEXT_SYMPY};
    for (int k = 0; k < 3; k++) {
        if (!want[k])
            continue;
        char *s = jc_sr_program_text(&p, names, syn[k]);
        assert_non_null(s);
        assert_string_equal(s, want[k]);
        free(s);
    }
    jc_sr_program_free(&p);
}

/* A random tree over the full function set; constants from pool (when
 * npool > 0) or uniform in [-5, 5]. */
static void random_tree(jc_rng *r, jc_sr_program *p, int depth, int nfeat, const double *pool, size_t npool)
{
    if (depth == 0 || jc_rng_uniform(r) < 0.25) {
        if (jc_rng_uniform(r) < 0.5)
            append(p, V((uint16_t)jc_rng_below(r, (uint64_t)nfeat)));
        else if (npool)
            append(p, C(pool[jc_rng_below(r, npool)]));
        else
            append(p, C(jc_rng_uniform(r) * 10 - 5));
        return;
    }
    int op = JC_SR_ADD + (int)jc_rng_below(r, JC_SR_NOPS - JC_SR_ADD);
    append(p, F(CONST));
    p->nodes[p->len - 1] = (jc_sr_node){.op = (uint8_t)op, .arity = (uint8_t)jc_sr_op_get((jc_sr_op)op)->arity};
    for (int a = 0; a < jc_sr_op_get((jc_sr_op)op)->arity; a++)
        random_tree(r, p, depth - 1, nfeat, pool, npool);
}

static int same_program(const jc_sr_program *a, const jc_sr_program *b)
{
    if (a->len != b->len)
        return 0;
    for (uint32_t i = 0; i < a->len; i++) {
        const jc_sr_node *x = &a->nodes[i], *y = &b->nodes[i];
        if (x->op != y->op || x->arity != y->arity)
            return 0;
        if (x->op == JC_SR_VAR && x->var != y->var)
            return 0;
        if (x->op == JC_SR_CONST && memcmp(&x->value, &y->value, sizeof x->value) != 0)
            return 0;
    }
    return 1;
}

static int same_bits(double a, double b) { return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0; }

/* ---- text forms ---- */

static void test_text_every_function(void **state)
{
    (void)state;
    check_text(PROG(F(ADD), V(0), V(1)), NULL, "x0 + x1", "add(X0, X1)", "x0 + x1");
    check_text(PROG(F(SUB), V(0), V(1)), NULL, "x0 - x1", "sub(X0, X1)", "x0 - x1");
    check_text(PROG(F(MUL), V(0), V(1)), NULL, "x0 * x1", "mul(X0, X1)", "x0 * x1");
    check_text(PROG(F(DIV), V(0), V(1)), NULL, "x0 / x1", "div(X0, X1)", "x0 / x1");
    check_text(PROG(F(SQRT), V(0)), NULL, "sqrt(x0)", "sqrt(X0)", "sqrt(Abs(x0))");
    check_text(PROG(F(LOG), V(0)), NULL, "log(x0)", "log(X0)", "log(Abs(x0))");
    check_text(PROG(F(ABS), V(0)), NULL, "abs(x0)", "abs(X0)", "Abs(x0)");
    check_text(PROG(F(NEG), V(0)), NULL, "-x0", "neg(X0)", "-x0");
    check_text(PROG(F(INV), V(0)), NULL, "1/x0", "inv(X0)", "1/x0");
    check_text(PROG(F(MAX), V(0), V(1)), NULL, "max(x0, x1)", "max(X0, X1)", "Max(x0, x1)");
    check_text(PROG(F(MIN), V(0), V(1)), NULL, "min(x0, x1)", "min(X0, X1)", "Min(x0, x1)");
    check_text(PROG(F(SIN), V(0)), NULL, "sin(x0)", "sin(X0)", "sin(x0)");
    check_text(PROG(F(COS), V(0)), NULL, "cos(x0)", "cos(X0)", "cos(x0)");
    check_text(PROG(F(TAN), V(0)), NULL, "tan(x0)", "tan(X0)", "tan(x0)");
    check_text(PROG(F(SIG), V(0)), NULL, "sig(x0)", "sig(X0)", "1/(1 + exp(-x0))");
    /* gplearn's own example shape, and its '%.3f'. */
    check_text(PROG(F(ADD), F(MUL), C(0.5), V(1), F(DIV), V(2), V(3)), NULL, "0.5 * x1 + x2 / x3",
               "add(mul(0.500, X1), div(X2, X3))", "0.5 * x1 + x2 / x3");
    check_text(PROG(C(2.0)), NULL, "2", "2.000", "2");
    check_text(PROG(V(7)), NULL, "x7", "X7", "x7");
    /* Constants: %.6g for display, %.17g (exact) for sympy. */
    check_text(PROG(F(MUL), V(0), C(0.1)), NULL, "x0 * 0.1", "mul(X0, 0.100)", "x0 * 0.10000000000000001");
    check_text(PROG(F(ADD), V(0), C(1e-5)), NULL, "x0 + 1e-05", "add(X0, 0.000)", "x0 + 1.0000000000000001e-05");
    check_text(PROG(F(ADD), C(INFINITY), C(NAN)), NULL, "inf + nan", "add(inf, nan)", "oo + nan");
    check_text(PROG(F(MUL), C(-INFINITY), V(0)), NULL, "-inf * x0", "mul(-inf, X0)", "-oo * x0");
    /* %.17g reproduces the double. */
    jc_sr_program p = PROG(F(MUL), V(0), C(1.0 / 3.0));
    char *s = jc_sr_program_text(&p, NULL, JC_SR_TEXT_SYMPY);
    assert_non_null(s);
    assert_true(strtod(strstr(s, "* ") + 2, NULL) == 1.0 / 3.0);
    free(s);
    jc_sr_program_free(&p);
    /* A malformed program has no text. */
    jc_sr_program bad = {0};
    append(&bad, F(ADD));
    append(&bad, V(0));
    assert_null(jc_sr_program_text(&bad, NULL, JC_SR_TEXT_INFIX));
    jc_sr_program_free(&bad);
}

static void test_text_precedence(void **state)
{
    (void)state;
    check_text(PROG(F(SUB), V(0), F(SUB), V(1), V(2)), NULL, "x0 - (x1 - x2)", "sub(X0, sub(X1, X2))",
               "x0 - (x1 - x2)");
    check_text(PROG(F(SUB), F(SUB), V(0), V(1), V(2)), NULL, "x0 - x1 - x2", NULL, "x0 - x1 - x2");
    check_text(PROG(F(ADD), F(ADD), V(0), V(1), V(2)), NULL, "x0 + x1 + x2", NULL, NULL);
    check_text(PROG(F(ADD), V(0), F(ADD), V(1), V(2)), NULL, "x0 + x1 + x2", NULL, NULL);
    check_text(PROG(F(ADD), V(0), F(SUB), V(1), V(2)), NULL, "x0 + x1 - x2", NULL, NULL);
    check_text(PROG(F(SUB), V(0), F(ADD), V(1), V(2)), NULL, "x0 - (x1 + x2)", NULL, NULL);
    check_text(PROG(F(MUL), F(ADD), V(0), V(1), V(2)), NULL, "(x0 + x1) * x2", NULL, "(x0 + x1) * x2");
    check_text(PROG(F(MUL), V(0), F(ADD), V(1), V(2)), NULL, "x0 * (x1 + x2)", NULL, NULL);
    check_text(PROG(F(MUL), V(0), F(MUL), V(1), V(2)), NULL, "x0 * x1 * x2", NULL, NULL);
    check_text(PROG(F(DIV), V(0), F(MUL), V(1), V(2)), NULL, "x0 / (x1 * x2)", NULL, NULL);
    check_text(PROG(F(DIV), F(MUL), V(0), V(1), V(2)), NULL, "x0 * x1 / x2", NULL, NULL);
    /* Protected division does not regroup, so the parentheses stay. */
    check_text(PROG(F(MUL), V(0), F(DIV), V(1), V(2)), NULL, "x0 * (x1 / x2)", NULL, NULL);
    check_text(PROG(F(DIV), V(0), F(DIV), V(1), V(2)), NULL, "x0 / (x1 / x2)", NULL, NULL);
    check_text(PROG(F(MUL), V(0), C(-2.5)), NULL, "x0 * (-2.5)", "mul(X0, -2.500)", "x0 * (-2.5)");
    check_text(PROG(F(MUL), C(-2.5), V(0)), NULL, "-2.5 * x0", NULL, "-2.5 * x0");
    check_text(PROG(F(ADD), V(0), C(-0.0)), NULL, "x0 + (-0)", "add(X0, -0.000)", "x0 + (-0)");
    check_text(PROG(F(NEG), F(ADD), V(0), V(1)), NULL, "-(x0 + x1)", NULL, "-(x0 + x1)");
    check_text(PROG(F(NEG), F(MUL), V(0), V(1)), NULL, "-(x0 * x1)", NULL, NULL);
    check_text(PROG(F(NEG), F(NEG), V(0)), NULL, "-(-x0)", "neg(neg(X0))", "-(-x0)");
    check_text(PROG(F(NEG), C(-2.5)), NULL, "-(-2.5)", NULL, NULL);
    check_text(PROG(F(NEG), F(LOG), V(0)), NULL, "-log(x0)", NULL, "-log(Abs(x0))");
    check_text(PROG(F(SUB), V(0), F(NEG), V(1)), NULL, "x0 - (-x1)", NULL, NULL);
    check_text(PROG(F(ADD), F(NEG), V(0), V(1)), NULL, "-x0 + x1", NULL, NULL);
    check_text(PROG(F(MUL), F(NEG), V(0), V(1)), NULL, "-x0 * x1", NULL, NULL);
    check_text(PROG(F(INV), F(ADD), V(0), V(1)), NULL, "1/(x0 + x1)", NULL, "1/(x0 + x1)");
    check_text(PROG(F(INV), F(NEG), V(0)), NULL, "1/(-x0)", NULL, NULL);
    check_text(PROG(F(MUL), V(0), F(INV), V(1)), NULL, "x0 * (1/x1)", NULL, NULL);
    check_text(PROG(F(MUL), F(INV), V(1), V(0)), NULL, "1/x1 * x0", NULL, NULL);
    check_text(PROG(F(DIV), V(0), F(INV), V(1)), NULL, "x0 / (1/x1)", NULL, NULL);
    check_text(PROG(F(MUL), V(0), F(SIG), F(ADD), V(1), V(2)), NULL, "x0 * sig(x1 + x2)", NULL,
               "x0 * (1/(1 + exp(-(x1 + x2))))");
    check_text(PROG(F(LOG), F(MUL), V(0), V(1)), NULL, "log(x0 * x1)", NULL, "log(Abs(x0 * x1))");
    check_text(PROG(F(MAX), F(ADD), V(0), V(1), F(NEG), V(2)), NULL, "max(x0 + x1, -x2)", "max(add(X0, X1), neg(X2))",
               "Max(x0 + x1, -x2)");
    check_text(PROG(F(SUB), F(MUL), V(0), V(1), F(DIV), F(ADD), V(2), C(1), F(SQRT), V(3)), NULL,
               "x0 * x1 - (x2 + 1) / sqrt(x3)", "sub(mul(X0, X1), div(add(X2, 1.000), sqrt(X3)))",
               "x0 * x1 - (x2 + 1) / sqrt(Abs(x3))");
}

static void test_text_names(void **state)
{
    (void)state;
    const char *names[] = {"batch size", "2nd", "gamma", "lambda", "a_b", "a b", "__x", "flops", NULL};
    /* add(X0, add(X1, ... add(X7, X8))), X8 with a NULL name. */
    jc_sr_program p = {0};
    for (int k = 0; k < 8; k++) {
        append(&p, F(ADD));
        append(&p, V((uint16_t)k));
    }
    append(&p, V(8));
    check_text(p, names, "batch size + 2nd + gamma + lambda + a_b + a b + __x + flops + x8",
               "add(batch size, add(2nd, add(gamma, add(lambda, add(a_b, add(a b, add(__x, add(flops, X8))))))))",
               "batch_size + x_2nd + gamma_ + lambda_ + a_b + a_b_5 + x___x + flops + x8");
    /* A feature's identifier does not depend on the program. */
    check_text(PROG(F(NEG), V(5)), names, "-a b", "neg(a b)", "-a_b_5");
}

/* ---- parsing ---- */

static void test_parse_round_trip(void **state)
{
    (void)state;
    /* Constants exact at 3 decimals survive gplearn's '%.3f'. */
    static const double pool[] = {0.0, 1.0, -1.0, 0.5, -2.25, 1.125, 3.0, -0.75, 100.0, 0.001};
    jc_rng r;
    jc_rng_seed(&r, 11);
    const char *names[] = {"batch size", "params", "flops", "power (W)"};
    for (int t = 0; t < 300; t++) {
        jc_sr_program p = {0}, q = {0}, w = {0};
        random_tree(&r, &p, 1 + (int)jc_rng_below(&r, 6), 4, pool, sizeof pool / sizeof *pool);
        char *s = jc_sr_program_text(&p, NULL, JC_SR_TEXT_GPLEARN);
        assert_non_null(s);
        assert_int_equal(jc_sr_program_parse(s, NULL, 4, &q), JC_OK);
        assert_true(same_program(&p, &q));
        free(s);
        s = jc_sr_program_text(&p, names, JC_SR_TEXT_GPLEARN);
        assert_int_equal(jc_sr_program_parse(s, names, 4, &w), JC_OK);
        assert_true(same_program(&p, &w));
        free(s);
        jc_sr_program_free(&p);
        jc_sr_program_free(&q);
        jc_sr_program_free(&w);
    }
    /* Spacing, exponents, negatives, Xk beside names, and out reused. */
    jc_sr_program q = {0};
    assert_int_equal(jc_sr_program_parse("  add ( X0 ,mul(-2.5e-1,\n params) ) ", names, 4, &q), JC_OK);
    jc_sr_program want = PROG(F(ADD), V(0), F(MUL), C(-0.25), V(1));
    assert_true(same_program(&q, &want));
    assert_int_equal(jc_sr_program_parse("1e3", NULL, 0, &q), JC_OK);
    assert_int_equal(q.len, 1);
    assert_true(q.nodes[0].value == 1000.0);
    assert_int_equal(jc_sr_program_parse("sig(power (W))", names, 4, &q), JC_OK);
    jc_sr_program want2 = PROG(F(SIG), V(3));
    assert_true(same_program(&q, &want2));
    jc_sr_program_free(&q);
    jc_sr_program_free(&want);
    jc_sr_program_free(&want2);
}

static void expect_parse_error(const char *text, size_t nfeatures, long line, long column, const char *words)
{
    jc_sr_program out = PROG(V(0)); /* a failed parse leaves out as it was */
    jc_clear_error();
    assert_int_equal(jc_sr_program_parse(text, NULL, nfeatures, &out), JC_ERR_PARSE);
    assert_string_equal(jc_last_error_file(), "<formula>");
    assert_int_equal(jc_last_error_line(), line);
    if (jc_last_error_column() != column || !strstr(jc_last_error(), words))
        fail_msg("\"%s\": got \"%s\" (column %ld), wanted column %ld and \"%s\"", text, jc_last_error(),
                 jc_last_error_column(), column, words);
    assert_int_equal(out.len, 1);
    jc_sr_program_free(&out);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("foo(X0)", 2, 1, 1, "unknown function \"foo\"");
    expect_parse_error("add(X0)", 2, 1, 7, "add takes 2 arguments, found 1");
    expect_parse_error("neg()", 2, 1, 5, "neg takes 1 argument, found none");
    expect_parse_error("add(X0, X1, X2)", 3, 1, 11, "too many arguments to add");
    expect_parse_error("add(X0, X9)", 2, 1, 9, "feature X9 is out of range (2 features)");
    expect_parse_error("add(X0, x1)", 2, 1, 9, "unknown feature or bad number \"x1\"");
    expect_parse_error("add(X0, 1.5x)", 2, 1, 9, "bad number \"1.5x\"");
    expect_parse_error("add(X0, X1) X1", 2, 1, 13, "unexpected 'X' after the end");
    expect_parse_error("add(X0, X1))", 2, 1, 12, "unexpected ')'");
    expect_parse_error("add(X0, X1", 2, 1, 11, "missing ')' to close add (column 1)");
    expect_parse_error("mul(add(X0, X1), X0", 2, 1, 20, "missing ')' to close mul");
    expect_parse_error("add(X0 X1)", 2, 1, 8, "expected ',' or ')'");
    expect_parse_error("add(X0, )", 2, 1, 9, "found ')'");
    expect_parse_error("(X0)", 2, 1, 1, "found '('");
    expect_parse_error("", 2, 1, 1, "formula ends");
    expect_parse_error("   ", 2, 1, 4, "formula ends");
    expect_parse_error("add(X0,\n  sin(X1, X0))", 2, 2, 9, "too many arguments to sin");
    expect_parse_error("X0", 0, 1, 1, "out of range (0 features)");
    /* A name is not a function. */
    const char *names[] = {"add"};
    jc_sr_program out = {0};
    assert_int_equal(jc_sr_program_parse("add(add, 1)", names, 1, &out), JC_OK);
    assert_int_equal(out.len, 3);
    assert_int_equal(out.nodes[1].op, JC_SR_VAR);
    jc_sr_program_free(&out);
}

/* ---- simplification ---- */

static void expect_simplified(const char *in, const char *want)
{
    jc_sr_program p = {0}, s = {0};
    assert_int_equal(jc_sr_program_parse(in, NULL, 4, &p), JC_OK);
    assert_int_equal(jc_sr_program_simplify(&p, &s), JC_OK);
    assert_true(jc_sr_program_valid(&s, 4));
    char *got = jc_sr_program_text(&s, NULL, JC_SR_TEXT_GPLEARN);
    if (strcmp(got, want) != 0)
        fail_msg("simplify %s: got %s, wanted %s", in, got, want);
    free(got);
    /* In place, too. */
    assert_int_equal(jc_sr_program_simplify(&p, &p), JC_OK);
    assert_true(same_program(&p, &s));
    jc_sr_program_free(&p);
    jc_sr_program_free(&s);
}

static void test_simplify_rules(void **state)
{
    (void)state;
    expect_simplified("add(X0, mul(2, 3))", "add(X0, 6.000)");
    expect_simplified("add(1, 2)", "3.000");
    expect_simplified("sqrt(add(neg(4), 0))", "2.000");
    expect_simplified("div(X0, sub(0.0005, 0))", "div(X0, 0.001)"); /* folds, not the division */
    expect_simplified("mul(X0, 1)", "X0");
    expect_simplified("mul(1, X0)", "X0");
    expect_simplified("div(X0, 1)", "X0");
    expect_simplified("div(1, X0)", "div(1.000, X0)");
    expect_simplified("add(X0, -0.0)", "X0");
    expect_simplified("add(-0.0, X0)", "X0");
    expect_simplified("sub(X0, 0)", "X0");
    /* X0 may be -0, and -0 + +0 is +0: kept. */
    expect_simplified("add(X0, 0)", "add(X0, 0.000)");
    expect_simplified("add(0, X0)", "add(0.000, X0)");
    expect_simplified("sub(X0, -0.0)", "sub(X0, -0.000)");
    expect_simplified("add(abs(X0), 0)", "abs(X0)");
    expect_simplified("add(0, add(sqrt(X0), log(X1)))", "add(sqrt(X0), log(X1))");
    expect_simplified("add(sub(sig(X1), X0), 0)", "sub(sig(X1), X0)");
    expect_simplified("sub(add(X0, sig(X1)), -0.0)", "add(X0, sig(X1))"); /* -0 + +0 is +0 */
    expect_simplified("sub(add(X0, X1), -0.0)", "sub(add(X0, X1), -0.000)");
    expect_simplified("neg(neg(X0))", "X0");
    expect_simplified("neg(neg(neg(X0)))", "neg(X0)");
    expect_simplified("abs(abs(X0))", "abs(X0)");
    expect_simplified("abs(sqrt(X0))", "sqrt(X0)");
    expect_simplified("abs(sig(X0))", "sig(X0)");
    expect_simplified("abs(neg(X0))", "abs(X0)");
    expect_simplified("sqrt(neg(abs(X0)))", "sqrt(X0)");
    expect_simplified("log(abs(X0))", "log(X0)");
    expect_simplified("add(X0, neg(X1))", "sub(X0, X1)");
    expect_simplified("add(neg(X0), X1)", "sub(X1, X0)");
    expect_simplified("add(neg(mul(X0, X2)), sin(X1))", "sub(sin(X1), mul(X0, X2))");
    expect_simplified("sub(X0, neg(X1))", "add(X0, X1)");
    expect_simplified("sub(-0.0, X1)", "neg(X1)");
    expect_simplified("sub(0, X1)", "sub(0.000, X1)");
    expect_simplified("mul(X0, -1)", "neg(X0)");
    expect_simplified("mul(-1, X0)", "neg(X0)");
    expect_simplified("div(X0, -1)", "neg(X0)");
    expect_simplified("mul(neg(X0), -1)", "X0");
    expect_simplified("mul(neg(X0), neg(X1))", "mul(X0, X1)");
    expect_simplified("div(neg(X0), neg(X1))", "div(X0, X1)");
    /* Not exact, so not done. */
    expect_simplified("sub(X0, X0)", "sub(X0, X0)");
    expect_simplified("mul(X0, 0)", "mul(X0, 0.000)");
    expect_simplified("div(X0, X0)", "div(X0, X0)");
    expect_simplified("inv(inv(X0))", "inv(inv(X0))");
    expect_simplified("cos(neg(X0))", "cos(neg(X0))");
    /* Nested: rules fire bottom-up, and at a node again after a rewrite. */
    expect_simplified("mul(add(X0, sub(2, 2)), div(X1, sub(3, 2)))", "mul(add(X0, 0.000), X1)");
    expect_simplified("add(X2, mul(neg(neg(X0)), -1))", "sub(X2, X0)");
    expect_simplified("max(mul(1, X0), min(X1, div(6, 3)))", "max(X0, min(X1, 2.000))");
    jc_sr_program bad = {0};
    append(&bad, F(SUB));
    assert_int_equal(jc_sr_program_simplify(&bad, &bad), JC_ERR_INVALID);
    jc_sr_program_free(&bad);
}

static void test_simplify_random_bit_identical(void **state)
{
    (void)state;
    static const double pool[] = {0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-4, -1e-4, 0.001, 1e300, -3.5, 0.75};
    static const double special[] = {0.0, -0.0, 1e-4, -1e-4, 0.001, -0.001, 1e-300, 1e300, -1e300,
                                     INFINITY, -INFINITY, NAN, 1.0, -1.0, 2.0, -2.5};
    enum { NFEAT = 3, ROWS = 300, PROGRAMS = 800 };
    jc_rng r;
    jc_rng_seed(&r, 2024);
    double *X = malloc(NFEAT * ROWS * sizeof *X);
    double *a = malloc(ROWS * sizeof *a), *b = malloc(ROWS * sizeof *b);
    assert_non_null(X);
    for (int i = 0; i < NFEAT * ROWS; i++)
        X[i] = jc_rng_uniform(&r) < 0.6 ? special[jc_rng_below(&r, sizeof special / sizeof *special)]
                                        : (jc_rng_uniform(&r) * 20 - 10);
    int shorter = 0, folded_away = 0;
    for (int t = 0; t < PROGRAMS; t++) {
        jc_sr_program p = {0}, s = {0}, s2 = {0};
        /* Half the programs draw their constants from the pool of 0, -0, 1,
         * -1 ..., half from a uniform range. */
        random_tree(&r, &p, 1 + (int)jc_rng_below(&r, 7), NFEAT, pool,
                    t % 2 ? sizeof pool / sizeof *pool : 0);
        assert_int_equal(jc_sr_program_simplify(&p, &s), JC_OK);
        assert_true(jc_sr_program_valid(&s, NFEAT));
        assert_true(s.len <= p.len);
        shorter += s.len < p.len;
        folded_away += s.len == 1 && s.nodes[0].op == JC_SR_CONST && p.len > 1;
        assert_int_equal(jc_sr_program_eval(&p, X, ROWS, ROWS, a), JC_OK);
        assert_int_equal(jc_sr_program_eval(&s, X, ROWS, ROWS, b), JC_OK);
        for (int i = 0; i < ROWS; i++)
            if (!same_bits(a[i], b[i])) {
                char *ps = jc_sr_program_text(&p, NULL, JC_SR_TEXT_GPLEARN);
                char *ss = jc_sr_program_text(&s, NULL, JC_SR_TEXT_GPLEARN);
                fail_msg("row %d (X = %g, %g, %g): %s gives %a, simplified %s gives %a", i, X[i], X[ROWS + i],
                         X[2 * ROWS + i], ps, a[i], ss, b[i]);
            }
        /* A fixed point: simplifying again changes nothing. */
        assert_int_equal(jc_sr_program_simplify(&s, &s2), JC_OK);
        assert_true(same_program(&s, &s2));
        jc_sr_program_free(&p);
        jc_sr_program_free(&s);
        jc_sr_program_free(&s2);
    }
    /* The rules do fire on such programs. */
    assert_true(shorter > PROGRAMS / 4);
    assert_true(folded_away > 10);
    free(X);
    free(a);
    free(b);
}

/* ---- model files ---- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/jc_sr_text_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *tmp_path(const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *dup_str(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    assert_non_null(d);
    strcpy(d, s);
    return d;
}

/* A model with every field set to something not default. */
static void sample_model(jc_sr_model *m)
{
    memset(m, 0, sizeof *m);
    m->program = PROG(F(ADD), F(MUL), C(0.1), F(LOG), V(0), F(DIV), F(SIG), V(1), F(ADD), V(2), C(1.0 / 3.0));
    m->nfeatures = 3;
    m->feature_names = calloc(3, sizeof *m->feature_names);
    m->feature_names[0] = dup_str("batch size");
    m->feature_names[1] = dup_str("flops");
    m->feature_names[2] = dup_str("gamma");
    m->target_name = dup_str("power_w");
    m->raw_fitness = 0.123456789012345678;
    m->oob_fitness = NAN;
    m->scale_a = -2.5e-7;
    m->scale_b = 1.7000000000000002;
    jc_sr_options_default(&m->options);
    m->options.population_size = 5000;
    m->options.generations = 40;
    m->options.tournament_size = 7;
    m->options.stopping_criteria = 0.01;
    m->options.const_lo = -5;
    m->options.const_hi = 5.5;
    m->options.init_depth_lo = 3;
    m->options.init_depth_hi = 8;
    m->options.init_method = JC_SR_INIT_GROW;
    m->options.function_set = (1u << JC_SR_NOPS) - (1u << JC_SR_ADD);
    m->options.metric = JC_SR_RMSE;
    m->options.parsimony_coefficient = 0.0123;
    m->options.p_crossover = 0.7;
    m->options.p_subtree_mutation = 0.1;
    m->options.p_hoist_mutation = 0.05;
    m->options.p_point_mutation = 0.1;
    m->options.p_point_replace = 0.2;
    m->options.max_samples = 0.9;
    m->options.random_state = UINT64_MAX - 5; /* above 2^63 - 1: written as a string */
    m->options.n_jobs = 4;
    m->options.linear_scaling = 1;
    m->options.optimize_constants = 10;
    m->options.lm_iterations = 30;
    m->options.pareto_front = 1;
    m->ngenerations = 3;
    m->history = calloc(3, sizeof *m->history);
    for (int g = 0; g < 3; g++)
        m->history[g] = (jc_sr_generation){g, 1.0 / (g + 3), 2.0 / (g + 7), g == 1 ? NAN : 0.1 * g, 12.5 + g,
                                           0.001 * (g + 1)};
    m->history[2].mean_raw_fitness = INFINITY;
    m->npareto = 2;
    m->pareto = calloc(2, sizeof *m->pareto);
    m->pareto[0] = (jc_sr_pareto_point){PROG(V(2)), 1, 0.9, NAN};
    m->pareto[1] = (jc_sr_pareto_point){PROG(F(MUL), C(-0.0), F(SIN), V(1)), 4, 0.7, 0.75};
    m->node_evaluations = 123456789.0;
    m->fit_seconds = 3.25;
}

static void assert_same_double(double a, double b) { assert_true(same_bits(a, b)); }

static void assert_same_model(const jc_sr_model *a, const jc_sr_model *b)
{
    assert_true(same_program(&a->program, &b->program));
    assert_int_equal(a->nfeatures, b->nfeatures);
    for (size_t j = 0; j < a->nfeatures; j++)
        if (a->feature_names)
            assert_string_equal(a->feature_names[j], b->feature_names[j]);
    if (!a->feature_names)
        assert_null(b->feature_names);
    if (a->target_name)
        assert_string_equal(a->target_name, b->target_name);
    else
        assert_null(b->target_name);
    assert_same_double(a->raw_fitness, b->raw_fitness);
    assert_same_double(a->oob_fitness, b->oob_fitness);
    assert_same_double(a->scale_a, b->scale_a);
    assert_same_double(a->scale_b, b->scale_b);
    assert_same_double(a->fit_seconds, b->fit_seconds);
    assert_same_double(a->node_evaluations, b->node_evaluations);
    assert_memory_equal(&a->options, &b->options, sizeof a->options);
    assert_int_equal(a->ngenerations, b->ngenerations);
    for (size_t g = 0; g < a->ngenerations; g++) {
        const jc_sr_generation *x = &a->history[g], *y = &b->history[g];
        assert_int_equal(x->generation, y->generation);
        assert_same_double(x->best_raw_fitness, y->best_raw_fitness);
        assert_same_double(x->mean_raw_fitness, y->mean_raw_fitness);
        assert_same_double(x->best_oob_fitness, y->best_oob_fitness);
        assert_same_double(x->mean_length, y->mean_length);
        assert_same_double(x->seconds, y->seconds);
    }
    assert_int_equal(a->npareto, b->npareto);
    for (size_t k = 0; k < a->npareto; k++) {
        assert_true(same_program(&a->pareto[k].program, &b->pareto[k].program));
        assert_same_double(a->pareto[k].length, b->pareto[k].length);
        assert_same_double(a->pareto[k].raw_fitness, b->pareto[k].raw_fitness);
        assert_same_double(a->pareto[k].oob_fitness, b->pareto[k].oob_fitness);
    }
}

static void test_model_round_trip(void **state)
{
    (void)state;
    jc_sr_model m, back;
    sample_model(&m);
    const char *path = tmp_path("model.json");
    assert_int_equal(jc_sr_model_save(&m, path), JC_OK);
    assert_int_equal(jc_sr_model_load(path, &back), JC_OK);
    assert_same_model(&m, &back);

    /* Predictions bit for bit, over values that exercise every branch. */
    jc_rng r;
    jc_rng_seed(&r, 5);
    enum { N = 500 };
    double X[3 * N], a[N], b[N];
    for (int i = 0; i < 3 * N; i++)
        X[i] = (jc_rng_uniform(&r) - 0.5) * pow(10, (double)jc_rng_below(&r, 12) - 6);
    assert_int_equal(jc_sr_predict(&m, X, N, N, a), JC_OK);
    assert_int_equal(jc_sr_predict(&back, X, N, N, b), JC_OK);
    assert_memory_equal(a, b, sizeof a);

    /* The file: the documented layout, informational formulas included. */
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "format")), "joulecast-sr");
    assert_int_equal(json_integer_value(json_object_get(root, "version")), 1);
    json_t *formula = json_object_get(root, "formula");
    assert_string_equal(json_string_value(json_object_get(formula, "gplearn")),
                        "add(mul(0.100, log(batch size)), div(sig(flops), add(gamma, 0.333)))");
    assert_string_equal(json_string_value(json_object_get(formula, "infix")),
                        "0.1 * log(batch size) + sig(flops) / (gamma + 0.333333)");
    assert_non_null(strstr(json_string_value(json_object_get(formula, "sympy")), "gamma_ + 0.33333333333333331"));
    assert_true(json_is_null(json_object_get(root, "oob_fitness")));
    assert_int_equal(json_integer_value(json_object_get(root, "length")), 11);
    assert_int_equal(json_integer_value(json_object_get(root, "depth")), 3);
    json_t *opts = json_object_get(root, "options");
    assert_string_equal(json_string_value(json_object_get(opts, "init_method")), "grow");
    assert_string_equal(json_string_value(json_object_get(opts, "metric")), "rmse");
    assert_string_equal(json_string_value(json_object_get(opts, "random_state")), "18446744073709551610");
    assert_int_equal(json_array_size(json_object_get(opts, "function_set")), 15);
    assert_string_equal(json_string_value(json_array_get(json_object_get(opts, "function_set"), 14)), "sig");
    json_t *prog = json_object_get(root, "program");
    assert_string_equal(json_string_value(json_array_get(prog, 0)), "add");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(prog, 4), "feature")), 0);
    assert_true(json_real_value(json_array_get(prog, 2)) == 0.1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(root, "history"), 2),
                                                          "mean_raw_fitness")),
                        "inf");
    json_decref(root);
    jc_sr_model_free(&back);

    /* Options written as gplearn's special values: const_range None, "auto",
     * non-finite constants; no feature names; no target. */
    jc_sr_program_free(&m.program);
    m.program = PROG(F(ADD), V(0), F(MAX), C(INFINITY), F(MIN), C(-INFINITY), C(NAN));
    for (size_t j = 0; j < m.nfeatures; j++)
        free(m.feature_names[j]);
    free(m.feature_names);
    m.feature_names = NULL;
    free(m.target_name);
    m.target_name = NULL;
    m.options.const_range_none = 1; /* null: the range itself is not kept */
    m.options.const_lo = -1;
    m.options.const_hi = 1;
    m.options.parsimony_auto = 1;
    m.options.parsimony_coefficient = 0.001; /* "auto" keeps only the default */
    m.options.random_state = 42;
    assert_int_equal(jc_sr_model_save(&m, path), JC_OK);
    assert_int_equal(jc_sr_model_load(path, &back), JC_OK);
    assert_same_model(&m, &back);
    assert_int_equal(jc_sr_predict(&m, X, N, N, a), JC_OK);
    assert_int_equal(jc_sr_predict(&back, X, N, N, b), JC_OK);
    for (int i = 0; i < N; i++)
        assert_true(same_bits(a[i], b[i]));
    jc_sr_model_free(&back);

    /* A failing save leaves the good file as it was. */
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    m.program.nodes[1].var = 9;
    assert_int_equal(jc_sr_model_save(&m, path), JC_ERR_INVALID);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    assert_int_equal(jc_sr_model_load(path, &back), JC_OK);
    jc_sr_model_free(&back);
    m.program.nodes[1].var = 0;
    assert_int_equal(jc_sr_model_save(&m, tmp_path("no/such/dir/model.json")), JC_ERR_IO);
    jc_sr_model_free(&m);

    /* Freeing a zeroed model is safe. */
    jc_sr_model z = {0};
    jc_sr_model_free(&z);
}

static const char *const good_head = "{\"format\": \"joulecast-sr\", \"version\": 1, \"features\": [\"a\", \"b\"], ";

/* Write head + body + "}" and expect load to fail with status naming the
 * file and containing words. */
static void expect_load_error(const char *name, const char *body, int status, const char *words)
{
    const char *path = tmp_path(name);
    char text[1024];
    snprintf(text, sizeof text, "%s%s}", good_head, body);
    write_file(path, text);
    jc_sr_model m;
    jc_clear_error();
    int rc = jc_sr_model_load(path, &m);
    if (rc != status || !strstr(jc_last_error(), words) || strncmp(jc_last_error(), path, strlen(path)) != 0)
        fail_msg("%s: got %d \"%s\", wanted %d and \"%s\"", body, rc, jc_last_error(), status, words);
    /* Nothing half-built is left behind. */
    assert_null(m.program.nodes);
    assert_null(m.feature_names);
    jc_sr_model_free(&m);
}

static void test_model_load_errors(void **state)
{
    (void)state;
    /* The minimal model loads, with defaults for everything else. */
    const char *path = tmp_path("min.json");
    char text[512];
    snprintf(text, sizeof text, "%s\"program\": [\"add\", {\"feature\": 1}, 1.5]}", good_head);
    write_file(path, text);
    jc_sr_model m;
    assert_int_equal(jc_sr_model_load(path, &m), JC_OK);
    assert_int_equal(m.nfeatures, 2);
    assert_string_equal(m.feature_names[1], "b");
    assert_null(m.target_name);
    assert_true(m.scale_a == 0 && m.scale_b == 1);
    assert_true(isnan(m.oob_fitness));
    assert_int_equal(m.options.population_size, 1000);
    double X[2] = {7, 2.5}, y;
    assert_int_equal(jc_sr_predict(&m, X, 1, 1, &y), JC_OK);
    assert_true(y == 4.0);
    jc_sr_model_free(&m);

    jc_clear_error();
    assert_int_equal(jc_sr_model_load(tmp_path("absent.json"), &m), JC_ERR_IO);
    assert_non_null(strstr(jc_last_error(), "absent.json"));

    /* Broken JSON: jansson's line and column. */
    path = tmp_path("broken.json");
    write_file(path, "{\n  \"format\": \"joulecast-sr\",\n  \"version\": 1,,\n}\n");
    jc_clear_error();
    assert_int_equal(jc_sr_model_load(path, &m), JC_ERR_PARSE);
    assert_string_equal(jc_last_error_file(), path);
    assert_int_equal(jc_last_error_line(), 3);
    assert_true(jc_last_error_column() > 0);
    assert_non_null(strstr(jc_last_error(), "not valid JSON"));

    path = tmp_path("array.json");
    write_file(path, "[1, 2]");
    assert_int_equal(jc_sr_model_load(path, &m), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "top level is not an object"));

    path = tmp_path("other.json");
    write_file(path, "{\"format\": \"other\", \"version\": 1, \"program\": [1]}");
    assert_int_equal(jc_sr_model_load(path, &m), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "not a joulecast-sr model (\"format\" is \"other\")"));
    write_file(path, "{\"version\": 1, \"program\": [1]}");
    assert_int_equal(jc_sr_model_load(path, &m), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "missing or not a string"));

    write_file(path, "{\"format\": \"joulecast-sr\", \"version\": 2, \"features\": [], \"program\": [1]}");
    assert_int_equal(jc_sr_model_load(path, &m), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "unsupported joulecast-sr version 2"));
    write_file(path, "{\"format\": \"joulecast-sr\", \"version\": \"1\", \"program\": [1]}");
    assert_int_equal(jc_sr_model_load(path, &m), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "version"));

    const int P = JC_ERR_PARSE;
    expect_load_error("e1.json", "\"target\": null", P, "missing \"program\"");
    expect_load_error("e2.json", "\"program\": []", P, "program must be a non-empty array");
    expect_load_error("e3.json", "\"program\": \"add(X0, X1)\"", P, "program must be a non-empty array");
    expect_load_error("e4.json", "\"program\": [\"add\", {\"feature\": 0}, \"pow\"]", P,
                      "program[2]: unknown function \"pow\"");
    expect_load_error("e5.json", "\"program\": [\"neg\", true]", P, "program[1]: expected a function name");
    expect_load_error("e6.json", "\"program\": [\"neg\", {\"x\": 0}]", P, "program[1]: expected a function name");
    expect_load_error("e7.json", "\"program\": [\"neg\", {\"feature\": 2}]", P,
                      "program[1]: feature 2 is out of range (2 features)");
    expect_load_error("e8.json", "\"program\": [\"neg\", {\"feature\": -1}]", P, "out of range");
    expect_load_error("e9.json", "\"program\": [\"add\", {\"feature\": 0}]", P, "program is not one well-formed tree");
    expect_load_error("e10.json", "\"program\": [\"neg\", 1, 2]", P, "program is not one well-formed tree");
    expect_load_error("e11.json", "\"program\": [1], \"features\": [\"a\", 3]", P, "duplicate");
    expect_load_error("e12.json", "\"program\": [1], \"target\": 3", P, "target must be");
    expect_load_error("e13.json", "\"program\": [1], \"n_features\": 3", P, "n_features is 3 but features has 2");
    expect_load_error("e14.json", "\"program\": [1], \"scale\": {\"a\": \"x\"}", P, "scale.a must be a number");
    expect_load_error("e15.json", "\"program\": [1], \"raw_fitness\": [1]", P, "raw_fitness must be a number");
    expect_load_error("e16.json", "\"program\": [1], \"options\": 3", P, "options must be an object");
    expect_load_error("e17.json", "\"program\": [1], \"options\": {\"metric\": \"r2\"}", P, "options.metric must be");
    expect_load_error("e18.json", "\"program\": [1], \"options\": {\"init_method\": \"ramped\"}", P,
                      "options.init_method must be");
    expect_load_error("e19.json", "\"program\": [1], \"options\": {\"function_set\": [\"add\", \"pow\"]}", P,
                      "options.function_set[1]: unknown function \"pow\"");
    expect_load_error("e20.json", "\"program\": [1], \"options\": {\"const_range\": [1]}", P,
                      "options.const_range must be");
    expect_load_error("e21.json", "\"program\": [1], \"options\": {\"init_depth\": [2, 6.5]}", P,
                      "options.init_depth must be");
    expect_load_error("e22.json", "\"program\": [1], \"options\": {\"population_size\": 1.5}", P,
                      "options.population_size must be an integer");
    expect_load_error("e23.json", "\"program\": [1], \"options\": {\"parsimony_coefficient\": \"big\"}", P,
                      "options.parsimony_coefficient must be");
    expect_load_error("e24.json", "\"program\": [1], \"options\": {\"random_state\": -3}", P,
                      "options.random_state must be");
    expect_load_error("e25.json", "\"program\": [1], \"history\": {}", P, "history must be an array");
    expect_load_error("e26.json", "\"program\": [1], \"history\": [{\"seconds\": \"slow\"}]", P,
                      "history[0].seconds must be a number");
    expect_load_error("e27.json", "\"program\": [1], \"pareto\": [{\"program\": [\"sin\"]}]", P,
                      "pareto[0].program is not one well-formed tree");
    expect_load_error("e28.json", "\"program\": [1], \"pareto\": [3]", P, "pareto[0] must be an object");
    expect_load_error("e29.json", "\"program\": [1], \"program\": [2]", P, "duplicate");
    /* Without features, n_features must say how many. */
    path = tmp_path("nofeat.json");
    write_file(path, "{\"format\": \"joulecast-sr\", \"version\": 1, \"features\": null, \"program\": [1]}");
    assert_int_equal(jc_sr_model_load(path, &m), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "missing \"features\""));
    write_file(path, "{\"format\": \"joulecast-sr\", \"version\": 1, \"features\": [3], \"program\": [1]}");
    assert_int_equal(jc_sr_model_load(path, &m), JC_ERR_PARSE);
    assert_non_null(strstr(jc_last_error(), "features[0] must be a name"));
    write_file(path, "{\"format\": \"joulecast-sr\", \"version\": 1, \"n_features\": 4, "
                     "\"program\": [\"sig\", {\"feature\": 3}]}");
    assert_int_equal(jc_sr_model_load(path, &m), JC_OK);
    assert_int_equal(m.nfeatures, 4);
    assert_null(m.feature_names);
    jc_sr_model_free(&m);
}

/* ---- the sympy form, checked by sympy ---- */

static int have_sympy(void)
{
    return access("/usr/bin/python3", X_OK) == 0 &&
           system("/usr/bin/python3 -c 'import sympy' >/dev/null 2>&1") == 0;
}

static void test_sympy_form(void **state)
{
    (void)state;
    if (!have_sympy()) {
        print_message("sympy is not available to /usr/bin/python3: skipped\n");
        skip();
    }
    const char *names[] = {"batch size", "gamma", "2nd", "flops"};
    const char *idents[] = {"batch_size", "gamma_", "x_2nd", "flops"};
    jc_sr_program progs[] = {
        PROG(F(ADD), F(MUL), C(0.1), V(1), F(DIV), V(0), V(3)),
        PROG(F(SUB), V(0), F(SUB), V(1), V(2)),
        PROG(F(MUL), F(SQRT), F(NEG), V(0), F(LOG), V(1)),
        PROG(F(ADD), F(SIG), F(MUL), V(0), C(-2.5), F(INV), F(ADD), V(2), C(3.7)),
        PROG(F(MAX), F(MIN), V(0), V(1), F(ABS), V(2)),
        PROG(F(ADD), F(SIN), V(0), F(MUL), F(COS), V(1), F(TAN), V(2)),
        PROG(F(NEG), F(DIV), V(3), F(ADD), V(1), C(10.0)),
        PROG(F(DIV), F(MUL), V(0), V(1), F(MUL), V(2), F(SUB), V(3), C(1e-5)),
        PROG(F(SUB), F(NEG), F(NEG), V(0), F(MUL), C(1.0 / 3.0), F(INV), V(1)),
    };
    enum { NP = sizeof progs / sizeof *progs, ROWS = 6 };
    double X[4 * ROWS];
    jc_rng r;
    jc_rng_seed(&r, 77);
    /* Away from the protections' thresholds: |x| in [0.5, 3]. */
    for (int i = 0; i < 4 * ROWS; i++)
        X[i] = (0.5 + 2.5 * jc_rng_uniform(&r)) * (jc_rng_uniform(&r) < 0.5 ? -1 : 1);
    char script[128];
    snprintf(script, sizeof script, "%s/check_sympy.py", tmpdir);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fprintf(f, "from sympy import sympify, Symbol, Float\n"
               "def ev(text, env):\n"
               "    e = sympify(text)\n"
               "    subs = {Symbol(k): Float(v, 40) for k, v in env.items()}\n"
               "    print(repr(float(e.evalf(40, subs=subs))))\n");
    for (int k = 0; k < NP; k++) {
        char *s = jc_sr_program_text(&progs[k], names, JC_SR_TEXT_SYMPY);
        assert_non_null(s);
        for (int i = 0; i < ROWS; i++) {
            fprintf(f, "ev(%s%s%s, {", "\"", s, "\"");
            for (int j = 0; j < 4; j++)
                fprintf(f, "%s\"%s\": \"%.17g\"", j ? ", " : "", idents[j], X[j * ROWS + i]);
            fprintf(f, "})\n");
        }
        free(s);
    }
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' 2>&1", script);
    FILE *py = popen(cmd, "r");
    assert_non_null(py);
    char line[4096];
    for (int k = 0; k < NP; k++) {
        double want[ROWS];
        assert_int_equal(jc_sr_program_eval(&progs[k], X, ROWS, ROWS, want), JC_OK);
        for (int i = 0; i < ROWS; i++) {
            if (!fgets(line, sizeof line, py))
                fail_msg("python stopped early at program %d row %d", k, i);
            char *end;
            double got = strtod(line, &end);
            if (end == line)
                fail_msg("program %d: python said: %s", k, line);
            double tol = 1e-9 * fmax(fabs(want[i]), 1e-3);
            if (!(fabs(got - want[i]) <= tol)) {
                char *s = jc_sr_program_text(&progs[k], names, JC_SR_TEXT_SYMPY);
                fail_msg("%s at row %d: sympy %.17g, evaluator %.17g", s, i, got, want[i]);
            }
        }
        jc_sr_program_free(&progs[k]);
    }
    assert_int_equal(pclose(py), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_every_function),
        cmocka_unit_test(test_text_precedence),
        cmocka_unit_test(test_text_names),
        cmocka_unit_test(test_parse_round_trip),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_simplify_rules),
        cmocka_unit_test(test_simplify_random_bit_identical),
        cmocka_unit_test(test_model_round_trip),
        cmocka_unit_test(test_model_load_errors),
        cmocka_unit_test(test_sympy_form),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
