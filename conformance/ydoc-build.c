/*
 * ydoc-build.c -- builds a ydoc tree from libyaml's event stream, enforcing limits.
 *
 * libyaml's parser (the event API, never its document API) hands us one event
 * at a time; we keep a stack of open collections ("frames") and one shared
 * stack of finished children, and turn a collection's children into an arena
 * array when its END event arrives.  The main invariant: every limit is
 * checked on the event that would break it, before anything is built, so a
 * 100,000-deep input stops at event max_depth + 1 and a billion-laughs input
 * stops at the first alias that pushes the expanded size over the cap.  Each
 * node records its expanded size ("weight", aliases counted as their target)
 * and its height, so an alias is charged for what it really adds and can
 * never make the tree deeper than max_depth.  Aliases share the target node:
 * the tree is a DAG, and everything lives in one arena freed with the
 * document.  Tag policy: no tag, the non-specific `!` and the core-schema
 * tags (!!str !!int !!float !!bool !!null on scalars, !!map on mappings,
 * !!seq on sequences) are accepted; `!` and `!!str` mark a scalar as not
 * plain (it is a string); every other tag (local `!foo`, `!!binary`, URIs)
 * is refused, because the tree cannot represent what it asks for.  Input
 * must be UTF-8 (a UTF-8 BOM is fine; UTF-16/32 and NUL bytes are refused,
 * by ydoc-error.c).  Deliberately not done: merge keys (`<<` is an ordinary
 * key), scalar typing, multiple documents, and resolving tags beyond the
 * check above.
 */
#include "ydoc-int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORE_TAG KDO__YDOC_CORE_TAG


static size_t add_sat(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* ---- hash table: anchors (scope 0) and map keys (scope = map serial) ---- */


static size_t hash(size_t scope, const char *s, size_t len)
{
    uint64_t h = 1469598103934665603u ^ scope;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return (size_t)(h ^ (h >> 29));
}

static struct kdo__ydoc_slot *table_find(struct kdo__ydoc_table *t, size_t scope, const char *s,
                                         size_t len)
{
    size_t i = hash(scope, s, len) & (t->cap - 1);
    for (;; i = (i + 1) & (t->cap - 1)) {
        struct kdo__ydoc_slot *e = &t->slots[i];
        if (e->name == NULL)
            return e;
        if (e->scope == scope && e->len == len && memcmp(e->name, s, len) == 0)
            return e;
    }
}

static void table_grow(struct kdo__ydoc_table *t)
{
    struct kdo__ydoc_table old = *t;
    t->cap = old.cap ? old.cap * 2 : 64;
    t->slots = kdo_xcalloc(t->cap, sizeof *t->slots);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].name != NULL)
            *table_find(t, old.slots[i].scope, old.slots[i].name, old.slots[i].len) =
                old.slots[i];
    free(old.slots);
}

/* The slot for (scope, s): an existing entry, or an empty one the caller
 * must fill (name non-NULL) before the next call. */
static struct kdo__ydoc_slot *table_slot(struct kdo__ydoc_table *t, size_t scope, const char *s,
                                         size_t len)
{
    if ((t->count + 1) * 2 > t->cap)
        table_grow(t);
    struct kdo__ydoc_slot *e = table_find(t, scope, s, len);
    if (e->name == NULL)
        t->count++;
    return e;
}

/* ---- the builder --------------------------------------------------------- */

static struct kdo__ydoc_ynode *new_node(struct kdo__ydoc_builder *b, enum kdo_ynode_type type,
                                        yaml_mark_t m)
{
    struct kdo__ydoc_ynode *n = kdo__ydoc_arena_alloc(b->arena, sizeof *n);
    memset(n, 0, sizeof *n);
    n->pub.type = type;
    n->pub.line = kdo__ydoc_clamp_int(m.line + 1);
    n->pub.column = kdo__ydoc_clamp_int(m.column + 1);
    n->weight = 1;
    return n;
}

static int count_node(struct kdo__ydoc_builder *b, yaml_mark_t m)
{
    if (++b->nodes > b->lim.max_nodes)
        return FAIL(b, KDO_ETOOBIG, m, "more than %zu nodes (scalars and collections); "
                    "the limit is %zu", b->lim.max_nodes, b->lim.max_nodes);
    return 0;
}

