/*
 * program_harness.h -- what the program-level tests share (test_tablefn.c,
 * test_orderby.c): an application loaded from SQL text over the `input`
 * schema the test fills, every output row appended to `got` as
 * "@SECONDS {json}\n", error rows appended as "error NAME: message\n" (or
 * failing the test when `errors_fail` is set), a refusal checked at its
 * place, and the clock advanced by hand.  Included by one test file each.
 */
#ifndef KDO_TEST_PROGRAM_HARNESS_H
#define KDO_TEST_PROGRAM_HARNESS_H

#include "base/buf.h"
#include "base/errors.h"
#include "sql/program.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(x) ((kdo_time_ns)(x) * 1000 * KDO_MS)

static struct kdo_buf got;
static struct kdo_row_schema *input;
static struct kdo_program *prog;
static struct kdo_errinfo err;
static int errors_fail;
static const struct kdo_program_table *tables; /* reference tables load() declares */
static size_t ntables;

static int on_row(void *ctx, size_t output, kdo_time_ns rowtime, const char *row, size_t len)
{
    (void)ctx, (void)output;
    kdo_buf_printf(&got, "@%lld %.*s\n", (long long)(rowtime / KDO_MS / 1000), (int)len, row);
    return 0;
}

static void on_error(void *ctx, kdo_time_ns rowtime, const struct kdo_query_error *e)
{
    (void)ctx, (void)rowtime;
    ck_assert_msg(!errors_fail, "error row %s: %s", e->name, e->message);
    kdo_buf_printf(&got, "error %s: %s\n", e->name, e->message);
}

static const struct kdo_program_sink sink = {on_row, on_error, NULL};

static void harness_setup(void)
{
    kdo_buf_init(&got, 64 << 20);
    input = kdo_row_schema_new();
    prog = NULL;
    memset(&err, 0, sizeof err);
}

static void teardown(void)
{
    kdo_program_free(prog);
    kdo_row_schema_free(input);
    kdo_buf_cleanup(&got);
}

static int load(const char *sql)
{
    static const enum kdo_rowfmt_format fmts[1] = {KDO_ROWFMT_JSON};
    static const char *const dest[] = {"DESTINATION_SQL_STREAM"};
    struct kdo_program_config c = {.sql = sql, .sql_len = strlen(sql), .file = "app.sql",
                                   .parallelism = 1, .input_schema = input,
                                   .input_format = KDO_ROWFMT_JSON, .outputs = dest,
                                   .output_formats = fmts, .noutputs = 1, .tables = tables,
                                   .ntables = ntables};
    kdo_program_free(prog);
    prog = NULL;
    memset(&err, 0, sizeof err);
    return kdo_program_new(&c, &prog, &err);
}

static void load_ok(const char *sql)
{
    int rc = load(sql);
    ck_assert_msg(rc == 0, "load: %s at %s:%d:%d", err.msg, err.file, err.line, err.column);
}

/* head + text + tail + ";" must be refused with `msg`, at line 1, at the
 * first `at` within text. */
static void refused_at(const char *head, const char *text, const char *tail, const char *msg,
                       const char *at)
{
    char sql[1024];
    snprintf(sql, sizeof sql, "%s%s%s;", head, text, tail);
    int col = (int)strlen(head) + 1 + (int)(strstr(text, at) - text);
    ck_assert_int_ne(load(sql), 0);
    ck_assert_msg(strstr(err.msg, msg) != NULL, "%s: %s", text, err.msg);
    ck_assert_msg(err.line == 1 && err.column == col, "%s: at %d:%d, not 1:%d (%s)", text,
                  err.line, err.column, col, err.msg);
    ck_assert_str_eq(err.file, "app.sql");
}

static void run_to(kdo_time_ns until)
{
    for (int i = 0; i < 100000; i++) {
        kdo_time_ns t = kdo_program_next_deadline(prog);
        if (t > until)
            break;
        ck_assert_int_eq(kdo_program_advance(prog, t, &sink), 0);
    }
}

#endif
