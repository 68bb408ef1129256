/*
 * host.c -- the Runtime API and the Invoke API around one runtime process.
 *
 * Two libmicrohttpd daemons, a thread per connection each, so a handler may
 * block on the one condition variable: callers on the Invoke API port (the
 * one printed) and the runtime on a port of its own (AWS_LAMBDA_RUNTIME_API),
 * so callers can never use up the runtime's connections.  Invocations take a
 * ticket and run in ticket order, one at a time; the runtime's `next`
 * long-polls for the invocation in hand.
 *
 *   caller:  ticket -> its turn -> runtime up? (else wait for the old one to be
 *            reaped, start a fresh one) -> QUEUED -> ... DONE -> reply -> next turn
 *   runtime: next -> RUNNING -> response | error -> DONE
 *   watcher: runtime exits -> DONE (Runtime.ExitError) at once -> kill its
 *            session and the strays it left -> the next turn may start a new one
 *
 * The runtime is tracked by its pid (a pidfd), never by EOF on its output: a
 * child that keeps the pipe open cannot hide the exit.  It runs in its own
 * session, and the host is a child subreaper, so a child that escapes the
 * session (setsid) comes back to the host when the runtime dies and is killed
 * then.  Output is read line by line with a cap on the line length.  Every
 * connection has a deadline to send its request whole (slowloris), bodies
 * are refused on their Content-Length before they are read, and ambiguous
 * framing (two Content-Lengths, one with Transfer-Encoding, unknown codings)
 * is refused (RFC 9112 §6).  The host does not queue without bound: the
 * caller connection limit bounds the queue.  The log is written by a thread
 * of its own from a bounded queue, never under a lock: an unread log costs
 * lines (counted), never a stuck handler or a stop that does not return
 * (linelog.c).  Starting the runtime and sweeping its strays is spawn.c's;
 * what the Invoke API answers is the front's (invoke_api.c): this file is
 * its back end for a real runtime.
 */
#include "lambda/host.h"

#include "base/buf.h"
#include "base/clock.h"
#include "base/errors.h"
#include "base/json.h"
#include "base/rng.h"
#include "delivery/contract.h"
#include "lambda/framing.h"
#include "lambda/invoke_api.h"
#include "lambda/linelog.h"
#include "lambda/spawn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CALLER_CONNECTIONS 128u  /* queued invocations hold their events: 128 x 6 MB at most */
#define RUNTIME_CONNECTIONS 16u  /* a runtime needs one or two */
#define REQUEST_MS 10000         /* to send a request whole, or to read a response */
#define LINE_MAX_BYTES KDO_LINELOG_LINE_MAX
#define INIT_ERROR_MAX (64 * 1024)
#define INIT_MS 10000            /* Lambda's limit on a runtime's init phase */
#define ASYNC_MAX 64             /* Event invocations queued (each at most 1 MB: the front's limit) */
#define DRAIN_MAX ((uint64_t)16 << 20) /* a refused body up to this is read before the 413 */
#define TAIL_GRACE_MS 20         /* for output written just before the result to reach the tail */

enum slot { IDLE, QUEUED, RUNNING, DONE };
enum phase { READING, HANDLING, SENDING };

/* One daemon: the callers' Invoke API or the runtime's Runtime API. */
struct api {
    struct kdo_host *h;
    int runtime;
    struct MHD_Daemon *daemon;
    uint16_t port;
    int64_t limit_ms;   /* to send a request whole (from connecting or the last response) */
    size_t body_max;
};

/* A connection, for its deadline.  fd is a dup of the socket: shutting it down
 * can never hit a descriptor reused after libmicrohttpd closed its own. */
struct conn {
    struct conn *prev, *next;
    struct api *api;
    int fd;
    enum phase phase;
    int64_t since_ms;
    int cut;
};

/* An Event invocation accepted (202) and not yet run. */
struct async {
    struct async *next;
    size_t len;
    char payload[];
};