static void set_anchor(struct kdo__ydoc_builder *b, const yaml_char_t *anchor,
                       struct kdo__ydoc_ynode *n)
{
    if (anchor == NULL)
        return;
    size_t len = strlen((const char *)anchor);
    struct kdo__ydoc_slot *e = table_slot(&b->anchors, 0, (const char *)anchor, len);
    if (e->name == NULL) {
        char *name = kdo__ydoc_arena_alloc(b->arena, len + 1);
        memcpy(name, anchor, len + 1);
        e->name = name;
        e->len = len;
    }
    e->node = n; /* a later anchor of the same name wins, as YAML says */
}

static struct kdo__ydoc_frame *top(struct kdo__ydoc_builder *b)
{
    return b->nframes ? &b->frames[b->nframes - 1] : NULL;
}

/* True when the next node completes nothing but starts a key. */
static int at_key(struct kdo__ydoc_builder *b)
{
    struct kdo__ydoc_frame *f = top(b);
    return f != NULL && f->node->pub.type == KDO_YNODE_MAP && (b->nkids - f->start) % 2 == 0;
}

static int check_key(struct kdo__ydoc_builder *b, struct kdo__ydoc_ynode *key, yaml_mark_t m)
{
    char q[80];
    if (key->pub.type != KDO_YNODE_SCALAR)
        return FAIL(b, KDO_EPARSE, m, "a mapping key must be a scalar, found a %s",
                    kdo_ynode_type_name(key->pub.type));
    struct kdo__ydoc_slot *e = table_slot(&b->keys, top(b)->serial, key->pub.text, key->pub.len);
    if (e->name != NULL)
        return FAIL(b, KDO_EPARSE, m, "duplicate key %s (first at line %d, column %d)",
                    kdo__ydoc_quote(q, sizeof q, key->pub.text, key->pub.len), e->node->pub.line,
                    e->node->pub.column);
    e->scope = top(b)->serial;
    e->name = key->pub.text;
    e->len = key->pub.len;
    e->node = key;
    return 0;
}

/* Attaches a finished node (built or aliased) to whatever is open. */
static int attach(struct kdo__ydoc_builder *b, struct kdo__ydoc_ynode *n, yaml_mark_t m)
{
    if (b->nframes == 0) {
        b->root = n;
        return 0;
    }
    if (at_key(b)) {
        int rc = check_key(b, n, m);
        if (rc < 0)
            return rc;
    }
    b->kids = kdo__ydoc_grow(b->kids, &b->capkids, b->nkids + 1, sizeof *b->kids);
    b->kids[b->nkids++] = n;
    return 0;
}

/* ---- tags ----------------------------------------------------------------- */

/* The core-schema tags we accept and the node type each belongs on. */
static const struct {
    const char *name;
    enum kdo_ynode_type type;
} core_tags[] = {
    {"str", KDO_YNODE_SCALAR},  {"int", KDO_YNODE_SCALAR}, {"float", KDO_YNODE_SCALAR},
    {"bool", KDO_YNODE_SCALAR}, {"null", KDO_YNODE_SCALAR}, {"map", KDO_YNODE_MAP},
    {"seq", KDO_YNODE_SEQ},
};

static int check_tag(struct kdo__ydoc_builder *b, const yaml_char_t *tag, enum kdo_ynode_type type,
                     yaml_mark_t m)
{
    const char *t = (const char *)tag;
    char shown[128];
    if (t == NULL || strcmp(t, "!") == 0)
        return 0;
    size_t n = strlen(CORE_TAG);
    if (strncmp(t, CORE_TAG, n) == 0) {
        for (size_t i = 0; i < sizeof core_tags / sizeof *core_tags; i++) {
            if (strcmp(t + n, core_tags[i].name) != 0)
                continue;
            if (core_tags[i].type == type)
                return 0;
            return FAIL(b, KDO_EPARSE, m, "tag %s on a %s; expected a %s",
                        kdo__ydoc_show_tag(shown, sizeof shown, t), kdo_ynode_type_name(type),
                        kdo_ynode_type_name(core_tags[i].type));
        }
    }
    return FAIL(b, KDO_EPARSE, m,
                "unsupported tag %s; expected no tag or one of !!str, !!int, "
                "!!float, !!bool, !!null, !!map, !!seq",
                kdo__ydoc_show_tag(shown, sizeof shown, t));
}

static int is_string_tag(const yaml_char_t *tag)
{
    const char *t = (const char *)tag;
    return t != NULL && (strcmp(t, "!") == 0 || strcmp(t, CORE_TAG "str") == 0);
}

/* ---- event handlers ------------------------------------------------------ */

/* Where a scalar's text stands verbatim in the input (ynode's text_line and
 * text_column), checked against the input, or left 0. */
