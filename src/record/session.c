/* record/session.c: one recorded run. The main thread starts the command
 * (posix_spawnp), forwards signals to it, copies its output through while
 * matching --mark-regex, reads labelled markers from the JOULECAST_MARK
 * FIFO, and drains the sampler's rows to trace.csv at least once a second
 * (write + fdatasync), so a crash of anything loses at most a second. */
#define _GNU_SOURCE  /* pipe2, SI_KERNEL */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "joulecast/util.h"
#include "record/runjson.h"
#include "record/sampler.h"
#include "record/session.h"
#include "record/signals.h"

extern char **environ;

#define FLUSH_EVERY_S 1.0   /* the promise: a crash loses at most this much */
#define LINE_MAX_BYTES 4096
#ifndef SI_KERNEL
#define SI_KERNEL 0x80  /* Linux: sent by the kernel (the terminal driver) */
#endif

int jc_record_mkdirs(const char *dir)
{
    char *p = jc_strdup(dir);
    if (!p)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == 0) {
            char c = *s;
            *s = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                int rc = jc_fail_at(JC_ERR_IO, p, 0, 0, "cannot create folder: %s", strerror(errno));
                free(p);
                return rc;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return jc_fail_at(JC_ERR_IO, dir, 0, 0, "not a folder");
    return JC_OK;
}

/* ---- the state of one run ---- */

typedef struct {
    int fd;                  /* read end; -1 when closed */
    int out;                 /* where the bytes go on (1 or 2) */
    char line[LINE_MAX_BYTES];
    size_t len;
} stream;

typedef struct {
    const jc_record_opts *o;
    const char *extra_meta;
    char *trace_path, *json_path;
    int trace_fd;
    jc_sampler s;
    jc_run_info ri;
    char driver[96];
    jc_rec_marker *markers;
    size_t nmarkers, capmarkers;
    int markers_dirty;
    regex_t re;
    int have_re;
    char fifo_dir[64], fifo_path[96];
    int fifo_rd, fifo_wr;
    stream fifo_stream;
    stream out[2];
    double last_flush, last_json;
    int io_error;
} run;

static int add_marker(run *r, double t, const char *label, size_t len, const char *source)
{
    if (r->nmarkers == r->capmarkers) {
        size_t cap = r->capmarkers ? r->capmarkers * 2 : 64;
        jc_rec_marker *nm = realloc(r->markers, cap * sizeof *nm);
        if (!nm)
            return JC_ERR_NOMEM;
        r->markers = nm;
        r->capmarkers = cap;
    }
    while (len && (label[len - 1] == '\r' || label[len - 1] == ' ' || label[len - 1] == '\t'))
        len--;
    while (len && (*label == ' ' || *label == '\t')) {
        label++;
        len--;
    }
    char *l = malloc(len + 1);
    if (!l)
        return JC_ERR_NOMEM;
    memcpy(l, label, len);
    l[len] = 0;
    r->markers[r->nmarkers++] = (jc_rec_marker){t, l, source};
    r->markers_dirty = 1;
    return JC_OK;
}

/* A complete line of the command's output: a marker if it matches. */
static void match_line(run *r, const char *line, size_t len, double t)
{
    if (!r->have_re)
        return;
    char buf[LINE_MAX_BYTES + 1];
    memcpy(buf, line, len);
    buf[len] = 0;
    regmatch_t m[2];
    if (regexec(&r->re, buf, 2, m, 0) != 0)
        return;
    /* the first group, when the pattern has one, is the label */
    if (r->re.re_nsub >= 1 && m[1].rm_so >= 0)
        add_marker(r, t, buf + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so), "output");
    else
        add_marker(r, t, buf, len, "output");
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return;  /* our own stdout closed: the command's output is lost, the trace is not */
        }
        p += k;
        n -= (size_t)k;
    }
}

