/*
 * lambda_server.c -- the Invoke API in front of the pure fake function.
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
 * Memory, per request:   head (MHD's 32 KiB pool)
 *                        body   <= Content-Length, reserved from the budget
 *                        reply  copy, counted against the same reservation
 * Bodies and replies of 128 KiB or more are mmap()ed and unmapped when done:
 * malloc would keep freed megabytes in its arenas for good.  Small ones use
 * malloc.  A GET of the log formats one entry at a time.
 */
#include "lambda/lambda_server.h"

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
#include <inttypes.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>

#define MAP_MIN ((size_t)128 * 1024) /* blobs this big are mmap()ed */
#define DRAIN_MAX ((size_t)16 << 20) /* see refuse_early */
#define ROOM_GRACE KDO_S /* see make_room */
#define LOG_BYTES_MIN ((size_t)64 * 1024)
#define CHUNKED_STEP ((size_t)1 << 20) /* budget reserved at a time for chunked bodies */

struct fn {
    char *name;
    struct kdo_fake_lambda *fake;
};

/* A byte buffer; from MAP_MIN on, its own mapping (see the top). */
struct blob {
    char *data;
    size_t len, cap;
};

struct parked {
    kdo_time_ns at;
    struct MHD_Connection *conn;
};

/* One open connection, from accept to close (MHD's socket context).  While
 * it waits for a request (`waiting`), the request must arrive whole by
 * `deadline`; while a request is answered it has none.  Watches are listed in
 * the order they started waiting, oldest first. */
struct watch {
    int fd;
    int waiting;
    int cut; /* shut down, not yet closed by MHD */
    kdo_time_ns since, deadline;
    struct watch *prev, *next;
};

struct kdo_lambda_server {
    struct kdo_lambda_server_config cfg;
    struct MHD_Daemon *daemon;
    uint16_t port;
    struct kdo_rng rng;    /* the fakes' (request ids, fault probabilities) */
    struct kdo_rng id_rng; /* ids of other requests, so admin calls never shift faults */
    struct fn *fns;
    size_t nfns;
    const char **names;               /* the fns' names, for the front */
    struct kdo_invoke_service service; /* the Invoke API front's view of them */
    int decode_rows; /* some rule looks at row content */
    struct kdo_event_reader *reader;
    kdo_time_ns t0;
    struct kdo_invlog *log; /* what arrived, for GET /_kdaout/invocations */
    size_t inflight; /* bytes reserved by requests (MHD thread only) */
    /* open connections (under lock) */
    struct watch *watch_head, *watch_tail;
    size_t nwatched, ncut;
    /* parked connections */
    pthread_t timer;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct parked *parked;
    size_t nparked, capparked;
    atomic_int suspended;
    atomic_int stopping;
    int timer_failed;
};

enum route { R_INVOKE, R_CONFIG, R_FRONT, R_LIST, R_RESET, R_HEALTH, R_BAD_METHOD };

struct request {
    struct kdo_lambda_server *s;
    struct MHD_Connection *conn;
    enum route route;
    struct fn *fn;
    struct kdo_invoke_request rq; /* what the Invoke API front read from the head */
    struct kdo_invoke_answer a;   /* status and headers of the reply (its body is `out`) */
    struct blob body;
    size_t reserved; /* bytes of the in-flight budget this request holds */
    size_t drained;  /* bytes of a refused body read and thrown away */
    int too_large;
    int over_budget;
    int closing;  /* answered before its body was read: the connection closes */
    int answered; /* reply computed */
    int queued;   /* reply handed to MHD */
    int parked;
    int hang;
    kdo_time_ns now;      /* read once per call from MHD (handle, read_body) */
    kdo_time_ns ready_at;
    /* the reply: a.status, a's headers and this body */
    struct blob out;
    const char *reply;
    size_t reply_len;
    int truncate;
    kdo_time_ns dribble, next_piece;
    /* a streamed log: entries next..last; list holds the piece being sent */
    uint64_t list_next, list_last;
    int list_phase; /* 0 head next, 1 entries next, 2 all written */
    int list_any;   /* an entry was written */
    struct kdo_buf list;
    size_t list_off;
};

/* ---- blobs: big buffers go back to the kernel when freed -------------------- */

