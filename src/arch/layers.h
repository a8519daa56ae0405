/* arch (internal): a small network builder that walks a model layer by layer,
 * following the feature map's shape and adding each layer's parameters and
 * MACs to a jc_arch_counts. The zoo's model builders are written over it. */
#ifndef JC_ARCH_LAYERS_H
#define JC_ARCH_LAYERS_H

#include "joulecast/arch.h"

/* A feature map: channels x height x width (CNNs). */
typedef struct {
    int c, h, w;
} jc_fm;

typedef struct {
    jc_arch_counts *out;
    jc_fm x;        /* the current feature map */
    int err;        /* first failure: JC_ERR_INVALID (map vanished) or JC_ERR_UNSUPPORTED (overflow) */
    const char *fail_what; /* the layer type where the map vanished */
    int fail_after;        /* weight layers walked before it */
} jc_net;

void jc_net_init(jc_net *n, jc_arch_counts *out, int c, int h, int w);

/* Any layer: params and MACs under a kind; weight != 0 counts a weight layer.
 * Overflow of 64 bits sets n->err. */
void jc_net_add(jc_net *n, jc_layer_kind kind, int64_t params, int64_t macs, int weight);
/* a * b * c ... with overflow detection (sets n->err, returns 0). */
int64_t jc_net_mul(jc_net *n, int64_t a, int64_t b);

/* PyTorch convolution: out = floor((h + 2 pad - k) / stride) + 1. */
void jc_net_conv(jc_net *n, int out, int k, int stride, int pad, int groups, int bias);
/* TensorFlow "same" padding: out = ceil(h / stride) (also Keras' ZeroPadding
 * with correct_pad followed by a "valid" stride-2 convolution). */
void jc_net_conv_same(jc_net *n, int out, int k, int stride, int groups, int bias);
/* Keras SeparableConv2D without bias ("same" padding): depthwise k x k then pointwise. */
void jc_net_sepconv_same(jc_net *n, int out, int k, int stride);
void jc_net_bn(jc_net *n);
void jc_net_act(jc_net *n);
/* Max/average pooling, PyTorch arithmetic (ceil_mode as nn.MaxPool2d). */
void jc_net_pool(jc_net *n, int k, int stride, int pad, int ceil_mode);
void jc_net_pool_same(jc_net *n, int stride);
/* Adaptive (or global, o = 1) average pooling to o x o. */
void jc_net_adaptive_pool(jc_net *n, int o);
/* Fully connected layer on the flattened map (rows = 1): c*h*w -> out. */
void jc_net_fc(jc_net *n, int out, int bias);
/* A merge of k branches (Add or Concat): records the branch count. */
void jc_net_merge(jc_net *n, int k);

#endif
