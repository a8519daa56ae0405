/* arch/onnx: count an ONNX model. Reads the file with protobuf-c (code
 * generated from libonnx-dev's onnx.proto), infers static shapes node by node
 * in the graph's topological order, and counts params, MACs, weight layers and
 * branches with the conventions in include/joulecast/arch.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "joulecast/arch.h"
#include "onnx.pb-c.h"
#include "onnx_prune.h"

#define MAXR 8   /* tensor ranks we follow (ONNX vision/NLP graphs stay <= 6) */
#define MAXV 64  /* small int tensors whose values we follow (shape arithmetic) */
#define MAXIO 1024 /* inputs / outputs of one node (DenseNet concatenates ~50) */
/* Bounds on dims and on attribute values read from the file, so that shape
 * arithmetic on a damaged file can never overflow. */
#define MAXDIM ((int64_t)1 << 40)
#define MAXATTR ((int64_t)1 << 20)

/* What is known about one named value of the graph. */
typedef struct {
    const char *name;
    int rank;               /* -1: not known (an output nobody should read) */
    int nval;               /* -1: values not known; else element count held in v */
    int64_t dims[MAXR];
    unsigned char is_const; /* depends on no graph input (initializer, Constant, ...) */
    unsigned char is_init;  /* a float initializer: a candidate parameter */
    unsigned char not_param;/* used as BatchNorm running statistics */
    unsigned char kind_set; /* its parameter kind has been decided */
    unsigned char kind;     /* init: its parameter kind; activations: producer's kind tag */
    int64_t numel_init;     /* initializers: element count */
    int32_t src;            /* the one float initializer a constant derives from, -1 none */
    int64_t v[MAXV];        /* last, so that define() clears only what is above */
} tensor;

typedef struct {
    tensor *t;
    size_t n, cap;
    int32_t *slot;  /* open addressing: index into t, -1 empty */
    size_t nslot;
    const char *path;
    jc_arch_counts *out;
    int64_t macs[JC_LAYER_NKINDS];
} ctx;

enum { TAG_OTHER = 0, TAG_CONV, TAG_LINEAR, TAG_NORMDIV, TAG_NORM };

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static tensor *lookup(ctx *c, const char *name)
{
    if (!name || !*name)
        return NULL;
    size_t mask = c->nslot - 1;
    for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
        if (c->slot[i] < 0)
            return NULL;
        if (strcmp(c->t[c->slot[i]].name, name) == 0)
            return &c->t[c->slot[i]];
    }
}

/* A new value; redefinition keeps the first (SSA graphs never redefine). */
static tensor *define(ctx *c, const char *name)
{
    if (!name || !*name)
        return NULL;
    size_t mask = c->nslot - 1;
    size_t i = hash_str(name) & mask;
    for (; c->slot[i] >= 0; i = (i + 1) & mask)
        if (strcmp(c->t[c->slot[i]].name, name) == 0)
            return &c->t[c->slot[i]];
    if (c->n >= c->cap)
        return NULL;
    c->slot[i] = (int32_t)c->n;
    tensor *t = &c->t[c->n++];
    memset(t, 0, offsetof(tensor, v));
    t->name = name;
    t->rank = -1;
    t->nval = -1;
    t->src = -1;
    return t;
}

/* ---- small helpers ---- */

static int mul_ok(int64_t a, int64_t b, int64_t *r)
{
    return !__builtin_mul_overflow(a, b, r);
}

static int in_range(int64_t v, int64_t lim)
{
    return v >= -lim && v <= lim;
}

static int64_t numel(const tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++)
        if (!mul_ok(n, t->dims[i], &n))
            return -1;
    return n;
}

static const Onnx__AttributeProto *attr(const Onnx__NodeProto *nd, const char *name)
{
    for (size_t i = 0; i < nd->n_attribute; i++)
        if (nd->attribute[i]->name && strcmp(nd->attribute[i]->name, name) == 0)
            return nd->attribute[i];
    return NULL;
}

static int64_t attr_i(const Onnx__NodeProto *nd, const char *name, int64_t def)
{
    const Onnx__AttributeProto *a = attr(nd, name);
    return a && a->has_i ? a->i : def;
}

static size_t attr_ints(const Onnx__NodeProto *nd, const char *name, const int64_t **v)
{
    const Onnx__AttributeProto *a = attr(nd, name);
    if (!a) {
        *v = NULL;
        return 0;
    }
    *v = a->ints;
    return a->n_ints;
}

static int fail_node(ctx *c, size_t k, const Onnx__NodeProto *nd, int status, const char *what)
{
    return jc_fail(status, "%s: node %zu (%s, '%s'): %s", c->path, k,
                   nd->op_type ? nd->op_type : "?", nd->name ? nd->name : "", what);
}

static int is_float_type(int32_t dt)
{
    return dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT || dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 ||
           dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE || dt == ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16;
}

/* Shape and, for small integer tensors, the values of a TensorProto. Weight
 * bytes are never read: they may live in external data we do not open. */
static int from_tensor_proto(tensor *t, const Onnx__TensorProto *tp)
{
    if (tp->n_dims > MAXR)
        return -1;
    t->rank = (int)tp->n_dims;
    for (size_t i = 0; i < tp->n_dims; i++) {
        if (tp->dims[i] < 0 || tp->dims[i] > MAXDIM)
            return -1;
        t->dims[i] = tp->dims[i];
    }
    int64_t n = numel(t);
    if (n < 0)
        return -1;
    t->nval = -1;
    if (n > MAXV || n == 0) /* (empty: nothing to read, and data may be NULL) */
        return 0;
    int32_t dt = tp->has_data_type ? tp->data_type : 0;
    if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
        if (tp->n_int64_data == (size_t)n) {
            memcpy(t->v, tp->int64_data, (size_t)n * sizeof(int64_t));
            t->nval = (int)n;
        } else if (tp->has_raw_data && tp->raw_data.len == (size_t)n * 8) {
            memcpy(t->v, tp->raw_data.data, (size_t)n * 8);
            t->nval = (int)n;
        }
    } else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT32 || dt == ONNX__TENSOR_PROTO__DATA_TYPE__BOOL) {
        if (tp->n_int32_data == (size_t)n) {
            for (int64_t i = 0; i < n; i++)
                t->v[i] = tp->int32_data[i];
            t->nval = (int)n;
        } else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT32 && tp->has_raw_data &&
                   tp->raw_data.len == (size_t)n * 4) {
            for (int64_t i = 0; i < n; i++) {
                int32_t x;
                memcpy(&x, tp->raw_data.data + 4 * i, 4);
                t->v[i] = x;
            }
            t->nval = (int)n;
        } else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__BOOL && tp->has_raw_data &&
                   tp->raw_data.len == (size_t)n) {
            for (int64_t i = 0; i < n; i++)
                t->v[i] = tp->raw_data.data[i] != 0;
            t->nval = (int)n;
        }
    }
    return 0;
}

static int set_shape(tensor *t, int rank, const int64_t *dims)
{
    if (!t)
        return 0;
    if (rank < 0 || rank > MAXR)
        return -1;
    t->rank = rank;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0 || dims[i] > MAXDIM)
            return -1;
        t->dims[i] = dims[i];
    }
    return numel(t) < 0 ? -1 : 0;
}

