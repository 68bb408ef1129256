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

#include "fake_lambda.h"
#include "invocation.h"
#include "ktime.h"
#include "reply.h"

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

/* Told every invocation a tap sends, before it goes. */
typedef void (*kdo_transport_tap_fn)(void *ctx, kdo_time_ns now, const struct kdo_invocation *inv);
/* A transport that calls fn(ctx, ...) with every invocation, then hands it
 * to `inner` (borrowed: it must outlive the tap, and is not freed with it). */
struct kdo_transport *kdo_transport_tap_new(struct kdo_transport *inner, kdo_transport_tap_fn fn,
                                            void *ctx);

/* The in-process transport: hands the invocation to `fake` (borrowed) and
 * makes its reply ready after the fake's latency, in virtual time. */
struct kdo_transport *kdo_transport_inproc_new(struct kdo_fake_lambda *fake);

/* Where and how the HTTP transport invokes a function. */
struct kdo_http_end {
    const char *endpoint;  /* base URL, e.g. http://127.0.0.1:9001 or https://lambda.us-east-1.amazonaws.com */
    const char *function;  /* name or ARN */
    const char *qualifier; /* version or alias, or NULL */
    int sigv4;             /* sign with AWS credentials from the environment */
    const char *region;    /* for SigV4; default from AWS_REGION / AWS_DEFAULT_REGION */
    kdo_time_ns timeout;   /* give up on one invocation after this (transport backstop) */
    kdo_time_ns connect_timeout;
};

/* Delivery over HTTP with libcurl (keep-alive, no redirects, no signals,
 * replies capped at KDO_MAX_REPLY_BYTES).  Returns a new transport or NULL
 * with a sentence in err (never containing credentials). */
struct kdo_transport *kdo_transport_http_new(const struct kdo_http_end *end, char *err,
                                             size_t err_size);

/* What GetFunctionConfiguration answered. */
struct kdo_function_config {
    int status;          /* HTTP status; 0 when no HTTP answer arrived (unreachable) */
    char error_type[64]; /* x-amzn-ErrorType without its ":..." tail, or "" */
    kdo_time_ns timeout; /* the function's Timeout; 0 unless status 200 carried one */
};

/* GetFunctionConfiguration, as KDA calls it at start: fills *out (always).
 * Returns 0 when the Timeout was read, or KDO_EIO/KDO_EINVAL with a sentence
 * in err (never containing credentials or the URL's userinfo). */
int kdo_transport_http_function_config(const struct kdo_http_end *end,
                                       struct kdo_function_config *out, char *err,
                                       size_t err_size);

/* GetFunctionConfiguration: the function's Timeout, as KDA reads it at start.
 * Returns 0, or KDO_EIO with a sentence in err. */
int kdo_transport_http_function_timeout(const struct kdo_http_end *end, kdo_time_ns *timeout,
                                        char *err, size_t err_size);

/* `url` without its userinfo ("http://user:pass@host/x" -> "http://host/x"),
 * into out (always NUL-terminated, cut at n - 1 bytes): every URL a message,
 * a report or a replay line shows goes through this. */
void kdo_transport_http_redact_url(const char *url, char *out, size_t n);

#endif