struct kdo_host {
    struct kdo_host_config cfg;
    struct kdo_invoke_service service; /* the Invoke API front's view of the one function */
    const char *names[1];
    struct kdo_linelog log;
    struct api callers, runtime_api;
    pthread_mutex_t mu;
    pthread_cond_t cv;  /* CLOCK_MONOTONIC */
    int stopping;
    struct kdo_rng rng;
    /* Invocations, in ticket order; the one in hand. */
    uint64_t tickets, serving;
    enum slot state;
    char request_id[37];
    struct kdo_buf event, result;
    int result_error;     /* the result is an error body (X-Amz-Function-Error) */
    int64_t deadline_ms;  /* epoch ms, for the runtime */
    int64_t until_ms;     /* monotonic ms: init allowance, then the Timeout from `next` */
    int64_t started_ms, done_ms; /* monotonic ms of its `next` and its result: REPORT's Duration */
    char tail[KDO_INVOKE_LOG_TAIL]; /* its output lines, the last 4 KB, for LogType Tail */
    size_t tail_len;
    int out_peek;         /* a dup of the runtime's output pipe: are lines still unread? */
    /* Event invocations, run after their 202 by a thread of their own. */
    struct async *async_head, *async_tail;
    size_t nasync;
    pthread_t async_thread;
    int async_started;
    /* The runtime. */
    pid_t pid;
    unsigned gen;         /* counts runtimes started: a stale `next` gives up */
    int up;               /* started and not yet reaped */
    int killed;           /* we killed it (timeout, stop) */
    pthread_t watcher;
    int watching, watch_done;
    struct kdo_buf init_error; /* what it posted to /runtime/init/error */
    /* Connections and their deadlines. */
    pthread_mutex_t conn_mu;
    pthread_cond_t conn_cv;
    struct conn conns;    /* list head */
    pthread_t reaper;
    int reaper_started, reaper_stop;
};

struct request {
    struct kdo_buf body;
    int too_big;
    int answered; /* a response was queued on the first call */
    struct kdo_invoke_request irq; /* what the Invoke API front read */
    struct kdo_invoke_answer a;
};

static int64_t mono_ms(void)
{
    return kdo_clock_now_ms();
}

/* One line of the host's own to the log; never waits on the log's reader. */
static void say(struct kdo_host *h, const char *what, const char *detail)
{
    char text[800];
    int n = snprintf(text, sizeof text, "%s%.300s", what, detail);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
    kdo_linelog_put(&h->log, "[host] ", text, len, "", 0);
}

/* Waits on the host's condition until monotonic `until_ms`; 0 once it passed. */
static int wait_until(struct kdo_host *h, int64_t until_ms)
{
    struct timespec ts = kdo_clock_timespec(until_ms * KDO_MS);
    return pthread_cond_timedwait(&h->cv, &h->mu, &ts) != ETIMEDOUT;
}

/* ---- the runtime's output: lines, each cut at LINE_MAX_BYTES ------------------------------ */

/* A line of the invocation at work, for LogType Tail: the last 4 KB are kept. */
static void tail_line(struct kdo_host *h, const char *p, size_t n)
{
    pthread_mutex_lock(&h->mu);
    if (h->state == RUNNING || h->state == DONE) {
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

static void set_result(struct kdo_host *h, int error, const char *body, size_t len)
{
    kdo_buf_reset(&h->result);
    kdo_buf_append(&h->result, body, len);
    h->result_error = error;
    h->state = DONE;
    h->done_ms = mono_ms();
    pthread_cond_broadcast(&h->cv);
}

static void sweep_strays(struct kdo_host *h, pid_t keep)
{
    if (kdo_spawn_sweep(keep) > 0)
        say(h, "killed processes the runtime left behind (outside its session)", "");
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
    return waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == w->pid;
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
    if (!h->killed && (h->state == QUEUED || h->state == RUNNING)) {
        if (h->init_error.len) {
            set_result(h, 1, h->init_error.data, h->init_error.len);
        } else {
            int len = snprintf(body, sizeof body, "{\"errorType\":\"Runtime.ExitError\","
                               "\"errorMessage\":\"RequestId: %s Error: Runtime exited with "
                               "error: %s %d\"}", h->request_id, how, code);
            set_result(h, 1, body, (size_t)len);
        }
    }
    int killed = h->killed;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    snprintf(why, sizeof why, "%s %d", how, code);
    if (!killed)
        say(h, "the runtime exited: ", why);
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
    sweep_strays(h, -1);
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
static int start_runtime(struct kdo_host *h)
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
static int ensure_runtime(struct kdo_host *h)
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
    return start_runtime(h);
}

/* Called with the lock held, so the runtime is not reaped meanwhile (the
 * watcher marks it down under the lock first): its pid and group are its
 * own.  The pid too: the child may not have called setsid yet. */
static void kill_runtime(struct kdo_host *h)
{
    if (h->up) {
        h->killed = 1;
        kill(-h->pid, SIGKILL);
        kill(h->pid, SIGKILL);
    }
}

/* ---- connection deadlines ----------------------------------------------------------------- */

static void conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                        enum MHD_ConnectionNotificationCode code)
{
    struct api *api = cls;
    struct kdo_host *h = api->h;
    struct conn *cn = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        cn = kdo_xcalloc(1, sizeof *cn);
        *cn = (struct conn){.api = api, .phase = READING, .since_ms = mono_ms()};
        cn->fd = ci ? fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0) : -1;
        pthread_mutex_lock(&h->conn_mu);
        cn->next = h->conns.next;
        cn->prev = &h->conns;
        h->conns.next->prev = cn;
        h->conns.next = cn;
        pthread_mutex_unlock(&h->conn_mu);
        *socket_context = cn;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && cn) {
        pthread_mutex_lock(&h->conn_mu);
        cn->prev->next = cn->next;
        cn->next->prev = cn->prev;
        pthread_mutex_unlock(&h->conn_mu);
        if (cn->fd >= 0)
            close(cn->fd);
        free(cn);
        *socket_context = NULL;
    }
}

