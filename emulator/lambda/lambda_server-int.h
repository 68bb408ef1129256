/*
 * lambda_server-int.h -- what the parts of the fake-lambda server share.
 *
 * The server is one module in five files: lambda_server.c (libmicrohttpd's
 * handler, body reading, sending and the lifecycle), lambda_server-conn.c
 * (parked replies, connection deadlines and the timer thread),
 * lambda_server-answer.c (routing and the answer to each request: the Invoke
 * step through the fake and its fault rules), lambda_server-admin.c (the
 * /_kdaout endpoints) and lambda_server-mem.c (request bodies and replies,
 * and the in-flight byte budget).  Only lambda_server.c and
 * lambda_server-conn.c include microhttpd.h: the connection is an opaque
 * pointer here.  Threads and locks: see lambda_server.c's top comment.
 */
#ifndef KDO_LAMBDA_SERVER_INT_H
#define KDO_LAMBDA_SERVER_INT_H

#include "lambda/lambda_server.h"

#include "base/buf.h"
#include "base/rng.h"
#include "lambda/invoke_api.h"
#include "lambda/srvstats.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct MHD_Connection;
struct MHD_Daemon;
struct kdo_event_reader;
struct kdo_invlog;

#define KDO__LSRV_MAP_MIN ((size_t)128 * 1024) /* blobs this big are mmap()ed */

struct kdo__lsrv_fn {
    char *name;
    struct kdo_fake_lambda *fake;
};

/* A byte buffer; from MAP_MIN on, its own mapping (see lambda_server-mem.c). */
struct kdo__lsrv_blob {
    char *data;
    size_t len, cap;
};

struct kdo__lsrv_parked {
    kdo_time_ns at;
    struct MHD_Connection *conn;
};

/* One open connection, from accept to close (MHD's socket context).  While
 * it waits for a request (`waiting`), the request must arrive whole by
 * `deadline`; while a request is answered it has none.  Watches are listed in
 * the order they started waiting, oldest first. */
struct kdo__lsrv_watch {
    int fd;
    int waiting;
    int cut; /* shut down, not yet closed by MHD */
    kdo_time_ns since, deadline;
    struct kdo__lsrv_watch *prev, *next;
};

struct kdo_lambda_server {
    struct kdo_lambda_server_config cfg;
    struct MHD_Daemon *daemon;
    uint16_t port;
    struct kdo_rng rng;    /* the fakes' (request ids, fault probabilities) */
    struct kdo_rng id_rng; /* ids of other requests, so admin calls never shift faults */
    struct kdo__lsrv_fn *fns;
    size_t nfns;
    const char **names;               /* the fns' names, for the front */
    struct kdo_invoke_service service; /* the Invoke API front's view of them */
    int decode_rows; /* some rule looks at row content */
    struct kdo_event_reader *reader;
    kdo_time_ns t0;
    struct kdo_invlog *log; /* what arrived, for GET /_kdaout/invocations */
    size_t inflight; /* bytes reserved by requests (MHD thread only) */
    /* open connections (under lock) */
    struct kdo__lsrv_watch *watch_head, *watch_tail;
    size_t nwatched, ncut;
    /* parked connections */
    pthread_t timer;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct kdo__lsrv_parked *parked;
    size_t nparked, capparked;
    atomic_int suspended;
    atomic_int stopping;
    int timer_failed;
    /* what was served, for /metrics and the progress line (under stats_lock:
     * written by MHD's thread, read by a scrape's or main's) */
    pthread_mutex_t stats_lock;
    struct kdo_srvstats stats;
};

enum kdo__lsrv_route {
    KDO__LSRV_INVOKE,
    KDO__LSRV_CONFIG,
    KDO__LSRV_FRONT,
    KDO__LSRV_LIST,
    KDO__LSRV_RESET,
    KDO__LSRV_HEALTH,
    KDO__LSRV_BAD_METHOD,
};

