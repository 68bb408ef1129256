/*
 * test_rowfmt.c -- rows as JSON and CSV, out and in (emulator/sql/rowfmt.c).
 *
 * Output is compared byte for byte: the guide's ticker row, every type,
 * JSON escapes, Java-style DOUBLEs, RFC 4180 quoting, NULL against the empty
 * string, and the 512 KB row limit (the buffer is left as it was).  Input
 * pins each coercion and refusal documented in rowfmt.h with its
 * ERROR_NAME, column and offset, and round-trips rows through both
 * formats.  A planted one-byte change proves the byte-exact check can fail.
 */
#include "delivery/contract.h"
#include "sql/rowfmt.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_row_schema *ticker, *all;
static struct kdo_row *trow, *arow;
static struct kdo_rowfmt_reader *rd;
static struct kdo_buf out;

static void add(struct kdo_row_schema *s, const char *name, enum kdo_type t, size_t max_len)
{
    ck_assert_int_eq(kdo_row_schema_add(s, name, strlen(name), t, max_len, NULL), 0);
}

static void put(struct kdo_row *r, size_t i, struct kdo_value v)
{
    ck_assert_int_eq(kdo_row_set(r, i, &v, NULL), 0);
}

static void fill_ticker(void)
{
    put(trow, 0, kdo_value_varchar("AMZN", 4));
    put(trow, 1, kdo_value_varchar("TECHNOLOGY", 10));
    put(trow, 2, kdo_value_double(-0.32));
    put(trow, 3, kdo_value_double(82.5));
}

static void setup(void)
{
    ticker = kdo_row_schema_new();
    add(ticker, "ticker_symbol", KDO_TYPE_VARCHAR, 4); /* folds to TICKER_SYMBOL */
    add(ticker, "SECTOR", KDO_TYPE_VARCHAR, 16);
    add(ticker, "CHANGE", KDO_TYPE_DOUBLE, 0);
    add(ticker, "PRICE", KDO_TYPE_DOUBLE, 0);
    trow = kdo_row_new(ticker);
    all = kdo_row_schema_new();
    add(all, "B", KDO_TYPE_BOOLEAN, 0);
    add(all, "I", KDO_TYPE_BIGINT, 0);
    add(all, "D", KDO_TYPE_DOUBLE, 0);
    add(all, "\"s\"", KDO_TYPE_VARCHAR, 32);
    add(all, "T", KDO_TYPE_TIMESTAMP, 0);
    arow = kdo_row_new(all);
    rd = kdo_rowfmt_reader_new(0);
    kdo_buf_init(&out, 2 * KDO_MAX_ROW_BYTES);
}

static void teardown(void)
{
    kdo_buf_cleanup(&out);
    kdo_rowfmt_reader_free(rd);
    kdo_row_free(arow);
    kdo_row_free(trow);
    kdo_row_schema_free(all);
    kdo_row_schema_free(ticker);
}

/* Writes r alone and returns whether it is exactly `want`. */
static bool writes(const struct kdo_row *r, enum kdo_rowfmt_format f, const char *want)
{
    kdo_buf_reset(&out);
    ck_assert_int_eq(kdo_rowfmt_write(&out, r, f), 0);
    if (out.len == strlen(want) && memcmp(out.data, want, out.len) == 0)
        return true;
    fprintf(stderr, "got  [%s]\nwant [%s]\n", out.data, want);
    return false;
}

/* --- writing ----------------------------------------------------------------- */

START_TEST(test_ticker_row_json_byte_exact)
{
    fill_ticker();
    ck_assert(writes(trow, KDO_ROWFMT_JSON,
                     "{\"TICKER_SYMBOL\":\"AMZN\",\"SECTOR\":\"TECHNOLOGY\",\"CHANGE\":-0.32,"
                     "\"PRICE\":82.5}"));
    ck_assert(writes(trow, KDO_ROWFMT_CSV, "AMZN,TECHNOLOGY,-0.32,82.5"));
}
END_TEST

START_TEST(test_planted_byte_change_is_caught)
{
    fill_ticker();
    /* the same row with PRICE printed C-style (82.50) must not pass */
    ck_assert(!writes(trow, KDO_ROWFMT_JSON,
                      "{\"TICKER_SYMBOL\":\"AMZN\",\"SECTOR\":\"TECHNOLOGY\",\"CHANGE\":-0.32,"
                      "\"PRICE\":82.50}"));
}
END_TEST

