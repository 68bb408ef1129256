/*
 * fuzz_ydoc.c -- loads arbitrary bytes as a YAML document and checks what
 * ydoc.h promises about the tree or the refusal.
 *
 * The input is the whole YAML text, so any .yaml file is a seed.  Limits are
 * smaller than the defaults (depth 32, 20,000 nodes, 100 aliases, 20,000
 * alias nodes) so mutations reach every limit quickly.  Invariants checked on
 * success: every node has a 1-based position and a known type, scalars are
 * NUL-terminated at `len`, map keys are scalars and distinct, kdo_ynode_get()
 * finds each key's value, the DAG is no deeper than max_depth and its
 * expansion (aliases walked every time) is within max_nodes +
 * max_alias_nodes -- which is what makes this recursive walk safe.  On
 * failure: no document, a documented code, a message, the caller's name, and
 * a position inside the input for positional errors.  Loading twice gives the
 * same answer.
 */
#include "base/errors.h"
#include "ydoc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "fuzz_ydoc: %s:%d: check failed: %s: ", __FILE__, __LINE__,  \
                    #cond);                                                               \
            fprintf(stderr, __VA_ARGS__);                                                 \
            fputc('\n', stderr);                                                          \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

static const char name[] = "fuzz.yaml";

static void limits(struct kdo_ylimits *lim)
{
    kdo_ylimits_default(lim);
    lim->max_depth = 32;
    lim->max_nodes = 20000;
    lim->max_aliases = 100;
    lim->max_alias_nodes = 20000;
}

static void check_map(const struct kdo_ynode *n)
{
    for (size_t i = 0; i < n->n; i++) {
        const struct kdo_ynode *k = n->pairs[i].key;
        CHECK(k != NULL && k->type == KDO_YNODE_SCALAR, "key %zu is not a scalar", i);
        CHECK(n->pairs[i].value != NULL, "value %zu is NULL", i);
        /* Pairwise only for small maps: big ones would make the run quadratic. */
        for (size_t j = 0; n->n <= 64 && j < i; j++)
            CHECK(k->len != n->pairs[j].key->len ||
                      memcmp(k->text, n->pairs[j].key->text, k->len) != 0,
                  "keys %zu and %zu are equal", j, i);
        if (strlen(k->text) == k->len)
            CHECK(kdo_ynode_get(n, k->text) == n->pairs[i].value, "get(key %zu) differs", i);
    }
}

/* Returns the number of nodes in the expansion of n. */
static size_t walk(const struct kdo_ynode *n, size_t depth, const struct kdo_ylimits *lim)
{
    size_t count = 1;
    CHECK(n->line >= 1 && n->column >= 1, "node at %d:%d", n->line, n->column);
    switch (n->type) {
    case KDO_YNODE_SCALAR:
        CHECK(n->text != NULL && n->text[n->len] == '\0', "scalar not terminated");
        return 1;
    case KDO_YNODE_MAP:
        check_map(n);
        break;
    case KDO_YNODE_SEQ:
        for (size_t i = 0; i < n->n; i++)
            CHECK(n->items[i] != NULL, "item %zu is NULL", i);
        break;
    default:
        CHECK(0, "unknown type %d", (int)n->type);
    }
    CHECK(depth + 1 <= lim->max_depth, "collection at depth %zu", depth + 1);
    for (size_t i = 0; i < n->n; i++) {
        const struct kdo_ynode *c = n->type == KDO_YNODE_MAP ? n->pairs[i].value : n->items[i];
        if (n->type == KDO_YNODE_MAP)
            count += walk(n->pairs[i].key, depth + 1, lim);
        count += walk(c, depth + 1, lim);
        CHECK(count <= lim->max_nodes + lim->max_alias_nodes, "expansion passes %zu", count);
    }
    return count;
}

/* Upper bound on the 1-based line of any position in the input. */
static size_t max_line(const uint8_t *data, size_t size)
{
    size_t breaks = 0;
    for (size_t i = 0; i < size; i++)
        breaks += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xA8 ||
                  data[i] == 0xA9;
    return breaks + 2;
}

static void check_error(int rc, const struct kdo_errinfo *err, const uint8_t *data, size_t size)
{
    CHECK(rc == KDO_EPARSE || rc == KDO_EDEPTH || rc == KDO_ETOOBIG, "code %d", rc);
    CHECK(err->msg[0] != '\0', "empty message for %d", rc);
    CHECK(err->file == name, "file is %p", (const void *)err->file);
    if (rc == KDO_ETOOBIG && err->line == 0)
        return; /* whole-input size errors have no position */
    CHECK(err->line >= 1 && err->column >= 1, "error at %d:%d: %s", err->line, err->column,
          err->msg);
    CHECK((size_t)err->line <= max_line(data, size), "error line %d past the input: %s",
          err->line, err->msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kdo_ylimits lim;
    struct kdo_ydoc *doc = NULL, *again = NULL;
    struct kdo_errinfo err, err2;
    limits(&lim);
    memset(&err, 0, sizeof err);
    int rc = kdo_ydoc_load_string(name, (const char *)data, size, &lim, &doc, &err);
    if (rc == 0) {
        CHECK(doc != NULL && strcmp(doc->file, name) == 0, "bad document");
        if (doc->root != NULL)
            walk(doc->root, 0, &lim);
    } else {
        CHECK(doc == NULL, "document returned with error %d", rc);
        check_error(rc, &err, data, size);
    }
    memset(&err2, 0, sizeof err2);
    int rc2 = kdo_ydoc_load_string(name, (const char *)data, size, &lim, &again, &err2);
    CHECK(rc2 == rc && strcmp(err.msg, err2.msg) == 0, "second load differs: %d vs %d", rc, rc2);
    kdo_ydoc_free(doc);
    kdo_ydoc_free(again);
    return 0;
}
