/*
 * ydoc.c -- builds a ydoc tree from libyaml's event stream, enforcing limits.
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
 * must be UTF-8 (a UTF-8 BOM is fine; UTF-16/32 and NUL bytes are refused).
 * Deliberately not done: merge keys (`<<` is an ordinary key), scalar typing,
 * multiple documents, and resolving tags beyond the check above.
 */
#include "ydoc.h"

#include <errno.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define CORE_TAG "tag:yaml.org,2002:"

/* ---- arena ------------------------------------------------------------ */

struct chunk {
    struct chunk *next;
    size_t used, size;
    alignas(max_align_t) unsigned char data[];
};

struct arena {
    struct chunk *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    n = (n + align - 1) / align * align;
    struct chunk *c = a->head;
    if (c == NULL || c->size - c->used < n) {
        size_t size = n > 64 * 1024 ? n : 64 * 1024;
        c = kdo_xmalloc(sizeof *c + size);
        c->used = 0;
        c->size = size;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

static void arena_free(struct arena *a)
{
    while (a != NULL && a->head != NULL) {
        struct chunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
    free(a);
}

/* ---- nodes with private bookkeeping ------------------------------------ */

/* Callers see only `pub`; the rest is bookkeeping for the limits. */
struct ynode {
    struct kdo_ynode pub;
    size_t weight; /* nodes in the subtree with aliases expanded */
    size_t height; /* 0 for a scalar, 1 + tallest child for a collection */
    int open;      /* between START and END: an alias to it is recursive */
};

static size_t add_sat(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* ---- hash table: anchors (scope 0) and map keys (scope = map serial) ---- */

struct slot {
    size_t scope;
    const char *name; /* NULL: empty slot */
    size_t len;
    struct ynode *node;
};

struct table {
    struct slot *slots;
    size_t cap, count;
};

static size_t hash(size_t scope, const char *s, size_t len)
{
    uint64_t h = 1469598103934665603u ^ scope;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return (size_t)(h ^ (h >> 29));
}

static struct slot *table_find(struct table *t, size_t scope, const char *s, size_t len)
{
    size_t i = hash(scope, s, len) & (t->cap - 1);
    for (;; i = (i + 1) & (t->cap - 1)) {
        struct slot *e = &t->slots[i];
        if (e->name == NULL)
            return e;
        if (e->scope == scope && e->len == len && memcmp(e->name, s, len) == 0)
            return e;
    }
}

static void table_grow(struct table *t)
{
    struct table old = *t;
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
static struct slot *table_slot(struct table *t, size_t scope, const char *s, size_t len)
{
    if ((t->count + 1) * 2 > t->cap)
        table_grow(t);
    struct slot *e = table_find(t, scope, s, len);
    if (e->name == NULL)
        t->count++;
    return e;
}

/* ---- the builder --------------------------------------------------------- */

struct frame {
    struct ynode *node;
    size_t start;  /* first child's index in the shared child stack */
    size_t serial; /* scope of this map's keys in the key table */
};

struct builder {
    const char *file; /* the caller's name, for errors */
    const char *text;
    size_t len;
    struct kdo_ylimits lim;
    struct arena *arena;
    struct kdo_errinfo *err;
    struct frame *frames;
    size_t nframes, capframes;
    struct ynode **kids;
    size_t nkids, capkids;
    struct table anchors, keys;
    size_t serial, nodes, aliases, alias_nodes, documents;
    struct ynode *root;
};

static int clamp_int(size_t v)
{
    return v > (size_t)INT32_MAX ? INT32_MAX : (int)v;
}

static int fail_at(struct builder *b, int code, size_t line0, size_t col0, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Errors at a 0-based libyaml position; the message is one sentence. */
static int fail_at(struct builder *b, int code, size_t line0, size_t col0, const char *fmt, ...)
{
    char msg[sizeof b->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kdo_errinfo_set(b->err, code, b->file, clamp_int(line0 + 1), clamp_int(col0 + 1),
                           "%s", msg);
}

#define FAIL(b, code, mark, ...) fail_at((b), (code), (mark).line, (mark).column, __VA_ARGS__)

/* Printable, quoted and truncated copy of a scalar for messages. */
static const char *quote(char *buf, size_t size, const char *s, size_t len)
{
    size_t o = 0;
    buf[o++] = '"';
    for (size_t i = 0; i < len && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            o += (size_t)snprintf(buf + o, size - o, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, size - o, "\\x%02X", c);
        else
            buf[o++] = (char)c;
        if (o + 8 >= size && i + 1 < len)
            o += (size_t)snprintf(buf + o, size - o, "...");
    }
    snprintf(buf + o, size - o, "\"");
    return buf;
}

/* "!!str" for core-schema tags, the tag itself otherwise, escaped. */
static const char *show_tag(char *buf, size_t size, const char *tag)
{
    char q[96];
    size_t n = strlen(CORE_TAG);
    int core = strncmp(tag, CORE_TAG, n) == 0;
    const char *t = core ? tag + n : tag;
    quote(q, sizeof q, t, strlen(t));
    q[strlen(q) - 1] = '\0'; /* drop the closing quote */
    snprintf(buf, size, "%s%s", core ? "!!" : "", q + 1);
    return buf;
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    *cap = *cap ? *cap * 2 : 16;
    if (*cap < need)
        *cap = need;
    return kdo_xrealloc(p, *cap * elem);
}

static struct ynode *new_node(struct builder *b, enum kdo_ynode_type type, yaml_mark_t m)
{
    struct ynode *n = arena_alloc(b->arena, sizeof *n);
    memset(n, 0, sizeof *n);
    n->pub.type = type;
    n->pub.line = clamp_int(m.line + 1);
    n->pub.column = clamp_int(m.column + 1);
    n->weight = 1;
    return n;
}

static int count_node(struct builder *b, yaml_mark_t m)
{
    if (++b->nodes > b->lim.max_nodes)
        return FAIL(b, KDO_ETOOBIG, m, "more than %zu nodes (scalars and collections); "
                    "the limit is %zu", b->lim.max_nodes, b->lim.max_nodes);
    return 0;
}

static void set_anchor(struct builder *b, const yaml_char_t *anchor, struct ynode *n)
{
    if (anchor == NULL)
        return;
    size_t len = strlen((const char *)anchor);
    struct slot *e = table_slot(&b->anchors, 0, (const char *)anchor, len);
    if (e->name == NULL) {
        char *name = arena_alloc(b->arena, len + 1);
        memcpy(name, anchor, len + 1);
        e->name = name;
        e->len = len;
    }
    e->node = n; /* a later anchor of the same name wins, as YAML says */
}

static struct frame *top(struct builder *b)
{
    return b->nframes ? &b->frames[b->nframes - 1] : NULL;
}

/* True when the next node completes nothing but starts a key. */
static int at_key(struct builder *b)
{
    struct frame *f = top(b);
    return f != NULL && f->node->pub.type == KDO_YNODE_MAP && (b->nkids - f->start) % 2 == 0;
}

static int check_key(struct builder *b, struct ynode *key, yaml_mark_t m)
{
    char q[80];
    if (key->pub.type != KDO_YNODE_SCALAR)
        return FAIL(b, KDO_EPARSE, m, "a mapping key must be a scalar, found a %s",
                    kdo_ynode_type_name(key->pub.type));
    struct slot *e = table_slot(&b->keys, top(b)->serial, key->pub.text, key->pub.len);
    if (e->name != NULL)
        return FAIL(b, KDO_EPARSE, m, "duplicate key %s (first at line %d, column %d)",
                    quote(q, sizeof q, key->pub.text, key->pub.len), e->node->pub.line,
                    e->node->pub.column);
    e->scope = top(b)->serial;
    e->name = key->pub.text;
    e->len = key->pub.len;
    e->node = key;
    return 0;
}

/* Attaches a finished node (built or aliased) to whatever is open. */
static int attach(struct builder *b, struct ynode *n, yaml_mark_t m)
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
    b->kids = grow(b->kids, &b->capkids, b->nkids + 1, sizeof *b->kids);
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

static int check_tag(struct builder *b, const yaml_char_t *tag, enum kdo_ynode_type type,
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
                        show_tag(shown, sizeof shown, t), kdo_ynode_type_name(type),
                        kdo_ynode_type_name(core_tags[i].type));
        }
    }
    return FAIL(b, KDO_EPARSE, m, "unsupported tag %s; expected no tag or one of !!str, !!int, "
                "!!float, !!bool, !!null, !!map, !!seq", show_tag(shown, sizeof shown, t));
}

static int is_string_tag(const yaml_char_t *tag)
{
    const char *t = (const char *)tag;
    return t != NULL && (strcmp(t, "!") == 0 || strcmp(t, CORE_TAG "str") == 0);
}

/* ---- event handlers ------------------------------------------------------ */

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
    int rc = check_tag(b, ev->data.scalar.tag, KDO_YNODE_SCALAR, ev->start_mark);
    if (rc == 0)
        rc = count_node(b, ev->start_mark);
    if (rc < 0)
        return rc;
    struct ynode *n = new_node(b, KDO_YNODE_SCALAR, ev->start_mark);
    size_t len = ev->data.scalar.length;
    char *text = arena_alloc(b->arena, len + 1);
    memcpy(text, ev->data.scalar.value, len);
    text[len] = '\0';
    n->pub.text = text;
    n->pub.len = len;
    n->pub.plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                   !is_string_tag(ev->data.scalar.tag);
    set_anchor(b, ev->data.scalar.anchor, n);
    return attach(b, n, ev->start_mark);
}

static int on_start(struct builder *b, const yaml_event_t *ev, enum kdo_ynode_type type)
{
    const yaml_char_t *tag = type == KDO_YNODE_MAP ? ev->data.mapping_start.tag
                                                   : ev->data.sequence_start.tag;
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
    struct ynode *n = new_node(b, type, ev->start_mark);
    n->open = 1;
    set_anchor(b, anchor, n);
    b->frames = grow(b->frames, &b->capframes, b->nframes + 1, sizeof *b->frames);
    b->frames[b->nframes++] = (struct frame){n, b->nkids, ++b->serial};
    return 0;
}

/* Moves the children kids[start..nkids) into the node's arena array. */
static void close_children(struct builder *b, struct ynode *n, size_t start)
{
    size_t count = b->nkids - start;
    struct ynode **kid = b->kids + start;
    for (size_t i = 0; i < count; i++) {
        n->weight = add_sat(n->weight, kid[i]->weight);
        if (kid[i]->height + 1 > n->height)
            n->height = kid[i]->height + 1;
    }
    if (n->height == 0)
        n->height = 1;
    if (n->pub.type == KDO_YNODE_MAP) {
        struct kdo_ypair *pairs = arena_alloc(b->arena, count / 2 * sizeof *pairs + 1);
        for (size_t i = 0; i + 1 < count; i += 2)
            pairs[i / 2] = (struct kdo_ypair){&kid[i]->pub, &kid[i + 1]->pub};
        n->pub.pairs = pairs;
        n->pub.n = count / 2;
    } else {
        const struct kdo_ynode **items = arena_alloc(b->arena, count * sizeof *items + 1);
        for (size_t i = 0; i < count; i++)
            items[i] = &kid[i]->pub;
        n->pub.items = items;
        n->pub.n = count;
    }
    b->nkids = start;
}

static int on_end(struct builder *b, const yaml_event_t *ev)
{
    struct frame f = b->frames[--b->nframes];
    close_children(b, f.node, f.start);
    f.node->open = 0;
    return attach(b, f.node, ev->start_mark);
}

static struct ynode *find_anchor(struct builder *b, const char *name)
{
    if (b->anchors.cap == 0)
        return NULL;
    struct slot *e = table_find(&b->anchors, 0, name, strlen(name));
    return e->name ? e->node : NULL;
}

/* An alias is charged for everything it makes reachable (billion laughs)
 * and may not lift the tree above max_depth. */
static int check_alias(struct builder *b, const char *name, struct ynode *t, yaml_mark_t m)
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

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    if (++b->aliases > b->lim.max_aliases)
        return FAIL(b, KDO_ETOOBIG, ev->start_mark, "alias *%.64s is alias use number %zu; "
                    "the limit is %zu", name, b->aliases, b->lim.max_aliases);
    struct ynode *t = find_anchor(b, name);
    if (t == NULL)
        return FAIL(b, KDO_EPARSE, ev->start_mark, "unknown alias *%.64s; expected an anchor "
                    "&%.64s earlier in the document", name, name);
    int rc = check_alias(b, name, t, ev->start_mark);
    return rc < 0 ? rc : attach(b, t, ev->start_mark);
}

static int on_event(struct builder *b, const yaml_event_t *ev)
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

/* ---- positions in raw text and libyaml's own errors ---------------------- */

/* Width of the line break at p (libyaml's set: CR LF, CR, LF, NEL, LS, PS). */
static size_t break_width(const char *p, const char *end)
{
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] == '\r')
        return end - p > 1 && u[1] == '\n' ? 2 : 1;
    if (u[0] == '\n')
        return 1;
    if (end - p > 1 && u[0] == 0xC2 && u[1] == 0x85)
        return 2;
    if (end - p > 2 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9))
        return 3;
    return 0;
}