static int norm_axis(int64_t a, int rank, int *out)
{
    if (a < 0)
        a += rank;
    if (a < 0 || a >= (rank > 0 ? rank : 1))
        return -1;
    *out = (int)a;
    return 0;
}

/* numpy broadcasting of up to 3 shapes into o */
static int broadcast(tensor *const *ins, int nin, int *rank, int64_t *dims)
{
    int r = 0;
    for (int k = 0; k < nin; k++)
        if (ins[k]->rank > r)
            r = ins[k]->rank;
    for (int i = 0; i < r; i++) {
        int64_t d = 1;
        for (int k = 0; k < nin; k++) {
            int j = i - (r - ins[k]->rank);
            if (j < 0)
                continue;
            int64_t e = ins[k]->dims[j];
            if (e == 1)
                continue;
            if (d != 1 && d != e)
                return -1;
            d = e;
        }
        dims[i] = d;
    }
    *rank = r;
    return 0;
}

/* The element index of a broadcast input for flat output index `o`. */
static int64_t bidx(const tensor *in, int rank, const int64_t *dims, int64_t o)
{
    int64_t idx = 0, stride = 1;
    for (int i = rank - 1; i >= 0; i--) {
        int64_t c = o % dims[i];
        o /= dims[i];
        int j = i - (rank - in->rank);
        if (j >= 0) {
            if (in->dims[j] != 1)
                idx += c * stride;
            stride *= in->dims[j];
        }
    }
    return idx;
}

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Conv/pool output spatial dims; `x` is N x C x spatial. */
static int spatial_out(ctx *c, size_t k, const Onnx__NodeProto *nd, const tensor *x,
                       int nsp, const int64_t *kernel, int64_t *outdims, int transposed)
{
    const int64_t *strides, *pads, *dil, *outpad;
    size_t ns = attr_ints(nd, "strides", &strides);
    size_t np = attr_ints(nd, "pads", &pads);
    size_t nd_ = attr_ints(nd, "dilations", &dil);
    size_t nop = attr_ints(nd, "output_padding", &outpad);
    const int64_t *oshape;
    size_t nos = attr_ints(nd, "output_shape", &oshape);
    int ceil_mode = (int)attr_i(nd, "ceil_mode", 0);
    const Onnx__AttributeProto *ap = attr(nd, "auto_pad");
    char autopad[32] = "NOTSET";
    if (ap && ap->has_s) {
        size_t l = ap->s.len < sizeof autopad - 1 ? ap->s.len : sizeof autopad - 1;
        if (l)
            memcpy(autopad, ap->s.data, l);
        autopad[l] = 0;
    }
    if ((ns && ns != (size_t)nsp) || (np && np != 2 * (size_t)nsp) || (nd_ && nd_ != (size_t)nsp))
        return fail_node(c, k, nd, JC_ERR_PARSE, "strides/pads/dilations do not match the kernel rank");
    for (int i = 0; i < nsp; i++) {
        int64_t in = x->dims[2 + i];
        int64_t s = ns ? strides[i] : 1, d = nd_ ? dil[i] : 1;
        int64_t pb = np ? pads[i] : 0, pe = np ? pads[i + nsp] : 0;
        if (s <= 0 || d <= 0 || kernel[i] <= 0)
            return fail_node(c, k, nd, JC_ERR_PARSE, "non-positive stride, dilation or kernel");
        if (s > MAXATTR || d > MAXATTR || kernel[i] > MAXATTR || !in_range(pb, MAXATTR) || !in_range(pe, MAXATTR) ||
            (nop > (size_t)i && !in_range(outpad[i], MAXATTR)))
            return fail_node(c, k, nd, JC_ERR_PARSE, "stride, dilation, kernel or padding out of range");
        int64_t ek = d * (kernel[i] - 1) + 1;
        int64_t o;
        if (transposed && nos >= (size_t)nsp) {
            o = oshape[nos - (size_t)nsp + (size_t)i]; /* given outright */
            if (o > MAXDIM)
                return fail_node(c, k, nd, JC_ERR_PARSE, "output_shape out of range");
        } else if (transposed) {
            int64_t op = nop > (size_t)i ? outpad[i] : 0;
            if (strcmp(autopad, "SAME_UPPER") == 0 || strcmp(autopad, "SAME_LOWER") == 0)
                o = in * s;
            else
                o = s * (in - 1) + op + ek - pb - pe;
        } else if (strcmp(autopad, "SAME_UPPER") == 0 || strcmp(autopad, "SAME_LOWER") == 0) {
            o = (in + s - 1) / s;
        } else if (strcmp(autopad, "VALID") == 0) {
            o = (in - ek) / s + 1;
        } else {
            int64_t num = in + pb + pe - ek;
            if (num < 0)
                return fail_node(c, k, nd, JC_ERR_PARSE, "kernel larger than its padded input");
            o = ceil_mode ? (num + s - 1) / s + 1 : num / s + 1;
            /* the last window must start inside the input or left padding */
            if (ceil_mode && (o - 1) * s >= in + pb)
                o--;
        }
        if (o <= 0)
            return fail_node(c, k, nd, JC_ERR_PARSE, "empty output");
        outdims[i] = o;
    }
    return 0;
}

/* A node whose outputs keep the first input's shape (activations and the like). */
static const char *const SAME_SHAPE[] = {
    "Identity", "Relu", "Clip", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Selu", "HardSigmoid",
    "HardSwish", "Softplus", "Softsign", "Erf", "Sqrt", "Exp", "Log", "Neg", "Abs", "Reciprocal",
    "Softmax", "LogSoftmax", "Hardmax", "Cast", "Gelu", "Mish", "Celu", "PRelu", "Floor", "Ceil",
    "Round", "Sign", "Not", "LRN", "InstanceNormalization", "BatchNormalization",
    "LayerNormalization", "GroupNormalization", "Sin", "Cos", "ThresholdedRelu", "Dropout",
    "IsNaN", "IsInf", "CastLike", "MeanVarianceNormalization", "LpNormalization", "Shrink",
    NULL};