/* Bytes from a stream: passed on unchanged, then split into lines. */
static void feed(run *r, stream *st, const char *p, size_t n, int is_fifo, double t)
{
    if (!is_fifo)
        write_all(st->out, p, n);
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\n' || st->len == LINE_MAX_BYTES) {
            if (is_fifo) {
                if (st->len)
                    add_marker(r, t, st->line, st->len, "JOULECAST_MARK");
            } else {
                match_line(r, st->line, st->len, t);
            }
            st->len = 0;
            if (c == '\n')
                continue;
        }
        /* \r ends a progress-bar update (tqdm): treat it as a line end too */
        if (c == '\r' && !is_fifo) {
            match_line(r, st->line, st->len, t);
            st->len = 0;
            continue;
        }
        st->line[st->len++] = c;
    }
}

static void read_stream(run *r, stream *st, int is_fifo)
{
    char buf[65536];
    ssize_t k = read(st->fd, buf, sizeof buf);
    if (k > 0) {
        feed(r, st, buf, (size_t)k, is_fifo, jc_sampler_now(&r->s));
    } else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
        if (!is_fifo) {
            if (st->len)
                match_line(r, st->line, st->len, jc_sampler_now(&r->s));
            st->len = 0;
            close(st->fd);
            st->fd = -1;
        }
    }
}

static void flush_rows(run *r, int sync)
{
    char *buf;
    size_t n = jc_sampler_take(&r->s, &buf);
    size_t off = 0;
    while (off < n) {
        ssize_t k = write(r->trace_fd, buf + off, n - off);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            if (!r->io_error)
                jc_log(JC_LOG_ERROR, "%s: cannot write: %s", r->trace_path, strerror(errno));
            r->io_error = 1;
            break;
        }
        off += (size_t)k;
    }
    free(buf);
    if (sync)
        fdatasync(r->trace_fd);
    r->last_flush = jc_sampler_now(&r->s);
}

static void write_json(run *r)
{
    r->ri.markers = r->markers;
    r->ri.nmarkers = r->nmarkers;
    if (jc_run_json_write(r->json_path, &r->ri) != JC_OK && !r->io_error) {
        jc_log(JC_LOG_ERROR, "%s", jc_last_error());
        r->io_error = 1;
    }
    r->markers_dirty = 0;
    r->last_json = jc_sampler_now(&r->s);
}

/* The FIFO training code writes labelled markers to. Kept open for writing
 * by us too, so it never reads as closed between writers. */
static int open_fifo(run *r)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(r->fifo_dir, sizeof r->fifo_dir, "%s/joulecast-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(r->fifo_dir)) {
        r->fifo_dir[0] = 0;
        return jc_fail(JC_ERR_IO, "cannot create a folder for the marker FIFO: %s", strerror(errno));
    }
    snprintf(r->fifo_path, sizeof r->fifo_path, "%s/mark", r->fifo_dir);
    if (mkfifo(r->fifo_path, 0600) != 0)
        return jc_fail_at(JC_ERR_IO, r->fifo_path, 0, 0, "cannot create FIFO: %s", strerror(errno));
    r->fifo_rd = open(r->fifo_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    r->fifo_wr = r->fifo_rd >= 0 ? open(r->fifo_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC) : -1;
    if (r->fifo_rd < 0 || r->fifo_wr < 0)
        return jc_fail_at(JC_ERR_IO, r->fifo_path, 0, 0, "cannot open FIFO: %s", strerror(errno));
    r->fifo_stream.fd = r->fifo_rd;
    return JC_OK;
}

static void close_fifo(run *r)
{
    if (r->fifo_rd >= 0)
        close(r->fifo_rd);
    if (r->fifo_wr >= 0)
        close(r->fifo_wr);
    r->fifo_rd = r->fifo_wr = -1;
    if (r->fifo_path[0])
        unlink(r->fifo_path);
    if (r->fifo_dir[0])
        rmdir(r->fifo_dir);
}

/* environ + JOULECAST_MARK (+ PYTHONUNBUFFERED when output is matched:
 * Python buffers a pipe in 8 KiB blocks, which would delay every marker). */
static char **child_env(run *r, char **owned)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 3, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "JOULECAST_MARK=", 15) != 0)
            env[k++] = environ[i];
    size_t len = strlen(r->fifo_path) + 32;
    *owned = malloc(len);
    if (!*owned) {
        free(env);
        return NULL;
    }
    snprintf(*owned, len, "JOULECAST_MARK=%s", r->fifo_path);
    env[k++] = *owned;
    if (r->have_re && !getenv("PYTHONUNBUFFERED"))
        env[k++] = "PYTHONUNBUFFERED=1";
    env[k] = NULL;
    return env;
}

