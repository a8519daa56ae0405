/* The function set of the symbolic-regression engine: names and arities as
 * gplearn spells them, and each function's scalar meaning with gplearn's
 * protection (the vectorised versions in eval.c must agree with these). */
#include <math.h>
#include <string.h>

#include "joulecast/sr.h"

static const jc_sr_op_info op_table[JC_SR_NOPS] = {
    [JC_SR_CONST] = {"const", 0}, [JC_SR_VAR] = {"var", 0},  [JC_SR_ADD] = {"add", 2},
    [JC_SR_SUB] = {"sub", 2},     [JC_SR_MUL] = {"mul", 2},  [JC_SR_DIV] = {"div", 2},
    [JC_SR_SQRT] = {"sqrt", 1},   [JC_SR_LOG] = {"log", 1},  [JC_SR_ABS] = {"abs", 1},
    [JC_SR_NEG] = {"neg", 1},     [JC_SR_INV] = {"inv", 1},  [JC_SR_MAX] = {"max", 2},
    [JC_SR_MIN] = {"min", 2},     [JC_SR_SIN] = {"sin", 1},  [JC_SR_COS] = {"cos", 1},
    [JC_SR_TAN] = {"tan", 1},     [JC_SR_SIG] = {"sig", 1},
};

const jc_sr_op_info *jc_sr_op_get(jc_sr_op op)
{
    return (unsigned)op < JC_SR_NOPS ? &op_table[op] : NULL;
}

int jc_sr_op_from_name(const char *name)
{
    for (int op = JC_SR_ADD; op < JC_SR_NOPS; op++)
        if (strcmp(op_table[op].name, name) == 0)
            return op;
    return -1;
}

double jc_sr_apply(jc_sr_op op, double a, double b)
{
    switch (op) {
    case JC_SR_ADD: return a + b;
    case JC_SR_SUB: return a - b;
    case JC_SR_MUL: return a * b;
    case JC_SR_DIV: return fabs(b) > 0.001 ? a / b : 1.0;
    case JC_SR_SQRT: return sqrt(fabs(a));
    case JC_SR_LOG: return fabs(a) > 0.001 ? log(fabs(a)) : 0.0;
    case JC_SR_ABS: return fabs(a);
    case JC_SR_NEG: return -a;
    case JC_SR_INV: return fabs(a) > 0.001 ? 1.0 / a : 0.0;
    /* numpy's maximum/minimum propagate NaN; fmax would hide it. */
    case JC_SR_MAX: return (isnan(a) || isnan(b)) ? NAN : (a > b ? a : b);
    case JC_SR_MIN: return (isnan(a) || isnan(b)) ? NAN : (a < b ? a : b);
    case JC_SR_SIN: return sin(a);
    case JC_SR_COS: return cos(a);
    case JC_SR_TAN: return tan(a);
    case JC_SR_SIG: return 1.0 / (1.0 + exp(-a));
    default: return NAN;
    }
}
