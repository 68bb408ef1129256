/*
 * scenario-format-read.c -- reading the format's tables (scenario-format.h):
 * key lookups, the names of a mapping for key checks and suggestions, limits
 * as a scenario writes them, and `kdaout run --help`.
 *
 * The tables themselves are scenario-format.c; nothing here knows a key by
 * name except that `match` is listed once in --help (under lambda.rules[]).
 * A mapping of several shapes (the timeline item) answers for the union of
 * its shapes' keys, a repeated name by its first declaration.
 */
#include "scenario-format.h"

#include "base/errors.h"
#include "base/ktime.h"
#include "suggest.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#define DAY (24 * 3600 * KDO_S)

/* ---- lookups ------------------------------------------------------------- */

const struct kdo_format_key *kdo_format_find(const struct kdo_format_map *m, const char *name)
{
    for (size_t i = 0; m && i < m->nkeys; i++)
        if (strcmp(m->keys[i].name, name) == 0)
            return &m->keys[i];
    const struct kdo_format_key *k = NULL;
    for (size_t i = 0; m && i < m->nshapes && k == NULL; i++)
        k = kdo_format_find(m->shapes[i], name);
    return k;
}

/* Whether k is the first declaration of its name in m (a shape's keys
 * repeat names: `at` is a restart's and a fix's). */
static int first_of_name(const struct kdo_format_map *m, const struct kdo_format_key *k)
{
    return kdo_format_find(m, k->name) == k;
}

const struct kdo_format_map *kdo_format_sub(const struct kdo_format_map *m, const char *name)
{
    const struct kdo_format_key *k = kdo_format_find(m, name);
    return k ? k->map : NULL;
}

static size_t names_into(const struct kdo_format_map *root, const struct kdo_format_map *m,
                         const char **out, size_t n, size_t max)
{
    for (size_t i = 0; i < m->nkeys && n + 1 < max; i++)
        if (first_of_name(root, &m->keys[i]))
            out[n++] = m->keys[i].name;
    for (size_t i = 0; i < m->nshapes; i++)
        n = names_into(root, m->shapes[i], out, n, max);
    return n;
}

size_t kdo_format_names(const struct kdo_format_map *m, const char **out, size_t max)
{
    size_t n = names_into(m, m, out, 0, max);
    out[n] = NULL;
    return n;
}

const char *kdo_format_suggest(const struct kdo_format_map *m, const char *word)
{
    const char *names[64];
    kdo_format_names(m, names, sizeof names / sizeof names[0]);
    return kdo_suggest_nearest(word, names);
}

/* ---- limits as text ------------------------------------------------------- */

static void duration_text(int64_t ns, char *out, size_t size)
{
    if (ns != 0 && ns % DAY == 0)
        snprintf(out, size, "%" PRId64 " days", ns / DAY);
    else if (ns % KDO_S == 0)
        snprintf(out, size, "%" PRId64 "s", ns / KDO_S);
    else if (ns % KDO_MS == 0)
        snprintf(out, size, "%" PRId64 "ms", ns / KDO_MS);
    else
        snprintf(out, size, "%" PRId64 "ns", ns);
}

static void size_text(int64_t bytes, char *out, size_t size)
{
    if (bytes != 0 && bytes % (1 << 20) == 0)
        snprintf(out, size, "%" PRId64 "MB", bytes >> 20);
    else if (bytes != 0 && bytes % 1024 == 0)
        snprintf(out, size, "%" PRId64 "KB", bytes >> 10);
    else
        snprintf(out, size, "%" PRId64, bytes);
}

void kdo_format_limit_text(const struct kdo_format_key *k, int64_t v, char *out, size_t size)
{
    enum kdo_format_kind kind = k->limit_kind != KDO_FORMAT_TEXT ? k->limit_kind : k->kind;
    if (kind == KDO_FORMAT_DURATION)
        duration_text(v, out, size);
    else if (kind == KDO_FORMAT_SIZE)
        size_text(v, out, size);
    else
        snprintf(out, size, "%" PRId64, v);
}

