/*
 * fuzz_expr.c -- fuzz target: any text compiled as an SQL expression
 * against a fixed schema (every type, a NULL column, a quoted name) and
 * evaluated on a fixed row.
 *
 * Asserted, beyond not crashing: compile fails with one of its documented
 * codes and a message, or succeeds; evaluation fails with KDO_EINVAL or
 * KDO_ETOOBIG and a message, or yields NULL or a value of the compiled type
 * (a DOUBLE always finite, a VARCHAR NUL-terminated at its length, a
 * DECIMAL at the compiled scale with at most 18 digits).  Any
 * violation aborts.
 */
#include "sql/expr.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kdo_row_schema *schema;
static struct kdo_row *row;

static void build(void)
{
    static const struct {
        const char *name;
        enum kdo_type type;
        size_t max_len;
    } cols[] = {
        {"TICKER_SYMBOL", KDO_TYPE_VARCHAR, 4},
        {"SECTOR", KDO_TYPE_VARCHAR, 16},
        {"CHANGE", KDO_TYPE_DOUBLE, 0},
        {"PRICE", KDO_TYPE_DOUBLE, 0},
        {"QTY", KDO_TYPE_BIGINT, 0},
        {"FLAG", KDO_TYPE_BOOLEAN, 0},
        {"TS", KDO_TYPE_TIMESTAMP, 0},
        {"N", KDO_TYPE_BIGINT, 0},
        {"\"lower\"", KDO_TYPE_VARCHAR, 8},
    };
    schema = kdo_row_schema_new();
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (kdo_row_schema_add(schema, cols[i].name, strlen(cols[i].name), cols[i].type,
                               cols[i].max_len, NULL))
            abort();
    row = kdo_row_new(schema);
    struct kdo_value v[] = {
        kdo_value_varchar("AMZN", 4),
        kdo_value_varchar("TECHNOLOGY", 10),
        kdo_value_double(-0.32),
        kdo_value_double(82.5),
        kdo_value_bigint(INT64_MAX),
        kdo_value_bool(true),
        kdo_value_timestamp(1513300190000LL),
        kdo_value_null(),
        kdo_value_varchar("x\xc3\xa9", 3),
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (kdo_row_set(row, i, &v[i], NULL))
            abort();
}

static void check_value(const struct kdo_expr *x, const struct kdo_value *v)
{
    if (v->type == KDO_TYPE_NULL)
        return;
    if (v->type != kdo_expr_type(x))
        abort();
    if (v->type == KDO_TYPE_DOUBLE && !isfinite(v->u.d))
        abort();
    if (v->type == KDO_TYPE_VARCHAR && v->u.str.s[v->u.str.len] != '\0')
        abort();
    if (v->type == KDO_TYPE_TIMESTAMP &&
        (v->u.ts_ms < KDO_TIMESTAMP_MIN_MS || v->u.ts_ms > KDO_TIMESTAMP_MAX_MS))
        abort();
    if (v->type == KDO_TYPE_DECIMAL &&
        (v->u.dec.scale != kdo_expr_scale(x) || v->u.dec.v <= -KDO_DECIMAL_LIMIT ||
         v->u.dec.v >= KDO_DECIMAL_LIMIT))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (schema == NULL)
        build();
    struct kdo_expr *x;
    struct kdo_errinfo e = {0};
    int err = kdo_expr_compile((const char *)data, size, schema, &x, &e);
    if (err) {
        if ((err != KDO_EPARSE && err != KDO_ESCHEMA && err != KDO_EDEPTH && err != KDO_ETOOBIG) ||
            x != NULL || e.msg[0] == '\0')
            abort();
        return 0;
    }
    struct kdo_arena scratch;
    kdo_arena_init(&scratch, 1 << 16);
    struct kdo_value v;
    e.msg[0] = '\0';
    err = kdo_expr_eval(x, row, &scratch, &v, &e);
    if (err && ((err != KDO_EINVAL && err != KDO_ETOOBIG) || e.msg[0] == '\0'))
        abort();
    if (!err)
        check_value(x, &v);
    enum kdo_tv tv;
    if (kdo_expr_type(x) == KDO_TYPE_BOOLEAN && kdo_expr_test(x, row, &scratch, &tv, NULL) == 0 &&
        tv != KDO_TV_TRUE && tv != KDO_TV_FALSE && tv != KDO_TV_UNKNOWN)
        abort();
    kdo_arena_cleanup(&scratch);
    kdo_expr_free(x);
    return 0;
}