static void place_text(const struct kdo__ydoc_builder *b, const yaml_event_t *ev,
                       struct kdo_ynode *n)
{
    size_t at = ev->start_mark.index, len = n->len;
    int style = ev->data.scalar.style;
    if (at >= b->len)
        return;
    if (style == YAML_LITERAL_SCALAR_STYLE) {
        const char *nl = memchr(b->text + at, '\n', b->len - at);
        if (nl == NULL)
            return;
        size_t line = (size_t)(nl + 1 - b->text), indent = 0;
        while (line + indent < b->len && b->text[line + indent] == ' ')
            indent++;
        const char *end = memchr(n->text, '\n', len);
        size_t first = end ? (size_t)(end - n->text) : len;
        if (line + indent + first > b->len || memcmp(b->text + line + indent, n->text, first) != 0)
            return;
        n->text_line = (int)ev->start_mark.line + 2;
        n->text_column = (int)indent + 1;
        return;
    }
    size_t q = style == YAML_SINGLE_QUOTED_SCALAR_STYLE || style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    if (style == YAML_FOLDED_SCALAR_STYLE || memchr(n->text, '\n', len) ||
        at + q + len > b->len || memcmp(b->text + at + q, n->text, len) != 0)
        return;
    n->text_line = (int)ev->start_mark.line + 1;
    n->text_column = (int)(ev->start_mark.column + q) + 1;
}

static int on_scalar(struct kdo__ydoc_builder *b, const yaml_event_t *ev)
{
    int rc = check_tag(b, ev->data.scalar.tag, KDO_YNODE_SCALAR, ev->start_mark);
    if (rc == 0)
        rc = count_node(b, ev->start_mark);
    if (rc < 0)
        return rc;
    struct kdo__ydoc_ynode *n = new_node(b, KDO_YNODE_SCALAR, ev->start_mark);
    size_t len = ev->data.scalar.length;
    char *text = kdo__ydoc_arena_alloc(b->arena, len + 1);
    memcpy(text, ev->data.scalar.value, len);
    text[len] = '\0';
    n->pub.text = text;
    n->pub.len = len;
    n->pub.plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                   !is_string_tag(ev->data.scalar.tag);
    place_text(b, ev, &n->pub);
    set_anchor(b, ev->data.scalar.anchor, n);
    return attach(b, n, ev->start_mark);
}

static int on_start(struct kdo__ydoc_builder *b, const yaml_event_t *ev, enum kdo_ynode_type type)
{
    const yaml_char_t *tag =
        type == KDO_YNODE_MAP ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
    const yaml_char_t *anchor = type == KDO_YNODE_MAP ? ev->data.mapping_start.anchor
                                                      : ev->data.sequence_start.anchor;
    if (at_key(b))
        return FAIL(b, KDO_EPARSE, ev->start_mark, "a mapping key must be a scalar, found a %s",
                    kdo_ynode_type_name(type));
    if (b->nframes >= b->lim.max_depth)
        return FAIL(b, KDO_EDEPTH, ev->start_mark, "%s nested deeper than %zu levels",
                    kdo_ynode_type_name(type), b->lim.max_depth);
    int rc = check_tag(b, tag, type, ev->start_mark);
    if (rc == 0)
        rc = count_node(b, ev->start_mark);
    if (rc < 0)
        return rc;
    struct kdo__ydoc_ynode *n = new_node(b, type, ev->start_mark);
    n->open = 1;
    set_anchor(b, anchor, n);
    b->frames = kdo__ydoc_grow(b->frames, &b->capframes, b->nframes + 1, sizeof *b->frames);
    b->frames[b->nframes++] = (struct kdo__ydoc_frame){n, b->nkids, ++b->serial};
    return 0;
}

/* Moves the children kids[start..nkids) into the node's arena array. */
static void close_children(struct kdo__ydoc_builder *b, struct kdo__ydoc_ynode *n, size_t start)
{
    size_t count = b->nkids - start;
    struct kdo__ydoc_ynode **kid = b->kids + start;
    for (size_t i = 0; i < count; i++) {
        n->weight = add_sat(n->weight, kid[i]->weight);
        if (kid[i]->height + 1 > n->height)
            n->height = kid[i]->height + 1;
    }
    if (n->height == 0)
        n->height = 1;
    if (n->pub.type == KDO_YNODE_MAP) {
        struct kdo_ypair *pairs = kdo__ydoc_arena_alloc(b->arena, count / 2 * sizeof *pairs + 1);
        for (size_t i = 0; i + 1 < count; i += 2)
            pairs[i / 2] = (struct kdo_ypair){&kid[i]->pub, &kid[i + 1]->pub};
        n->pub.pairs = pairs;
        n->pub.n = count / 2;
    } else {
        const struct kdo_ynode **items = kdo__ydoc_arena_alloc(b->arena, count * sizeof *items + 1);
        for (size_t i = 0; i < count; i++)
            items[i] = &kid[i]->pub;
        n->pub.items = items;
        n->pub.n = count;
    }
    b->nkids = start;
}

