/*
 * row.c -- schemas and rows.  A row's string bytes live in its arena; a
 * replaced string's old bytes stay there until kdo_row_clear(), which is
 * what bounds a row by its history since the last clear, not only by its
 * current contents (rows are filled once, then cleared or freed).
 */
#include "sql/row.h"

#include "base/bounds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kdo_row_schema {
    struct kdo_row_column cols[KDO_ROW_MAX_COLUMNS];
    size_t n;
};

struct kdo_row {
    const struct kdo_row_schema *schema;
    struct kdo_value *v;
    struct kdo_arena strings;
    int64_t now_ms, start_ms;
    bool has_now, has_start;
};

static bool ident_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool ident_char(char c)
{
    return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static int resolve_quoted(const char *sql, size_t n, char *out)
{
    size_t k = 0;
    if (n < 3 || sql[n - 1] != '"')
        return KDO_EINVAL;
    for (size_t i = 1; i < n - 1; i++) {
        if (sql[i] == '"' && (i + 1 >= n - 1 || sql[++i] != '"'))
            return KDO_EINVAL;
        if (k == KDO_ROW_MAX_NAME || sql[i] == '\0')
            return KDO_EINVAL;
        out[k++] = sql[i];
    }
    out[k] = '\0';
    return 0;
}

int kdo_row_resolve_name(const char *sql, size_t n, char out[KDO_ROW_MAX_NAME + 1])
{
    out[0] = '\0';
    if (n > 0 && sql[0] == '"')
        return resolve_quoted(sql, n, out);
    if (n == 0 || n > KDO_ROW_MAX_NAME || !ident_start(sql[0]))
        return KDO_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!ident_char(sql[i]))
            return KDO_EINVAL;
        out[i] = sql[i] >= 'a' && sql[i] <= 'z' ? (char)(sql[i] - 32) : sql[i];
    }
    out[n] = '\0';
    return 0;
}

struct kdo_row_schema *kdo_row_schema_new(void)
{
    return kdo_xcalloc(1, sizeof(struct kdo_row_schema));
}

struct kdo_row_schema *kdo_row_schema_copy(const struct kdo_row_schema *s)
{
    struct kdo_row_schema *c = kdo_row_schema_new();
    for (size_t i = 0; i < s->n; i++) {
        c->cols[i] = s->cols[i];
        c->cols[i].name = kdo_xstrdup(s->cols[i].name);
    }
    c->n = s->n;
    return c;
}

void kdo_row_schema_free(struct kdo_row_schema *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        free((char *)s->cols[i].name);
    free(s);
}

int kdo_row_schema_add(struct kdo_row_schema *s, const char *sql, size_t n, enum kdo_type type,
                       size_t max_len, struct kdo_errinfo *e)
{
    char name[KDO_ROW_MAX_NAME + 1];
    if (kdo_row_resolve_name(sql, n, name))
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "bad column name %.*s",
                               (int)(n > 64 ? 64 : n), sql);
    if ((type < KDO_TYPE_BOOLEAN || type > KDO_TYPE_TIMESTAMP) && type != KDO_TYPE_DECIMAL)
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "column %s has no type", name);
    if (type == KDO_TYPE_VARCHAR && (max_len < 1 || max_len > 65535))
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0,
                               "column %s: VARCHAR(%zu) is out of range 1..65535", name, max_len);
    if (kdo_row_schema_find(s, name, strlen(name)) >= 0)
        return kdo_errinfo_set(e, KDO_ESCHEMA, NULL, 0, 0, "duplicate column %s", name);
    if (s->n == KDO_ROW_MAX_COLUMNS)
        return kdo_errinfo_set(e, KDO_ETOOBIG, NULL, 0, 0, "more than %d columns",
                               KDO_ROW_MAX_COLUMNS);
    struct kdo_row_column *c = &s->cols[s->n++];
    c->name = kdo_xstrdup(name);
    c->name_len = strlen(name);
    c->type = type;
    c->max_len = type == KDO_TYPE_VARCHAR ? max_len : 0;
    c->precision = type == KDO_TYPE_DECIMAL ? KDO_DECIMAL_MAX_DIGITS : 0;
    c->scale = type == KDO_TYPE_DECIMAL ? -1 : 0;
    return 0;
}

