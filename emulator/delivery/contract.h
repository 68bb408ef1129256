/*
 * contract.h -- every number and verdict of the KDA-to-Lambda output
 * contract, in one place.
 *
 * The facts come from ../shared/contract/CONTRACT.md, where each is marked
 * [doc] (AWS documentation), [code] (AWS SDK source), [seen] (captured from
 * the service) or [choice] (ours).  The section numbers below point there.
 * Nothing in this header does I/O or keeps state.
 */
#ifndef KDO_CONTRACT_H
#define KDO_CONTRACT_H

#include "base/bounds.h"

#include <stddef.h>
#include <stdint.h>

/* §4 [doc]: Lambda's synchronous request payload limit; KDA splits batches
 * so that no encoded event exceeds it. */
#define KDO_MAX_EVENT_BYTES ((size_t)6291456)
/* §6 [seen]: a response body over this is a Function.ResponseSizeTooLarge
 * function error; we refuse to read more than this from any endpoint. */
#define KDO_MAX_REPLY_BYTES ((size_t)6291556)
/* §8 [doc]: an in-application row is at most 512 KB: KDO_MAX_ROW_BYTES, in
 * bounds.h, the base layer, because the SQL engine holds rows to it too. */
/* §8 [doc]: at most three destinations per application.  [choice] Each has
 * its own delivery lane (cadence, retries, metrics Id), and the one source
 * is read only while every destination stream has room, so a failing
 * destination holds the others back once its stream is full (app.c; the
 * journal's source_paused names it). */
#define KDO_MAX_DESTINATIONS 3
/* §4 [doc] tumbling output is delivered once per window trigger, continuous
 * and sliding output about once a second; [choice] stagger output too (the
 * guide is silent), on the same one-second grid (conformance/scenario.c). */
/* §6 [doc]: a function's Timeout is 1..900 seconds (default 3). */
#define KDO_FUNCTION_TIMEOUT_MIN_S 1
#define KDO_FUNCTION_TIMEOUT_MAX_S 900
#define KDO_FUNCTION_TIMEOUT_DEFAULT_S 3
/* §6 [doc]: a function's MemorySize is 128..10240 MB (default 128). */
#define KDO_FUNCTION_MEMORY_MIN_MB 128
#define KDO_FUNCTION_MEMORY_MAX_MB 10240
#define KDO_FUNCTION_MEMORY_DEFAULT_MB 128

/* §2: the only two values of `result` (case-sensitive) [doc][code]. */
#define KDO_RESULT_OK "Ok"
#define KDO_RESULT_DELIVERY_FAILED "DeliveryFailed"

/*
 * Why a record was (or was not) delivered.  Every failing record gets exactly
 * one reason; the per-record reasons come first, then the ones that fail a
 * whole invocation.  X(enum, journal name, [doc]/[choice], explanation).
 */
#define KDO_REASON_MAP(X)                                                                          \
    X(OK, "ok", "doc", "answered Ok")                                                              \
    X(NOT_RETURNED, "not_returned", "doc", "the reply has no entry for this recordId")             \
    X(NO_RECORD_ID, "entry_without_record_id", "doc",                                              \
      "not answered, and the reply has an entry without a string recordId")                       \
    X(ID_NOT_SENT, "record_id_not_sent", "doc",                                                    \
      "not answered, and the reply names a recordId that was not sent")                           \
    X(NO_RESULT, "entry_without_result", "doc", "its entry has no result")                         \
    X(DUPLICATE_ID, "record_id_answered_twice", "choice", "its recordId is answered twice")        \
    X(BAD_RESULT, "result_not_ok_or_delivery_failed", "choice",                                    \
      "its result is not exactly \"Ok\" or \"DeliveryFailed\"")                                    \
    X(DELIVERY_FAILED, "delivery_failed", "doc", "answered DeliveryFailed")                        \
    X(BAD_BODY, "reply_not_json_or_no_records", "choice",                                          \
      "the reply body is not strict JSON or not an object with a records array")                  \
    X(HTTP_STATUS, "http_status_not_200", "choice", "the Invoke API answered a status other than 200") \
    X(SIGNATURE_REFUSED, "signature_or_credentials_refused", "choice",                            \
      "the endpoint refused the signature or the credentials (HTTP 403 InvalidSignatureException " \
      "or UnrecognizedClientException): a signing or credentials problem, not the function")      \
    X(FUNCTION_ERROR, "function_error", "doc",                                                     \
      "200 with X-Amz-Function-Error: the function raised an unhandled error")                    \
    X(FUNCTION_TIMEOUT, "function_timeout", "doc",                                                 \
      "200 with X-Amz-Function-Error and Sandbox.Timedout: the function ran past its Timeout")    \
    X(TRANSPORT_ERROR, "transport_error", "choice", "the request failed at the transport level")   \
    X(REPLY_TOO_LARGE, "reply_too_large", "choice",                                                \
      "reply too large: the body passed 6,291,556 bytes, Lambda's response limit, and was not read") \
    X(TRANSPORT_TIMEOUT, "transport_timeout", "choice", "no reply within the invocation timeout")  \
    X(ABANDONED, "abandoned_by_restart", "doc",                                                    \
      "the application restarted while the invocation was in flight")

enum kdo_reason {
#define KDO__REASON_ENUM(e, name, src, text) KDO_REASON_##e,
    KDO_REASON_MAP(KDO__REASON_ENUM)
#undef KDO__REASON_ENUM
    KDO_REASON_COUNT
};

/* Journal name of a reason ("not_returned"); "unknown" if out of range. */
const char *kdo_reason_name(enum kdo_reason r);
/* One-sentence explanation of a reason. */
const char *kdo_reason_text(enum kdo_reason r);
/* Reason by journal name; -1 if unknown. */
int kdo_reason_from_name(const char *name);

#endif
