/* arch: the built-in zoo. Each model is a builder that walks its layers the
 * way its reference implementation defines them (torchvision 0.14, Keras
 * applications, HuggingFace BertModel), so that parameters come out of the
 * walk exactly and MACs follow the input size. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "arch/layers.h"
#include "joulecast/arch.h"

enum { FAM_CNN, FAM_VIT, FAM_BERT };

typedef void (*builder)(jc_net *n, const jc_arch_input *in, int variant);

typedef struct {
    const char *name;
    const char *description;
    int family;
    builder build;
    int variant;
    int default_image;
} zoo_model;

/* ---- CNN building blocks ---- */

/* conv (no bias) + BatchNorm + activation: the unit of most of these networks */
static void cbr(jc_net *n, int out, int k, int stride, int pad, int groups)
{
    jc_net_conv(n, out, k, stride, pad, groups, 0);
    jc_net_bn(n);
    jc_net_act(n);
}

static void alexnet(jc_net *n, const jc_arch_input *in, int variant)
{
    (void)variant;
    jc_net_conv(n, 64, 11, 4, 2, 1, 1), jc_net_act(n), jc_net_pool(n, 3, 2, 0, 0);
    jc_net_conv(n, 192, 5, 1, 2, 1, 1), jc_net_act(n), jc_net_pool(n, 3, 2, 0, 0);
    jc_net_conv(n, 384, 3, 1, 1, 1, 1), jc_net_act(n);
    jc_net_conv(n, 256, 3, 1, 1, 1, 1), jc_net_act(n);
    jc_net_conv(n, 256, 3, 1, 1, 1, 1), jc_net_act(n), jc_net_pool(n, 3, 2, 0, 0);
    jc_net_adaptive_pool(n, 6);
    jc_net_fc(n, 4096, 1), jc_net_act(n);
    jc_net_fc(n, 4096, 1), jc_net_act(n);
    jc_net_fc(n, in->classes, 1);
}

/* torchvision's cfgs A, B, D, E: convolutions per stage, a max pool after each */
static void vgg(jc_net *n, const jc_arch_input *in, int depth)
{
    static const int reps[4][5] = {{1, 1, 2, 2, 2}, {2, 2, 2, 2, 2}, {2, 2, 3, 3, 3}, {2, 2, 4, 4, 4}};
    const int *r = reps[depth == 11 ? 0 : depth == 13 ? 1 : depth == 16 ? 2 : 3];
    for (int s = 0; s < 5; s++) {
        int ch = s < 4 ? 64 << s : 512;
        for (int i = 0; i < r[s]; i++)
            jc_net_conv(n, ch, 3, 1, 1, 1, 1), jc_net_act(n);
        jc_net_pool(n, 2, 2, 0, 0);
    }
    jc_net_adaptive_pool(n, 7);
    jc_net_fc(n, 4096, 1), jc_net_act(n);
    jc_net_fc(n, 4096, 1), jc_net_act(n);
    jc_net_fc(n, in->classes, 1);
}

/* torchvision ResNet (v1.5: the stride sits on the 3x3 of a bottleneck) */
static void resnet(jc_net *n, const jc_arch_input *in, int depth)
{
    static const int blocks[5][4] = {{2, 2, 2, 2}, {3, 4, 6, 3}, {3, 4, 6, 3}, {3, 4, 23, 3}, {3, 8, 36, 3}};
    const int *b = blocks[depth == 18 ? 0 : depth == 34 ? 1 : depth == 50 ? 2 : depth == 101 ? 3 : 4];
    int bottleneck = depth >= 50, expansion = bottleneck ? 4 : 1;
    cbr(n, 64, 7, 2, 3, 1);
    jc_net_pool(n, 3, 2, 1, 0);
    int inplanes = 64;
    for (int s = 0; s < 4; s++) {
        int planes = 64 << s;
        for (int i = 0; i < b[s]; i++) {
            int stride = i == 0 && s > 0 ? 2 : 1;
            jc_fm save = n->x;
            if (bottleneck) {
                cbr(n, planes, 1, 1, 0, 1);
                cbr(n, planes, 3, stride, 1, 1);
                jc_net_conv(n, planes * 4, 1, 1, 0, 1, 0), jc_net_bn(n);
            } else {
                cbr(n, planes, 3, stride, 1, 1);
                jc_net_conv(n, planes, 3, 1, 1, 1, 0), jc_net_bn(n);
            }
            jc_fm main_path = n->x;
            if (stride != 1 || inplanes != planes * expansion) {
                n->x = save;
                jc_net_conv(n, planes * expansion, 1, stride, 0, 1, 0), jc_net_bn(n);
            }
            n->x = main_path;
            jc_net_merge(n, 2);
            jc_net_act(n);
            inplanes = planes * expansion;
        }
    }
    jc_net_adaptive_pool(n, 1);
    jc_net_fc(n, in->classes, 1);
}

