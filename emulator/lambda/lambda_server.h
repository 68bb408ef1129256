/*
 * lambda_server.h -- the fake Lambda behind the real Invoke API (HTTP).
 *
 * libmicrohttpd glue around the pure fake (fake_lambda.h): it serves
 *   POST /2015-03-31/functions/{name}/invocations[?Qualifier=..]  Invoke
 *   GET  /2015-03-31/functions/{name}/configuration               GetFunctionConfiguration
 *   GET  /_kdaout/invocations, POST /_kdaout/reset, GET /_kdaout/health
 * with the status codes, headers and bodies of the real service
 * (CONTRACT.md §6), so a rule means the same over HTTP as in process.  Safe by
 * default, against careless and hostile clients alike: binds 127.0.0.1;
 * bounded connections; a body over the limit is refused on its Content-Length
 * (413) before a byte of it is read; the bodies held at once across all
 * connections fit one budget (past it: 429); ambiguous framing (two
 * Content-Lengths, Content-Length with Transfer-Encoding, codings other than
 * chunked) is refused; a request must arrive whole within a deadline however
 * slowly it trickles, and at the connection limit the oldest connection still
 * waiting for a request makes room; the invocation log is bounded in bytes and
 * streamed.  Replies that take time (latency, timeouts, dribbled bodies) are
 * parked with MHD's suspend/resume and woken by a timer thread, so one slow
 * function never blocks the others.  Rule times count from the server's start.
 */
#ifndef KDO_LAMBDA_SERVER_H
#define KDO_LAMBDA_SERVER_H

#include "lambda/fake_lambda.h"
#include "lambda/faults.h"
#include "lambda/srvstats.h"

#include <stddef.h>
#include <stdint.h>

struct kdo_lambda_server_config {
    const char *host;               /* IPv4 address to bind; default 127.0.0.1 */
    uint16_t port;                  /* 0 = an ephemeral port */
    const char *const *functions;   /* names served; NULL = {"kdaout-fake"}; "*" = any */
    size_t nfunctions;
    const char *region;             /* for ARNs; default us-east-1 */
    const char *account;            /* for ARNs; default 123456789012 */
    struct kdo_fake_lambda_config lambda;
    const struct kdo_fault_rule *rules; /* copied */
    size_t nrules;
    unsigned max_connections;      /* default 256 */
    unsigned connection_timeout_s; /* idle time before a connection is closed; default 30 */
    kdo_time_ns hang_limit;        /* a hung reply closes after this; default 15 min */
    size_t log_limit;              /* invocations remembered for /_kdaout; default 10,000 */
    size_t log_bytes;              /* ... and the bytes they may hold; default 64 MiB */
    size_t inflight_bytes;         /* request bodies held at once, all connections; default
                                      64 MiB, at least KDO_MAX_EVENT_BYTES */
    kdo_time_ns request_timeout;   /* a request's head and body must arrive within this of
                                      the connection opening or the previous reply; 30 s */
    uint64_t seed;
    int verbose;                   /* one line per request on stderr */
};

void kdo_lambda_server_config_default(struct kdo_lambda_server_config *c);

struct kdo_lambda_server;

/* Starts serving in threads of its own.  Returns 0 and a new server, or
 * KDO_EIO/KDO_EINVAL with a sentence in err. */
int kdo_lambda_server_start(const struct kdo_lambda_server_config *cfg,
                            struct kdo_lambda_server **out, char *err, size_t err_size);
/* The port it listens on. */
uint16_t kdo_lambda_server_port(const struct kdo_lambda_server *s);
/* A copy of what it has served so far (requests, errors, latency), for
 * /metrics and the progress line; safe from any thread. */
void kdo_lambda_server_stats(struct kdo_lambda_server *s, struct kdo_srvstats *out);
/* Stops (finishing or closing parked replies) and frees; NULL is a no-op. */
void kdo_lambda_server_stop(struct kdo_lambda_server *s);

#endif
