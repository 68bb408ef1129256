/*
 * host-runtime.c -- `kdaout host`'s runtime process: starting it, following
 * its output and its exit, killing it.
 *
 * The runtime is tracked by its pid (a pidfd), never by EOF on its output: a
 * child that keeps the pipe open cannot hide the exit.  It runs in its own
 * session, and the host is a child subreaper, so a child that escapes the
 * session (setsid) comes back to the host when the runtime dies and is killed
 * then.  Output is read line by line with a cap on the line length, to the
 * log and to the tail of the invocation at work.  One watcher thread per
 * runtime; the invocation slot it marks DONE is under the host's lock.
 * Starting a command and sweeping its strays is spawn.c's; no HTTP here.
 */
#include "lambda/host-int.h"

#include "base/clock.h"
#include "base/errors.h"
#include "lambda/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_BYTES KDO_LINELOG_LINE_MAX

/* ---- the runtime's output: lines, each cut at LINE_MAX_BYTES ------------------------------ */

/* A line of the invocation at work, for LogType Tail: the last 4 KB are kept. */
static void tail_line(struct kdo_host *h, const char *p, size_t n)
{
    pthread_mutex_lock(&h->mu);
    if (h->state == KDO__HOST_RUNNING || h->state == KDO__HOST_DONE) {
        size_t cap = sizeof h->tail, add = n + 1 < cap ? n + 1 : cap;
        if (h->tail_len + add > cap) { /* drop from the front */
            size_t drop = h->tail_len + add - cap;
            memmove(h->tail, h->tail + drop, h->tail_len - drop);
            h->tail_len -= drop;
        }
        size_t keep = add - 1; /* the line's last bytes, then its newline */
        memcpy(h->tail + h->tail_len, p + n - keep, keep);
        h->tail[h->tail_len + keep] = '\n';
        h->tail_len += add;
    }
    pthread_mutex_unlock(&h->mu);
}

struct lines {
    char *buf;
    size_t len;
    int cutting; /* the rest of an overlong line is being dropped */
};

/* Waits for room in the log's queue while the log is read (back-pressure on
 * the runtime, as a pipe gives); drops the line once it is not. */
static void tail_line(struct kdo_host *h, const char *p, size_t n);

static void emit_line(struct kdo_host *h, struct lines *l, int cut)
{
    tail_line(h, l->buf, l->len);
    kdo_linelog_put(&h->log, "[runtime] ", l->buf, l->len,
                    cut ? " [kdaout host: line cut, longer than 262144 bytes]" : "", 1);
    l->len = 0;
}

static void output_bytes(struct kdo_host *h, struct lines *l, const char *p, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        if (!l->cutting) {
            size_t room = LINE_MAX_BYTES - l->len, k = take < room ? take : room;
            memcpy(l->buf + l->len, p, k);
            l->len += k;
            if (take > k) {
                emit_line(h, l, 1);
                l->cutting = 1;
            }
        }
        if (nl && !l->cutting)
            emit_line(h, l, 0);
        if (nl)
            l->cutting = 0;
        p += take + (nl != NULL);
        n -= take + (nl != NULL);
    }
}

/* ---- the runtime process ---------------------------------------------------------------- */

void kdo__host_set_result(struct kdo_host *h, int error, const char *body, size_t len)
{
    kdo_buf_reset(&h->result);
    kdo_buf_append(&h->result, body, len);
    h->result_error = error;
    h->state = KDO__HOST_DONE;
    h->done_ms = kdo_clock_now_ms();
    pthread_cond_broadcast(&h->cv);
}

void kdo__host_sweep_strays(struct kdo_host *h, pid_t keep)
{
    if (kdo_spawn_sweep(keep) > 0)
        kdo__host_say(h, "killed processes the runtime left behind (outside its session)", "");
}

struct watch {
    struct kdo_host *h;
    pid_t pid;
    int pidfd; /* -1: the kernel has no pidfd_open; poll waitpid instead */
    int out;
};