int kdo_row_schema_add_decimal(struct kdo_row_schema *s, const char *sql, size_t n, int precision,
                               int scale, struct kdo_errinfo *e)
{
    if (precision > KDO_DECIMAL_MAX_DIGITS)
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0,
                               "column %.*s: DECIMAL precision above %d is not supported",
                               (int)(n > 64 ? 64 : n), sql, KDO_DECIMAL_MAX_DIGITS);
    if (precision < 1 || scale < 0 || scale > precision)
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0,
                               "column %.*s: DECIMAL(%d,%d) needs 1 <= precision and 0 <= scale "
                               "<= precision", (int)(n > 64 ? 64 : n), sql, precision, scale);
    int err = kdo_row_schema_add(s, sql, n, KDO_TYPE_DECIMAL, 0, e);
    if (err == 0) {
        s->cols[s->n - 1].precision = precision;
        s->cols[s->n - 1].scale = scale;
    }
    return err;
}

/* "", "(p)" or "(p,s)" after DECIMAL: KDA's default is (18, 0). */
/* "", "(p)" or "(p,s)" after DECIMAL: KDA's default is (18, 0). */
static int decimal_params(const char *p, struct kdo_row_column *out)
{
    int prec = KDO_DECIMAL_MAX_DIGITS, scale = 0, one = -1, two = -1;
    bool ok = *p == '\0';
    if (!ok && sscanf(p, "(%d)%n", &prec, &one) == 1 && one >= 0)
        ok = p[one] == '\0';
    if (!ok && sscanf(p, "(%d,%d)%n", &prec, &scale, &two) == 2 && two >= 0)
        ok = p[two] == '\0';
    out->precision = prec;
    out->scale = scale;
    return ok ? 0 : KDO_EINVAL;
}

int kdo_row_parse_type(const char *text, struct kdo_row_column *out, struct kdo_errinfo *e)
{
    static const struct {
        const char *name;
        enum kdo_type type;
    } names[] = {{"BIGINT", KDO_TYPE_BIGINT},     {"INTEGER", KDO_TYPE_BIGINT},
                 {"INT", KDO_TYPE_BIGINT},        {"SMALLINT", KDO_TYPE_BIGINT},
                 {"TINYINT", KDO_TYPE_BIGINT},    {"REAL", KDO_TYPE_DOUBLE},
                 {"DOUBLE", KDO_TYPE_DOUBLE},     {"FLOAT", KDO_TYPE_DOUBLE},
                 {"BOOLEAN", KDO_TYPE_BOOLEAN},   {"TIMESTAMP", KDO_TYPE_TIMESTAMP},
                 {"DECIMAL", KDO_TYPE_DECIMAL},   {"DEC", KDO_TYPE_DECIMAL},
                 {"NUMERIC", KDO_TYPE_DECIMAL},   {"VARCHAR", KDO_TYPE_VARCHAR}};
    char up[64];
    size_t n = 0;
    for (; text[n] && text[n] != ' ' && n + 1 < sizeof up; n++)
        up[n] = text[n] >= 'a' && text[n] <= 'z' ? (char)(text[n] - 32) : text[n];
    up[n] = '\0';
    *out = (struct kdo_row_column){0};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t w = strlen(names[k].name);
        if (strncmp(up, names[k].name, w) != 0 || (up[w] && up[w] != '('))
            continue;
        out->type = names[k].type;
        unsigned len = 0;
        int used = 0, bad;
        if (out->type == KDO_TYPE_DECIMAL)
            bad = decimal_params(up + w, out);
        else if (out->type == KDO_TYPE_VARCHAR)
            bad = !(sscanf(up + w, "(%u)%n", &len, &used) == 1 && up[w + (size_t)used] == '\0' &&
                    len >= 1 && len <= 65535);
        else
            bad = up[w] != '\0';
        out->max_len = len;
        if (!bad && out->precision > KDO_DECIMAL_MAX_DIGITS)
            return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "type \"%s\": DECIMAL precision "
                                   "above %d is not supported", text, KDO_DECIMAL_MAX_DIGITS);
        if (!bad && !(out->type == KDO_TYPE_DECIMAL &&
                      (out->precision < 1 || out->scale < 0 || out->scale > out->precision)))
            return 0;
        break;
    }
    return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "unknown type \"%.40s\" (expected "
                           "VARCHAR(n) with n from 1 to 65535, BIGINT, INTEGER, SMALLINT, TINYINT, "
                           "REAL, DOUBLE, DECIMAL(p,s), BOOLEAN or TIMESTAMP)", text);
}

