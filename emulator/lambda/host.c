/*
 * host.c -- the Runtime API and the Invoke API around one runtime process:
 * the daemons, their connections and the host's lifecycle.
 *
 * Two libmicrohttpd daemons, a thread per connection each, so a handler may
 * block on the one condition variable: callers on the Invoke API port (the
 * one printed) and the runtime on a port of its own (AWS_LAMBDA_RUNTIME_API),
 * so callers can never use up the runtime's connections.  Every connection
 * has a deadline to send its request whole (slowloris), bodies are refused on
 * their Content-Length before they are read, and ambiguous framing (two
 * Content-Lengths, one with Transfer-Encoding, unknown codings) is refused
 * (RFC 9112 §6).  The host does not queue without bound: the caller
 * connection limit bounds the queue.  The log is written by a thread of its
 * own from a bounded queue, never under a lock: an unread log costs lines
 * (counted), never a stuck handler or a stop that does not return
 * (linelog.c).
 *
 * The parts (host-int.h): the Invoke API side is host-invoke.c, the Runtime
 * API side host-rtapi.c, tickets and the Event queue host-queue.c, the
 * runtime process host-runtime.c (starting it and sweeping its strays is
 * spawn.c's).  What the Invoke API answers is the front's (invoke_api.c):
 * the host is its back end for a real runtime.
 */
#include "lambda/host-http.h"

#include "base/buf.h"
#include "base/clock.h"
#include "base/errors.h"
#include "base/rng.h"
#include "delivery/contract.h"
#include "lambda/framing.h"
#include "lambda/invoke_api.h"
#include "lambda/linelog.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CALLER_CONNECTIONS 128u  /* queued invocations hold their events: 128 x 6 MB at most */
#define RUNTIME_CONNECTIONS 16u  /* a runtime needs one or two */
#define REQUEST_MS 10000         /* to send a request whole, or to read a response */
#define INIT_ERROR_MAX KDO__HOST_INIT_ERROR_MAX
#define DRAIN_MAX ((uint64_t)16 << 20) /* a refused body up to this is read before the 413 */

/* One line of the host's own to the log; never waits on the log's reader. */
void kdo__host_say(struct kdo_host *h, const char *what, const char *detail)
{
    char text[800];
    int n = snprintf(text, sizeof text, "%s%.300s", what, detail);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
    kdo_linelog_put(&h->log, "[host] ", text, len, "", 0);
}

/* ---- connection deadlines ----------------------------------------------------------------- */

static void conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                        enum MHD_ConnectionNotificationCode code)
{
    struct kdo__host_api *api = cls;
    struct kdo_host *h = api->h;
    struct kdo__host_conn *cn = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        cn = kdo_xcalloc(1, sizeof *cn);
        *cn = (struct kdo__host_conn){
            .api = api, .phase = KDO__HOST_READING, .since_ms = kdo_clock_now_ms()};
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

static void conn_phase(struct MHD_Connection *c, struct kdo_host *h, enum kdo__host_phase phase)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct kdo__host_conn *cn = ci ? ci->socket_context : NULL;
    if (cn == NULL)
        return;
    pthread_mutex_lock(&h->conn_mu);
    cn->phase = phase;
    cn->since_ms = kdo_clock_now_ms();
    pthread_mutex_unlock(&h->conn_mu);
}

/* Shuts down connections past their deadline (their thread then sees EOF and
 * closes them); a handler at work (an invocation, a `next`) has none. */