struct kdo__lsrv_request {
    struct kdo_lambda_server *s;
    struct MHD_Connection *conn;
    enum kdo__lsrv_route route;
    struct kdo__lsrv_fn *fn;
    struct kdo_invoke_request rq; /* what the Invoke API front read from the head */
    struct kdo_invoke_answer a;   /* status and headers of the reply (its body is `out`) */
    struct kdo__lsrv_blob body;
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
    kdo_time_ns began;    /* the head arrived, for the latency histogram */
    kdo_time_ns ready_at;
    /* the reply: a.status, a's headers and this body */
    struct kdo__lsrv_blob out;
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

/* ---- lambda_server-mem.c: blobs and the in-flight budget (MHD thread only) ---- */

/* Room for `need` bytes and a NUL, in one step when need is known upfront. */
void kdo__lsrv_blob_reserve(struct kdo__lsrv_blob *b, size_t need);
void kdo__lsrv_blob_append(struct kdo__lsrv_blob *b, const void *p, size_t n);
void kdo__lsrv_blob_free(struct kdo__lsrv_blob *b);
/* Reserves n bytes of the budget for r; -1 (nothing reserved) past it. */
int kdo__lsrv_reserve(struct kdo__lsrv_request *r, size_t n);
/* Counts a reply bigger than what its request reserved; never refuses. */
void kdo__lsrv_reserve_reply(struct kdo__lsrv_request *r, size_t n);
/* Gives back all r reserved. */
void kdo__lsrv_release(struct kdo__lsrv_request *r);

/* ---- lambda_server-conn.c: parking and connection watches ---------------------- */

/* Suspends r's connection until `at`, when the timer resumes it. */
void kdo__lsrv_park(struct kdo__lsrv_request *r, kdo_time_ns at);
/* Called on every call back for r: it is no longer suspended. */
void kdo__lsrv_unparked(struct kdo__lsrv_request *r);
/* A connection opened: its watch, in *ctx (MHD's socket context). */
void kdo__lsrv_watch_started(struct kdo_lambda_server *s, struct MHD_Connection *conn, void **ctx);
/* The connection of the watch in *ctx closed: the watch goes. */
void kdo__lsrv_watch_closed(struct kdo_lambda_server *s, void **ctx);
/* The request is in (or refused early): no deadline while it is answered. */
void kdo__lsrv_watch_answering(struct kdo_lambda_server *s, struct MHD_Connection *conn);
/* The reply is out; a kept-alive connection waits for its next request. */
void kdo__lsrv_watch_replied(struct kdo_lambda_server *s, struct MHD_Connection *conn);
/* The timer thread: resumes parked connections, cuts late ones. */
void *kdo__lsrv_timer_main(void *arg);

/* ---- lambda_server-answer.c: what a request is answered ----------------------- */

/* Decides r->route from the head (the three values as MHD read them, or NULL). */
void kdo__lsrv_route(struct kdo__lsrv_request *r, const char *url, const char *method,
                     const char *qualifier, const char *invocation_type, const char *log_type);
/* The request is in: computes its reply (status, headers, body, when due). */
void kdo__lsrv_answer(struct kdo__lsrv_request *r);
/* Sets the reply: status, its error type (borrowed, static) and a copy of body. */
void kdo__lsrv_set_reply(struct kdo__lsrv_request *r, int status, const char *error_type,
                         const char *body, size_t len);
/* The service's error body for status/type/message as the reply. */
void kdo__lsrv_service_error(struct kdo__lsrv_request *r, int status, const char *type,
                             const char *message);
/* 429: past the in-flight budget. */
void kdo__lsrv_too_busy(struct kdo__lsrv_request *r);
/* 413: a body over the limit. */
void kdo__lsrv_too_large(struct kdo__lsrv_request *r);

/* ---- lambda_server-admin.c: the /_kdaout endpoints ------------------------------ */

/* GET /_kdaout/invocations: fixes the entries the streamed reply covers. */
void kdo__lsrv_list_invocations(struct kdo__lsrv_request *r);
/* The next piece of the log into r->list; 0 when all was written. */
int kdo__lsrv_list_more(struct kdo__lsrv_request *r);
/* POST /_kdaout/reset. */
void kdo__lsrv_reset_invocations(struct kdo__lsrv_request *r);

#endif
