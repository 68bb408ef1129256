/*
 * event_reader.h -- reads a KDA output event, as a Lambda end receives it.
 *
 * The counterpart of event.h, for the fake function behind the Invoke API:
 * it turns the request body back into a struct kdo_invocation view (recordIds,
 * retryHints and, on request, the decoded rows) so the same fault rules run
 * on it as in process.  Strict and bounded like the reply judge (json.h): a
 * body that is not JSON is KDO_EPARSE (the Invoke API's 400
 * InvalidRequestContentException); JSON that is not a KDA output event is
 * KDO_ESCHEMA.  Decoding rows is optional because only content-matching rules
 * need them.  Nothing is allocated per record once the reader has grown.
 */
#ifndef KDO_EVENT_READER_H
#define KDO_EVENT_READER_H

#include "delivery/invocation.h"

#include <stddef.h>

struct kdo_event_reader;

struct kdo_event_reader *kdo_event_reader_new(void);
void kdo_event_reader_free(struct kdo_event_reader *r);

/* Reads body[0..len).  On success returns 0 and fills *inv with views that
 * stay valid until the next read or free (number is left 0; the event
 * pointer is the body).  With decode_rows the data views are the base64-
 * decoded rows, else they are empty.  Returns KDO_EPARSE or KDO_ESCHEMA with
 * a sentence in why. */
int kdo_event_reader_read(struct kdo_event_reader *r, const char *body, size_t len, int decode_rows,
                          struct kdo_invocation *inv, char *why, size_t why_size);

#endif
