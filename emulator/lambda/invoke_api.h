/*
 * invoke_api.h -- the Invoke API front: what the Lambda service says around a
 * function, for every server of ours that speaks it.
 *
 * `kdaout fake-lambda` (lambda_server.c, back end: the fake's rules) and
 * `kdaout host` (host.c, back end: a real runtime) each own their sockets and
 * threads; everything the service decides before and after the function runs
 * is decided here, once: the routes, function names and ARNs, qualifiers,
 * invocation types, the rules for bodies (empty, not JSON, over the limit),
 * error bodies with the member names of the service's model, request ids,
 * X-Amz-Log-Result and GetFunctionConfiguration.  CONTRACT.md §6 has the
 * facts; each rule below says where it comes from.  Pure: no I/O, no clock.
 *
 * A request goes through three steps:
 *
 *   kdo_invoke_head()  method, path and headers -> route, function, qualifier,
 *                      invocation type, log type; or an answer (404, 400, 405)
 *   kdo_invoke_body()  the body's length and whether it is JSON -> the payload
 *                      the function gets ("{}" for none), or an answer (413,
 *                      400), or 204 for DryRun: the function does not run
 *   the back end       runs the function; kdo_invoke_result() /
 *                      kdo_invoke_accepted() (Event: 202) make the answer
 *
 * and the server sends a->status, kdo_invoke_each_header() and the body.
 */
#ifndef KDO_INVOKE_API_H
#define KDO_INVOKE_API_H

#include "base/buf.h"

#include <stddef.h>
#include <stdint.h>

#define KDO_INVOKE_PREFIX "/2015-03-31/functions/"
/* [doc] API_Invoke: LogType Tail returns "the last 4 KB of the execution log". */
#define KDO_INVOKE_LOG_TAIL 4096
/* [doc] Lambda quotas: an asynchronous (Event) payload is at most 1 MB
 * (256 KB until October 2025); the message is the service's [seen]. */
#define KDO_INVOKE_EVENT_MAX_BYTES ((size_t)1048576)
/* [doc] function names are at most 64 characters, qualifiers 128. */
#define KDO_INVOKE_NAME_MAX 64
/* [seen] the service's words for a request over KDO_MAX_EVENT_BYTES (413
 * RequestEntityTooLargeException), here and in the in-process fake. */
#define KDO_INVOKE_TOO_LARGE "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
#define KDO_INVOKE_QUALIFIER_MAX 128

enum kdo_invoke_route { KDO_ROUTE_NONE, KDO_ROUTE_INVOKE, KDO_ROUTE_CONFIGURATION };
enum kdo_invocation_type { KDO_INVOKE_SYNC, KDO_INVOKE_EVENT, KDO_INVOKE_DRYRUN };

/* Who is served: the functions' names ("*" serves any name) and the account
 * and region their ARNs name.  Borrowed. */
struct kdo_invoke_service {
    const char *const *functions;
    size_t nfunctions;
    const char *region, *account;
};

/* What GetFunctionConfiguration says of a function. */
struct kdo_invoke_function {
    unsigned timeout_s, memory_mb;
    const char *runtime, *handler, *description, *role_name;
};

/* What the head asked for. */
struct kdo_invoke_request {
    enum kdo_invoke_route route;
    size_t function; /* index into the service's functions */
    char name[KDO_INVOKE_NAME_MAX + 1];
    char qualifier[KDO_INVOKE_QUALIFIER_MAX + 1]; /* "" when none */
    enum kdo_invocation_type type;
    int tail; /* LogType: Tail */
    /* after kdo_invoke_body(): what the function gets */
    const char *payload;
    size_t payload_len;
};

/* The service's answer.  body holds errors, configurations and what the
 * back end copies in; a back end with a body of its own (the fake's) may
 * point `reply` at it instead. */
struct kdo_invoke_answer {
    int status;                 /* 0 = not answered yet */
    const char *error_type;     /* x-amzn-ErrorType, static */
    const char *function_error; /* X-Amz-Function-Error ("Unhandled"), static */
    char request_id[37];        /* x-amzn-RequestId */
    char version[KDO_INVOKE_QUALIFIER_MAX + 1]; /* X-Amz-Executed-Version, or "" */
    char log_result[(KDO_INVOKE_LOG_TAIL + 2) / 3 * 4 + 1]; /* X-Amz-Log-Result, or "" */
    int retry_after;            /* Retry-After seconds, 0 = none */
    struct kdo_buf body;
    const char *reply;          /* the body to send: body.data unless pointed elsewhere */
    size_t reply_len;
};