static int on_end(struct kdo__ydoc_builder *b, const yaml_event_t *ev)
{
    struct kdo__ydoc_frame f = b->frames[--b->nframes];
    close_children(b, f.node, f.start);
    f.node->open = 0;
    return attach(b, f.node, ev->start_mark);
}

static struct kdo__ydoc_ynode *find_anchor(struct kdo__ydoc_builder *b, const char *name)
{
    if (b->anchors.cap == 0)
        return NULL;
    struct kdo__ydoc_slot *e = table_find(&b->anchors, 0, name, strlen(name));
    return e->name ? e->node : NULL;
}

/* An alias is charged for everything it makes reachable (billion laughs)
 * and may not lift the tree above max_depth. */
static int check_alias(struct kdo__ydoc_builder *b, const char *name, struct kdo__ydoc_ynode *t,
                       yaml_mark_t m)
{
    if (t->open)
        return FAIL(b, KDO_EPARSE, m, "alias *%.64s refers to anchor &%.64s which is still "
                    "open (recursive)", name, name);
    if (b->nframes + t->height > b->lim.max_depth)
        return FAIL(b, KDO_EDEPTH, m, "alias *%.64s puts a %s %zu levels deep inside %zu open "
                    "levels; the limit is %zu", name, kdo_ynode_type_name(t->pub.type),
                    t->height, b->nframes, b->lim.max_depth);
    b->alias_nodes = add_sat(b->alias_nodes, t->weight);
    if (b->alias_nodes > b->lim.max_alias_nodes)
        return FAIL(b, KDO_ETOOBIG, m, "alias *%.64s expands to %zu nodes, bringing the nodes "
                    "reached through aliases to %zu; the limit is %zu (a \"billion laughs\" "
                    "document?)", name, t->weight, b->alias_nodes, b->lim.max_alias_nodes);
    return 0;
}

static int on_alias(struct kdo__ydoc_builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    if (++b->aliases > b->lim.max_aliases)
        return FAIL(b, KDO_ETOOBIG, ev->start_mark, "alias *%.64s is alias use number %zu; "
                    "the limit is %zu", name, b->aliases, b->lim.max_aliases);
    struct kdo__ydoc_ynode *t = find_anchor(b, name);
    if (t == NULL)
        return FAIL(b, KDO_EPARSE, ev->start_mark, "unknown alias *%.64s; expected an anchor "
                    "&%.64s earlier in the document", name, name);
    int rc = check_alias(b, name, t, ev->start_mark);
    return rc < 0 ? rc : attach(b, t, ev->start_mark);
}

static int on_event(struct kdo__ydoc_builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (b->documents++ > 0)
            return FAIL(b, KDO_EPARSE, ev->start_mark,
                        "more than one document (expected a single scenario)");
        return 0;
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_ALIAS_EVENT:
        return on_alias(b, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_start(b, ev, KDO_YNODE_SEQ);
    case YAML_MAPPING_START_EVENT:
        return on_start(b, ev, KDO_YNODE_MAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_end(b, ev);
    default:
        return 0;
    }
}

/* ---- the parse loop ------------------------------------------------------ */

int kdo__ydoc_parse(struct kdo__ydoc_builder *b)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int rc = 0, done = 0;
    if (!yaml_parser_initialize(&parser)) {
        fprintf(stderr, "kdaout: out of memory in libyaml\n");
        abort();
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)b->text, b->len);
    /* Never NULL, so close_children() may offset it even with no children. */
    b->kids = kdo__ydoc_grow(b->kids, &b->capkids, 16, sizeof *b->kids);
    while (!done && rc == 0) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = kdo__ydoc_syntax_error(b, &parser);
            goto out;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        rc = on_event(b, &ev);
        yaml_event_delete(&ev);
    }
out:
    yaml_parser_delete(&parser);
    return rc;
}

void kdo__ydoc_builder_cleanup(struct kdo__ydoc_builder *b)
{
    free(b->frames);
    free(b->kids);
    free(b->anchors.slots);
    free(b->keys.slots);
}
