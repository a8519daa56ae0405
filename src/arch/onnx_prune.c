/* arch/onnx_prune: a protobuf wire-format walk over ModelProto -> graph ->
 * initializer / node -> attribute -> tensor that copies everything except
 * long tensor data. protobuf-c would otherwise copy every weight byte into a
 * fresh allocation; skipping them means their pages are never even read. */
#include "onnx_prune.h"

#include <stdlib.h>
#include <string.h>

enum { M_MODEL, M_GRAPH, M_NODE, M_ATTR, M_TENSOR, M_NONE };

typedef struct {
    uint8_t *buf;
    size_t len, cap;
} obuf;

static int ensure(obuf *o, size_t more)
{
    if (o->len + more <= o->cap)
        return 0;
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + more)
        cap *= 2;
    uint8_t *b = realloc(o->buf, cap);
    if (!b)
        return -2;
    o->buf = b;
    o->cap = cap;
    return 0;
}

static int rd_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*p >= end)
            return -1;
        uint8_t b = *(*p)++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

/* Which message a length-delimited field holds, for the fields we descend. */
static int child(int kind, uint64_t field)
{
    switch (kind) {
    case M_MODEL: return field == 7 ? M_GRAPH : M_NONE;               /* graph */
    case M_GRAPH: return field == 5 ? M_TENSOR : field == 1 ? M_NODE : M_NONE; /* initializer, node */
    case M_NODE: return field == 5 ? M_ATTR : M_NONE;                 /* attribute */
    case M_ATTR: return field == 5 || field == 11 ? M_TENSOR : M_NONE; /* t, tensors */
    default: return M_NONE;
    }
}

/* TensorProto's data: float_data 4, int32_data 5, int64_data 7, raw_data 9,
 * double_data 10, uint64_data 11. */
static int is_data(uint64_t field)
{
    return field == 4 || field == 5 || field == 7 || field == 9 || field == 10 || field == 11;
}

static int walk(const uint8_t *p, const uint8_t *end, int kind, obuf *o, int depth)
{
    if (depth > 8)
        return -1;
    while (p < end) {
        const uint8_t *start = p;
        uint64_t tag, v;
        if (rd_varint(&p, end, &tag))
            return -1;
        size_t tn = (size_t)(p - start); /* the tag's own bytes */
        uint64_t field = tag >> 3;
        const uint8_t *body = p;
        size_t blen = 0;
        switch (tag & 7) {
        case 0:
            if (rd_varint(&p, end, &v))
                return -1;
            break;
        case 1:
            if (end - p < 8)
                return -1;
            p += 8;
            break;
        case 5:
            if (end - p < 4)
                return -1;
            p += 4;
            break;
        case 2:
            if (rd_varint(&p, end, &v) || v > (uint64_t)(end - p))
                return -1;
            body = p;
            blen = (size_t)v;
            p += blen;
            break;
        default: /* groups: not in onnx.proto */
            return -1;
        }
        if ((tag & 7) == 2 && kind == M_TENSOR && is_data(field) && blen > JC_ONNX_PRUNE_MIN)
            continue;
        int sub = (tag & 7) == 2 ? child(kind, field) : M_NONE;
        if (sub == M_NONE) {
            size_t n = (size_t)(p - start);
            if (ensure(o, n))
                return -2;
            memcpy(o->buf + o->len, start, n);
            o->len += n;
            continue;
        }
        /* the tag, a 5-byte length (protobuf readers accept padded varints),
         * then the pruned sub-message */
        if (ensure(o, tn + 5))
            return -2;
        memcpy(o->buf + o->len, start, tn);
        o->len += tn;
        size_t at = o->len;
        o->len += 5;
        int rc = walk(body, body + blen, sub, o, depth + 1);
        if (rc)
            return rc;
        size_t len = o->len - at - 5;
        if (len >= (1u << 28) * 8ull)
            return -1;
        for (int i = 0; i < 5; i++) {
            o->buf[at + i] = (uint8_t)((len & 0x7f) | (i < 4 ? 0x80 : 0));
            len >>= 7;
        }
    }
    return 0;
}

int jc_onnx_prune(const uint8_t *in, size_t n, uint8_t **out, size_t *out_len)
{
    obuf o = {0};
    int rc = walk(in, in + n, M_MODEL, &o, 0);
    if (rc) {
        free(o.buf);
        return rc;
    }
    if (!o.buf && ensure(&o, 1))
        return -2;
    *out = o.buf;
    *out_len = o.len;
    return 0;
}
