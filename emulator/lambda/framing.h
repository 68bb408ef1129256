/*
 * framing.h -- how an HTTP/1.1 request says where its body ends (RFC 9112
 * §6), judged from its head alone.
 *
 * Both servers (the fake Lambda and kdaout host) refuse a body whose length
 * could be read two ways rather than guess: libmicrohttpd 0.9.75 takes the
 * first of two Content-Lengths, lets chunked win over Content-Length and
 * waits for the end of a gzip body it cannot frame -- the ingredients of
 * request smuggling.  The rules live here once; the servers feed the headers
 * and answer the verdict.  Pure: no I/O, no allocation.
 */
#ifndef KDO_FRAMING_H
#define KDO_FRAMING_H

/* What the head said, header by header.  Zero-initialise, then add. */
struct kdo_framing {
    unsigned lengths;        /* Content-Length headers */
    unsigned te_lines;       /* Transfer-Encoding headers */
    unsigned codings;        /* transfer codings over all of them */
    unsigned chunked;        /* how many of those are chunked */
    int last_chunked;        /* the last coding is chunked */
    int bad_length;          /* a Content-Length that is not a number */
    unsigned long long length;
};

/* Notes one header (any other name is ignored; value NULL reads as ""). */
void kdo_framing_add(struct kdo_framing *f, const char *name, const char *value);

enum kdo_framing_verdict {
    KDO_FRAMING_OK,          /* no body, a Content-Length, or chunked alone */
    KDO_FRAMING_AMBIGUOUS,   /* 400: could be read two ways (RFC 9112's MUST) */
    KDO_FRAMING_UNSUPPORTED, /* 501: a coding other than chunked before a final chunked */
};

/* The verdict, and for a refusal a sentence saying why (static). */
enum kdo_framing_verdict kdo_framing_judge(const struct kdo_framing *f, const char **why);

#endif
