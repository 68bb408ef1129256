/*
 * invocation.h -- one invocation as it leaves the delivery engine.
 *
 * A borrowed view: the encoded event exactly as sent, plus the same records
 * already split into fields, so an in-process end (the fake Lambda) need not
 * parse what the engine has just written.  Everything is borrowed from the
 * delivery engine until the reply to this invocation has been consumed.
 */
#ifndef KDO_INVOCATION_H
#define KDO_INVOCATION_H

#include "delivery/reply.h"

#include <stddef.h>
#include <stdint.h>

struct kdo_invocation {
    uint64_t number;           /* 1-based, per application run */
    const char *invocation_id; /* the event's invocationId */
    const char *event;         /* the encoded event, as sent */
    size_t event_len;
    size_t n;                     /* records */
    const struct kdo_str *ids;    /* recordId of each record */
    const uint64_t *hints;        /* retryHint of each record */
    const struct kdo_str *data;   /* each row, not base64-encoded */
};

#endif
