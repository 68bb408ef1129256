/*
 * rowdiff.c -- expected rows against received rows (rowdiff.h).
 *
 * Rows become jansson objects (a CSV record: an object keyed by the column
 * names), so both formats share one value comparison.  Expected rows are
 * parsed when a group brings them into reach and freed once consumed;
 * `consumed` marks the rows already matched, changed or declared missing,
 * and `cursor` is the first row not consumed.  The matching is greedy and
 * tries the expected rows in order, so rows that arrive in the expected
 * order cost one comparison each.
 */
#include "rowdiff.h"

#include "base/buf.h"
#include "base/errors.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOOKAHEAD 16 /* rows beyond an instant's share searched for its rows */
#define ROW_TEXT 200 /* bytes of a row shown in a difference */

struct received {
    json_t *v; /* NULL: did not parse */
    char *text;
};

struct kdo_rowdiff {
    struct kdo_rowdiff_config cfg;
    const struct kdo_rowdiff_text *exp;
    size_t n, cursor;
    json_t **cache;     /* parsed expected rows in reach */
    unsigned char *consumed;
    struct received *group;
    size_t ngroup;
    uint64_t instant;
    struct kdo_rowdiff_counts counts;
    struct kdo_buf shown;
    uint64_t nshown;
};

/* ---- rows as values ------------------------------------------------------------ */

/* A CSV field's value: NULL when empty and unquoted, a number when it reads
 * as one, else its text. */
static json_t *csv_value(const char *s, size_t n, int quoted)
{
    char buf[64], *end;
    if (n == 0 && !quoted)
        return json_null();
    if (!quoted && n < sizeof buf) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        long long i = strtoll(buf, &end, 10);
        if (*end == '\0' && end != buf)
            return json_integer(i);
        double d = strtod(buf, &end);
        if (*end == '\0' && end != buf && isfinite(d))
            return json_real(d);
    }
    return json_stringn(s, n);
}

static void csv_name(const struct kdo_rowdiff_config *c, size_t i, char *out, size_t size)
{
    if (c->names && i < c->nnames)
        snprintf(out, size, "%s", c->names[i]);
    else
        snprintf(out, size, "column %zu", i + 1);
}

/* RFC 4180: a field opening with a quote runs to the closing quote, "" is
 * a quote. */
static json_t *csv_row(const struct kdo_rowdiff_config *c, const char *p, size_t len)
{
    json_t *o = json_object();
    struct kdo_buf f;
    kdo_buf_init(&f, len + 1);
    size_t i = 0, col = 0;
    for (;;) {
        int quoted = i < len && p[i] == '"';
        kdo_buf_reset(&f);
        if (quoted) {
            for (i++; i < len; i++) {
                if (p[i] == '"' && i + 1 < len && p[i + 1] == '"')
                    kdo_buf_append(&f, "\"", 1), i++;
                else if (p[i] == '"')
                    break;
                else
                    kdo_buf_append(&f, p + i, 1);
            }
            i++;
        }
        for (; i < len && p[i] != ','; i++)
            kdo_buf_append(&f, p + i, 1);
        char name[96];
        csv_name(c, col++, name, sizeof name);
        json_object_set_new(o, name, csv_value(f.data ? f.data : "", f.len, quoted));
        if (i >= len)
            break;
        i++; /* the comma */
    }
    kdo_buf_cleanup(&f);
    return o;
}

