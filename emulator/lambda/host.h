/*
 * host.h -- hosts a real Lambda handler the way the Lambda service does.
 *
 * Starts the user's runtime process (any command that speaks the Lambda
 * Runtime API: AWS's runtime interface clients, a custom runtime) with
 * AWS_LAMBDA_RUNTIME_API and the variables AWS's clients require
 * (CONTRACT.md §7; tests/integration/ric/NOTES.md), serves it the Runtime
 * API on a loopback port of its own, and serves callers the Invoke API on
 * another, so `kdaout run`, `kdaout conform` or any SDK can invoke the
 * handler and no number of callers can take the runtime's connections.  One
 * invocation at a time, as one Lambda instance with a concurrency of one:
 * concurrent invocations queue and run in the order they arrived.  Like the
 * real service (not like AWS's emulator):
 *   - the Timeout runs from the runtime's `next` for the invocation: a fresh
 *     runtime's start-up (its init) gets up to 10 s more, as in Lambda;
 *   - a handler that runs past the Timeout: the runtime is killed, the
 *     caller gets 200 + X-Amz-Function-Error: Unhandled with errorType
 *     Sandbox.Timedout, and a fresh runtime starts for the next invocation;
 *   - a POST to .../error: 200 + X-Amz-Function-Error: Unhandled and the
 *     posted error as the body;
 *   - an init error or a runtime that exits mid-invocation: 200 +
 *     X-Amz-Function-Error: Unhandled (Runtime.ExitError, or the posted init
 *     error), and a fresh runtime next time;
 *   - the runtime is tracked by its pid, so its exit is seen at once even
 *     when a child of its holds its output; it runs in its own session, and
 *     what it leaves behind (even a child that called setsid) is killed when
 *     it exits, is timed out, or the host stops;
 *   - a result over 6,291,556 bytes: the caller gets Function.ResponseSizeTooLarge
 *     at once, the runtime 413;
 *   - the runtime's stdout and stderr are captured, line by line, to `log`;
 *     a line over 256 KiB is cut, and says so.  A log that is not read (a
 *     full pipe) makes the runtime wait for a second at most, then its lines
 *     are dropped, and the count said, so the host never hangs on its log.
 * Binds 127.0.0.1 only.  Connections are bounded in count and each request
 * must arrive whole within a deadline; a body is refused on its
 * Content-Length (413) before it is read, and ambiguous framing (conflicting
 * Content-Lengths, Content-Length with Transfer-Encoding, a coding other than
 * chunked) is refused (400, or 501 for an unknown coding before chunked).
 * Starting a host makes the calling process a child subreaper
 * (PR_SET_CHILD_SUBREAPER), and the host kills any child of the process
 * other than its runtime when the runtime is gone: run it in a process of
 * its own, as `kdaout host` does.
 */
#ifndef KDO_HOST_H
#define KDO_HOST_H

#include "lambda/srvstats.h"

#include <stdint.h>
#include <stdio.h>

struct kdo_host_config {
    char *const *argv;    /* the runtime command (argv[0] found on PATH) */
    const char *function; /* function name (default kdaout-hosted) */
    const char *handler;  /* _HANDLER, or NULL to keep the environment's */
    unsigned timeout_s;   /* the function's Timeout, 1..900 (default 3) */
    unsigned memory_mb;   /* AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default 128) */
    uint16_t port;        /* 0: any free port */
    FILE *log;            /* runtime output and host events (default stderr) */
};

struct kdo_host;

/* Listens, then starts the runtime.  Returns 0 and a new host, or KDO_EIO
 * with a sentence in err. */
int kdo_host_start(const struct kdo_host_config *cfg, struct kdo_host **out, char *err,
                   size_t err_size);
/* The Invoke API's port (the one for callers). */
uint16_t kdo_host_port(const struct kdo_host *h);
/* The Runtime API's port (AWS_LAMBDA_RUNTIME_API; only the runtime uses it). */
uint16_t kdo_host_runtime_port(const struct kdo_host *h);
/* A copy of what the Invoke API has served so far (the runtime's own requests
 * are not counted), for /metrics and the progress line; safe from any thread. */
void kdo_host_stats(struct kdo_host *h, struct kdo_srvstats *out);
/* Stops serving and kills the runtime and whatever it left; bounded in time
 * whatever the runtime does. */
void kdo_host_stop(struct kdo_host *h);

#endif
