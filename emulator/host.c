/*
 * host.c -- the Runtime API and the Invoke API around one runtime process.
 *
 * libmicrohttpd runs a thread per connection, so every handler may block on
 * the one condition variable: an Invoke waits for the invocation slot and
 * then for its result; a runtime's `next` long-polls for work.  One thread
 * per runtime process reads its output (stdout and stderr, one pipe) until
 * EOF and then reaps it, which is how a runtime that dies mid-invocation is
 * noticed.  The runtime runs in its own process group, so a timeout kills
 * whatever it started too.
 */
#include "host.h"

#include "buf.h"
#include "contract.h"
#include "errors.h"
#include "rng.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum slot { FREE, QUEUED, RUNNING, DONE };

struct kdo_host {
    struct kdo_host_config cfg;
    struct MHD_Daemon *daemon;
    uint16_t port;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stopping;
    struct kdo_rng rng;
    /* The invocation slot: one at a time, as one Lambda instance. */
    enum slot state;
    char request_id[37];
    struct kdo_buf event, result;
    int result_error;     /* the result is an error body (X-Amz-Function-Error) */
    int64_t deadline_ms;  /* epoch ms */
    /* The runtime. */
    pid_t pid;
    int up;               /* started and not yet reaped */
    int killed;           /* we killed it (timeout, stop) */
    pthread_t thread;
    int thread_started;
    struct kdo_buf init_error; /* what it posted to /runtime/init/error */
};

struct request {
    struct kdo_buf body;
    int too_big;
};

static int64_t epoch_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One line of the host's own to the log. */
static void say(struct kdo_host *h, const char *what, const char *detail)
{
    fprintf(h->cfg.log, "[host] %s%.300s\n", what, detail);
    fflush(h->cfg.log);
}

/* ---- the runtime process ---------------------------------------------------------------- */

static void set_result(struct kdo_host *h, int error, const char *body, size_t len)
{
    kdo_buf_reset(&h->result);
    kdo_buf_append(&h->result, body, len);
    h->result_error = error;
    h->state = DONE;
    pthread_cond_broadcast(&h->cv);
}

struct runtime_io {
    struct kdo_host *h;
    int fd;
    pid_t pid;
};

/* Copies the runtime's output to the log, then reaps it. */
static void *runtime_main(void *arg)
{
    struct runtime_io *io = arg;
    struct kdo_host *h = io->h;
    FILE *in = fdopen(io->fd, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (in && (n = getline(&line, &cap, in)) > 0) {
        fprintf(h->cfg.log, "[runtime] %.*s%s", (int)n, line, line[n - 1] == '\n' ? "" : "\n");
        fflush(h->cfg.log);
    }
    free(line);
    if (in)
        fclose(in);
    int status = 0;
    while (waitpid(io->pid, &status, 0) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&h->mu);
    h->up = 0;
    if (!h->killed && (h->state == QUEUED || h->state == RUNNING)) {
        /* It died with work in hand: the init error it posted, or an exit error. */
        char body[400];
        int len;
        if (h->init_error.len) {
            set_result(h, 1, h->init_error.data, h->init_error.len);
        } else {
            len = snprintf(body, sizeof body, "{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":"
                           "\"RequestId: %s Error: Runtime exited with error: %s %d\"}",
                           h->request_id, WIFSIGNALED(status) ? "signal" : "exit status",
                           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            set_result(h, 1, body, (size_t)len);
        }
    }
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    free(io);
    return NULL;
}

/* KEY=VALUE strings: the environment, with ours in place of any same key. */
static char **runtime_env(struct kdo_host *h)
{
    char vars[8][600];
    size_t nv = 0, n = 0;
    snprintf(vars[nv++], 600, "AWS_LAMBDA_RUNTIME_API=127.0.0.1:%u", (unsigned)h->port);
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
    size_t count = 0;
    while (environ[count])
        count++;
    char **env = kdo_xcalloc(count + nv + 1, sizeof *env);
    for (size_t i = 0; i < count; i++) {
        int ours = 0;
        for (size_t k = 0; k < nv && !ours; k++) {
            size_t klen = (size_t)(strchr(vars[k], '=') - vars[k]);
            ours = strncmp(environ[i], vars[k], klen) == 0 && environ[i][klen] == '=';
        }
        if (!ours)
            env[n++] = kdo_xstrdup(environ[i]);
    }
    for (size_t k = 0; k < nv; k++)
        env[n++] = kdo_xstrdup(vars[k]);
    return env;
}

/* Starts the runtime; called with the lock held. */
static int start_runtime(struct kdo_host *h)
{
    if (h->thread_started) { /* the previous one is gone: its thread is done */
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->thread, NULL);
        pthread_mutex_lock(&h->mu);
        h->thread_started = 0;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return KDO_EIO;
    char **env = runtime_env(h);
    kdo_buf_reset(&h->init_error);
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t none; /* what the host blocked or ignored is not the runtime's business */
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        setpgid(0, 0);
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        execvpe(h->cfg.argv[0], h->cfg.argv, env);
        dprintf(STDERR_FILENO, "cannot run %s: %s\n", h->cfg.argv[0], strerror(errno));
        _exit(127);
    }
    for (char **e = env; *e; e++)
        free(*e);
    free(env);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return KDO_EIO;
    }
    struct runtime_io *io = kdo_xcalloc(1, sizeof *io);
    *io = (struct runtime_io){h, fds[0], pid};
    h->pid = pid;
    h->up = 1;
    h->killed = 0;
    if (pthread_create(&h->thread, NULL, runtime_main, io) != 0) {
        kill(-pid, SIGKILL);
        free(io);
        return KDO_EIO;
    }
    h->thread_started = 1;
    return 0;
}

