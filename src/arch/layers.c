/* arch: the layer walk under the zoo. Each call follows the feature map
 * through one layer and adds that layer's parameters and MACs, by the
 * counting conventions in include/joulecast/arch.h. */
#include "arch/layers.h"

#include <string.h>

void jc_net_init(jc_net *n, jc_arch_counts *out, int c, int h, int w)
{
    memset(n, 0, sizeof *n);
    n->out = out;
    n->x = (jc_fm){c, h, w};
    if (out->branches < 1)
        out->branches = 1;
}

int64_t jc_net_mul(jc_net *n, int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) {
        if (!n->err)
            n->err = JC_ERR_UNSUPPORTED;
        return 0;
    }
    return r;
}

void jc_net_add(jc_net *n, jc_layer_kind kind, int64_t params, int64_t macs, int weight)
{
    jc_arch_counts *o = n->out;
    if (__builtin_add_overflow(o->params, params, &o->params) ||
        __builtin_add_overflow(o->macs, macs, &o->macs)) {
        if (!n->err)
            n->err = JC_ERR_UNSUPPORTED;
        return;
    }
    o->kind_params[kind] += params;
    o->kind_macs[kind] += macs;
    if (weight)
        o->weight_layers++;
}

/* A map that shrank to nothing: the image is too small for this network.
 * Only the first such layer is remembered; the walk goes on harmlessly with
 * a 1 x 1 map so that the builders need no checks of their own. */
static void vanished(jc_net *n, const char *what)
{
    if (!n->err) {
        n->err = JC_ERR_INVALID;
        n->fail_what = what;
        n->fail_after = n->out->weight_layers;
    }
    n->x.h = n->x.w = 1;
}

static int conv_out(int h, int k, int stride, int pad)
{
    int span = h + 2 * pad - k;
    return span < 0 ? 0 : span / stride + 1;
}

static void conv_common(jc_net *n, int out, int k, int groups, int bias, int h, int w)
{
    int in = n->x.c;
    if (h <= 0 || w <= 0) {
        vanished(n, "convolution");
        h = w = 1;
    }
    int64_t per = jc_net_mul(n, (int64_t)(in / groups) * k * k, out);
    int64_t params = per + (bias ? out : 0);
    int64_t macs = jc_net_mul(n, per, (int64_t)h * w);
    n->x = (jc_fm){out, h, w};
    jc_net_add(n, JC_LAYER_CONV, params, macs, 1);
}

void jc_net_conv(jc_net *n, int out, int k, int stride, int pad, int groups, int bias)
{
    conv_common(n, out, k, groups, bias, conv_out(n->x.h, k, stride, pad), conv_out(n->x.w, k, stride, pad));
}

void jc_net_conv_same(jc_net *n, int out, int k, int stride, int groups, int bias)
{
    conv_common(n, out, k, groups, bias, (n->x.h + stride - 1) / stride, (n->x.w + stride - 1) / stride);
}

void jc_net_sepconv_same(jc_net *n, int out, int k, int stride)
{
    jc_net_conv_same(n, n->x.c, k, stride, n->x.c, 0);
    jc_net_conv_same(n, out, 1, 1, 1, 0);
}

void jc_net_bn(jc_net *n)
{
    jc_net_add(n, JC_LAYER_NORM, 2 * (int64_t)n->x.c, 0, 0);
}

void jc_net_act(jc_net *n)
{
    jc_net_add(n, JC_LAYER_ACT, 0, 0, 0);
}

static int pool_out(int h, int k, int stride, int pad, int ceil_mode)
{
    int span = h + 2 * pad - k;
    if (span < 0)
        return 0;
    int o = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    /* PyTorch: with ceil_mode the last window must start inside the input. */
    if (ceil_mode && (o - 1) * stride >= h + pad)
        o--;
    return o;
}

void jc_net_pool(jc_net *n, int k, int stride, int pad, int ceil_mode)
{
    int h = pool_out(n->x.h, k, stride, pad, ceil_mode), w = pool_out(n->x.w, k, stride, pad, ceil_mode);
    if (h <= 0 || w <= 0)
        vanished(n, "pooling");
    else
        n->x.h = h, n->x.w = w;
    jc_net_add(n, JC_LAYER_POOL, 0, 0, 0);
}

void jc_net_pool_same(jc_net *n, int stride)
{
    n->x.h = (n->x.h + stride - 1) / stride;
    n->x.w = (n->x.w + stride - 1) / stride;
    jc_net_add(n, JC_LAYER_POOL, 0, 0, 0);
}

void jc_net_adaptive_pool(jc_net *n, int o)
{
    n->x.h = n->x.w = o;
    jc_net_add(n, JC_LAYER_POOL, 0, 0, 0);
}

void jc_net_fc(jc_net *n, int out, int bias)
{
    int64_t in = (int64_t)n->x.c * n->x.h * n->x.w;
    int64_t w = jc_net_mul(n, in, out);
    n->x = (jc_fm){out, 1, 1};
    jc_net_add(n, JC_LAYER_LINEAR, w + (bias ? out : 0), w, 1);
}

void jc_net_merge(jc_net *n, int k)
{
    if (k > n->out->branches)
        n->out->branches = k;
    jc_net_add(n, JC_LAYER_OTHER, 0, 0, 0);
}