/* MobileNetV1 (Howard et al. 2017, Table 1), width 1.0, BatchNorm after every
 * convolution: not in torchvision; this is the 28-layer network of the paper
 * (as Keras' MobileNet builds it, with the 1x1 classifier as a linear layer). */
static void mobilenet_v1(jc_net *n, const jc_arch_input *in, int variant)
{
    (void)variant;
    static const int spec[13][2] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},  {512, 1},
                                    {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
    cbr(n, 32, 3, 2, 1, 1);
    for (int i = 0; i < 13; i++) {
        cbr(n, n->x.c, 3, spec[i][1], 1, n->x.c);
        cbr(n, spec[i][0], 1, 1, 0, 1);
    }
    jc_net_adaptive_pool(n, 1);
    jc_net_fc(n, in->classes, 1);
}

/* torchvision MobileNetV2, width 1.0 */
static void mobilenet_v2(jc_net *n, const jc_arch_input *in, int variant)
{
    (void)variant;
    static const int set[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    cbr(n, 32, 3, 2, 1, 1);
    for (int s = 0; s < 7; s++) {
        for (int i = 0; i < set[s][2]; i++) {
            int stride = i == 0 ? set[s][3] : 1, inp = n->x.c, hidden = inp * set[s][0];
            if (set[s][0] != 1)
                cbr(n, hidden, 1, 1, 0, 1);
            cbr(n, hidden, 3, stride, 1, hidden);
            jc_net_conv(n, set[s][1], 1, 1, 0, 1, 0), jc_net_bn(n);
            if (stride == 1 && inp == set[s][1])
                jc_net_merge(n, 2);
        }
    }
    cbr(n, 1280, 1, 1, 0, 1);
    jc_net_adaptive_pool(n, 1);
    jc_net_fc(n, in->classes, 1);
}

/* torchvision's Inception block: four branches concatenated (its "5x5"
 * branch is a 3x3 convolution, as torchvision has it) */
static void inception(jc_net *n, int c1, int c3r, int c3, int c5r, int c5, int pp)
{
    jc_fm save = n->x;
    cbr(n, c1, 1, 1, 0, 1);
    n->x = save;
    cbr(n, c3r, 1, 1, 0, 1), cbr(n, c3, 3, 1, 1, 1);
    n->x = save;
    cbr(n, c5r, 1, 1, 0, 1), cbr(n, c5, 3, 1, 1, 1);
    n->x = save;
    jc_net_pool(n, 3, 1, 1, 1);
    cbr(n, pp, 1, 1, 0, 1);
    n->x.c = c1 + c3 + c5 + pp;
    jc_net_merge(n, 4);
}

/* torchvision GoogLeNet with aux_logits=False (the side heads exist only in
 * training) and no LRN */
static void googlenet(jc_net *n, const jc_arch_input *in, int variant)
{
    (void)variant;
    cbr(n, 64, 7, 2, 3, 1), jc_net_pool(n, 3, 2, 0, 1);
    cbr(n, 64, 1, 1, 0, 1), cbr(n, 192, 3, 1, 1, 1), jc_net_pool(n, 3, 2, 0, 1);
    inception(n, 64, 96, 128, 16, 32, 32);
    inception(n, 128, 128, 192, 32, 96, 64);
    jc_net_pool(n, 3, 2, 0, 1);
    inception(n, 192, 96, 208, 16, 48, 64);
    inception(n, 160, 112, 224, 24, 64, 64);
    inception(n, 128, 128, 256, 24, 64, 64);
    inception(n, 112, 144, 288, 32, 64, 64);
    inception(n, 256, 160, 320, 32, 128, 128);
    jc_net_pool(n, 2, 2, 0, 1);
    inception(n, 256, 160, 320, 32, 128, 128);
    inception(n, 384, 192, 384, 48, 128, 128);
    jc_net_adaptive_pool(n, 1);
    jc_net_fc(n, in->classes, 1);
}

/* torchvision ShuffleNetV2 x1.0: stride-2 units run two branches on the whole
 * input, stride-1 units split the channels and transform one half */
static void shufflenet_v2(jc_net *n, const jc_arch_input *in, int variant)
{
    (void)variant;
    static const int reps[3] = {4, 8, 4}, outs[3] = {116, 232, 464};
    cbr(n, 24, 3, 2, 1, 1);
    jc_net_pool(n, 3, 2, 1, 0);
    for (int s = 0; s < 3; s++) {
        int bf = outs[s] / 2;
        for (int i = 0; i < reps[s]; i++) {
            int stride = i == 0 ? 2 : 1;
            if (stride == 2) {
                jc_fm save = n->x;
                jc_net_conv(n, n->x.c, 3, 2, 1, n->x.c, 0), jc_net_bn(n);
                cbr(n, bf, 1, 1, 0, 1);
                n->x = save;
            } else {
                n->x.c = bf;
            }
            cbr(n, bf, 1, 1, 0, 1);
            jc_net_conv(n, bf, 3, stride, 1, bf, 0), jc_net_bn(n);
            cbr(n, bf, 1, 1, 0, 1);
            n->x.c = 2 * bf;
            jc_net_merge(n, 2);
        }
    }
    cbr(n, 1024, 1, 1, 0, 1);
    jc_net_adaptive_pool(n, 1);
    jc_net_fc(n, in->classes, 1);
}

/* Keras Xception, entry/exit blocks: a strided 1x1 shortcut beside two
 * separable convolutions and a max pool */
static void xception_block(jc_net *n, int out1, int out2, int first_relu)
{
    jc_fm save = n->x;
    jc_net_conv_same(n, out2, 1, 2, 1, 0), jc_net_bn(n);
    n->x = save;
    if (first_relu)
        jc_net_act(n);
    jc_net_sepconv_same(n, out1, 3, 1), jc_net_bn(n), jc_net_act(n);
    jc_net_sepconv_same(n, out2, 3, 1), jc_net_bn(n);
    jc_net_pool_same(n, 2);
    jc_net_merge(n, 2);
}

/* Keras Xception (Chollet 2017) with the top */
static void xception(jc_net *n, const jc_arch_input *in, int variant)
{
    (void)variant;
    cbr(n, 32, 3, 2, 0, 1);
    cbr(n, 64, 3, 1, 0, 1);
    xception_block(n, 128, 128, 0);
    xception_block(n, 256, 256, 1);
    xception_block(n, 728, 728, 1);
    for (int b = 0; b < 8; b++) {
        for (int i = 0; i < 3; i++)
            jc_net_act(n), jc_net_sepconv_same(n, 728, 3, 1), jc_net_bn(n);
        jc_net_merge(n, 2);
    }
    xception_block(n, 728, 1024, 1);
    jc_net_sepconv_same(n, 1536, 3, 1), jc_net_bn(n), jc_net_act(n);
    jc_net_sepconv_same(n, 2048, 3, 1), jc_net_bn(n), jc_net_act(n);
    jc_net_adaptive_pool(n, 1);
    jc_net_fc(n, in->classes, 1);
}

/* ---- NASNet-A (Keras nasnet.py) ---- */

static jc_fm nas_sep_block(jc_net *n, jc_fm x, int filters, int k, int stride)
{
    n->x = x;
    jc_net_act(n);
    jc_net_sepconv_same(n, filters, k, stride), jc_net_bn(n), jc_net_act(n);
    jc_net_sepconv_same(n, filters, k, 1), jc_net_bn(n);
    return n->x;
}

/* _adjust_block: bring the previous cell's output p to ip's size and width */
static jc_fm nas_adjust(jc_net *n, const jc_fm *p, jc_fm ip, int filters)
{
    if (!p)
        return ip;
    if (p->h != ip.h) { /* factorised reduction: two offset 1x1 paths, concatenated */
        for (int path = 0; path < 2; path++) {
            n->x = *p;
            if (path == 0)
                jc_net_act(n);
            jc_net_pool_same(n, 2);
            jc_net_conv(n, filters / 2, 1, 1, 0, 1, 0);
        }
        n->x.c = 2 * (filters / 2);
        jc_net_merge(n, 2);
        jc_net_bn(n);
        return n->x;
    }
    if (p->c != filters) {
        n->x = *p;
        jc_net_act(n);
        jc_net_conv(n, filters, 1, 1, 0, 1, 0), jc_net_bn(n);
        return n->x;
    }
    return *p;
}

/* the cell's own 1x1 squeeze of its input */
static jc_fm nas_squeeze(jc_net *n, jc_fm ip, int filters)
{
    n->x = ip;
    jc_net_act(n);
    jc_net_conv(n, filters, 1, 1, 0, 1, 0), jc_net_bn(n);
    return n->x;
}

static jc_fm nas_normal(jc_net *n, jc_fm ip, const jc_fm *prev, int f)
{
    jc_fm p = nas_adjust(n, prev, ip, f);
    jc_fm h = nas_squeeze(n, ip, f);
    nas_sep_block(n, h, f, 5, 1), nas_sep_block(n, p, f, 3, 1), jc_net_merge(n, 2);
    nas_sep_block(n, p, f, 5, 1), nas_sep_block(n, p, f, 3, 1), jc_net_merge(n, 2);
    n->x = h, jc_net_pool_same(n, 1), jc_net_merge(n, 2);
    n->x = p, jc_net_pool_same(n, 1), jc_net_pool_same(n, 1), jc_net_merge(n, 2);
    nas_sep_block(n, h, f, 3, 1), jc_net_merge(n, 2);
    n->x = (jc_fm){p.c + 5 * f, h.h, h.w};
    jc_net_merge(n, 6);
    return n->x;
}

static jc_fm nas_reduction(jc_net *n, jc_fm ip, const jc_fm *prev, int f)
{
    jc_fm p = nas_adjust(n, prev, ip, f);
    jc_fm h = nas_squeeze(n, ip, f);
    nas_sep_block(n, h, f, 5, 2);
    jc_fm x1 = nas_sep_block(n, p, f, 7, 2);
    jc_net_merge(n, 2);
    n->x = h, jc_net_pool_same(n, 2), nas_sep_block(n, p, f, 7, 2), jc_net_merge(n, 2);
    n->x = h, jc_net_pool_same(n, 2), nas_sep_block(n, p, f, 5, 2), jc_net_merge(n, 2);
    n->x = x1, jc_net_pool_same(n, 1), jc_net_merge(n, 2);
    nas_sep_block(n, x1, f, 3, 1);
    n->x = h, jc_net_pool_same(n, 2), jc_net_merge(n, 2);
    n->x = (jc_fm){4 * f, x1.h, x1.w};
    jc_net_merge(n, 4);
    return n->x;
}

/* Keras NASNetMobile: penultimate_filters 1056, 4 normal cells per stage,
 * stem of 32 filters, skip_reduction False, filter multiplier 2 */
static void nasnet_mobile(jc_net *n, const jc_arch_input *in, int variant)
{
    (void)variant;
    const int blocks = 4, f = 1056 / 24;
    jc_net_conv(n, 32, 3, 2, 0, 1, 0), jc_net_bn(n);
    jc_fm x = n->x, p;
    jc_fm ip = x;
    x = nas_reduction(n, ip, NULL, f / 4), p = ip;
    ip = x, x = nas_reduction(n, ip, &p, f / 2), p = ip;
    for (int stage = 0; stage < 3; stage++) {
        int fs = f << stage;
        if (stage > 0) /* reduction, then p = its input (skip_reduction False) */
            ip = x, x = nas_reduction(n, ip, &p, fs), p = ip;
        for (int i = 0; i < blocks; i++)
            ip = x, x = nas_normal(n, ip, &p, fs), p = ip;
    }
    n->x = x;
    jc_net_act(n);
    jc_net_adaptive_pool(n, 1);
    jc_net_fc(n, in->classes, 1);
}

/* ---- transformers ---- */

/* one post/pre-norm encoder layer over T tokens: projections (q, k, v, out),
 * the two attention products, the MLP, two norms and two residual adds */
static void encoder_layer(jc_net *n, int64_t tokens, int64_t h, int64_t mlp, int qkv_layers)
{
    int64_t proj = jc_net_mul(n, h, h);
    jc_net_add(n, JC_LAYER_NORM, 2 * h, 0, 0);
    if (qkv_layers == 1) /* MultiheadAttention: one packed in_proj */
        jc_net_add(n, JC_LAYER_LINEAR, 3 * proj + 3 * h, jc_net_mul(n, tokens, 3 * proj), 1);
    else
        for (int i = 0; i < 3; i++)
            jc_net_add(n, JC_LAYER_LINEAR, proj + h, jc_net_mul(n, tokens, proj), 1);
    jc_net_add(n, JC_LAYER_ATTENTION, 0, jc_net_mul(n, jc_net_mul(n, 2 * tokens, tokens), h), 0);
    jc_net_add(n, JC_LAYER_ACT, 0, 0, 0); /* softmax */
    jc_net_add(n, JC_LAYER_LINEAR, proj + h, jc_net_mul(n, tokens, proj), 1);
    jc_net_merge(n, 2);
    jc_net_add(n, JC_LAYER_NORM, 2 * h, 0, 0);
    jc_net_add(n, JC_LAYER_LINEAR, h * mlp + mlp, jc_net_mul(n, tokens, h * mlp), 1);
    jc_net_add(n, JC_LAYER_ACT, 0, 0, 0);
    jc_net_add(n, JC_LAYER_LINEAR, mlp * h + h, jc_net_mul(n, tokens, mlp * h), 1);
    jc_net_merge(n, 2);
}

/* torchvision vit_b_16 / vit_l_16: patchify convolution, class token,
 * position embedding for (image/patch)^2 + 1 tokens, pre-norm encoder, a
 * final LayerNorm and a linear head on the class token */
static void vit(jc_net *n, const jc_arch_input *in, int large)
{
    int64_t h = large ? 1024 : 768, mlp = large ? 4096 : 3072;
    int layers = large ? 24 : 12;
    jc_net_conv(n, (int)h, in->patch, in->patch, 0, 1, 1);
    int64_t tokens = (int64_t)n->x.h * n->x.w + 1;
    jc_net_add(n, JC_LAYER_EMBED, h, 0, 0);                           /* class token */
    jc_net_add(n, JC_LAYER_EMBED, jc_net_mul(n, tokens, h), 0, 1);    /* position embedding */
    for (int i = 0; i < layers; i++)
        encoder_layer(n, tokens, h, mlp, 1);
    jc_net_add(n, JC_LAYER_NORM, 2 * h, 0, 0);
    jc_net_add(n, JC_LAYER_LINEAR, h * in->classes + in->classes, h * in->classes, 1);
}

/* HuggingFace BertModel with its pooler (the published 110M / 340M counts);
 * classes > 0 adds BertForSequenceClassification's head */
static void bert(jc_net *n, const jc_arch_input *in, int large)
{
    int64_t h = large ? 1024 : 768, mlp = 4 * h, tokens = in->seq_len;
    int layers = large ? 24 : 12;
    jc_net_add(n, JC_LAYER_EMBED, jc_net_mul(n, in->vocab, h), 0, 1); /* word */
    jc_net_add(n, JC_LAYER_EMBED, 512 * h, 0, 1);                      /* position (max 512) */
    jc_net_add(n, JC_LAYER_EMBED, 2 * h, 0, 1);                        /* token type */
    jc_net_add(n, JC_LAYER_NORM, 2 * h, 0, 0);
    for (int i = 0; i < layers; i++)
        encoder_layer(n, tokens, h, mlp, 3);
    jc_net_add(n, JC_LAYER_LINEAR, h * h + h, h * h, 1); /* pooler, on the first token */
    jc_net_add(n, JC_LAYER_ACT, 0, 0, 0);
    if (in->classes > 0)
        jc_net_add(n, JC_LAYER_LINEAR, h * in->classes + in->classes, h * in->classes, 1);
}

/* ---- the table ---- */

static const zoo_model zoo[] = {
    {"alexnet", "AlexNet (torchvision): 5 conv + 3 linear layers", FAM_CNN, alexnet, 0, 224},
    {"vgg11", "VGG-11 (torchvision, no BatchNorm)", FAM_CNN, vgg, 11, 224},
    {"vgg13", "VGG-13 (torchvision, no BatchNorm)", FAM_CNN, vgg, 13, 224},
    {"vgg16", "VGG-16 (torchvision, no BatchNorm)", FAM_CNN, vgg, 16, 224},
    {"vgg19", "VGG-19 (torchvision, no BatchNorm)", FAM_CNN, vgg, 19, 224},
    {"resnet18", "ResNet-18 (torchvision): basic residual blocks", FAM_CNN, resnet, 18, 224},
    {"resnet34", "ResNet-34 (torchvision): basic residual blocks", FAM_CNN, resnet, 34, 224},
    {"resnet50", "ResNet-50 (torchvision, v1.5): bottleneck blocks", FAM_CNN, resnet, 50, 224},
    {"resnet101", "ResNet-101 (torchvision, v1.5): bottleneck blocks", FAM_CNN, resnet, 101, 224},
    {"resnet152", "ResNet-152 (torchvision, v1.5): bottleneck blocks", FAM_CNN, resnet, 152, 224},
    {"mobilenet_v1", "MobileNetV1 1.0 (paper / Keras; not in torchvision): 28 layers, BatchNorm", FAM_CNN,
     mobilenet_v1, 0, 224},
    {"mobilenet_v2", "MobileNetV2 1.0 (torchvision): inverted residuals", FAM_CNN, mobilenet_v2, 0, 224},
    {"googlenet", "GoogLeNet / Inception v1 (torchvision, aux_logits=False): 4-branch blocks", FAM_CNN,
     googlenet, 0, 224},
    {"shufflenet_v2_x1_0", "ShuffleNetV2 x1.0 (torchvision): channel split and shuffle", FAM_CNN,
     shufflenet_v2, 0, 224},
    {"xception", "Xception (Keras, Chollet 2017): separable convolutions; default 299 px", FAM_CNN, xception,
     0, 299},
    {"nasnet_mobile", "NASNet-A Mobile (Keras NASNetMobile): 6-input normal cells", FAM_CNN, nasnet_mobile, 0,
     224},
    {"vit_b_16", "ViT-B/16 (torchvision): 12 layers, hidden 768", FAM_VIT, vit, 0, 224},
    {"vit_l_16", "ViT-L/16 (torchvision): 24 layers, hidden 1024", FAM_VIT, vit, 1, 224},
    {"bert_base", "BERT-base (HuggingFace BertModel + pooler): 12 layers, hidden 768", FAM_BERT, bert, 0, 0},
    {"bert_large", "BERT-large (HuggingFace BertModel + pooler): 24 layers, hidden 1024", FAM_BERT, bert, 1,
     0},
};
enum { NZOO = sizeof zoo / sizeof zoo[0] };

/* Other spellings, in normalised form (lower case, letters and digits only).
 * The cased BERT checkpoints have a smaller vocabulary. */
static const struct {
    const char *alias;
    const char *name;
    int vocab;
} aliases[] = {
    {"mobilenet", "mobilenet_v1", 0},
    {"inceptionv1", "googlenet", 0},
    {"inception", "googlenet", 0},
    {"shufflenetv2", "shufflenet_v2_x1_0", 0},
    {"shufflenet", "shufflenet_v2_x1_0", 0},
    {"nasnet", "nasnet_mobile", 0},
    {"nasnetamobile", "nasnet_mobile", 0},
    {"vitbase16", "vit_b_16", 0},
    {"vitbasepatch16", "vit_b_16", 0},
    {"vitlarge16", "vit_l_16", 0},
    {"vitlargepatch16", "vit_l_16", 0},
    {"bert", "bert_base", 0},
    {"bertbaseuncased", "bert_base", 0},
    {"bertlargeuncased", "bert_large", 0},
    {"bertbasecased", "bert_base", 28996},
    {"bertlargecased", "bert_large", 28996},
};

static void normalise(const char *s, char *buf, size_t size)
{
    size_t k = 0;
    for (; *s && k + 1 < size; s++)
        if (isalnum((unsigned char)*s))
            buf[k++] = (char)tolower((unsigned char)*s);
    buf[k] = 0;
}

static const zoo_model *lookup(const char *name, int *vocab)
{
    char want[64], have[64];
    *vocab = 0;
    if (!name)
        return NULL;
    normalise(name, want, sizeof want);
    for (int i = 0; i < NZOO; i++) {
        normalise(zoo[i].name, have, sizeof have);
        if (!strcmp(want, have))
            return &zoo[i];
    }
    for (size_t a = 0; a < sizeof aliases / sizeof aliases[0]; a++)
        if (!strcmp(want, aliases[a].alias))
            for (int i = 0; i < NZOO; i++)
                if (!strcmp(zoo[i].name, aliases[a].name)) {
                    *vocab = aliases[a].vocab;
                    return &zoo[i];
                }
    return NULL;
}

const char *const *jc_arch_zoo_names(void)
{
    static const char *names[NZOO + 1];
    if (!names[0])
        for (int i = 0; i < NZOO; i++)
            names[i] = zoo[i].name;
    return names;
}

/* The model's input with zero fields filled with its defaults; fields the
 * family does not use are zero. */
static void fill_defaults(const zoo_model *m, const jc_arch_input *in, int alias_vocab, jc_arch_input *o)
{
    jc_arch_input z = {0};
    if (!in)
        in = &z;
    memset(o, 0, sizeof *o);
    if (m->family == FAM_BERT) {
        o->seq_len = in->seq_len ? in->seq_len : 128;
        o->vocab = in->vocab ? in->vocab : alias_vocab ? alias_vocab : 30522;
        o->classes = in->classes; /* 0: no head */
        return;
    }
    o->image = in->image ? in->image : m->default_image;
    o->channels = in->channels ? in->channels : 3;
    o->classes = in->classes ? in->classes : 1000;
    if (m->family == FAM_VIT) {
        o->patch = in->patch ? in->patch : 16;
        if (o->patch > 0 && o->image > 0 && o->image % o->patch == 0)
            o->seq_len = (o->image / o->patch) * (o->image / o->patch) + 1;
    }
}

static int check_input(const zoo_model *m, const jc_arch_input *in)
{
    const int max_image = 16384;
    if (in->classes < 0 || in->classes > 10000000)
        return jc_fail(JC_ERR_INVALID, "%s: classes must be 1 to 10000000, not %d", m->name, in->classes);
    if (m->family == FAM_BERT) {
        if (in->seq_len < 1 || in->seq_len > 512)
            return jc_fail(JC_ERR_INVALID, "%s: sequence length must be 1 to 512 (its position table), not %d",
                           m->name, in->seq_len);
        if (in->vocab < 1 || in->vocab > 10000000)
            return jc_fail(JC_ERR_INVALID, "%s: vocabulary must be 1 to 10000000 words, not %d", m->name,
                           in->vocab);
        return JC_OK;
    }
    if (in->classes < 1)
        return jc_fail(JC_ERR_INVALID, "%s: classes must be at least 1, not %d", m->name, in->classes);
    if (in->image < 1 || in->image > max_image)
        return jc_fail(JC_ERR_INVALID, "%s: image size must be 1 to %d px, not %d", m->name, max_image, in->image);
    if (in->channels < 1 || in->channels > 4096)
        return jc_fail(JC_ERR_INVALID, "%s: channels must be 1 to 4096, not %d", m->name, in->channels);
    if (m->family == FAM_VIT) {
        if (in->patch < 1 || in->patch > in->image)
            return jc_fail(JC_ERR_INVALID, "%s: patch size must be 1 to the image size (%d), not %d", m->name,
                           in->image, in->patch);
        if (in->image % in->patch)
            return jc_fail(JC_ERR_INVALID, "%s: image size %d is not a multiple of the patch size %d", m->name,
                           in->image, in->patch);
    }
    return JC_OK;
}

/* One walk; 0 or the walk's failure (the caller words the message). */
static int walk(const zoo_model *m, const jc_arch_input *in, jc_arch_counts *out, jc_net *n)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", m->name);
    out->input = *in;
    jc_net_init(n, out, in->channels, in->image, in->image);
    m->build(n, in, m->variant);
    out->flops = 2.0 * (double)out->macs;
    out->train_flops = 3.0 * out->flops;
    return n->err;
}

