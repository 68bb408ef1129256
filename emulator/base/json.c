/*
 * json.c -- the strict pull scanner of json.h.
 *
 * A state machine over the input bytes: each kdo_json_next() resumes in the
 * state the previous token left (expecting a value, a key, a ':', a ',' or a
 * closing bracket), reads exactly one token, checks it and stops.  Strings
 * are scanned in place, eight bytes at a time, and handed out as a pointer
 * into the input; only a string with a backslash is decoded, into a scratch
 * buffer sized once to the rest of the input (unescaping never lengthens).
 * Duplicate keys are found per open object: keys are kept on a stack that an
 * object's '}' truncates; an object with more than SMALL_OBJECT keys gets an
 * open-addressing hash set (one per depth, reused), so a huge object costs
 * linear time.  What it deliberately does not do: build values, convert
 * numbers, accept any extension (comments, NaN, trailing commas, a BOM).
 */
#include "base/json.h"

#include "base/hash.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Objects with up to this many keys are checked for duplicates by a linear
 * scan, which beats hashing for the common two- or three-key object. */
#define SMALL_OBJECT 16
#define FIRST_SET_SLOTS 64

enum state {
    S_VALUE,        /* a value: top level, after ':' */
    S_ARRAY_FIRST,  /* after '[': a value or ']' */
    S_OBJECT_FIRST, /* after '{': a key or '}' */
    S_COLON,        /* after a key: ':' then the value */
    S_AFTER_VALUE,  /* inside a container: ',' or its closing bracket */
    S_DONE,         /* the top-level value is complete: only whitespace may follow */
    S_END,
    S_ERROR,
};

/* A key of an open object: in the input (p != NULL) or in the arena at off. */
struct key {
    const char *p;
    size_t off;
    size_t len;
    uint64_t hash; /* set once the object is hashed */
};

struct frame {
    bool object;
    bool hashed;
    size_t key_base;   /* its first key in keys[] */
    size_t arena_base; /* arena length when it opened */
};

/* The hash set of one depth: slots hold 1 + the key's index in its object. */
struct keyset {
    uint32_t *slots;
    size_t alloc; /* slots allocated */
    size_t used;  /* slots in use by the current object (a power of two) */
};

struct kdo_json {
    const unsigned char *start, *p, *end;
    size_t max_bytes;
    int max_depth;
    int depth;
    enum state state;
    struct frame *frames; /* [max_depth] */
    struct keyset *sets;  /* [max_depth] */
    struct key *keys;
    size_t nkeys, keys_cap;
    char *arena; /* unescaped keys of open objects */
    size_t arena_len, arena_cap;
    char *scratch; /* the last unescaped string */
    size_t scratch_cap;
    struct kdo_json_error err;
};

/* 1 for the bytes that stop the fast string scan: '"', '\\', control
 * characters and every non-ASCII byte (which starts a UTF-8 check). */
#define X16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
// clang-format off
static const uint8_t stops[256] = {
    X16(1), X16(1),                                  /* 0x00-0x1f */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x20-0x2f: '"' */
    X16(0), X16(0),                                  /* 0x30-0x4f */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,  /* 0x50-0x5f: '\\' */
    X16(0), X16(0),                                  /* 0x60-0x7f */
    X16(1), X16(1), X16(1), X16(1), X16(1), X16(1), X16(1), X16(1),
};
// clang-format on
#undef X16

static int fail(struct kdo_json *j, int code, const unsigned char *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct kdo_json *j, int code, const unsigned char *at, const char *fmt, ...)
{
    j->err.code = code;
    j->err.offset = (size_t)(at - j->start);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err.msg, sizeof j->err.msg, fmt, ap);
    va_end(ap);
    j->state = S_ERROR;
    return code;
}

/* A byte for an error message: 'x' when printable, else 0xNN. */
static const char *show_byte(int c, char out[12])
{
    if (c < 0)
        snprintf(out, 12, "end");
    else if (c > 0x20 && c < 0x7f)
        snprintf(out, 12, "'%c'", c);
    else
        snprintf(out, 12, "0x%02x", (unsigned)c & 0xffu);
    return out;
}