/* ---- --help ----------------------------------------------------------------- */

static const char *const kind_names[] = {
    [KDO_FORMAT_TEXT] = "text",         [KDO_FORMAT_COUNT] = "count",
    [KDO_FORMAT_SIZE] = "size",         [KDO_FORMAT_DURATION] = "duration",
    [KDO_FORMAT_RATE] = "rate",         [KDO_FORMAT_PROBABILITY] = "probability",
    [KDO_FORMAT_NUMBER] = "number",     [KDO_FORMAT_BOOL] = "true|false",
    [KDO_FORMAT_RANGE] = "N|{min,max}", [KDO_FORMAT_ENUM] = "one of",
    [KDO_FORMAT_MAP] = "mapping",       [KDO_FORMAT_LIST] = "list",
    [KDO_FORMAT_OTHER] = "as in the example",
};

/* "duration 1s..900s", "one of ok|omit|...", "count >= 1". */
static void kind_text(const struct kdo_format_key *k, char *out, size_t size)
{
    char lo[32], hi[32];
    size_t len = (size_t)snprintf(out, size, "%s", kind_names[k->kind]);
    for (size_t i = 0; k->kind == KDO_FORMAT_ENUM && len < size; i++) {
        const char *c = k->choices ? k->choices[i] : k->choice(i);
        if (c == NULL)
            break;
        len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "|" : " ", c);
    }
    if (!(k->flags & KDO_FORMAT_LIMITED) || len >= size)
        return;
    kdo_format_limit_text(k, k->min, lo, sizeof lo);
    kdo_format_limit_text(k, k->max, hi, sizeof hi);
    if (k->max == INT64_MAX)
        snprintf(out + len, size - len, " >= %s", lo);
    else
        snprintf(out + len, size - len, " %s..%s", lo, hi);
}

static void help_map(FILE *out, const struct kdo_format_map *root, const struct kdo_format_map *m,
                     const char *prefix, int depth);

static void help_key(FILE *out, const struct kdo_format_key *k, const char *prefix, int depth)
{
    char path[128], kind[400];
    snprintf(path, sizeof path, "%s%s", prefix, k->name);
    kind_text(k, kind, sizeof kind);
    fprintf(out, "  %-36s %s%s%s\n", path, kind, k->def ? ", default " : "", k->def ? k->def : "");
    fprintf(out, "  %-36s   %s\n", "", k->help);
    /* A mapping met again (match under rules and timeline) is listed once. */
    if (k->map && depth < 4 && !(k->map == &kdo_format_match && strcmp(prefix, "lambda.rules[].") != 0)) {
        char sub[160];
        if (k->kind == KDO_FORMAT_OTHER) /* the map is the form of one entry, named by it */
            snprintf(sub, sizeof sub, "%s.%s.", path, k->map->name);
        else
            snprintf(sub, sizeof sub, "%s%s", path, k->kind == KDO_FORMAT_LIST ? "[]." : ".");
        help_map(out, k->map, k->map, sub, depth + 1);
    }
}

/* m's keys under root (m itself, or one of root's shapes): a name the
 * shapes repeat is listed once, where it is first declared. */
static void help_map(FILE *out, const struct kdo_format_map *root, const struct kdo_format_map *m,
                     const char *prefix, int depth)
{
    for (size_t i = 0; i < m->nkeys; i++)
        if (first_of_name(root, &m->keys[i]))
            help_key(out, &m->keys[i], prefix, depth);
    for (size_t i = 0; i < m->nshapes; i++)
        help_map(out, root, m->shapes[i], prefix, depth);
}

int kdo_format_help(FILE *out, const struct kdo_format_map *root)
{
    help_map(out, root, root, "", 0);
    return ferror(out) ? KDO_EIO : 0;
}
