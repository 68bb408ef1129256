/*
 * test_ydoc.c -- the bounded YAML loader: tree shape and marks, plain versus
 * quoted scalars, and every refusal (duplicate and non-scalar keys, depth,
 * aliases, billion laughs, documents, size, encoding, syntax) with the
 * position and sentence a person would need.
 *
 * Refusals are asserted by code, position and a phrase of the message, never
 * by timing: the 100,000-deep inputs prove the depth check fires on the
 * first event past the limit because the reported column is that event's.
 * The malformed corpus (tests/data/yaml-malformed, found through
 * KDO_SOURCE_ROOT) only asserts the error contract, so a file can be added
 * without touching C.
 */
#include "ydoc.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct kdo_ydoc *doc;
static struct kdo_errinfo err;

static void setup(void)
{
    doc = NULL;
    memset(&err, 0, sizeof err);
}

static void teardown(void)
{
    kdo_ydoc_free(doc);
    doc = NULL;
}

static int load_lim(const char *text, const struct kdo_ylimits *lim)
{
    kdo_ydoc_free(doc);
    doc = NULL;
    memset(&err, 0, sizeof err);
    return kdo_ydoc_load_string("t.yaml", text, strlen(text), lim, &doc, &err);
}

static int load(const char *text)
{
    return load_lim(text, NULL);
}

/* Asserts a refusal: code, 1-based position, a phrase of the message. */
static void refused(int rc, int code, int line, int column, const char *phrase)
{
    ck_assert_int_eq(rc, code);
    ck_assert_ptr_null(doc);
    ck_assert_str_eq(err.file, "t.yaml");
    ck_assert_int_eq(err.line, line);
    ck_assert_int_eq(err.column, column);
    ck_assert_msg(strstr(err.msg, phrase) != NULL, "message \"%s\" lacks \"%s\"", err.msg,
                  phrase);
}

static void scalar_at(const struct kdo_ynode *n, const char *text, int plain, int line, int col)
{
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(n->type, KDO_YNODE_SCALAR);
    ck_assert_str_eq(n->text, text);
    ck_assert_uint_eq(n->len, strlen(text));
    ck_assert_int_eq(n->plain, plain);
    ck_assert_int_eq(n->line, line);
    ck_assert_int_eq(n->column, col);
}

static char *repeat(const char *unit, size_t times, const char *tail)
{
    size_t u = strlen(unit), t = strlen(tail);
    char *s = malloc(u * times + t + 1);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * u, unit, u);
    memcpy(s + u * times, tail, t + 1);
    return s;
}

START_TEST(tree_has_shape_and_marks)
{
    ck_assert_int_eq(load("name: demo\nrules:\n  - a\n  - {b: 1, c: [x, y]}\n"), 0);
    const struct kdo_ynode *root = doc->root;
    ck_assert_int_eq(root->type, KDO_YNODE_MAP);
    ck_assert_int_eq(root->line, 1);
    ck_assert_int_eq(root->column, 1);
    ck_assert_uint_eq(root->n, 2);
    scalar_at(root->pairs[0].key, "name", 1, 1, 1);
    scalar_at(root->pairs[0].value, "demo", 1, 1, 7);
    const struct kdo_ynode *rules = root->pairs[1].value;
    ck_assert_int_eq(rules->type, KDO_YNODE_SEQ);
    ck_assert_int_eq(rules->line, 3);
    ck_assert_int_eq(rules->column, 3);
    ck_assert_uint_eq(rules->n, 2);
    scalar_at(rules->items[0], "a", 1, 3, 5);
    const struct kdo_ynode *m = rules->items[1];
    ck_assert_int_eq(m->type, KDO_YNODE_MAP);
    ck_assert_int_eq(m->line, 4);
    ck_assert_int_eq(m->column, 5);
    const struct kdo_ynode *c = kdo_ynode_get(m, "c");
    ck_assert_int_eq(c->type, KDO_YNODE_SEQ);
    scalar_at(c->items[1], "y", 1, 4, 19);
    ck_assert_str_eq(doc->file, "t.yaml");
}
END_TEST

