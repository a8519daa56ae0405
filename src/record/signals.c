/* record/signals.c: handlers and the self-pipe (see signals.h). */
#define _GNU_SOURCE  /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "joulecast/util.h"
#include "record/signals.h"

static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD};
#define NCAUGHT (sizeof caught / sizeof caught[0])

static int pipe_fd[2] = {-1, -1};
static int depth;
static struct sigaction saved[NCAUGHT];
static int installed[NCAUGHT];
static struct sigaction saved_pipe;

static void on_signal(int signo, siginfo_t *info, void *uctx)
{
    (void)uctx;
    int saved_errno = errno;  /* the interrupted code may be reading errno */
    jc_rec_signal s = {signo, info ? info->si_code : 0};
    /* a full pipe drops the event; the loop still learns of the child's
     * exit from waitpid on its next wake-up */
    ssize_t k = write(pipe_fd[1], &s, sizeof s);
    (void)k;
    errno = saved_errno;
}

int jc_rec_signals_install(void)
{
    if (depth++ > 0)
        return JC_OK;
    if (pipe2(pipe_fd, O_CLOEXEC | O_NONBLOCK) != 0) {
        depth = 0;
        return jc_fail(JC_ERR_IO, "cannot create a pipe for signals: %s", strerror(errno));
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&sa.sa_mask);
    for (size_t i = 0; i < NCAUGHT; i++) {
        installed[i] = 0;
        if (sigaction(caught[i], NULL, &saved[i]) != 0)
            continue;
        if (caught[i] != SIGCHLD && saved[i].sa_handler == SIG_IGN)
            continue;  /* ignored at entry: leave it so */
        if (sigaction(caught[i], &sa, NULL) == 0)
            installed[i] = 1;
    }
    /* A closed terminal must not kill the recorder mid-write: writes fail
     * with EPIPE instead. */
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &saved_pipe);
    return JC_OK;
}

void jc_rec_signals_uninstall(void)
{
    if (depth == 0 || --depth > 0)
        return;
    for (size_t i = 0; i < NCAUGHT; i++)
        if (installed[i])
            sigaction(caught[i], &saved[i], NULL);
    sigaction(SIGPIPE, &saved_pipe, NULL);
    close(pipe_fd[0]);
    close(pipe_fd[1]);
    pipe_fd[0] = pipe_fd[1] = -1;
}

int jc_rec_signals_fd(void)
{
    return pipe_fd[0];
}

int jc_rec_signals_take(jc_rec_signal *out)
{
    if (pipe_fd[0] < 0)
        return 0;
    ssize_t k;
    do
        k = read(pipe_fd[0], out, sizeof *out);
    while (k < 0 && errno == EINTR);
    return k == (ssize_t)sizeof *out;
}

void jc_rec_signals_defaults(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < NCAUGHT; i++) {
        struct sigaction cur;
        if (caught[i] == SIGCHLD) {
            sigaddset(set, SIGCHLD);
            continue;
        }
        /* ignored at entry (we left it ignored): the command inherits that */
        if (!installed[i] && sigaction(caught[i], NULL, &cur) == 0 && cur.sa_handler == SIG_IGN)
            continue;
        sigaddset(set, caught[i]);
    }
    /* SIGPIPE is ignored by us; the command gets it back unless it was
     * ignored when joulecast started */
    if (saved_pipe.sa_handler != SIG_IGN)
        sigaddset(set, SIGPIPE);
}
