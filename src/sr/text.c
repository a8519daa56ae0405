/* Text forms of sr programs: gplearn's own print form (nested prefix calls),
 * a readable infix formula, and a form that sympy.sympify() reads; and the
 * parser that reads gplearn's form back into a program.
 *
 * In the infix form, '/', log, sqrt and inv (printed 1/x) denote gplearn's
 * protected functions (sr.h): a/b is 1 where |b| <= 0.001, log is log|x| and
 * 0 where |x| <= 0.001, sqrt is sqrt|x|, 1/x is 0 where |x| <= 0.001. The
 * sympy form writes the ordinary mathematics (sqrt(Abs(x)), log(Abs(x)),
 * plain division), which agrees with the program wherever no protection
 * triggers. Its constants have 17 significant digits, so they are exact.
 *
 * Sympy needs feature names that are Python identifiers and that sympy does
 * not already define. A name is rewritten, deterministically: every byte
 * other than [A-Za-z0-9_] becomes '_'; a name that is empty, starts with a
 * digit or starts with "__" gets the prefix "x_"; a Python keyword, a
 * built-in function or a name of sympy's namespace (list below, sympy 1.11)
 * gets a '_' appended ("gamma" -> "gamma_"); if the result equals the
 * identifier of an earlier feature, "_<index>" is appended until it does
 * not. Without names the features are x0, x1, ... */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr/sr_internal.h"

static int sympy_is_reserved(const char *s);

/* ---- a growing string ---- */

typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->oom = 1;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_printf(sbuf *b, const char *fmt, ...) JC_PRINTF(2, 3);
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof tmp) {
        sb_put(b, tmp, (size_t)n);
        return;
    }
    /* Only "%.3f" of a huge constant gets here (up to ~310 digits). */
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_put(b, big, (size_t)n);
    free(big);
}

/* ---- sympy identifiers ---- */

static int is_ident_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The identifier of one name before de-duplication; see the top of the file. */
static char *sympy_ident(const char *name)
{
    size_t n = strlen(name);
    char *s = malloc(n + 4); /* "x_" + name + "_" + NUL */
    if (!s)
        return NULL;
    size_t k = 0;
    if (n == 0 || (name[0] >= '0' && name[0] <= '9') || (name[0] == '_' && name[1] == '_')) {
        s[k++] = 'x';
        s[k++] = '_';
    }
    for (size_t i = 0; i < n; i++)
        s[k++] = is_ident_char((unsigned char)name[i]) ? name[i] : '_';
    s[k] = '\0';
    if (sympy_is_reserved(s)) {
        s[k++] = '_';
        s[k] = '\0';
    }
    return s;
}

static void free_idents(char **idents, size_t n)
{
    if (!idents)
        return;
    for (size_t i = 0; i < n; i++)
        free(idents[i]);
    free(idents);
}

/* Identifiers of features 0..n-1: each depends only on the names up to
 * its own index, so a feature's identifier is the same in every program. */
static char **sympy_idents(const char *const *names, size_t n)
{
    char **id = calloc(n ? n : 1, sizeof *id);
    if (!id)
        return NULL;
    for (size_t j = 0; j < n; j++) {
        char dflt[32];
        snprintf(dflt, sizeof dflt, "x%zu", j);
        char *s = sympy_ident(names[j] ? names[j] : dflt);
        for (int taken = 1; s && taken;) {
            taken = 0;
            for (size_t i = 0; i < j && !taken; i++)
                taken = strcmp(id[i], s) == 0;
            if (taken) {
                size_t len = strlen(s);
                char *t = realloc(s, len + 24);
                if (!t) {
                    free(s);
                    s = NULL;
                    break;
                }
                s = t;
                snprintf(s + len, 24, "_%zu", j);
            }
        }
        if (!s) {
            free_idents(id, j);
            return NULL;
        }
        id[j] = s;
    }
    return id;
}

/* ---- printing ---- */

/* Binding strength in the infix and sympy forms; a child binding less
 * tightly than its context gets parentheses. Unary minus binds tighter than
 * '*' and '/' as in C and Python. */
enum { P_SUM = 1, P_PROD, P_UNARY, P_ATOM };

typedef struct {
    const jc_sr_node *nodes;
    const char *const *names;
    char **idents; /* sympy identifiers, or NULL */
    jc_sr_syntax syntax;
    sbuf out;
} printer;

static int prec(const printer *pr, const jc_sr_node *nd)
{
    switch (nd->op) {
    case JC_SR_CONST: return signbit(nd->value) && !isnan(nd->value) ? P_UNARY : P_ATOM;
    case JC_SR_ADD:
    case JC_SR_SUB: return P_SUM;
    case JC_SR_MUL:
    case JC_SR_DIV:
    case JC_SR_INV: return P_PROD;
    case JC_SR_SIG: return pr->syntax == JC_SR_TEXT_SYMPY ? P_PROD : P_ATOM;
    case JC_SR_NEG: return P_UNARY;
    default: return P_ATOM;
    }
}