static void conn_phase(struct MHD_Connection *c, struct kdo_host *h, enum phase phase)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *cn = ci ? ci->socket_context : NULL;
    if (cn == NULL)
        return;
    pthread_mutex_lock(&h->conn_mu);
    cn->phase = phase;
    cn->since_ms = mono_ms();
    pthread_mutex_unlock(&h->conn_mu);
}

/* Shuts down connections past their deadline (their thread then sees EOF and
 * closes them); a handler at work (an invocation, a `next`) has none. */
static void *reaper_main(void *arg)
{
    struct kdo_host *h = arg;
    pthread_mutex_lock(&h->conn_mu);
    while (!h->reaper_stop) {
        int64_t now = mono_ms();
        int cut = 0;
        for (struct conn *cn = h->conns.next; cn != &h->conns; cn = cn->next) {
            if (cn->phase == HANDLING || cn->cut || now - cn->since_ms < cn->api->limit_ms)
                continue;
            cn->cut = 1;
            if (cn->fd >= 0)
                shutdown(cn->fd, SHUT_RDWR);
            cut++;
        }
        if (cut > 0) { /* the list is not walked again before the wait: unlocking is safe */
            char n[32];
            snprintf(n, sizeof n, "%d", cut);
            pthread_mutex_unlock(&h->conn_mu);
            say(h, "closed connections that were too slow to send a request (or read a "
                   "response): ", n);
            pthread_mutex_lock(&h->conn_mu);
            continue; /* reaper_stop may have been signalled meanwhile */
        }
        struct timespec ts = kdo_clock_timespec((now + 250) * KDO_MS);
        pthread_cond_timedwait(&h->conn_cv, &h->conn_mu, &ts);
    }
    pthread_mutex_unlock(&h->conn_mu);
    return NULL;
}