static const char *const BINARY[] = {"Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less", "Greater",
                                     "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Max",
                                     "Min", "Sum", "Mean", "Mod", "Where", "BitShift", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

static jc_layer_kind act_kind(const char *op)
{
    if (strcmp(op, "BatchNormalization") == 0 || strcmp(op, "LayerNormalization") == 0 ||
        strcmp(op, "InstanceNormalization") == 0 || strcmp(op, "GroupNormalization") == 0 ||
        strcmp(op, "LRN") == 0)
        return JC_LAYER_NORM;
    return JC_LAYER_ACT;
}

/* Decide which kind an initializer (or a slice or transpose of one: torch's
 * attention in_proj) consumed by `op` counts under. */
static void claim(ctx *c, tensor *w, jc_layer_kind kind)
{
    if (w && w->src >= 0)
        w = &c->t[w->src];
    if (w && w->is_init && !w->kind_set) {
        w->kind = (unsigned char)kind;
        w->kind_set = 1;
    }
}

/* ---- the node walk ---- */

static int64_t binop(const char *op, int64_t a, int64_t b, int *ok)
{
    *ok = 1;
    int64_t r;
    if (!strcmp(op, "Add")) {
        *ok = !__builtin_add_overflow(a, b, &r);
        return r;
    }
    if (!strcmp(op, "Sub")) {
        *ok = !__builtin_sub_overflow(a, b, &r);
        return r;
    }
    if (!strcmp(op, "Mul")) {
        *ok = !__builtin_mul_overflow(a, b, &r);
        return r;
    }
    if ((!strcmp(op, "Div") || !strcmp(op, "Mod")) && b == -1 && a == INT64_MIN) {
        *ok = 0;
        return 0;
    }
    if (!strcmp(op, "Div")) {
        if (b == 0) {
            *ok = 0;
            return 0;
        }
        return a / b; /* integer Div truncates in ONNX runtimes */
    }
    if (!strcmp(op, "Equal"))
        return a == b;
    if (!strcmp(op, "Less"))
        return a < b;
    if (!strcmp(op, "Greater"))
        return a > b;
    if (!strcmp(op, "Max"))
        return a > b ? a : b;
    if (!strcmp(op, "Min"))
        return a < b ? a : b;
    if (!strcmp(op, "Mod")) {
        if (b == 0) {
            *ok = 0;
            return 0;
        }
        return a - floordiv(a, b) * b;
    }
    *ok = 0;
    return 0;
}

static int node(ctx *c, size_t k, const Onnx__NodeProto *nd)
{
    const char *op = nd->op_type ? nd->op_type : "";
    if (nd->n_input > MAXIO || nd->n_output > MAXIO)
        return fail_node(c, k, nd, JC_ERR_UNSUPPORTED, "more than 1024 inputs or outputs");
    tensor *in[MAXIO] = {0};
    size_t nin = nd->n_input;
    int all_const = 1, any_in = 0;
    for (size_t i = 0; i < nin; i++) {
        if (!nd->input[i] || !*nd->input[i])
            continue;
        in[i] = lookup(c, nd->input[i]);
        if (!in[i] || in[i]->rank < 0) {
            char msg[512];
            snprintf(msg, sizeof msg, "input '%s' is not defined before this node", nd->input[i]);
            return fail_node(c, k, nd, JC_ERR_PARSE, msg);
        }
        any_in = 1;
        if (!in[i]->is_const)
            all_const = 0;
    }
    if (nd->domain && *nd->domain && strcmp(nd->domain, "ai.onnx") != 0) {
        return jc_fail(JC_ERR_UNSUPPORTED,
                       "%s: node %zu ('%s'): operator %s of domain '%s' is not supported "
                       "(only the standard ai.onnx operators are)",
                       c->path, k, nd->name ? nd->name : "", op, nd->domain);
    }
    tensor *out[MAXIO] = {0};
    for (size_t i = 0; i < nd->n_output; i++)
        out[i] = define(c, nd->output[i]);
    /* an omitted first output ("") still gets its shape worked out, here */
    tensor scratch;
    memset(&scratch, 0, offsetof(tensor, v));
    scratch.name = "";
    scratch.rank = -1;
    scratch.nval = -1;
    scratch.src = -1;
    tensor *x = in[0], *y = out[0] ? out[0] : &scratch;
    int64_t d[MAXR] = {0};
    int r = 0;
    int need_x = strcmp(op, "Constant") != 0 && strcmp(op, "Range") != 0;
    if (need_x && !x)
        return fail_node(c, k, nd, JC_ERR_PARSE, "first input missing");

#define SHAPE(rank_, dims_)                                                       \
    do {                                                                          \
        if (set_shape(y, (rank_), (dims_)) < 0)                                   \
            return fail_node(c, k, nd, JC_ERR_PARSE, "invalid or too large shape"); \
    } while (0)
#define NEED(cond, msg)                                      \
    do {                                                     \
        if (!(cond))                                         \
            return fail_node(c, k, nd, JC_ERR_PARSE, (msg)); \
    } while (0)

    y->kind = TAG_OTHER;
    if (!strcmp(op, "Conv") || !strcmp(op, "ConvTranspose")) {
        int tr = op[4] == 'T';
        tensor *w = in[1];
        NEED(w && x->rank >= 3 && w->rank == x->rank, "Conv needs N x C x spatial input and weight of equal rank");
        int nsp = x->rank - 2;
        int64_t group = attr_i(nd, "group", 1);
        NEED(group >= 1, "group < 1");
        NEED(x->dims[1] == (tr ? w->dims[0] : w->dims[1] * group),
             "input channels do not match the weight");
        const int64_t *ks;
        size_t nk = attr_ints(nd, "kernel_shape", &ks);
        int64_t kernel[MAXR];
        for (int i = 0; i < nsp; i++)
            kernel[i] = nk == (size_t)nsp ? ks[i] : w->dims[2 + i];
        d[0] = x->dims[0];
        d[1] = tr ? w->dims[1] * group : w->dims[0];
        int rc = spatial_out(c, k, nd, x, nsp, kernel, d + 2, tr);
        if (rc)
            return rc;
        SHAPE(x->rank, d);
        int64_t karea = 1, m;
        for (int i = 0; i < nsp; i++)
            NEED(mul_ok(karea, kernel[i], &karea), "MAC count overflows");
        if (tr)
            NEED(mul_ok(numel(x), w->dims[1], &m) && mul_ok(m, karea, &m), "MAC count overflows");
        else
            NEED(mul_ok(numel(y), w->dims[1], &m) && mul_ok(m, karea, &m), "MAC count overflows");
        NEED(!__builtin_add_overflow(c->macs[JC_LAYER_CONV], m, &c->macs[JC_LAYER_CONV]), "MAC count overflows");
        c->out->weight_layers++;
        claim(c, w, JC_LAYER_CONV);
        claim(c, in[2], JC_LAYER_CONV);
        y->kind = TAG_CONV;
    } else if (!strcmp(op, "Gemm")) {
        tensor *b = in[1];
        NEED(b && x->rank == 2 && b->rank == 2, "Gemm needs two 2-D inputs");
        int ta = (int)attr_i(nd, "transA", 0), tb = (int)attr_i(nd, "transB", 0);
        int64_t m_ = ta ? x->dims[1] : x->dims[0], kk = ta ? x->dims[0] : x->dims[1];
        int64_t kb = tb ? b->dims[1] : b->dims[0], n_ = tb ? b->dims[0] : b->dims[1];
        NEED(kk == kb, "Gemm inner dimensions differ");
        d[0] = m_;
        d[1] = n_;
        SHAPE(2, d);
        int64_t m;
        NEED(mul_ok(m_, kk, &m) && mul_ok(m, n_, &m), "MAC count overflows");
        if (b->is_const) {
            NEED(!__builtin_add_overflow(c->macs[JC_LAYER_LINEAR], m, &c->macs[JC_LAYER_LINEAR]), "MAC count overflows");
            c->out->weight_layers++;
        } else {
            NEED(!__builtin_add_overflow(c->macs[JC_LAYER_ATTENTION], m, &c->macs[JC_LAYER_ATTENTION]), "MAC count overflows");
        }
        claim(c, b, JC_LAYER_LINEAR);
        claim(c, in[2], JC_LAYER_LINEAR);
        y->kind = TAG_LINEAR;
    } else if (!strcmp(op, "MatMul")) {
        tensor *b = in[1];
        NEED(b && x->rank >= 1 && b->rank >= 1, "MatMul needs two inputs");
        /* numpy matmul: 1-D operands are promoted, leading dims broadcast */
        tensor a2 = *x, b2 = *b;
        int pa = 0, pb = 0;
        if (a2.rank == 1) {
            a2.dims[1] = a2.dims[0];
            a2.dims[0] = 1;
            a2.rank = 2;
            pa = 1;
        }
        if (b2.rank == 1) {
            b2.dims[1] = 1;
            b2.rank = 2;
            pb = 1;
        }
        int64_t kk = a2.dims[a2.rank - 1];
        NEED(kk == b2.dims[b2.rank - 2], "MatMul inner dimensions differ");
        tensor ba = a2, bb = b2;
        ba.rank -= 2;
        bb.rank -= 2;
        tensor *pair[2] = {&ba, &bb};
        NEED(broadcast(pair, 2, &r, d) == 0, "MatMul batch dimensions do not broadcast");
        NEED(r + 2 <= MAXR, "rank too large");
        if (!pa)
            d[r++] = a2.dims[a2.rank - 2];
        if (!pb)
            d[r++] = b2.dims[b2.rank - 1];
        SHAPE(r, d);
        int64_t m;
        NEED(mul_ok(numel(y), kk, &m), "MAC count overflows");
        if (x->is_const || b->is_const) {
            NEED(!__builtin_add_overflow(c->macs[JC_LAYER_LINEAR], m, &c->macs[JC_LAYER_LINEAR]), "MAC count overflows");
            c->out->weight_layers++;
            claim(c, x->is_const ? x : b, JC_LAYER_LINEAR);
        } else {
            NEED(!__builtin_add_overflow(c->macs[JC_LAYER_ATTENTION], m, &c->macs[JC_LAYER_ATTENTION]), "MAC count overflows");
        }
        y->kind = TAG_LINEAR;
    } else if (!strcmp(op, "MaxPool") || !strcmp(op, "AveragePool") || !strcmp(op, "LpPool")) {
        NEED(x->rank >= 3, "pooling needs N x C x spatial input");
        int nsp = x->rank - 2;
        const int64_t *ks;
        NEED(attr_ints(nd, "kernel_shape", &ks) == (size_t)nsp, "kernel_shape missing or of wrong rank");
        d[0] = x->dims[0];
        d[1] = x->dims[1];
        int rc = spatial_out(c, k, nd, x, nsp, ks, d + 2, 0);
        if (rc)
            return rc;
        SHAPE(x->rank, d);
        if (out[1])
            set_shape(out[1], x->rank, d);
    } else if (!strcmp(op, "GlobalAveragePool") || !strcmp(op, "GlobalMaxPool") ||
               !strcmp(op, "GlobalLpPool")) {
        NEED(x->rank >= 3, "pooling needs N x C x spatial input");
        d[0] = x->dims[0];
        d[1] = x->dims[1];
        for (int i = 2; i < x->rank; i++)
            d[i] = 1;
        SHAPE(x->rank, d);
    } else if (in_list(SAME_SHAPE, op)) {
        SHAPE(x->rank, x->dims);
        if (!strcmp(op, "BatchNormalization")) {
            claim(c, in[1], JC_LAYER_NORM);
            claim(c, in[2], JC_LAYER_NORM);
            /* running statistics are buffers, not trainable parameters */
            for (int i = 3; i <= 4; i++)
                if (in[i])
                    in[i]->not_param = 1;
            for (size_t i = 1; i < nd->n_output; i++)
                if (out[i] && in[1])
                    set_shape(out[i], in[1]->rank, in[1]->dims);
        } else if (act_kind(op) == JC_LAYER_NORM) {
            claim(c, in[1], JC_LAYER_NORM);
            claim(c, in[2], JC_LAYER_NORM);
            int ax = 0;
            if (!strcmp(op, "LayerNormalization"))
                NEED(norm_axis(attr_i(nd, "axis", -1), x->rank, &ax) == 0, "bad axis");
            memcpy(d, x->dims, sizeof d);
            for (int i = ax; i < x->rank; i++)
                d[i] = 1; /* mean and inverse std-dev: one per normalised group */
            for (size_t i = 1; i < nd->n_output; i++)
                if (out[i])
                    set_shape(out[i], x->rank, d);
        } else {
            claim(c, in[1], JC_LAYER_ACT); /* PRelu slope */
            for (size_t i = 1; i < nd->n_output; i++)
                if (out[i])
                    set_shape(out[i], x->rank, x->dims);
        }
        if (x->nval >= 0 && (!strcmp(op, "Identity") || !strcmp(op, "Cast") || !strcmp(op, "Dropout"))) {
            y->nval = x->nval;
            memcpy(y->v, x->v, sizeof(int64_t) * (size_t)x->nval);
        }
        if (act_kind(op) == JC_LAYER_NORM)
            y->kind = TAG_NORM;
    } else if (in_list(BINARY, op)) {
        tensor *ops[MAXIO];
        int nops = 0;
        for (size_t i = 0; i < nin; i++)
            if (in[i])
                ops[nops++] = in[i];
        NEED(nops >= 1, "no inputs");
        NEED(broadcast(ops, nops, &r, d) == 0, "input shapes do not broadcast");
        SHAPE(r, d);
        /* follow values of small integer arithmetic (shape computations) */
        int known = 1;
        for (int i = 0; i < nops; i++)
            if (ops[i]->nval < 0)
                known = 0;
        int64_t n = numel(y);
        if (known && n <= MAXV) {
            int ok = 1;
            for (int64_t o = 0; o < n && ok; o++) {
                if (!strcmp(op, "Where")) {
                    NEED(nops == 3, "Where needs three inputs");
                    y->v[o] = ops[0]->v[bidx(ops[0], r, d, o)] ? ops[1]->v[bidx(ops[1], r, d, o)]
                                                              : ops[2]->v[bidx(ops[2], r, d, o)];
                } else {
                    int64_t acc = ops[0]->v[bidx(ops[0], r, d, o)];
                    for (int i = 1; i < nops && ok; i++)
                        acc = binop(op, acc, ops[i]->v[bidx(ops[i], r, d, o)], &ok);
                    y->v[o] = acc;
                }
            }
            if (ok)
                y->nval = (int)n;
        }
        /* an initializer merged into an activation: a bias of the layer before,
         * a norm's scale/shift (decomposed LayerNorm), or a position embedding */
        int adds = !strcmp(op, "Add") || !strcmp(op, "Mul") || !strcmp(op, "Sub");
        if (adds && nops == 2) {
            tensor *w = ops[0]->src >= 0 ? ops[0] : ops[1]->src >= 0 ? ops[1] : NULL;
            tensor *a = w == ops[0] ? ops[1] : ops[0];
            if (w && !a->is_const) {
                jc_layer_kind kd = a->kind == TAG_LINEAR ? JC_LAYER_LINEAR
                                   : a->kind == TAG_CONV ? JC_LAYER_CONV
                                   : (a->kind == TAG_NORMDIV || a->kind == TAG_NORM) ? JC_LAYER_NORM
                                                                                     : JC_LAYER_EMBED;
                const tensor *src = &c->t[w->src];
                /* a position embedding is an embedding layer (a class token,
                 * reaching the graph through Expand/Concat, is not) */
                if (kd == JC_LAYER_EMBED && !strcmp(op, "Add") && !src->kind_set)
                    c->out->weight_layers++;
                claim(c, w, kd);
                y->kind = kd == JC_LAYER_NORM ? TAG_NORM : TAG_OTHER;
            }
        }
        if (!strcmp(op, "Div") && nops == 2 && !ops[0]->is_const && !ops[1]->is_const)
            y->kind = TAG_NORMDIV; /* (x - mean) / std of a decomposed LayerNorm */
    } else if (!strcmp(op, "Flatten")) {
        int64_t ax = attr_i(nd, "axis", 1);
        if (ax < 0)
            ax += x->rank; /* axis may be rank itself: [N, 1] */
        NEED(ax >= 0 && ax <= x->rank, "bad axis");
        d[0] = 1;
        d[1] = 1;
        for (int i = 0; i < x->rank; i++)
            d[i < ax ? 0 : 1] *= x->dims[i];
        SHAPE(2, d);
    } else if (!strcmp(op, "Reshape")) {
        tensor *s = in[1];
        NEED(s && s->nval >= 0 && s->rank == 1, "the target shape is not a known constant");
        NEED(s->nval <= MAXR, "rank too large");
        int allowzero = (int)attr_i(nd, "allowzero", 0), neg = -1;
        int64_t known = 1, total = numel(x);
        for (int i = 0; i < s->nval; i++) {
            int64_t v = s->v[i];
            if (v == 0 && !allowzero) {
                NEED(i < x->rank, "0 in the shape beyond the input rank");
                v = x->dims[i];
            }
            if (v == -1) {
                NEED(neg < 0, "more than one -1 in the shape");
                neg = i;
                v = 1;
            }
            NEED(v >= 0, "negative dimension in the shape");
            NEED(v <= MAXDIM && mul_ok(known, v, &known), "dimension out of range in the shape");
            d[i] = v;
        }
        if (neg >= 0) {
            NEED(known > 0 && total % known == 0, "the shape does not divide the input");
            d[neg] = total / known;
        }
        SHAPE(s->nval, d);
        NEED(numel(y) == total, "the shape changes the element count");
        if (x->nval >= 0) {
            y->nval = x->nval;
            memcpy(y->v, x->v, sizeof(int64_t) * (size_t)x->nval);
        }
    } else if (!strcmp(op, "Transpose")) {
        const int64_t *perm;
        size_t np = attr_ints(nd, "perm", &perm);
        NEED(np == 0 || np == (size_t)x->rank, "perm of the wrong length");
        for (int i = 0; i < x->rank; i++) {
            int64_t p = np ? perm[i] : x->rank - 1 - i;
            NEED(p >= 0 && p < x->rank, "perm out of range");
            d[i] = x->dims[p];
        }
        SHAPE(x->rank, d);
    } else if (!strcmp(op, "Concat")) {
        int ax;
        NEED(norm_axis(attr_i(nd, "axis", 0), x->rank, &ax) == 0, "bad axis");
        memcpy(d, x->dims, sizeof d);
        d[ax] = 0;
        int known = 1, acts = 0;
        for (size_t i = 0; i < nin; i++) {
            if (!in[i])
                continue;
            NEED(in[i]->rank == x->rank, "inputs of different ranks");
            for (int j = 0; j < x->rank; j++)
                NEED(j == ax || in[i]->dims[j] == x->dims[j], "inputs differ outside the axis");
            d[ax] += in[i]->dims[ax];
            if (in[i]->nval < 0)
                known = 0;
            if (!in[i]->is_const && in[i]->nval < 0)
                acts++;
            claim(c, in[i], JC_LAYER_EMBED); /* a class token */
        }
        SHAPE(x->rank, d);
        if (known && x->rank == 1 && d[0] <= MAXV) {
            int n = 0;
            for (size_t i = 0; i < nin; i++)
                for (int j = 0; in[i] && j < in[i]->nval; j++)
                    y->v[n++] = in[i]->v[j];
            y->nval = n;
        }
        if (acts > c->out->branches)
            c->out->branches = acts;
    } else if (!strcmp(op, "Split")) {
        int ax;
        NEED(norm_axis(attr_i(nd, "axis", 0), x->rank, &ax) == 0, "bad axis");
        const int64_t *sp = NULL;
        size_t ns = attr_ints(nd, "split", &sp);
        int64_t buf[MAXV];
        if (in[1]) {
            NEED(in[1]->nval >= 0, "split sizes are not a known constant");
            ns = (size_t)in[1]->nval;
            memcpy(buf, in[1]->v, ns * sizeof(int64_t));
            sp = buf;
        }
        size_t no = nd->n_output;
        NEED(no >= 1 && no <= MAXV, "too many outputs");
        NEED(ns == 0 || ns == no, "split sizes do not match the outputs");
        int64_t sum = 0;
        for (size_t i = 0; i < no; i++) {
            memcpy(d, x->dims, sizeof d);
            d[ax] = ns ? sp[i] : (x->dims[ax] + (int64_t)no - 1) / (int64_t)no;
            if (!ns && i == no - 1)
                d[ax] = x->dims[ax] - sum;
            sum += d[ax];
            NEED(set_shape(out[i], x->rank, d) == 0, "invalid split");
            if (out[i])
                out[i]->is_const = (unsigned char)all_const;
        }
        NEED(sum == x->dims[ax], "split sizes do not add up to the axis");
    } else if (!strcmp(op, "Slice")) {
        int64_t st[MAXR], en[MAXR], ax[MAXR], sp[MAXR];
        size_t n;
        if (nin >= 3 && in[1]) {
            NEED(in[1]->nval >= 0 && in[2] && in[2]->nval == in[1]->nval, "starts/ends are not known constants");
            n = (size_t)in[1]->nval;
            NEED(n <= MAXR, "too many axes");
            for (size_t i = 0; i < n; i++) {
                st[i] = in[1]->v[i];
                en[i] = in[2]->v[i];
                ax[i] = (int64_t)i;
                sp[i] = 1;
            }
            if (in[3]) {
                NEED(in[3]->nval == (int)n, "axes not a known constant");
                memcpy(ax, in[3]->v, n * sizeof(int64_t));
            }
            if (nin >= 5 && in[4]) {
                NEED(in[4]->nval == (int)n, "steps not a known constant");
                memcpy(sp, in[4]->v, n * sizeof(int64_t));
            }
        } else {
            const int64_t *a1, *a2, *a3;
            n = attr_ints(nd, "starts", &a1);
            NEED(n <= MAXR && attr_ints(nd, "ends", &a2) == n, "starts/ends missing");
            size_t na = attr_ints(nd, "axes", &a3);
            for (size_t i = 0; i < n; i++) {
                st[i] = a1[i];
                en[i] = a2[i];
                ax[i] = na == n ? a3[i] : (int64_t)i;
                sp[i] = 1;
            }
        }
        memcpy(d, x->dims, sizeof d);
        int64_t lo[MAXR] = {0}, step[MAXR];
        for (int i = 0; i < MAXR; i++)
            step[i] = 1;
        for (size_t i = 0; i < n; i++) {
            int a;
            NEED(norm_axis(ax[i], x->rank, &a) == 0, "bad axis");
            NEED(sp[i] != 0, "zero step");
            if (sp[i] > MAXDIM) /* past the end: the same single element */
                sp[i] = MAXDIM;
            if (sp[i] < -MAXDIM)
                sp[i] = -MAXDIM;
            int64_t dim = x->dims[a], s = st[i], e = en[i];
            if (s < 0)
                s += dim;
            if (e < 0)
                e += dim;
            if (sp[i] > 0) {
                s = s < 0 ? 0 : s > dim ? dim : s;
                e = e < 0 ? 0 : e > dim ? dim : e;
                d[a] = e > s ? (e - s + sp[i] - 1) / sp[i] : 0;
            } else {
                s = s < 0 ? -1 : s > dim - 1 ? dim - 1 : s;
                e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
                d[a] = s > e ? (s - e - sp[i] - 1) / -sp[i] : 0;
            }
            lo[a] = s;
            step[a] = sp[i];
        }
        SHAPE(x->rank, d);
        if (x->nval >= 0 && x->rank == 1) {
            for (int64_t i = 0; i < d[0]; i++)
                y->v[i] = x->v[lo[0] + i * step[0]];
            y->nval = (int)d[0];
        }
    } else if (!strcmp(op, "Squeeze") || !strcmp(op, "Unsqueeze")) {
        int64_t axes[MAXR];
        size_t na;
        if (in[1]) {
            NEED(in[1]->nval >= 0 && in[1]->nval <= MAXR, "axes are not a known constant");
            na = (size_t)in[1]->nval;
            memcpy(axes, in[1]->v, na * sizeof(int64_t));
        } else {
            const int64_t *a;
            na = attr_ints(nd, "axes", &a);
            NEED(na <= MAXR, "too many axes");
            if (na)
                memcpy(axes, a, na * sizeof(int64_t));
        }
        if (op[0] == 'S') {
            int drop[MAXR] = {0};
            for (size_t i = 0; i < na; i++) {
                int a;
                NEED(norm_axis(axes[i], x->rank, &a) == 0 && x->dims[a] == 1, "bad squeeze axis");
                drop[a] = 1;
            }
            for (int i = 0; i < x->rank; i++)
                if (na ? !drop[i] : x->dims[i] != 1)
                    d[r++] = x->dims[i];
        } else {
            r = x->rank + (int)na;
            NEED(r <= MAXR, "rank too large");
            int add[MAXR] = {0};
            for (size_t i = 0; i < na; i++) {
                int a;
                NEED(norm_axis(axes[i], r, &a) == 0, "bad unsqueeze axis");
                add[a] = 1;
            }
            for (int i = 0, j = 0; i < r; i++)
                d[i] = add[i] ? 1 : x->dims[j++];
        }
        SHAPE(r, d);
        if (x->nval >= 0) {
            y->nval = x->nval;
            memcpy(y->v, x->v, sizeof(int64_t) * (size_t)x->nval);
        }
    } else if (!strcmp(op, "Gather")) {
        tensor *idx = in[1];
        NEED(idx, "indices missing");
        int ax;
        NEED(norm_axis(attr_i(nd, "axis", 0), x->rank, &ax) == 0, "bad axis");
        NEED(x->rank - 1 + idx->rank <= MAXR, "rank too large");
        for (int i = 0; i < ax; i++)
            d[r++] = x->dims[i];
        for (int i = 0; i < idx->rank; i++)
            d[r++] = idx->dims[i];
        for (int i = ax + 1; i < x->rank; i++)
            d[r++] = x->dims[i];
        SHAPE(r, d);
        if (x->nval >= 0 && idx->nval >= 0 && x->rank == 1) {
            for (int i = 0; i < idx->nval; i++) {
                int64_t j = idx->v[i] < 0 ? idx->v[i] + x->dims[0] : idx->v[i];
                NEED(j >= 0 && j < x->dims[0], "index out of range");
                y->v[i] = x->v[j];
            }
            y->nval = idx->nval;
        }
        if (x->is_init && x->rank == 2 && ax == 0) { /* an embedding table lookup */
            c->out->weight_layers++;
            claim(c, x, JC_LAYER_EMBED);
        }
    } else if (!strcmp(op, "Shape")) {
        int64_t s = attr_i(nd, "start", 0), e = attr_i(nd, "end", x->rank);
        if (s < 0)
            s += x->rank;
        if (e < 0)
            e += x->rank;
        s = s < 0 ? 0 : s > x->rank ? x->rank : s;
        e = e < 0 ? 0 : e > x->rank ? x->rank : e;
        d[0] = e > s ? e - s : 0;
        SHAPE(1, d);
        for (int64_t i = s; i < e; i++)
            y->v[i - s] = x->dims[i];
        y->nval = (int)d[0];
        all_const = 1; /* static shapes: a shape is a constant */
    } else if (!strcmp(op, "Size")) {
        SHAPE(0, d);
        y->v[0] = numel(x);
        y->nval = 1;
        all_const = 1;
    } else if (!strcmp(op, "Constant")) {
        const Onnx__AttributeProto *a;
        if ((a = attr(nd, "value")) && a->t) {
            NEED(from_tensor_proto(y, a->t) == 0, "invalid constant tensor");
            y->is_init = 0;
        } else if ((a = attr(nd, "value_int")) && a->has_i) {
            SHAPE(0, d);
            y->v[0] = a->i;
            y->nval = 1;
        } else if ((a = attr(nd, "value_ints"))) {
            d[0] = (int64_t)a->n_ints;
            SHAPE(1, d);
            if (a->n_ints <= MAXV) {
                if (a->n_ints)
                    memcpy(y->v, a->ints, a->n_ints * sizeof(int64_t));
                y->nval = (int)a->n_ints;
            }
        } else if ((a = attr(nd, "value_float"))) {
            SHAPE(0, d);
        } else if ((a = attr(nd, "value_floats"))) {
            d[0] = (int64_t)a->n_floats;
            SHAPE(1, d);
        } else {
            return fail_node(c, k, nd, JC_ERR_UNSUPPORTED, "Constant without a value we read");
        }
        all_const = 1;
        any_in = 1;
    } else if (!strcmp(op, "ConstantOfShape") || !strcmp(op, "Expand") || !strcmp(op, "Tile")) {
        tensor *s = !strcmp(op, "ConstantOfShape") ? x : in[1];
        NEED(s && s->nval >= 0 && s->rank == 1 && s->nval <= MAXR, "the shape is not a known constant");
        if (!strcmp(op, "ConstantOfShape")) {
            SHAPE(s->nval, s->v);
            const Onnx__AttributeProto *a = attr(nd, "value");
            int64_t n = numel(y), fill = 0;
            if (a && a->t) {
                tensor tmp;
                memset(&tmp, 0, sizeof tmp);
                if (from_tensor_proto(&tmp, a->t) == 0 && tmp.nval == 1)
                    fill = tmp.v[0];
                else if (is_float_type(a->t->has_data_type ? a->t->data_type : 0))
                    n = MAXV + 1;
            }
            if (n <= MAXV) {
                for (int64_t i = 0; i < n; i++)
                    y->v[i] = fill;
                y->nval = (int)n;
            }
        } else if (!strcmp(op, "Expand")) {
            tensor sh;
            memset(&sh, 0, offsetof(tensor, v));
            NEED(set_shape(&sh, s->nval, s->v) == 0, "invalid shape");
            tensor *pair[2] = {x, &sh};
            NEED(broadcast(pair, 2, &r, d) == 0, "shape does not broadcast");
            SHAPE(r, d);
            claim(c, x, JC_LAYER_EMBED); /* a class token */
        } else {
            NEED(s->nval == x->rank, "repeats of the wrong length");
            for (int i = 0; i < x->rank; i++)
                NEED(s->v[i] >= 0 && s->v[i] <= MAXDIM && mul_ok(x->dims[i], s->v[i], &d[i]),
                     "repeats out of range");
            SHAPE(x->rank, d);
        }
    } else if (!strcmp(op, "ReduceMean") || !strcmp(op, "ReduceSum") || !strcmp(op, "ReduceMax") ||
               !strcmp(op, "ReduceMin") || !strcmp(op, "ReduceProd") || !strcmp(op, "ReduceL2") ||
               !strcmp(op, "ReduceL1") || !strcmp(op, "ReduceSumSquare") || !strcmp(op, "ArgMax") ||
               !strcmp(op, "ArgMin") || !strcmp(op, "ReduceLogSumExp")) {
        int keep = (int)attr_i(nd, "keepdims", 1), red[MAXR] = {0}, any = 0;
        if (op[0] == 'A') {
            int a;
            NEED(norm_axis(attr_i(nd, "axis", 0), x->rank, &a) == 0, "bad axis");
            red[a] = any = 1;
        } else {
            const int64_t *ax = NULL;
            size_t na = attr_ints(nd, "axes", &ax);
            if (in[1]) {
                NEED(in[1]->nval >= 0, "axes are not a known constant");
                na = (size_t)in[1]->nval;
                ax = in[1]->v;
            }
            for (size_t i = 0; i < na; i++) {
                int a;
                NEED(norm_axis(ax[i], x->rank, &a) == 0, "bad axis");
                red[a] = any = 1;
            }
            if (!any && !attr_i(nd, "noop_with_empty_axes", 0))
                for (int i = 0; i < x->rank; i++)
                    red[i] = 1;
        }
        for (int i = 0; i < x->rank; i++)
            if (!red[i])
                d[r++] = x->dims[i];
            else if (keep)
                d[r++] = 1;
        SHAPE(r, d);
    } else if (!strcmp(op, "Pad")) {
        int64_t pads[2 * MAXR];
        const int64_t *pa;
        size_t np = attr_ints(nd, "pads", &pa);
        if (in[1]) {
            NEED(in[1]->nval >= 0 && in[1]->nval <= 2 * MAXR, "pads are not a known constant");
            np = (size_t)in[1]->nval;
            pa = in[1]->v;
        }
        NEED(np == 2 * (size_t)x->rank, "pads of the wrong length");
        if (np)
            memcpy(pads, pa, np * sizeof(int64_t));
        for (size_t i = 0; i < np; i++)
            NEED(in_range(pads[i], MAXDIM), "pads out of range");
        for (int i = 0; i < x->rank; i++)
            d[i] = x->dims[i] + pads[i] + pads[i + x->rank];
        SHAPE(x->rank, d);
    } else if (!strcmp(op, "Resize") || !strcmp(op, "Upsample")) {
        tensor *sizes = nin >= 4 ? in[3] : NULL;
        NEED(sizes && sizes->nval == x->rank, "only Resize with constant sizes is supported");
        SHAPE(x->rank, sizes->v);
    } else if (!strcmp(op, "Range")) {
        NEED(in[0] && in[1] && in[2] && in[0]->nval == 1 && in[1]->nval == 1 && in[2]->nval == 1 &&
                 in[2]->v[0] != 0,
             "Range bounds are not known integer constants");
        int64_t st = in[0]->v[0], lim = in[1]->v[0], dl = in[2]->v[0];
        NEED(in_range(st, MAXDIM) && in_range(lim, MAXDIM) && in_range(dl, MAXDIM), "Range bounds out of range");
        int64_t n = (lim - st + dl + (dl > 0 ? -1 : 1)) / dl;
        d[0] = n > 0 ? n : 0;
        SHAPE(1, d);
        if (d[0] <= MAXV) {
            for (int64_t i = 0; i < d[0]; i++)
                y->v[i] = st + i * dl;
            y->nval = (int)d[0];
        }
    } else {
        return jc_fail(JC_ERR_UNSUPPORTED,
                       "%s: node %zu ('%s'): operator %s is not supported by joulecast's ONNX reader",
                       c->path, k, nd->name ? nd->name : "", op);
    }
#undef SHAPE
#undef NEED
    /* merges of activations: the block's parallel branches */
    if (!strcmp(op, "Add") || !strcmp(op, "Sum")) {
        int acts = 0;
        for (size_t i = 0; i < nin; i++)
            if (in[i] && !in[i]->is_const && in[i]->nval < 0)
                acts++;
        if (acts > c->out->branches)
            c->out->branches = acts;
    }
    int32_t src = -1;
    int nsrc = 0;
    for (size_t i = 0; i < nin; i++)
        if (in[i] && in[i]->src >= 0 && in[i]->src != src) {
            src = in[i]->src;
            nsrc++;
        }
    for (size_t i = 0; i < nd->n_output; i++) {
        if (!out[i] || out[i]->rank < 0)
            continue;
        if (strcmp(op, "Split") != 0)
            out[i]->is_const = (unsigned char)(all_const && any_in);
        if (out[i]->is_const && nsrc == 1)
            out[i]->src = src;
    }
    return 0;
}

/* "NAME=1x3x224x224" or "1x3x224x224" */
static int parse_input_shape(const char *spec, char *name, size_t name_cap, int *rank, int64_t *dims)
{
    const char *eq = strchr(spec, '=');
    const char *s = spec;
    name[0] = 0;
    if (eq) {
        size_t l = (size_t)(eq - spec);
        if (l == 0 || l >= name_cap)
            return jc_fail(JC_ERR_INVALID, "--input '%s': bad input name", spec);
        memcpy(name, spec, l);
        name[l] = 0;
        s = eq + 1;
    }
    *rank = 0;
    for (;;) {
        if (!isdigit((unsigned char)*s))
            return jc_fail(JC_ERR_INVALID, "--input '%s': expected dimensions like 1x3x224x224", spec);
        errno = 0;
        char *end;
        long long v = strtoll(s, &end, 10);
        if (errno || v <= 0 || v > (1LL << 40))
            return jc_fail(JC_ERR_INVALID, "--input '%s': dimension out of range", spec);
        if (*rank >= MAXR)
            return jc_fail(JC_ERR_INVALID, "--input '%s': more than %d dimensions", spec, MAXR);
        dims[(*rank)++] = v;
        s = end;
        if (*s == 0)
            return 0;
        if (*s != 'x' && *s != 'X' && *s != ',')
            return jc_fail(JC_ERR_INVALID, "--input '%s': expected dimensions like 1x3x224x224", spec);
        s++;
    }
}

/* The file mapped read-only: the pruning walk then touches only the pages
 * that hold the graph, never those of the weights. */
static int map_file(const char *path, const uint8_t **buf, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return jc_fail(JC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return jc_fail(JC_ERR_IO, "%s: not a regular file", path);
    }
    *len = (size_t)st.st_size;
    *buf = NULL;
    if (*len == 0) {
        close(fd);
        return 0;
    }
    void *m = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return jc_fail(JC_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
    *buf = m;
    return 0;
}

static int count_graph(ctx *c, const Onnx__GraphProto *g, const char *input_shape)
{
    jc_arch_counts *out = c->out;
    size_t names = g->n_initializer + g->n_input + 1;
    for (size_t i = 0; i < g->n_node; i++) {
        if (!g->node[i])
            return jc_fail(JC_ERR_PARSE, "%s: node %zu is empty", c->path, i);
        names += g->node[i]->n_output;
    }
    c->cap = names;
    c->nslot = 16;
    while (c->nslot < 2 * names)
        c->nslot *= 2;
    c->t = malloc(c->cap * sizeof *c->t);
    c->slot = malloc(c->nslot * sizeof *c->slot);
    if (!c->t || !c->slot)
        return jc_fail(JC_ERR_NOMEM, "%s: out of memory for %zu values", c->path, names);
    memset(c->slot, 0xff, c->nslot * sizeof *c->slot);

    for (size_t i = 0; i < g->n_initializer; i++) {
        const Onnx__TensorProto *tp = g->initializer[i];
        tensor *t = define(c, tp->name);
        if (!t)
            continue; /* an unnamed initializer can never be read */
        if (from_tensor_proto(t, tp) < 0)
            return jc_fail(JC_ERR_PARSE, "%s: initializer '%s' has invalid dims", c->path, tp->name);
        t->is_const = 1;
        t->is_init = is_float_type(tp->has_data_type ? tp->data_type : 0);
        t->numel_init = numel(t);
        if (t->is_init)
            t->src = (int32_t)(t - c->t);
    }

    char want[256] = "";
    int want_rank = 0;
    int64_t want_dims[MAXR];
    if (input_shape && *input_shape) {
        int rc = parse_input_shape(input_shape, want, sizeof want, &want_rank, want_dims);
        if (rc)
            return rc;
    }
    const char *first = NULL;
    int64_t batch = 1;
    int matched = 0;
    for (size_t i = 0; i < g->n_input; i++) {
        const Onnx__ValueInfoProto *vi = g->input[i];
        if (!vi || !vi->name || lookup(c, vi->name))
            continue; /* old exports list initializers as inputs too */
        tensor *t = define(c, vi->name);
        if (!t)
            return jc_fail(JC_ERR_PARSE, "%s: too many values", c->path);
        const Onnx__TensorShapeProto *sh = NULL;
        if (vi->type && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && vi->type->tensor_type)
            sh = vi->type->tensor_type->shape;
        int64_t d[MAXR];
        int r = 0;
        if (sh) {
            if (sh->n_dim > MAXR)
                return jc_fail(JC_ERR_UNSUPPORTED, "%s: input '%s' has rank %zu (at most %d)", c->path,
                               vi->name, sh->n_dim, MAXR);
            for (size_t j = 0; j < sh->n_dim; j++) {
                const Onnx__TensorShapeProto__Dimension *dm = sh->dim[j];
                /* symbolic (batch, sequence) dimensions count as 1 unless given */
                d[r++] = dm && dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                                 dm->dim_value > 0
                             ? dm->dim_value
                             : 1;
            }
        }
        int mine = want_rank && (want[0] ? strcmp(want, vi->name) == 0 : !first);
        if (mine) {
            r = want_rank;
            memcpy(d, want_dims, sizeof(int64_t) * (size_t)r);
            matched = 1;
        } else if (!sh) {
            return jc_fail(JC_ERR_PARSE, "%s: input '%s' has no tensor shape; give one with --input %s=...",
                           c->path, vi->name, vi->name);
        }
        if (set_shape(t, r, d) < 0)
            return jc_fail(JC_ERR_PARSE, "%s: input '%s': invalid shape", c->path, vi->name);
        if (!first) {
            first = vi->name;
            batch = r >= 2 ? d[0] : 1;
            if (r == 4) {
                out->input.channels = (int)d[1];
                out->input.image = (int)d[2];
            } else if (r == 2) {
                out->input.seq_len = (int)d[1];
            }
        }
    }
    if (!first)
        return jc_fail(JC_ERR_PARSE, "%s: the graph has no input", c->path);
    if (want_rank && !matched)
        return jc_fail(JC_ERR_INVALID, "%s: no graph input named '%s' (the first is '%s')", c->path, want,
                       first);

    for (size_t k = 0; k < g->n_node; k++) {
        int rc = node(c, k, g->node[k]);
        if (rc)
            return rc;
    }

    for (size_t i = 0; i < c->n; i++) {
        tensor *t = &c->t[i];
        /* scalars are constants (eps, scale factors), not trainable weights */
        if (!t->is_init || t->not_param || t->numel_init <= 1)
            continue;
        if (__builtin_add_overflow(out->params, t->numel_init, &out->params))
            return jc_fail(JC_ERR_PARSE, "%s: parameter count overflows", c->path);
        out->kind_params[t->kind_set ? t->kind : JC_LAYER_OTHER] += t->numel_init;
    }
    if (batch < 1)
        batch = 1;
    out->macs = 0;
    for (int kd = 0; kd < JC_LAYER_NKINDS; kd++) {
        out->kind_macs[kd] = c->macs[kd] / batch; /* per sample */
        out->macs += out->kind_macs[kd];
    }
    out->flops = 2.0 * (double)out->macs;
    out->train_flops = 3.0 * out->flops;
    if (out->branches < 1)
        out->branches = 1;
    if (g->n_output > 0 && g->output[0] && g->output[0]->name) {
        tensor *o = lookup(c, g->output[0]->name);
        if (o && o->rank >= 1)
            out->input.classes = (int)o->dims[o->rank - 1];
    }
    return 0;
}

int jc_arch_onnx_count(const char *path, const char *input_shape, jc_arch_counts *out)
{
    if (!path || !out)
        return jc_fail(JC_ERR_INVALID, "jc_arch_onnx_count: NULL argument");
    memset(out, 0, sizeof *out);
    const uint8_t *file = NULL;
    size_t flen = 0;
    int rc = map_file(path, &file, &flen);
    if (rc)
        return rc;
    if (flen == 0)
        return jc_fail(JC_ERR_EMPTY, "%s: empty file, not an ONNX model", path);
    uint8_t *buf = NULL;
    size_t len = 0;
    rc = jc_onnx_prune(file, flen, &buf, &len);
    munmap((void *)file, flen);
    if (rc == -2)
        return jc_fail(JC_ERR_NOMEM, "%s: out of memory", path);
    if (rc)
        return jc_fail(JC_ERR_PARSE, "%s: not a valid ONNX model (the protobuf is damaged or truncated)",
                       path);
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    free(buf);
    if (!m)
        return jc_fail(JC_ERR_PARSE, "%s: not a valid ONNX model (the protobuf is damaged or truncated)",
                       path);
    if (!m->graph || m->graph->n_node == 0) {
        onnx__model_proto__free_unpacked(m, NULL);
        return jc_fail(JC_ERR_PARSE, "%s: not an ONNX model (no graph with nodes)", path);
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t bl = strlen(base);
    if (bl > 5 && strcmp(base + bl - 5, ".onnx") == 0)
        bl -= 5;
    if (bl >= sizeof out->name)
        bl = sizeof out->name - 1;
    memcpy(out->name, base, bl);
    out->name[bl] = 0;

    ctx c;
    memset(&c, 0, sizeof c);
    c.path = path;
    c.out = out;
    rc = count_graph(&c, m->graph, input_shape);
    free(c.t);
    free(c.slot);
    onnx__model_proto__free_unpacked(m, NULL);
    if (rc) {
        char name[64];
        memcpy(name, out->name, sizeof name);
        memset(out, 0, sizeof *out);
        memcpy(out->name, name, sizeof name);
    }
    return rc;
}