static char *blob_alloc(size_t cap)
{
    if (cap < MAP_MIN)
        return kdo_xmalloc(cap);
    void *p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "kdaout: out of memory (mmap of %zu bytes)\n", cap);
        abort();
    }
    return p;
}

static void blob_release(char *data, size_t cap)
{
    if (data == NULL)
        return;
    if (cap < MAP_MIN)
        free(data);
    else
        munmap(data, cap);
}

/* Room for `need` bytes and a NUL, in one step when need is known upfront. */
static void blob_reserve(struct blob *b, size_t need)
{
    if (need + 1 <= b->cap)
        return;
    size_t cap = b->cap * 2 > need + 1 ? b->cap * 2 : need + 1;
    char *data = blob_alloc(cap);
    if (b->len)
        memcpy(data, b->data, b->len);
    data[b->len] = '\0';
    blob_release(b->data, b->cap);
    b->data = data;
    b->cap = cap;
}

static void blob_append(struct blob *b, const void *p, size_t n)
{
    blob_reserve(b, b->len + n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void blob_free(struct blob *b)
{
    blob_release(b->data, b->cap);
    *b = (struct blob){0};
}

/* ---- the in-flight budget (MHD thread only) --------------------------------- */

static int reserve(struct request *r, size_t n)
{
    struct kdo_lambda_server *s = r->s;
    if (s->inflight > s->cfg.inflight_bytes || n > s->cfg.inflight_bytes - s->inflight)
        return -1; /* replies alone may have passed it: see reserve_reply */
    s->inflight += n;
    r->reserved += n;
    return 0;
}

/* Counts a reply bigger than what its request reserved; never refuses (the
 * reply is already made), so the budget may be passed by replies alone. */
static void reserve_reply(struct request *r, size_t n)
{
    if (n > r->reserved) {
        r->s->inflight += n - r->reserved;
        r->reserved = n;
    }
}

static void release(struct request *r)
{
    r->s->inflight -= r->reserved;
    r->reserved = 0;
}

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

/* ---- parking: replies that are due later --------------------------------------- */

static void park(struct request *r, kdo_time_ns at)
{
    struct kdo_lambda_server *s = r->s;
    MHD_suspend_connection(r->conn);
    r->parked = 1;
    atomic_fetch_add(&s->suspended, 1);
    pthread_mutex_lock(&s->lock);
    if (s->nparked == s->capparked) {
        s->capparked = s->capparked ? s->capparked * 2 : 64;
        s->parked = kdo_xrealloc(s->parked, s->capparked * sizeof *s->parked);
    }
    s->parked[s->nparked++] = (struct parked){at, r->conn};
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

static void unparked(struct request *r)
{
    if (r->parked) {
        r->parked = 0;
        atomic_fetch_sub(&r->s->suspended, 1);
    }
}

/* Resumes every parked connection that is due (all of them when stopping);
 * returns the next deadline.  Called with the lock held. */
static kdo_time_ns resume_due(struct kdo_lambda_server *s, kdo_time_ns now)
{
    kdo_time_ns next = KDO_TIME_NEVER;
    int stopping = atomic_load(&s->stopping);
    for (size_t i = 0; i < s->nparked;) {
        if (stopping || s->parked[i].at <= now) {
            MHD_resume_connection(s->parked[i].conn);
            s->parked[i] = s->parked[--s->nparked];
        } else {
            next = kdo_time_min(next, s->parked[i].at);
            i++;
        }
    }
    return next;
}

/* ---- connection watches: requests must arrive in time -------------------------
 *
 *   accept ──► waiting (deadline = now + request_timeout)
 *                │ head and body in ──► answering (no deadline) ──► reply sent ─┐
 *                │ deadline passes  ──► shutdown: MHD closes it                  │
 *                ▲───────────────────── waiting again (keep-alive) ◄─────────────┘
 *
 * A byte every few seconds keeps MHD's idle timeout from firing but not the
 * deadline.  At the connection limit, the connection that has waited longest
 * is cut once it has waited ROOM_GRACE, so connections that send no request
 * (or never finish one) cannot keep everyone else in the listen queue, while
 * a client that opens its connections at once still gets to use them.
 * Called with the lock held. */

static void watch_unlink(struct kdo_lambda_server *s, struct watch *w)
{
    if (w->prev == NULL && s->watch_head != w)
        return; /* not listed yet */
    *(w->prev ? &w->prev->next : &s->watch_head) = w->next;
    *(w->next ? &w->next->prev : &s->watch_tail) = w->prev;
    w->prev = w->next = NULL;
}

static void watch_wait(struct kdo_lambda_server *s, struct watch *w, kdo_time_ns now)
{
    w->since = now;
    watch_unlink(s, w);
    w->prev = s->watch_tail;
    *(s->watch_tail ? &s->watch_tail->next : &s->watch_head) = w;
    s->watch_tail = w;
    w->waiting = 1;
    w->deadline = now + s->cfg.request_timeout;
    pthread_cond_signal(&s->wake);
}

/* MHD sees EOF on its next read and closes the connection itself. */
static void watch_cut(struct kdo_lambda_server *s, struct watch *w)
{
    shutdown(w->fd, SHUT_RDWR);
    w->waiting = 0;
    w->cut = 1;
    w->deadline = KDO_TIME_NEVER;
    s->ncut++;
}

/* At the limit: cuts the longest-waiting connection if it has waited
 * ROOM_GRACE; returns when it will have, or NEVER. */
static kdo_time_ns make_room(struct kdo_lambda_server *s, kdo_time_ns now)
{
    kdo_time_ns grace = kdo_time_min(ROOM_GRACE, s->cfg.request_timeout);
    for (struct watch *w = s->watch_head; w && s->nwatched - s->ncut >= s->cfg.max_connections;
         w = w->next) {
        if (!w->waiting)
            continue;
        if (w->since + grace > now)
            return w->since + grace;
        watch_cut(s, w);
    }
    return KDO_TIME_NEVER;
}

/* Cuts the waiting connections that are due; returns the next deadline. */
static kdo_time_ns cut_due(struct kdo_lambda_server *s, kdo_time_ns now)
{
    kdo_time_ns next = KDO_TIME_NEVER;
    for (struct watch *w = s->watch_head; w; w = w->next) {
        if (w->waiting && w->deadline <= now)
            watch_cut(s, w);
        else if (w->waiting)
            next = kdo_time_min(next, w->deadline);
    }
    return kdo_time_min(next, make_room(s, now));
}

static void watch_started(struct kdo_lambda_server *s, struct MHD_Connection *conn, void **ctx)
{
    const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct watch *w = kdo_xcalloc(1, sizeof *w);
    w->fd = fd ? fd->connect_fd : -1;
    *ctx = w;
    pthread_mutex_lock(&s->lock);
    s->nwatched++;
    watch_wait(s, w, kdo_clock_now());
    pthread_mutex_unlock(&s->lock);
}

static void notify_connection(void *cls, struct MHD_Connection *conn, void **ctx,
                              enum MHD_ConnectionNotificationCode code)
{
    struct kdo_lambda_server *s = cls;
    struct watch *w = *ctx;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        return watch_started(s, conn, ctx);
    if (w == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    watch_unlink(s, w);
    s->nwatched--;
    s->ncut -= (size_t)w->cut;
    pthread_mutex_unlock(&s->lock);
    free(w);
    *ctx = NULL;
}

static struct watch *watch_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *i = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return i ? i->socket_context : NULL;
}

/* The request is in (or refused early): no deadline while it is answered. */
static void watch_answering(struct kdo_lambda_server *s, struct MHD_Connection *conn)
{
    struct watch *w = watch_of(conn);
    if (w == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    w->waiting = 0;
    w->deadline = KDO_TIME_NEVER;
    pthread_mutex_unlock(&s->lock);
}

/* The reply is out; a kept-alive connection waits for its next request. */
static void watch_replied(struct kdo_lambda_server *s, struct MHD_Connection *conn)
{
    struct watch *w = watch_of(conn);
    if (w == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    watch_wait(s, w, kdo_clock_now());
    pthread_mutex_unlock(&s->lock);
}

static void *timer_main(void *arg)
{
    struct kdo_lambda_server *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        kdo_time_ns now = kdo_clock_now(); /* once per turn */
        kdo_time_ns next = kdo_time_min(resume_due(s, now), cut_due(s, now));
        if (atomic_load(&s->stopping) && s->nparked == 0 && atomic_load(&s->suspended) == 0)
            break;
        if (atomic_load(&s->stopping))
            next = now + 10 * KDO_MS;
        if (next == KDO_TIME_NEVER) {
            pthread_cond_wait(&s->wake, &s->lock);
            continue;
        }
        struct timespec ts = kdo_clock_timespec(next);
        pthread_cond_timedwait(&s->wake, &s->lock, &ts);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- routing ---------------------------------------------------------- */

static void route(struct request *r, const char *url, const char *method)
{
    struct kdo_lambda_server *s = r->s;
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    if (strcmp(url, "/_kdaout/invocations") == 0) {
        r->route = get ? R_LIST : R_BAD_METHOD;
        return;
    }
    if (strcmp(url, "/_kdaout/reset") == 0) {
        r->route = post ? R_RESET : R_BAD_METHOD;
        return;
    }
    if (strcmp(url, "/_kdaout/health") == 0) {
        r->route = get ? R_HEALTH : R_BAD_METHOD;
        return;
    }
    struct MHD_Connection *c = r->conn;
    if (kdo_invoke_head(&s->service, method, url,
                        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "Qualifier"),
                        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Invocation-Type"),
                        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Log-Type"), &r->rq,
                        &r->a) != 0) {
        r->route = R_FRONT;
        return;
    }
    r->route = r->rq.route == KDO_ROUTE_INVOKE ? R_INVOKE : R_CONFIG;
    r->fn = &s->fns[r->rq.function];
}

/* ---- replies ---------------------------------------------------------------- */

static void set_reply(struct request *r, int status, const char *error_type, const char *body,
                      size_t len)
{
    r->a.status = status;
    r->a.error_type = error_type;
    r->out.len = 0;
    blob_append(&r->out, body, len);
    r->reply = r->out.data;
    r->reply_len = len;
    r->answered = 1;
    reserve_reply(r, len);
}

static void service_error(struct request *r, int status, const char *type, const char *message)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 16);
    kdo_invoke_error_body(&b, status, type, message);
    set_reply(r, status, type, b.data, b.len);
    kdo_buf_cleanup(&b);
}

/* The front answered from the head or the body: its answer is the reply. */
static void front_answered(struct request *r)
{
    set_reply(r, r->a.status, r->a.error_type, r->a.reply ? r->a.reply : "", r->a.reply_len);
}

static void configuration(struct request *r)
{
    struct kdo_lambda_server *s = r->s;
    const struct kdo_fake_lambda_config *l = &s->cfg.lambda;
    const struct kdo_invoke_function fn = {
        .timeout_s = (unsigned)(l->timeout / KDO_S), .memory_mb = (unsigned)l->memory_mb,
        .runtime = "provided.al2023", .handler = "kdaout.fake", .role_name = "kdaout-fake",
        .description = "kdaout fake Lambda"};
    char rev[37];
    kdo_rng_uuid4(&s->id_rng, rev);
    kdo_invoke_configuration(&s->service, &r->rq, &fn, rev, &r->a);
    front_answered(r);
}

/* A body that is JSON but not a KDA output event: what an output function
 * would do with it (throw). */
static void not_an_event(struct request *r, const char *why)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 16);
    char msg[400];
    snprintf(msg, sizeof msg, "not a KDA output event: %s", why);
    kdo_buf_puts(&b, "{\"errorType\":\"InvalidEvent\",\"errorMessage\":");
    kdo_buf_json_string(&b, msg, strlen(msg));
    kdo_buf_puts(&b, ",\"stackTrace\":[]}");
    kdo_invoke_executed(&r->rq, 1, &r->a);
    set_reply(r, 200, "InvalidEvent", b.data, b.len);
    kdo_buf_cleanup(&b);
}

/* The fake's LogType Tail: no lines of its own, START/END/REPORT around them. */
static void log_tail(struct request *r, const struct kdo_fake_reply *fr)
{
    double ms = fr->latency == KDO_TIME_NEVER ? 0 : (double)fr->latency / KDO_MS;
    kdo_invoke_log_result("", 0, ms, (unsigned)r->s->cfg.lambda.memory_mb, 1, &r->a);
}

/* The front's body rules first (413, not JSON, DryRun, empty = {}), then the
 * fake: the event reader is the JSON scanner, so the body is read once. */
static void invoke(struct request *r)
{
    struct kdo_lambda_server *s = r->s;
    struct kdo_invocation inv;
    struct kdo_fake_reply fr;
    char why[256] = "";
    const char *data = r->body.data ? r->body.data : "";
    size_t len = r->body.len;
    int too_large = r->too_large || len > KDO_MAX_EVENT_BYTES, err = KDO_EPARSE;
    if (!too_large && len > 0)
        err = kdo_event_reader_read(s->reader, data, len, s->decode_rows, &inv, why, sizeof why);
    if (kdo_invoke_body(&r->rq, data, len, too_large, err == KDO_EPARSE ? why : NULL, &r->a))
        return front_answered(r);
    if (len == 0) /* the function gets {} */
        err = kdo_event_reader_read(s->reader, r->rq.payload, r->rq.payload_len, 0, &inv, why,
                                    sizeof why);
    if (err != 0)
        return not_an_event(r, why);
    kdo_time_ns now = r->now - s->t0; /* rule times count from the start */
    inv.number = kdo_fake_lambda_invocations(r->fn->fake) + 1;
    kdo_fake_lambda_invoke(r->fn->fake, now, &inv, &fr);
    memcpy(r->a.request_id, fr.request_id, sizeof r->a.request_id);
    /* status 0: nothing came back (dropped or hung) */
    int status = fr.outcome == KDO_TRANSPORT_DONE || fr.truncate ? fr.status : 0;
    kdo_invlog_add(s->log, now, r->rq.name, r->rq.qualifier, r->a.request_id, &inv, status,
                   fr.function_error, fr.error_type);
    if (r->rq.type == KDO_INVOKE_EVENT) { /* taken: the reply is not the caller's */
        kdo_invoke_accepted(&r->rq, &r->a);
        return front_answered(r);
    }
    if (fr.status == 200)
        kdo_invoke_executed(&r->rq, fr.function_error != NULL, &r->a);
    r->a.retry_after = fr.status == 429;
    if (r->rq.tail && fr.status == 200)
        log_tail(r, &fr);
    set_reply(r, fr.status, fr.error_type, fr.body->data ? fr.body->data : "", fr.body->len);
    r->truncate = fr.truncate;
    r->dribble = fr.dribble;
    r->hang = fr.outcome == KDO_TRANSPORT_TIMEDOUT;
    if (fr.outcome == KDO_TRANSPORT_FAILED && !fr.truncate)
        r->a.status = 0; /* drop the connection */
    kdo_time_ns delay = r->hang ? s->cfg.hang_limit : fr.dribble ? 0 : fr.latency;
    r->ready_at = r->now + delay;
}

/* The log is streamed (see list_more): this only fixes which entries the
 * reply covers, those logged so far.  The reply is chunked, no Content-Length. */
static void list_invocations(struct request *r)
{
    struct kdo_lambda_server *s = r->s;
    r->list_next = kdo_invlog_first(s->log);
    r->list_last = kdo_invlog_last(s->log);
    r->list_phase = 0;
    kdo_buf_init(&r->list, SIZE_MAX / 2);
    set_reply(r, 200, NULL, "", 0);
}

/* Formats the next piece of the log into r->list: the head, one entry, or
 * the tail.  Entries dropped or reset while the reply is streamed are skipped,
 * and `dropped` comes last so it counts them.  Returns 0 when all was written. */
static int list_more(struct request *r)
{
    struct kdo_lambda_server *s = r->s;
    uint64_t first = kdo_invlog_first(s->log);
    kdo_buf_reset(&r->list);
    if (r->list_next < first) /* dropped, or reset, since the last piece */
        r->list_next = first;
    if (r->list_phase == 0) {
        kdo_buf_puts(&r->list, "{\"invocations\":[");
        r->list_phase = 1;
    } else if (r->list_phase == 1 && r->list_next <= r->list_last &&
               r->list_next <= kdo_invlog_last(s->log)) {
        kdo_buf_puts(&r->list, r->list_any ? "," : "");
        r->list_any = 1;
        kdo_invlog_format(s->log, r->list_next++, &r->list);
    } else if (r->list_phase == 1) {
        kdo_buf_printf(&r->list, "],\"dropped\":%" PRIu64 ",\"logBytes\":%zu}",
                       kdo_invlog_dropped(s->log), kdo_invlog_bytes(s->log));
        r->list_phase = 2;
    } else {
        return 0;
    }
    r->list_off = 0;
    return 1;
}

static ssize_t read_list(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct request *r = cls;
    (void)pos;
    if (atomic_load(&r->s->stopping))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    while (r->list_off == r->list.len)
        if (!list_more(r))
            return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = r->list.len - r->list_off < max ? r->list.len - r->list_off : max;
    memcpy(buf, r->list.data + r->list_off, n);
    r->list_off += n;
    return (ssize_t)n;
}

static void reset_invocations(struct request *r)
{
    struct kdo_lambda_server *s = r->s;
    char body[64];
    int n = snprintf(body, sizeof body, "{\"reset\":%zu}", kdo_invlog_reset(s->log));
    set_reply(r, 200, NULL, body, (size_t)n);
}

static void answer(struct request *r)
{
    kdo_rng_uuid4(&r->s->id_rng, r->a.request_id);
    switch (r->route) {
    case R_INVOKE:
        return invoke(r);
    case R_CONFIG:
        return configuration(r);
    case R_FRONT:
        return front_answered(r);
    case R_LIST:
        return list_invocations(r);
    case R_RESET:
        return reset_invocations(r);
    case R_HEALTH:
        return set_reply(r, 200, NULL, "{\"status\":\"ok\"}", 15);
    case R_BAD_METHOD:
        return service_error(r, 405, "MethodNotAllowedException", "Method not allowed");
    }
}

/* ---- sending -------------------------------------------------------------- */

static ssize_t read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct request *r = cls;
    unparked(r);
    if (atomic_load(&r->s->stopping))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t end = r->truncate ? r->reply_len / 2 : r->reply_len;
    if (pos >= end)
        return r->truncate ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = end - (size_t)pos < max ? end - (size_t)pos : max;
    if (r->dribble) {
        kdo_time_ns now = kdo_clock_now();
        if (now < r->next_piece) {
            park(r, r->next_piece);
            return 0;
        }
        r->next_piece = now + r->dribble;
        n = n < KDO_FAKE_DRIBBLE_PIECE ? n : KDO_FAKE_DRIBBLE_PIECE;
    }
    memcpy(buf, r->reply + pos, n);
    return (ssize_t)n;
}