/* ---- HTTP ----------------------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body,
                             size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
                                                             MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static void add_header(void *cls, const char *name, const char *value)
{
    MHD_add_response_header(cls, name, value);
}

/* The Invoke API front's answer; it lives in the request until the reply is sent. */
static enum MHD_Result send_answer(struct kdo_host *h, struct MHD_Connection *c,
                                   struct kdo_invoke_answer *a)
{
    if (a->request_id[0] == '\0') {
        pthread_mutex_lock(&h->mu);
        kdo_rng_uuid4(&h->rng, a->request_id);
        pthread_mutex_unlock(&h->mu);
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(
        a->reply_len, (void *)(uintptr_t)(a->reply ? a->reply : ""), MHD_RESPMEM_PERSISTENT);
    kdo_invoke_each_header(a, add_header, r);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)a->status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result service_error(struct kdo_host *h, struct MHD_Connection *c,
                                     struct request *rq, unsigned status, const char *type,
                                     const char *msg)
{
    kdo_invoke_error(&rq->a, (int)status, type, msg);
    return send_answer(h, c, &rq->a);
}

/* The runtime's peak memory, for REPORT's Max Memory Used; 0 if unknown. */
static unsigned max_used_mb(pid_t pid)
{
    char path[64], line[256];
    unsigned long kb = 0;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lu kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return (unsigned)((kb + 1023) / 1024);
}

/* Output the runtime wrote just before its result may still be in the pipe
 * or on its way to the tail: give it TAIL_GRACE_MS.  Called with the lock. */
static void tail_settle(struct kdo_host *h)
{
    int64_t until = mono_ms() + TAIL_GRACE_MS;
    int pending = 0;
    while (h->out_peek >= 0 && ioctl(h->out_peek, FIONREAD, &pending) == 0 && pending > 0 &&
           wait_until(h, until))
        ;
    wait_until(h, mono_ms() + 2); /* a line read but not yet added */
}

/* The invocation whose turn it is: hand `payload` to the runtime, wait for its
 * result or its Timeout, and answer into `a` (with the log tail if the request
 * asked for it).  Called with the lock held; `timed_out` gets the request id
 * of an invocation past its Timeout, for the caller to say once unlocked.
 * Returns -1 only when the host is stopping. */
static int run_invocation(struct kdo_host *h, const struct kdo_invoke_request *irq,
                          const char *payload, size_t len, struct kdo_invoke_answer *a,
                          char timed_out[37])
{
    char body[600];
    if (ensure_runtime(h) != 0) {
        if (h->stopping)
            return -1;
        kdo_invoke_error(a, 500, "ServiceException", "kdaout host: cannot start the runtime");
        return 0;
    }
    kdo_rng_uuid4(&h->rng, h->request_id);
    memcpy(a->request_id, h->request_id, sizeof a->request_id);
    kdo_buf_reset(&h->event);
    kdo_buf_append(&h->event, payload, len);
    h->tail_len = 0;
    /* The Timeout runs from the runtime's `next` (see there); a fresh runtime
     * gets INIT_MS to start first, as Lambda's init phase is not the handler's. */
    h->until_ms = mono_ms() + INIT_MS + (int64_t)h->cfg.timeout_s * 1000;
    h->started_ms = 0;
    h->state = QUEUED;
    pthread_cond_broadcast(&h->cv);
    while (h->state != DONE && !h->stopping && wait_until(h, h->until_ms))
        ;
    int rc = 0;
    if (h->state == DONE) {
        if (irq->tail)
            tail_settle(h);
        kdo_invoke_result(irq, h->result.data ? h->result.data : "", h->result.len,
                          h->result_error, a);
    } else if (h->stopping) {
        rc = -1;
    } else { /* past the Timeout: as Lambda does, stop the runtime; a fresh one comes next */
        int n = snprintf(body, sizeof body, "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":"
                         "\"RequestId: %s Error: Task timed out after %u.00 seconds\"}",
                         h->request_id, h->cfg.timeout_s);
        h->done_ms = mono_ms();
        kill_runtime(h);
        memcpy(timed_out, h->request_id, 37);
        kdo_invoke_result(irq, body, (size_t)n, 1, a);
    }
    if (rc == 0 && irq->tail) {
        int64_t from = h->started_ms ? h->started_ms : h->done_ms;
        kdo_invoke_log_result(h->tail, h->tail_len, (double)(h->done_ms - from),
                              h->cfg.memory_mb, h->up ? max_used_mb(h->pid) : 0, a);
    }
    h->state = IDLE;
    return rc;
}

/* Waits for the ticket's turn, runs, lets the next one go.  Called with the lock. */
static int take_turn(struct kdo_host *h, const struct kdo_invoke_request *irq,
                     const char *payload, size_t len, struct kdo_invoke_answer *a,
                     char timed_out[37])
{
    uint64_t ticket = h->tickets++;
    while (h->serving != ticket && !h->stopping)
        pthread_cond_wait(&h->cv, &h->mu);
    int rc = h->stopping ? -1 : run_invocation(h, irq, payload, len, a, timed_out);
    h->serving++;
    pthread_cond_broadcast(&h->cv);
    return rc;
}

/* Event invocations run here, one after another, in turn with the callers'. */
static void *async_main(void *arg)
{
    struct kdo_host *h = arg;
    struct kdo_invoke_request irq = {.route = KDO_ROUTE_INVOKE, .type = KDO_INVOKE_EVENT};
    struct kdo_invoke_answer a;
    kdo_invoke_answer_init(&a, KDO_MAX_REPLY_BYTES + 1);
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (h->async_head == NULL && !h->stopping)
            pthread_cond_wait(&h->cv, &h->mu);
        if (h->stopping)
            break;
        struct async *e = h->async_head;
        h->async_head = e->next;
        if (h->async_head == NULL)
            h->async_tail = NULL;
        h->nasync--;
        char timed_out[37] = "", id[37];
        kdo_invoke_answer_reset(&a);
        int rc = take_turn(h, &irq, e->payload, e->len, &a, timed_out);
        memcpy(id, a.request_id, sizeof id);
        pthread_mutex_unlock(&h->mu);
        free(e);
        if (rc == 0 && timed_out[0])
            say(h, "the Timeout passed, the runtime is stopped; Event invocation ", timed_out);
        else if (rc == 0 && a.function_error)
            say(h, "Event invocation ended in a function error (not retried here): ", id);
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    kdo_invoke_answer_cleanup(&a);
    return NULL;
}

/* An Event invocation: queued, 202 at once; the function runs afterwards. */
static enum MHD_Result accept_event(struct kdo_host *h, struct MHD_Connection *c,
                                    struct request *rq)
{
    struct kdo_invoke_request *irq = &rq->irq;
    pthread_mutex_lock(&h->mu);
    int full = h->nasync >= ASYNC_MAX || !h->async_started;
    if (!full) {
        struct async *e = kdo_xmalloc(sizeof *e + irq->payload_len);
        e->next = NULL;
        e->len = irq->payload_len;
        memcpy(e->payload, irq->payload, irq->payload_len);
        *(h->async_tail ? &h->async_tail->next : &h->async_head) = e;
        h->async_tail = e;
        h->nasync++;
        kdo_rng_uuid4(&h->rng, rq->a.request_id);
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    if (full)
        kdo_invoke_throttled(&rq->a, "ConcurrentInvocationLimitExceeded");
    else
        kdo_invoke_accepted(irq, &rq->a);
    return send_answer(h, c, &rq->a);
}

/* Is the body one JSON document?  NULL if so, else why not (in why). */
static const char *json_refusal(const char *data, size_t len, char *why, size_t n)
{
    /* [choice] Jackson's default nesting limit (StreamReadConstraints, 1000) */
    struct kdo_json *j = kdo_json_new(1000, KDO_MAX_EVENT_BYTES);
    const char *bad = NULL;
    if (j && kdo_json_check(j, data, len) != 0) {
        const struct kdo_json_error *e = kdo_json_error(j);
        snprintf(why, n, "%s at byte %zu", e->msg, e->offset);
        bad = why;
    }
    kdo_json_free(j);
    return bad;
}

/* Invoke: the front's body rules, then Event (queued) or a ticket and its turn. */
static enum MHD_Result invoke(struct kdo_host *h, struct MHD_Connection *c, struct request *rq)
{
    char why[200], timed_out[37] = "";
    const char *data = rq->body.data ? rq->body.data : "";
    size_t len = rq->body.len;
    const char *bad = rq->too_big || len == 0 ? NULL : json_refusal(data, len, why, sizeof why);
    if (kdo_invoke_body(&rq->irq, data, len, rq->too_big, bad, &rq->a))
        return send_answer(h, c, &rq->a);
    if (rq->irq.type == KDO_INVOKE_EVENT)
        return accept_event(h, c, rq);
    pthread_mutex_lock(&h->mu);
    int rc = take_turn(h, &rq->irq, rq->irq.payload, rq->irq.payload_len, &rq->a, timed_out);
    pthread_mutex_unlock(&h->mu);
    if (timed_out[0])
        say(h, "the Timeout passed, the runtime is stopped; invocation ", timed_out);
    return rc != 0 ? MHD_NO : send_answer(h, c, &rq->a);
}

/* Runtime API: next (long poll).  A `next` left over from a runtime that is
 * gone gives up when the next one starts, so it cannot take its work. */
static enum MHD_Result next(struct kdo_host *h, struct MHD_Connection *c)
{
    char deadline[32], arn[300];
    pthread_mutex_lock(&h->mu);
    unsigned gen = h->gen;
    while (h->state != QUEUED && !h->stopping && h->gen == gen)
        pthread_cond_wait(&h->cv, &h->mu);
    if (h->stopping || h->gen != gen) {
        pthread_mutex_unlock(&h->mu);
        return MHD_NO;
    }
    h->state = RUNNING;
    h->started_ms = mono_ms();
    h->deadline_ms = kdo_clock_epoch_ms() + (int64_t)h->cfg.timeout_s * 1000;
    h->until_ms = mono_ms() + (int64_t)h->cfg.timeout_s * 1000;
    pthread_cond_broadcast(&h->cv); /* the invoker now waits for the Timeout */
    snprintf(deadline, sizeof deadline, "%lld", (long long)h->deadline_ms);
    kdo_invoke_arn(&h->service, h->cfg.function, "", arn, sizeof arn);
    struct MHD_Response *r = MHD_create_response_from_buffer(
        h->event.len, h->event.data ? h->event.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    /* aws-lambda-ric crashes without Content-Type (NOTES.md) */
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Lambda-Runtime-Aws-Request-Id", h->request_id);
    MHD_add_response_header(r, "Lambda-Runtime-Deadline-Ms", deadline);
    MHD_add_response_header(r, "Lambda-Runtime-Invoked-Function-Arn", arn);
    MHD_add_response_header(r, "Lambda-Runtime-Trace-Id",
                            "Root=1-00000000-000000000000000000000000;Parent=0;Sampled=0");
    pthread_mutex_unlock(&h->mu);
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

/* Is `id` the invocation the runtime holds?  Called with the lock held. */
static int running(struct kdo_host *h, const char *id, size_t id_len)
{
    return h->state == RUNNING && id_len == 36 && memcmp(id, h->request_id, 36) == 0;
}

/* The request id in .../invocation/ID/response or .../error, or NULL. */
static const char *result_id(const char *url, size_t *len, int *error)
{
    static const char pre[] = "/2018-06-01/runtime/invocation/";
    if (strncmp(url, pre, sizeof pre - 1) != 0)
        return NULL;
    const char *id = url + sizeof pre - 1, *slash = strchr(id, '/');
    if (slash == NULL || (strcmp(slash, "/response") != 0 && strcmp(slash, "/error") != 0))
        return NULL;
    *len = (size_t)(slash - id);
    *error = strcmp(slash, "/error") == 0;
    return id;
}

/* A runtime's result over the limit: the caller gets its function error at
 * once, as Lambda answers (the runtime gets 413). */
static void result_too_large(struct kdo_host *h, const char *url)
{
    static const char body[] = "{\"errorMessage\":\"Response payload size exceeded maximum "
                               "allowed payload size (6291556 bytes).\",\"errorType\":"
                               "\"Function.ResponseSizeTooLarge\"}";
    size_t len;
    int error;
    const char *id = result_id(url, &len, &error);
    pthread_mutex_lock(&h->mu);
    if (id && running(h, id, len))
        set_result(h, 1, body, sizeof body - 1);
    pthread_mutex_unlock(&h->mu);
}

static enum MHD_Result too_large(struct api *api, struct MHD_Connection *c, const char *url,
                                 struct request *rq)
{
    if (!api->runtime) {
        kdo_invoke_body(&rq->irq, "", 0, 1, NULL, &rq->a);
        return send_answer(api->h, c, &rq->a);
    }
    static const char body[] = "{\"errorMessage\":\"Exceeded maximum allowed payload size "
                               "(6291556 bytes).\",\"errorType\":\"RequestEntityTooLarge\"}";
    result_too_large(api->h, url);
    return reply(c, 413, body, sizeof body - 1);
}
/* Runtime API: a result or an error for invocation `id`. */
static enum MHD_Result result(struct kdo_host *h, struct MHD_Connection *c, const char *id,
                              size_t id_len, int error, struct request *rq)
{
    static const char unknown[] = "{\"errorMessage\":\"unknown or finished request id\","
                                  "\"errorType\":\"InvalidRequestID\"}";
    pthread_mutex_lock(&h->mu);
    int mine = running(h, id, id_len);
    if (mine)
        set_result(h, error, rq->body.data ? rq->body.data : "", rq->body.len);
    pthread_mutex_unlock(&h->mu);
    if (!mine)
        return reply(c, 400, unknown, sizeof unknown - 1);
    return reply(c, 202, "{\"status\":\"OK\"}", 15);
}

static enum MHD_Result init_error(struct kdo_host *h, struct MHD_Connection *c,
                                  struct request *rq)
{
    const char *body = rq->body.data ? rq->body.data : "";
    size_t len = rq->body.len < INIT_ERROR_MAX ? rq->body.len : INIT_ERROR_MAX;
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   "Lambda-Runtime-Function-Error-Type");
    char why[200];
    pthread_mutex_lock(&h->mu);
    kdo_buf_reset(&h->init_error);
    if (len == rq->body.len && json_refusal(body, len, why, sizeof why) == NULL &&
        body[strspn(body, " \t\r\n")] == '{' && strstr(body, "\"errorType\"") != NULL) {
        kdo_buf_append(&h->init_error, body, len);
    } else { /* the type only in the header (the Runtime API allows it), or a body not JSON */
        const char *t = type ? type : "Runtime.Unknown";
        kdo_buf_puts(&h->init_error, "{\"errorType\":");
        kdo_buf_json_string(&h->init_error, t, strlen(t));
        kdo_buf_puts(&h->init_error, ",\"errorMessage\":");
        kdo_buf_json_string(&h->init_error, body, len < 4096 ? len : 4096);
        kdo_buf_puts(&h->init_error, "}");
    }
    pthread_mutex_unlock(&h->mu);
    say(h, "the runtime reported an init error: ", rq->body.data ? rq->body.data : "");
    return reply(c, 202, "{\"status\":\"OK\"}", 15);
}

static enum MHD_Result route_runtime(struct kdo_host *h, struct MHD_Connection *c, const char *url,
                                     const char *method, struct request *rq)
{
    int post = strcmp(method, "POST") == 0, error;
    size_t len;
    const char *id;
    if (strcmp(method, "GET") == 0 && strcmp(url, "/2018-06-01/runtime/invocation/next") == 0)
        return next(h, c);
    if (post && strcmp(url, "/2018-06-01/runtime/init/error") == 0)
        return init_error(h, c, rq);
    if (post && (id = result_id(url, &len, &error)) != NULL)
        return result(h, c, id, len, error, rq);
    return reply(c, 404, "{\"errorType\":\"NotFound\"}", 24);
}

static enum MHD_Result configuration(struct kdo_host *h, struct MHD_Connection *c,
                                     struct request *rq)
{
    const struct kdo_invoke_function fn = {
        .timeout_s = h->cfg.timeout_s, .memory_mb = h->cfg.memory_mb, .runtime = "provided.al2023",
        .handler = h->cfg.handler ? h->cfg.handler : "", .role_name = "kdaout-hosted",
        .description = "hosted by kdaout host"};
    char rev[37];
    pthread_mutex_lock(&h->mu);
    kdo_rng_uuid4(&h->rng, rev);
    pthread_mutex_unlock(&h->mu);
    kdo_invoke_configuration(&h->service, &rq->irq, &fn, rev, &rq->a);
    return send_answer(h, c, &rq->a);
}
static enum MHD_Result route_invoke(struct kdo_host *h, struct MHD_Connection *c, const char *url,
                                    const char *method, struct request *rq)
{
    if (kdo_invoke_head(&h->service, method, url,
                        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "Qualifier"),
                        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Invocation-Type"),
                        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Log-Type"),
                        &rq->irq, &rq->a) != 0)
        return send_answer(h, c, &rq->a);
    if (rq->irq.route == KDO_ROUTE_CONFIGURATION)
        return configuration(h, c, rq);
    return invoke(h, c, rq);
}
static enum MHD_Result framing_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    kdo_framing_add(cls, key, value);
    return MHD_YES;
}

/* Refuses, on the headers alone: ambiguous framing and a declared body over the limit. */
static enum MHD_Result refuse_early(struct api *api, struct MHD_Connection *c, const char *url,
                                    struct request *rq)
{
    int *refused = &rq->answered;
    struct kdo_framing f = {0};
    const char *why;
    MHD_get_connection_values(c, MHD_HEADER_KIND, framing_header, &f);
    *refused = 1;
    switch (kdo_framing_judge(&f, &why)) {
    case KDO_FRAMING_AMBIGUOUS:
        return service_error(api->h, c, rq, 400, "InvalidRequestContentException", why);
    case KDO_FRAMING_UNSUPPORTED:
        return service_error(api->h, c, rq, 501, "NotImplementedException", why);
    case KDO_FRAMING_OK:
        break;
    }
    if (f.lengths && f.length > api->body_max) {
        /* A client still writing its body would see a close now as a reset
         * and lose the 413 (Node does): a refused body of at most DRAIN_MAX
         * is read and thrown away, and answered once in, unless the client
         * waits for `100 Continue` and so has not sent it. */
        const char *expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Expect");
        if ((expect && strcasecmp(expect, "100-continue") == 0) || f.length > DRAIN_MAX)
            return too_large(api, c, url, rq);
        rq->too_big = 1;
    }
    *refused = 0;
    return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    struct api *api = cls;
    struct request *rq = *con_cls;
    (void)version;
    if (rq == NULL) {
        rq = kdo_xcalloc(1, sizeof *rq);
        kdo_buf_init(&rq->body, api->body_max);
        kdo_invoke_answer_init(&rq->a, KDO_MAX_REPLY_BYTES + 1);
        *con_cls = rq;
        return refuse_early(api, c, url, rq);
    }
    if (*size > 0) { /* over the limit without a Content-Length: drop the rest */
        if (!rq->too_big && kdo_buf_append(&rq->body, data, *size) != 0) {
            rq->too_big = 1;
            if (api->runtime)
                result_too_large(api->h, url);
        }
        *size = 0;
        return MHD_YES;
    }
    if (rq->answered)
        return MHD_YES;
    if (rq->too_big)
        return too_large(api, c, url, rq);
    conn_phase(c, api->h, HANDLING);
    enum MHD_Result ok = api->runtime ? route_runtime(api->h, c, url, method, rq)
                                      : route_invoke(api->h, c, url, method, rq);
    conn_phase(c, api->h, SENDING);
    return ok;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode code)
{
    struct api *api = cls;
    struct request *rq = *con_cls;
    (void)code;
    if (rq) {
        kdo_buf_cleanup(&rq->body);
        kdo_invoke_answer_cleanup(&rq->a);
        free(rq);
        *con_cls = NULL;
    }
    conn_phase(c, api->h, READING); /* the next request on this connection, from now */
}

static int listen_api(struct kdo_host *h, struct api *api, uint16_t port, unsigned limit)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    api->h = h;
    /* No idle timeout of libmicrohttpd's own: it would close a connection whose
     * handler waited (a queued invocation, a long `next`) the moment it answers.
     * The reaper keeps every other phase within api->limit_ms. */
    api->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL, handle,
        api, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_NOTIFY_COMPLETED, completed, api, MHD_OPTION_NOTIFY_CONNECTION, conn_notify,
        api, MHD_OPTION_END);
    if (api->daemon == NULL)
        return KDO_EIO;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(api->daemon, MHD_DAEMON_INFO_BIND_PORT);
    api->port = info ? info->port : port;
    return 0;
}

