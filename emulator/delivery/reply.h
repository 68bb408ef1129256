/*
 * reply.h -- judges what came back from one invocation, record by record.
 *
 * Input: what the transport saw (transport outcome, HTTP status, the
 * X-Amz-Function-Error header, the body) and the recordIds that were sent, in
 * order.  Output: one enum kdo_reason per sent record (KDO_REASON_OK or why it
 * failed) and a summary of the reply as a whole.  The rules are those of
 * CONTRACT.md §2 and live in reply.c only:
 *
 *   transport failed / timed out      -> every record TRANSPORT_ERROR / _TIMEOUT
 *   ... failed with body_len > KDO_MAX_REPLY_BYTES -> every record REPLY_TOO_LARGE
 *   status != 200                     -> every record HTTP_STATUS
 *   200 + X-Amz-Function-Error        -> every record FUNCTION_TIMEOUT if the body's
 *                                        errorType is "Sandbox.Timedout", else
 *                                        FUNCTION_ERROR
 *   body not strict JSON, not an object, no "records" array, an entry not an object
 *                                     -> every record BAD_BODY
 *   otherwise, per entry of "records":
 *     recordId missing or not a string -> counted as an id-less entry
 *     recordId not among those sent    -> counted as an unknown id
 *     recordId seen before in this reply -> that record DUPLICATE_ID
 *     result missing                   -> NO_RESULT
 *     result not exactly "Ok"/"DeliveryFailed" (or not a string) -> BAD_RESULT
 *     "DeliveryFailed"                 -> DELIVERY_FAILED
 *     "Ok"                             -> OK
 *   a sent record with no entry        -> NO_RECORD_ID if the reply had an id-less
 *                                        entry, else ID_NOT_SENT if it had an unknown
 *                                        id, else NOT_RETURNED.
 *
 * "Strict JSON" is RFC 8259 with: no duplicate keys in any object (compared
 * after unescaping), valid UTF-8, no lone surrogates, nesting at most
 * KDO_REPLY_MAX_DEPTH, body at most KDO_MAX_REPLY_BYTES; other keys and values
 * are allowed and ignored.  Judging a reply never allocates per record once the
 * judge has grown to the largest batch seen.
 */
#ifndef KDO_REPLY_H
#define KDO_REPLY_H

#include "delivery/contract.h"

#include <stddef.h>
#include <stdint.h>

#define KDO_REPLY_MAX_DEPTH 64

enum kdo_transport_outcome {
    KDO_TRANSPORT_DONE = 0, /* an HTTP response (or in-process equivalent) arrived */
    KDO_TRANSPORT_FAILED,   /* connection refused/reset/closed, truncated body ... */
    KDO_TRANSPORT_TIMEDOUT, /* no complete reply within the invocation timeout */
};

/* What the transport saw.  All pointers are borrowed for the call. */
struct kdo_reply_in {
    enum kdo_transport_outcome outcome;
    int status;                 /* HTTP status, when outcome == DONE */
    const char *function_error; /* X-Amz-Function-Error value, or NULL */
    const char *body;
    size_t body_len; /* with FAILED, a length over KDO_MAX_REPLY_BYTES says why:
                        the reply was too large, and reading stopped there */
    const char *error_type; /* X-Amzn-ErrorType value, or NULL (last: positional
                               initialisers elsewhere stay valid) */
};

/* A borrowed string with a length. */
struct kdo_str {
    const char *p;
    size_t n;
};

struct kdo_reply_summary {
    /* The reason that failed every record, or KDO_REASON_OK when the body was
     * judged entry by entry. */
    enum kdo_reason whole;
    size_t ok;               /* records judged OK */
    size_t failed;           /* records judged anything else */
    size_t entries;          /* entries in "records" */
    size_t idless_entries;   /* entries without a string recordId */
    size_t unknown_entries;  /* entries whose recordId was not sent */
    size_t count[KDO_REASON_COUNT]; /* records per reason */
    /* A human sentence on the first problem found, e.g.
     * "duplicate key \"recordId\" at byte 112" or "unknown recordId \"x\"";
     * empty when everything was Ok. */
    char detail[200];
};

struct kdo_reply;

/* A reusable judge (it keeps scratch space between calls). */
struct kdo_reply *kdo_reply_new(void);
void kdo_reply_free(struct kdo_reply *r);

/* Judges `in` against the n ids that were sent.  Writes n verdicts (enum
 * kdo_reason values) to verdicts[] and fills *sum.  Returns 0; KDO_EINVAL for
 * bad arguments (the ids must be distinct). */
int kdo_reply_judge(struct kdo_reply *r, const struct kdo_reply_in *in, const struct kdo_str *ids,
                    size_t n, uint8_t *verdicts, struct kdo_reply_summary *sum);

#endif
