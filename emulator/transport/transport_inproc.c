/*
 * transport_inproc.c -- delivery to the fake Lambda inside the process.
 *
 * The fake answers at send time; the reply is held back until
 * now >= sent + latency, which is what makes virtual time meaningful.  A
 * dropped connection is reported after the fake's latency too.
 */
#include "delivery/transport.h"
#include "transport/transport_inproc.h"

#include "lambda/fake_lambda.h"

#include "base/errors.h"

#include <stdlib.h>

struct inproc {
    struct kdo_transport base;
    struct kdo_fake_lambda *fake;
    struct kdo_fake_reply reply;
    struct kdo_buf body; /* the reply's body, copied: lanes may share one fake */
    kdo_time_ns ready_at;
    int in_flight;
};

static int inproc_send(struct kdo_transport *t, kdo_time_ns now, const struct kdo_invocation *inv)
{
    struct inproc *p = (struct inproc *)t;
    if (p->in_flight)
        return KDO_ESTATE;
    kdo_fake_lambda_invoke(p->fake, now, inv, &p->reply);
    kdo_buf_reset(&p->body);
    if (p->reply.body->len && kdo_buf_append(&p->body, p->reply.body->data, p->reply.body->len))
        return KDO_ETOOBIG;
    p->ready_at = p->reply.latency == KDO_TIME_NEVER ? KDO_TIME_NEVER : now + p->reply.latency;
    p->in_flight = 1;
    return 0;
}

static kdo_time_ns inproc_next_deadline(const struct kdo_transport *t)
{
    const struct inproc *p = (const struct inproc *)t;
    return p->in_flight ? p->ready_at : KDO_TIME_NEVER;
}

static int inproc_poll(struct kdo_transport *t, kdo_time_ns now, struct kdo_reply_in *out)
{
    struct inproc *p = (struct inproc *)t;
    if (!p->in_flight || now < p->ready_at)
        return 0;
    p->in_flight = 0;
    out->outcome = p->reply.outcome;
    out->status = p->reply.status;
    out->function_error = p->reply.function_error;
    out->body = p->body.data ? p->body.data : "";
    out->body_len = p->body.len;
    return 1;
}

static void inproc_cancel(struct kdo_transport *t)
{
    ((struct inproc *)t)->in_flight = 0;
}

static void inproc_free(struct kdo_transport *t)
{
    kdo_buf_cleanup(&((struct inproc *)t)->body);
    free(t);
}

static const struct kdo_transport_ops inproc_ops = {
    .name = "in-process",
    .send = inproc_send,
    .next_deadline = inproc_next_deadline,
    .poll = inproc_poll,
    .cancel = inproc_cancel,
    .wait = NULL,
    .free = inproc_free,
};

struct kdo_transport *kdo_transport_inproc_new(struct kdo_fake_lambda *fake)
{
    struct inproc *p = kdo_xcalloc(1, sizeof *p);
    p->base.ops = &inproc_ops;
    p->fake = fake;
    kdo_buf_init(&p->body, SIZE_MAX / 2); /* the fake bounds its own replies */
    return &p->base;
}