static void init_host(struct kdo_host *h, const struct kdo_host_config *cfg)
{
    uint64_t seed = 0;
    h->cfg = *cfg;
    if (h->cfg.function == NULL)
        h->cfg.function = "kdaout-hosted";
    if (h->cfg.timeout_s == 0)
        h->cfg.timeout_s = 3;
    if (h->cfg.memory_mb == 0)
        h->cfg.memory_mb = 128;
    if (h->cfg.log == NULL)
        h->cfg.log = stderr;
    h->names[0] = h->cfg.function;
    h->service = (struct kdo_invoke_service){h->names, 1, "us-east-1", "123456789012"};
    h->out_peek = -1;
    if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        seed = (uint64_t)kdo_clock_epoch_ms();
    kdo_rng_init(&h->rng, seed);
    pthread_mutex_init(&h->mu, NULL);
    kdo_clock_cond_init(&h->cv);
    pthread_mutex_init(&h->conn_mu, NULL);
    kdo_clock_cond_init(&h->conn_cv);
    h->conns.next = h->conns.prev = &h->conns;
    kdo_buf_init(&h->event, KDO_MAX_EVENT_BYTES + 1);
    kdo_buf_init(&h->result, KDO_MAX_REPLY_BYTES + 1);
    kdo_buf_init(&h->init_error, INIT_ERROR_MAX);
    h->callers.limit_ms = REQUEST_MS;
    h->callers.body_max = KDO_MAX_EVENT_BYTES;
    h->runtime_api.runtime = 1;
    /* the runtime's connection idles while the handler runs, up to the Timeout */
    h->runtime_api.limit_ms = (int64_t)h->cfg.timeout_s * 1000 + REQUEST_MS;
    h->runtime_api.body_max = KDO_MAX_REPLY_BYTES;
}