/* An empty answer; its body may grow to `max` bytes. */
void kdo_invoke_answer_init(struct kdo_invoke_answer *a, size_t max);
void kdo_invoke_answer_cleanup(struct kdo_invoke_answer *a);
/* Forgets the answer (keeps the request id and the buffer's memory). */
void kdo_invoke_answer_reset(struct kdo_invoke_answer *a);

/* The first step: routes `path` (decoded, without the query) and reads the
 * headers (NULL when absent).  Returns 0 when the request goes on, 1 when `a`
 * holds the answer. */
int kdo_invoke_head(const struct kdo_invoke_service *s, const char *method, const char *path,
                    const char *qualifier_param, const char *invocation_type,
                    const char *log_type, struct kdo_invoke_request *rq,
                    struct kdo_invoke_answer *a);

/* The second step, for an Invoke whose body is in: `len` bytes (`too_large`:
 * more than KDO_MAX_EVENT_BYTES arrived or were announced and the body was
 * not kept), `json_error` 0 if the body is one JSON document, else a short
 * reason (the caller's scanner decides; empty bodies are not scanned).
 * Returns 0 with rq->payload set, or 1 when `a` holds the answer. */
int kdo_invoke_body(struct kdo_invoke_request *rq, const char *data, size_t len, int too_large,
                    const char *json_error, struct kdo_invoke_answer *a);

/* The function's result, for a RequestResponse invocation: 200, the payload
 * (copied), X-Amz-Function-Error when `function_error`, the executed version. */
void kdo_invoke_result(const struct kdo_invoke_request *rq, const char *payload, size_t len,
                       int function_error, struct kdo_invoke_answer *a);
/* The headers of the function's result alone (200, the executed version,
 * X-Amz-Function-Error when `function_error`), for a back end that sends a
 * body of its own. */
void kdo_invoke_executed(const struct kdo_invoke_request *rq, int function_error,
                         struct kdo_invoke_answer *a);
/* An Event invocation taken: 202, no body. */
void kdo_invoke_accepted(const struct kdo_invoke_request *rq, struct kdo_invoke_answer *a);

/* An error of the service: status, x-amzn-ErrorType and a JSON body whose
 * message member is named as the service's model names it. */
void kdo_invoke_error(struct kdo_invoke_answer *a, int status, const char *type,
                      const char *message);
/* The same body, into b (for a back end that builds its own replies). */
void kdo_invoke_error_body(struct kdo_buf *b, int status, const char *type, const char *message);
/* 429 TooManyRequestsException with Reason and Retry-After. */
void kdo_invoke_throttled(struct kdo_invoke_answer *a, const char *reason);
/* The throttle's body alone, into b. */
void kdo_invoke_throttle_body(struct kdo_buf *b, const char *reason);

/* GetFunctionConfiguration for the function the request named. */
void kdo_invoke_configuration(const struct kdo_invoke_service *s,
                              const struct kdo_invoke_request *rq,
                              const struct kdo_invoke_function *fn, const char *revision_id,
                              struct kdo_invoke_answer *a);

/* The invocation's log as LogType Tail shows it: START, the function's own
 * lines (`lines`, n bytes, may be cut at the front), END and REPORT, of
 * which the last 4 KB go base64-encoded into a->log_result. */
void kdo_invoke_log_result(const char *lines, size_t n, double duration_ms, unsigned memory_mb,
                           unsigned max_used_mb, struct kdo_invoke_answer *a);

/* The function's ARN, with ":qualifier" when one is given. */
void kdo_invoke_arn(const struct kdo_invoke_service *s, const char *name, const char *qualifier,
                    char *out, size_t n);

/* Calls add(cls, name, value) for each header of the answer but Content-Length. */
void kdo_invoke_each_header(const struct kdo_invoke_answer *a,
                            void (*add)(void *cls, const char *name, const char *value),
                            void *cls);

#endif