static const char *skip_bom(const char *s, size_t len)
{
    return len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? s + 3 : s;
}

/* 0-based line and column (in characters, as libyaml counts) of byte `off`. */
static void offset_mark(const struct builder *b, size_t off, yaml_mark_t *m)
{
    const char *p = skip_bom(b->text, b->len), *end = b->text + (off < b->len ? off : b->len);
    m->line = m->column = 0;
    while (p < end) {
        size_t w = break_width(p, b->text + b->len);
        if (w > 0) {
            m->line++;
            m->column = 0;
            p += w;
        } else {
            m->column += ((unsigned char)*p & 0xC0) != 0x80;
            p++;
        }
    }
}

/* The byte at a libyaml mark, or -1 past the end. */
static int char_at(const struct builder *b, yaml_mark_t m)
{
    const char *p = skip_bom(b->text, b->len), *end = b->text + b->len;
    size_t line = 0, col = 0;
    while (p < end && (line < m.line || col < m.column)) {
        size_t w = break_width(p, end);
        if (line < m.line) {
            line += w > 0;
            p += w > 0 ? w : 1;
            continue;
        }
        if (w > 0)
            return -1;
        p++;
        while (p < end && ((unsigned char)*p & 0xC0) == 0x80)
            p++;
        col++;
    }
    return p < end ? (unsigned char)*p : -1;
}

