/*
 * json.h -- a small, strict, bounded pull scanner for JSON text.
 *
 * kdo_json_next() hands out one token at a time from a borrowed byte span,
 * checking RFC 8259 exactly as it goes: the grammar, the number syntax, valid
 * UTF-8 (no overlongs, no encoded surrogates, nothing above U+10FFFF), \u
 * escapes with correctly paired surrogates, no raw control characters in
 * strings, nothing but whitespace after the value.  On top of the RFC it
 * refuses duplicate keys in any object (compared after unescaping), nesting
 * deeper than max_depth containers and documents longer than max_bytes.  The
 * invariant: a caller that reads tokens until KDO_JSON_END has seen a document
 * that every strict parser accepts, and the first error stops the scanner for
 * good (it is sticky) with a byte offset and a sentence.  It does not build a
 * tree, convert numbers (a number is handed out as its text: RFC 8259 sets no
 * range) or allocate per token: strings are handed out in place, and decoded
 * into reused scratch only when they contain a backslash.
 */
#ifndef KDO_JSON_H
#define KDO_JSON_H

#include "base/errors.h"

#include <stddef.h>
#include <stdint.h>

/* Upper bounds for kdo_json_new()'s arguments. */
#define KDO_JSON_DEPTH_CAP 4096
#define KDO_JSON_BYTES_CAP ((size_t)UINT32_MAX)

enum kdo_json_type {
    KDO_JSON_END = 0,    /* the document is complete; returned from then on */
    KDO_JSON_OBJECT,     /* '{' */
    KDO_JSON_OBJECT_END, /* '}' */
    KDO_JSON_ARRAY,      /* '[' */
    KDO_JSON_ARRAY_END,  /* ']' */
    KDO_JSON_KEY,        /* a member name; its value is the next token */
    KDO_JSON_STRING,
    KDO_JSON_NUMBER,
    KDO_JSON_TRUE,
    KDO_JSON_FALSE,
    KDO_JSON_NULL,
};

struct kdo_json_tok {
    enum kdo_json_type type;
    /* KEY, STRING: the unescaped UTF-8 bytes (may contain NUL; not
     * NUL-terminated).  NUMBER: the number's text as written.  Otherwise
     * NULL/0.  Borrowed: valid until the next call on the scanner, and no
     * longer than the input span. */
    const char *s;
    size_t len;
    size_t offset; /* byte offset of the token's first byte in the input */
    /* Containers open around the token: 0 for the top-level value; a '{' and
     * its '}' share a depth, and the members inside are at depth + 1. */
    int depth;
};

/* Why a scanner stopped: code is KDO_EPARSE, KDO_EDEPTH or KDO_ETOOBIG. */
struct kdo_json_error {
    int code;
    size_t offset; /* byte offset of the offending byte */
    char msg[128]; /* a short sentence without the offset, e.g. "duplicate key \"a\"" */
};

struct kdo_json;

/* A scanner that refuses more than max_depth nested containers (1 ..
 * KDO_JSON_DEPTH_CAP) and documents longer than max_bytes (at most
 * KDO_JSON_BYTES_CAP).  Returns a new scanner owned by the caller, or NULL if
 * an argument is out of range.  It keeps its scratch space between documents. */
struct kdo_json *kdo_json_new(int max_depth, size_t max_bytes);
/* Frees a scanner; kdo_json_free(NULL) is a no-op. */
void kdo_json_free(struct kdo_json *j);

/* Starts scanning data[0..len), which stays borrowed until the next reset.
 * Returns 0; KDO_ETOOBIG if len exceeds max_bytes, KDO_EINVAL if data is NULL
 * with len > 0 (the error also becomes the scanner's sticky error). */
int kdo_json_reset(struct kdo_json *j, const char *data, size_t len);

/* Reads the next token into *t.  Returns 0, or KDO_EPARSE (malformed, invalid
 * UTF-8, duplicate key, trailing bytes), KDO_EDEPTH or KDO_ETOOBIG; after an
 * error every call returns the same error. */
int kdo_json_next(struct kdo_json *j, struct kdo_json_tok *t);

/* Finishes the value that token t (just returned) begins: for OBJECT or ARRAY
 * consumes through the matching end, for KEY consumes the member's value, for
 * anything else does nothing.  What it skips is still checked.  Returns 0 or
 * the scanner's error. */
int kdo_json_skip(struct kdo_json *j, const struct kdo_json_tok *t);

/* Checks a whole document: kdo_json_reset() then tokens up to END.  Returns 0
 * or the error, as kdo_json_next(). */
int kdo_json_check(struct kdo_json *j, const char *data, size_t len);

/* The sticky error, or NULL if the scanner has not failed since the reset.
 * Borrowed from the scanner. */
const struct kdo_json_error *kdo_json_error(const struct kdo_json *j);

/* Copies the sticky error into *e with a 1-based line and column (in bytes)
 * computed from the offset, naming `file` (borrowed).  Returns the error code,
 * or 0 (leaving *e alone) if there is none. */
int kdo_json_errinfo(const struct kdo_json *j, struct kdo_errinfo *e, const char *file);

#endif
