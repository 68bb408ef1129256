/*
 * test_rowfile.c -- input-row files, JSON Lines and CSV (conformance/rowfile.c).
 *
 * The bundled tests/data/rows files pin the ticker rows byte for byte, with
 * and without a header; small files written to a temporary directory pin
 * one rule each: quoted commas, quotes and newlines, CRLF, empty lines, a
 * last line without a newline, the BOM, and every load error with its
 * code, line and column.  Limits are checked on both sides of the boundary
 * (512 KB rows exactly; the file and row caps lowered through the options).
 */
#include "delivery/contract.h"
#include "rowfile.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp_path[4096];
static struct kdo_rowfile *rf;
static struct kdo_errinfo e;

static const char *const ticker_columns[] = {"TICKER_SYMBOL", "SECTOR", "CHANGE", "PRICE"};
static const char *const ticker_rows[] = {
    "AMZN,TECHNOLOGY,-0.32,82.5",
    "WFC,FINANCIAL,0.11,56.3",
    "XOM,ENERGY,1.02,101.9",
    "JPM,FINANCIAL,-0.45,97.12",
    "\"BRK,B\",\"FINANCIAL, INSURANCE\",0.6,201.77",
    "MSFT,TECHNOLOGY,0.27,64.1",
    "CVX,ENERGY,-1.15,116.4",
    "\"QXZ\",\"RETAIL \"\"BIG BOX\"\"\",0.03,44.08",
    "NFLX,TECHNOLOGY,2.36,181.45",
    "KO,CONSUMER,-0.08,43.6",
};
#define NTICKER (sizeof ticker_rows / sizeof ticker_rows[0])

static const struct kdo_rowfile_options csv_header = {.format = KDO_ROWFMT_CSV, .has_header = true};
static const struct kdo_rowfile_options csv_plain = {.format = KDO_ROWFMT_CSV};
static const struct kdo_rowfile_options jsonl = {.format = KDO_ROWFMT_JSON};

