/*
 * transport.h -- how an invocation travels to a Lambda end and back.
 *
 * A method table so the delivery engine does not know whether the function is
 * in-process, an HTTP server or AWS.  One invocation is in flight at a time.
 * Transports take `now` and report the time at which their reply will be
 * ready (virtual ends) or KDO_TIME_NEVER (real ends, whose driver waits on
 * sockets).  Timeouts are not the transport's business: the delivery engine
 * gives up on a reply at its own deadline and calls cancel().
 */
#ifndef KDO_TRANSPORT_H
#define KDO_TRANSPORT_H

#include "base/ktime.h"
#include "delivery/invocation.h"
#include "delivery/reply.h"

struct kdo_transport;

struct kdo_transport_ops {
    const char *name;
    /* Starts sending `inv` (borrowed until poll() returned its reply or
     * cancel()).  Returns 0 or a KDO_E* code. */
    int (*send)(struct kdo_transport *t, kdo_time_ns now, const struct kdo_invocation *inv);
    /* When the reply will be ready, or KDO_TIME_NEVER if unknown/none. */
    kdo_time_ns (*next_deadline)(const struct kdo_transport *t);
    /* 1 and *out filled (borrowed until the next send) if the reply is
     * complete at `now`; 0 if not yet. */
    int (*poll)(struct kdo_transport *t, kdo_time_ns now, struct kdo_reply_in *out);
    /* Abandons the invocation in flight, if any. */
    void (*cancel)(struct kdo_transport *t);
    /* Real ends only (NULL otherwise): blocks until there is I/O to handle or
     * `timeout` has passed.  Returns 0 or a KDO_E* code. */
    int (*wait)(struct kdo_transport *t, kdo_time_ns timeout);
    void (*free)(struct kdo_transport *t);
};

struct kdo_transport {
    const struct kdo_transport_ops *ops;
};

static inline int kdo_transport_send(struct kdo_transport *t, kdo_time_ns now,
                                     const struct kdo_invocation *inv)
{
    return t->ops->send(t, now, inv);
}

static inline kdo_time_ns kdo_transport_next_deadline(const struct kdo_transport *t)
{
    return t->ops->next_deadline(t);
}

static inline int kdo_transport_poll(struct kdo_transport *t, kdo_time_ns now,
                                     struct kdo_reply_in *out)
{
    return t->ops->poll(t, now, out);
}

static inline void kdo_transport_cancel(struct kdo_transport *t)
{
    t->ops->cancel(t);
}

/* 1 if the transport talks to a real end (and must be driven in real time). */
static inline int kdo_transport_is_real(const struct kdo_transport *t)
{
    return t->ops->wait != NULL;
}

static inline int kdo_transport_wait(struct kdo_transport *t, kdo_time_ns timeout)
{
    return t->ops->wait(t, timeout);
}

static inline void kdo_transport_free(struct kdo_transport *t)
{
    if (t)
        t->ops->free(t);
}

/* The back ends, one header each: transport_inproc.h (the in-process fake),
 * transport_tap.h (a tap on any transport), transport_http.h (libcurl, in
 * the I/O library). */

#endif