struct kdo_json *kdo_json_new(int max_depth, size_t max_bytes)
{
    if (max_depth < 1 || max_depth > KDO_JSON_DEPTH_CAP || max_bytes > KDO_JSON_BYTES_CAP)
        return NULL;
    struct kdo_json *j = kdo_xcalloc(1, sizeof *j);
    j->max_depth = max_depth;
    j->max_bytes = max_bytes;
    j->frames = kdo_xcalloc((size_t)max_depth, sizeof *j->frames);
    j->sets = kdo_xcalloc((size_t)max_depth, sizeof *j->sets);
    kdo_json_reset(j, "", 0);
    return j;
}

void kdo_json_free(struct kdo_json *j)
{
    if (j == NULL)
        return;
    for (int d = 0; d < j->max_depth; d++)
        free(j->sets[d].slots);
    free(j->sets);
    free(j->frames);
    free(j->keys);
    free(j->arena);
    free(j->scratch);
    free(j);
}

int kdo_json_reset(struct kdo_json *j, const char *data, size_t len)
{
    static const char empty[1] = "";
    bool missing = data == NULL;
    if (missing)
        data = empty;
    j->start = j->p = (const unsigned char *)data;
    j->end = j->p + (missing ? 0 : len);
    j->depth = 0;
    j->nkeys = 0;
    j->arena_len = 0;
    j->state = S_VALUE;
    memset(&j->err, 0, sizeof j->err);
    if (missing && len > 0)
        return fail(j, KDO_EINVAL, j->p, "no input (NULL with a length)");
    if (len > j->max_bytes)
        return fail(j, KDO_ETOOBIG, j->start + j->max_bytes,
                    "document of %zu bytes is over the limit of %zu", len, j->max_bytes);
    return 0;
}

const struct kdo_json_error *kdo_json_error(const struct kdo_json *j)
{
    return j->state == S_ERROR ? &j->err : NULL;
}

int kdo_json_errinfo(const struct kdo_json *j, struct kdo_errinfo *e, const char *file)
{
    if (j->state != S_ERROR)
        return 0;
    int line = 1;
    size_t bol = 0;
    for (size_t i = 0; i < j->err.offset && j->start + i < j->end; i++)
        if (j->start[i] == '\n') {
            line++;
            bol = i + 1;
        }
    return kdo_errinfo_set(e, j->err.code, file, line, (int)(j->err.offset - bol) + 1, "%s",
                           j->err.msg);
}

/* ---- bytes ---------------------------------------------------------------- */

/* Skips whitespace; returns the next byte, or -1 at the end of input. */
static int peek(struct kdo_json *j)
{
    const unsigned char *p = j->p, *end = j->end;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    j->p = p;
    return p < end ? *p : -1;
}

static bool is_digit(const unsigned char *p, const unsigned char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* Length of the valid UTF-8 sequence at p (2..4 bytes, RFC 3629 table 3-7),
 * or 0: no overlongs, no encoded surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0], lo = 0x80, hi = 0xbf;
    size_t n;
    if (c < 0xc2)
        return 0;
    else if (c < 0xe0)
        n = 2;
    else if (c < 0xf0) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c < 0xf5) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else
        return 0;
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

