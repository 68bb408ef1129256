/*
 * lambda_server.c -- the Invoke API in front of the pure fake function: the
 * libmicrohttpd plumbing (the handler, body reading, sending) and the
 * server's lifecycle.
 *
 * Threads: libmicrohttpd's one polling thread runs every handler, so the
 * fakes, the event reader, the invocation log and the in-flight byte budget
 * need no locks; a timer thread resumes parked connections at their deadlines
 * and shuts down connections whose request did not arrive in time (the parked
 * list and the connection watches are the things shared, under `lock`).
 * Ordering constraints: MHD forbids stopping a daemon with suspended
 * connections, so stop() first wakes every parked connection with `stopping`
 * set, waits for them to close, then stops.  The timer thread may shutdown() a
 * watched socket only under `lock`: MHD reports a connection closed (which
 * unwatches it under `lock`) before it closes the descriptor, so the number
 * can never name a newer connection.
 *
 * The parts (lambda_server-int.h): the timer, parking and watches are in
 * lambda_server-conn.c, what each request is answered in
 * lambda_server-answer.c and lambda_server-admin.c, the request memory and
 * the budget in lambda_server-mem.c.  This file is what speaks HTTP.
 */
#include "lambda/lambda_server-int.h"

#include "base/buf.h"
#include "base/clock.h"
#include "base/errors.h"
#include "base/rng.h"
#include "delivery/contract.h"
#include "lambda/event_reader.h"
#include "lambda/framing.h"
#include "lambda/invlog.h"
#include "lambda/invoke_api.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define DRAIN_MAX ((size_t)16 << 20) /* see refuse_early */
#define LOG_BYTES_MIN ((size_t)64 * 1024)
#define CHUNKED_STEP ((size_t)1 << 20) /* budget reserved at a time for chunked bodies */

void kdo_lambda_server_config_default(struct kdo_lambda_server_config *c)
{
    memset(c, 0, sizeof *c);
    c->host = "127.0.0.1";
    c->region = "us-east-1";
    c->account = "123456789012";
    kdo_fake_lambda_config_default(&c->lambda);
    c->lambda.latency = 0;
    c->max_connections = 256;
    c->connection_timeout_s = 30;
    c->hang_limit = 15 * KDO_MIN;
    c->log_limit = 10000;
    c->log_bytes = (size_t)64 << 20;
    c->inflight_bytes = (size_t)64 << 20;
    c->request_timeout = 30 * KDO_S;
    c->seed = 1;
}

/* ---- sending -------------------------------------------------------------- */

/* The log is streamed: each piece is formatted when MHD asks for more
 * (lambda_server-admin.c). */
static ssize_t read_list(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct kdo__lsrv_request *r = cls;
    (void)pos;
    if (atomic_load(&r->s->stopping))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    while (r->list_off == r->list.len)
        if (!kdo__lsrv_list_more(r))
            return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = r->list.len - r->list_off < max ? r->list.len - r->list_off : max;
    memcpy(buf, r->list.data + r->list_off, n);
    r->list_off += n;
    return (ssize_t)n;
}
static ssize_t read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct kdo__lsrv_request *r = cls;
    kdo__lsrv_unparked(r);
    if (atomic_load(&r->s->stopping))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t end = r->truncate ? r->reply_len / 2 : r->reply_len;
    if (pos >= end)
        return r->truncate ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = end - (size_t)pos < max ? end - (size_t)pos : max;
    if (r->dribble) {
        kdo_time_ns now = kdo_clock_now();
        if (now < r->next_piece) {
            kdo__lsrv_park(r, r->next_piece);
            return 0;
        }
        r->next_piece = now + r->dribble;
        n = n < KDO_FAKE_DRIBBLE_PIECE ? n : KDO_FAKE_DRIBBLE_PIECE;
    }
    memcpy(buf, r->reply + pos, n);
    return (ssize_t)n;
}

static struct MHD_Response *make_response(struct kdo__lsrv_request *r)
{
    if (r->route == KDO__LSRV_LIST && r->a.status == 200)
        return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, read_list, r, NULL);
    if (r->truncate || r->dribble)
        return MHD_create_response_from_callback(r->reply_len, 4096, read_body, r, NULL);
    return MHD_create_response_from_buffer(r->reply_len, (void *)r->reply,
                                           MHD_RESPMEM_PERSISTENT); /* lives until completed() */
}

static void add_header(void *cls, const char *name, const char *value)
{
    MHD_add_response_header(cls, name, value);
}

static enum MHD_Result send_reply(struct kdo__lsrv_request *r)
{
    struct MHD_Response *resp = make_response(r);
    if (resp == NULL)
        return MHD_NO;
    if (r->closing) /* the unread body must not be taken for the next request */
        MHD_add_response_header(resp, "Connection", "close");
    kdo_invoke_each_header(&r->a, add_header, resp);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->a.status, resp);
    MHD_destroy_response(resp);
    r->queued = ret == MHD_YES;
    return ret;
}