static void put_const(printer *pr, double v)
{
    if (isnan(v))
        sb_puts(&pr->out, "nan");
    else if (pr->syntax == JC_SR_TEXT_SYMPY && isinf(v))
        sb_puts(&pr->out, v > 0 ? "oo" : "-oo"); /* sympy reads "inf" as a symbol */
    else if (pr->syntax == JC_SR_TEXT_SYMPY)
        sb_printf(&pr->out, "%.17g", v);
    else if (pr->syntax == JC_SR_TEXT_GPLEARN)
        sb_printf(&pr->out, "%.3f", v); /* gplearn's '%.3f' */
    else
        sb_printf(&pr->out, "%.6g", v);
}

static void put_feature(printer *pr, unsigned var)
{
    if (pr->idents)
        sb_puts(&pr->out, pr->idents[var]);
    else if (pr->names && pr->names[var] && pr->syntax != JC_SR_TEXT_SYMPY)
        sb_puts(&pr->out, pr->names[var]);
    else
        sb_printf(&pr->out, "%c%u", pr->syntax == JC_SR_TEXT_GPLEARN ? 'X' : 'x', var);
}

static uint32_t emit(printer *pr, uint32_t i);

static uint32_t emit_paren(printer *pr, uint32_t i, int paren)
{
    if (paren)
        sb_puts(&pr->out, "(");
    uint32_t j = emit(pr, i);
    if (paren)
        sb_puts(&pr->out, ")");
    return j;
}

/* Function-call form: name(arg, arg). */
static uint32_t emit_call(printer *pr, uint32_t i, const char *name)
{
    sb_puts(&pr->out, name);
    sb_puts(&pr->out, "(");
    uint32_t j = i + 1;
    for (int a = 0; a < pr->nodes[i].arity; a++) {
        if (a)
            sb_puts(&pr->out, ", ");
        j = emit(pr, j);
    }
    sb_puts(&pr->out, ")");
    return j;
}

/* Whether a op (b rop c) reads the same without the parentheses. Only for
 * + and *, whose regrouping is exact in real arithmetic: protected division
 * does not regroup (a * (b / c) is a where |c| <= 0.001, a * b / c is 1). */
static int regroups(int op, int rop)
{
    return (op == JC_SR_ADD && (rop == JC_SR_ADD || rop == JC_SR_SUB)) || (op == JC_SR_MUL && rop == JC_SR_MUL);
}

/* Recursion goes as deep as the program, which evolved programs keep small. */
static uint32_t emit(printer *pr, uint32_t i)
{
    const jc_sr_node *nd = &pr->nodes[i];
    int sympy = pr->syntax == JC_SR_TEXT_SYMPY;
    switch (nd->op) {
    case JC_SR_CONST:
        put_const(pr, nd->value);
        return i + 1;
    case JC_SR_VAR:
        put_feature(pr, nd->var);
        return i + 1;
    case JC_SR_ADD:
    case JC_SR_SUB:
    case JC_SR_MUL:
    case JC_SR_DIV: {
        static const char *sym[] = {[JC_SR_ADD] = " + ", [JC_SR_SUB] = " - ", [JC_SR_MUL] = " * ",
                                    [JC_SR_DIV] = " / "};
        int p = prec(pr, nd);
        uint32_t j = emit_paren(pr, i + 1, prec(pr, &pr->nodes[i + 1]) < p);
        sb_puts(&pr->out, sym[nd->op]);
        const jc_sr_node *r = &pr->nodes[j];
        int rp = prec(pr, r);
        /* A unary minus on the right reads badly unbracketed: a * (-2.5). */
        int paren = rp < p || rp == P_UNARY || (rp == p && !regroups(nd->op, r->op));
        return emit_paren(pr, j, paren);
    }
    case JC_SR_NEG:
        sb_puts(&pr->out, "-");
        return emit_paren(pr, i + 1, prec(pr, &pr->nodes[i + 1]) < P_ATOM);
    case JC_SR_INV:
        sb_puts(&pr->out, "1/");
        return emit_paren(pr, i + 1, prec(pr, &pr->nodes[i + 1]) < P_ATOM);
    case JC_SR_SQRT:
    case JC_SR_LOG:
        if (sympy) {
            sb_puts(&pr->out, nd->op == JC_SR_SQRT ? "sqrt(Abs(" : "log(Abs(");
            uint32_t j = emit(pr, i + 1);
            sb_puts(&pr->out, "))");
            return j;
        }
        return emit_call(pr, i, jc_sr_op_get((jc_sr_op)nd->op)->name);
    case JC_SR_SIG:
        if (sympy) {
            sb_puts(&pr->out, "1/(1 + exp(-");
            uint32_t j = emit_paren(pr, i + 1, prec(pr, &pr->nodes[i + 1]) < P_ATOM);
            sb_puts(&pr->out, "))");
            return j;
        }
        return emit_call(pr, i, "sig");
    case JC_SR_ABS: return emit_call(pr, i, sympy ? "Abs" : "abs");
    case JC_SR_MAX: return emit_call(pr, i, sympy ? "Max" : "max");
    case JC_SR_MIN: return emit_call(pr, i, sympy ? "Min" : "min");
    default: return emit_call(pr, i, jc_sr_op_get((jc_sr_op)nd->op)->name);
    }
}

