/*
 * test_scenario_reference.c -- application.reference and the timeline's
 * reference reloads (conformance/scenario-reference.c), and their runs
 * (app/sim.c).
 *
 * Each test writes a scenario and its data files into a fresh folder and
 * loads it from there, as `kdaout run` does: the tables' names, formats,
 * schemas and data reach the program's configuration, and every mistake --
 * in the YAML or in a data file -- is KDO_ESCHEMA at its file:line:col.
 * Until the SQL can JOIN a table, a run shows its loads through
 * kdo_sim_begin/kdo_sim_step: data spoilt after the load fails the run at
 * the very instant it is loaded, and not before.  Time is stepped by hand.
 */
#include "scenario.h"

#include "app/sim.h"
#include "base/buf.h"
#include "base/errors.h"
#include "delivery/journal.h"
#include "sql/program.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct kdo_scenario *sc;
static struct kdo_errinfo err;
static char tmp[256];
static char path[512]; /* the scenario's; err.file may point here */

#define MAX_FILES 16
static char *written[MAX_FILES];
static size_t nwritten;

static void put(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tmp, rel);
    FILE *f = fopen(p, "w");
    ck_assert_msg(f != NULL, "cannot write %s", p);
    fputs(text, f);
    fclose(f);
    ck_assert_uint_lt(nwritten, MAX_FILES);
    written[nwritten++] = strdup(p);
}