/* A hint for the mistakes people make most, keyed by the offending byte. */
static const char *hint(const struct builder *b, const yaml_parser_t *p)
{
    int c = char_at(b, p->problem_mark);
    if (c == '\t')
        return " (a tab: YAML indents with spaces only)";
    if (c == '@' || c == '`')
        return " (@ and ` are reserved; quote a scalar that starts with one)";
    if (p->problem && strcmp(p->problem, "mapping values are not allowed in this context") == 0)
        return " (quote a value that contains \": \")";
    return "";
}

static int reader_error(struct builder *b, const yaml_parser_t *p)
{
    yaml_mark_t m;
    offset_mark(b, p->problem_offset, &m);
    if (p->problem_value >= 0)
        return FAIL(b, KDO_EPARSE, m, "%s (0x%X at byte offset %zu); expected UTF-8 text",
                    p->problem, (unsigned)p->problem_value, p->problem_offset);
    return FAIL(b, KDO_EPARSE, m, "%s (at byte offset %zu); expected UTF-8 text", p->problem,
                p->problem_offset);
}

static int syntax_error(struct builder *b, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "syntax error";
    yaml_mark_t cm = p->context_mark, pm = p->problem_mark;
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        fprintf(stderr, "kdaout: out of memory in libyaml\n");
        abort();
    case YAML_READER_ERROR:
        return reader_error(b, p);
    default:
        break;
    }
    if (p->context == NULL)
        return FAIL(b, KDO_EPARSE, pm, "%s%s", problem, hint(b, p));
    if (cm.line == pm.line && cm.column == pm.column)
        return FAIL(b, KDO_EPARSE, pm, "%s %s%s", problem, p->context, hint(b, p));
    return FAIL(b, KDO_EPARSE, pm, "%s %s that starts at line %d, column %d%s", problem,
                p->context, clamp_int(cm.line + 1), clamp_int(cm.column + 1), hint(b, p));
}

