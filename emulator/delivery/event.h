/*
 * event.h -- writes the event KDA sends to an output Lambda function.
 *
 * The shape is fixed by the contract (CONTRACT.md §1) and written straight
 * into a buffer, compact, keys in this order:
 *
 *   {"invocationId":"<guid>","applicationArn":"<arn>","records":[
 *     {"recordId":"<id>","lambdaDeliveryRecordMetadata":{"retryHint":<n>},
 *      "data":"<base64>"}, ...]}
 *
 * (no whitespace or newlines in the real output).  The writer enforces a byte
 * limit on the whole encoded event, counted on the bytes actually produced:
 * kdo_event_add() refuses a record that would make the closed event exceed
 * the limit, so the caller starts a new invocation with it.  Strings are JSON
 * escaped; the writer never allocates beyond the caller's buffer maximum.
 */
#ifndef KDO_EVENT_H
#define KDO_EVENT_H

#include "base/buf.h"

#include <stddef.h>
#include <stdint.h>

struct kdo_event {
    struct kdo_buf *out; /* borrowed */
    size_t limit;        /* max bytes of the closed event */
    size_t count;        /* records added */
};

/* Resets `out` and writes the head of an event.  limit is usually
 * KDO_MAX_EVENT_BYTES.  Returns 0, or KDO_ETOOBIG if even an empty event
 * would not fit the limit or the buffer (then every kdo_event_add() fails
 * and kdo_event_end() must not be called).  Both strings are borrowed for the
 * call, must be UTF-8, and are JSON-escaped. */
int kdo_event_begin(struct kdo_event *ev, struct kdo_buf *out, size_t limit,
                    const char *invocation_id, const char *application_arn);

/* Appends one record.  Returns 0; KDO_ETOOBIG if the closed event would pass
 * the limit (or the buffer's maximum) with it: the event is left unchanged,
 * and if count == 0 the record can never be sent on its own.  record_id and
 * data are borrowed for the call; record_id is copied byte for byte apart from
 * JSON's mandatory escapes, so it must be UTF-8 for the event to be JSON. */
int kdo_event_add(struct kdo_event *ev, const char *record_id, size_t id_len,
                  uint64_t retry_hint, const void *data, size_t data_len);

/* Closes the event, once, after a successful kdo_event_begin(); cannot fail
 * (room for the closing bytes is always reserved).  Returns its total length
 * in bytes (== out->len, never more than the limit). */
size_t kdo_event_end(struct kdo_event *ev);

/* Bytes kdo_event_add() would add for such a record when it is not the first
 * one (the first one is one byte shorter: no comma).  For an id that needs no
 * JSON escaping. */
size_t kdo_event_record_size(size_t id_len, uint64_t retry_hint, size_t data_len);

#endif