static void log_line(const struct kdo__lsrv_request *r, const char *method, const char *url)
{
    if (r->s->cfg.verbose)
        fprintf(stderr, "kdaout fake-lambda: %s %s -> %d %s%s\n", method, url, r->a.status,
                r->a.function_error ? "X-Amz-Function-Error: " : "",
                r->a.function_error ? r->a.function_error
                                    : (r->a.error_type ? r->a.error_type : ""));
}

/* ---- statistics ------------------------------------------------------------ */

static enum kdo_srvstats_route stats_route(const struct kdo__lsrv_request *r)
{
    switch (r->route) {
    case KDO__LSRV_INVOKE: return KDO_SRVSTATS_INVOKE;
    case KDO__LSRV_CONFIG: return KDO_SRVSTATS_CONFIGURATION;
    case KDO__LSRV_LIST:
    case KDO__LSRV_RESET:
    case KDO__LSRV_HEALTH: return KDO_SRVSTATS_ADMIN;
    case KDO__LSRV_FRONT: /* the front refused the head; an Invoke is still an Invoke */
        return r->rq.route == KDO_ROUTE_INVOKE ? KDO_SRVSTATS_INVOKE : KDO_SRVSTATS_OTHER;
    case KDO__LSRV_BAD_METHOD: break;
    }
    return KDO_SRVSTATS_OTHER;
}

static void stats_begin(struct kdo__lsrv_request *r)
{
    r->began = kdo_clock_now();
    pthread_mutex_lock(&r->s->stats_lock);
    kdo_srvstats_begin(&r->s->stats);
    pthread_mutex_unlock(&r->s->stats_lock);
}

/* A reply that never went out (stopping, a client gone) counts as closed. */
static void stats_done(struct kdo__lsrv_request *r, enum MHD_RequestTerminationCode code)
{
    int status = code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? r->a.status : 0;
    const char *kind = kdo_srvstats_error_kind(status, r->a.function_error, r->a.error_type,
                                               r->reply, r->reply_len);
    kdo_time_ns took = kdo_clock_now() - r->began;
    pthread_mutex_lock(&r->s->stats_lock);
    kdo_srvstats_done(&r->s->stats, stats_route(r), status, took, kind);
    pthread_mutex_unlock(&r->s->stats_lock);
}

void kdo_lambda_server_stats(struct kdo_lambda_server *s, struct kdo_srvstats *out)
{
    pthread_mutex_lock(&s->stats_lock);
    *out = s->stats;
    pthread_mutex_unlock(&s->stats_lock);
}

/* ---- the handler --------------------------------------------------------------- */

static enum MHD_Result framing_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    kdo_framing_add(cls, key, value);
    return MHD_YES;
}

/* A body whose length could be read two ways is refused, never guessed at
 * (framing.h has the rules).  Returns 1 if refused. */
static int refuse_framing(struct kdo__lsrv_request *r)
{
    struct kdo_framing f = {0};
    const char *why;
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, framing_header, &f);
    switch (kdo_framing_judge(&f, &why)) {
    case KDO_FRAMING_AMBIGUOUS:
        kdo__lsrv_service_error(r, 400, "InvalidRequestContentException", why);
        return 1;
    case KDO_FRAMING_UNSUPPORTED:
        kdo__lsrv_service_error(r, 501, "NotImplementedException", why);
        return 1;
    case KDO_FRAMING_OK:
        break;
    }
    return 0;
}

/* Decided from the head alone: bad framing, a declared body over the limit,
 * or one the budget cannot hold; otherwise the declared body is reserved.
 * Returns 1 if answered now, before any of the body is read; the connection
 * then closes.  A client still writing its body would see that close as a
 * reset and lose the answer, so a refused body of at most DRAIN_MAX is read
 * and thrown away (never kept) and answered when in, unless the client waits
 * for `100 Continue` and so has not sent it. */
static int refuse_early(struct kdo__lsrv_request *r)
{
    const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
    const char *expect = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Expect");
    unsigned long long want = cl ? strtoull(cl, NULL, 10) : 0;
    int now = (expect && strcasecmp(expect, "100-continue") == 0) || want > DRAIN_MAX;
    if (refuse_framing(r))
        return 1;
    if (want > KDO_MAX_EVENT_BYTES)
        r->too_large = 1;
    else if (kdo__lsrv_reserve(r, (size_t)want) != 0)
        r->over_budget = 1;
    else if (want > 0)
        kdo__lsrv_blob_reserve(&r->body, (size_t)want); /* one allocation, not a doubling series */
    if (now && r->too_large)
        kdo__lsrv_too_large(r);
    else if (now && r->over_budget)
        kdo__lsrv_too_busy(r);
    return r->answered;
}

