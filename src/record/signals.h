/* record/signals.h: the signals a recording passes on to its command
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT) and SIGCHLD, caught by handlers that
 * write them to a self-pipe the event loop polls. Handlers rather than a
 * blocked mask and a signalfd: libraries linked into joulecast (OpenBLAS,
 * XGBoost) start threads of their own with signals unblocked, and a
 * process-directed signal delivered to one of them would take its default
 * action and kill joulecast mid-recording. A handler runs whichever thread
 * gets the signal. Signals ignored when joulecast started (nohup, a
 * script's background job) stay ignored. */
#ifndef JC_RECORD_SIGNALS_H
#define JC_RECORD_SIGNALS_H

#include <signal.h>

typedef struct {
    int signo;
    int code;   /* si_code: SI_USER from kill(2), SI_KERNEL from the terminal */
} jc_rec_signal;

/* Install the handlers (nested calls count; the outermost uninstall puts
 * the previous dispositions back). */
int jc_rec_signals_install(void);
void jc_rec_signals_uninstall(void);
/* The read end of the self-pipe (non-blocking), for poll. */
int jc_rec_signals_fd(void);
/* Take one caught signal; 0 when none is waiting. SIGCHLD comes through too. */
int jc_rec_signals_take(jc_rec_signal *out);
/* The forwarded signals, for spawning the command with their default
 * dispositions back (those ignored at entry left out). */
void jc_rec_signals_defaults(sigset_t *set);

#endif
