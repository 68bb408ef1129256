/*
 * invoke_api.c -- the Invoke API front (invoke_api.h): routes, names, bodies,
 * error bodies, configuration and the log tail, decided once for every server.
 */
#include "lambda/invoke_api.h"

#include "base/base64.h"
#include "delivery/contract.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define ERROR_BODY_MAX ((size_t)64 * 1024)

void kdo_invoke_answer_init(struct kdo_invoke_answer *a, size_t max)
{
    memset(a, 0, sizeof *a);
    kdo_buf_init(&a->body, max > ERROR_BODY_MAX ? max : ERROR_BODY_MAX);
}

void kdo_invoke_answer_cleanup(struct kdo_invoke_answer *a)
{
    kdo_buf_cleanup(&a->body);
}

void kdo_invoke_answer_reset(struct kdo_invoke_answer *a)
{
    a->status = 0;
    a->error_type = a->function_error = NULL;
    a->version[0] = a->log_result[0] = '\0';
    a->retry_after = 0;
    kdo_buf_reset(&a->body);
    a->reply = NULL;
    a->reply_len = 0;
}

static void set_body(struct kdo_invoke_answer *a)
{
    a->reply = a->body.data ? a->body.data : "";
    a->reply_len = a->body.len;
}

/* ---- error bodies ----------------------------------------------------------------
 *
 * The SDKs fill an exception's modelled members from the body by name, and
 * the Lambda model (botocore data/lambda/2015-03-31/service-2.json) spells
 * the message member `message` for these shapes and `Message` for all the
 * others (ResourceNotFoundException, ServiceException, EC2ThrottledException,
 * ...).  Types the model does not have (RequestEntityTooLargeException, which
 * the service sends for a body over 6 MB [seen]) get `Message`. */
static const char *const lowercase_message[] = {
    "TooManyRequestsException",   "InvalidRequestContentException",
    "InvalidParameterValueException", "UnsupportedMediaTypeException",
    "RequestTooLargeException",   "ResourceConflictException",
    "ResourceNotReadyException",  "SerializedRequestEntityTooLargeException",
};

static const char *message_member(const char *type)
{
    for (size_t i = 0; i < sizeof lowercase_message / sizeof *lowercase_message; i++)
        if (strcmp(type, lowercase_message[i]) == 0)
            return "message";
    return "Message";
}

void kdo_invoke_error_body(struct kdo_buf *b, int status, const char *type, const char *message)
{
    kdo_buf_printf(b, "{\"Type\":\"%s\",\"%s\":", status >= 500 ? "Service" : "User",
                   message_member(type));
    kdo_buf_json_string(b, message, strlen(message));
    kdo_buf_puts(b, "}");
}

void kdo_invoke_error(struct kdo_invoke_answer *a, int status, const char *type,
                      const char *message)
{
    kdo_buf_reset(&a->body);
    kdo_invoke_error_body(&a->body, status, type, message);
    a->status = status;
    a->error_type = type;
    a->function_error = NULL;
    set_body(a);
}

/* [seen] the service's throttle: Reason says which limit, retryAfterSeconds
 * and Retry-After say when to come back. */
void kdo_invoke_throttle_body(struct kdo_buf *b, const char *reason)
{
    kdo_buf_puts(b, "{\"Reason\":");
    kdo_buf_json_string(b, reason, strlen(reason));
    kdo_buf_puts(b, ",\"Type\":\"User\",\"message\":\"Rate Exceeded.\",\"retryAfterSeconds\":\"1\"}");
}

void kdo_invoke_throttled(struct kdo_invoke_answer *a, const char *reason)
{
    kdo_buf_reset(&a->body);
    kdo_invoke_throttle_body(&a->body, reason);
    a->status = 429;
    a->error_type = "TooManyRequestsException";
    a->retry_after = 1;
    set_body(a);
}

/* ---- names ------------------------------------------------------------------------ */