static struct MHD_Response *make_response(struct request *r)
{
    if (r->route == R_LIST && r->a.status == 200)
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

static enum MHD_Result send_reply(struct request *r)
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

static void log_line(const struct request *r, const char *method, const char *url)
{
    if (r->s->cfg.verbose)
        fprintf(stderr, "kdaout fake-lambda: %s %s -> %d %s%s\n", method, url, r->a.status,
                r->a.function_error ? "X-Amz-Function-Error: " : "",
                r->a.function_error ? r->a.function_error : (r->a.error_type ? r->a.error_type : ""));
}

/* ---- the handler --------------------------------------------------------------- */

/* Past the in-flight budget.  The service answers 429 TooManyRequestsException
 * (Reason ConcurrentInvocationLimitExceeded) when invocations outrun its
 * concurrency, and so does this: a client backs off and retries a 429 (KDA
 * does), where a 503 would read as an outage. */
static void too_busy(struct request *r)
{
    kdo_invoke_throttled(&r->a, "ConcurrentInvocationLimitExceeded");
    front_answered(r);
}

static void too_large(struct request *r)
{
    kdo_invoke_body(&r->rq, "", 0, 1, NULL, &r->a);
    front_answered(r);
}

static enum MHD_Result framing_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    kdo_framing_add(cls, key, value);
    return MHD_YES;
}