START_TEST(test_every_type_json)
{
    ck_assert(
        writes(arow, KDO_ROWFMT_JSON, "{\"B\":null,\"I\":null,\"D\":null,\"s\":null,\"T\":null}"));
    put(arow, 0, kdo_value_bool(true));
    put(arow, 1, kdo_value_bigint(INT64_MIN));
    put(arow, 2, kdo_value_double(82.0));
    put(arow, 3, kdo_value_varchar("a\"b\\c\nd\x01\xc3\xa9", 10));
    put(arow, 4, kdo_value_timestamp(1513300190000LL));
    ck_assert(
        writes(arow, KDO_ROWFMT_JSON,
               "{\"B\":true,\"I\":-9223372036854775808,\"D\":82.0,"
               "\"s\":\"a\\\"b\\\\c\\nd\\u0001\xc3\xa9\",\"T\":\"2017-12-15 01:09:50.000\"}"));
    put(arow, 0, kdo_value_bool(false));
    put(arow, 2, kdo_value_double(1e21));
    ck_assert(writes(arow, KDO_ROWFMT_CSV,
                     "false,-9223372036854775808,1.0E21,\"a\"\"b\\c\nd\x01\xc3\xa9\","
                     "2017-12-15 01:09:50.000"));
}
END_TEST

START_TEST(test_non_finite_double_is_null)
{
    put(arow, 2, kdo_value_double(NAN));
    ck_assert(
        writes(arow, KDO_ROWFMT_JSON, "{\"B\":null,\"I\":null,\"D\":null,\"s\":null,\"T\":null}"));
    put(arow, 2, kdo_value_double(-INFINITY));
    ck_assert(writes(arow, KDO_ROWFMT_CSV, ",,,,"));
}
END_TEST

START_TEST(test_csv_quoting)
{
    struct {
        const char *s, *want;
    } t[] = {
        {"plain", "plain"},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"line\nbreak", "\"line\nbreak\""},
        {"cr\rhere", "\"cr\rhere\""},
        {"", "\"\""}, /* the empty string is not NULL */
        {" spaced ", " spaced "},
        {"'single'", "'single'"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, ",,,%s,", t[i].want);
        kdo_row_clear(arow);
        put(arow, 3, kdo_value_varchar(t[i].s, strlen(t[i].s)));
        ck_assert_msg(writes(arow, KDO_ROWFMT_CSV, want), "case %zu", i);
    }
    kdo_row_clear(arow);
    ck_assert(writes(arow, KDO_ROWFMT_CSV, ",,,,")); /* NULL is empty */
}
END_TEST

START_TEST(test_row_size_limit_out)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    for (int i = 0; i < 5; i++) {
        char name[8];
        snprintf(name, sizeof name, "C%d", i);
        add(s, name, KDO_TYPE_VARCHAR, 65535);
    }
    struct kdo_row *r = kdo_row_new(s);
    char *quotes = malloc(65536);
    memset(quotes, '"', 65535);
    quotes[65535] = '\0';
    for (size_t i = 0; i < 5; i++)
        put(r, i, kdo_value_varchar(quotes, 65535));
    /* 327,675 bytes of data; doubled by either format's escaping: over 512 KB */
    ck_assert_int_eq(kdo_buf_puts(&out, "keep"), 0);
    ck_assert_int_eq(kdo_rowfmt_write(&out, r, KDO_ROWFMT_JSON), KDO_EROWSIZE);
    ck_assert_int_eq(kdo_rowfmt_write(&out, r, KDO_ROWFMT_CSV), KDO_EROWSIZE);
    ck_assert_str_eq(out.data, "keep");
    put(r, 4, kdo_value_varchar("", 0));
    put(r, 3, kdo_value_varchar("", 0)); /* 3 * 131,072 < 512 KB */
    ck_assert_int_eq(kdo_rowfmt_write(&out, r, KDO_ROWFMT_CSV), 0);
    struct kdo_buf small;
    kdo_buf_init(&small, 16);
    fill_ticker();
    ck_assert_int_eq(kdo_rowfmt_write(&small, trow, KDO_ROWFMT_JSON), KDO_ETOOBIG);
    ck_assert_uint_eq(small.len, 0);
    kdo_buf_cleanup(&small);
    free(quotes);
    kdo_row_free(r);
    kdo_row_schema_free(s);
}
END_TEST

