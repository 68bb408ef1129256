/*
 * buf.h -- a growable byte buffer with a hard maximum.
 *
 * Every buffer in kdaout is bounded: appending past `max` fails with
 * KDO_ETOOBIG and leaves the buffer unchanged.  The data is kept
 * NUL-terminated (the NUL is not counted in len) so text can be handed to C
 * string functions.  Growth aborts on out-of-memory.
 */
#ifndef KDO_BUF_H
#define KDO_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct kdo_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

/* An empty buffer that will never hold more than `max` bytes. */
void kdo_buf_init(struct kdo_buf *b, size_t max);
void kdo_buf_cleanup(struct kdo_buf *b);

/* Makes room for `extra` more bytes; KDO_ETOOBIG past max. */
int kdo_buf_reserve(struct kdo_buf *b, size_t extra);
int kdo_buf_append(struct kdo_buf *b, const void *p, size_t n);
int kdo_buf_puts(struct kdo_buf *b, const char *s);
int kdo_buf_printf(struct kdo_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int kdo_buf_vprintf(struct kdo_buf *b, const char *fmt, va_list ap);

/* Appends s as a JSON string literal, quotes included. */
int kdo_buf_json_string(struct kdo_buf *b, const char *s, size_t n);
/* Writes s as a JSON string literal, quotes included, at o, which has room
 * for 6 * n + 2 bytes (every byte escaped as \u00XX); returns the end. */
char *kdo_json_string_to(char *o, const char *s, size_t n);

static inline void kdo_buf_reset(struct kdo_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

#endif