static int hex4(const unsigned char *p, const unsigned char *end)
{
    if (end - p < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static char *put_utf8(char *q, uint32_t cp)
{
    if (cp < 0x80) {
        *q++ = (char)cp;
    } else if (cp < 0x800) {
        *q++ = (char)(0xc0 | cp >> 6);
        *q++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *q++ = (char)(0xe0 | cp >> 12);
        *q++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *q++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *q++ = (char)(0xf0 | cp >> 18);
        *q++ = (char)(0x80 | (cp >> 12 & 0x3f));
        *q++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *q++ = (char)(0x80 | (cp & 0x3f));
    }
    return q;
}

/* ---- strings -------------------------------------------------------------- */

/* The first byte at or after p that stops a string scan (see stops[]), or
 * end.  Eight bytes at a time: a string is mostly plain bytes, and this loop
 * is the scanner's hot spot.  In each word, a byte is flagged if it is >= 0x80,
 * < 0x20, '"' or '\\'; the borrow tricks can flag false bytes only above a
 * true one, so the lowest flagged byte is exact. */
static const unsigned char *plain_run(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__)
    /* 16 bytes a step (SSE2 is part of every x86-64): as signed bytes, both
     * control characters and bytes >= 0x80 compare below 0x20. */
    const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i hit = _mm_or_si128(_mm_cmplt_epi8(v, space),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        int mask = _mm_movemask_epi8(hit);
        if (mask)
            return p + __builtin_ctz((unsigned)mask);
        p += 16;
    }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (end - p >= 8) {
        uint64_t w, q, b;
        memcpy(&w, p, 8);
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        uint64_t hit =
            (w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs;
        if (hit)
            return p + (__builtin_ctzll(hit) >> 3);
        p += 8;
    }
#endif
    while (p < end && !stops[*p])
        p++;
    return p;
}

/* The \u escape at j->p (pointing at the backslash), surrogate pairs joined. */
static int unicode_escape(struct kdo_json *j, char **q)
{
    const unsigned char *p = j->p;
    int cp = hex4(p + 2, j->end);
    if (cp < 0)
        return fail(j, KDO_EPARSE, p, "\\u escape without four hex digits");
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return fail(j, KDO_EPARSE, p, "lone low surrogate \\u%04x", (unsigned)cp);
    if (cp >= 0xd800 && cp <= 0xdbff) {
        int lo = j->end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? hex4(p + 8, j->end) : -1;
        if (lo < 0xdc00 || lo > 0xdfff)
            return fail(j, KDO_EPARSE, p, "high surrogate \\u%04x not followed by a low one",
                        (unsigned)cp);
        *q = put_utf8(*q, 0x10000 + (((uint32_t)cp - 0xd800) << 10) + ((uint32_t)lo - 0xdc00));
        j->p = p + 12;
        return 0;
    }
    *q = put_utf8(*q, (uint32_t)cp);
    j->p = p + 6;
    return 0;
}

static int escape(struct kdo_json *j, char **q)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const unsigned char *p = j->p;
    char out[12];
    int c = p + 1 < j->end ? p[1] : -1;
    const char *hit = c > 0 ? strchr(from, c) : NULL;
    if (c == 'u')
        return unicode_escape(j, q);
    if (c < 0)
        return fail(j, KDO_EPARSE, p, "unterminated string (the input ends in an escape)");
    if (hit == NULL)
        return fail(j, KDO_EPARSE, p, "invalid escape \\ followed by %s", show_byte(c, out));
    *(*q)++ = to[hit - from];
    j->p = p + 2;
    return 0;
}

/* One byte of a string that the fast scan stopped at, other than '"' and
 * '\\': a control character (refused) or the start of a UTF-8 sequence. */
static int string_special(struct kdo_json *j, size_t *n)
{
    const unsigned char *p = j->p;
    if (*p < 0x20)
        return fail(j, KDO_EPARSE, p, "unescaped control character 0x%02x in a string", *p);
    *n = utf8_len(p, j->end);
    if (*n == 0)
        return fail(j, KDO_EPARSE, p, "invalid UTF-8 byte 0x%02x in a string", *p);
    return 0;
}

/* Decodes the string that began at s (just after its quote) into scratch;
 * j->p is at its first backslash, bytes before it are plain. */
static int string_decode(struct kdo_json *j, const unsigned char *s, const unsigned char *quote,
                         struct kdo_json_tok *t)
{
    size_t room = (size_t)(j->end - s);
    if (j->scratch_cap < room) {
        j->scratch = kdo_xrealloc(j->scratch, room);
        j->scratch_cap = room;
    }
    memcpy(j->scratch, s, (size_t)(j->p - s));
    char *q = j->scratch + (j->p - s);
    for (;;) {
        const unsigned char *p = j->p, *end = j->end, *run = plain_run(p, end);
        memcpy(q, p, (size_t)(run - p));
        q += run - p;
        p = j->p = run;
        if (p == end)
            return fail(j, KDO_EPARSE, quote, "unterminated string");
        size_t n;
        int err;
        if (*p == '"') {
            t->s = j->scratch;
            t->len = (size_t)(q - j->scratch);
            j->p = p + 1;
            return 0;
        } else if (*p == '\\') {
            err = escape(j, &q);
        } else if ((err = string_special(j, &n)) == 0) {
            memcpy(q, p, n);
            q += n;
            j->p = p + n;
        }
        if (err)
            return err;
    }
}

/* The string at j->p (its opening quote): in place unless it has escapes.
 * *decoded tells which. */
static int string(struct kdo_json *j, struct kdo_json_tok *t, bool *decoded)
{
    const unsigned char *quote = j->p, *s = quote + 1, *p = s, *end = j->end;
    *decoded = false;
    for (;;) {
        p = j->p = plain_run(p, end);
        if (p == end)
            return fail(j, KDO_EPARSE, quote, "unterminated string");
        if (*p == '"') {
            t->s = (const char *)s;
            t->len = (size_t)(p - s);
            j->p = p + 1;
            return 0;
        }
        if (*p == '\\') {
            *decoded = true;
            return string_decode(j, s, quote, t);
        }
        size_t n;
        int err = string_special(j, &n);
        if (err)
            return err;
        p += n;
    }
}

/* ---- duplicate keys ------------------------------------------------------- */

static const char *key_bytes(const struct kdo_json *j, const struct key *k)
{
    return k->p ? k->p : j->arena + k->off;
}

static bool key_equal(const struct kdo_json *j, const struct key *k, const char *s, size_t n)
{
    return k->len == n && memcmp(key_bytes(j, k), s, n) == 0;
}

static void set_insert(struct keyset *set, uint64_t hash, uint32_t slot_value)
{
    size_t mask = set->used - 1, i = (size_t)hash & mask;
    while (set->slots[i])
        i = (i + 1) & mask;
    set->slots[i] = slot_value;
}

/* (Re)builds the hash set of the innermost object with `used` slots. */
static void set_build(struct kdo_json *j, struct frame *f, struct keyset *set, size_t used)
{
    if (set->alloc < used) {
        set->slots = kdo_xrealloc(set->slots, used * sizeof *set->slots);
        set->alloc = used;
    }
    set->used = used;
    memset(set->slots, 0, used * sizeof *set->slots);
    for (size_t i = f->key_base; i < j->nkeys; i++) {
        struct key *k = &j->keys[i];
        if (!f->hashed)
            k->hash = kdo_hash_bytes(key_bytes(j, k), k->len);
        set_insert(set, k->hash, (uint32_t)(i - f->key_base + 1));
    }
    f->hashed = true;
}

static bool set_contains(const struct kdo_json *j, const struct frame *f, const struct keyset *set,
                         uint64_t hash, const char *s, size_t n)
{
    size_t mask = set->used - 1;
    for (size_t i = (size_t)hash & mask; set->slots[i]; i = (i + 1) & mask) {
        const struct key *k = &j->keys[f->key_base + set->slots[i] - 1];
        if (k->hash == hash && key_equal(j, k, s, n))
            return true;
    }
    return false;
}

static bool seen_key(const struct kdo_json *j, const struct frame *f, uint64_t *hash, const char *s,
                     size_t n)
{
    if (f->hashed) {
        *hash = kdo_hash_bytes(s, n);
        return set_contains(j, f, &j->sets[j->depth - 1], *hash, s, n);
    }
    for (size_t i = f->key_base; i < j->nkeys; i++)
        if (key_equal(j, &j->keys[i], s, n))
            return true;
    return false;
}

static void push_key(struct kdo_json *j, const char *s, size_t n, bool decoded, uint64_t hash)
{
    if (j->nkeys == j->keys_cap) {
        j->keys_cap = j->keys_cap ? 2 * j->keys_cap : 64;
        j->keys = kdo_xrealloc(j->keys, j->keys_cap * sizeof *j->keys);
    }
    struct key *k = &j->keys[j->nkeys++];
    k->p = decoded ? NULL : s;
    k->off = j->arena_len;
    k->len = n;
    k->hash = hash;
    if (decoded) {
        if (j->arena_cap - j->arena_len < n) {
            while (j->arena_cap - j->arena_len < n)
                j->arena_cap = j->arena_cap ? 2 * j->arena_cap : 256;
            j->arena = kdo_xrealloc(j->arena, j->arena_cap);
        }
        memcpy(j->arena + j->arena_len, s, n);
        j->arena_len += n;
    }
}

/* Escapes a key for an error message, shortened to fit. */
static const char *show_key(const char *s, size_t n, char out[48])
{
    size_t o = 0;
    for (size_t i = 0; i < n && o < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, 48 - o, "\\x%02x", c);
    }
    if (o >= 40)
        o = (size_t)snprintf(out + 37, 11, "...") + 37;
    out[o] = '\0';
    return out;
}