/* A row is written in one pass when its worst case (every byte escaped) has
 * room, else piece by piece: both give the same bytes, and a row that fits
 * is never refused for its worst case. */
START_TEST(test_json_same_bytes_with_and_without_worst_case_room)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    add(s, "\"Q\"", KDO_TYPE_VARCHAR, 300);
    add(s, "N", KDO_TYPE_BIGINT, 0);
    add(s, "D", KDO_TYPE_DOUBLE, 0);
    add(s, "T", KDO_TYPE_TIMESTAMP, 0);
    add(s, "B", KDO_TYPE_BOOLEAN, 0);
    struct kdo_row *r = kdo_row_new(s);
    char text[201];
    memset(text, 'x', 200);
    text[0] = '"', text[1] = '\n', text[2] = 1;
    text[200] = '\0';
    put(r, 0, kdo_value_varchar(text, 200));
    put(r, 1, kdo_value_bigint(INT64_MIN));
    put(r, 2, kdo_value_double(-1.5e-300));
    put(r, 3, kdo_value_timestamp(0));
    struct kdo_buf tight, roomy;
    kdo_buf_init(&tight, 300); /* the worst case, 6 * 200 + ..., does not fit */
    kdo_buf_init(&roomy, 1 << 16);
    ck_assert_int_eq(kdo_rowfmt_write(&tight, r, KDO_ROWFMT_JSON), 0);
    ck_assert_int_eq(kdo_rowfmt_write(&roomy, r, KDO_ROWFMT_JSON), 0);
    ck_assert_str_eq(tight.data, roomy.data);
    ck_assert_msg(strncmp(roomy.data, "{\"Q\":\"\\\"\\n\\u0001xxx", 18) == 0, "%s",
                  roomy.data);
    ck_assert_msg(strstr(roomy.data, "\"N\":-9223372036854775808,\"D\":-1.5E-300,"
                                     "\"T\":\"1970-01-01 00:00:00.000\",\"B\":null}"),
                  "%s", roomy.data);
    kdo_buf_cleanup(&tight);
    kdo_buf_cleanup(&roomy);
    kdo_row_free(r);
    kdo_row_schema_free(s);
}
END_TEST

START_TEST(test_format_names)
{
    enum kdo_rowfmt_format f;
    ck_assert_int_eq(kdo_rowfmt_format_parse("json", &f), 0);
    ck_assert_int_eq(f, KDO_ROWFMT_JSON);
    ck_assert_int_eq(kdo_rowfmt_format_parse("CSV", &f), 0);
    ck_assert_int_eq(f, KDO_ROWFMT_CSV);
    ck_assert_int_eq(kdo_rowfmt_format_parse("PARQUET", &f), KDO_EINVAL);
}
END_TEST

/* --- reading ------------------------------------------------------------------- */

static void read_ok(struct kdo_row *r, enum kdo_rowfmt_format f, const char *data)
{
    struct kdo_rowfmt_error e = {0};
    int err = kdo_rowfmt_read(rd, f, data, strlen(data), r, &e);
    ck_assert_msg(err == 0, "[%s]: %d %s: %s", data, err, e.name, e.msg);
}

static void read_bad(struct kdo_row *r, enum kdo_rowfmt_format f, const char *data, int code,
                     const char *name, int column, const char *msg)
{
    struct kdo_rowfmt_error e = {0};
    int err = kdo_rowfmt_read(rd, f, data, strlen(data), r, &e);
    ck_assert_msg(err == code, "[%s]: got %d, want %d", data, err, code);
    ck_assert_msg(e.name && strcmp(e.name, name) == 0, "[%s]: %s, want %s", data, e.name, name);
    ck_assert_msg(e.column == column, "[%s]: column %d, want %d", data, e.column, column);
    ck_assert_msg(strstr(e.msg, msg) != NULL, "[%s]: message [%s] lacks [%s]", data, e.msg, msg);
    for (size_t i = 0; i < kdo_row_schema_count(kdo_row_schema(r)); i++)
        ck_assert_int_eq(kdo_row_get(r, i)->type, KDO_TYPE_NULL); /* left cleared */
}

