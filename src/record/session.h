/* record/session.h: one recorded run of a command, on GPUs already opened,
 * shared by `record` (one run) and `powercap` (one run per power limit). */
#ifndef JC_RECORD_SESSION_H
#define JC_RECORD_SESSION_H

#include "joulecast/record.h"
#include "record/device.h"

/* Run and record o->argv on gpus into o->out_dir (created if missing).
 * extra_meta: further "KEY=VALUE" pairs (powercap's limit), may be NULL. */
int jc_record_session(jc_nvml *n, jc_rec_gpu *gpus, size_t ngpu, const jc_record_opts *o,
                      const char *extra_meta, jc_record_result *res);

/* mkdir -p */
int jc_record_mkdirs(const char *dir);

#endif