int kdo_row_schema_add_type(struct kdo_row_schema *s, const char *sql, size_t n,
                            const struct kdo_row_column *t, struct kdo_errinfo *e)
{
    if (t->type == KDO_TYPE_DECIMAL)
        return kdo_row_schema_add_decimal(s, sql, n, t->precision, t->scale, e);
    return kdo_row_schema_add(s, sql, n, t->type, t->max_len, e);
}

size_t kdo_row_schema_count(const struct kdo_row_schema *s)
{
    return s->n;
}

const struct kdo_row_column *kdo_row_schema_column(const struct kdo_row_schema *s, size_t i)
{
    return i < s->n ? &s->cols[i] : NULL;
}

int kdo_row_schema_find(const struct kdo_row_schema *s, const char *name, size_t n)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->cols[i].name_len == n && memcmp(s->cols[i].name, name, n) == 0)
            return (int)i;
    return -1;
}

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

/* Case-insensitive Levenshtein distance; names are at most 128 bytes. */
static size_t distance(const char *a, size_t na, const char *b, size_t nb)
{
    size_t row[KDO_ROW_MAX_NAME + 2];
    if (na > KDO_ROW_MAX_NAME || nb > KDO_ROW_MAX_NAME)
        return (size_t)-1;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (upper(a[i - 1]) != upper(b[j - 1]));
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

const char *kdo_row_schema_nearest(const struct kdo_row_schema *s, const char *name, size_t n)
{
    size_t limit = n / 3 < 3 ? n / 3 : 3, best = (size_t)-1;
    const char *found = NULL;
    if (limit == 0)
        limit = 1;
    for (size_t i = 0; i < s->n; i++) {
        size_t d = distance(name, n, s->cols[i].name, strlen(s->cols[i].name));
        if (d <= limit && d < best) {
            best = d;
            found = s->cols[i].name;
        }
    }
    return found;
}

struct kdo_row *kdo_row_new(const struct kdo_row_schema *s)
{
    struct kdo_row *r = kdo_xcalloc(1, sizeof *r);
    r->schema = s;
    r->v = kdo_xcalloc(s->n ? s->n : 1, sizeof *r->v);
    kdo_arena_init(&r->strings, KDO_MAX_ROW_BYTES);
    return r;
}

void kdo_row_free(struct kdo_row *r)
{
    if (r == NULL)
        return;
    kdo_arena_cleanup(&r->strings);
    free(r->v);
    free(r);
}

void kdo_row_clear(struct kdo_row *r)
{
    memset(r->v, 0, r->schema->n * sizeof *r->v);
    kdo_arena_reset(&r->strings);
}

const struct kdo_row_schema *kdo_row_schema(const struct kdo_row *r)
{
    return r->schema;
}

const struct kdo_value *kdo_row_get(const struct kdo_row *r, size_t i)
{
    return &r->v[i];
}

static int set_varchar(struct kdo_row *r, size_t i, const struct kdo_value *v,
                       struct kdo_errinfo *e)
{
    const struct kdo_row_column *c = &r->schema->cols[i];
    /* Never more characters than bytes: counting them (a scan per value, seen
     * in bench_window) is needed only when the bytes exceed the limit. */
    size_t chars = v->u.str.len <= c->max_len ? v->u.str.len
                                              : kdo_utf8_length(v->u.str.s, v->u.str.len);
    if (chars > c->max_len)
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0,
                               "%zu characters are too long for %s VARCHAR(%zu)", chars, c->name,
                               c->max_len);
    const char *copy;
    if (kdo_arena_dup(&r->strings, v->u.str.s, v->u.str.len, &copy))
        return kdo_errinfo_set(e, KDO_EROWSIZE, NULL, 0, 0,
                               "row larger than %zu bytes at column %s", KDO_MAX_ROW_BYTES,
                               c->name);
    r->v[i] = kdo_value_varchar(copy, v->u.str.len);
    return 0;
}

