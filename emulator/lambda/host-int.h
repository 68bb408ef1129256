/*
 * host-int.h -- what the parts of `kdaout host` share: the host and its one
 * invocation slot, the connection records and the Event queue.
 *
 * The host is one module in five files: host.c (the two daemons' shared
 * plumbing: connection deadlines, body reading, the lifecycle),
 * host-invoke.c (the Invoke API side, for callers), host-rtapi.c (the
 * Runtime API side, for the runtime), host-queue.c (tickets, turns and the
 * Event queue: one invocation at a time) and host-runtime.c (the runtime
 * process, its output and its exit).  The HTTP parts share host-http.h too;
 * the queue and the runtime parts see no HTTP library.  Locking: `mu` and
 * `cv` guard the invocation slot, the queue and the runtime's state;
 * `conn_mu` the connection list.  Who holds what is said at each function.
 */
#ifndef KDO_HOST_INT_H
#define KDO_HOST_INT_H

#include "lambda/host.h"

#include "base/buf.h"
#include "base/rng.h"
#include "lambda/invoke_api.h"
#include "lambda/linelog.h"
#include "lambda/srvstats.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KDO__HOST_INIT_ERROR_MAX (64 * 1024)

struct MHD_Daemon;

enum kdo__host_slot { KDO__HOST_IDLE, KDO__HOST_QUEUED, KDO__HOST_RUNNING, KDO__HOST_DONE };
enum kdo__host_phase { KDO__HOST_READING, KDO__HOST_HANDLING, KDO__HOST_SENDING };

/* One daemon: the callers' Invoke API or the runtime's Runtime API. */
struct kdo__host_api {
    struct kdo_host *h;
    int runtime;
    struct MHD_Daemon *daemon;
    uint16_t port;
    int64_t limit_ms;   /* to send a request whole (from connecting or the last response) */
    size_t body_max;
};

/* A connection, for its deadline.  fd is a dup of the socket: shutting it down
 * can never hit a descriptor reused after libmicrohttpd closed its own. */
struct kdo__host_conn {
    struct kdo__host_conn *prev, *next;
    struct kdo__host_api *api;
    int fd;
    enum kdo__host_phase phase;
    int64_t since_ms;
    int cut;
};

/* An Event invocation accepted (202) and not yet run. */
struct kdo__host_async {
    struct kdo__host_async *next;
    size_t len;
    char payload[];
};

struct kdo_host {
    struct kdo_host_config cfg;
    struct kdo_invoke_service service; /* the Invoke API front's view of the one function */
    const char *names[1];
    struct kdo_linelog log;
    struct kdo__host_api callers, runtime_api;
    pthread_mutex_t mu;
    pthread_cond_t cv;  /* CLOCK_MONOTONIC */
    int stopping;
    struct kdo_rng rng;
    /* Invocations, in ticket order; the one in hand. */
    uint64_t tickets, serving;
    enum kdo__host_slot state;
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
    struct kdo__host_async *async_head, *async_tail;
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
    struct kdo__host_conn conns;    /* list head */
    pthread_t reaper;
    int reaper_started, reaper_stop;
    /* The callers' requests, for /metrics and the progress line; stats_mu is
     * never held with another lock. */
    pthread_mutex_t stats_mu;
    struct kdo_srvstats stats;
};

struct kdo__host_request {
    struct kdo_buf body;
    int too_big;
    int answered; /* a response was queued on the first call */
    struct kdo_invoke_request irq; /* what the Invoke API front read */
    struct kdo_invoke_answer a;
    kdo_time_ns began; /* the head arrived (callers' requests), for the latency */
};

/* One line of the host's own to the log; never waits on the log's reader. */
void kdo__host_say(struct kdo_host *h, const char *what, const char *detail);

/* ---- host-runtime.c: the runtime process ------------------------------------------------ */

/* The invocation in hand is DONE with this result; called with the lock held. */
void kdo__host_set_result(struct kdo_host *h, int error, const char *body, size_t len);
/* Kills the processes the runtime left outside its session (but `keep`). */
void kdo__host_sweep_strays(struct kdo_host *h, pid_t keep);
/* Starts the runtime and its watcher; called with the lock held.  0 or KDO_EIO. */
int kdo__host_start_runtime(struct kdo_host *h);
/* A runtime ready for the invocation in hand (see there); called with the lock held. */
int kdo__host_ensure_runtime(struct kdo_host *h);
/* Kills the runtime if it is up; called with the lock held. */
void kdo__host_kill_runtime(struct kdo_host *h);

/* ---- host-queue.c: one invocation at a time ------------------------------------------- */

/* Waits for a ticket's turn and runs the invocation; called with the lock.
 * Returns -1 only when the host is stopping. */
int kdo__host_take_turn(struct kdo_host *h, const struct kdo_invoke_request *irq,
                        const char *payload, size_t len, struct kdo_invoke_answer *a,
                        char timed_out[37]);
/* Queues an Event invocation for kdo__host_async_main and gives it an id;
 * -1 when the queue is full (or has no thread to run it). */
int kdo__host_queue_event(struct kdo_host *h, const char *payload, size_t len,
                          char request_id[37]);
/* The thread that runs Event invocations, in turn with the callers'. */
void *kdo__host_async_main(void *arg);

/* ---- host-invoke.c ------------------------------------------------------------------- */

/* Is the body one JSON document?  NULL if so, else why not (in why). */
const char *kdo__host_json_refusal(const char *data, size_t len, char *why, size_t n);

#endif