/* Records the key s/n in the innermost object, refusing a repeat. */
static int add_key(struct kdo_json *j, const unsigned char *at, const char *s, size_t n,
                   bool decoded)
{
    struct frame *f = &j->frames[j->depth - 1];
    struct keyset *set = &j->sets[j->depth - 1];
    uint64_t hash = 0;
    char out[48];
    if (seen_key(j, f, &hash, s, n))
        return fail(j, KDO_EPARSE, at, "duplicate key \"%s\"", show_key(s, n, out));
    push_key(j, s, n, decoded, hash);
    size_t count = j->nkeys - f->key_base;
    if (!f->hashed && count > SMALL_OBJECT)
        set_build(j, f, set, FIRST_SET_SLOTS);
    else if (f->hashed && 2 * count > set->used)
        set_build(j, f, set, 2 * set->used);
    else if (f->hashed)
        set_insert(set, hash, (uint32_t)count);
    return 0;
}

/* ---- tokens --------------------------------------------------------------- */

static void value_done(struct kdo_json *j)
{
    j->state = j->depth == 0 ? S_DONE : S_AFTER_VALUE;
}

static int open_container(struct kdo_json *j, struct kdo_json_tok *t, bool object)
{
    if (j->depth == j->max_depth)
        return fail(j, KDO_EDEPTH, j->p, "more than %d nested arrays or objects", j->max_depth);
    struct frame *f = &j->frames[j->depth++];
    f->object = object;
    f->hashed = false;
    f->key_base = j->nkeys;
    f->arena_base = j->arena_len;
    t->type = object ? KDO_JSON_OBJECT : KDO_JSON_ARRAY;
    j->state = object ? S_OBJECT_FIRST : S_ARRAY_FIRST;
    j->p++;
    return 0;
}