START_TEST(test_json_round_trip)
{
    const char *text = "{\"TICKER_SYMBOL\":\"AMZN\",\"SECTOR\":\"TECHNOLOGY\",\"CHANGE\":-0.32,"
                       "\"PRICE\":82.5}";
    read_ok(trow, KDO_ROWFMT_JSON, text);
    ck_assert(writes(trow, KDO_ROWFMT_JSON, text));
    read_ok(trow, KDO_ROWFMT_CSV, "AMZN,TECHNOLOGY,-0.32,82.5\r\n");
    ck_assert(writes(trow, KDO_ROWFMT_JSON, text));
}
END_TEST

START_TEST(test_json_mapping)
{
    /* key order is free, other keys are ignored, case-insensitive fallback */
    read_ok(trow, KDO_ROWFMT_JSON,
            "{\"price\":1,\"extra\":{\"deep\":[1,2]},\"ticker_symbol\":\"A\"}");
    ck_assert_str_eq(kdo_row_get(trow, 0)->u.str.s, "A");
    ck_assert_int_eq(kdo_row_get(trow, 1)->type, KDO_TYPE_NULL); /* missing: NULL */
    ck_assert_int_eq(kdo_row_get(trow, 2)->type, KDO_TYPE_NULL);
    ck_assert(kdo_row_get(trow, 3)->type == KDO_TYPE_DOUBLE && kdo_row_get(trow, 3)->u.d == 1.0);
    read_ok(trow, KDO_ROWFMT_JSON, "{\"SECTOR\":null}");
    ck_assert_int_eq(kdo_row_get(trow, 1)->type, KDO_TYPE_NULL);
    read_ok(trow, KDO_ROWFMT_JSON, " {} ");
    /* the quoted lower-case column "s" takes key "s" and, failing that, "S" */
    read_ok(arow, KDO_ROWFMT_JSON, "{\"S\":\"upper key\"}");
    ck_assert_str_eq(kdo_row_get(arow, 3)->u.str.s, "upper key");
}
END_TEST

START_TEST(test_json_coercions)
{
    read_ok(arow, KDO_ROWFMT_JSON,
            "{\"B\":\"TRUE\",\"I\":7.0,\"D\":\" 2.5 \",\"s\":82.50,\"T\":1513300190000}");
    ck_assert(kdo_row_get(arow, 0)->u.b);
    ck_assert_int_eq(kdo_row_get(arow, 1)->u.i, 7);
    ck_assert(kdo_row_get(arow, 2)->u.d == 2.5);
    ck_assert_str_eq(kdo_row_get(arow, 3)->u.str.s, "82.50"); /* the number's text */
    ck_assert(kdo_row_get(arow, 4)->u.ts_ms == 1513300190000LL);
    read_ok(arow, KDO_ROWFMT_JSON,
            "{\"B\":false,\"I\":\"-42\",\"D\":7,\"s\":true,\"T\":\"2017-12-15 01:09:50.000\"}");
    ck_assert(!kdo_row_get(arow, 0)->u.b);
    ck_assert_int_eq(kdo_row_get(arow, 1)->u.i, -42);
    ck_assert(kdo_row_get(arow, 2)->type == KDO_TYPE_DOUBLE && kdo_row_get(arow, 2)->u.d == 7.0);
    ck_assert_str_eq(kdo_row_get(arow, 3)->u.str.s, "true");
    ck_assert(kdo_row_get(arow, 4)->u.ts_ms == 1513300190000LL);
    read_ok(arow, KDO_ROWFMT_JSON, "{\"I\":7e0,\"s\":\"\\u00e9\\n\"}");
    ck_assert_int_eq(kdo_row_get(arow, 1)->u.i, 7);
    ck_assert_str_eq(kdo_row_get(arow, 3)->u.str.s, "\xc3\xa9\n");
}
END_TEST

