/*
 * framing.c -- RFC 9112 §6 message framing, decided from the head.
 *
 * Strict on purpose: two Content-Lengths (even equal ones), a Content-Length
 * that is not a number, Content-Length with Transfer-Encoding, and codings
 * that do not end with exactly one chunked are refused with 400; a known
 * frame (a final chunked) behind a coding this server does not implement
 * (gzip, chunked) is 501, as the RFC advises.
 */
#include "lambda/framing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One Transfer-Encoding line: a list of codings, each maybe with parameters. */
static void add_codings(struct kdo_framing *f, const char *p)
{
    f->te_lines++;
    f->last_chunked = 0; /* even an empty line cannot end with chunked */
    for (;;) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, " \t,;");
        if (n == 0)
            return;
        f->last_chunked = n == 7 && strncasecmp(p, "chunked", 7) == 0;
        f->chunked += (unsigned)f->last_chunked;
        f->codings++;
        p += n;
        p += strcspn(p, ","); /* parameters */
    }
}

static void add_length(struct kdo_framing *f, const char *v)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    f->bad_length |= errno != 0 || end == v || *end != '\0' || *v == '-' || *v == '+';
    f->length = n;
    f->lengths++;
}

void kdo_framing_add(struct kdo_framing *f, const char *name, const char *value)
{
    if (value == NULL)
        value = "";
    if (strcasecmp(name, "Content-Length") == 0)
        add_length(f, value);
    else if (strcasecmp(name, "Transfer-Encoding") == 0)
        add_codings(f, value);
}

enum kdo_framing_verdict kdo_framing_judge(const struct kdo_framing *f, const char **why)
{
    const char *w = NULL;
    if (f->lengths > 1)
        w = "More than one Content-Length header";
    else if (f->bad_length)
        w = "Content-Length is not a number";
    else if (f->lengths && f->te_lines)
        w = "Content-Length together with Transfer-Encoding";
    else if (f->te_lines && (!f->last_chunked || f->chunked != 1))
        w = "Transfer-Encoding must end with chunked, applied once";
    if (w) {
        *why = w;
        return KDO_FRAMING_AMBIGUOUS;
    }
    if (f->codings > 1) {
        *why = "Transfer codings other than chunked are not supported";
        return KDO_FRAMING_UNSUPPORTED;
    }
    *why = NULL;
    return KDO_FRAMING_OK;
}