void kdo_invoke_arn(const struct kdo_invoke_service *s, const char *name, const char *qualifier,
                    char *out, size_t n)
{
    snprintf(out, n, "arn:aws:lambda:%s:%s:function:%s%s%s", s->region ? s->region : "us-east-1",
             s->account ? s->account : "123456789012", name, qualifier[0] ? ":" : "", qualifier);
}

/* [doc] API_Invoke: FunctionName matches (arn:aws...:lambda:REGION:)?(\d{12}:)?
 * (function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?, a name at most
 * 64 characters.  Qualifiers are [a-zA-Z0-9$_-]{1,128}. */
static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static int valid_part(const char *p, size_t n, size_t max, int dollar)
{
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!name_char(p[i]) && !(dollar && p[i] == '$'))
            return 0;
    return 1;
}

/* Splits raw (n bytes) at its colons, up to `max` parts; returns the count,
 * or max + 1 when there are more. */
static size_t split_colons(const char *raw, size_t n, const char **part, size_t *len, size_t max)
{
    size_t k = 0;
    const char *p = raw, *end = raw + n;
    for (;;) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        if (k == max)
            return max + 1;
        part[k] = p;
        len[k] = c ? (size_t)(c - p) : (size_t)(end - p);
        k++;
        if (c == NULL)
            return k;
        p = c + 1;
    }
}