static int spawn(run *r, const sigset_t *child_mask, pid_t *pid, int *spawn_errno)
{
    int pipes[2][2] = {{-1, -1}, {-1, -1}};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    int rc = JC_OK;
    if (r->have_re) {
        for (int i = 0; i < 2; i++) {
            if (pipe2(pipes[i], O_CLOEXEC) != 0) {
                rc = jc_fail(JC_ERR_IO, "cannot create a pipe: %s", strerror(errno));
                goto done;
            }
            posix_spawn_file_actions_adddup2(&fa, pipes[i][1], i + 1);
        }
    }
    /* The command gets default dispositions back, except for signals that
     * were ignored when joulecast started (nohup, a background job of a
     * script): those stay ignored for it, as a shell would leave them. */
    sigset_t def;
    jc_rec_signals_defaults(&def);
    posix_spawnattr_setsigmask(&at, child_mask);
    posix_spawnattr_setsigdefault(&at, &def);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char *owned = NULL;
    char **env = child_env(r, &owned);
    if (!env) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    int err = posix_spawnp(pid, r->o->argv[0], &fa, &at, r->o->argv, env);
    free(env);
    free(owned);
    *spawn_errno = err;
    if (err == 0 && r->have_re) {
        for (int i = 0; i < 2; i++) {
            r->out[i].fd = pipes[i][0];
            r->out[i].out = i + 1;
            pipes[i][0] = -1;
        }
    }
done:
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            if (pipes[i][j] >= 0)
                close(pipes[i][j]);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    return rc;
}

/* Forward a signal unless the terminal sent it: Ctrl-C reaches the whole
 * foreground process group, the command included, and must not arrive
 * twice (a second SIGINT makes Python abort its KeyboardInterrupt clean-up). */
static void handle_signal(const jc_rec_signal *si, pid_t child, int child_alive, jc_record_result *res)
{
    if (si->signo == SIGCHLD)
        return;
    res->signal_received = si->signo;
    if (child_alive && si->code != SI_KERNEL)
        kill(child, si->signo);
}

static void set_exit(jc_record_result *res, int status)
{
    if (WIFEXITED(status)) {
        res->exit_status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->exit_signal = WTERMSIG(status);
        res->exit_status = 128 + res->exit_signal;
    }
}

