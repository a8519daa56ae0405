/* dispatch/sweep.c: the cost of every (start hour, deadline) pair, the
 * seed's Figures 5.6 and 5.7.
 *
 * The problems are independent, but CBC 2.10's Cbc_solve runs CbcMain1,
 * which parses its options through global state: two threads solving at once
 * garble each other's options (seen here: "String of -quit is illegal for
 * integer parameter logLevel", and 33 of 1440 problems not solved). So the
 * sweep runs in worker processes, not threads: each forked worker takes the
 * next problem from a counter in shared memory (dynamic order: solve times
 * vary a hundredfold) and writes its row, at the row's own index, into a
 * shared table. Every problem is solved the same way by whichever worker
 * takes it, so the table does not depend on the number of workers. */
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dispatch/dispatch_internal.h"

#define ERRLEN 240

typedef struct {
    atomic_size_t next, done;
} shared_ctl;

typedef struct {
    const jc_dispatch_site *site;
    const jc_dispatch_options *opt;
    const jc_dispatch_hull *hulls;
    size_t n, ns;
    jc_dispatch_sweep_row *rows;
    char (*errs)[ERRLEN];
    shared_ctl *ctl;
} sweep_job;

static void solve_one(const sweep_job *job, size_t i)
{
    jc_dispatch_sweep_row *row = &job->rows[i];
    jc_dispatch_problem p;
    jc_dispatch_plan plan = {0};
    int rc = jc_dispatch_problem_make(job->site, row->start_hour, row->hours, &p);
    if (!rc)
        rc = jc_dispatch_solve_with(&p, job->opt, &job->hulls[i / job->ns], &plan);
    if (rc) {
        row->status = plan.status != JC_DISPATCH_NOT_SOLVED && plan.status != JC_DISPATCH_OPTIMAL ? plan.status
                                                                                                   : JC_DISPATCH_FAILED;
        snprintf(job->errs[i], ERRLEN, "%s", jc_last_error());
        row->cost_eur = row->energy_kwh = row->grid_kwh = row->pv_kwh = NAN;
    } else {
        row->status = JC_DISPATCH_OPTIMAL;
        row->cost_eur = plan.cost_eur;
        row->energy_kwh = plan.gpu_wh / 1000.0;
        row->grid_kwh = plan.buy_wh / 1000.0;
        row->pv_kwh = plan.pv_used_wh / 1000.0;
    }
    row->solve_ms = plan.solve_s * 1000.0;
    row->nodes = plan.nodes;
    jc_dispatch_plan_free(&plan);
    jc_dispatch_problem_free(&p);
}

/* Take problems until none is left; the longest deadlines (the slowest)
 * go first so that no worker is left alone with a long one at the end. */
static void work(const sweep_job *job)
{
    for (;;) {
        size_t j = atomic_fetch_add(&job->ctl->next, 1);
        if (j >= job->n)
            return;
        solve_one(job, job->n - 1 - j);
        atomic_fetch_add(&job->ctl->done, 1);
    }
}