int jc_arch_zoo_count(const char *name, const jc_arch_input *in, jc_arch_counts *out)
{
    int alias_vocab;
    const zoo_model *m = lookup(name, &alias_vocab);
    if (!out)
        return jc_fail(JC_ERR_INVALID, "jc_arch_zoo_count: no output");
    memset(out, 0, sizeof *out);
    if (!m) {
        char list[1024];
        size_t k = 0;
        list[0] = 0;
        for (int i = 0; i < NZOO && k < sizeof list; i++)
            k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", zoo[i].name);
        return jc_fail(JC_ERR_INVALID, "unknown model '%s' (known: %s)", name ? name : "(null)", list);
    }
    jc_arch_input filled;
    fill_defaults(m, in, alias_vocab, &filled);
    int rc = check_input(m, &filled);
    if (rc)
        return rc;
    jc_net n;
    rc = walk(m, &filled, out, &n);
    if (rc == JC_ERR_UNSUPPORTED) {
        memset(out, 0, sizeof *out);
        return jc_fail(rc, "%s: the counts at %d px overflow 64 bits", m->name, filled.image);
    }
    if (rc) {
        /* Find the smallest image the network takes, so the message can say it. */
        int after = n.fail_after;
        const char *what = n.fail_what;
        int smallest = 0;
        jc_arch_input t = filled;
        jc_arch_counts scratch;
        jc_net tn;
        for (int s = filled.image + 1; s <= 4096 && !smallest; s++) {
            t.image = s;
            if (walk(m, &t, &scratch, &tn) == JC_OK)
                smallest = s;
        }
        memset(out, 0, sizeof *out);
        return jc_fail(JC_ERR_INVALID,
                       "%s: a %d px image is too small: the feature map shrinks to nothing at a %s layer after %d "
                       "weight layers; the smallest image it takes is %d px",
                       m->name, filled.image, what ? what : "?", after, smallest);
    }
    return JC_OK;
}

int jc_arch_zoo_describe(const char *name, jc_arch_zoo_info *info)
{
    int alias_vocab;
    const zoo_model *m = lookup(name, &alias_vocab);
    if (!m)
        return jc_fail(JC_ERR_INVALID, "unknown model '%s'", name ? name : "(null)");
    info->name = m->name;
    info->description = m->description;
    fill_defaults(m, NULL, alias_vocab, &info->defaults);
    info->transformer = m->family != FAM_CNN;
    return JC_OK;
}
