/* learn/mlp.h: the insides of the multilayer perceptron (mlp.c) that the
 * tests reach past the regressor interface for: the network, one forward
 * pass and one Adam step (checked against PyTorch), and the grid. */
#ifndef JC_LEARN_MLP_H
#define JC_LEARN_MLP_H

#include "joulecast/learn.h"

typedef enum { JC_MLP_RELU = 0, JC_MLP_TANH, JC_MLP_LEAKY_RELU } jc_mlp_activation;

/* Weight layers: up to 3 hidden, then the single output unit. */
#define JC_MLP_MAX_LAYERS 4

/* One point of the search: the hidden layers, their activation and the L2
 * weight decay (PyTorch's Adam weight_decay: added to every gradient). */
typedef struct {
    int nhidden;
    int hidden[JC_MLP_MAX_LAYERS - 1];
    jc_mlp_activation act;
    double l2;
} jc_mlp_config;

/* The seed's grid (section 4.4): hidden (64, 64), (128, 64), (128, 128),
 * (256, 128) x ReLU, Tanh, LeakyReLU x L2 1e-5, 1e-3, the L2 varying fastest.
 * Fills out and returns the number of points. */
#define JC_MLP_FULL_GRID 24
size_t jc_mlp_full_grid(jc_mlp_config out[JC_MLP_FULL_GRID]);
const char *jc_mlp_activation_name(jc_mlp_activation a);

/* A network of float32 parameters (as PyTorch's default) in one array,
 * layer by layer: the weights of layer l, sizes[l] x sizes[l+1] row-major
 * (row i holds input i's weights to every unit), then its biases.
 * sizes[0] is the number of inputs, sizes[nlayers] = 1. */
typedef struct {
    int nlayers;
    size_t sizes[JC_MLP_MAX_LAYERS + 1];
    jc_mlp_activation act;
    size_t nparams;
    size_t woff[JC_MLP_MAX_LAYERS], boff[JC_MLP_MAX_LAYERS];
    float *params;
} jc_mlp_net;

/* Shape the network for p inputs and zero its parameters. */
int jc_mlp_net_init(jc_mlp_net *net, size_t p, const jc_mlp_config *c);
/* He initialisation for ReLU/LeakyReLU layers, Glorot for Tanh and the
 * output layer (normal draws), zero biases. */
void jc_mlp_net_randomize(jc_mlp_net *net, uint64_t seed);
void jc_mlp_net_free(jc_mlp_net *net);

/* Scratch for batches of up to `rows` rows; with train = 1 also the
 * gradient and Adam's moments. */
typedef struct {
    size_t rows;
    float *z[JC_MLP_MAX_LAYERS], *a[JC_MLP_MAX_LAYERS]; /* hidden layers */
    float *out, *d0, *d1, *wt;
    float *grad, *m, *v;
    long t; /* Adam steps taken */
} jc_mlp_work;

int jc_mlp_work_init(jc_mlp_work *w, const jc_mlp_net *net, size_t rows, int train);
void jc_mlp_work_free(jc_mlp_work *w);

/* Outputs of m <= w->rows rows of x (m x inputs, row-major) into w->out. */
void jc_mlp_forward(const jc_mlp_net *net, jc_mlp_work *w, const float *x, size_t m);
/* One Adam step (betas 0.9, 0.999, eps 1e-8, as PyTorch) on the mean
 * squared error of m rows; returns that error before the step. */
double jc_mlp_step(jc_mlp_net *net, jc_mlp_work *w, const float *x, const float *y, size_t m, double lr,
                   double l2);

#endif
