/*
 * host.h -- hosts a real Lambda handler the way the Lambda service does.
 *
 * Starts the user's runtime process (any command that speaks the Lambda
 * Runtime API: AWS's runtime interface clients, a custom runtime) with
 * AWS_LAMBDA_RUNTIME_API and the variables AWS's clients require
 * (CONTRACT.md §7; tests/integration/ric/NOTES.md), serves it the Runtime
 * API, and serves callers the Invoke API on the same loopback port, so
 * `kdaout run`, `kdaout conform` or any SDK can invoke the handler.  One
 * invocation at a time, as one Lambda instance.  Like the real service (not
 * like AWS's emulator):
 *   - a handler that runs past the Timeout: the runtime is killed, the
 *     caller gets 200 + X-Amz-Function-Error: Unhandled with errorType
 *     Sandbox.Timedout, and a fresh runtime starts for the next invocation;
 *   - a POST to .../error: 200 + X-Amz-Function-Error: Unhandled and the
 *     posted error as the body;
 *   - an init error or a runtime that exits mid-invocation: 200 +
 *     X-Amz-Function-Error: Unhandled (Runtime.ExitError, or the posted init
 *     error), and a fresh runtime next time;
 *   - the runtime's stdout and stderr are captured, line by line, to `log`.
 * Binds 127.0.0.1 only; connection count and time are bounded.
 */
#ifndef KDO_HOST_H
#define KDO_HOST_H

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
uint16_t kdo_host_port(const struct kdo_host *h);
/* Stops serving and kills the runtime. */
void kdo_host_stop(struct kdo_host *h);

#endif