/* Keeps the body; past the limit or the budget it keeps nothing more (and
 * the final call answers 413 or 429), and past DRAIN_MAX read in vain it
 * closes the connection.  A chunked body, of unknown length, reserves its
 * budget a step at a time. */
static enum MHD_Result receive(struct kdo__lsrv_request *r, const char *data, size_t *size)
{
    size_t need = r->body.len + *size;
    if (r->answered || r->too_large || r->over_budget) {
        r->drained += *size;
        *size = 0;
        return r->drained > DRAIN_MAX ? MHD_NO : MHD_YES;
    }
    if (need > KDO_MAX_EVENT_BYTES)
        r->too_large = 1;
    else if (need > r->reserved && kdo__lsrv_reserve(r, (need - r->reserved + CHUNKED_STEP - 1) /
                                                            CHUNKED_STEP * CHUNKED_STEP) != 0)
        r->over_budget = 1;
    if (r->too_large || r->over_budget) {
        kdo__lsrv_blob_free(&r->body);
        kdo__lsrv_release(r);
    } else {
        kdo__lsrv_blob_append(&r->body, data, *size);
    }
    *size = 0;
    return MHD_YES;
}

static void notify_connection(void *cls, struct MHD_Connection *conn, void **ctx,
                              enum MHD_ConnectionNotificationCode code)
{
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        kdo__lsrv_watch_started(cls, conn, ctx);
    else
        kdo__lsrv_watch_closed(cls, ctx);
}

static enum MHD_Result first_call(struct kdo_lambda_server *s, struct MHD_Connection *conn,
                                  const char *url, const char *method, void **con_cls)
{
    struct kdo__lsrv_request *r = kdo_xcalloc(1, sizeof *r);
    r->s = s;
    r->conn = conn;
    kdo_invoke_answer_init(&r->a, 1 << 16);
    *con_cls = r;
    stats_begin(r);
    kdo__lsrv_route(r, url, method,
                    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "Qualifier"),
                    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Invocation-Type"),
                    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Log-Type"));
    if (!refuse_early(r))
        return MHD_YES;
    r->closing = 1;
    kdo_rng_uuid4(&s->id_rng, r->a.request_id);
    kdo__lsrv_watch_answering(s, conn);
    log_line(r, method, url);
    return send_reply(r);
}

/* The request is in: its answer, parked if it is due later (returns 1 then).
 * The body is freed once answered; the reply keeps the reservation. */
static int request_in(struct kdo__lsrv_request *r, const char *method, const char *url)
{
    kdo__lsrv_watch_answering(r->s, r->conn);
    if (r->over_budget || r->too_large) {
        kdo_rng_uuid4(&r->s->id_rng, r->a.request_id);
        if (r->over_budget)
            kdo__lsrv_too_busy(r);
        else
            kdo__lsrv_too_large(r);
    } else {
        kdo__lsrv_answer(r);
    }
    kdo__lsrv_blob_free(&r->body);
    log_line(r, method, url);
    if (r->ready_at <= r->now)
        return 0;
    kdo__lsrv_park(r, r->ready_at);
    return 1;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    struct kdo_lambda_server *s = cls;
    struct kdo__lsrv_request *r = *con_cls;
    (void)version;
    if (r == NULL)
        return first_call(s, conn, url, method, con_cls);
    kdo__lsrv_unparked(r);
    if (atomic_load(&s->stopping))
        return MHD_NO;
    if (*size > 0)
        return receive(r, data, size);
    r->now = kdo_clock_now(); /* the one reading for this step of the request */
    if (r->queued)
        return MHD_YES; /* answered early; MHD is sending it */
    if (!r->answered) {
        if (request_in(r, method, url))
            return MHD_YES;
    } else if (r->hang) {
        return MHD_NO; /* the hang limit passed: close */
    }
    if (r->a.status == 0)
        return MHD_NO; /* drop_connection: close without a reply */
    r->next_piece = r->now;
    return send_reply(r);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode code)
{
    struct kdo__lsrv_request *r = *con_cls;
    (void)cls;
    if (r == NULL)
        return;
    kdo__lsrv_unparked(r);
    stats_done(r, code);
    kdo__lsrv_release(r);
    if (code == MHD_REQUEST_TERMINATED_COMPLETED_OK && !r->closing)
        kdo__lsrv_watch_replied(r->s, conn);
    kdo__lsrv_blob_free(&r->body);
    kdo__lsrv_blob_free(&r->out);
    kdo_buf_cleanup(&r->list);
    kdo_invoke_answer_cleanup(&r->a);
    free(r);
    *con_cls = NULL;
}

