/* Helpers shared by the trace module's files, not part of the public API. */
#ifndef JC_TRACE_INTERNAL_H
#define JC_TRACE_INTERNAL_H

#include "joulecast/trace.h"

/* Index of the GPU with this id, added if new. */
int jc_trace_internal_gpu(jc_trace *tr, const char *id, size_t idlen, int *out);
/* Append one sample (fields: tr->nfields values, may be NULL if none). */
int jc_trace_internal_append(jc_trace *tr, int gpu, double t, double power, const double *fields);
/* Read the run.json beside a joulecast trace CSV, if there is one. */
int jc_trace_internal_read_run_json(jc_trace *tr, const char *csv_path);

#endif