/* Wait for the command, serving its output, markers and the trace file. */
static void event_loop(run *r, pid_t child, jc_record_result *res)
{
    int alive = 1;
    double drain_until = -1;
    for (;;) {
        struct pollfd pf[4];
        stream *which[4];
        int n = 0;
        pf[n] = (struct pollfd){jc_rec_signals_fd(), POLLIN, 0};
        which[n++] = NULL;
        pf[n] = (struct pollfd){r->fifo_rd, POLLIN, 0};
        which[n++] = &r->fifo_stream;
        for (int i = 0; i < 2; i++)
            if (r->out[i].fd >= 0) {
                pf[n] = (struct pollfd){r->out[i].fd, POLLIN, 0};
                which[n++] = &r->out[i];
            }
        double now = jc_sampler_now(&r->s);
        if (!alive && (n == 2 || now >= drain_until))
            break;
        int timeout = 200;
        if (poll(pf, (nfds_t)n, timeout) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < n; i++) {
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (!which[i]) {
                jc_rec_signal si;
                while (jc_rec_signals_take(&si))
                    handle_signal(&si, child, alive, res);
            } else {
                read_stream(r, which[i], which[i] == &r->fifo_stream);
            }
        }
        if (alive) {
            int status;
            pid_t w = waitpid(child, &status, WNOHANG);
            if (w == child) {
                alive = 0;
                res->duration_s = jc_sampler_now(&r->s);
                set_exit(res, status);
                /* Read what is left in the pipes and the FIFO, but do not wait
                 * for grandchildren that keep a pipe open forever. */
                drain_until = res->duration_s + 0.5;
            }
        }
        now = jc_sampler_now(&r->s);
        if (now - r->last_flush >= FLUSH_EVERY_S)
            flush_rows(r, 1);
        if (r->markers_dirty && now - r->last_json >= FLUSH_EVERY_S)
            write_json(r);
    }
    /* the FIFO may still hold markers written just before the exit */
    if (r->fifo_rd >= 0)
        read_stream(r, &r->fifo_stream, 1);
}

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static void summarise(run *r, jc_rec_gpu *gpus, size_t ngpu, jc_record_result *res, double *gpu_energy)
{
    jc_sampler *s = &r->s;
    res->ngpu = ngpu;
    res->samples = s->rows;
    res->ticks = s->ticks;
    res->missed_deadlines = s->missed;
    res->jitter_p50_ms = jc_sampler_lateness(s, 50);
    res->jitter_p99_ms = jc_sampler_lateness(s, 99);
    res->sampler_cpu_s = s->cpu_s;
    res->nmarkers = r->nmarkers;
    int all_counters = ngpu > 0;
    for (size_t i = 0; i < ngpu; i++)
        all_counters &= gpus[i].supported[JC_Q_ENERGY] && gpus[i].errors[JC_Q_ENERGY].count == 0 && !gpus[i].lost;
    res->energy_from_counter = all_counters;
    res->energy_j = 0;
    for (size_t i = 0; i < ngpu; i++) {
        gpu_energy[i] = all_counters ? (double)(s->energy_mj_last[i] - gpus[i].energy0_mj) / 1000.0 : s->energy_j[i];
        res->energy_j += gpu_energy[i];
    }
    res->mean_power_w = res->duration_s > 0 ? res->energy_j / res->duration_s : NAN;

    size_t cap = 0, len = 0;
    char *text = NULL;
    for (size_t i = 0; i < ngpu; i++)
        for (int q = 0; q < JC_Q_COUNT; q++) {
            const jc_query_errors *e = &gpus[i].errors[q];
            if (!e->count)
                continue;
            res->nvml_errors += e->count;
            char line[320];
            int k = snprintf(line, sizeof line, "GPU %u: %s failed %zu time%s from t = %.1f s: %s%s\n", gpus[i].index,
                             jc_query_names[q], e->count, e->count == 1 ? "" : "s", e->first_t,
                             jc_nvml_strerror(r->s.nvml, e->last_rc),
                             gpus[i].lost && q == JC_Q_POWER ? " (GPU lost: no more samples from it)" : "");
            if (k > 0 && jc_grow((void **)&text, &cap, len + (size_t)k + 1, 1) == JC_OK) {
                memcpy(text + len, line, (size_t)k + 1);
                len += (size_t)k;
            }
        }
    res->problems = text;
}