START_TEST(test_json_refusals)
{
    const char *type = KDO_ROWFMT_ERR_TYPE;
    read_bad(arow, KDO_ROWFMT_JSON, "{\"I\":7.5}", KDO_ESCHEMA, type, 1,
             "I: cannot convert 7.5 to BIGINT");
    read_bad(arow, KDO_ROWFMT_JSON, "{\"I\":9223372036854775808}", KDO_ESCHEMA, type, 1, "BIGINT");
    read_bad(arow, KDO_ROWFMT_JSON, "{\"D\":\"abc\"}", KDO_ESCHEMA, type, 2,
             "D: cannot convert 'abc' to DOUBLE");
    read_bad(arow, KDO_ROWFMT_JSON, "{\"D\":1e999}", KDO_ESCHEMA, type, 2, "DOUBLE");
    read_bad(arow, KDO_ROWFMT_JSON, "{\"B\":1}", KDO_ESCHEMA, type, 0, "BOOLEAN");
    read_bad(arow, KDO_ROWFMT_JSON, "{\"I\":true}", KDO_ESCHEMA, type, 1, "boolean to BIGINT");
    read_bad(arow, KDO_ROWFMT_JSON, "{\"s\":{\"a\":1}}", KDO_ESCHEMA, type, 3, "JSON object");
    read_bad(arow, KDO_ROWFMT_JSON, "{\"s\":[1]}", KDO_ESCHEMA, type, 3, "JSON array");
    read_bad(arow, KDO_ROWFMT_JSON, "{\"T\":\"2019-02-29 00:00:00\"}", KDO_ESCHEMA, type, 4,
             "TIMESTAMP");
    read_bad(arow, KDO_ROWFMT_JSON, "{\"T\":253402300800000}", KDO_ESCHEMA, type, 4, "TIMESTAMP");
    read_bad(trow, KDO_ROWFMT_JSON, "{\"TICKER_SYMBOL\":\"POISON\"}", KDO_ESCHEMA,
             KDO_ROWFMT_ERR_LENGTH, 0, "TICKER_SYMBOL: 6 characters are too long for VARCHAR(4)");
    read_bad(trow, KDO_ROWFMT_JSON, "[1]", KDO_EPARSE, KDO_ROWFMT_ERR_NOT_OBJECT, -1,
             "not a JSON object");
    read_bad(trow, KDO_ROWFMT_JSON, "\"AMZN\"", KDO_EPARSE, KDO_ROWFMT_ERR_NOT_OBJECT, -1,
             "object");
    read_bad(trow, KDO_ROWFMT_JSON, "{\"PRICE\":1,}", KDO_EPARSE, KDO_ROWFMT_ERR_JSON, -1, "");
    read_bad(trow, KDO_ROWFMT_JSON, "{\"PRICE\":1,\"PRICE\":2}", KDO_EPARSE, KDO_ROWFMT_ERR_JSON,
             -1, "duplicate key");
    read_bad(trow, KDO_ROWFMT_JSON, "{\"PRICE\":1} x", KDO_EPARSE, KDO_ROWFMT_ERR_JSON, -1, "");
    read_bad(trow, KDO_ROWFMT_JSON, "", KDO_EPARSE, KDO_ROWFMT_ERR_JSON, -1, "");
    struct kdo_rowfmt_error e;
    const char *bad = "{\"SECTOR\":\"X\",\"PRICE\":\"abc\"}";
    ck_assert_int_eq(kdo_rowfmt_read(rd, KDO_ROWFMT_JSON, bad, strlen(bad), trow, &e), KDO_ESCHEMA);
    ck_assert_uint_eq(e.offset, 22); /* the offending value */
}
END_TEST

/* A DECIMAL(p,s) column: read exactly (a value with more digits than p or s
 * holds is refused, as KDA refuses 123.4 for an INT), written with exactly s
 * digits as a JSON number and as a CSV field. */