int kdo_host_start(const struct kdo_host_config *cfg, struct kdo_host **out, char *err,
                   size_t err_size)
{
    struct kdo_host *h = kdo_xcalloc(1, sizeof *h);
    init_host(h, cfg);
    /* Orphans of the runtime's come to us, not to init, so they can be killed. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (kdo_linelog_start(&h->log, h->cfg.log) == 0 && pthread_create(&h->reaper, NULL, reaper_main, h) == 0)
        h->reaper_started = 1;
    if (h->reaper_started && pthread_create(&h->async_thread, NULL, async_main, h) == 0)
        h->async_started = 1;
    if (!h->async_started || listen_api(h, &h->callers, cfg->port, CALLER_CONNECTIONS) != 0 ||
        listen_api(h, &h->runtime_api, 0, RUNTIME_CONNECTIONS) != 0) {
        snprintf(err, err_size, "cannot listen on 127.0.0.1:%u", (unsigned)cfg->port);
        kdo_host_stop(h);
        return KDO_EIO;
    }
    pthread_mutex_lock(&h->mu);
    int rc = start_runtime(h); /* now, so init errors show before the first invocation */
    pthread_mutex_unlock(&h->mu);
    if (rc != 0) {
        snprintf(err, err_size, "cannot start %s", cfg->argv[0]);
        kdo_host_stop(h);
        return KDO_EIO;
    }
    *out = h;
    return 0;
}

