/*
 * json-int.h -- what the parts of the strict JSON scanner share.
 *
 * The scanner is one module in three files: json.c (the state machine that
 * hands out tokens, the lifecycle and errors), json-string.c (strings: the
 * fast scan, UTF-8 checks and escapes) and json-keys.c (duplicate keys per
 * open object).  The parts share the scanner's state and one way to fail:
 * kdo__json_fail() records the sticky error and stops the machine.
 */
#ifndef KDO_JSON_INT_H
#define KDO_JSON_INT_H

#include "base/json.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kdo__json_state {
    KDO__JSON_S_VALUE,        /* a value: top level, after ':' */
    KDO__JSON_S_ARRAY_FIRST,  /* after '[': a value or ']' */
    KDO__JSON_S_OBJECT_FIRST, /* after '{': a key or '}' */
    KDO__JSON_S_COLON,        /* after a key: ':' then the value */
    KDO__JSON_S_AFTER_VALUE,  /* inside a container: ',' or its closing bracket */
    KDO__JSON_S_DONE,         /* the top-level value is complete: only whitespace may follow */
    KDO__JSON_S_END,
    KDO__JSON_S_ERROR,
};

/* A key of an open object: in the input (p != NULL) or in the arena at off. */
struct kdo__json_key {
    const char *p;
    size_t off;
    size_t len;
    uint64_t hash; /* set once the object is hashed */
};

struct kdo__json_frame {
    bool object;
    bool hashed;
    size_t key_base;   /* its first key in keys[] */
    size_t arena_base; /* arena length when it opened */
};

/* The hash set of one depth: slots hold 1 + the key's index in its object. */
struct kdo__json_keyset {
    uint32_t *slots;
    size_t alloc; /* slots allocated */
    size_t used;  /* slots in use by the current object (a power of two) */
};

struct kdo_json {
    const unsigned char *start, *p, *end;
    size_t max_bytes;
    int max_depth;
    int depth;
    enum kdo__json_state state;
    struct kdo__json_frame *frames; /* [max_depth] */
    struct kdo__json_keyset *sets;  /* [max_depth] */
    struct kdo__json_key *keys;
    size_t nkeys, keys_cap;
    char *arena; /* unescaped keys of open objects */
    size_t arena_len, arena_cap;
    char *scratch; /* the last unescaped string */
    size_t scratch_cap;
    struct kdo_json_error err;
};

/* Records the sticky error at `at` (code, offset, the formatted sentence) and
 * stops the scanner; returns code. */
int kdo__json_fail(struct kdo_json *j, int code, const unsigned char *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A byte for an error message: 'x' when printable, else 0xNN; -1 is "end". */
const char *kdo__json_show_byte(int c, char out[12]);

/* json-string.c: the string at j->p (its opening quote) into t->s/t->len, in
 * place unless it has escapes (then in scratch); *decoded tells which. */
int kdo__json_string(struct kdo_json *j, struct kdo_json_tok *t, bool *decoded);

/* json-keys.c: records the key s/n in the innermost object, refusing a
 * repeat (KDO_EPARSE at `at`); `decoded` keys are copied, others borrowed. */
int kdo__json_add_key(struct kdo_json *j, const unsigned char *at, const char *s, size_t n,
                      bool decoded);

#endif