START_TEST(test_decimal_column)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    ck_assert_int_eq(kdo_row_schema_add_decimal(s, "AMOUNT", 6, 5, 2, NULL), 0);
    ck_assert_int_eq(kdo_row_schema_add_decimal(s, "N", 1, 18, 0, NULL), 0);
    struct kdo_errinfo e = {0};
    ck_assert_int_eq(kdo_row_schema_add_decimal(s, "W", 1, 19, 2, &e), KDO_EINVAL);
    ck_assert_msg(strstr(e.msg, "DECIMAL precision above 18 is not supported"), "%s", e.msg);
    struct kdo_row *r = kdo_row_new(s);
    read_ok(r, KDO_ROWFMT_JSON, "{\"AMOUNT\":2.5,\"N\":\"123456789012345678\"}");
    ck_assert(kdo_row_get(r, 0)->type == KDO_TYPE_DECIMAL && kdo_row_get(r, 0)->u.dec.v == 250 &&
              kdo_row_get(r, 0)->u.dec.scale == 2);
    ck_assert(writes(r, KDO_ROWFMT_JSON, "{\"AMOUNT\":2.50,\"N\":123456789012345678}"));
    read_ok(r, KDO_ROWFMT_CSV, "-0.05,7\n");
    ck_assert(writes(r, KDO_ROWFMT_CSV, "-0.05,7"));
    ck_assert(writes(r, KDO_ROWFMT_JSON, "{\"AMOUNT\":-0.05,\"N\":7}"));
    const char *type = KDO_ROWFMT_ERR_TYPE;
    read_bad(r, KDO_ROWFMT_JSON, "{\"AMOUNT\":1.234}", KDO_ESCHEMA, type, 0,
             "AMOUNT: 1.234 does not fit in DECIMAL(5,2)");
    read_bad(r, KDO_ROWFMT_JSON, "{\"AMOUNT\":1234}", KDO_ESCHEMA, type, 0,
             "does not fit in DECIMAL(5,2)");
    read_bad(r, KDO_ROWFMT_JSON, "{\"AMOUNT\":\"x\"}", KDO_ESCHEMA, type, 0,
             "cannot convert 'x' to DECIMAL");
    /* a typed row takes a BIGINT or another scale, rounded to the column's */
    struct kdo_value v = kdo_value_decimal(12345, 3);
    ck_assert_int_eq(kdo_row_set(r, 0, &v, NULL), 0);
    ck_assert_int_eq(kdo_row_get(r, 0)->u.dec.v, 1235);
    v = kdo_value_bigint(1000);
    ck_assert_int_eq(kdo_row_set(r, 0, &v, &e), KDO_EINVAL);
    ck_assert_msg(strstr(e.msg, "AMOUNT: 1000 does not fit in DECIMAL(5,2)"), "%s", e.msg);
    kdo_row_free(r);
    kdo_row_schema_free(s);
}
END_TEST

START_TEST(test_truncate_flag)
{
    struct kdo_rowfmt_reader *cut = kdo_rowfmt_reader_new(KDO_ROWFMT_TRUNCATE);
    ck_assert_int_eq(
        kdo_rowfmt_read(cut, KDO_ROWFMT_JSON, "{\"TICKER_SYMBOL\":\"POISON\"}", 26, trow, NULL), 0);
    ck_assert_str_eq(kdo_row_get(trow, 0)->u.str.s, "POIS");
    kdo_rowfmt_reader_free(cut);
    kdo_rowfmt_reader_free(NULL);
}
END_TEST

START_TEST(test_record_size_limit_in)
{
    size_t n = KDO_MAX_ROW_BYTES + 1;
    char *big = malloc(n);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    struct kdo_rowfmt_error e;
    ck_assert_int_eq(kdo_rowfmt_read(rd, KDO_ROWFMT_JSON, big, n, trow, &e), KDO_EROWSIZE);
    ck_assert_str_eq(e.name, KDO_ROWFMT_ERR_TOO_LARGE);
    ck_assert_int_eq(kdo_rowfmt_read(rd, KDO_ROWFMT_JSON, big, n - 1, trow, &e), KDO_EPARSE);
    big[n - 2] = '}';
    ck_assert_int_eq(kdo_rowfmt_read(rd, KDO_ROWFMT_JSON, big, n - 1, trow, &e), 0);
    free(big);
}
END_TEST