static int is_account(const char *p, size_t n)
{
    if (n != 12)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

/* "name", "name:q", "ACCOUNT:function:name[:q]" or
 * "arn:PARTITION:lambda:REGION:ACCOUNT:function:name[:q]" -> name, qualifier. */
static int parse_function(const char *raw, size_t n, struct kdo_invoke_request *rq)
{
    const char *part[9];
    size_t len[9], at;
    size_t k = split_colons(raw, n, part, len, 8);
    if (k >= 7 && len[0] == 3 && memcmp(part[0], "arn", 3) == 0 && len[2] == 6 &&
        memcmp(part[2], "lambda", 6) == 0 && len[5] == 8 && memcmp(part[5], "function", 8) == 0 &&
        is_account(part[4], len[4]))
        at = 6;
    else if (k >= 3 && len[1] == 8 && memcmp(part[1], "function", 8) == 0 &&
             is_account(part[0], len[0]))
        at = 2;
    else if (k <= 2)
        at = 0;
    else
        return -1;
    if (k > at + 2 || !valid_part(part[at], len[at], KDO_INVOKE_NAME_MAX, 0))
        return -1;
    if (k == at + 2 && !valid_part(part[at + 1], len[at + 1], KDO_INVOKE_QUALIFIER_MAX, 1))
        return -1;
    memcpy(rq->name, part[at], len[at]);
    rq->name[len[at]] = '\0';
    rq->qualifier[0] = '\0';
    if (k == at + 2) {
        memcpy(rq->qualifier, part[at + 1], len[at + 1]);
        rq->qualifier[len[at + 1]] = '\0';
    }
    return 0;
}

static int find_function(const struct kdo_invoke_service *s, const char *name, size_t *index)
{
    size_t any = SIZE_MAX;
    for (size_t i = 0; i < s->nfunctions; i++) {
        if (strcmp(s->functions[i], name) == 0) {
            *index = i;
            return 0;
        }
        if (strcmp(s->functions[i], "*") == 0 && any == SIZE_MAX)
            any = i;
    }
    *index = any;
    return any == SIZE_MAX ? -1 : 0;
}

/* ---- the head ---------------------------------------------------------------------- */

static int invocation_type(const char *v, enum kdo_invocation_type *t)
{
    if (v == NULL || strcmp(v, "RequestResponse") == 0)
        *t = KDO_INVOKE_SYNC;
    else if (strcmp(v, "Event") == 0)
        *t = KDO_INVOKE_EVENT;
    else if (strcmp(v, "DryRun") == 0)
        *t = KDO_INVOKE_DRYRUN;
    else
        return -1;
    return 0;
}

static int invalid(struct kdo_invoke_answer *a, const char *message)
{
    kdo_invoke_error(a, 400, "InvalidParameterValueException", message);
    return 1;
}

static int not_found(const struct kdo_invoke_service *s, const struct kdo_invoke_request *rq,
                     struct kdo_invoke_answer *a)
{
    char arn[400], msg[480];
    kdo_invoke_arn(s, rq->name, rq->qualifier, arn, sizeof arn);
    snprintf(msg, sizeof msg, "Function not found: %s", arn); /* [seen] */
    kdo_invoke_error(a, 404, "ResourceNotFoundException", msg);
    return 1;
}

int kdo_invoke_head(const struct kdo_invoke_service *s, const char *method, const char *path,
                    const char *qualifier_param, const char *invocation_type_h,
                    const char *log_type, struct kdo_invoke_request *rq,
                    struct kdo_invoke_answer *a)
{
    static const char prefix[] = KDO_INVOKE_PREFIX;
    memset(rq, 0, sizeof *rq);
    rq->route = KDO_ROUTE_NONE;
    const char *name = path + sizeof prefix - 1, *slash;
    if (strncmp(path, prefix, sizeof prefix - 1) != 0 || (slash = strchr(name, '/')) == NULL ||
        (strcmp(slash, "/invocations") != 0 && strcmp(slash, "/configuration") != 0)) {
        kdo_invoke_error(a, 404, "UnknownOperationException", "Unknown operation");
        return 1;
    }
    int invoke = strcmp(slash, "/invocations") == 0;
    if (strcmp(method, invoke ? "POST" : "GET") != 0) {
        kdo_invoke_error(a, 405, "MethodNotAllowedException", "Method not allowed");
        return 1;
    }
    rq->route = invoke ? KDO_ROUTE_INVOKE : KDO_ROUTE_CONFIGURATION;
    if (parse_function(name, (size_t)(slash - name), rq) != 0) {
        char msg[700];
        int shown = slash - name > 160 ? 160 : (int)(slash - name);
        snprintf(msg, sizeof msg, "1 validation error detected: Value '%.*s' at 'functionName' "
                 "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                 "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
                 "(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", shown, name);
        kdo_invoke_error(a, 400, "ValidationException", msg);
        return 1;
    }
    if (qualifier_param) {
        if (!valid_part(qualifier_param, strlen(qualifier_param), KDO_INVOKE_QUALIFIER_MAX, 1))
            return invalid(a, "Invalid qualifier: it must match [a-zA-Z0-9$_-]{1,128}");
        if (rq->qualifier[0] && strcmp(rq->qualifier, qualifier_param) != 0) /* [seen] */
            return invalid(a, "The derived qualifier from the function name does not match "
                              "the specified qualifier.");
        snprintf(rq->qualifier, sizeof rq->qualifier, "%s", qualifier_param);
    }
    if (find_function(s, rq->name, &rq->function) != 0)
        return not_found(s, rq, a);
    if (!invoke)
        return 0;
    char msg[300];
    if (invocation_type(invocation_type_h, &rq->type) != 0) {
        snprintf(msg, sizeof msg, "Unsupported invocation type %.100s: expected RequestResponse, "
                 "Event or DryRun", invocation_type_h);
        return invalid(a, msg);
    }
    if (log_type && strcmp(log_type, "Tail") != 0 && strcmp(log_type, "None") != 0) {
        snprintf(msg, sizeof msg, "Unsupported log type %.100s: expected None or Tail", log_type);
        return invalid(a, msg);
    }
    rq->tail = log_type && strcmp(log_type, "Tail") == 0 && rq->type == KDO_INVOKE_SYNC;
    return 0;
}

/* ---- the body ---------------------------------------------------------------------- */

int kdo_invoke_body(struct kdo_invoke_request *rq, const char *data, size_t len, int too_large,
                    const char *json_error, struct kdo_invoke_answer *a)
{
    char msg[400];
    if (too_large || len > KDO_MAX_EVENT_BYTES) { /* [seen] the service's type and words */
        kdo_invoke_error(a, 413, "RequestEntityTooLargeException", KDO_INVOKE_TOO_LARGE);
        return 1;
    }
    if (rq->type == KDO_INVOKE_EVENT && len > KDO_INVOKE_EVENT_MAX_BYTES) {
        snprintf(msg, sizeof msg, "%zu byte payload is too large for the Event invocation type "
                 "(limit %zu bytes)", len, KDO_INVOKE_EVENT_MAX_BYTES);
        kdo_invoke_error(a, 413, "RequestEntityTooLargeException", msg);
        return 1;
    }
    if (len > 0 && json_error) {
        snprintf(msg, sizeof msg, "Could not parse request body into json: Could not parse "
                 "payload into json: %s", json_error);
        kdo_invoke_error(a, 400, "InvalidRequestContentException", msg);
        return 1;
    }
    if (rq->type == KDO_INVOKE_DRYRUN) { /* [doc] validated, not run */
        kdo_invoke_answer_reset(a);
        a->status = 204;
        set_body(a);
        return 1;
    }
    /* [seen] an empty payload reaches the function as {} */
    rq->payload = len ? data : "{}";
    rq->payload_len = len ? len : 2;
    return 0;
}

/* ---- answers ----------------------------------------------------------------------- */

/* [doc] X-Amz-Executed-Version: the version that ran; an alias (or none)
 * runs $LATEST here. */
static void executed_version(const struct kdo_invoke_request *rq, struct kdo_invoke_answer *a)
{
    int number = rq->qualifier[0] != '\0';
    for (const char *p = rq->qualifier; *p; p++)
        number &= *p >= '0' && *p <= '9';
    snprintf(a->version, sizeof a->version, "%s", number ? rq->qualifier : "$LATEST");
}

void kdo_invoke_executed(const struct kdo_invoke_request *rq, int function_error,
                         struct kdo_invoke_answer *a)
{
    a->status = 200;
    a->error_type = NULL;
    a->function_error = function_error ? "Unhandled" : NULL;
    a->retry_after = 0;
    executed_version(rq, a);
}

void kdo_invoke_result(const struct kdo_invoke_request *rq, const char *payload, size_t len,
                       int function_error, struct kdo_invoke_answer *a)
{
    kdo_buf_reset(&a->body);
    kdo_buf_append(&a->body, payload, len);
    kdo_invoke_executed(rq, function_error, a);
    set_body(a);
}

void kdo_invoke_accepted(const struct kdo_invoke_request *rq, struct kdo_invoke_answer *a)
{
    kdo_buf_reset(&a->body);
    a->status = 202;
    a->error_type = a->function_error = NULL;
    executed_version(rq, a);
    set_body(a);
}

void kdo_invoke_configuration(const struct kdo_invoke_service *s,
                              const struct kdo_invoke_request *rq,
                              const struct kdo_invoke_function *fn, const char *revision_id,
                              struct kdo_invoke_answer *a)
{
    char arn[400];
    struct kdo_buf *b = &a->body;
    const char *account = s->account ? s->account : "123456789012";
    kdo_invoke_arn(s, rq->name, rq->qualifier, arn, sizeof arn);
    kdo_invoke_answer_reset(a);
    executed_version(rq, a);
    kdo_buf_puts(b, "{\"FunctionName\":");
    kdo_buf_json_string(b, rq->name, strlen(rq->name));
    kdo_buf_puts(b, ",\"FunctionArn\":");
    kdo_buf_json_string(b, arn, strlen(arn));
    kdo_buf_puts(b, ",\"Runtime\":");
    kdo_buf_json_string(b, fn->runtime, strlen(fn->runtime));
    kdo_buf_printf(b, ",\"Role\":\"arn:aws:iam::%s:role/", account);
    kdo_buf_puts(b, fn->role_name); /* a name of ours: nothing to escape */
    kdo_buf_puts(b, "\",\"Handler\":");
    kdo_buf_json_string(b, fn->handler, strlen(fn->handler));
    kdo_buf_puts(b, ",\"CodeSize\":0,\"Description\":");
    kdo_buf_json_string(b, fn->description, strlen(fn->description));
    kdo_buf_printf(b, ",\"Timeout\":%u,\"MemorySize\":%u,"
                   "\"LastModified\":\"2026-01-01T00:00:00.000+0000\","
                   "\"CodeSha256\":\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\",\"Version\":",
                   fn->timeout_s, fn->memory_mb);
    kdo_buf_json_string(b, a->version, strlen(a->version));
    kdo_buf_printf(b, ",\"TracingConfig\":{\"Mode\":\"PassThrough\"},\"RevisionId\":\"%s\","
                   "\"State\":\"Active\",\"LastUpdateStatus\":\"Successful\","
                   "\"PackageType\":\"Zip\",\"Architectures\":[\"x86_64\"],"
                   "\"EphemeralStorage\":{\"Size\":512}}", revision_id);
    a->version[0] = '\0'; /* not a header of this operation */
    a->status = 200;
    set_body(a);
}

/* [seen] what the service writes around a function's own output:
 *   START RequestId: ID Version: $LATEST
 *   ...the function's lines...
 *   END RequestId: ID
 *   REPORT RequestId: ID\tDuration: 1.23 ms\tBilled Duration: 2 ms\t
 *          Memory Size: 128 MB\tMax Memory Used: 60 MB\t
 * (billed in whole milliseconds, rounded up). */
void kdo_invoke_log_result(const char *lines, size_t n, double duration_ms, unsigned memory_mb,
                           unsigned max_used_mb, struct kdo_invoke_answer *a)
{
    char head[200], tail[400], log[KDO_INVOKE_LOG_TAIL];
    const char *version = a->version[0] ? a->version : "$LATEST";
    int hn = snprintf(head, sizeof head, "START RequestId: %s Version: %s\n", a->request_id, version);
    int tn = snprintf(tail, sizeof tail, "END RequestId: %s\nREPORT RequestId: %s\tDuration: %.2f "
                      "ms\tBilled Duration: %.0f ms\tMemory Size: %u MB\tMax Memory Used: %u MB\t\n",
                      a->request_id, a->request_id, duration_ms, ceil(duration_ms), memory_mb,
                      max_used_mb);
    /* the last 4 KB of head + lines + tail, assembled from the end */
    size_t room = sizeof log, used = 0;
    size_t take = (size_t)tn < room ? (size_t)tn : room;
    memcpy(log + room - take, tail + tn - take, take);
    used += take;
    take = n < room - used ? n : room - used;
    memcpy(log + room - used - take, lines + n - take, take);
    used += take;
    take = (size_t)hn < room - used ? (size_t)hn : room - used;
    memcpy(log + room - used - take, head + hn - take, take);
    used += take;
    size_t len = kdo_base64_encode(a->log_result, log + room - used, used);
    a->log_result[len] = '\0';
}

void kdo_invoke_each_header(const struct kdo_invoke_answer *a,
                            void (*add)(void *cls, const char *name, const char *value),
                            void *cls)
{
    add(cls, "Content-Type", "application/json");
    if (a->request_id[0])
        add(cls, "x-amzn-RequestId", a->request_id);
    if (a->version[0] && a->status < 300)
        add(cls, "X-Amz-Executed-Version", a->version);
    if (a->function_error)
        add(cls, "X-Amz-Function-Error", a->function_error);
    if (a->error_type && a->status >= 400)
        add(cls, "x-amzn-ErrorType", a->error_type);
    if (a->log_result[0])
        add(cls, "X-Amz-Log-Result", a->log_result);
    if (a->retry_after > 0) {
        char s[16];
        snprintf(s, sizeof s, "%d", a->retry_after);
        add(cls, "Retry-After", s);
    }
}
