/*
 * lambda_server-conn.c -- the fake-lambda server's connections over time:
 * parked replies, request deadlines and the timer thread that keeps both.
 *
 * A reply that is due later (latency, a hang, a dribbled body) parks its
 * connection with MHD's suspend/resume; the timer thread resumes it at its
 * deadline.  Every open connection is watched so its request arrives whole
 * in time, and at the connection limit the longest-waiting one makes room.
 * The parked list and the watches are shared with MHD's thread under the
 * server's `lock`; the timer may shutdown() a watched socket only under it
 * (see lambda_server.c's top comment).  What a request is answered is not
 * decided here.
 */
#include "lambda/lambda_server-int.h"

#include "base/clock.h"
#include "base/errors.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define ROOM_GRACE KDO_S /* see make_room */

/* ---- parking: replies that are due later --------------------------------------- */

void kdo__lsrv_park(struct kdo__lsrv_request *r, kdo_time_ns at)
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
    s->parked[s->nparked++] = (struct kdo__lsrv_parked){at, r->conn};
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

void kdo__lsrv_unparked(struct kdo__lsrv_request *r)
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

static void watch_unlink(struct kdo_lambda_server *s, struct kdo__lsrv_watch *w)
{
    if (w->prev == NULL && s->watch_head != w)
        return; /* not listed yet */
    *(w->prev ? &w->prev->next : &s->watch_head) = w->next;
    *(w->next ? &w->next->prev : &s->watch_tail) = w->prev;
    w->prev = w->next = NULL;
}

static void watch_wait(struct kdo_lambda_server *s, struct kdo__lsrv_watch *w, kdo_time_ns now)
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
static void watch_cut(struct kdo_lambda_server *s, struct kdo__lsrv_watch *w)
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
    for (struct kdo__lsrv_watch *w = s->watch_head;
         w && s->nwatched - s->ncut >= s->cfg.max_connections; w = w->next) {
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
    for (struct kdo__lsrv_watch *w = s->watch_head; w; w = w->next) {
        if (w->waiting && w->deadline <= now)
            watch_cut(s, w);
        else if (w->waiting)
            next = kdo_time_min(next, w->deadline);
    }
    return kdo_time_min(next, make_room(s, now));
}

void kdo__lsrv_watch_started(struct kdo_lambda_server *s, struct MHD_Connection *conn, void **ctx)
{
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct kdo__lsrv_watch *w = kdo_xcalloc(1, sizeof *w);
    w->fd = fd ? fd->connect_fd : -1;
    *ctx = w;
    pthread_mutex_lock(&s->lock);
    s->nwatched++;
    watch_wait(s, w, kdo_clock_now());
    pthread_mutex_unlock(&s->lock);
}

void kdo__lsrv_watch_closed(struct kdo_lambda_server *s, void **ctx)
{
    struct kdo__lsrv_watch *w = *ctx;
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

static struct kdo__lsrv_watch *watch_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *i =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return i ? i->socket_context : NULL;
}

/* The request is in (or refused early): no deadline while it is answered. */
void kdo__lsrv_watch_answering(struct kdo_lambda_server *s, struct MHD_Connection *conn)
{
    struct kdo__lsrv_watch *w = watch_of(conn);
    if (w == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    w->waiting = 0;
    w->deadline = KDO_TIME_NEVER;
    pthread_mutex_unlock(&s->lock);
}

/* The reply is out; a kept-alive connection waits for its next request. */
void kdo__lsrv_watch_replied(struct kdo_lambda_server *s, struct MHD_Connection *conn)
{
    struct kdo__lsrv_watch *w = watch_of(conn);
    if (w == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    watch_wait(s, w, kdo_clock_now());
    pthread_mutex_unlock(&s->lock);
}

void *kdo__lsrv_timer_main(void *arg)
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