static void setup(void)
{
    const char *dir = getenv("TMPDIR");
    snprintf(tmp_path, sizeof tmp_path, "%s/test_rowfile_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmp_path);
    ck_assert_msg(fd >= 0, "mkstemp %s failed", tmp_path);
    close(fd);
    rf = NULL;
    memset(&e, 0, sizeof e);
}

static void teardown(void)
{
    kdo_rowfile_free(rf);
    unlink(tmp_path);
}

static const char *data_file(const char *name)
{
    static char path[4096];
    const char *root = getenv("KDO_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "KDO_SOURCE_ROOT is not set (tests/meson.build sets it)");
    snprintf(path, sizeof path, "%s/tests/data/rows/%s", root, name);
    return path;
}

/* Writes n bytes to the temporary file and loads it; returns the code. */
static int load_bytes(const char *text, size_t n, const struct kdo_rowfile_options *opt)
{
    FILE *fp = fopen(tmp_path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(text, 1, n, fp), n);
    ck_assert_int_eq(fclose(fp), 0);
    return kdo_rowfile_load(tmp_path, opt, &rf, &e);
}

static void load_text_ok(const char *text, const struct kdo_rowfile_options *opt)
{
    int rc = load_bytes(text, strlen(text), opt);
    ck_assert_msg(rc == 0, "load failed (%d): %d:%d: %s", rc, e.line, e.column, e.msg);
    ck_assert_ptr_nonnull(rf);
}

static void load_text_fails(const char *text, const struct kdo_rowfile_options *opt, int code,
                            int line, int column)
{
    ck_assert_int_eq(load_bytes(text, strlen(text), opt), code);
    ck_assert_ptr_null(rf);
    ck_assert_str_eq(e.file, tmp_path);
    ck_assert_int_eq(e.line, line);
    ck_assert_int_eq(e.column, column);
}

/* Row i is exactly `want` (length included) and NUL-terminated. */
static void row_is(size_t i, const char *want, size_t want_len)
{
    ck_assert_uint_lt(i, kdo_rowfile_count(rf));
    size_t len = 0;
    const char *row = kdo_rowfile_row(rf, i, &len);
    ck_assert_uint_eq(len, want_len);
    ck_assert_mem_eq(row, want, want_len);
    ck_assert_int_eq(row[len], '\0');
}

static void row_str(size_t i, const char *want)
{
    row_is(i, want, strlen(want));
}

START_TEST(csv_with_header)
{
    const char *path = data_file("ticker.csv");
    int rc = kdo_rowfile_load(path, &csv_header, &rf, &e);
    ck_assert_msg(rc == 0, "%s:%d:%d: %s", path, e.line, e.column, e.msg);
    ck_assert_uint_eq(kdo_rowfile_ncolumns(rf), 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_str_eq(kdo_rowfile_column(rf, i), ticker_columns[i]);
    ck_assert_uint_eq(kdo_rowfile_count(rf), NTICKER);
    for (size_t i = 0; i < NTICKER; i++)
        row_str(i, ticker_rows[i]);
    ck_assert_uint_eq(kdo_rowfile_mismatched(rf, NULL), 0);
}
END_TEST

START_TEST(csv_without_header)
{
    const char *path = data_file("ticker-noheader.csv");
    struct kdo_rowfile_options opt = {
        .format = KDO_ROWFMT_CSV, .columns = ticker_columns, .ncolumns = 4};
    int rc = kdo_rowfile_load(path, &opt, &rf, &e);
    ck_assert_msg(rc == 0, "%s:%d:%d: %s", path, e.line, e.column, e.msg);
    ck_assert_uint_eq(kdo_rowfile_ncolumns(rf), 0);
    ck_assert_uint_eq(kdo_rowfile_count(rf), NTICKER);
    for (size_t i = 0; i < NTICKER; i++)
        row_str(i, ticker_rows[i]);
    ck_assert_uint_eq(kdo_rowfile_mismatched(rf, NULL), 0);
}
END_TEST

START_TEST(csv_header_is_a_row_without_has_header)
{
    load_text_ok("A,B\n1,2\n", &csv_plain);
    ck_assert_uint_eq(kdo_rowfile_ncolumns(rf), 0);
    ck_assert_uint_eq(kdo_rowfile_count(rf), 2);
    row_str(0, "A,B");
    row_str(1, "1,2");
}
END_TEST

START_TEST(csv_quoted_comma_quote_newline)
{
    load_text_ok("A,B,C,D\n"
                 "a,\"b,c\",\"say \"\"hi\"\"\",\"line1\nline2\"\n"
                 "x,y,z\n",
                 &csv_header);
    ck_assert_uint_eq(kdo_rowfile_count(rf), 2);
    row_str(0, "a,\"b,c\",\"say \"\"hi\"\"\",\"line1\nline2\"");
    row_str(1, "x,y,z");
    /* The short record starts on line 4: the quoted newline counts as a line. */
    struct kdo_errinfo m = {0};
    ck_assert_uint_eq(kdo_rowfile_mismatched(rf, &m), 1);
    ck_assert_int_eq(m.line, 4);
    ck_assert_int_eq(m.column, 6);
}
END_TEST

START_TEST(csv_header_names_unquoted)
{
    load_text_ok("\"TICKER SYMBOL\",\"A\"\"B\",\"x,y\",plain,\n1,2,3,4,5\n", &csv_header);
    ck_assert_uint_eq(kdo_rowfile_ncolumns(rf), 5);
    ck_assert_str_eq(kdo_rowfile_column(rf, 0), "TICKER SYMBOL");
    ck_assert_str_eq(kdo_rowfile_column(rf, 1), "A\"B");
    ck_assert_str_eq(kdo_rowfile_column(rf, 2), "x,y");
    ck_assert_str_eq(kdo_rowfile_column(rf, 3), "plain");
    ck_assert_str_eq(kdo_rowfile_column(rf, 4), "");
    ck_assert_uint_eq(kdo_rowfile_mismatched(rf, NULL), 0);
}
END_TEST

START_TEST(csv_crlf)
{
    load_text_ok("A,B\r\n1,2\r\n\"x\r\ny\",3\r\n4,\"\"\r\n", &csv_header);
    ck_assert_uint_eq(kdo_rowfile_ncolumns(rf), 2);
    ck_assert_str_eq(kdo_rowfile_column(rf, 1), "B");
    ck_assert_uint_eq(kdo_rowfile_count(rf), 3);
    row_str(0, "1,2");
    row_str(1, "\"x\r\ny\",3");
    row_str(2, "4,\"\"");
    ck_assert_uint_eq(kdo_rowfile_mismatched(rf, NULL), 0);
}
END_TEST

START_TEST(csv_empty_lines_skipped)
{
    load_text_ok("\n\nA,B\n\n1,2\n\r\n3,4\n\n\n", &csv_header);
    ck_assert_uint_eq(kdo_rowfile_ncolumns(rf), 2);
    ck_assert_str_eq(kdo_rowfile_column(rf, 0), "A");
    ck_assert_uint_eq(kdo_rowfile_count(rf), 2);
    row_str(0, "1,2");
    row_str(1, "3,4");
}
END_TEST

START_TEST(csv_last_line_without_newline)
{
    load_text_ok("A,B\n1,2\n3,\"4\"", &csv_header);
    ck_assert_uint_eq(kdo_rowfile_count(rf), 2);
    row_str(1, "3,\"4\"");
}
END_TEST

START_TEST(csv_bom_dropped)
{
    load_text_ok("\xEF\xBB\xBFTICKER_SYMBOL,PRICE\nAMZN,\"1,5\"\n", &csv_header);
    ck_assert_uint_eq(kdo_rowfile_ncolumns(rf), 2);
    row_str(0, "AMZN,\"1,5\"");
    ck_assert_str_eq(kdo_rowfile_column(rf, 0), "TICKER_SYMBOL");
    kdo_rowfile_free(rf);
    rf = NULL;
    /* Columns on line 1 are counted after the BOM. */
    load_text_fails("\xEF\xBB\xBF\"A\n", &csv_plain, KDO_EPARSE, 1, 1);
}
END_TEST

START_TEST(csv_unterminated_quote)
{
    load_text_fails("A,B\n1,2\n3,\"abc\n4,5\n", &csv_header, KDO_EPARSE, 3, 3);
    ck_assert_ptr_nonnull(strstr(e.msg, "never closed"));
    /* A doubled quote does not close the field. */
    load_text_fails("A\n\"x\"\"\n", &csv_header, KDO_EPARSE, 2, 1);
    /* In the header too. */
    load_text_fails("A,\"B\n1,2\n", &csv_header, KDO_EPARSE, 1, 3);
}
END_TEST

START_TEST(csv_quote_inside_unquoted_field_is_data)
{
    load_text_ok("A,B\nab\"c,d\n", &csv_header);
    ck_assert_uint_eq(kdo_rowfile_count(rf), 1);
    row_str(0, "ab\"c,d");
}
END_TEST

START_TEST(csv_field_count_mismatch_kept)
{
    load_text_ok("TICKER_SYMBOL,SECTOR,CHANGE,PRICE\n"
                 "AMZN,TECHNOLOGY,-0.32,82.5\n"
                 "WFC,FINANCIAL,0.11\n"
                 "XOM,ENERGY,1.02,101.9,extra\n",
                 &csv_header);
    ck_assert_uint_eq(kdo_rowfile_count(rf), 3);
    row_str(1, "WFC,FINANCIAL,0.11");
    row_str(2, "XOM,ENERGY,1.02,101.9,extra");
    struct kdo_errinfo m = {0};
    ck_assert_uint_eq(kdo_rowfile_mismatched(rf, &m), 2);
    ck_assert_str_eq(m.file, tmp_path);
    ck_assert_int_eq(m.line, 3);
    ck_assert_int_eq(m.column, 19);
    ck_assert_str_eq(m.msg, "this record has 3 fields; the header has 4 (TICKER_SYMBOL, SECTOR, "
                            "CHANGE, PRICE)");
}
END_TEST

START_TEST(csv_field_count_against_declared_columns)
{
    struct kdo_rowfile_options opt = {
        .format = KDO_ROWFMT_CSV, .columns = ticker_columns, .ncolumns = 4};
    load_text_ok("AMZN,TECHNOLOGY,-0.32,82.5\nXOM,ENERGY,1.02,101.9,extra\n", &opt);
    ck_assert_uint_eq(kdo_rowfile_count(rf), 2);
    struct kdo_errinfo m = {0};
    ck_assert_uint_eq(kdo_rowfile_mismatched(rf, &m), 1);
    ck_assert_int_eq(m.line, 2);
    ck_assert_int_eq(m.column, 23); /* where the fifth field starts */
    ck_assert_str_eq(m.msg, "this record has 5 fields; 4 columns are declared (TICKER_SYMBOL, "
                            "SECTOR, CHANGE, PRICE)");
    /* Without declared columns nothing is counted. */
    kdo_rowfile_free(rf);
    rf = NULL;
    load_text_ok("a\nb,c\n", &csv_plain);
    ck_assert_uint_eq(kdo_rowfile_mismatched(rf, &m), 0);
}
END_TEST

/* A file whose second line is a row of n bytes (JSON or CSV) */
static int load_big_row(size_t n, const struct kdo_rowfile_options *opt)
{
    size_t total = 4 + n + 1;
    char *text = malloc(total);
    ck_assert_ptr_nonnull(text);
    memcpy(text, opt->format == KDO_ROWFMT_CSV ? "A,B\n" : "{ }\n", 4);
    text[4] = opt->format == KDO_ROWFMT_CSV ? 'x' : '"';
    memset(text + 5, 'x', n - 2);
    text[4 + n - 1] = opt->format == KDO_ROWFMT_CSV ? ',' : '"';
    text[4 + n] = '\n';
    int rc = load_bytes(text, total, opt);
    free(text);
    return rc;
}

START_TEST(row_limit_is_512_kb)
{
    const struct kdo_rowfile_options *opts[] = {&csv_header, &jsonl};
    for (size_t k = 0; k < 2; k++) {
        ck_assert_int_eq(load_big_row(KDO_MAX_ROW_BYTES, opts[k]), 0);
        ck_assert_uint_eq(kdo_rowfile_count(rf), k == 0 ? 1 : 2);
        size_t len = 0;
        kdo_rowfile_row(rf, kdo_rowfile_count(rf) - 1, &len);
        ck_assert_uint_eq(len, KDO_MAX_ROW_BYTES);
        kdo_rowfile_free(rf);
        rf = NULL;
        ck_assert_int_eq(load_big_row(KDO_MAX_ROW_BYTES + 1, opts[k]), KDO_EROWSIZE);
        ck_assert_ptr_null(rf);
        ck_assert_int_eq(e.line, 2);
        ck_assert_int_eq(e.column, 1);
        ck_assert_ptr_nonnull(strstr(e.msg, "524289 bytes"));
    }
}
END_TEST

START_TEST(header_over_row_limit)
{
    size_t n = KDO_MAX_ROW_BYTES + 1;
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, 'H', n);
    text[n] = '\n';
    ck_assert_int_eq(load_bytes(text, n + 1, &csv_header), KDO_EROWSIZE);
    free(text);
    ck_assert_int_eq(e.line, 1);
}
END_TEST

START_TEST(file_size_limit)
{
    struct kdo_rowfile_options opt = {.format = KDO_ROWFMT_JSON, .max_bytes = 8};
    load_text_ok("1\n2\n3\n4\n", &opt); /* exactly 8 bytes */
    ck_assert_uint_eq(kdo_rowfile_count(rf), 4);
    kdo_rowfile_free(rf);
    rf = NULL;
    load_text_fails("1\n2\n3\n4\n5", &opt, KDO_ETOOBIG, 0, 0);
    ck_assert_ptr_nonnull(strstr(e.msg, "larger than 8 bytes"));
}
END_TEST

START_TEST(row_count_limit)
{
    struct kdo_rowfile_options opt = {.format = KDO_ROWFMT_CSV, .has_header = true, .max_rows = 2};
    load_text_ok("A\n1\n\n2\n", &opt);
    ck_assert_uint_eq(kdo_rowfile_count(rf), 2);
    kdo_rowfile_free(rf);
    rf = NULL;
    load_text_fails("A\n1\n\n2\n3\n", &opt, KDO_ETOOBIG, 5, 1);
    ck_assert_ptr_nonnull(strstr(e.msg, "more than 2 rows"));
}
END_TEST

START_TEST(missing_file)
{
    const char *path = "/nonexistent/kdaout/rows.csv";
    ck_assert_int_eq(kdo_rowfile_load(path, &csv_header, &rf, &e), KDO_ENOENT);
    ck_assert_ptr_null(rf);
    ck_assert_str_eq(e.file, path);
    ck_assert_int_eq(e.line, 0);
    ck_assert_ptr_nonnull(strstr(e.msg, "No such file"));
    kdo_rowfile_free(NULL);
}
END_TEST

/* The roots: inside one (a prefix that is not a parent does not count);
 * outside all, refused before a byte is read, line 0. */
START_TEST(roots_confine_the_file)
{
    char real[4096], sibling[4100];
    const char *path = data_file("ticker.jsonl");
    ck_assert_ptr_nonnull(realpath(path, real));
    *strrchr(real, '/') = '\0'; /* tests/data/rows */
    const char *roots[] = {"/nonexistent/kdaout", real};
    struct kdo_rowfile_options o = jsonl;
    o.roots = roots;
    o.nroots = 2;
    ck_assert_int_eq(kdo_rowfile_load(path, &o, &rf, &e), 0);
    kdo_rowfile_free(rf);
    rf = NULL;
    roots[1] = "/";
    ck_assert_int_eq(kdo_rowfile_load(path, &o, &rf, &e), 0);
    kdo_rowfile_free(rf);
    rf = NULL;
    snprintf(sibling, sizeof sibling, "%.*s", (int)strlen(real) - 1, real); /* ".../row" */
    roots[1] = sibling;
    ck_assert_int_eq(kdo_rowfile_load(path, &o, &rf, &e), KDO_EINVAL);
    ck_assert_ptr_null(rf);
    ck_assert_int_eq(e.line, 0);
    ck_assert_msg(strstr(e.msg, "outside the scenario's folder (/nonexistent/kdaout) and every "
                  "--allow-path") != NULL, "%s", e.msg);
    o.nroots = 1;
    ck_assert_int_eq(kdo_rowfile_load(path, &o, &rf, &e), KDO_EINVAL);
    ck_assert_msg(strstr(e.msg, "allow it with --allow-path DIR") != NULL, "%s", e.msg);
    o.roots = NULL;
    ck_assert_int_eq(kdo_rowfile_load(path, &o, &rf, &e), KDO_EINVAL);
    ck_assert_msg(strstr(e.msg, "a folder count without folders") != NULL, "%s", e.msg);
}
END_TEST

/* Only regular files, roots or not; a FIFO is refused without blocking (a
 * plain open() would wait for a writer until the test's timeout). */
START_TEST(only_regular_files)
{
    char dir[] = "/tmp/kdo-rowfile-XXXXXX", fifo[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/rows.jsonl", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(kdo_rowfile_load(fifo, &jsonl, &rf, &e), KDO_EINVAL);
    ck_assert_msg(strstr(e.msg, "is a FIFO, not a regular file") != NULL, "%s", e.msg);
    ck_assert_int_eq(e.line, 0);
    unlink(fifo);
    ck_assert_int_eq(kdo_rowfile_load(dir, &jsonl, &rf, &e), KDO_EINVAL);
    ck_assert_msg(strstr(e.msg, "is a folder") != NULL, "%s", e.msg);
    rmdir(dir);
    ck_assert_int_eq(kdo_rowfile_load("/dev/zero", &jsonl, &rf, &e), KDO_EINVAL);
    ck_assert_msg(strstr(e.msg, "is a device") != NULL, "%s", e.msg);
    ck_assert_ptr_null(rf);
}
END_TEST

START_TEST(jsonl_rows_and_blank_lines)
{
    const char *path = data_file("ticker.jsonl");
    ck_assert_int_eq(kdo_rowfile_load(path, &jsonl, &rf, &e), 0);
    ck_assert_uint_eq(kdo_rowfile_ncolumns(rf), 0);
    ck_assert_uint_eq(kdo_rowfile_count(rf), 3);
    row_str(0, "{\"TICKER_SYMBOL\":\"AMZN\",\"SECTOR\":\"TECHNOLOGY\",\"CHANGE\":-0.32,"
               "\"PRICE\":82.5}");
    row_str(2, "{\"TICKER_SYMBOL\":\"XOM\",\"SECTOR\":\"ENERGY\",\"CHANGE\":1.02,"
               "\"PRICE\":101.9}");
}
END_TEST

START_TEST(jsonl_line_terminators)
{
    /* CRs before LF go; an unclosed quote is just bytes; a space line stays. */
    static const char text[] = "\n{\"a\":1}\r\n\r\n\r\r\n\"x\n \n{\"b\":\0}";
    ck_assert_int_eq(load_bytes(text, sizeof text - 1, &jsonl), 0);
    ck_assert_uint_eq(kdo_rowfile_count(rf), 4);
    row_str(0, "{\"a\":1}");
    row_str(1, "\"x");
    row_str(2, " ");
    row_is(3, "{\"b\":\0}", 7);
}
END_TEST

START_TEST(empty_file_has_no_rows)
{
    load_text_ok("", &jsonl);
    ck_assert_uint_eq(kdo_rowfile_count(rf), 0);
    kdo_rowfile_free(rf);
    rf = NULL;
    load_text_ok("\n\r\n", &csv_header);
    ck_assert_uint_eq(kdo_rowfile_count(rf), 0);
    ck_assert_uint_eq(kdo_rowfile_ncolumns(rf), 0);
}
END_TEST

START_TEST(options_refused)
{
    struct kdo_rowfile_options json_header = {.format = KDO_ROWFMT_JSON, .has_header = true};
    struct kdo_rowfile_options both = {
        .format = KDO_ROWFMT_CSV, .has_header = true, .columns = ticker_columns, .ncolumns = 4};
    struct kdo_rowfile_options over = {.format = KDO_ROWFMT_CSV,
                                       .max_bytes = KDO_ROWFILE_MAX_BYTES + 1};
    ck_assert_int_eq(load_bytes("x\n", 2, &json_header), KDO_EINVAL);
    ck_assert_int_eq(load_bytes("x\n", 2, &both), KDO_EINVAL);
    ck_assert_int_eq(load_bytes("x\n", 2, &over), KDO_EINVAL);
    ck_assert_ptr_null(rf);
}
END_TEST

START_TEST(format_of_names)
{
    static const struct {
        const char *path;
        int rc;
        enum kdo_rowfmt_format fmt;
    } cases[] = {
        {"ticker.csv", 0, KDO_ROWFMT_CSV},
        {"rows/T.CSV", 0, KDO_ROWFMT_CSV},
        {"a.jsonl", 0, KDO_ROWFMT_JSON},
        {"a.ndjson", 0, KDO_ROWFMT_JSON},
        {"dir.x/a.JSON", 0, KDO_ROWFMT_JSON},
        {"a.txt", KDO_EINVAL, 0},
        {"noext", KDO_EINVAL, 0},
        {"dir.csv/rows", KDO_EINVAL, 0},
        {"a.csv.gz", KDO_EINVAL, 0},
        {"a.jsonlines", KDO_EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum kdo_rowfmt_format fmt = (enum kdo_rowfmt_format)99;
        ck_assert_msg(kdo_rowfile_format_of(cases[i].path, &fmt) == cases[i].rc, "%s",
                      cases[i].path);
        if (cases[i].rc == 0)
            ck_assert_msg(fmt == cases[i].fmt, "%s: format %d, want %d", cases[i].path, (int)fmt,
                          (int)cases[i].fmt);
    }
}
END_TEST

static Suite *rowfile_suite(void)
{
    Suite *s = suite_create("rowfile");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"csv_with_header", csv_with_header},
        {"roots_confine_the_file", roots_confine_the_file},
        {"only_regular_files", only_regular_files},
        {"csv_without_header", csv_without_header},
        {"csv_header_is_a_row_without_has_header", csv_header_is_a_row_without_has_header},
        {"csv_quoted_comma_quote_newline", csv_quoted_comma_quote_newline},
        {"csv_header_names_unquoted", csv_header_names_unquoted},
        {"csv_crlf", csv_crlf},
        {"csv_empty_lines_skipped", csv_empty_lines_skipped},
        {"csv_last_line_without_newline", csv_last_line_without_newline},
        {"csv_bom_dropped", csv_bom_dropped},
        {"csv_unterminated_quote", csv_unterminated_quote},
        {"csv_quote_inside_unquoted_field_is_data", csv_quote_inside_unquoted_field_is_data},
        {"csv_field_count_mismatch_kept", csv_field_count_mismatch_kept},
        {"csv_field_count_against_declared_columns", csv_field_count_against_declared_columns},
        {"row_limit_is_512_kb", row_limit_is_512_kb},
        {"header_over_row_limit", header_over_row_limit},
        {"file_size_limit", file_size_limit},
        {"row_count_limit", row_count_limit},
        {"missing_file", missing_file},
        {"jsonl_rows_and_blank_lines", jsonl_rows_and_blank_lines},
        {"jsonl_line_terminators", jsonl_line_terminators},
        {"empty_file_has_no_rows", empty_file_has_no_rows},
        {"options_refused", options_refused},
        {"format_of_names", format_of_names},
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
    SRunner *sr = srunner_create(rowfile_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
