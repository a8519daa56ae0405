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

/* A signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) that arrived while none was
 * being recorded, taken from the pending set; 0 if none. Used by powercap
 * between runs, while those signals are blocked. */
int jc_record_pending_signal(void);
/* Block / restore the signals a recording forwards. */
void jc_record_block_signals(sigset_t *old);
void jc_record_restore_signals(const sigset_t *old);

/* mkdir -p */
int jc_record_mkdirs(const char *dir);

#endif