/* ---- HTTP ----------------------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body,
                             size_t len, const char *request_id, int function_error,
                             const char *error_type)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
                                                             MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (request_id)
        MHD_add_response_header(r, "x-amzn-RequestId", request_id);
    if (function_error)
        MHD_add_response_header(r, "X-Amz-Function-Error", "Unhandled");
    if (error_type)
        MHD_add_response_header(r, "x-amzn-ErrorType", error_type);
    if (status == 200 && request_id)
        MHD_add_response_header(r, "X-Amz-Executed-Version", "$LATEST");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result service_error(struct MHD_Connection *c, unsigned status, const char *type,
                                     const char *msg)
{
    char body[400];
    int len = snprintf(body, sizeof body, "{\"Type\":\"User\",\"message\":\"%s\"}", msg);
    return reply(c, status, body, (size_t)len, NULL, 0, type);
}

/* Invoke: wait for the slot, queue, wait for the result or the Timeout. */
static enum MHD_Result invoke(struct kdo_host *h, struct MHD_Connection *c, struct request *rq)
{
    char id[37], body[600];
    pthread_mutex_lock(&h->mu);
    while (h->state != FREE && !h->stopping)
        pthread_cond_wait(&h->cv, &h->mu);
    if (h->stopping) {
        pthread_mutex_unlock(&h->mu);
        return MHD_NO;
    }
    if (!h->up && start_runtime(h) != 0) {
        pthread_mutex_unlock(&h->mu);
        return service_error(c, 502, "ServiceException", "cannot start the runtime");
    }
    kdo_rng_uuid4(&h->rng, h->request_id);
    memcpy(id, h->request_id, sizeof id);
    kdo_buf_reset(&h->event);
    kdo_buf_append(&h->event, rq->body.data ? rq->body.data : "", rq->body.len);
    h->deadline_ms = epoch_ms() + (int64_t)h->cfg.timeout_s * 1000;
    h->state = QUEUED;
    pthread_cond_broadcast(&h->cv);
    struct timespec until = {h->deadline_ms / 1000, h->deadline_ms % 1000 * 1000000};
    while (h->state != DONE && !h->stopping &&
           pthread_cond_timedwait(&h->cv, &h->mu, &until) != ETIMEDOUT)
        ;
    enum MHD_Result ok;
    if (h->state == DONE) {
        ok = reply(c, 200, h->result.data ? h->result.data : "", h->result.len, id,
                   h->result_error, NULL);
    } else { /* past the Timeout: as Lambda does, stop the runtime; a fresh one comes next */
        int len = snprintf(body, sizeof body, "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":"
                           "\"RequestId: %s Error: Task timed out after %u.00 seconds\"}", id,
                           h->cfg.timeout_s);
        if (h->up) {
            h->killed = 1;
            kill(-h->pid, SIGKILL);
        }
        say(h, "the Timeout passed, the runtime is stopped; invocation ", id);
        ok = h->stopping ? MHD_NO : reply(c, 200, body, (size_t)len, id, 1, NULL);
    }
    h->state = FREE;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return ok;
}

