/*
 * ydoc.c -- the YAML loader's public API: loading, the arena, node access.
 *
 * A document is read bounded (never more than max_bytes + 1 bytes, so an
 * endless input is refused without being read whole), checked for its
 * encoding, then built from libyaml's events (ydoc-build.c has the limits
 * and the tag policy; ydoc-error.c the positions in errors).  Every node
 * lives in one arena freed with the document.  Node access is a linear
 * lookup: scenario mappings are small and keep document order.
 */
#include "ydoc-int.h"

#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- arena ------------------------------------------------------------ */

void *kdo__ydoc_arena_alloc(struct kdo__ydoc_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    n = (n + align - 1) / align * align;
    struct kdo__ydoc_chunk *c = a->head;
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

static void arena_free(struct kdo__ydoc_arena *a)
{
    while (a != NULL && a->head != NULL) {
        struct kdo__ydoc_chunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
    free(a);
}

void *kdo__ydoc_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    *cap = *cap ? *cap * 2 : 16;
    if (*cap < need)
        *cap = need;
    return kdo_xrealloc(p, *cap * elem);
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
    doc->arena = kdo_xcalloc(1, sizeof(struct kdo__ydoc_arena));
    return doc;
}

int kdo_ydoc_load_string(const char *name, const char *text, size_t len,
                         const struct kdo_ylimits *lim, struct kdo_ydoc **out,
                         struct kdo_errinfo *err)
{
    struct kdo_ydoc *doc = NULL;
    struct kdo__ydoc_builder b = {.file = name, .text = text ? text : "", .len = text ? len : 0,
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
    rc = kdo__ydoc_check_encoding(&b);
    if (rc < 0)
        goto out;
    doc = doc_new(name);
    b.arena = doc->arena;
    rc = kdo__ydoc_parse(&b);
    if (rc < 0)
        goto out;
    doc->root = b.root ? &b.root->pub : NULL;
    *out = doc;
    doc = NULL;
out:
    kdo__ydoc_builder_cleanup(&b);
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
        p = kdo__ydoc_grow(p, &cap, n + want, 1);
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