START_TEST(test_csv_reading)
{
    read_ok(arow, KDO_ROWFMT_CSV, "true,42,2.5,\"a,\"\"b\"\"\",2017-12-15 01:09:50.000\n");
    ck_assert(kdo_row_get(arow, 0)->u.b);
    ck_assert_int_eq(kdo_row_get(arow, 1)->u.i, 42);
    ck_assert_str_eq(kdo_row_get(arow, 3)->u.str.s, "a,\"b\"");
    ck_assert(kdo_row_get(arow, 4)->u.ts_ms == 1513300190000LL);
    read_ok(arow, KDO_ROWFMT_CSV, ",,,,");
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(kdo_row_get(arow, i)->type, KDO_TYPE_NULL);
    read_ok(arow, KDO_ROWFMT_CSV, "\"\",\"\",,\"\",");
    ck_assert_int_eq(kdo_row_get(arow, 0)->type, KDO_TYPE_NULL); /* "" is NULL but in VARCHAR */
    ck_assert_int_eq(kdo_row_get(arow, 3)->type, KDO_TYPE_VARCHAR);
    ck_assert_uint_eq(kdo_row_get(arow, 3)->u.str.len, 0);
    read_ok(arow, KDO_ROWFMT_CSV, ",,,\"line\r\nbreak\",");
    ck_assert_str_eq(kdo_row_get(arow, 3)->u.str.s, "line\r\nbreak");
    /* what is written reads back */
    put(arow, 0, kdo_value_bool(false));
    put(arow, 2, kdo_value_double(0.1 + 0.2));
    ck_assert_int_eq(kdo_rowfmt_write(&out, arow, KDO_ROWFMT_CSV), 0);
    struct kdo_row *back = kdo_row_new(all);
    read_ok(back, KDO_ROWFMT_CSV, out.data);
    for (size_t i = 0; i < 5; i++)
        ck_assert(kdo_value_same(kdo_row_get(back, i), kdo_row_get(arow, i)));
    kdo_row_free(back);
}
END_TEST

START_TEST(test_csv_refusals)
{
    read_bad(arow, KDO_ROWFMT_CSV, "true,1,2,x", KDO_ESCHEMA, KDO_ROWFMT_ERR_FIELDS, -1,
             "4 fields for 5 columns");
    read_bad(arow, KDO_ROWFMT_CSV, ",,,,,", KDO_ESCHEMA, KDO_ROWFMT_ERR_FIELDS, -1,
             "more than 5 fields");
    read_bad(arow, KDO_ROWFMT_CSV, ",x,,,", KDO_ESCHEMA, KDO_ROWFMT_ERR_TYPE, 1,
             "I: cannot convert 'x' to BIGINT");
    read_bad(arow, KDO_ROWFMT_CSV, ",,,\"open,", KDO_EPARSE, KDO_ROWFMT_ERR_CSV, 3, "unterminated");
    read_bad(arow, KDO_ROWFMT_CSV, ",,,\"a\"b,", KDO_EPARSE, KDO_ROWFMT_ERR_CSV, 3,
             "text after a closing quote");
    read_bad(arow, KDO_ROWFMT_CSV, ",,,a\"b,", KDO_EPARSE, KDO_ROWFMT_ERR_CSV, 3, "unquoted field");
    read_bad(arow, KDO_ROWFMT_CSV, ",,,a\nb,", KDO_EPARSE, KDO_ROWFMT_ERR_CSV, 3, "unquoted field");
    read_bad(trow, KDO_ROWFMT_CSV, "POISON,X,1,2", KDO_ESCHEMA, KDO_ROWFMT_ERR_LENGTH, 0,
             "too long");
}
END_TEST

static Suite *rowfmt_suite(void)
{
    Suite *s = suite_create("rowfmt");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"ticker_row_json_byte_exact", test_ticker_row_json_byte_exact},
        {"planted_byte_change_is_caught", test_planted_byte_change_is_caught},
        {"every_type_json", test_every_type_json},
        {"non_finite_double_is_null", test_non_finite_double_is_null},
        {"csv_quoting", test_csv_quoting},
        {"row_size_limit_out", test_row_size_limit_out},
        {"json_same_bytes_with_and_without_worst_case_room",
         test_json_same_bytes_with_and_without_worst_case_room},
        {"format_names", test_format_names},
        {"json_round_trip", test_json_round_trip},
        {"json_mapping", test_json_mapping},
        {"json_coercions", test_json_coercions},
        {"json_refusals", test_json_refusals},
        {"decimal_column", test_decimal_column},
        {"truncate_flag", test_truncate_flag},
        {"record_size_limit_in", test_record_size_limit_in},
        {"csv_reading", test_csv_reading},
        {"csv_refusals", test_csv_refusals},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rowfmt_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
