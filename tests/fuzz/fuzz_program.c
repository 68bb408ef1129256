/*
 * fuzz_program.c -- fuzz target: an application's SQL compiled and run
 * (emulator/sql/program.c), so the operators behind the parser -- joins,
 * windows, ORDER BY, the stream functions, reference tables -- see
 * arbitrary programs and rows.
 *
 * The input is SQL, then optionally a line "--ROWS--" and JSON rows, one per
 * line, over a fixed source schema (SIDE, K, V, TICKER_SYMBOL, PRICE) and a
 * reference table T (K, NAME) of three rows.  A program that compiles reads
 * each row 250 ms after the last and closes every window due, a bounded
 * number of times.  Asserted, beyond not crashing: a refusal has a message
 * and a place, and running never returns an error the sink did not give.
 */
#include "sql/program.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SQL_MAX 8192
#define ROWS_MAX 64
#define ADVANCES_MAX 256

static int on_row(void *ctx, size_t output, kdo_time_ns t, const char *row, size_t len)
{
    (void)ctx, (void)output, (void)t, (void)row, (void)len;
    return 0;
}

static void on_error(void *ctx, kdo_time_ns t, const struct kdo_query_error *e)
{
    (void)ctx, (void)t;
    if (e->name == NULL || e->message[0] == '\0')
        abort();
}

static const struct kdo_program_sink sink = {on_row, on_error, NULL};

static struct kdo_row_schema *schema(const char *const *cols, size_t n)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    for (size_t i = 0; i < n; i++) {
        struct kdo_row_column t;
        if (kdo_row_parse_type(cols[2 * i + 1], &t, NULL) != 0 ||
            kdo_row_schema_add_type(s, cols[2 * i], strlen(cols[2 * i]), &t, NULL) != 0)
            abort();
    }
    return s;
}

static void run(struct kdo_program *p, const char *rows, size_t len)
{
    kdo_time_ns t = 0;
    int n = 0;
    for (size_t at = 0; at < len && n < ROWS_MAX; n++) {
        const char *nl = memchr(rows + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - rows) : len;
        t += 250 * KDO_MS;
        if (kdo_program_input(p, 0, t, t, rows + at, end - at, &sink) != 0)
            abort();
        at = end + 1;
    }
    for (int i = 0; i < ADVANCES_MAX; i++) {
        kdo_time_ns due = kdo_program_next_deadline(p);
        if (due == KDO_TIME_NEVER)
            break;
        if (due < t) /* a deadline never lies behind the time already run */
            abort();
        if (kdo_program_advance(p, t = due, &sink) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const in_cols[] = {"SIDE", "VARCHAR(4)", "K", "BIGINT", "V", "DOUBLE",
                                          "TICKER_SYMBOL", "VARCHAR(4)", "PRICE", "DOUBLE"};
    static const char *const t_cols[] = {"K", "BIGINT", "NAME", "VARCHAR(8)"};
    static const char *const dest[] = {"DESTINATION_SQL_STREAM"};
    static const enum kdo_rowfmt_format fmts[] = {KDO_ROWFMT_JSON};
    const char *text = (const char *)data;
    const char *mark = size ? memmem(text, size, "\n--ROWS--\n", 10) : NULL;
    size_t sql_len = mark ? (size_t)(mark - text) : size;
    if (sql_len > SQL_MAX)
        return 0;
    struct kdo_row_schema *in = schema(in_cols, 5), *ts = schema(t_cols, 2);
    struct kdo_program_table table = {"T", ts, KDO_ROWFMT_CSV};
    struct kdo_program_config c = {.sql = text, .sql_len = sql_len, .file = "fuzz.sql",
                                   .parallelism = 1, .input_schema = in,
                                   .input_format = KDO_ROWFMT_JSON, .seed = 1, .outputs = dest,
                                   .output_formats = fmts, .noutputs = 1, .tables = &table,
                                   .ntables = 1};
    struct kdo_program *p = NULL;
    struct kdo_errinfo e = {0};
    if (kdo_program_new(&c, &p, &e) != 0) {
        if (p != NULL || e.msg[0] == '\0')
            abort();
    } else {
        static const char t_rows[] = "1,one\n2,two\n3,three\n";
        if (kdo_program_load_table(p, "T", t_rows, sizeof t_rows - 1, "t.csv", &e) != 0)
            abort();
        if (mark)
            run(p, mark + 10, size - sql_len - 10);
        kdo_program_free(p);
    }
    kdo_row_schema_free(in);
    kdo_row_schema_free(ts);
    return 0;
}