/* gplearn's _Program.__str__, loop for loop: after each terminal, close
 * every call whose arguments are complete. */
static void emit_gplearn(printer *pr, const jc_sr_program *p)
{
    int *left = malloc(((size_t)p->len + 1) * sizeof *left);
    if (!left) {
        pr->out.oom = 1;
        return;
    }
    int top = 0;
    left[0] = 0;
    for (uint32_t i = 0; i < p->len; i++) {
        const jc_sr_node *nd = &p->nodes[i];
        if (nd->arity > 0) {
            left[++top] = nd->arity;
            sb_puts(&pr->out, jc_sr_op_get((jc_sr_op)nd->op)->name);
            sb_puts(&pr->out, "(");
            continue;
        }
        if (nd->op == JC_SR_VAR)
            put_feature(pr, nd->var);
        else
            put_const(pr, nd->value);
        left[top]--;
        while (top > 0 && left[top] == 0) {
            top--;
            left[top]--;
            sb_puts(&pr->out, ")");
        }
        if (i != p->len - 1)
            sb_puts(&pr->out, ", ");
    }
    free(left);
}

char *jc_sr_program_text(const jc_sr_program *p, const char *const *names, jc_sr_syntax syntax)
{
    if (!jc_sr_program_valid(p, SIZE_MAX)) {
        jc_fail(JC_ERR_INVALID, "cannot print a malformed program");
        return NULL;
    }
    if (syntax != JC_SR_TEXT_INFIX && syntax != JC_SR_TEXT_GPLEARN && syntax != JC_SR_TEXT_SYMPY) {
        jc_fail(JC_ERR_INVALID, "unknown program syntax %d", (int)syntax);
        return NULL;
    }
    printer pr = {.nodes = p->nodes, .names = names, .syntax = syntax};
    size_t nvars = 0;
    if (syntax == JC_SR_TEXT_SYMPY && names) {
        for (uint32_t i = 0; i < p->len; i++)
            if (p->nodes[i].op == JC_SR_VAR && (size_t)p->nodes[i].var + 1 > nvars)
                nvars = (size_t)p->nodes[i].var + 1;
        pr.idents = sympy_idents(names, nvars);
        if (!pr.idents) {
            jc_fail(JC_ERR_NOMEM, "out of memory printing a program");
            return NULL;
        }
    }
    if (syntax == JC_SR_TEXT_GPLEARN)
        emit_gplearn(&pr, p);
    else
        emit(&pr, 0);
    free_idents(pr.idents, nvars);
    if (pr.out.oom || !pr.out.s) {
        free(pr.out.s);
        jc_fail(JC_ERR_NOMEM, "out of memory printing a program");
        return NULL;
    }
    return pr.out.s;
}

/* ---- parsing gplearn's form ---- */

#define FORMULA "<formula>"

typedef struct {
    const char *text;
    const char *const *names;
    size_t nfeatures;
} parser;

