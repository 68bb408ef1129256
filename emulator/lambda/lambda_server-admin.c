/*
 * lambda_server-admin.c -- the fake-lambda server's /_kdaout endpoints.
 *
 * GET /_kdaout/invocations streams the invocation log one entry at a time,
 * so a reply never holds the whole log (it may be 64 MiB); entries dropped
 * or reset while it is sent are skipped and counted.  POST /_kdaout/reset
 * empties the log.  These calls draw their request ids from the server's
 * other generator, so they never shift the fakes' faults.  No HTTP here: the
 * handler's content reader (lambda_server.c) pulls the pieces.
 */
#include "lambda/lambda_server-int.h"

#include "base/buf.h"
#include "lambda/invlog.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

/* The log is streamed (see list_more): this only fixes which entries the
 * reply covers, those logged so far.  The reply is chunked, no Content-Length. */
void kdo__lsrv_list_invocations(struct kdo__lsrv_request *r)
{
    struct kdo_lambda_server *s = r->s;
    r->list_next = kdo_invlog_first(s->log);
    r->list_last = kdo_invlog_last(s->log);
    r->list_phase = 0;
    kdo_buf_init(&r->list, SIZE_MAX / 2);
    kdo__lsrv_set_reply(r, 200, NULL, "", 0);
}

/* Formats the next piece of the log into r->list: the head, one entry, or
 * the tail.  Entries dropped or reset while the reply is streamed are skipped,
 * and `dropped` comes last so it counts them.  Returns 0 when all was written. */
int kdo__lsrv_list_more(struct kdo__lsrv_request *r)
{
    struct kdo_lambda_server *s = r->s;
    uint64_t first = kdo_invlog_first(s->log);
    kdo_buf_reset(&r->list);
    if (r->list_next < first) /* dropped, or reset, since the last piece */
        r->list_next = first;
    if (r->list_phase == 0) {
        kdo_buf_puts(&r->list, "{\"invocations\":[");
        r->list_phase = 1;
    } else if (r->list_phase == 1 && r->list_next <= r->list_last &&
               r->list_next <= kdo_invlog_last(s->log)) {
        kdo_buf_puts(&r->list, r->list_any ? "," : "");
        r->list_any = 1;
        kdo_invlog_format(s->log, r->list_next++, &r->list);
    } else if (r->list_phase == 1) {
        kdo_buf_printf(&r->list, "],\"dropped\":%" PRIu64 ",\"logBytes\":%zu}",
                       kdo_invlog_dropped(s->log), kdo_invlog_bytes(s->log));
        r->list_phase = 2;
    } else {
        return 0;
    }
    r->list_off = 0;
    return 1;
}

void kdo__lsrv_reset_invocations(struct kdo__lsrv_request *r)
{
    struct kdo_lambda_server *s = r->s;
    char body[64];
    int n = snprintf(body, sizeof body, "{\"reset\":%zu}", kdo_invlog_reset(s->log));
    kdo__lsrv_set_reply(r, 200, NULL, body, (size_t)n);
}
