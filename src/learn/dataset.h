/* Internal to the runs dataset (dataset.c, dataset_import.c): one row held
 * as numbers and strings while a source is read, the network lookup that
 * fills params and flops, and the square-wave targets of an analysed trace.
 * The public side is the "runs dataset" section of joulecast/learn.h. */
#ifndef JC_LEARN_DATASET_H
#define JC_LEARN_DATASET_H

#include <stddef.h>

#include "joulecast/arch.h"
#include "joulecast/learn.h"
#include "joulecast/trace.h"

/* The columns, in file order (docs/formats.md lists them with units). */
typedef enum {
    RUN_SOURCE, RUN_ID, RUN_ARCH, RUN_PARAMS, RUN_FLOPS, RUN_IMAGE_SIZE, RUN_SAMPLES, RUN_BATCH_SIZE,
    RUN_EPOCHS, RUN_WORKERS, RUN_GPUS, RUN_GPU_MODEL, RUN_POWER_LIMIT_W, RUN_DATASET, RUN_OPTIMIZER,
    RUN_PEAK_POWER_W, RUN_PEAK_S, RUN_VALLEY_POWER_W, RUN_VALLEY_S, RUN_EPOCH_ENERGY_J, RUN_ENERGY_J,
    RUN_DURATION_S, RUN_TIME_PER_EPOCH_S, RUN_AVG_POWER_W,
    RUN_NCOLS
} run_col;

/* A row: text[c] for text columns (NULL: empty), num[c] for the others
 * (NaN: empty). Which is which is fixed by the column (jc_runs_col_is_text). */
typedef struct {
    char *text[RUN_NCOLS];
    double num[RUN_NCOLS];
} run_row;

typedef struct {
    run_row *rows;
    size_t n, cap;
    /* architecture names already warned about, so each is said once */
    char **warned;
    size_t nwarned, capwarned;
} run_rows;

int jc_runs_col_is_text(run_col c);
/* Append an empty row (all NaN / NULL); *row points at it until the next add. */
int jc_runs_row_add(run_rows *rs, run_row **row);
/* Set a text cell (copied; NULL or "" leaves it empty). */
int jc_runs_set_text(run_row *r, run_col c, const char *s);
/* The rows as a table with every column (rows == 0 gives a header-only table). */
int jc_runs_to_table(const run_rows *rs, jc_table **out);
void jc_runs_rows_free(run_rows *rs);

/* 1 the first time key is seen in this import (so the caller warns once),
 * 0 after. */
int jc_runs_first_warning(run_rows *rs, const char *key);

/* Fill arch (the zoo's canonical name when known, else name as given),
 * params and flops by counting the network at in. An unknown network or an
 * input it cannot take is a warning (once per name), never an error; where
 * names the input for the message ("FILE:LINE"). */
int jc_runs_fill_arch(run_rows *rs, run_row *r, const char *name, const jc_arch_input *in, const char *where);

/* Square-wave targets from an analysis: the means over the GPUs whose
 * segmentation found epochs (all left empty when none did), and the
 * per-GPU energy, mean power and the run's duration. Returns the number of
 * epochs found (on the first GPU that has any), 0 when none. */
size_t jc_runs_fill_targets(run_row *r, const jc_analysis *an);

#endif