/* ---- lifecycle ----------------------------------------------------------------- */

static int make_functions(struct kdo_lambda_server *s)
{
    static const char *const fallback[] = {"kdaout-fake"};
    const char *const *names = s->cfg.functions ? s->cfg.functions : fallback;
    size_t n = s->cfg.functions ? s->cfg.nfunctions : 1;
    s->fns = kdo_xcalloc(n, sizeof *s->fns);
    s->names = kdo_xcalloc(n, sizeof *s->names);
    for (size_t i = 0; i < n; i++) {
        s->fns[i].name = kdo_xstrdup(names[i]);
        s->names[i] = s->fns[i].name;
        struct kdo_fault_rule *rules = kdo_fault_rules_copy(s->cfg.rules, s->cfg.nrules);
        s->fns[i].fake = kdo_fake_lambda_new(&s->cfg.lambda, rules, s->cfg.nrules, &s->rng);
        s->nfns++;
    }
    s->service = (struct kdo_invoke_service){s->names, n, s->cfg.region, s->cfg.account};
    for (size_t i = 0; i < s->cfg.nrules; i++) /* rows are decoded only if a rule looks */
        s->decode_rows |= kdo_fault_match_reads_rows(&s->cfg.rules[i].match);
    return 0;
}

static int start_daemon(struct kdo_lambda_server *s, char *err, size_t n)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(s->cfg.port)};
    const char *host = strcmp(s->cfg.host, "localhost") == 0 ? "127.0.0.1" : s->cfg.host;
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        snprintf(err, n, "cannot listen on \"%s\": expected an IPv4 address such as 127.0.0.1",
                 s->cfg.host);
        return KDO_EINVAL;
    }
    s->daemon = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, handle, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT,
        s->cfg.max_connections, MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.connection_timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_NOTIFY_CONNECTION,
        notify_connection, s, MHD_OPTION_END);
    if (s->daemon == NULL) {
        snprintf(err, n, "cannot listen on %s:%u (is the port in use?)", s->cfg.host,
                 (unsigned)s->cfg.port);
        return KDO_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : s->cfg.port;
    return 0;
}

int kdo_lambda_server_start(const struct kdo_lambda_server_config *cfg,
                            struct kdo_lambda_server **out, char *err, size_t err_size)
{
    if (cfg->inflight_bytes < KDO_MAX_EVENT_BYTES || cfg->log_bytes < LOG_BYTES_MIN ||
        cfg->request_timeout <= 0) {
        snprintf(err, err_size, "limits too small: in-flight bytes must be at least %zu, log "
                 "bytes at least %zu, the request timeout positive", KDO_MAX_EVENT_BYTES,
                 (size_t)LOG_BYTES_MIN);
        return KDO_EINVAL;
    }
    struct kdo_lambda_server *s = kdo_xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    kdo_rng_init(&s->rng, cfg->seed);
    kdo_rng_init(&s->id_rng, cfg->seed ^ 0x9e3779b97f4a7c15u);
    s->reader = kdo_event_reader_new();
    s->log = kdo_invlog_new(cfg->log_limit, cfg->log_bytes);
    if (s->cfg.log_limit == 0)
        s->cfg.log_limit = 1;
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->stats_lock, NULL);
    kdo_srvstats_init(&s->stats);
    kdo_clock_cond_init(&s->wake);
    make_functions(s);
    s->t0 = kdo_clock_now();
    if (pthread_create(&s->timer, NULL, kdo__lsrv_timer_main, s) != 0) {
        snprintf(err, err_size, "cannot start a thread");
        s->timer_failed = 1;
        kdo_lambda_server_stop(s);
        return KDO_EIO;
    }
    int rc = start_daemon(s, err, err_size);
    if (rc != 0) {
        kdo_lambda_server_stop(s);
        return rc;
    }
    *out = s;
    return 0;
}

uint16_t kdo_lambda_server_port(const struct kdo_lambda_server *s)
{
    return s->port;
}

void kdo_lambda_server_stop(struct kdo_lambda_server *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->stopping, 1);
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    /* MHD may not stop with a suspended connection: the timer wakes every
     * parked one and returns only once none is suspended (see kdo__lsrv_timer_main). */
    if (!s->timer_failed)
        pthread_join(s->timer, NULL);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    for (size_t i = 0; i < s->nfns; i++) {
        free(s->fns[i].name);
        kdo_fake_lambda_free(s->fns[i].fake);
    }
    free(s->fns);
    free(s->names);
    kdo_invlog_free(s->log);
    free(s->parked);
    kdo_event_reader_free(s->reader);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->stats_lock);
    pthread_cond_destroy(&s->wake);
    free(s);
}