static json_t *parse_row(const struct kdo_rowdiff_config *c, const char *p, size_t len)
{
    if (c->format == KDO_ROWFMT_CSV)
        return csv_row(c, p, len);
    json_t *v = json_loadb(p, len, JSON_REJECT_DUPLICATES, NULL);
    if (v && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

int kdo_rowdiff_check_row(enum kdo_rowfmt_format format, const char *row, size_t len, char *why,
                          size_t why_size)
{
    if (format == KDO_ROWFMT_CSV)
        return 0;
    json_error_t e;
    json_t *v = json_loadb(row, len, JSON_REJECT_DUPLICATES, &e);
    int ok = v && json_is_object(v);
    if (!ok)
        snprintf(why, why_size, "not a JSON object: %s", v ? "another JSON value" : e.text);
    json_decref(v);
    return ok ? 0 : KDO_EPARSE;
}

/* ---- comparing ------------------------------------------------------------------ */

static int same_value(const json_t *e, const json_t *g, double tol)
{
    if (e == NULL || g == NULL)
        return e == g;
    if (json_is_integer(e) && json_is_integer(g))
        return json_integer_value(e) == json_integer_value(g);
    if (json_is_number(e) && json_is_number(g)) {
        double a = json_number_value(e), b = json_number_value(g);
        return fabs(a - b) <= tol + tol * fmax(fabs(a), fabs(b));
    }
    return json_equal(e, g);
}

/* Calls fn for every compared key (cfg->columns, else e's keys then g's
 * others); returns how many keys differ and sets *ncompared. */
typedef void diff_fn(void *ctx, const char *key, const json_t *e, const json_t *g);
static size_t compare(const struct kdo_rowdiff *d, const json_t *e, const json_t *g,
                      size_t *ncompared, diff_fn *fn, void *ctx)
{
    size_t ndiff = 0, n = 0;
    const char *key;
    json_t *v;
    if (d->cfg.columns) {
        for (size_t i = 0; i < d->cfg.ncolumns; i++, n++) {
            key = d->cfg.columns[i];
            json_t *a = json_object_get(e, key), *b = json_object_get(g, key);
            if (!same_value(a, b, d->cfg.tolerance) && ++ndiff && fn)
                fn(ctx, key, a, b);
        }
    } else {
        json_object_foreach((json_t *)e, key, v) {
            json_t *b = json_object_get(g, key);
            n++;
            if (!same_value(v, b, d->cfg.tolerance) && ++ndiff && fn)
                fn(ctx, key, v, b);
        }
        json_object_foreach((json_t *)g, key, v) {
            if (json_object_get(e, key))
                continue;
            n++;
            if (++ndiff && fn)
                fn(ctx, key, NULL, v);
        }
    }
    if (ncompared)
        *ncompared = n;
    return ndiff;
}

static int equal(const struct kdo_rowdiff *d, const json_t *e, const json_t *g)
{
    return compare(d, e, g, NULL, NULL, NULL) == 0;
}

/* Differs in at most half the compared columns: the same row, changed. */
static int similar(const struct kdo_rowdiff *d, const json_t *e, const json_t *g)
{
    size_t n;
    size_t ndiff = compare(d, e, g, &n, NULL, NULL);
    return n > 0 && 2 * ndiff <= n;
}

/* ---- the differences shown ------------------------------------------------------ */

static int showing(struct kdo_rowdiff *d)
{
    return d->nshown++ < KDO_ROWDIFF_SHOWN;
}

static void show_value(struct kdo_buf *b, const json_t *v)
{
    if (v == NULL) {
        kdo_buf_puts(b, "(no such column)");
        return;
    }
    if (json_is_real(v)) { /* the shortest digits that read back as the value */
        double x = json_real_value(v);
        char t[40];
        for (int p = 15; p <= 17; p++)
            if (snprintf(t, sizeof t, "%.*g", p, x) > 0 && strtod(t, NULL) == x)
                break;
        kdo_buf_puts(b, t);
        return;
    }
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    kdo_buf_puts(b, s ? s : "?");
    free(s);
}

static void show_text(struct kdo_buf *b, const char *p, size_t len)
{
    kdo_buf_append(b, p, len < ROW_TEXT ? len : ROW_TEXT);
    if (len > ROW_TEXT)
        kdo_buf_puts(b, "...");
}

struct change {
    struct kdo_buf *b;
    int n;
};

static void show_column(void *ctx, const char *key, const json_t *e, const json_t *g)
{
    struct change *c = ctx;
    if (c->n++ == 3) {
        kdo_buf_puts(c->b, "; ...");
        return;
    }
    if (c->n > 3)
        return;
    kdo_buf_printf(c->b, "%scolumn %s: expected ", c->n > 1 ? "; " : ": ", key);
    show_value(c->b, e);
    kdo_buf_puts(c->b, ", got ");
    show_value(c->b, g);
}

static void missing(struct kdo_rowdiff *d, size_t i)
{
    d->counts.missing++;
    if (!showing(d))
        return;
    kdo_buf_printf(&d->shown, "missing row %zu: ", i + 1);
    show_text(&d->shown, d->exp[i].data, d->exp[i].len);
    kdo_buf_puts(&d->shown, "\n");
}

static void unexpected(struct kdo_rowdiff *d, const struct received *r)
{
    d->counts.unexpected++;
    if (!showing(d))
        return;
    kdo_buf_printf(&d->shown, "unexpected row%s: %s\n", r->v ? "" : " (not a JSON object)",
                   r->text);
}

static void changed(struct kdo_rowdiff *d, size_t i, const json_t *g)
{
    d->counts.changed++;
    if (!showing(d))
        return;
    struct change c = {&d->shown, 0};
    kdo_buf_printf(&d->shown, "row %zu", i + 1);
    compare(d, d->cache[i], g, NULL, show_column, &c);
    kdo_buf_puts(&d->shown, "\n");
}

/* ---- matching ------------------------------------------------------------------- */

static json_t *expected_row(struct kdo_rowdiff *d, size_t i)
{
    if (d->cache[i] == NULL)
        d->cache[i] = parse_row(&d->cfg, d->exp[i].data, d->exp[i].len);
    if (d->cache[i] == NULL) /* checked at load; an unparsable row matches nothing */
        d->cache[i] = json_object();
    return d->cache[i];
}

static void consume(struct kdo_rowdiff *d, size_t i)
{
    d->consumed[i] = 1;
    json_decref(d->cache[i]);
    d->cache[i] = NULL;
}

/* The candidates for a group of k rows: the first k rows not consumed from
 * the cursor on (its share, *nshare of them), then up to max(k, LOOKAHEAD)
 * more.  Returns how many, in idx (room for 2 * k + LOOKAHEAD). */
static size_t candidates(struct kdo_rowdiff *d, size_t k, size_t *idx, size_t *nshare)
{
    size_t want = k + (k > LOOKAHEAD ? k : LOOKAHEAD), n = 0;
    for (size_t i = d->cursor; i < d->n && n < want; i++)
        if (!d->consumed[i])
            idx[n++] = i;
    *nshare = n < k ? n : k;
    return n;
}

/* The first candidate not consumed that `ok` accepts for g, or SIZE_MAX. */
static size_t find(struct kdo_rowdiff *d, const size_t *idx, size_t n, const json_t *g,
                   int (*ok)(const struct kdo_rowdiff *, const json_t *, const json_t *))
{
    for (size_t j = 0; j < n; j++)
        if (!d->consumed[idx[j]] && ok(d, expected_row(d, idx[j]), g))
            return j;
    return SIZE_MAX;
}

static void compare_group(struct kdo_rowdiff *d, struct received *g, size_t k)
{
    size_t *idx = kdo_xmalloc((2 * k + LOOKAHEAD) * sizeof *idx), nshare;
    size_t n = candidates(d, k, idx, &nshare), last = 0, any = 0, j;
    unsigned char *done = kdo_xcalloc(k ? k : 1, 1);
    for (size_t r = 0; r < k; r++) /* the same rows, anywhere in reach */
        if (g[r].v && (j = find(d, idx, n, g[r].v, equal)) != SIZE_MAX) {
            consume(d, idx[j]);
            d->counts.matched++;
            done[r] = 1;
            last = any++ ? (idx[j] > last ? idx[j] : last) : idx[j];
        }
    for (size_t r = 0; r < k; r++) { /* changed rows within the share, or unexpected */
        if (done[r])
            continue;
        if (g[r].v && (j = find(d, idx, nshare, g[r].v, similar)) != SIZE_MAX) {
            changed(d, idx[j], g[r].v);
            consume(d, idx[j]);
            last = any++ ? (idx[j] > last ? idx[j] : last) : idx[j];
        } else {
            unexpected(d, &g[r]);
        }
    }
    for (j = 0; any && j < n && idx[j] < last; j++) /* passed over */
        if (!d->consumed[idx[j]]) {
            missing(d, idx[j]);
            consume(d, idx[j]);
        }
    while (d->cursor < d->n && d->consumed[d->cursor])
        d->cursor++;
    free(done);
    free(idx);
}

static void flush_group(struct kdo_rowdiff *d)
{
    compare_group(d, d->group, d->ngroup);
    for (size_t i = 0; i < d->ngroup; i++) {
        json_decref(d->group[i].v);
        free(d->group[i].text);
    }
    d->ngroup = 0;
}

/* ---- the object ----------------------------------------------------------------- */

struct kdo_rowdiff *kdo_rowdiff_new(const struct kdo_rowdiff_config *cfg,
                                    const struct kdo_rowdiff_text *expected, size_t n)
{
    struct kdo_rowdiff *d = kdo_xcalloc(1, sizeof *d);
    d->cfg = *cfg;
    d->exp = expected;
    d->n = n;
    d->cache = kdo_xcalloc(n ? n : 1, sizeof *d->cache);
    d->consumed = kdo_xcalloc(n ? n : 1, 1);
    d->group = kdo_xcalloc(KDO_ROWDIFF_MAX_GROUP, sizeof *d->group);
    d->counts.expected = n;
    kdo_buf_init(&d->shown, 64 * 1024);
    return d;
}

void kdo_rowdiff_free(struct kdo_rowdiff *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++)
        json_decref(d->cache[i]);
    for (size_t i = 0; i < d->ngroup; i++) {
        json_decref(d->group[i].v);
        free(d->group[i].text);
    }
    free(d->cache);
    free(d->consumed);
    free(d->group);
    kdo_buf_cleanup(&d->shown);
    free(d);
}

void kdo_rowdiff_add(struct kdo_rowdiff *d, const char *row, size_t len, uint64_t instant)
{
    int strict = d->cfg.order == KDO_ROWDIFF_STRICT;
    if (d->ngroup && (strict || instant != d->instant || d->ngroup == KDO_ROWDIFF_MAX_GROUP))
        flush_group(d);
    d->instant = instant;
    d->counts.received++;
    struct received *r = &d->group[d->ngroup++];
    struct kdo_buf t;
    kdo_buf_init(&t, ROW_TEXT + 8);
    show_text(&t, row, len);
    kdo_buf_append(&t, "", 1);
    r->text = kdo_xstrdup(t.data);
    kdo_buf_cleanup(&t);
    r->v = parse_row(&d->cfg, row, len);
}

void kdo_rowdiff_finish(struct kdo_rowdiff *d)
{
    if (d->ngroup)
        flush_group(d);
    for (size_t i = d->cursor; i < d->n; i++)
        if (!d->consumed[i]) {
            missing(d, i);
            consume(d, i);
        }
    d->cursor = d->n;
}

void kdo_rowdiff_counts(const struct kdo_rowdiff *d, struct kdo_rowdiff_counts *out)
{
    *out = d->counts;
}

int kdo_rowdiff_equal(const struct kdo_rowdiff *d)
{
    const struct kdo_rowdiff_counts *c = &d->counts;
    return c->missing == 0 && c->unexpected == 0 && c->changed == 0 &&
           c->matched == c->expected && c->received == c->expected;
}

char *kdo_rowdiff_report(const struct kdo_rowdiff *d)
{
    const struct kdo_rowdiff_counts *c = &d->counts;
    struct kdo_buf b;
    kdo_buf_init(&b, 128 * 1024);
    kdo_buf_printf(&b,
                   "rows: %llu expected, %llu received: %llu matched, %llu missing, "
                   "%llu unexpected, %llu changed\n",
                   (unsigned long long)c->expected, (unsigned long long)c->received,
                   (unsigned long long)c->matched, (unsigned long long)c->missing,
                   (unsigned long long)c->unexpected, (unsigned long long)c->changed);
    if (d->shown.len)
        kdo_buf_append(&b, d->shown.data, d->shown.len);
    if (d->nshown > KDO_ROWDIFF_SHOWN)
        kdo_buf_printf(&b, "... and %llu more differences\n",
                       (unsigned long long)(d->nshown - KDO_ROWDIFF_SHOWN));
    kdo_buf_append(&b, "", 1);
    char *s = kdo_xstrdup(b.data);
    kdo_buf_cleanup(&b);
    return s;
}