int jc_record_session(jc_nvml *n, jc_rec_gpu *gpus, size_t ngpu, const jc_record_opts *o,
                      const char *extra_meta, jc_record_result *res)
{
    memset(res, 0, sizeof *res);
    run rr, *r = &rr;
    memset(r, 0, sizeof *r);
    r->o = o;
    r->trace_fd = r->fifo_rd = r->fifo_wr = -1;
    r->out[0].fd = r->out[1].fd = -1;
    double *gpu_energy = calloc(ngpu ? ngpu : 1, sizeof *gpu_energy);
    int rc = JC_OK, installed = 0;

    if (!o->argv || !o->argv[0]) {
        rc = jc_fail(JC_ERR_INVALID, "no command to run");
        goto done;
    }
    if (!(o->interval_s >= 0.001 && o->interval_s <= 3600)) {
        rc = jc_fail(JC_ERR_INVALID, "interval %g s: expected 1 ms to 1 h", o->interval_s);
        goto done;
    }
    if (o->mark_regex) {
        int err = regcomp(&r->re, o->mark_regex, REG_EXTENDED);
        if (err) {
            char msg[256];
            regerror(err, &r->re, msg, sizeof msg);
            rc = jc_fail(JC_ERR_INVALID, "--mark-regex '%s': %s", o->mark_regex, msg);
            goto done;
        }
        r->have_re = 1;
    }
    if ((rc = jc_record_mkdirs(o->out_dir)) != JC_OK)
        goto done;
    r->trace_path = join_path(o->out_dir, "trace.csv");
    r->json_path = join_path(o->out_dir, "run.json");
    if (!r->trace_path || !r->json_path || !gpu_energy) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (o->force ? O_TRUNC : O_EXCL);
    r->trace_fd = open(r->trace_path, flags, 0666);
    if (r->trace_fd < 0) {
        rc = errno == EEXIST ? jc_fail_at(JC_ERR_IO, r->trace_path, 0, 0,
                                          "a recording is already there; choose another -o or pass --force")
                             : jc_fail_at(JC_ERR_IO, r->trace_path, 0, 0, "cannot create: %s", strerror(errno));
        goto done;
    }
    const char *hdr = jc_sampler_header();
    write_all(r->trace_fd, hdr, strlen(hdr));
    if ((rc = open_fifo(r)) != JC_OK)
        goto done;

    jc_rec_gpus_probe(n, gpus, ngpu);
    for (size_t i = 0; i < ngpu; i++) {
        unsigned long long e;
        if (gpus[i].supported[JC_Q_ENERGY] && n->DeviceGetTotalEnergyConsumption(gpus[i].h, &e) == NVML_SUCCESS)
            gpus[i].energy0_mj = e;
        else
            gpus[i].supported[JC_Q_ENERGY] = 0;
    }
    if (n->SystemGetDriverVersion && n->SystemGetDriverVersion(r->driver, sizeof r->driver) != NVML_SUCCESS)
        r->driver[0] = 0;

    if ((rc = jc_rec_signals_install()) != JC_OK)
        goto done;
    installed = 1;

    struct timespec rt;
    clock_gettime(CLOCK_MONOTONIC, &r->s.t0);
    clock_gettime(CLOCK_REALTIME, &rt);
    r->s.nvml = n;
    r->s.gpus = gpus;
    r->s.ngpu = ngpu;
    r->s.interval_s = o->interval_s;
    r->ri = (jc_run_info){.opts = o, .extra_meta = extra_meta, .interval_s = o->interval_s,
                          .start_unix = (double)rt.tv_sec + (double)rt.tv_nsec * 1e-9, .driver_version = r->driver,
                          .gpus = gpus, .ngpu = ngpu};
    write_json(r);
    if ((rc = jc_sampler_start(&r->s)) != JC_OK)
        goto done;

    /* The command starts with the signal mask joulecast has (the sampler
     * thread blocks signals for itself only). */
    sigset_t child_mask;
    pthread_sigmask(SIG_SETMASK, NULL, &child_mask);
    pid_t child;
    int serr = 0;
    if ((rc = spawn(r, &child_mask, &child, &serr)) != JC_OK)
        goto done;
    if (serr) {
        res->spawn_failed = 1;
        res->exit_status = serr == ENOENT ? 127 : 126;
        jc_fail(JC_ERR_IO, "cannot run '%s': %s", o->argv[0], strerror(serr));
        res->duration_s = jc_sampler_now(&r->s);
    } else {
        event_loop(r, child, res);
    }
    jc_sampler_stop(&r->s);
    flush_rows(r, 1);
    summarise(r, gpus, ngpu, res, gpu_energy);
    r->ri.complete = 1;
    r->ri.res = res;
    r->ri.gpu_energy_j = gpu_energy;
    write_json(r);
    if (r->io_error)
        rc = jc_fail(JC_ERR_IO, "the recording in %s could not be written completely (see above)", o->out_dir);

done:
    jc_sampler_free(&r->s);
    if (installed) {
        /* a signal that came after the command ended: noted, not forwarded */
        jc_rec_signal si;
        while (jc_rec_signals_take(&si))
            if (si.signo != SIGCHLD)
                res->signal_received = si.signo;
        jc_rec_signals_uninstall();
    }
    for (int i = 0; i < 2; i++)
        if (r->out[i].fd >= 0)
            close(r->out[i].fd);
    close_fifo(r);
    if (r->trace_fd >= 0 && close(r->trace_fd) != 0 && rc == JC_OK)
        rc = jc_fail_at(JC_ERR_IO, r->trace_path, 0, 0, "cannot close: %s", strerror(errno));
    if (r->have_re)
        regfree(&r->re);
    for (size_t i = 0; i < r->nmarkers; i++)
        free(r->markers[i].label);
    free(r->markers);
    free(r->trace_path);
    free(r->json_path);
    free(gpu_energy);
    return rc;
}