/* ---- input checks and the parse loop ------------------------------------- */

/* libyaml would decode UTF-16 and choke on NUL late and vaguely; refuse
 * both up front with a position. */
static int check_encoding(struct builder *b)
{
    const unsigned char *u = (const unsigned char *)b->text;
    yaml_mark_t m = {0, 0, 0};
    if (b->len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE)))
        return FAIL(b, KDO_EPARSE, m, "found a UTF-16 or UTF-32 byte order mark; expected "
                    "UTF-8 text");
    const char *nul = memchr(b->text, '\0', b->len);
    if (nul == NULL)
        return 0;
    offset_mark(b, (size_t)(nul - b->text), &m);
    return FAIL(b, KDO_EPARSE, m, "found a NUL byte (at byte offset %zu); expected text "
                "(is this a binary or UTF-16 file?)", (size_t)(nul - b->text));
}

static int parse(struct builder *b)
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
    b->kids = grow(b->kids, &b->capkids, 16, sizeof *b->kids);
    while (!done && rc == 0) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = syntax_error(b, &parser);
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

static void builder_cleanup(struct builder *b)
{
    free(b->frames);
    free(b->kids);
    free(b->anchors.slots);
    free(b->keys.slots);
}

/* ---- public API ---------------------------------------------------------- */

void kdo_ylimits_default(struct kdo_ylimits *lim)
{
    lim->max_bytes = 1024 * 1024;
    lim->max_depth = 64;
    lim->max_nodes = 200000;
    lim->max_aliases = 1000;
    lim->max_alias_nodes = 200000;
}