static int close_container(struct kdo_json *j, struct kdo_json_tok *t)
{
    struct frame *f = &j->frames[--j->depth];
    if (f->object) {
        j->nkeys = f->key_base;
        j->arena_len = f->arena_base;
    }
    t->type = f->object ? KDO_JSON_OBJECT_END : KDO_JSON_ARRAY_END;
    t->depth = j->depth;
    j->p++;
    value_done(j);
    return 0;
}

static int number(struct kdo_json *j, struct kdo_json_tok *t)
{
    const unsigned char *s = j->p, *p = s, *end = j->end;
    if (*p == '-')
        p++;
    if (!is_digit(p, end))
        return fail(j, KDO_EPARSE, p, "expected a digit after '-'");
    if (*p == '0') {
        if (is_digit(++p, end))
            return fail(j, KDO_EPARSE, s, "number with a leading zero");
    } else {
        while (is_digit(p, end))
            p++;
    }
    if (p < end && *p == '.') {
        if (!is_digit(++p, end))
            return fail(j, KDO_EPARSE, p, "expected a digit after the decimal point");
        while (is_digit(p, end))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (!is_digit(p, end))
            return fail(j, KDO_EPARSE, p, "expected a digit in the exponent");
        while (is_digit(p, end))
            p++;
    }
    t->type = KDO_JSON_NUMBER;
    t->s = (const char *)s;
    t->len = (size_t)(p - s);
    j->p = p;
    value_done(j);
    return 0;
}

static int literal(struct kdo_json *j, struct kdo_json_tok *t, const char *word,
                   enum kdo_json_type type)
{
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
        return fail(j, KDO_EPARSE, j->p, "invalid literal (expected %s)", word);
    t->type = type;
    j->p += n;
    value_done(j);
    return 0;
}

/* A value starting with byte c at j->p. */
static int value(struct kdo_json *j, struct kdo_json_tok *t, int c)
{
    char out[12];
    bool decoded;
    t->offset = (size_t)(j->p - j->start);
    t->depth = j->depth;
    switch (c) {
    case '{':
        return open_container(j, t, true);
    case '[':
        return open_container(j, t, false);
    case 't':
        return literal(j, t, "true", KDO_JSON_TRUE);
    case 'f':
        return literal(j, t, "false", KDO_JSON_FALSE);
    case 'n':
        return literal(j, t, "null", KDO_JSON_NULL);
    case '"': {
        int err = string(j, t, &decoded);
        if (err)
            return err;
        t->type = KDO_JSON_STRING;
        value_done(j);
        return 0;
    }
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return number(j, t);
        if (c < 0)
            return fail(j, KDO_EPARSE, j->p, "unexpected end of input, expected a value");
        return fail(j, KDO_EPARSE, j->p, "unexpected %s, expected a value", show_byte(c, out));
    }
}