/* Runtime API: next (long poll). */
static enum MHD_Result next(struct kdo_host *h, struct MHD_Connection *c)
{
    char deadline[32], arn[300];
    pthread_mutex_lock(&h->mu);
    while (h->state != QUEUED && !h->stopping)
        pthread_cond_wait(&h->cv, &h->mu);
    if (h->stopping) {
        pthread_mutex_unlock(&h->mu);
        return MHD_NO;
    }
    h->state = RUNNING;
    snprintf(deadline, sizeof deadline, "%lld", (long long)h->deadline_ms);
    snprintf(arn, sizeof arn, "arn:aws:lambda:us-east-1:123456789012:function:%s", h->cfg.function);
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

/* Runtime API: a result or an error for invocation `id`. */
static enum MHD_Result result(struct kdo_host *h, struct MHD_Connection *c, const char *id,
                              size_t id_len, int error, struct request *rq)
{
    pthread_mutex_lock(&h->mu);
    int mine = h->state == RUNNING && id_len == 36 && memcmp(id, h->request_id, 36) == 0;
    if (mine)
        set_result(h, error, rq->body.data ? rq->body.data : "", rq->body.len);
    pthread_mutex_unlock(&h->mu);
    if (!mine)
        return reply(c, 400, "{\"errorMessage\":\"unknown or finished request id\","
                     "\"errorType\":\"InvalidRequestID\"}", 76, NULL, 0, NULL);
    return reply(c, 202, "{\"status\":\"OK\"}", 15, NULL, 0, NULL);
}

static enum MHD_Result route(struct kdo_host *h, struct MHD_Connection *c, const char *url,
                             const char *method, struct request *rq)
{
    static const char rt[] = "/2018-06-01/runtime/", fn[] = "/2015-03-31/functions/";
    int post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0;
    if (rq->too_big)
        return service_error(c, 413, "RequestEntityTooLargeException",
                             "Request must be smaller than 6291456 bytes");
    if (strncmp(url, rt, sizeof rt - 1) == 0) {
        const char *p = url + sizeof rt - 1;
        if (get && strcmp(p, "invocation/next") == 0)
            return next(h, c);
        if (post && strcmp(p, "init/error") == 0) {
            pthread_mutex_lock(&h->mu);
            kdo_buf_reset(&h->init_error);
            kdo_buf_append(&h->init_error, rq->body.data ? rq->body.data : "", rq->body.len);
            pthread_mutex_unlock(&h->mu);
            say(h, "the runtime reported an init error: ", rq->body.data ? rq->body.data : "");
            return reply(c, 202, "{\"status\":\"OK\"}", 15, NULL, 0, NULL);
        }
        const char *slash;
        if (post && strncmp(p, "invocation/", 11) == 0 && (slash = strchr(p + 11, '/'))) {
            if (strcmp(slash, "/response") == 0)
                return result(h, c, p + 11, (size_t)(slash - p - 11), 0, rq);
            if (strcmp(slash, "/error") == 0)
                return result(h, c, p + 11, (size_t)(slash - p - 11), 1, rq);
        }
        return reply(c, 404, "{\"errorType\":\"NotFound\"}", 24, NULL, 0, NULL);
    }
    if (strncmp(url, fn, sizeof fn - 1) == 0) {
        const char *name = url + sizeof fn - 1, *end = strchr(name, '/');
        size_t len = end ? (size_t)(end - name) : strlen(name), want = strlen(h->cfg.function);
        /* a name, name:qualifier, or an ARN ending in :function:name[:qualifier] */
        const char *colon = memchr(name, ':', len);
        const char *fnpart = strstr(name, ":function:");
        if (fnpart && fnpart < name + len) {
            name = fnpart + 10;
            colon = memchr(name, ':', (size_t)(name + len - (fnpart + 10)));
            len = (size_t)((end ? end : name + strlen(name)) - name);
        }
        size_t base = colon ? (size_t)(colon - name) : len;
        if (base != want || strncmp(name, h->cfg.function, want) != 0)
            return service_error(c, 404, "ResourceNotFoundException", "Function not found");
        if (post && end && strcmp(end, "/invocations") == 0)
            return invoke(h, c, rq);
        if (get && end && strcmp(end, "/configuration") == 0) {
            char body[600];
            int n = snprintf(body, sizeof body, "{\"FunctionName\":\"%s\",\"Timeout\":%u,"
                             "\"MemorySize\":%u,\"Runtime\":\"provided\",\"Version\":\"$LATEST\","
                             "\"Handler\":\"%s\"}", h->cfg.function, h->cfg.timeout_s,
                             h->cfg.memory_mb, h->cfg.handler ? h->cfg.handler : "");
            return reply(c, 200, body, (size_t)n, NULL, 0, NULL);
        }
    }
    return service_error(c, 404, "UnknownOperationException", "Unknown operation");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    struct kdo_host *h = cls;
    struct request *rq = *con_cls;
    (void)version;
    if (rq == NULL) {
        rq = kdo_xcalloc(1, sizeof *rq);
        kdo_buf_init(&rq->body, KDO_MAX_REPLY_BYTES + 1);
        *con_cls = rq;
        return MHD_YES;
    }
    if (*size > 0) {
        if (kdo_buf_append(&rq->body, data, *size) != 0)
            rq->too_big = 1;
        *size = 0;
        return MHD_YES;
    }
    return route(h, c, url, method, rq);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode code)
{
    struct request *rq = *con_cls;
    (void)cls, (void)c, (void)code;
    if (rq) {
        kdo_buf_cleanup(&rq->body);
        free(rq);
        *con_cls = NULL;
    }
}

int kdo_host_start(const struct kdo_host_config *cfg, struct kdo_host **out, char *err,
                   size_t err_size)
{
    struct kdo_host *h = kdo_xcalloc(1, sizeof *h);
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
    if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        seed = (uint64_t)epoch_ms();
    kdo_rng_init(&h->rng, seed);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    kdo_buf_init(&h->event, KDO_MAX_EVENT_BYTES + 1);
    kdo_buf_init(&h->result, KDO_MAX_REPLY_BYTES + 1);
    kdo_buf_init(&h->init_error, 64 * 1024);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                 0, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR,
                                 (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT, 64u,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 960u, MHD_OPTION_NOTIFY_COMPLETED,
                                 completed, h, MHD_OPTION_END);
    if (h->daemon == NULL) {
        snprintf(err, err_size, "cannot listen on 127.0.0.1:%u", (unsigned)cfg->port);
        kdo_host_stop(h);
        return KDO_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : cfg->port;
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
    return h->port;
}

void kdo_host_stop(struct kdo_host *h)
{
    if (h == NULL)
        return;
    pthread_mutex_lock(&h->mu);
    h->stopping = 1;
    if (h->up) {
        h->killed = 1;
        kill(-h->pid, SIGKILL);
    }
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (h->daemon)
        MHD_stop_daemon(h->daemon);
    if (h->thread_started)
        pthread_join(h->thread, NULL);
    kdo_buf_cleanup(&h->event);
    kdo_buf_cleanup(&h->result);
    kdo_buf_cleanup(&h->init_error);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
}
