/*
 * bench_program.c -- rows per second through an application's SQL in
 * process (kdo_program), one core: the steps that are not one query's.
 *
 * 1,000,000 ticker rows (20 tickers, 1,000 rows per simulated second, JSON
 * in, JSON out), best of 3.  The baseline, measured in the same run because
 * these machines are shared and noisy, is the same pump without the step
 * measured:
 *   ORDER BY  `ORDER BY FLOOR(s.ROWTIME TO SECOND), PRICE DESC` (every row
 *             copied aside with its keys, 1,000 sorted per bucket) against
 *             the bare SELECT;
 *   TOP_K     TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(...), 'TICKER_SYMBOL', 5, 60))
 *             against the same rows through a pump that keeps none of them.
 * The output row counts are checked, so a fast but wrong run fails (exit 1).
 */
#include "base/buf.h"
#include "base/errors.h"
#include "base/rng.h"
#include "sql/program.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWS 1000000
#define REPS 3
#define TICKERS 20
#define POOL (TICKERS * 256)

static char *pool[POOL];
static size_t pool_len[POOL];
static uint64_t out_rows;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void make_rows(void)
{
    static const char *const tickers[TICKERS] = {
        "AMZN", "AAPL", "MSFT", "GOOG", "META", "NFLX", "NVDA", "INTC", "ORCL", "IBM",
        "CRM",  "ADBE", "QCOM", "TXN",  "AMD",  "CSCO", "SAP",  "UBER", "LYFT", "SNAP"};
    struct kdo_rng r;
    kdo_rng_init(&r, 20261206);
    for (size_t i = 0; i < POOL; i++) {
        char buf[128];
        int n = snprintf(buf, sizeof buf, "{\"TICKER_SYMBOL\":\"%s\",\"PRICE\":%.2f}",
                         tickers[i % TICKERS], 10 + (double)kdo_rng_below(&r, 10000) / 100);
        pool[i] = kdo_xstrndup(buf, (size_t)n);
        pool_len[i] = (size_t)n;
    }
}

static int on_row(void *ctx, size_t output, kdo_time_ns t, const char *row, size_t len)
{
    (void)ctx, (void)output, (void)t, (void)row, (void)len;
    out_rows++;
    return 0;
}

static void on_error(void *ctx, kdo_time_ns t, const struct kdo_query_error *e)
{
    (void)ctx, (void)t;
    fprintf(stderr, "bench_program: error row %s: %s\n", e->name, e->message);
    exit(1);
}

static const struct kdo_program_sink sink = {on_row, on_error, NULL};

/* Seconds for one run of sql over every row; exits on a wrong row count. */
static double run(const char *sql, uint64_t want)
{
    static const enum kdo_rowfmt_format fmts[1] = {KDO_ROWFMT_JSON};
    static const char *const dest[] = {"DESTINATION_SQL_STREAM"};
    struct kdo_row_schema *in = kdo_row_schema_new();
    kdo_row_schema_add(in, "TICKER_SYMBOL", 13, KDO_TYPE_VARCHAR, 4, NULL);
    kdo_row_schema_add(in, "PRICE", 5, KDO_TYPE_DOUBLE, 0, NULL);
    struct kdo_program_config c = {.sql = sql, .sql_len = strlen(sql), .file = "bench.sql",
                                   .parallelism = 1, .input_schema = in,
                                   .input_format = KDO_ROWFMT_JSON, .outputs = dest,
                                   .output_formats = fmts, .noutputs = 1};
    struct kdo_program *p;
    struct kdo_errinfo e = {0};
    if (kdo_program_new(&c, &p, &e) != 0) {
        fprintf(stderr, "bench_program: %s at %d:%d\n", e.msg, e.line, e.column);
        exit(1);
    }
    out_rows = 0;
    double t0 = now_s();
    for (uint64_t i = 0; i < ROWS; i++) {
        kdo_time_ns t = (kdo_time_ns)i * KDO_MS; /* 1,000 rows a second */
        kdo_time_ns due = kdo_program_next_deadline(p);
        if (due <= t)
            kdo_program_advance(p, due, &sink);
        kdo_program_input(p, 0, t, t, pool[i % POOL], pool_len[i % POOL], &sink);
    }
    for (kdo_time_ns due; (due = kdo_program_next_deadline(p)) != KDO_TIME_NEVER;)
        kdo_program_advance(p, due, &sink);
    double dt = now_s() - t0;
    kdo_program_free(p);
    kdo_row_schema_free(in);
    if (out_rows != want) {
        fprintf(stderr, "bench_program: %" PRIu64 " rows out, want %" PRIu64 "\n", out_rows,
                want);
        exit(1);
    }
    return dt;
}

static double best(const char *sql, uint64_t want)
{
    double b = 1e9;
    for (int r = 0; r < REPS; r++) {
        double t = run(sql, want);
        b = t < b ? t : b;
    }
    return b;
}

#define DEST "CREATE STREAM DESTINATION_SQL_STREAM (t VARCHAR(4), p DOUBLE);\n"

int main(void)
{
    make_rows();
    const char *plain = DEST "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM\n"
                             " SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001 AS s;";
    const char *sorted = DEST "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM\n"
                              " SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001 AS s\n"
                              " ORDER BY FLOOR(s.ROWTIME TO SECOND), PRICE DESC;";
    const char *none = DEST "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM\n"
                            " SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001\n"
                            " WHERE PRICE < 0;";
    const char *topk = "CREATE STREAM DESTINATION_SQL_STREAM (t VARCHAR(4), n BIGINT);\n"
                       "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM SELECT STREAM * FROM\n"
                       " TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM\n"
                       " SOURCE_SQL_STREAM_001), 'TICKER_SYMBOL', 5, 60));";
    printf("application SQL, one core: %d rows (20 tickers, 1,000 rows per simulated second), "
           "best of %d\n", ROWS, REPS);
    printf("  %-34s %10s %9s\n", "step", "rows/s", "x base");
    double b1 = best(plain, ROWS), t1 = best(sorted, ROWS);
    printf("  %-34s %10.0f %9s\n", "baseline: SELECT, no ORDER BY", ROWS / b1, "1.0");
    printf("  %-34s %10.0f %9.2f\n", "ORDER BY FLOOR(ROWTIME), PRICE DESC", ROWS / t1, t1 / b1);
    double b2 = best(none, 0), t2 = best(topk, (ROWS / 60000 + 1) * 5);
    printf("  %-34s %10.0f %9s\n", "baseline: a pump keeping no row", ROWS / b2, "1.0");
    printf("  %-34s %10.0f %9.2f\n", "TOP_K_ITEMS_TUMBLING, K 5, 60 s", ROWS / t2, t2 / b2);
    printf("  (x base: time per row as a multiple of the baseline's above it)\n");
    return 0;
}