/* jc_fail_at with the 1-based line and column of text + pos. */
static int parse_error(const parser *ps, size_t pos, const char *fmt, ...) JC_PRINTF(3, 4);
static int parse_error(const parser *ps, size_t pos, const char *fmt, ...)
{
    long line = 1;
    size_t bol = 0;
    for (size_t k = 0; k < pos; k++)
        if (ps->text[k] == '\n') {
            line++;
            bol = k + 1;
        }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return jc_fail_at(JC_ERR_PARSE, FORMULA, line, (long)(pos - bol) + 1, "%s", msg);
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static size_t skip_space(const char *s, size_t pos)
{
    while (is_space(s[pos]))
        pos++;
    return pos;
}

/* A token ends at space, ',', '(', ')' or the end. */
static size_t token_end(const char *s, size_t pos)
{
    while (s[pos] && !is_space(s[pos]) && s[pos] != ',' && s[pos] != '(' && s[pos] != ')')
        pos++;
    return pos;
}

/* The longest feature name at pos that ends where an argument may end and is
 * not followed by '(' (names may hold spaces and parentheses, "power (W)"). */
static long match_name(const parser *ps, size_t pos, size_t *end)
{
    long best = -1;
    size_t best_len = 0;
    if (!ps->names)
        return -1;
    for (size_t k = 0; k < ps->nfeatures; k++) {
        const char *nm = ps->names[k];
        if (!nm || !*nm)
            continue;
        size_t len = strlen(nm);
        if (len <= best_len || strncmp(ps->text + pos, nm, len) != 0)
            continue;
        char c = ps->text[pos + len];
        if (c != '\0' && c != ',' && c != ')' && !is_space(c))
            continue;
        if (ps->text[skip_space(ps->text, pos + len)] == '(')
            continue;
        best = (long)k;
        best_len = len;
    }
    *end = pos + best_len;
    return best;
}

/* A terminal at [pos, end) that is no name: Xk (accepted beside names, as
 * gplearn prints Xk when it has none) or a number in strtod's syntax. */
static int parse_terminal(const parser *ps, size_t pos, size_t end, jc_sr_node *nd)
{
    char tok[128];
    size_t n = end - pos;
    if (n >= sizeof tok)
        return parse_error(ps, pos, "unknown feature or bad number \"%.40s...\"", ps->text + pos);
    memcpy(tok, ps->text + pos, n);
    tok[n] = '\0';
    memset(nd, 0, sizeof *nd);
    if (tok[0] == 'X' && tok[1] >= '0' && tok[1] <= '9' && strspn(tok + 1, "0123456789") == n - 1) {
        unsigned long k = strtoul(tok + 1, NULL, 10);
        if (k >= ps->nfeatures || k > UINT16_MAX)
            return parse_error(ps, pos, "feature %s is out of range (%zu features)", tok, ps->nfeatures);
        nd->op = JC_SR_VAR;
        nd->var = (uint16_t)k;
        return JC_OK;
    }
    char *stop;
    double v = strtod(tok, &stop);
    if (stop == tok || *stop != '\0')
        return parse_error(ps, pos, "unknown feature or bad number \"%s\"", tok);
    nd->op = JC_SR_CONST;
    nd->value = v;
    return JC_OK;
}

typedef struct {
    uint8_t op, arity, seen;
    size_t pos; /* of the function name, for messages */
} frame;

static int append(jc_sr_program *p, const jc_sr_node *nd)
{
    if (p->len == UINT32_MAX)
        return jc_fail(JC_ERR_INVALID, "program too long");
    int rc = jc_sr_program_reserve(p, p->len + 1);
    if (rc)
        return rc;
    p->nodes[p->len++] = *nd;
    return JC_OK;
}

static const char *op_name(int op) { return jc_sr_op_get((jc_sr_op)op)->name; }

/* gplearn's text is prefix order already: nodes are appended as they are
 * read, and a stack of open calls checks the argument counts (no recursion,
 * so any depth parses). */
static int parse_into(const parser *ps, jc_sr_program *prog)
{
    const char *s = ps->text;
    frame *stack = NULL;
    size_t depth = 0, cap = 0;
    int rc = JC_OK;
    size_t pos = skip_space(s, 0);
    for (;;) {
        /* An argument starts at pos. */
        char c = s[pos];
        if (c == '\0' || c == ',' || c == '(' || c == ')') {
            if (c == ')' && depth > 0 && stack[depth - 1].seen == 0)
                rc = parse_error(ps, pos, "%s takes %d argument%s, found none", op_name(stack[depth - 1].op),
                                 stack[depth - 1].arity, stack[depth - 1].arity > 1 ? "s" : "");
            else if (c == '\0')
                rc = parse_error(ps, pos, "formula ends where a function, feature or number was expected");
            else
                rc = parse_error(ps, pos, "expected a function, feature or number, found '%c'", c);
            break;
        }
        size_t end;
        long k = match_name(ps, pos, &end);
        jc_sr_node nd = {0};
        if (k >= 0) {
            nd.op = JC_SR_VAR;
            nd.var = (uint16_t)k;
        } else {
            end = token_end(s, pos);
            size_t after = skip_space(s, end);
            if (s[after] == '(') {
                char name[32];
                size_t n = end - pos;
                int op = -1;
                if (n < sizeof name) {
                    memcpy(name, s + pos, n);
                    name[n] = '\0';
                    op = jc_sr_op_from_name(name);
                }
                if (op < 0) {
                    rc = parse_error(ps, pos, "unknown function \"%.*s\"", (int)(n < 40 ? n : 40), s + pos);
                    break;
                }
                nd.op = (uint8_t)op;
                nd.arity = (uint8_t)jc_sr_op_get((jc_sr_op)op)->arity;
                if ((rc = append(prog, &nd)) != JC_OK)
                    break;
                if ((rc = jc_grow((void **)&stack, &cap, depth + 1, sizeof *stack)) != JC_OK)
                    break;
                stack[depth++] = (frame){nd.op, nd.arity, 0, pos};
                pos = skip_space(s, after + 1);
                continue;
            }
            if ((rc = parse_terminal(ps, pos, end, &nd)) != JC_OK)
                break;
        }
        if ((rc = append(prog, &nd)) != JC_OK)
            break;
        pos = skip_space(s, end);
        /* An argument is complete: close the calls it completes. */
        int next_arg = 0;
        while (!next_arg && rc == JC_OK) {
            if (depth == 0) {
                if (s[pos] != '\0')
                    rc = parse_error(ps, pos, "unexpected '%c' after the end of the formula", s[pos]);
                free(stack);
                return rc;
            }
            frame *f = &stack[depth - 1];
            f->seen++;
            if (s[pos] == ',') {
                if (f->seen >= f->arity)
                    rc = parse_error(ps, pos, "too many arguments to %s (it takes %d)", op_name(f->op), f->arity);
                pos = skip_space(s, pos + 1);
                next_arg = 1;
            } else if (s[pos] == ')') {
                if (f->seen < f->arity)
                    rc = parse_error(ps, pos, "%s takes %d arguments, found %d", op_name(f->op), f->arity, f->seen);
                depth--;
                pos = skip_space(s, pos + 1);
            } else if (s[pos] == '\0') {
                rc = parse_error(ps, pos, "missing ')' to close %s (column %zu)", op_name(f->op), f->pos + 1);
            } else {
                rc = parse_error(ps, pos, "expected ',' or ')' in the arguments of %s, found '%c'",
                                 op_name(f->op), s[pos]);
            }
        }
        if (rc)
            break;
    }
    free(stack);
    return rc;
}

int jc_sr_program_parse(const char *text, const char *const *names, size_t nfeatures, jc_sr_program *out)
{
    if (!text || !out)
        return jc_fail(JC_ERR_INVALID, "no formula to parse");
    parser ps = {text, names, nfeatures};
    jc_sr_program prog = {0};
    int rc = parse_into(&ps, &prog);
    if (rc == JC_OK && !jc_sr_program_valid(&prog, nfeatures))
        rc = jc_fail_at(JC_ERR_PARSE, FORMULA, 1, 0, "not a valid program"); /* unreachable by construction */
    if (rc) {
        jc_sr_program_free(&prog);
        return rc;
    }
    jc_sr_program_free(out);
    *out = prog;
    return JC_OK;
}

/* Names sympy.sympify() does not turn into symbols: Python keywords, built-in
 * functions and `from sympy import *` (sympy 1.11), sorted for bsearch. Made by
 *   python3 -c 'import keyword,builtins,types; g={}; exec("from sympy import *", g);
 *     n={k for k in g if k.isidentifier() and not k.startswith("__")}
 *     | {k for k,o in vars(builtins).items() if isinstance(o, types.BuiltinFunctionType)
 *        and not k.startswith("__")} | set(keyword.kwlist); print(sorted(n))' */
static const char *const sympy_reserved[] = {
    "Abs", "AccumBounds", "Add", "Adjoint", "AlgebraicField", "AlgebraicNumber", "And", "AppliedPredicate",
    "Array", "AssumptionsContext", "Atom", "AtomicExpr", "BasePolynomialError", "Basic", "BlockDiagMatrix",
    "BlockMatrix", "CC", "CRootOf", "Catalan", "Chi", "Ci", "Circle", "CoercionFailed", "Complement",
    "ComplexField", "ComplexRegion", "ComplexRootOf", "Complexes", "ComputationFailed", "ConditionSet",
    "Contains", "CosineTransform", "Curve", "DeferredVector", "DenseNDimArray", "Derivative", "Determinant",
    "DiagMatrix", "DiagonalMatrix", "DiagonalOf", "Dict", "DiracDelta", "DisjointUnion", "Domain",
    "DomainError", "DotProduct", "Dummy", "E", "E1", "EPath", "EX", "EXRAW", "Ei", "Eijk", "Ellipse",
    "EmptySequence", "EmptySet", "Eq", "Equality", "Equivalent", "EulerGamma", "EvaluationFailed",
    "ExactQuotientFailed", "Expr", "ExpressionDomain", "ExtraneousFactors", "FF", "FF_gmpy", "FF_python",
    "FU", "FallingFactorial", "False", "FiniteField", "FiniteSet", "FlagError", "Float", "FourierTransform",
    "FractionField", "Function", "FunctionClass", "FunctionMatrix", "GF", "GMPYFiniteField",
    "GMPYIntegerRing", "GMPYRationalField", "Ge", "GeneratorsError", "GeneratorsNeeded", "GeometryError",
    "GoldenRatio", "GramSchmidt", "GreaterThan", "GroebnerBasis", "Gt", "HadamardPower", "HadamardProduct",
    "HankelTransform", "Heaviside", "HeuristicGCDFailed", "HomomorphismFailed", "I", "ITE", "Id",
    "Identity", "Idx", "ImageSet", "ImmutableDenseMatrix", "ImmutableDenseNDimArray", "ImmutableMatrix",
    "ImmutableSparseMatrix", "ImmutableSparseNDimArray", "Implies", "Indexed", "IndexedBase", "Integer",
    "IntegerRing", "Integers", "Integral", "Intersection", "Interval", "Inverse", "InverseCosineTransform",
    "InverseFourierTransform", "InverseHankelTransform", "InverseLaplaceTransform",
    "InverseMellinTransform", "InverseSineTransform", "IsomorphismFailed", "KroneckerDelta",
    "KroneckerProduct", "LC", "LM", "LT", "Lambda", "LambertW", "LaplaceTransform", "Le", "LessThan",
    "LeviCivita", "Li", "Limit", "Line", "Line2D", "Line3D", "Lt", "MatAdd", "MatMul", "MatPow", "Matrix",
    "MatrixBase", "MatrixExpr", "MatrixPermute", "MatrixSlice", "MatrixSymbol", "Max", "MellinTransform",
    "Min", "Mod", "Monomial", "Mul", "MultivariatePolynomialError", "MutableDenseMatrix",
    "MutableDenseNDimArray", "MutableMatrix", "MutableSparseMatrix", "MutableSparseNDimArray", "N",
    "NDimArray", "Nand", "Naturals", "Naturals0", "Ne", "NonSquareMatrixError", "None", "Nor", "Not",
    "NotAlgebraic", "NotInvertible", "NotReversible", "Number", "NumberSymbol", "O", "OmegaPower",
    "OneMatrix", "OperationNotSupported", "OptionError", "Options", "Or", "Order", "Ordinal", "POSform",
    "Parabola", "Permanent", "PermutationMatrix", "Piecewise", "Plane", "Point", "Point2D", "Point3D",
    "PoleError", "PolificationFailed", "Poly", "Polygon", "PolynomialDivisionFailed", "PolynomialError",
    "PolynomialRing", "Pow", "PowerSet", "PrecisionExhausted", "Predicate", "Product", "ProductSet",
    "PurePoly", "PythonFiniteField", "PythonIntegerRing", "PythonRational", "Q", "QQ", "QQ_I", "QQ_gmpy",
    "QQ_python", "Quaternion", "RR", "Range", "Rational", "RationalField", "Rationals", "Ray", "Ray2D",
    "Ray3D", "RealField", "RealNumber", "Reals", "RefinementFailed", "RegularPolygon", "Rel", "Rem",
    "RisingFactorial", "RootOf", "RootSum", "S", "SOPform", "Segment", "Segment2D", "Segment3D", "SeqAdd",
    "SeqFormula", "SeqMul", "SeqPer", "Set", "ShapeError", "Shi", "Si", "Sieve", "SineTransform",
    "SingularityFunction", "SparseMatrix", "SparseNDimArray", "StrPrinter", "StrictGreaterThan",
    "StrictLessThan", "Subs", "Sum", "Symbol", "SymmetricDifference", "SympifyError", "TableForm", "Trace",
    "Transpose", "Triangle", "TribonacciConstant", "True", "Tuple", "Unequality", "UnevaluatedExpr",
    "UnificationFailed", "Union", "UnivariatePolynomialError", "UniversalSet", "Wild", "WildFunction",
    "Xor", "Ynm", "Ynm_c", "ZZ", "ZZ_I", "ZZ_gmpy", "ZZ_python", "ZeroMatrix", "Znm", "abs", "abundance",
    "acos", "acosh", "acot", "acoth", "acsc", "acsch", "adjoint", "airyai", "airyaiprime", "airybi",
    "airybiprime", "aiter", "algebras", "all", "and", "anext", "any", "apart", "apart_list", "appellf1",
    "apply_finite_diff", "approximants", "are_similar", "arg", "arity", "as", "ascii", "asec", "asech",
    "asin", "asinh", "ask", "assemble_partfrac_list", "assert", "assoc_laguerre", "assoc_legendre",
    "assuming", "assumptions", "async", "atan", "atan2", "atanh", "await", "banded", "bell", "bernoulli",
    "besseli", "besselj", "besselk", "besselsimp", "bessely", "beta", "betainc", "betainc_regularized",
    "bin", "binomial", "binomial_coefficients", "binomial_coefficients_list", "block_collapse", "blockcut",
    "bool_map", "bottom_up", "break", "breakpoint", "bspline_basis", "bspline_basis_set", "cacheit",
    "calculus", "callable", "cancel", "capture", "carmichael", "cartes", "casoratian", "catalan", "cbrt",
    "ccode", "ceiling", "centroid", "chebyshevt", "chebyshevt_poly", "chebyshevt_root", "chebyshevu",
    "chebyshevu_poly", "chebyshevu_root", "check_assumptions", "checkodesol", "checkpdesol", "checksol",
    "chr", "class", "classify_ode", "classify_pde", "closest_points", "cofactors", "collect",
    "collect_const", "combsimp", "comp", "compile", "compose", "composite", "compositepi", "concrete",
    "conjugate", "construct_domain", "content", "continue", "continued_fraction",
    "continued_fraction_convergents", "continued_fraction_iterator", "continued_fraction_periodic",
    "continued_fraction_reduce", "convex_hull", "convolution", "cos", "cosh", "cosine_transform", "cot",
    "coth", "count_ops", "count_roots", "covering_product", "csc", "csch", "cse", "cxxcode", "cycle_length",
    "cyclotomic_poly", "decompogen", "decompose", "def", "default_sort_key", "deg", "degree", "degree_list",
    "del", "delattr", "denom", "derive_by_array", "det", "det_quick", "diag", "diagonalize_vector",
    "dict_merge", "diff", "difference_delta", "differentiate_finite", "digamma", "diophantine", "dir",
    "dirichlet_eta", "discrete", "discrete_log", "discriminant", "div", "divisor_count", "divisor_sigma",
    "divisors", "divmod", "doctest", "dotprint", "dsolve", "egyptian_fraction", "elif", "elliptic_e",
    "elliptic_f", "elliptic_k", "elliptic_pi", "else", "epath", "erf", "erf2", "erf2inv", "erfc", "erfcinv",
    "erfi", "erfinv", "euler", "euler_equations", "eval", "evalf", "evaluate", "except", "exec", "exp",
    "exp_polar", "expand", "expand_complex", "expand_func", "expand_log", "expand_mul",
    "expand_multinomial", "expand_power_base", "expand_power_exp", "expand_trig", "expint", "exptrigsimp",
    "exquo", "external", "eye", "factor", "factor_list", "factor_nc", "factor_terms", "factorial",
    "factorial2", "factorint", "factorrat", "failing_assumptions", "false", "farthest_points", "fcode",
    "ff", "fft", "fibonacci", "field", "field_isomorphism", "filldedent", "finally", "finite_diff_weights",
    "flatten", "floor", "for", "format", "fourier_series", "fourier_transform", "fps", "frac", "fraction",
    "fresnelc", "fresnels", "from", "fu", "functions", "fwht", "gamma", "gammasimp", "gcd", "gcd_list",
    "gcd_terms", "gcdex", "gegenbauer", "genocchi", "geometry", "get_contraction_structure", "get_indices",
    "getattr", "gff", "gff_list", "global", "globals", "glsl_code", "grevlex", "grlex", "groebner",
    "ground_roots", "group", "gruntz", "hadamard_product", "half_gcdex", "hankel1", "hankel2",
    "hankel_transform", "harmonic", "has_dups", "has_variety", "hasattr", "hash", "hermite", "hermite_poly",
    "hessian", "hex", "hn1", "hn2", "homogeneous_order", "horner", "hyper", "hyperexpand", "hypersimilar",
    "hypersimp", "id", "idiff", "if", "ifft", "ifwht", "igcd", "igrevlex", "igrlex", "ilcm", "ilex", "im",
    "imageset", "import", "in", "init_printing", "init_session", "input", "integer_log", "integer_nthroot",
    "integrate", "interactive", "interactive_traversal", "interpolate", "interpolating_poly",
    "interpolating_spline", "intersecting_product", "intersection", "intervals", "intt", "inv_quick",
    "inverse_cosine_transform", "inverse_fourier_transform", "inverse_hankel_transform",
    "inverse_laplace_transform", "inverse_mellin_transform", "inverse_mobius_transform",
    "inverse_sine_transform", "invert", "is", "is_abundant", "is_amicable", "is_convex", "is_decreasing",
    "is_deficient", "is_increasing", "is_mersenne_prime", "is_monotonic", "is_nthpow_residue", "is_perfect",
    "is_primitive_root", "is_quad_residue", "is_strictly_decreasing", "is_strictly_increasing",
    "is_zero_dimensional", "isinstance", "isolate", "isprime", "issubclass", "iter", "itermonomials",
    "jacobi", "jacobi_normalized", "jacobi_poly", "jacobi_symbol", "jn", "jn_zeros", "jordan_cell",
    "jscode", "julia_code", "kronecker_product", "kroneckersimp", "laguerre", "laguerre_poly", "lambda",
    "lambdify", "laplace_transform", "latex", "lcm", "lcm_list", "legendre", "legendre_poly",
    "legendre_symbol", "len", "lerchphi", "lex", "li", "limit", "limit_seq", "line_integrate",
    "linear_eq_to_matrix", "linsolve", "list2numpy", "ln", "locals", "log", "logcombine", "loggamma",
    "lowergamma", "lucas", "maple_code", "marcumq", "mathematica_code", "mathieuc", "mathieucprime",
    "mathieus", "mathieusprime", "mathml", "matrix2numpy", "matrix_multiply_elementwise", "matrix_symbols",
    "max", "maximum", "meijerg", "mellin_transform", "memoize_property", "mersenne_prime_exponent", "min",
    "minimal_polynomial", "minimum", "minpoly", "mobius", "mobius_transform", "mod_inverse", "monic",
    "motzkin", "multigamma", "multiline_latex", "multinomial_coefficients", "multipledispatch",
    "multiplicity", "n_order", "nan", "next", "nextprime", "nfloat", "nonlinsolve", "nonlocal", "not",
    "not_empty_in", "npartitions", "nroots", "nsimplify", "nsolve", "nth_power_roots_poly", "ntheory",
    "nthroot_mod", "ntt", "numbered_symbols", "numer", "oct", "octave_code", "ode_order", "ones", "oo",
    "open", "or", "ord", "ord0", "ordered", "pager_print", "parallel_poly_from_expr", "parse_expr",
    "parsing", "partition", "pass", "pde_separate", "pde_separate_add", "pde_separate_mul", "pdiv",
    "pdsolve", "per", "perfect_power", "periodic_argument", "periodicity", "permutedims", "pexquo", "pi",
    "piecewise_exclusive", "piecewise_fold", "plot", "plot_backends", "plot_implicit", "plot_parametric",
    "plotting", "polar_lift", "polarify", "pollard_pm1", "pollard_rho", "poly", "poly_from_expr",
    "polygamma", "polylog", "polys", "posify", "postfixes", "postorder_traversal", "pow", "powdenest",
    "powsimp", "pprint", "pprint_try_use_unicode", "pprint_use_unicode", "pquo", "prefixes", "prem",
    "preorder_traversal", "pretty", "pretty_print", "preview", "prevprime", "prime", "prime_decomp",
    "prime_valuation", "primefactors", "primenu", "primeomega", "primepi", "primerange", "primitive",
    "primitive_element", "primitive_root", "primorial", "principal_branch", "print", "print_ccode",
    "print_fcode", "print_glsl", "print_gtk", "print_jscode", "print_latex", "print_maple_code",
    "print_mathml", "print_python", "print_rcode", "print_tree", "printing", "prod", "product",
    "proper_divisor_count", "proper_divisors", "public", "pycode", "python", "quadratic_congruence",
    "quadratic_residues", "quo", "rad", "radsimp", "raise", "randMatrix", "random_poly", "randprime",
    "rational_interpolate", "ratsimp", "ratsimpmodprime", "rcode", "rcollect", "re", "real_root",
    "real_roots", "reduce_abs_inequalities", "reduce_abs_inequality", "reduce_inequalities", "reduced",
    "reduced_totient", "refine", "refine_root", "register_handler", "release", "rem", "remove_handler",
    "repr", "reshape", "residue", "resultant", "return", "rf", "riemann_xi", "ring", "root", "rootof",
    "roots", "rot_axis1", "rot_axis2", "rot_axis3", "rotations", "round", "round_two", "rsolve",
    "rsolve_hyper", "rsolve_poly", "rsolve_ratio", "rust_code", "satisfiable", "sec", "sech",
    "separatevars", "sequence", "series", "setattr", "seterr", "sfield", "shape", "sieve", "sift", "sign",
    "signsimp", "simplify", "simplify_logic", "sin", "sinc", "sine_transform", "singularities",
    "singularityintegrate", "sinh", "solve", "solve_linear", "solve_linear_system",
    "solve_linear_system_LU", "solve_poly_inequality", "solve_poly_system", "solve_rational_inequalities",
    "solve_triangulated", "solve_undetermined_coeffs", "solve_univariate_inequality", "solveset", "sorted",
    "source", "sqf", "sqf_list", "sqf_norm", "sqf_part", "sqrt", "sqrt_mod", "sqrt_mod_iter", "sqrtdenest",
    "srepr", "sring", "sstr", "sstrrepr", "stationary_points", "stieltjes", "strategies", "sturm",
    "subfactorial", "subresultants", "subsets", "substitution", "sum", "summation", "swinnerton_dyer_poly",
    "symarray", "symbols", "symmetric_poly", "symmetrize", "sympify", "take", "tan", "tanh", "tensor",
    "tensorcontraction", "tensordiagonal", "tensorproduct", "terms_gcd", "test", "textplot", "threaded",
    "timed", "to_cnf", "to_dnf", "to_nnf", "to_number_field", "together", "topological_sort",
    "total_degree", "totient", "trace", "trailing", "transpose", "tribonacci", "trigamma", "trigsimp",
    "true", "trunc", "try", "unbranched_argument", "unflatten", "unpolarify", "uppergamma", "use",
    "utilities", "var", "variations", "vars", "vectorize", "vfield", "viete", "vring", "while", "with",
    "wronskian", "xfield", "xring", "xthreaded", "yield", "yn", "zeros", "zeta", "zoo",
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int sympy_is_reserved(const char *s)
{
    size_t n = sizeof sympy_reserved / sizeof *sympy_reserved;
    return bsearch(&s, sympy_reserved, n, sizeof *sympy_reserved, cmp_str) != NULL;
}
