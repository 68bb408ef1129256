/*
 * transport_http.h -- delivery over HTTP with libcurl (the I/O library), and
 * GetFunctionConfiguration.
 */
#ifndef KDO_TRANSPORT_HTTP_H
#define KDO_TRANSPORT_HTTP_H

#include "delivery/transport.h"

#include <stddef.h>

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