static void setup(void)
{
    sc = NULL;
    memset(&err, 0, sizeof err);
    snprintf(tmp, sizeof tmp, "/tmp/kdo-reference-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    kdo_scenario_allow_path_clear();
    put("ref.csv", "AMZN,Amazon\nASD, SomeCompanyA\n");
    put("ref2.csv", "AMZN,Amazon.com\n");
    put("ref.jsonl", "{\"Ticker\": \"AMZN\", \"Company\": \"Amazon\"}\n");
    put("ref.txt", "AMZN,Amazon\n");
    put("bad.csv", "AMZN,1.5\nASD,12x\n");
    put("good.csv", "AMZN,1.5\n");
}

static void teardown(void)
{
    kdo_scenario_free(sc);
    sc = NULL;
    for (size_t i = 0; i < nwritten; i++) {
        remove(written[i]);
        free(written[i]);
    }
    nwritten = 0;
    rmdir(tmp);
}

/* The SQL form with one pump: the table is declared beside it. */
#define APP \
    "application:\n" \
    "  sql: |\n" \
    "    CREATE STREAM DESTINATION_SQL_STREAM (sym VARCHAR(4));\n" \
    "    CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM\n" \
    "      SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001;\n"
#define ITEM(file) \
    "    - {name: CompanyName, file: " file ", schema: {'\"Ticker\"': VARCHAR(4), " \
    "'\"Company\"': VARCHAR(20)}}\n"
#define TABLE(file) "  reference:\n" ITEM(file)
#define PRICES "  reference:\n    - {name: P, file: good.csv, schema: {T: VARCHAR(4), PRICE: REAL}}\n"

static int load(const char *yaml)
{
    put("s.yaml", yaml);
    snprintf(path, sizeof path, "%s/s.yaml", tmp);
    kdo_scenario_free(sc);
    sc = NULL;
    memset(&err, 0, sizeof err);
    return kdo_scenario_load(path, &sc, &err);
}

static void load_ok(const char *yaml)
{
    int rc = load(yaml);
    ck_assert_msg(rc == 0, "refused (%d): %s:%d:%d: %s", rc, err.file ? err.file : "?", err.line,
                  err.column, err.msg);
}

/* Refused at line:column of `file` (relative to the folder), saying `what`. */
static void refused_in(const char *yaml, const char *file, int line, int column,
                       const char *what)
{
    char want[512];
    int rc = load(yaml);
    ck_assert_msg(rc == KDO_ESCHEMA, "loaded (%d)", rc);
    ck_assert_ptr_null(sc);
    snprintf(want, sizeof want, "%s/%s", tmp, file);
    ck_assert_ptr_nonnull(err.file);
    ck_assert_str_eq(err.file, want);
    ck_assert_msg(err.line == line && err.column == column, "at %d:%d, not %d:%d: %s", err.line,
                  err.column, line, column, err.msg);
    ck_assert_msg(strstr(err.msg, what) != NULL, "message \"%s\" lacks \"%s\"", err.msg, what);
}

static void refused_at(const char *yaml, int line, int column, const char *what)
{
    refused_in(yaml, "s.yaml", line, column, what);
}

START_TEST(tables_load_with_name_file_format_and_schema)
{
    load_ok(APP TABLE("ref.csv")
            "    - {name: \"J\", file: ref.jsonl, schema: {'\"Ticker\"': VARCHAR(4)}}\n"
            "    - {name: T, file: ref.txt, format: CSV, schema: {A: VARCHAR(4), B: "
            "VARCHAR(8)}}\n");
    ck_assert_uint_eq(sc->program.ntables, 3);
    ck_assert_ptr_eq(sc->program.tables, sc->tables);
    ck_assert_str_eq(sc->tables[0].name, "CompanyName");
    ck_assert_int_eq(sc->tables[0].format, KDO_ROWFMT_CSV);  /* by the name: .csv */
    ck_assert_int_eq(sc->tables[1].format, KDO_ROWFMT_JSON); /* .jsonl */
    ck_assert_int_eq(sc->tables[2].format, KDO_ROWFMT_CSV);  /* said */
    ck_assert_uint_eq(kdo_row_schema_count(sc->tables[0].schema), 2);
    ck_assert_int_eq(kdo_row_schema_find(sc->tables[0].schema, "Company", 7), 1);
    ck_assert_int_eq(kdo_row_schema_find(sc->tables[2].schema, "B", 1), 1);
    /* The data, read at load, goes to each run. */
    ck_assert_ptr_eq(sc->sim.references, sc->table_data);
    ck_assert_uint_eq(sc->sim.nreferences, 3);
    ck_assert_str_eq(sc->sim.references[0].table, "CompanyName");
    ck_assert_uint_eq(sc->sim.references[0].len, strlen("AMZN,Amazon\nASD, SomeCompanyA\n"));
    ck_assert(memcmp(sc->sim.references[0].data, "AMZN,Amazon\n", 12) == 0);
    ck_assert_ptr_nonnull(strstr(sc->sim.references[1].file, "/ref.jsonl"));
    ck_assert_uint_eq(sc->sim.nreloads, 0);
}
END_TEST

START_TEST(table_refusals_at_their_place)
{
    refused_at(APP "  reference:\n    - {name: X, file: ref.csv, format: XML, schema: {A: INT}}\n",
               7, 40, "a RecordFormatType is JSON or CSV");
    refused_at(APP "  reference:\n    - {name: X, file: ref.txt, schema: {A: INT}}\n", 7, 23,
               "give format: CSV or JSON");
    refused_at(APP "  reference:\n    - {name: X, file: nope.csv, schema: {A: INT}}\n", 7, 23,
               "file: cannot read");
    refused_at(APP "  reference:\n    - {name: X, file: ../x.csv, schema: {A: INT}}\n", 7, 23,
               "cannot read");
    refused_at(APP "  reference:\n    - {name: X, file: ref.csv}\n", 7, 7,
               "needs name, file and schema");
    refused_at(APP "  reference:\n    - {name: X, file: ref.csv, schema: {A: NUMBERS}}\n", 7, 44,
               "schema: column A NUMBERS");
    refused_at(APP "  reference:\n    - {name: X, file: ref.csv, schema: {A: INT}, sep: \",\"}\n",
               7, 50, "unknown key \"sep\"");
    refused_at(APP TABLE("ref.csv") ITEM("ref2.csv"), 8, 14, "declared twice");
    refused_at(APP "  reference: {name: X}\n", 6, 14, "a list of reference tables");
    refused_at(APP "  reference:\n    - {name: '\"CompanyName\"', file: ref.csv, schema: {A: INT}}"
                   "\n", 7, 14, "without the SQL's quotes");
}
END_TEST

/* A record that does not read is the load's error in the data file. */
START_TEST(a_bad_record_is_refused_at_its_line_and_column)
{
    refused_in(APP "  reference:\n    - {name: P, file: bad.csv, schema: {T: VARCHAR(4), "
                   "PRICE: REAL}}\n",
               "bad.csv", 2, 5, "PRICE");
    /* An empty file is no rows, as KDA's empty object. */
    put("empty.csv", "");
    load_ok(APP "  reference:\n    - {name: P, file: empty.csv, schema: {T: VARCHAR(4)}}\n");
}
END_TEST

START_TEST(reference_needs_the_sql)
{
    refused_at("application:\n"
               "  schema: {A: INT}\n"
               "  reference:\n"
               "    - {name: X, file: ref.csv, schema: {A: INT}}\n",
               4, 5, "need application.sql");
}
END_TEST

START_TEST(at_most_the_programs_tables)
{
    char yaml[4096];
    size_t len = (size_t)snprintf(yaml, sizeof yaml, "%s  reference:\n", APP);
    for (int i = 0; i <= KDO_PROGRAM_MAX_TABLES; i++)
        len += (size_t)snprintf(yaml + len, sizeof yaml - len,
                                "    - {name: T%d, file: ref.csv, schema: {A: VARCHAR(4), B: "
                                "VARCHAR(20)}}\n", i);
    refused_at(yaml, 7, 5, "at most 8 reference tables");
}
END_TEST

START_TEST(reloads_load_in_the_timeline)
{
    load_ok(APP TABLE("ref.csv")
            "timeline:\n"
            "  - {at: 10s, restart: true}\n"
            "  - {at: 30s, reference: {name: CompanyName, file: ref2.csv}}\n"
            "  - {at: 45s, reference: {name: CompanyName, file: ref.csv}}\n");
    ck_assert_uint_eq(sc->sim.nreloads, 2);
    ck_assert_ptr_eq(sc->sim.reloads, sc->reloads);
    ck_assert_int_eq(sc->sim.reloads[0].at, 30 * KDO_S);
    ck_assert_str_eq(sc->sim.reloads[0].table, "CompanyName");
    ck_assert_uint_eq(sc->sim.reloads[0].len, strlen("AMZN,Amazon.com\n"));
    ck_assert_ptr_nonnull(strstr(sc->sim.reloads[0].file, "/ref2.csv"));
    ck_assert_int_eq(sc->sim.reloads[1].at, 45 * KDO_S);
    ck_assert_uint_eq(sc->sim.nrestarts, 1);
}
END_TEST

START_TEST(reload_refusals_at_their_place)
{
    /* The program has no such table: kdo_program_load_table's refusal, at the name. */
    refused_at(APP TABLE("ref.csv")
               "timeline:\n  - {at: 30s, reference: {name: Companyname, file: ref2.csv}}\n",
               9, 33, "the application has no reference table Companyname");
    /* A record the table's schema does not read: in the data file. */
    refused_in(APP PRICES "timeline:\n  - {at: 30s, reference: {name: P, file: bad.csv}}\n",
               "bad.csv", 2, 5, "PRICE");
    refused_at(APP TABLE("ref.csv")
               "timeline:\n  - {at: 30s, reference: {name: CompanyName, file: gone.csv}}\n",
               9, 52, "file: cannot read");
    refused_at(APP TABLE("ref.csv")
               "timeline:\n  - {at: 30s, reference: {name: CompanyName}}\n",
               9, 26, "{name, file}");
    refused_at(APP TABLE("ref.csv")
               "timeline:\n  - {at: 30s, reference: {name: CompanyName, file: ref.csv, "
               "format: CSV}}\n",
               9, 61, "unknown key \"format\"");
    refused_at(APP TABLE("ref.csv")
               "timeline:\n  - {from: 30s, reference: {name: CompanyName, file: ref.csv}}\n",
               9, 5, "a reload needs `at`");
    refused_at(APP TABLE("ref.csv")
               "timeline:\n  - {at: 2h, reference: {name: CompanyName, file: ref.csv}}\n",
               9, 3, "after the run ends");
    refused_at("application: {schema: {A: INT}}\n"
               "timeline:\n  - {at: 30s, reference: {name: X, file: ref.csv}}\n",
               3, 26, "needs application.sql");
}
END_TEST

/* Steps the run of sc up to (not including) `until`, each step succeeding;
 * returns the first deadline at or after it. */
static kdo_time_ns step_before(struct kdo_sim *m, kdo_time_ns until)
{
    kdo_time_ns now = 0;
    for (int i = 0; i < 100000; i++) {
        kdo_time_ns t = kdo_sim_next_deadline(m);
        if (t >= until)
            return t;
        now = t > now ? t : now;
        ck_assert_msg(kdo_sim_step(m, now) == 0, "step at %lld ns failed", (long long)now);
    }
    ck_abort_msg("no deadline reached %lld ns", (long long)until);
    return 0;
}

#define RUN APP PRICES "  input: []\nduration: 60s\n"

/* Each run loads every table's data before its first step: spoilt data
 * fails kdo_sim_begin. */
START_TEST(a_run_loads_the_tables_first)
{
    struct kdo_sim_result res;
    struct kdo_sim *m;
    load_ok(RUN);
    ck_assert_int_eq(kdo_sim_begin(&sc->sim, &res, &m), 0);
    kdo_sim_end(m, 0, 0);
    kdo_sim_result_cleanup(&res);
    const char *data = sc->table_data[0].data;
    size_t len = sc->table_data[0].len;
    sc->table_data[0].data = "ASD,12x\n";
    sc->table_data[0].len = 8;
    int rc = kdo_sim_begin(&sc->sim, &res, &m);
    sc->table_data[0].data = data;
    sc->table_data[0].len = len;
    ck_assert_int_eq(rc, KDO_ESCHEMA);
}
END_TEST

/* A reload is a deadline of the run and happens at its instant, before the
 * rows of that instant: spoilt data fails exactly the step at `at`. */
START_TEST(a_reload_fires_at_its_instant)
{
    struct kdo_sim_result res;
    struct kdo_sim *m;
    load_ok(RUN "timeline:\n  - {at: 30500ms, reference: {name: P, file: good.csv}}\n");
    ck_assert_int_eq(kdo_sim_begin(&sc->sim, &res, &m), 0);
    ck_assert_int_eq(step_before(m, 30500 * KDO_MS), 30500 * KDO_MS);
    ck_assert_int_eq(kdo_sim_step(m, 30500 * KDO_MS), 0);
    ck_assert_int_eq(kdo_sim_finished(m, 30500 * KDO_MS), 0);
    kdo_sim_end(m, 30500 * KDO_MS, 0);
    kdo_sim_result_cleanup(&res);

    const char *data = sc->reloads[0].data;
    sc->reloads[0].data = "ASD,12x\n";
    sc->reloads[0].len = 8;
    ck_assert_int_eq(kdo_sim_begin(&sc->sim, &res, &m), 0);
    ck_assert_int_eq(step_before(m, 30500 * KDO_MS), 30500 * KDO_MS);
    int rc = kdo_sim_step(m, 30500 * KDO_MS);
    kdo_sim_end(m, 30500 * KDO_MS, 0);
    kdo_sim_result_cleanup(&res);
    sc->reloads[0].data = data;
    sc->reloads[0].len = strlen("AMZN,1.5\n");
    ck_assert_msg(rc != 0, "the spoilt reload was not loaded at 30.5 s");
    /* The whole run, with the good data, ends drained, the reload in its journal. */
    ck_assert_int_eq(kdo_sim_run(&sc->sim, &res), 0);
    ck_assert_int_eq(res.drained, 1);
    size_t reloads = 0;
    for (size_t i = 0; i < kdo_journal_count(res.journal); i++) {
        const struct kdo_jentry *e = kdo_journal_at(res.journal, i);
        if (e->kind != KDO_J_RELOAD)
            continue;
        struct kdo_buf b;
        kdo_buf_init(&b, 4096);
        kdo_journal_format(res.journal, i, &b);
        kdo_buf_append(&b, "", 1);
        ck_assert_str_eq(b.data, "{\"t\":30.500000,\"ev\":\"reference_reload\",\"table\":\"P\","
                                 "\"file\":\"good.csv\"}");
        kdo_buf_cleanup(&b);
        reloads++;
    }
    ck_assert_uint_eq(reloads, 1);
    kdo_sim_result_cleanup(&res);
}
END_TEST

static Suite *reference_suite(void)
{
    Suite *s = suite_create("scenario_reference");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"tables_load_with_name_file_format_and_schema",
         tables_load_with_name_file_format_and_schema},
        {"table_refusals_at_their_place", table_refusals_at_their_place},
        {"a_bad_record_is_refused_at_its_line_and_column",
         a_bad_record_is_refused_at_its_line_and_column},
        {"reference_needs_the_sql", reference_needs_the_sql},
        {"at_most_the_programs_tables", at_most_the_programs_tables},
        {"reloads_load_in_the_timeline", reloads_load_in_the_timeline},
        {"reload_refusals_at_their_place", reload_refusals_at_their_place},
        {"a_run_loads_the_tables_first", a_run_loads_the_tables_first},
        {"a_reload_fires_at_its_instant", a_reload_fires_at_its_instant},
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
    SRunner *sr = srunner_create(reference_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
