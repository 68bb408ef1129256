/*
 * transport_tap.c -- a transport that tells someone what it sends.
 *
 * Wraps another transport (borrowed) and calls a function with every
 * invocation before passing it on unchanged: how `kdaout run --records`
 * sees the rows that left the application, in virtual or real time, without
 * the delivery engine knowing.
 */
#include "delivery/transport.h"
#include "transport/transport_tap.h"

#include "base/errors.h"

#include <stdlib.h>

struct tap {
    struct kdo_transport base;
    struct kdo_transport *inner;
    kdo_transport_tap_fn fn;
    void *ctx;
};

static int tap_send(struct kdo_transport *t, kdo_time_ns now, const struct kdo_invocation *inv)
{
    struct tap *p = (struct tap *)t;
    p->fn(p->ctx, now, inv);
    return kdo_transport_send(p->inner, now, inv);
}

static kdo_time_ns tap_next_deadline(const struct kdo_transport *t)
{
    return kdo_transport_next_deadline(((const struct tap *)t)->inner);
}

static int tap_poll(struct kdo_transport *t, kdo_time_ns now, struct kdo_reply_in *out)
{
    return kdo_transport_poll(((struct tap *)t)->inner, now, out);
}

static void tap_cancel(struct kdo_transport *t)
{
    kdo_transport_cancel(((struct tap *)t)->inner);
}

static int tap_wait(struct kdo_transport *t, kdo_time_ns timeout)
{
    return kdo_transport_wait(((struct tap *)t)->inner, timeout);
}

static void tap_free(struct kdo_transport *t)
{
    free(t);
}

/* Two tables: a tap is real exactly when what it wraps is. */
static const struct kdo_transport_ops tap_virtual = {
    .name = "tap", .send = tap_send, .next_deadline = tap_next_deadline, .poll = tap_poll,
    .cancel = tap_cancel, .wait = NULL, .free = tap_free,
};
static const struct kdo_transport_ops tap_real = {
    .name = "tap", .send = tap_send, .next_deadline = tap_next_deadline, .poll = tap_poll,
    .cancel = tap_cancel, .wait = tap_wait, .free = tap_free,
};

struct kdo_transport *kdo_transport_tap_new(struct kdo_transport *inner, kdo_transport_tap_fn fn,
                                            void *ctx)
{
    struct tap *p = kdo_xcalloc(1, sizeof *p);
    p->base.ops = kdo_transport_is_real(inner) ? &tap_real : &tap_virtual;
    p->inner = inner;
    p->fn = fn;
    p->ctx = ctx;
    return &p->base;
}