START_TEST(plain_and_quoted_scalars)
{
    ck_assert_int_eq(load("a: null\nb: \"null\"\nc: 'x'\nd: |\n  lit\ne: >\n  folded\n"
                          "f: !!str 5\ng: ! 6\nh: !!int 7\n"),
                     0);
    scalar_at(kdo_ynode_get(doc->root, "a"), "null", 1, 1, 4);
    scalar_at(kdo_ynode_get(doc->root, "b"), "null", 0, 2, 4);
    scalar_at(kdo_ynode_get(doc->root, "c"), "x", 0, 3, 4);
    scalar_at(kdo_ynode_get(doc->root, "d"), "lit\n", 0, 4, 4);
    scalar_at(kdo_ynode_get(doc->root, "e"), "folded\n", 0, 6, 4);
    scalar_at(kdo_ynode_get(doc->root, "f"), "5", 0, 8, 4);
    scalar_at(kdo_ynode_get(doc->root, "g"), "6", 0, 9, 4);
    scalar_at(kdo_ynode_get(doc->root, "h"), "7", 1, 10, 4);
}
END_TEST

/* Where a scalar's text stands as written (for SQL errors inside a value):
 * one-line values plain or quoted, literal blocks at their indentation;
 * escapes, folding and quoted values over lines do not map. */