static int key(struct kdo_json *j, struct kdo_json_tok *t, int c)
{
    char out[12];
    if (c != '"')
        return fail(j, KDO_EPARSE, j->p, "unexpected %s, expected a string key", show_byte(c, out));
    const unsigned char *at = j->p;
    bool decoded;
    int err = string(j, t, &decoded);
    if (err == 0)
        err = add_key(j, at, t->s, t->len, decoded);
    if (err)
        return err;
    t->type = KDO_JSON_KEY;
    t->offset = (size_t)(at - j->start);
    t->depth = j->depth;
    j->state = S_COLON;
    return 0;
}

static int after_value(struct kdo_json *j, struct kdo_json_tok *t)
{
    char out[12];
    bool object = j->frames[j->depth - 1].object;
    int c = peek(j);
    if (c == ',') {
        j->p++;
        return object ? key(j, t, peek(j)) : value(j, t, peek(j));
    }
    if (c == (object ? '}' : ']'))
        return close_container(j, t);
    return fail(j, KDO_EPARSE, j->p, "unexpected %s, expected ',' or '%c'", show_byte(c, out),
                object ? '}' : ']');
}

static int colon(struct kdo_json *j, struct kdo_json_tok *t)
{
    char out[12];
    int c = peek(j);
    if (c != ':')
        return fail(j, KDO_EPARSE, j->p, "unexpected %s, expected ':' after a key",
                    show_byte(c, out));
    j->p++;
    return value(j, t, peek(j));
}

static int done(struct kdo_json *j, struct kdo_json_tok *t)
{
    char out[12];
    int c = peek(j);
    if (c >= 0)
        return fail(j, KDO_EPARSE, j->p, "unexpected %s after the document", show_byte(c, out));
    j->state = S_END;
    t->type = KDO_JSON_END;
    t->offset = (size_t)(j->p - j->start);
    return 0;
}

int kdo_json_next(struct kdo_json *j, struct kdo_json_tok *t)
{
    int c;
    t->s = NULL;
    t->len = 0;
    t->depth = j->depth;
    t->offset = (size_t)(j->p - j->start);
    switch (j->state) {
    case S_VALUE:
        return value(j, t, peek(j));
    case S_ARRAY_FIRST:
        c = peek(j);
        return c == ']' ? close_container(j, t) : value(j, t, c);
    case S_OBJECT_FIRST:
        c = peek(j);
        return c == '}' ? close_container(j, t) : key(j, t, c);
    case S_COLON:
        return colon(j, t);
    case S_AFTER_VALUE:
        return after_value(j, t);
    case S_DONE:
        return done(j, t);
    case S_END:
        t->type = KDO_JSON_END;
        return 0;
    case S_ERROR:
    default:
        t->type = KDO_JSON_END;
        return j->err.code;
    }
}

int kdo_json_skip(struct kdo_json *j, const struct kdo_json_tok *t)
{
    struct kdo_json_tok u;
    int err;
    if (t->type == KDO_JSON_KEY) {
        if ((err = kdo_json_next(j, &u)) != 0)
            return err;
        return kdo_json_skip(j, &u);
    }
    if (t->type != KDO_JSON_OBJECT && t->type != KDO_JSON_ARRAY)
        return 0;
    do {
        if ((err = kdo_json_next(j, &u)) != 0)
            return err;
    } while (u.type != KDO_JSON_END && (u.depth != t->depth || (u.type != KDO_JSON_OBJECT_END &&
                                                                u.type != KDO_JSON_ARRAY_END)));
    return 0;
}

int kdo_json_check(struct kdo_json *j, const char *data, size_t len)
{
    struct kdo_json_tok t;
    int err = kdo_json_reset(j, data, len);
    while (err == 0) {
        err = kdo_json_next(j, &t);
        if (err == 0 && t.type == KDO_JSON_END)
            break;
    }
    return err;
}
