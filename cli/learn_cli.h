/* cli/learn_cli.h: what the learning subcommands (evaluate, fit,
 * importance) share: comma lists, row filters (--where col=value), and a
 * table's features and targets turned into matrices with rows that lack a
 * feature left out (and counted). */
#ifndef JC_LEARN_CLI_H
#define JC_LEARN_CLI_H

#include <stddef.h>
#include "joulecast/learn.h"
#include "joulecast/table.h"

/* "a,b,c" -> malloc'd array of malloc'd strings; *n items. NULL on error. */
char **jc_cli_split_list(const char *s, size_t *n);
void jc_cli_free_list(char **v, size_t n);

/* Rows of t matching every filter "COL=VALUE" or "COL!=VALUE" (text, or
 * numeric equality when both sides are numbers). keep: nrows flags, set to
 * 1 where the row matches (starts as given). Errors name the column. */
int jc_cli_filter_rows(const jc_table *t, char *const *filters, size_t nfilters, unsigned char *keep);

/* Read path and flag the rows matching every --where filter (*keep:
 * malloc'd, nrows flags). Prints the error and returns JC_EXIT_FAIL
 * (unreadable file) or JC_EXIT_USAGE (bad filter); 0 on success. */
int jc_cli_read_rows(const char *path, char *const *where, size_t nwhere, jc_table **t, unsigned char **keep);
/* 0 if kind names a model kind, else prints the error (with the list of
 * kinds) and returns -1. */
int jc_cli_check_model(const char *kind);

/* Add the GPU's specifications as columns (gpu_tdp_w, gpu_fp32_tflops,
 * gpu_fp16_tensor_tflops, gpu_memory_gb, gpu_memory_bandwidth_gbs), looked
 * up by each row's gpu_model in the shipped GPU table, so that one model
 * can learn across GPUs. Rows whose GPU is not in the table get empty
 * cells (one warning per name). */
int jc_cli_add_gpu_columns(jc_table *t);

typedef struct {
    size_t n, p, ntargets;
    double *x;            /* n x p */
    double *y;            /* n x ntargets, NaN where missing */
    size_t *row;          /* table row of each matrix row */
    size_t dropped;       /* rows left out for a missing or non-numeric feature */
} jc_cli_data;

/* Features must be numeric columns (FILE:LINE:COL error otherwise); `logs`
 * names features to take the natural log of (they must be > 0). keep may be
 * NULL (all rows). */
int jc_cli_load(const jc_table *t, char *const *features, size_t p, char *const *targets, size_t ntargets,
                char *const *logs, size_t nlogs, const unsigned char *keep, jc_cli_data *out);
void jc_cli_data_free(jc_cli_data *d);
/* A model target's raw features and its target from t, the rows kept by
 * keep that have all of them (d->n of them). */
int jc_cli_load_target(const jc_table *t, const jc_model_target *mt, const unsigned char *keep, jc_cli_data *d);

#endif
