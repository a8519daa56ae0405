/* Genetic operators of the sr engine (genetic.c), internal to the module. */
#ifndef JC_SR_GENETIC_H
#define JC_SR_GENETIC_H

#include "sr/sr_internal.h"

/* What the operators need to know, prepared once per fit. */
typedef struct {
    size_t nfeatures;
    int constants;
    double const_lo, const_hi;
    int depth_lo, depth_hi;
    jc_sr_init init_method;
    double p_point_replace;
    uint8_t functions[JC_SR_NOPS];
    size_t nfunctions;
    uint8_t by_arity[3][JC_SR_NOPS];
    size_t nby_arity[3];
} jc_sr_genetic;

int jc_sr_genetic_init(jc_sr_genetic *g, const jc_sr_options *o, size_t nfeatures);
int jc_sr_build_program(const jc_sr_genetic *g, jc_rng *rng, jc_sr_program *out);
void jc_sr_get_subtree(const jc_sr_node *nodes, uint32_t len, jc_rng *rng, uint32_t *start, uint32_t *end);
int jc_sr_crossover(const jc_sr_program *parent, const jc_sr_node *donor, uint32_t donor_len, jc_rng *rng,
                    jc_sr_program *out);
/* chicken: scratch for the random donor (reused). */
int jc_sr_subtree_mutation(const jc_sr_genetic *g, const jc_sr_program *parent, jc_rng *rng,
                           jc_sr_program *chicken, jc_sr_program *out);
int jc_sr_hoist_mutation(const jc_sr_program *parent, jc_rng *rng, jc_sr_program *out);
int jc_sr_point_mutation(const jc_sr_genetic *g, const jc_sr_program *parent, jc_rng *rng, jc_sr_program *out);

#endif