START_TEST(scalar_text_places)
{
    ck_assert_int_eq(load("a: x y\nb: \"q z\"\nc: 'p'\nd: |\n    l1\n    l2\ne: >\n  f\n"
                          "g: \"\\u0041b\"\nh: \"two\n  lines\"\n"),
                     0);
    static const struct { const char *key; int line, column; } want[] = {
        {"a", 1, 4}, {"b", 2, 5}, {"c", 3, 5}, {"d", 5, 5}, {"e", 0, 0}, {"g", 0, 0}, {"h", 0, 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct kdo_ynode *n = kdo_ynode_get(doc->root, want[i].key);
        ck_assert_msg(n->text_line == want[i].line && n->text_column == want[i].column,
                      "%s at %d:%d, want %d:%d", want[i].key, n->text_line, n->text_column,
                      want[i].line, want[i].column);
    }
}
END_TEST

START_TEST(escaped_nul_is_kept_with_length)
{
    ck_assert_int_eq(load("k: \"a\\0b\"\n"), 0);
    const struct kdo_ynode *v = kdo_ynode_get(doc->root, "k");
    ck_assert_uint_eq(v->len, 3);
    ck_assert_int_eq(memcmp(v->text, "a\0b", 4), 0);
}
END_TEST

START_TEST(empty_inputs_have_no_root)
{
    ck_assert_int_eq(load(""), 0);
    ck_assert_ptr_null(doc->root);
    ck_assert_int_eq(load("# only a comment\n\n   # another\n"), 0);
    ck_assert_ptr_null(doc->root);
    kdo_ydoc_free(doc);
    ck_assert_int_eq(kdo_ydoc_load_string("t.yaml", NULL, 0, NULL, &doc, &err), 0);
    ck_assert_ptr_null(doc->root);
}
END_TEST

START_TEST(utf8_bom_is_accepted)
{
    ck_assert_int_eq(load("\xEF\xBB\xBFk: v\n"), 0);
    scalar_at(kdo_ynode_get(doc->root, "k"), "v", 1, 1, 4);
}
END_TEST

START_TEST(duplicate_keys_refused)
{
    refused(load("a: 1\nb: 2\na: 3\n"), KDO_EPARSE, 3, 1,
            "duplicate key \"a\" (first at line 1, column 1)");
    refused(load("rules: 1\n\"rules\": 2\n"), KDO_EPARSE, 2, 1,
            "duplicate key \"rules\" (first at line 1, column 1)");
    refused(load("x:\n  'k': 1\n  k: 2\n"), KDO_EPARSE, 3, 3, "first at line 2, column 3");
    refused(load("{a: 1, \"a\": 2}"), KDO_EPARSE, 1, 8, "duplicate key \"a\"");
    refused(load("a: &k x\n*k : 2\nx: 3\n"), KDO_EPARSE, 3, 1, "duplicate key \"x\"");
}
END_TEST

START_TEST(same_key_in_different_maps_is_fine)
{
    ck_assert_int_eq(load("a: {k: 1}\nb: {k: 2}\nc: [{k: 3}, {k: 4}]\n"), 0);
    ck_assert_int_eq(load("<<: 1\nk: 2\n"), 0); /* merge keys are ordinary keys */
    scalar_at(kdo_ynode_get(doc->root, "<<"), "1", 1, 1, 5);
}
END_TEST

START_TEST(depth_limit_is_exact)
{
    struct kdo_ylimits lim;
    kdo_ylimits_default(&lim);
    char *ok = repeat("[", 64, "");
    char *okc = repeat("]", 64, "");
    char *s = malloc(200);
    snprintf(s, 200, "%s%s", ok, okc);
    ck_assert_int_eq(load(s), 0);
    snprintf(s, 200, "[%s%s]", ok, okc);
    refused(load(s), KDO_EDEPTH, 1, 65, "sequence nested deeper than 64 levels");
    lim.max_depth = 2;
    ck_assert_int_eq(load_lim("a:\n  b: [1]\n", &lim), KDO_EDEPTH);
    ck_assert_int_eq(load_lim("a:\n  b: 1\n", &lim), 0);
    refused(load_lim("a:\n  b:\n    c: 1\n", &lim), KDO_EDEPTH, 3, 5,
            "mapping nested deeper than 2 levels");
    free(ok);
    free(okc);
    free(s);
}
END_TEST

START_TEST(deep_flow_nesting_refused_at_the_limit)
{
    char *s = repeat("[", 100000, "");
    refused(load(s), KDO_EDEPTH, 1, 65, "nested deeper than 64 levels");
    free(s);
    s = repeat("{a: ", 100000, "");
    refused(load(s), KDO_EDEPTH, 1, 4 * 64 + 1, "mapping nested deeper than 64 levels");
    free(s);
}
END_TEST

START_TEST(deep_block_nesting_refused_at_the_limit)
{
    char *s = repeat("- ", 100000, "x\n");
    refused(load(s), KDO_EDEPTH, 1, 129, "sequence nested deeper than 64 levels");
    free(s);
    /* Indented mappings grow quadratically, so 1,000 levels (500 KB) is
     * as deep as fits in the size limit. */
    size_t levels = 1000, n = 0;
    s = malloc(levels * (levels + 4) + 1);
    for (size_t i = 0; i < levels; i++)
        n += (size_t)sprintf(s + n, "%*sk:\n", (int)i, "");
    refused(load(s), KDO_EDEPTH, 65, 65, "mapping nested deeper than 64 levels");
    free(s);
}
END_TEST

START_TEST(aliases_share_the_anchored_node)
{
    ck_assert_int_eq(load("base: &b {t: 1}\nuse: *b\nname: &n x\nagain: *n\n"), 0);
    ck_assert_ptr_eq(kdo_ynode_get(doc->root, "base"), kdo_ynode_get(doc->root, "use"));
    ck_assert_ptr_eq(kdo_ynode_get(doc->root, "name"), kdo_ynode_get(doc->root, "again"));
    ck_assert_int_eq(load("a: &x 1\nb: &x 2\nc: *x\n"), 0); /* the latest anchor wins */
    scalar_at(kdo_ynode_get(doc->root, "c"), "2", 1, 2, 4);
}
END_TEST

START_TEST(alias_count_is_limited)
{
    struct kdo_ylimits lim;
    kdo_ylimits_default(&lim);
    lim.max_aliases = 3;
    ck_assert_int_eq(load_lim("- &a 1\n- *a\n- *a\n- *a\n", &lim), 0);
    refused(load_lim("- &a 1\n- *a\n- *a\n- *a\n- *a\n", &lim), KDO_ETOOBIG, 5, 3,
            "alias *a is alias use number 4; the limit is 3");
}
END_TEST

START_TEST(alias_nodes_are_limited)
{
    struct kdo_ylimits lim;
    kdo_ylimits_default(&lim);
    lim.max_alias_nodes = 8;
    /* [1, 2, 3] is 4 nodes: two uses reach 8, a third is refused. */
    ck_assert_int_eq(load_lim("a: &a [1, 2, 3]\nb: *a\nc: *a\n", &lim), 0);
    refused(load_lim("a: &a [1, 2, 3]\nb: *a\nc: *a\nd: *a\n", &lim), KDO_ETOOBIG, 4, 4,
            "alias *a expands to 4 nodes, bringing the nodes reached through aliases to 12");
}
END_TEST

START_TEST(billion_laughs_refused)
{
    const char *lol = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
                      "\"lol\"]\n"
                      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                      "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                      "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    int rc = load(lol);
    ck_assert_int_eq(rc, KDO_ETOOBIG);
    ck_assert_int_eq(err.line, 6);
    ck_assert_msg(strstr(err.msg, "billion laughs") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(self_referencing_alias_refused)
{
    refused(load("a: &a [1, *a]\n"), KDO_EPARSE, 1, 11,
            "alias *a refers to anchor &a which is still open (recursive)");
    refused(load("&r\nk: {x: *r}\n"), KDO_EPARSE, 2, 8, "still open");
}
END_TEST

START_TEST(unknown_alias_refused)
{
    refused(load("a: 1\nb: *b\n"), KDO_EPARSE, 2, 4, "unknown alias *b");
    refused(load("a: *a\nb: &a 1\n"), KDO_EPARSE, 1, 4, "unknown alias *a");
}
END_TEST

START_TEST(alias_cannot_exceed_depth)
{
    struct kdo_ylimits lim;
    kdo_ylimits_default(&lim);
    lim.max_depth = 3;
    ck_assert_int_eq(load_lim("a: &a [[1]]\n", &lim), 0);
    refused(load_lim("a: &a [[1]]\nb: [*a]\n", &lim), KDO_EDEPTH, 2, 5,
            "alias *a puts a sequence 2 levels deep inside 2 open levels; the limit is 3");
}
END_TEST

START_TEST(multiple_documents_refused)
{
    refused(load("a: 1\n---\nb: 2\n"), KDO_EPARSE, 2, 1,
            "more than one document (expected a single scenario)");
    refused(load("--- a\n...\n--- b\n"), KDO_EPARSE, 3, 1, "more than one document");
    ck_assert_int_eq(load("---\na: 1\n...\n"), 0);
}
END_TEST

START_TEST(size_limit_refused)
{
    size_t n = 2000000;
    char *big = malloc(n + 1);
    memset(big, '#', n);
    big[n] = '\0';
    int rc = load(big);
    ck_assert_int_eq(rc, KDO_ETOOBIG);
    ck_assert_str_eq(err.msg, "file is 2000000 bytes; the limit is 1048576");
    ck_assert_str_eq(err.file, "t.yaml");
    free(big);
    struct kdo_ylimits lim;
    kdo_ylimits_default(&lim);
    lim.max_bytes = 5;
    ck_assert_int_eq(load_lim("a: 12", &lim), 0);
    ck_assert_int_eq(load_lim("a: 123", &lim), KDO_ETOOBIG);
}
END_TEST

START_TEST(node_limit_refused)
{
    struct kdo_ylimits lim;
    kdo_ylimits_default(&lim);
    lim.max_nodes = 5;
    ck_assert_int_eq(load_lim("a: 1\nb: 2\n", &lim), 0);
    refused(load_lim("a: 1\nb: 2\nc: 3\n", &lim), KDO_ETOOBIG, 3, 1, "more than 5 nodes");
}
END_TEST

START_TEST(non_scalar_keys_refused)
{
    refused(load("? [1]\n: 2\n"), KDO_EPARSE, 1, 3,
            "a mapping key must be a scalar, found a sequence");
    refused(load("{[1]: 2}"), KDO_EPARSE, 1, 2, "found a sequence");
    refused(load("? {a: 1}\n: 2\n"), KDO_EPARSE, 1, 3, "found a mapping");
    refused(load("a: &m {x: 1}\n*m : 2\n"), KDO_EPARSE, 2, 1,
            "a mapping key must be a scalar, found a mapping");
}
END_TEST

START_TEST(syntax_errors_have_positions)
{
    refused(load("a: 1\nb: \"open\n"), KDO_EPARSE, 3, 1,
            "found unexpected end of stream while scanning a quoted scalar that starts at "
            "line 2, column 4");
    refused(load("a:\n\tb: 1\n"), KDO_EPARSE, 2, 1, "tab");
    refused(load("a: [1, 2\nb: 3\n"), KDO_EPARSE, 2, 2,
            "while parsing a flow sequence that starts at line 1, column 4");
    refused(load("a: 1\n]\n"), KDO_EPARSE, 2, 1,
            "did not find expected key while parsing a block mapping");
    refused(load("a: \"\\q\"\n"), KDO_EPARSE, 1, 5, "found unknown escape character");
    refused(load("a: b: c\n"), KDO_EPARSE, 1, 5, "mapping values are not allowed");
    refused(load("k: @x\n"), KDO_EPARSE, 1, 4, "reserved");
    refused(load("a: 1\n  b: 2\n"), KDO_EPARSE, 2, 4, "mapping values are not allowed");
    refused(load("\xC3\xA9\xC3\xA9: [1\n"), KDO_EPARSE, 2, 1, "flow sequence");
}
END_TEST

START_TEST(tags_checked)
{
    refused(load("a: !foo 1\n"), KDO_EPARSE, 1, 4, "unsupported tag !foo");
    refused(load("a: !!binary aGk=\n"), KDO_EPARSE, 1, 4, "unsupported tag !!binary");
    refused(load("a: !!map 1\n"), KDO_EPARSE, 1, 4, "tag !!map on a scalar; expected a mapping");
    refused(load("a: !!str [1]\n"), KDO_EPARSE, 1, 4, "tag !!str on a sequence");
    ck_assert_int_eq(load("!!map\na: !!seq [!!null ~, !!bool true, !!float 1.5]\n"), 0);
}
END_TEST

START_TEST(encoding_checked)
{
    int rc = kdo_ydoc_load_string("t.yaml", "a: 1\nb: x\0y\n", 12, NULL, &doc, &err);
    refused(rc, KDO_EPARSE, 2, 5, "NUL byte");
    rc = kdo_ydoc_load_string("t.yaml", "\xFF\xFE" "a\0:\0", 6, NULL, &doc, &err);
    refused(rc, KDO_EPARSE, 1, 1, "UTF-16");
    refused(load("a: 1\nb: \xC3\x28\n"), KDO_EPARSE, 2, 5, "invalid trailing UTF-8 octet");
    refused(load("a: \x1B\n"), KDO_EPARSE, 1, 4, "control characters are not allowed");
}
END_TEST

static char *temp_file(const char *content, size_t len)
{
    char *path = strdup("/tmp/test_ydoc_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
    close(fd);
    return path;
}

START_TEST(files_are_read_and_named)
{
    char *path = temp_file("k: v\n", 5);
    ck_assert_int_eq(kdo_ydoc_load_file(path, NULL, &doc, &err), 0);
    ck_assert_str_eq(doc->file, path);
    scalar_at(kdo_ynode_get(doc->root, "k"), "v", 1, 1, 4);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(file_errors)
{
    ck_assert_int_eq(kdo_ydoc_load_file("/nonexistent/x.yaml", NULL, &doc, &err), KDO_ENOENT);
    ck_assert_str_eq(err.file, "/nonexistent/x.yaml");
    ck_assert_msg(strstr(err.msg, "No such file") != NULL, "%s", err.msg);
    ck_assert_int_eq(kdo_ydoc_load_file("/tmp", NULL, &doc, &err), KDO_EIO);
    ck_assert_msg(strstr(err.msg, "directory") != NULL, "%s", err.msg);
    char *path = temp_file("a: 1\nb: [\n", 10);
    ck_assert_int_eq(kdo_ydoc_load_file(path, NULL, &doc, &err), KDO_EPARSE);
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, 3);
    struct kdo_ylimits lim;
    kdo_ylimits_default(&lim);
    lim.max_bytes = 4;
    ck_assert_int_eq(kdo_ydoc_load_file(path, &lim, &doc, &err), KDO_ETOOBIG);
    ck_assert_str_eq(err.msg, "file is 10 bytes; the limit is 4");
    ck_assert_ptr_null(doc);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(get_finds_keys)
{
    ck_assert_int_eq(load("a: 1\nb: [2]\n\"c\\0d\": 3\n"), 0);
    scalar_at(kdo_ynode_get(doc->root, "a"), "1", 1, 1, 4);
    ck_assert_ptr_null(kdo_ynode_get(doc->root, "z"));
    ck_assert_ptr_null(kdo_ynode_get(doc->root, "c"));
    ck_assert_ptr_null(kdo_ynode_get(kdo_ynode_get(doc->root, "b"), "a"));
    ck_assert_ptr_null(kdo_ynode_get(NULL, "a"));
    ck_assert_str_eq(kdo_ynode_type_name(KDO_YNODE_MAP), "mapping");
    ck_assert_str_eq(kdo_ynode_type_name(KDO_YNODE_SEQ), "sequence");
    ck_assert_str_eq(kdo_ynode_type_name(KDO_YNODE_SCALAR), "scalar");
    kdo_ydoc_free(NULL);
}
END_TEST

/* Every file in the corpus is refused with a full position, a sentence and
 * the path as given. */
START_TEST(malformed_corpus_refused)
{
    const char *root = getenv("KDO_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "KDO_SOURCE_ROOT is not set");
    char dir[2048], path[4096];
    snprintf(dir, sizeof dir, "%s/tests/data/yaml-malformed", root);
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    int files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        memset(&err, 0, sizeof err);
        int rc = kdo_ydoc_load_file(path, NULL, &doc, &err);
        ck_assert_msg(rc < 0, "%s was accepted", e->d_name);
        ck_assert_ptr_null(doc);
        ck_assert_msg(err.line >= 1 && err.column >= 1, "%s: position %d:%d", e->d_name,
                      err.line, err.column);
        ck_assert_msg(err.msg[0] != '\0', "%s: empty message", e->d_name);
        ck_assert_ptr_eq(err.file, path);
        files++;
    }
    closedir(d);
    ck_assert_int_ge(files, 25);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *t)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, t);
    suite_add_tcase(s, tc);
}

int main(void)
{
    Suite *s = suite_create("ydoc");
    add(s, "shape", tree_has_shape_and_marks);
    add(s, "plain", plain_and_quoted_scalars);
    add(s, "text_places", scalar_text_places);
    add(s, "nul_escape", escaped_nul_is_kept_with_length);
    add(s, "empty", empty_inputs_have_no_root);
    add(s, "bom", utf8_bom_is_accepted);
    add(s, "dup_keys", duplicate_keys_refused);
    add(s, "keys_per_map", same_key_in_different_maps_is_fine);
    add(s, "depth", depth_limit_is_exact);
    add(s, "deep_flow", deep_flow_nesting_refused_at_the_limit);
    add(s, "deep_block", deep_block_nesting_refused_at_the_limit);
    add(s, "alias_share", aliases_share_the_anchored_node);
    add(s, "alias_count", alias_count_is_limited);
    add(s, "alias_nodes", alias_nodes_are_limited);
    add(s, "billion_laughs", billion_laughs_refused);
    add(s, "self_alias", self_referencing_alias_refused);
    add(s, "unknown_alias", unknown_alias_refused);
    add(s, "alias_depth", alias_cannot_exceed_depth);
    add(s, "documents", multiple_documents_refused);
    add(s, "size", size_limit_refused);
    add(s, "nodes", node_limit_refused);
    add(s, "key_type", non_scalar_keys_refused);
    add(s, "syntax", syntax_errors_have_positions);
    add(s, "tags", tags_checked);
    add(s, "encoding", encoding_checked);
    add(s, "file", files_are_read_and_named);
    add(s, "file_errors", file_errors);
    add(s, "get", get_finds_keys);
    add(s, "malformed_corpus", malformed_corpus_refused);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