/* A body whose length could be read two ways is refused, never guessed at
 * (framing.h has the rules).  Returns 1 if refused. */
static int refuse_framing(struct request *r)
{
    struct kdo_framing f = {0};
    const char *why;
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, framing_header, &f);
    switch (kdo_framing_judge(&f, &why)) {
    case KDO_FRAMING_AMBIGUOUS:
        service_error(r, 400, "InvalidRequestContentException", why);
        return 1;
    case KDO_FRAMING_UNSUPPORTED:
        service_error(r, 501, "NotImplementedException", why);
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
static int refuse_early(struct request *r)
{
    const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
    const char *expect = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Expect");
    unsigned long long want = cl ? strtoull(cl, NULL, 10) : 0;
    int now = (expect && strcasecmp(expect, "100-continue") == 0) || want > DRAIN_MAX;
    if (refuse_framing(r))
        return 1;
    if (want > KDO_MAX_EVENT_BYTES)
        r->too_large = 1;
    else if (reserve(r, (size_t)want) != 0)
        r->over_budget = 1;
    else if (want > 0)
        blob_reserve(&r->body, (size_t)want); /* one allocation, not a doubling series */
    if (now && r->too_large)
        too_large(r);
    else if (now && r->over_budget)
        too_busy(r);
    return r->answered;
}

/* Keeps the body; past the limit or the budget it keeps nothing more (and
 * the final call answers 413 or 429), and past DRAIN_MAX read in vain it
 * closes the connection.  A chunked body, of unknown length, reserves its
 * budget a step at a time. */
static enum MHD_Result receive(struct request *r, const char *data, size_t *size)
{
    size_t need = r->body.len + *size;
    if (r->answered || r->too_large || r->over_budget) {
        r->drained += *size;
        *size = 0;
        return r->drained > DRAIN_MAX ? MHD_NO : MHD_YES;
    }
    if (need > KDO_MAX_EVENT_BYTES)
        r->too_large = 1;
    else if (need > r->reserved && reserve(r, (need - r->reserved + CHUNKED_STEP - 1) /
                                                  CHUNKED_STEP * CHUNKED_STEP) != 0)
        r->over_budget = 1;
    if (r->too_large || r->over_budget) {
        blob_free(&r->body);
        release(r);
    } else {
        blob_append(&r->body, data, *size);
    }
    *size = 0;
    return MHD_YES;
}

static enum MHD_Result first_call(struct kdo_lambda_server *s, struct MHD_Connection *conn,
                                  const char *url, const char *method, void **con_cls)
{
    struct request *r = kdo_xcalloc(1, sizeof *r);
    r->s = s;
    r->conn = conn;
    kdo_invoke_answer_init(&r->a, 1 << 16);
    *con_cls = r;
    route(r, url, method);
    if (!refuse_early(r))
        return MHD_YES;
    r->closing = 1;
    kdo_rng_uuid4(&s->id_rng, r->a.request_id);
    watch_answering(s, conn);
    log_line(r, method, url);
    return send_reply(r);
}

/* The request is in: its answer, parked if it is due later (returns 1 then).
 * The body is freed once answered; the reply keeps the reservation. */
static int request_in(struct request *r, const char *method, const char *url)
{
    watch_answering(r->s, r->conn);
    if (r->over_budget || r->too_large) {
        kdo_rng_uuid4(&r->s->id_rng, r->a.request_id);
        if (r->over_budget)
            too_busy(r);
        else
            too_large(r);
    } else {
        answer(r);
    }
    blob_free(&r->body);
    log_line(r, method, url);
    if (r->ready_at <= r->now)
        return 0;
    park(r, r->ready_at);
    return 1;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    struct kdo_lambda_server *s = cls;
    struct request *r = *con_cls;
    (void)version;
    if (r == NULL)
        return first_call(s, conn, url, method, con_cls);
    unparked(r);
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
    struct request *r = *con_cls;
    (void)cls;
    if (r == NULL)
        return;
    unparked(r);
    release(r);
    if (code == MHD_REQUEST_TERMINATED_COMPLETED_OK && !r->closing)
        watch_replied(r->s, conn);
    blob_free(&r->body);
    blob_free(&r->out);
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
    kdo_clock_cond_init(&s->wake);
    make_functions(s);
    s->t0 = kdo_clock_now();
    if (pthread_create(&s->timer, NULL, timer_main, s) != 0) {
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
     * parked one and returns only once none is suspended (see timer_main). */
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
    pthread_cond_destroy(&s->wake);
    free(s);
}
