/*
 * host-queue.c -- `kdaout host`'s invocations, one at a time: tickets, turns
 * and the Event queue.
 *
 *   caller:  ticket -> its turn -> runtime up? (else wait for the old one to be
 *            reaped, start a fresh one) -> QUEUED -> ... DONE -> reply -> next turn
 *   runtime: next -> RUNNING -> response | error -> DONE   (host-rtapi.c)
 *
 * Invocations take a ticket and run in ticket order, as one Lambda instance
 * with a concurrency of one; the Timeout runs from the runtime's `next`, a
 * fresh runtime's init gets INIT_MS more.  Event invocations wait in a
 * bounded queue (ASYNC_MAX) for a thread of their own, which takes its turns
 * with the callers'.  Everything here runs under the host's lock and knows
 * no HTTP: the Invoke side (host-invoke.c) answers with what it returns.
 */
#include "lambda/host-int.h"

#include "base/clock.h"
#include "base/errors.h"
#include "delivery/contract.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#define INIT_MS 10000    /* Lambda's limit on a runtime's init phase */
#define ASYNC_MAX 64     /* Event invocations queued (each at most 1 MB: the front's limit) */
#define TAIL_GRACE_MS 20 /* for output written just before the result to reach the tail */

/* Waits on the host's condition until monotonic `until_ms`; 0 once it passed. */
static int wait_until(struct kdo_host *h, int64_t until_ms)
{
    struct timespec ts = kdo_clock_timespec(until_ms * KDO_MS);
    return pthread_cond_timedwait(&h->cv, &h->mu, &ts) != ETIMEDOUT;
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
    int64_t until = kdo_clock_now_ms() + TAIL_GRACE_MS;
    int pending = 0;
    while (h->out_peek >= 0 && ioctl(h->out_peek, FIONREAD, &pending) == 0 && pending > 0 &&
           wait_until(h, until))
        ;
    wait_until(h, kdo_clock_now_ms() + 2); /* a line read but not yet added */
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
    if (kdo__host_ensure_runtime(h) != 0) {
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
    h->until_ms = kdo_clock_now_ms() + INIT_MS + (int64_t)h->cfg.timeout_s * 1000;
    h->started_ms = 0;
    h->state = KDO__HOST_QUEUED;
    pthread_cond_broadcast(&h->cv);
    while (h->state != KDO__HOST_DONE && !h->stopping && wait_until(h, h->until_ms))
        ;
    int rc = 0;
    if (h->state == KDO__HOST_DONE) {
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
        h->done_ms = kdo_clock_now_ms();
        kdo__host_kill_runtime(h);
        memcpy(timed_out, h->request_id, 37);
        kdo_invoke_result(irq, body, (size_t)n, 1, a);
    }
    if (rc == 0 && irq->tail) {
        int64_t from = h->started_ms ? h->started_ms : h->done_ms;
        kdo_invoke_log_result(h->tail, h->tail_len, (double)(h->done_ms - from),
                              h->cfg.memory_mb, h->up ? max_used_mb(h->pid) : 0, a);
    }
    h->state = KDO__HOST_IDLE;
    return rc;
}

/* Waits for the ticket's turn, runs, lets the next one go.  Called with the lock. */
int kdo__host_take_turn(struct kdo_host *h, const struct kdo_invoke_request *irq,
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
void *kdo__host_async_main(void *arg)
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
        struct kdo__host_async *e = h->async_head;
        h->async_head = e->next;
        if (h->async_head == NULL)
            h->async_tail = NULL;
        h->nasync--;
        char timed_out[37] = "", id[37];
        kdo_invoke_answer_reset(&a);
        int rc = kdo__host_take_turn(h, &irq, e->payload, e->len, &a, timed_out);
        memcpy(id, a.request_id, sizeof id);
        pthread_mutex_unlock(&h->mu);
        free(e);
        if (rc == 0 && timed_out[0])
            kdo__host_say(h, "the Timeout passed, the runtime is stopped; Event invocation ",
                          timed_out);
        else if (rc == 0 && a.function_error)
            kdo__host_say(h, "Event invocation ended in a function error (not retried here): ", id);
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    kdo_invoke_answer_cleanup(&a);
    return NULL;
}

/* Queues an Event invocation's payload for kdo__host_async_main; -1 when full. */
int kdo__host_queue_event(struct kdo_host *h, const char *payload, size_t len,
                          char request_id[37])
{
    pthread_mutex_lock(&h->mu);
    int full = h->nasync >= ASYNC_MAX || !h->async_started;
    if (!full) {
        struct kdo__host_async *e = kdo_xmalloc(sizeof *e + len);
        e->next = NULL;
        e->len = len;
        memcpy(e->payload, payload, len);
        *(h->async_tail ? &h->async_tail->next : &h->async_head) = e;
        h->async_tail = e;
        h->nasync++;
        kdo_rng_uuid4(&h->rng, request_id);
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return full ? -1 : 0;
}