static void *reaper_main(void *arg)
{
    struct kdo_host *h = arg;
    pthread_mutex_lock(&h->conn_mu);
    while (!h->reaper_stop) {
        int64_t now = kdo_clock_now_ms();
        int cut = 0;
        for (struct kdo__host_conn *cn = h->conns.next; cn != &h->conns; cn = cn->next) {
            if (cn->phase == KDO__HOST_HANDLING || cn->cut ||
                now - cn->since_ms < cn->api->limit_ms)
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
            kdo__host_say(h,
                          "closed connections that were too slow to send a request (or read a "
                          "response): ",
                          n);
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

enum MHD_Result kdo__host_reply(struct MHD_Connection *c, unsigned status, const char *body,
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
enum MHD_Result kdo__host_send_answer(struct kdo_host *h, struct MHD_Connection *c,
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
                                     struct kdo__host_request *rq, unsigned status,
                                     const char *type, const char *msg)
{
    kdo_invoke_error(&rq->a, (int)status, type, msg);
    return kdo__host_send_answer(h, c, &rq->a);
}

static enum MHD_Result too_large(struct kdo__host_api *api, struct MHD_Connection *c,
                                 const char *url, struct kdo__host_request *rq)
{
    if (!api->runtime) {
        kdo_invoke_body(&rq->irq, "", 0, 1, NULL, &rq->a);
        return kdo__host_send_answer(api->h, c, &rq->a);
    }
    static const char body[] = "{\"errorMessage\":\"Exceeded maximum allowed payload size "
                               "(6291556 bytes).\",\"errorType\":\"RequestEntityTooLarge\"}";
    kdo__host_result_too_large(api->h, url);
    return kdo__host_reply(c, 413, body, sizeof body - 1);
}

static enum MHD_Result framing_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    kdo_framing_add(cls, key, value);
    return MHD_YES;
}

/* Refuses, on the headers alone: ambiguous framing and a declared body over the limit. */
static enum MHD_Result refuse_early(struct kdo__host_api *api, struct MHD_Connection *c,
                                    const char *url, struct kdo__host_request *rq)
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

/* ---- statistics (the callers' side only) ----------------------------------------------- */

static void stats_begin(struct kdo__host_api *api, struct kdo__host_request *rq)
{
    struct kdo_host *h = api->h;
    if (api->runtime)
        return;
    rq->began = kdo_clock_now();
    pthread_mutex_lock(&h->stats_mu);
    kdo_srvstats_begin(&h->stats);
    pthread_mutex_unlock(&h->stats_mu);
}

/* A reply that never went out (stopping, a client gone) counts as closed. */
static void stats_done(struct kdo__host_api *api, struct kdo__host_request *rq,
                       enum MHD_RequestTerminationCode code)
{
    struct kdo_host *h = api->h;
    if (api->runtime)
        return;
    int status = code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? rq->a.status : 0;
    const char *kind = kdo_srvstats_error_kind(status, rq->a.function_error, rq->a.error_type,
                                               rq->a.reply, rq->a.reply_len);
    enum kdo_srvstats_route route = rq->irq.route == KDO_ROUTE_INVOKE ? KDO_SRVSTATS_INVOKE
                                    : rq->irq.route == KDO_ROUTE_CONFIGURATION
                                        ? KDO_SRVSTATS_CONFIGURATION
                                        : KDO_SRVSTATS_OTHER;
    kdo_time_ns took = kdo_clock_now() - rq->began;
    pthread_mutex_lock(&h->stats_mu);
    kdo_srvstats_done(&h->stats, route, status, took, kind);
    pthread_mutex_unlock(&h->stats_mu);
}

void kdo_host_stats(struct kdo_host *h, struct kdo_srvstats *out)
{
    pthread_mutex_lock(&h->stats_mu);
    *out = h->stats;
    pthread_mutex_unlock(&h->stats_mu);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    struct kdo__host_api *api = cls;
    struct kdo__host_request *rq = *con_cls;
    (void)version;
    if (rq == NULL) {
        rq = kdo_xcalloc(1, sizeof *rq);
        kdo_buf_init(&rq->body, api->body_max);
        kdo_invoke_answer_init(&rq->a, KDO_MAX_REPLY_BYTES + 1);
        *con_cls = rq;
        stats_begin(api, rq);
        return refuse_early(api, c, url, rq);
    }
    if (*size > 0) { /* over the limit without a Content-Length: drop the rest */
        if (!rq->too_big && kdo_buf_append(&rq->body, data, *size) != 0) {
            rq->too_big = 1;
            if (api->runtime)
                kdo__host_result_too_large(api->h, url);
        }
        *size = 0;
        return MHD_YES;
    }
    if (rq->answered)
        return MHD_YES;
    if (rq->too_big)
        return too_large(api, c, url, rq);
    conn_phase(c, api->h, KDO__HOST_HANDLING);
    enum MHD_Result ok = api->runtime ? kdo__host_route_runtime(api->h, c, url, method, rq)
                                      : kdo__host_route_invoke(api->h, c, url, method, rq);
    conn_phase(c, api->h, KDO__HOST_SENDING);
    return ok;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode code)
{
    struct kdo__host_api *api = cls;
    struct kdo__host_request *rq = *con_cls;
    if (rq) {
        stats_done(api, rq, code);
        kdo_buf_cleanup(&rq->body);
        kdo_invoke_answer_cleanup(&rq->a);
        free(rq);
        *con_cls = NULL;
    }
    conn_phase(c, api->h, KDO__HOST_READING); /* the next request on this connection, from now */
}

static int listen_api(struct kdo_host *h, struct kdo__host_api *api, uint16_t port, unsigned limit)
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
        h->cfg.timeout_s = KDO_FUNCTION_TIMEOUT_DEFAULT_S;
    if (h->cfg.memory_mb == 0)
        h->cfg.memory_mb = KDO_FUNCTION_MEMORY_DEFAULT_MB;
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
    pthread_mutex_init(&h->stats_mu, NULL);
    kdo_srvstats_init(&h->stats);
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
    if (kdo_linelog_start(&h->log, h->cfg.log) == 0 &&
        pthread_create(&h->reaper, NULL, reaper_main, h) == 0)
        h->reaper_started = 1;
    if (h->reaper_started && pthread_create(&h->async_thread, NULL, kdo__host_async_main, h) == 0)
        h->async_started = 1;
    if (!h->async_started || listen_api(h, &h->callers, cfg->port, CALLER_CONNECTIONS) != 0 ||
        listen_api(h, &h->runtime_api, 0, RUNTIME_CONNECTIONS) != 0) {
        snprintf(err, err_size, "cannot listen on 127.0.0.1:%u", (unsigned)cfg->port);
        kdo_host_stop(h);
        return KDO_EIO;
    }
    pthread_mutex_lock(&h->mu);
    int rc = kdo__host_start_runtime(h); /* now, so init errors show before the first invocation */
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
    kdo__host_kill_runtime(h);
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (h->callers.daemon) /* joins every connection thread: none waits once stopping is set */
        MHD_stop_daemon(h->callers.daemon);
    if (h->runtime_api.daemon)
        MHD_stop_daemon(h->runtime_api.daemon);
    if (h->async_started) /* it returns once stopping is set */
        pthread_join(h->async_thread, NULL);
    while (h->async_head) {
        struct kdo__host_async *e = h->async_head;
        h->async_head = e->next;
        free(e);
    }
    if (h->watching) /* the runtime was killed: its watcher returns once it is reaped */
        pthread_join(h->watcher, NULL);
    if (h->out_peek >= 0)
        close(h->out_peek);
    kdo__host_sweep_strays(h, -1);
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
    pthread_mutex_destroy(&h->stats_mu);
    free(h);
}