static int set_decimal(struct kdo_row *r, size_t i, const struct kdo_value *v,
                       struct kdo_errinfo *e)
{
    const struct kdo_row_column *c = &r->schema->cols[i];
    struct kdo_errinfo why = {0};
    struct kdo_value d;
    if (kdo_value_cast_decimal(v, c->precision, c->scale, &d, &why))
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "column %s: %s", c->name, why.msg);
    r->v[i] = d;
    return 0;
}

int kdo_row_set(struct kdo_row *r, size_t i, const struct kdo_value *v, struct kdo_errinfo *e)
{
    if (i >= r->schema->n)
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "no column %zu", i);
    const struct kdo_row_column *c = &r->schema->cols[i];
    if (v->type == KDO_TYPE_NULL) {
        r->v[i] = *v;
        return 0;
    }
    if (v->type == KDO_TYPE_BIGINT && c->type == KDO_TYPE_DOUBLE) {
        r->v[i] = kdo_value_double((double)v->u.i);
        return 0;
    }
    if (c->type == KDO_TYPE_DECIMAL && c->scale >= 0 &&
        (v->type == KDO_TYPE_DECIMAL || v->type == KDO_TYPE_BIGINT))
        return set_decimal(r, i, v, e);
    if (v->type != c->type)
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "%s value for %s column %s",
                               kdo_type_name(v->type), kdo_type_name(c->type), c->name);
    if (v->type == KDO_TYPE_VARCHAR)
        return set_varchar(r, i, v, e);
    r->v[i] = *v;
    return 0;
}

void kdo_row_set_now(struct kdo_row *r, int64_t now_ms)
{
    r->now_ms = now_ms;
    r->has_now = true;
}

void kdo_row_set_start(struct kdo_row *r, int64_t start_ms)
{
    r->start_ms = start_ms;
    r->has_start = true;
}

int kdo_row_now(const struct kdo_row *r, int64_t *ms)
{
    if (r->has_now) {
        *ms = r->now_ms;
        return 0;
    }
    int k = kdo_row_schema_find(r->schema, "ROWTIME", 7);
    if (k < 0 || r->v[k].type != KDO_TYPE_TIMESTAMP)
        return KDO_ESTATE;
    *ms = r->v[k].u.ts_ms;
    return 0;
}

int kdo_row_start(const struct kdo_row *r, int64_t *ms)
{
    *ms = r->start_ms;
    return r->has_start ? 0 : KDO_ESTATE;
}

/* The name quoted, so that kdo_row_schema_add keeps it as it is. */
int kdo_row_schema_add_named(struct kdo_row_schema *s, const char *name,
                             const struct kdo_row_column *t, struct kdo_errinfo *e)
{
    char q[2 * KDO_ROW_MAX_NAME + 3];
    size_t n = 0;
    q[n++] = '"';
    for (const char *p = name; *p && n + 3 < sizeof q; p++) {
        if (*p == '"')
            q[n++] = '"';
        q[n++] = *p;
    }
    q[n++] = '"';
    if (t->type == KDO_TYPE_DECIMAL && t->scale >= 0)
        return kdo_row_schema_add_decimal(s, q, n, t->precision, t->scale, e);
    return kdo_row_schema_add(s, q, n, t->type, t->max_len, e);
}