static struct kdo_ydoc *doc_new(const char *name)
{
    struct kdo_ydoc *doc = kdo_xcalloc(1, sizeof *doc);
    doc->file = kdo_xstrdup(name ? name : "<input>");
    doc->arena = kdo_xcalloc(1, sizeof(struct arena));
    return doc;
}

int kdo_ydoc_load_string(const char *name, const char *text, size_t len,
                         const struct kdo_ylimits *lim, struct kdo_ydoc **out,
                         struct kdo_errinfo *err)
{
    struct kdo_ydoc *doc = NULL;
    struct builder b = {.file = name, .text = text ? text : "", .len = text ? len : 0,
                        .err = err};
    int rc;
    *out = NULL;
    if (lim)
        b.lim = *lim;
    else
        kdo_ylimits_default(&b.lim);
    if (b.len > b.lim.max_bytes) {
        rc = kdo_errinfo_set(err, KDO_ETOOBIG, name, 0, 0, "file is %zu bytes; the limit is %zu",
                             b.len, b.lim.max_bytes);
        goto out;
    }
    rc = check_encoding(&b);
    if (rc < 0)
        goto out;
    doc = doc_new(name);
    b.arena = doc->arena;
    rc = parse(&b);
    if (rc < 0)
        goto out;
    doc->root = b.root ? &b.root->pub : NULL;
    *out = doc;
    doc = NULL;
out:
    builder_cleanup(&b);
    kdo_ydoc_free(doc);
    return rc;
}

/* Reads at most max + 1 bytes, so an oversized (or endless) input is
 * refused without being read whole. */
static int read_bounded(FILE *f, const char *path, size_t max, char **buf, size_t *len,
                        struct kdo_errinfo *err)
{
    size_t cap = 0, n = 0;
    char *p = NULL;
    while (n <= max) {
        size_t want = max - n < 64 * 1024 ? max - n + 1 : 64 * 1024;
        p = grow(p, &cap, n + want, 1);
        size_t got = fread(p + n, 1, want, f);
        n += got;
        if (got < want)
            break;
    }
    *buf = p;
    *len = n;
    if (ferror(f))
        return kdo_errinfo_set(err, KDO_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
    if (n > max)
        return kdo_errinfo_set(err, KDO_ETOOBIG, path, 0, 0,
                               "file is more than %zu bytes; the limit is %zu", max, max);
    return 0;
}

static int open_checked(const char *path, size_t max, FILE **out, struct kdo_errinfo *err)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int e = errno;
        return kdo_errinfo_set(err, e == ENOENT || e == ENOTDIR ? KDO_ENOENT : KDO_EIO, path,
                               0, 0, "cannot open: %s", strerror(e));
    }
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
        fclose(f);
        return kdo_errinfo_set(err, KDO_ETOOBIG, path, 0, 0, "file is %jd bytes; the limit is "
                               "%zu", (intmax_t)st.st_size, max);
    }
    *out = f;
    return 0;
}

int kdo_ydoc_load_file(const char *path, const struct kdo_ylimits *lim, struct kdo_ydoc **out,
                       struct kdo_errinfo *err)
{
    struct kdo_ylimits dflt;
    FILE *f = NULL;
    char *buf = NULL;
    size_t len = 0;
    *out = NULL;
    if (lim == NULL) {
        kdo_ylimits_default(&dflt);
        lim = &dflt;
    }
    int rc = open_checked(path, lim->max_bytes, &f, err);
    if (rc < 0)
        goto out;
    rc = read_bounded(f, path, lim->max_bytes, &buf, &len, err);
    if (rc < 0)
        goto out;
    rc = kdo_ydoc_load_string(path, buf, len, lim, out, err);
out:
    if (f)
        fclose(f);
    free(buf);
    return rc;
}

void kdo_ydoc_free(struct kdo_ydoc *doc)
{
    if (doc == NULL)
        return;
    arena_free(doc->arena);
    free((char *)doc->file);
    free(doc);
}

const struct kdo_ynode *kdo_ynode_get(const struct kdo_ynode *map, const char *key)
{
    if (map == NULL || key == NULL || map->type != KDO_YNODE_MAP)
        return NULL;
    size_t len = strlen(key);
    for (size_t i = 0; i < map->n; i++) {
        const struct kdo_ynode *k = map->pairs[i].key;
        if (k->len == len && memcmp(k->text, key, len) == 0)
            return map->pairs[i].value;
    }
    return NULL;
}

const char *kdo_ynode_type_name(enum kdo_ynode_type t)
{
    switch (t) {
    case KDO_YNODE_SCALAR:
        return "scalar";
    case KDO_YNODE_MAP:
        return "mapping";
    case KDO_YNODE_SEQ:
        return "sequence";
    }
    return "node";
}