/* Reads what the pipe holds now; -1 at EOF or error (the pipe is non-blocking). */
static int read_output(struct watch *w, struct lines *l)
{
    char chunk[65536];
    ssize_t n = read(w->out, chunk, sizeof chunk);
    if (n > 0) {
        output_bytes(w->h, l, chunk, (size_t)n);
        return 0;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
}

/* Has the runtime exited?  It is left a zombie, so its pid and process group
 * cannot be reused before it is reaped. */
static int exited(struct watch *w, const struct pollfd *p)
{
    if (w->pidfd >= 0)
        return (p->revents & POLLIN) != 0;
    siginfo_t si = {0};
    return waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           si.si_pid == w->pid;
}

/* Copies output until the runtime exits (it is left a zombie); kills its
 * session.  Returns how it ended, as a wait status. */
static int follow(struct watch *w, struct lines *l)
{
    siginfo_t si = {0};
    for (;;) {
        struct pollfd p[2] = {{w->out, POLLIN, 0}, {w->pidfd, POLLIN, 0}};
        int n = poll(p, 2, w->pidfd >= 0 ? -1 : 100);
        if (n < 0 && errno != EINTR)
            break;
        if (w->out >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
            read_output(w, l) != 0) {
            close(w->out); /* the runtime closed its output; it may still run */
            w->out = -1;
        }
        if (exited(w, &p[1]))
            break;
    }
    kill(-w->pid, SIGKILL); /* its session's process group: whatever it left running */
    while (waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
        ;
    if (si.si_code == CLD_EXITED)
        return (si.si_status & 0xff) << 8;
    return si.si_status & 0x7f; /* killed or dumped: WIFSIGNALED */
}

/* The runtime is gone: with work in hand that is the init error it posted or
 * an exit error.  It is marked down before it is reaped: until then its pid
 * and process group cannot be reused, so a kill_runtime before this is safe. */
static void runtime_gone(struct kdo_host *h, int status)
{
    char body[400], why[64];
    int code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
    const char *how = WIFSIGNALED(status) ? "signal" : "exit status";
    pthread_mutex_lock(&h->mu);
    h->up = 0;
    if (!h->killed && (h->state == KDO__HOST_QUEUED || h->state == KDO__HOST_RUNNING)) {
        if (h->init_error.len) {
            kdo__host_set_result(h, 1, h->init_error.data, h->init_error.len);
        } else {
            int len = snprintf(body, sizeof body, "{\"errorType\":\"Runtime.ExitError\","
                               "\"errorMessage\":\"RequestId: %s Error: Runtime exited with "
                               "error: %s %d\"}", h->request_id, how, code);
            kdo__host_set_result(h, 1, body, (size_t)len);
        }
    }
    int killed = h->killed;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    snprintf(why, sizeof why, "%s %d", how, code);
    if (!killed)
        kdo__host_say(h, "the runtime exited: ", why);
}

/* One thread per runtime: its output to the log, its exit noticed by pid at
 * once, its session and strays killed; then the next runtime may start. */
static void *watch_main(void *arg)
{
    struct watch *w = arg;
    struct kdo_host *h = w->h;
    struct lines l = {kdo_xcalloc(1, LINE_MAX_BYTES), 0, 0};
    int status = follow(w, &l);
    for (int i = 0; i < 16 && w->out >= 0 && read_output(w, &l) == 0; i++)
        ; /* what it wrote just before exiting; a stray writing on is not waited for */
    if (l.len)
        emit_line(h, &l, 0);
    free(l.buf);
    runtime_gone(h, status);
    while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    kdo__host_sweep_strays(h, -1);
    if (w->out >= 0)
        close(w->out);
    if (w->pidfd >= 0)
        close(w->pidfd);
    pthread_mutex_lock(&h->mu);
    h->watch_done = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    free(w);
    return NULL;
}

/* KEY=VALUE strings: the environment, with ours in place of any same key. */
static char **runtime_env(struct kdo_host *h)
{
    char vars[8][600];
    size_t nv = 0;
    snprintf(vars[nv++], 600, "AWS_LAMBDA_RUNTIME_API=127.0.0.1:%u", (unsigned)h->runtime_api.port);
    snprintf(vars[nv++], 600, "AWS_LAMBDA_FUNCTION_NAME=%s", h->cfg.function);
    snprintf(vars[nv++], 600, "AWS_LAMBDA_FUNCTION_VERSION=$LATEST");
    snprintf(vars[nv++], 600, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%u", h->cfg.memory_mb);
    snprintf(vars[nv++], 600, "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/%s", h->cfg.function);
    snprintf(vars[nv++], 600, "AWS_LAMBDA_LOG_STREAM_NAME=kdaout/[$LATEST]host");
    if (h->cfg.handler)
        snprintf(vars[nv++], 600, "_HANDLER=%s", h->cfg.handler);
    if (getenv("LAMBDA_TASK_ROOT") == NULL) {
        char cwd[500];
        snprintf(vars[nv++], 600, "LAMBDA_TASK_ROOT=%s", getcwd(cwd, sizeof cwd) ? cwd : ".");
    }
    char *list[8];
    for (size_t k = 0; k < nv; k++)
        list[k] = vars[k];
    return kdo_spawn_env(list, nv);
}

/* Starts the runtime and its watcher; called with the lock held. */
int kdo__host_start_runtime(struct kdo_host *h)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return KDO_EIO;
    fcntl(fds[0], F_SETFL, O_NONBLOCK); /* ours only: the runtime's stdout stays blocking */
    char **env = runtime_env(h);
    kdo_buf_reset(&h->init_error);
    /* Lambda starts a runtime in its task root; AWS's clients load code from there */
    pid_t pid = kdo_spawn(h->cfg.argv, env, fds[1], getenv("LAMBDA_TASK_ROOT"));
    kdo_spawn_env_free(env);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return KDO_EIO;
    }
    struct watch *w = kdo_xcalloc(1, sizeof *w);
    *w = (struct watch){h, pid, (int)syscall(SYS_pidfd_open, pid, 0), fds[0]};
    if (pthread_create(&h->watcher, NULL, watch_main, w) != 0) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(fds[0]);
        if (w->pidfd >= 0)
            close(w->pidfd);
        free(w);
        return KDO_EIO;
    }
    h->pid = pid;
    h->out_peek = fcntl(fds[0], F_DUPFD_CLOEXEC, 0);
    h->gen++;
    h->up = 1;
    h->killed = 0;
    h->watching = 1;
    h->watch_done = 0;
    return 0;
}

/* A runtime ready for the invocation in hand: a killed or exited one is
 * waited for (reaped, its strays killed) before a fresh one starts.  Called
 * with the lock held, by the one invocation whose turn it is. */
int kdo__host_ensure_runtime(struct kdo_host *h)
{
    if (h->up && !h->killed)
        return 0;
    while (h->watching && !h->watch_done && !h->stopping)
        pthread_cond_wait(&h->cv, &h->mu);
    if (h->stopping)
        return KDO_EIO;
    if (h->watching) /* it only returns now: nothing left that needs the lock */
        pthread_join(h->watcher, NULL);
    h->watching = 0;
    if (h->out_peek >= 0)
        close(h->out_peek);
    h->out_peek = -1;
    return kdo__host_start_runtime(h);
}

/* Called with the lock held, so the runtime is not reaped meanwhile (the
 * watcher marks it down under the lock first): its pid and group are its
 * own.  The pid too: the child may not have called setsid yet. */
void kdo__host_kill_runtime(struct kdo_host *h)
{
    if (h->up) {
        h->killed = 1;
        kill(-h->pid, SIGKILL);
        kill(h->pid, SIGKILL);
    }
}
