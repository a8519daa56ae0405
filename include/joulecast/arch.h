/* arch: how big a network is. Parameters, forward multiply-accumulates
 * (MACs), FLOPs (2 x MACs) and training FLOPs per sample (3 x forward, the
 * usual convention) of a network, from a built-in parameterised zoo or from
 * an ONNX file, with a breakdown by layer type. Both seeds predict energy
 * from these numbers (the first from Params and FLOPs, the second from MACs
 * and the number of parallel branches). */
#ifndef JOULECAST_ARCH_H
#define JOULECAST_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "joulecast/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Counting conventions, the same for the zoo and the ONNX path (so the two
 * agree exactly on an exported zoo model):
 * - MACs are counted for convolutions (output elements x in_channels/groups x
 *   kernel area; transposed: input elements x out_channels/groups x kernel
 *   area), linear layers / MatMul / Gemm (batch-free: rows x in x out, rows =
 *   tokens for transformers) and the two attention products (2 x seq^2 x
 *   hidden per layer, under ATTENTION). Normalisation, activations, pooling,
 *   softmax, embeddings and element-wise adds count 0 MACs (they are < 1% of
 *   these networks, and torchvision's and the papers' figures leave them out).
 *   Biases add no MACs.
 * - Parameters are trainable weights: conv/linear weights and biases,
 *   normalisation scale and shift, embedding tables, class tokens and
 *   position embeddings; BatchNorm running statistics are not parameters.
 * - weight_layers: convolution, linear and embedding layers.
 * - branches: the most inputs any merge (Concat, Add, Sum) takes: 1 for a
 *   plain chain, 2 for residual blocks, 4 for an Inception block. */
typedef enum {
    JC_LAYER_CONV = 0,   /* convolution (incl. depthwise, grouped, transposed) */
    JC_LAYER_LINEAR,     /* fully connected / matmul / Gemm (incl. attention projections) */
    JC_LAYER_ATTENTION,  /* the attention products: Q K^T and A V */
    JC_LAYER_NORM,       /* batch / layer normalisation */
    JC_LAYER_ACT,        /* activations, softmax */
    JC_LAYER_POOL,       /* max / average / global pooling */
    JC_LAYER_EMBED,      /* embeddings (token, position, patch class token) */
    JC_LAYER_OTHER,      /* element-wise adds of residuals, concat, ... */
    JC_LAYER_NKINDS
} jc_layer_kind;

const char *jc_layer_kind_name(jc_layer_kind k); /* "conv", "linear", ... */

/* What a network is applied to. Zero fields take the model's defaults
 * (224 x 224 x 3 images, 1000 classes, 299 px for Xception as Keras; 16 x 16
 * patches for ViT; 128 tokens and a 30522-word vocabulary for BERT, which is
 * counted as BertModel + pooler, the published 110M/340M, with no
 * classification head unless classes > 0). Fields a model does not use are
 * ignored and come back 0 in jc_arch_counts.input. */
typedef struct {
    int image;        /* input height = width, pixels */
    int channels;     /* input channels */
    int classes;      /* output classes (the classifier head) */
    int seq_len;      /* transformers: tokens per sample */
    int patch;        /* ViT patch size */
    int vocab;        /* BERT vocabulary size */
} jc_arch_input;

typedef struct {
    char name[64];
    jc_arch_input input;         /* with the defaults filled in */
    int64_t params;              /* trainable parameters (BatchNorm affine included, running stats not) */
    int64_t macs;                /* forward multiply-accumulates per sample */
    double flops;                /* 2 x macs */
    double train_flops;          /* 3 x flops: forward + backward, per sample */
    int weight_layers;           /* layers with weights: conv + linear (+ embeddings for transformers) */
    int branches;                /* the largest number of parallel branches in a block (1: a plain chain) */
    int64_t kind_params[JC_LAYER_NKINDS];
    int64_t kind_macs[JC_LAYER_NKINDS];
} jc_arch_counts;

/* Names in the zoo, NULL-terminated ("alexnet", "vgg16", "resnet50", ...). */
const char *const *jc_arch_zoo_names(void);
/* Count a zoo model (name case-insensitive, "resnet-50" and "resnet50" alike).
 * Unknown name: JC_ERR_INVALID with the list of known ones in the message;
 * an image too small for the network (its feature map vanishes): JC_ERR_INVALID
 * saying the smallest size it takes; in may be NULL (all defaults). */
int jc_arch_zoo_count(const char *name, const jc_arch_input *in, jc_arch_counts *out);

/* A zoo model's canonical name, one-line description and default input. */
typedef struct {
    const char *name;           /* canonical, e.g. "resnet50" */
    const char *description;
    jc_arch_input defaults;     /* what zero fields become */
    int transformer;            /* 1 for ViT and BERT */
} jc_arch_zoo_info;
/* Resolve a name or alias; JC_ERR_INVALID if unknown. */
int jc_arch_zoo_describe(const char *name, jc_arch_zoo_info *info);

/* Count an ONNX model. input_shape may be NULL (the graph's own input shape;
 * symbolic dimensions taken as 1) or "NAME=1x3x224x224" / "1x3x224x224".
 * An unsupported operator is an error naming it; a damaged file an error. */
int jc_arch_onnx_count(const char *path, const char *input_shape, jc_arch_counts *out);

#ifdef __cplusplus
}
#endif
#endif