static void *shared_alloc(size_t bytes)
{
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Fork the workers and wait for them, reporting progress meanwhile. */
static int run_workers(const sweep_job *job, int workers, jc_dispatch_progress_fn progress, void *ctx)
{
    pid_t pid[64];
    int started = 0, rc = JC_OK;
    fflush(stdout);
    fflush(stderr);
    for (; started < workers; started++) {
        pid_t c = fork();
        if (c < 0) {
            rc = jc_fail(JC_ERR_INTERNAL, "cannot start a sweep worker: %s", strerror(errno));
            break;
        }
        if (c == 0) {
            work(job);
            _exit(0);
        }
        pid[started] = c;
    }
    int alive = started;
    while (alive > 0) {
        for (int w = 0; w < started; w++) {
            int st;
            if (pid[w] <= 0 || waitpid(pid[w], &st, WNOHANG) != pid[w])
                continue;
            pid[w] = 0;
            alive--;
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                rc = jc_fail(JC_ERR_INTERNAL, "a sweep worker died (%s %d)", WIFSIGNALED(st) ? "signal" : "status",
                             WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
        }
        if (progress)
            progress(ctx, atomic_load(&job->ctl->done), job->n);
        if (alive > 0) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return rc;
}

static long online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

int jc_dispatch_sweep(const jc_dispatch_site *site, long start_from, long start_to, int hours_from, int hours_to,
                      const jc_dispatch_options *opt, int workers, jc_dispatch_progress_fn progress, void *ctx,
                      jc_dispatch_sweep_row **rows_out, size_t *nrows_out)
{
    *rows_out = NULL;
    *nrows_out = 0;
    if (start_to < start_from || hours_to < hours_from || hours_from < 1 || start_from < 0)
        return jc_fail(JC_ERR_INVALID, "empty sweep: starts %ld..%ld, hours %d..%d", start_from, start_to, hours_from,
                       hours_to);
    size_t ns = (size_t)(start_to - start_from + 1), nh = (size_t)(hours_to - hours_from + 1), n = ns * nh;
    if (workers <= 0)
        workers = (int)online_cpus();
    if (workers > 64)
        workers = 64;
    if ((size_t)workers > n)
        workers = (int)n;
    sweep_job job = {site, opt, NULL, n, ns, NULL, NULL, NULL};
    job.rows = shared_alloc(n * sizeof *job.rows);
    job.errs = shared_alloc(n * sizeof *job.errs);
    job.ctl = shared_alloc(sizeof *job.ctl);
    jc_dispatch_hull *hulls = calloc(nh, sizeof *hulls);
    jc_dispatch_sweep_row *out = malloc(n * sizeof *out);
    int rc = !job.rows || !job.errs || !job.ctl || !hulls || !out
                 ? jc_fail(JC_ERR_NOMEM, "out of memory for %zu sweep rows", n)
                 : JC_OK;
    if (!rc) {
        atomic_init(&job.ctl->next, 0);
        atomic_init(&job.ctl->done, 0);
        for (size_t i = 0; i < n; i++) {
            job.rows[i].hours = hours_from + (int)(i / ns);
            job.rows[i].start_hour = start_from + (long)(i % ns);
            job.errs[i][0] = '\0';
        }
        /* the hull depends on the levels and the deadline only: once per deadline */
        for (size_t h = 0; h < nh; h++)
            jc_dispatch_hull_make(site->levels, hours_from + (int)h, &hulls[h]);
        job.hulls = hulls;
        if (workers == 1) {
            for (size_t j = 0; j < n; j++) {
                solve_one(&job, n - 1 - j);
                if (progress)
                    progress(ctx, j + 1, n);
            }
        } else {
            rc = run_workers(&job, workers, progress, ctx);
        }
    }
    if (out && job.rows && job.errs && job.hulls) {
        /* a worker's death is already the error; the rows still tell what was done */
        memcpy(out, job.rows, n * sizeof *out);
        size_t bad = 0, first = 0;
        for (size_t i = 0; i < n; i++)
            if (out[i].status != JC_DISPATCH_OPTIMAL && bad++ == 0)
                first = i;
        if (bad && !rc)
            rc = jc_fail(out[first].status == JC_DISPATCH_INFEASIBLE ? JC_ERR_INVALID : JC_ERR_INTERNAL,
                         "%zu of %zu problems not solved to optimality; the first: %s", bad, n,
                         out[first].status == JC_DISPATCH_NOT_SOLVED ? "a problem no worker finished"
                                                                     : job.errs[first]);
        *rows_out = out;
        *nrows_out = n;
        out = NULL;
    }
    for (size_t h = 0; hulls && h < nh; h++)
        jc_dispatch_hull_free(&hulls[h]);
    free(hulls);
    free(out);
    if (job.rows)
        munmap(job.rows, n * sizeof *job.rows);
    if (job.errs)
        munmap(job.errs, n * sizeof *job.errs);
    if (job.ctl)
        munmap(job.ctl, sizeof *job.ctl);
    return rc;
}
