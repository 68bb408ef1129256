/*
 * query_sql_fixture.h -- what the query's SQL tests share (test_query_sql.c,
 * test_query_analytic.c): the demo ticker schema (TICKER_SYMBOL VARCHAR(4),
 * SECTOR VARCHAR(16), CHANGE DOUBLE, PRICE DOUBLE), compiling a SELECT
 * STREAM over it, feeding rows and a typed sink that keeps each output row
 * as "@<ms> <json>" and each error-stream row as "!<name> <data>".  Times
 * are run times; ROWTIME values are 2026-01-01 plus them.  Included once by
 * each of those files (its functions are static).
 */
#ifndef KDO_TEST_QUERY_SQL_FIXTURE_H
#define KDO_TEST_QUERY_SQL_FIXTURE_H

#include "base/errors.h"
#include "sql/parse.h"
#include "sql/query.h"
#include "sql/row.h"
#include "sql/rowfmt.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPOCH_MS INT64_C(1767225600000)

static struct kdo_arena arena;
static struct kdo_row_schema *schema;
static struct kdo_row *row;
static struct kdo_query *q;
static char got[64][256];
static size_t ngot;

static void setup(void)
{
    kdo_arena_init(&arena, 1 << 20);
    schema = kdo_row_schema_new();
    ck_assert_int_eq(kdo_row_schema_add(schema, "TICKER_SYMBOL", 13, KDO_TYPE_VARCHAR, 4, NULL), 0);
    ck_assert_int_eq(kdo_row_schema_add(schema, "SECTOR", 6, KDO_TYPE_VARCHAR, 16, NULL), 0);
    ck_assert_int_eq(kdo_row_schema_add(schema, "CHANGE", 6, KDO_TYPE_DOUBLE, 0, NULL), 0);
    ck_assert_int_eq(kdo_row_schema_add(schema, "PRICE", 5, KDO_TYPE_DOUBLE, 0, NULL), 0);
    row = kdo_row_new(schema);
    ngot = 0;
    q = NULL;
}

static void teardown(void)
{
    kdo_query_free(q);
    kdo_row_free(row);
    kdo_row_schema_free(schema);
    kdo_arena_cleanup(&arena);
}

static const struct kdo_ast_select *parse(const char *sql)
{
    struct kdo_ast_program *p;
    struct kdo_errinfo e = {0};
    ck_assert_msg(kdo_sql_parse("app.sql", sql, strlen(sql), &arena, &p, &e) == 0, "parse: %s",
                  e.msg);
    return p->stmts->query->selects;
}

/* Compiles sql over the typed demo schema; returns kdo_query_new's code, *e its detail. */
static int try_compile(const char *sql, struct kdo_errinfo *e)
{
    struct kdo_query_config c = {.select_ast = parse(sql), .input_schema = schema,
                                 .input_name = "SOURCE_SQL_STREAM_001", .file = "app.sql",
                                 .epoch_ms = EPOCH_MS};
    return kdo_query_new(&c, &q, e);
}

static void compile(const char *sql)
{
    struct kdo_errinfo e = {0};
    ck_assert_msg(try_compile(sql, &e) == 0, "compile: %d:%d: %s", e.line, e.column, e.msg);
}

static int typed_row(void *ctx, kdo_time_ns now, const struct kdo_row *out)
{
    struct kdo_buf b;
    (void)ctx;
    ck_assert_ptr_eq(kdo_row_schema(out), kdo_query_output_schema(q));
    ck_assert_uint_lt(ngot, 64);
    kdo_buf_init(&b, 4096);
    ck_assert_int_eq(kdo_rowfmt_write(&b, out, KDO_ROWFMT_JSON), 0);
    snprintf(got[ngot++], sizeof got[0], "@%lld %.*s", (long long)(now / KDO_MS), (int)b.len,
             b.data);
    kdo_buf_cleanup(&b);
    return 0;
}

static int text_row(void *ctx, kdo_time_ns now, const char *r, size_t n)
{
    (void)ctx, (void)now, (void)r, (void)n;
    ck_abort_msg("a typed sink gets no text rows");
    return 0;
}

static void error_row(void *ctx, kdo_time_ns now, const struct kdo_query_error *e)
{
    (void)ctx, (void)now;
    ck_assert_uint_lt(ngot, 64);
    snprintf(got[ngot++], sizeof got[0], "!%s %.*s", e->name, e->data ? (int)e->data_len : 0,
             e->data ? e->data : "");
}

static const struct kdo_query_sink sink = {text_row, error_row, NULL, typed_row};

/* One input row at t_ms (SECTOR 'TECH', CHANGE NULL); a NAN price is NULL.  The row is
 * cleared and refilled each time. */
static void feed(int64_t t_ms, const char *ticker, double price)
{
    struct kdo_value t = kdo_value_varchar(ticker, strlen(ticker));
    struct kdo_value p = isnan(price) ? kdo_value_null() : kdo_value_double(price);
    struct kdo_value s = kdo_value_varchar("TECH", 4);
    kdo_row_clear(row);
    ck_assert_int_eq(kdo_row_set(row, 0, &t, NULL), 0);
    ck_assert_int_eq(kdo_row_set(row, 1, &s, NULL), 0);
    ck_assert_int_eq(kdo_row_set(row, 3, &p, NULL), 0);
    ck_assert_int_eq(kdo_query_input_row(q, t_ms * KDO_MS, t_ms * KDO_MS, row, &sink), 0);
}

static void expect_got(size_t n, const char *const *rows)
{
    for (size_t i = 0; i < n && i < ngot; i++)
        ck_assert_str_eq(got[i], rows[i]);
    ck_assert_uint_eq(ngot, n);
}

#endif