uint16_t kdo_host_port(const struct kdo_host *h)
{
    return h->callers.port;
}

uint16_t kdo_host_runtime_port(const struct kdo_host *h)
{
    return h->runtime_api.port;
}

void kdo_host_stop(struct kdo_host *h)
{
    if (h == NULL)
        return;
    pthread_mutex_lock(&h->mu);
    h->stopping = 1;
    kill_runtime(h);
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (h->callers.daemon) /* joins every connection thread: none waits once stopping is set */
        MHD_stop_daemon(h->callers.daemon);
    if (h->runtime_api.daemon)
        MHD_stop_daemon(h->runtime_api.daemon);
    if (h->async_started) /* it returns once stopping is set */
        pthread_join(h->async_thread, NULL);
    while (h->async_head) {
        struct async *e = h->async_head;
        h->async_head = e->next;
        free(e);
    }
    if (h->watching) /* the runtime was killed: its watcher returns once it is reaped */
        pthread_join(h->watcher, NULL);
    if (h->out_peek >= 0)
        close(h->out_peek);
    sweep_strays(h, -1);
    if (h->reaper_started) {
        pthread_mutex_lock(&h->conn_mu);
        h->reaper_stop = 1;
        pthread_cond_signal(&h->conn_cv);
        pthread_mutex_unlock(&h->conn_mu);
        pthread_join(h->reaper, NULL);
    }
    kdo_linelog_stop(&h->log); /* last: every thread that logs is gone */
    kdo_buf_cleanup(&h->event);
    kdo_buf_cleanup(&h->result);
    kdo_buf_cleanup(&h->init_error);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->conn_mu);
    pthread_cond_destroy(&h->conn_cv);
    free(h);
}
