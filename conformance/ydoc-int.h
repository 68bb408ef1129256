/*
 * ydoc-int.h -- what the parts of the YAML loader share.
 *
 * The loader is one module in three files: ydoc.c (the public API: loading
 * from a file or memory, the arena, node access), ydoc-build.c (libyaml's
 * event stream into the tree, every limit checked on the event that would
 * break it) and ydoc-error.c (errors at file:line:column: positions in the
 * raw text, libyaml's own errors with hints, the encoding checks).  libyaml
 * is seen by these files only.
 */
#ifndef KDO_YDOC_INT_H
#define KDO_YDOC_INT_H

#include "ydoc.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#define KDO__YDOC_CORE_TAG "tag:yaml.org,2002:"

struct kdo__ydoc_chunk {
    struct kdo__ydoc_chunk *next;
    size_t used, size;
    alignas(max_align_t) unsigned char data[];
};

struct kdo__ydoc_arena {
    struct kdo__ydoc_chunk *head;
};

/* Callers see only `pub`; the rest is bookkeeping for the limits. */
struct kdo__ydoc_ynode {
    struct kdo_ynode pub;
    size_t weight; /* nodes in the subtree with aliases expanded */
    size_t height; /* 0 for a scalar, 1 + tallest child for a collection */
    int open;      /* between START and END: an alias to it is recursive */
};

struct kdo__ydoc_slot {
    size_t scope;
    const char *name; /* NULL: empty slot */
    size_t len;
    struct kdo__ydoc_ynode *node;
};

struct kdo__ydoc_table {
    struct kdo__ydoc_slot *slots;
    size_t cap, count;
};

struct kdo__ydoc_frame {
    struct kdo__ydoc_ynode *node;
    size_t start;  /* first child's index in the shared child stack */
    size_t serial; /* scope of this map's keys in the key table */
};

struct kdo__ydoc_builder {
    const char *file; /* the caller's name, for errors */
    const char *text;
    size_t len;
    struct kdo_ylimits lim;
    struct kdo__ydoc_arena *arena;
    struct kdo_errinfo *err;
    struct kdo__ydoc_frame *frames;
    size_t nframes, capframes;
    struct kdo__ydoc_ynode **kids;
    size_t nkids, capkids;
    struct kdo__ydoc_table anchors, keys;
    size_t serial, nodes, aliases, alias_nodes, documents;
    struct kdo__ydoc_ynode *root;
};

static inline int kdo__ydoc_clamp_int(size_t v)
{
    return v > (size_t)INT32_MAX ? INT32_MAX : (int)v;
}

/* ---- ydoc.c ------------------------------------------------------------- */

/* n bytes from the document's arena, aligned for any type; aborts on OOM. */
void *kdo__ydoc_arena_alloc(struct kdo__ydoc_arena *a, size_t n);
/* p with room for `need` elements of `elem` bytes (doubling *cap). */
void *kdo__ydoc_grow(void *p, size_t *cap, size_t need, size_t elem);

/* ---- ydoc-build.c -------------------------------------------------------- */

/* Parses b->text into b->root; 0 or the error (in b->err). */
int kdo__ydoc_parse(struct kdo__ydoc_builder *b);
void kdo__ydoc_builder_cleanup(struct kdo__ydoc_builder *b);

/* ---- ydoc-error.c -------------------------------------------------------- */

/* Errors at a 0-based libyaml position; the message is one sentence. */
int kdo__ydoc_fail_at(struct kdo__ydoc_builder *b, int code, size_t line0, size_t col0,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define FAIL(b, code, mark, ...)                                                                   \
    kdo__ydoc_fail_at((b), (code), (mark).line, (mark).column, __VA_ARGS__)
/* Printable, quoted and truncated copy of a scalar for messages. */
const char *kdo__ydoc_quote(char *buf, size_t size, const char *s, size_t len);
/* "!!str" for core-schema tags, the tag itself otherwise, escaped. */
const char *kdo__ydoc_show_tag(char *buf, size_t size, const char *tag);
/* libyaml's error as ours, with a hint for the common mistakes. */
int kdo__ydoc_syntax_error(struct kdo__ydoc_builder *b, const yaml_parser_t *p);
/* Refuses UTF-16/32 and NUL bytes up front, with a position. */
int kdo__ydoc_check_encoding(struct kdo__ydoc_builder *b);

#endif
