/*
 * test_partition.c -- the partitions of a windowed query:
 * emulator/sql/partition.c.
 *
 * Entries are found again by their exact key bytes (NULs included), their
 * payloads start zeroed and aligned, insertion order survives removals at
 * either end and in the middle, a removed key comes back last, the maximum
 * is a hard limit, growing past the initial 64 buckets loses nothing, and
 * freeing calls the payload's finaliser once per live entry.
 */
#include "sql/partition.h"

#include <check.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pay {
    uint64_t magic;
    int id;
    unsigned char rest[52];
};

static void *get(struct kdo_partitions *t, const char *key, int *added)
{
    return kdo_partitions_get(t, key, strlen(key), added);
}

/* The keys in order, joined by ',' (keys here are short text). */
static const char *order(const struct kdo_partitions *t)
{
    static char buf[256];
    size_t n = 0;
    buf[0] = 0;
    for (void *p = kdo_partitions_first(t); p; p = kdo_partitions_next(p)) {
        size_t len;
        const char *k = kdo_partitions_key(p, &len);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%.*s", n ? "," : "", (int)len, k);
    }
    return buf;
}

START_TEST(get_creates_then_finds)
{
    struct kdo_partitions *t = kdo_partitions_new(sizeof(struct pay), 100);
    int added = -1;
    ck_assert_uint_eq(kdo_partitions_count(t), 0);
    ck_assert_ptr_null(kdo_partitions_first(t));
    struct pay *a = get(t, "AMZN", &added);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(added, 1);
    ck_assert_uint_eq(kdo_partitions_count(t), 1);
    a->id = 7;
    struct pay *b = get(t, "IBM", &added);
    ck_assert_int_eq(added, 1);
    ck_assert_ptr_ne(a, b);
    added = -1;
    ck_assert_ptr_eq(get(t, "AMZN", &added), a);
    ck_assert_int_eq(added, 0);
    ck_assert_int_eq(a->id, 7);
    /* Keys are exact bytes: case and a prefix make other entries. */
    ck_assert_ptr_ne(get(t, "amzn", &added), a);
    ck_assert_int_eq(added, 1);
    ck_assert_ptr_ne(get(t, "AMZ", &added), a);
    ck_assert_int_eq(added, 1);
    size_t len;
    const char *k = kdo_partitions_key(a, &len);
    ck_assert_uint_eq(len, 4);
    ck_assert_int_eq(memcmp(k, "AMZN", 4), 0);
    ck_assert_uint_eq(kdo_partitions_count(t), 4);
    /* The empty key is a key like any other. */
    void *e = kdo_partitions_get(t, "", 0, &added);
    ck_assert_int_eq(added, 1);
    ck_assert_ptr_eq(kdo_partitions_get(t, "", 0, &added), e);
    ck_assert_int_eq(added, 0);
    kdo_partitions_key(e, &len);
    ck_assert_uint_eq(len, 0);
    kdo_partitions_free(t, NULL);
    kdo_partitions_free(NULL, NULL);
}
END_TEST

START_TEST(payload_zeroed_and_aligned)
{
    const size_t sizes[] = {0, 1, 3, sizeof(struct pay), 1000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct kdo_partitions *t = kdo_partitions_new(sizes[s], 1000);
        for (int i = 0; i < 200; i++) {
            char key[16];
            int added;
            snprintf(key, sizeof key, "k%d", i);
            unsigned char *p = get(t, key, &added);
            ck_assert_int_eq(added, 1);
            ck_assert_msg((uintptr_t)p % alignof(max_align_t) == 0, "payload %p misaligned",
                          (void *)p);
            for (size_t j = 0; j < sizes[s]; j++)
                ck_assert_msg(p[j] == 0, "size %zu entry %d byte %zu is %d", sizes[s], i, j, p[j]);
            memset(p, 0xff, sizes[s]); /* must not spill into the key */
            size_t len;
            const char *k = kdo_partitions_key(p, &len);
            ck_assert_uint_eq(len, strlen(key));
            ck_assert_int_eq(memcmp(k, key, len), 0);
        }
        kdo_partitions_free(t, NULL);
    }
}
END_TEST

START_TEST(insertion_order_survives_removals)
{
    struct kdo_partitions *t = kdo_partitions_new(sizeof(struct pay), 100);
    const char *keys[] = {"a", "b", "c", "d", "e"};
    struct pay *p[5];
    int added;
    for (int i = 0; i < 5; i++) {
        p[i] = get(t, keys[i], &added);
        p[i]->id = i;
    }
    ck_assert_str_eq(order(t), "a,b,c,d,e");
    kdo_partitions_remove(t, p[2]); /* middle */
    ck_assert_str_eq(order(t), "a,b,d,e");
    kdo_partitions_remove(t, p[0]); /* first */
    ck_assert_str_eq(order(t), "b,d,e");
    ck_assert_ptr_eq(kdo_partitions_first(t), p[1]);
    kdo_partitions_remove(t, p[4]); /* last */
    ck_assert_str_eq(order(t), "b,d");
    ck_assert_uint_eq(kdo_partitions_count(t), 2);
    ck_assert_ptr_null(kdo_partitions_next(p[3]));
    get(t, "f", &added);
    ck_assert_int_eq(added, 1);
    ck_assert_str_eq(order(t), "b,d,f"); /* appended after the new last */
    /* A removed key comes back new: last in order, payload zeroed. */
    struct pay *a = get(t, "a", &added);
    ck_assert_int_eq(added, 1);
    ck_assert_int_eq(a->id, 0);
    ck_assert_str_eq(order(t), "b,d,f,a");
    /* The survivors are still found with their payloads. */
    ck_assert_ptr_eq(get(t, "b", &added), p[1]);
    ck_assert_int_eq(added, 0);
    ck_assert_int_eq(p[1]->id, 1);
    ck_assert_ptr_eq(get(t, "d", &added), p[3]);
    ck_assert_int_eq(p[3]->id, 3);
    /* Emptied and refilled. */
    while (kdo_partitions_first(t))
        kdo_partitions_remove(t, kdo_partitions_first(t));
    ck_assert_uint_eq(kdo_partitions_count(t), 0);
    ck_assert_str_eq(order(t), "");
    get(t, "c", &added);
    ck_assert_int_eq(added, 1);
    get(t, "e", &added);
    ck_assert_str_eq(order(t), "c,e");
    kdo_partitions_free(t, NULL);
}
END_TEST

START_TEST(max_entries_is_a_hard_limit)
{
    struct kdo_partitions *t = kdo_partitions_new(sizeof(struct pay), 3);
    int added;
    void *a = get(t, "a", &added);
    get(t, "b", &added);
    get(t, "c", &added);
    ck_assert_uint_eq(kdo_partitions_count(t), 3);
    added = -1;
    ck_assert_ptr_null(get(t, "d", &added));
    ck_assert_int_eq(added, 0);
    ck_assert_uint_eq(kdo_partitions_count(t), 3);
    ck_assert_str_eq(order(t), "a,b,c");
    /* Existing keys are still found when full. */
    ck_assert_ptr_eq(get(t, "a", &added), a);
    ck_assert_int_eq(added, 0);
    /* Removing one makes room for one. */
    kdo_partitions_remove(t, a);
    ck_assert_ptr_nonnull(get(t, "d", &added));
    ck_assert_int_eq(added, 1);
    ck_assert_ptr_null(get(t, "e", &added));
    ck_assert_str_eq(order(t), "b,c,d");
    kdo_partitions_free(t, NULL);

    t = kdo_partitions_new(sizeof(struct pay), 0);
    ck_assert_ptr_null(get(t, "a", &added));
    ck_assert_uint_eq(kdo_partitions_count(t), 0);
    kdo_partitions_free(t, NULL);
}
END_TEST

START_TEST(growing_past_64_buckets_loses_nothing)
{
    enum { N = 10000 };
    struct kdo_partitions *t = kdo_partitions_new(sizeof(struct pay), N);
    char key[32];
    int added;
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        struct pay *p = get(t, key, &added);
        ck_assert_msg(p != NULL && added == 1, "key %d: %p added %d", i, (void *)p, added);
        p->id = i;
        p->magic = 0x5eed;
        if (i == 63 || i == 64 || i == 65 || i == 1000) /* across a rehash */
            for (int j = 0; j <= i; j++) {
                snprintf(key, sizeof key, "key-%d", j);
                struct pay *q = get(t, key, &added);
                ck_assert_msg(added == 0 && q->id == j, "after %d: key %d lost", i, j);
            }
    }
    ck_assert_uint_eq(kdo_partitions_count(t), N);
    ck_assert_ptr_null(get(t, "one too many", &added)); /* max reached */
    int i = 0;
    for (struct pay *p = kdo_partitions_first(t); p; p = kdo_partitions_next(p), i++)
        ck_assert_msg(p->id == i, "position %d holds %d", i, p->id);
    ck_assert_int_eq(i, N);
    for (i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        struct pay *p = get(t, key, &added);
        ck_assert_msg(added == 0 && p->id == i && p->magic == 0x5eed, "key %d", i);
    }
    /* Remove the odd ones; the even ones stay findable and in order, and
     * the odd ones come back at the end. */
    for (i = 1; i < N; i += 2) {
        snprintf(key, sizeof key, "key-%d", i);
        kdo_partitions_remove(t, get(t, key, &added));
    }
    ck_assert_uint_eq(kdo_partitions_count(t), N / 2);
    for (i = 0; i < N; i += 2) {
        snprintf(key, sizeof key, "key-%d", i);
        struct pay *p = get(t, key, &added);
        ck_assert_msg(added == 0 && p->id == i, "even key %d", i);
    }
    for (i = 1; i < N; i += 2) {
        snprintf(key, sizeof key, "key-%d", i);
        struct pay *p = get(t, key, &added);
        ck_assert_msg(added == 1 && p->id == 0, "odd key %d", i);
        p->id = i;
    }
    i = 0;
    for (struct pay *p = kdo_partitions_first(t); p; p = kdo_partitions_next(p), i++) {
        int want = i < N / 2 ? 2 * i : 2 * (i - N / 2) + 1;
        ck_assert_msg(p->id == want, "position %d holds %d, want %d", i, p->id, want);
    }
    kdo_partitions_free(t, NULL);
}
END_TEST

START_TEST(keys_with_nul_bytes)
{
    struct kdo_partitions *t = kdo_partitions_new(sizeof(struct pay), 100);
    static const struct {
        const char *k;
        size_t len;
    } keys[] = {{"a", 1}, {"a\0", 2}, {"a\0b", 3}, {"a\0c", 3}, {"\0", 1}, {"\0\0", 2},
                /* long enough for the hash's 8-byte words */
                {"0123456\0" "89abcdef", 16}, {"0123456\0" "89abcdeg", 16}};
    const size_t n = sizeof keys / sizeof keys[0];
    struct pay *p[sizeof keys / sizeof keys[0]];
    int added;
    for (size_t i = 0; i < n; i++) {
        p[i] = kdo_partitions_get(t, keys[i].k, keys[i].len, &added);
        ck_assert_msg(added == 1, "key %zu taken for an earlier one", i);
        p[i]->id = (int)i;
    }
    ck_assert_uint_eq(kdo_partitions_count(t), n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_ptr_eq(kdo_partitions_get(t, keys[i].k, keys[i].len, &added), p[i]);
        ck_assert_int_eq(added, 0);
        size_t len;
        const char *k = kdo_partitions_key(p[i], &len);
        ck_assert_uint_eq(len, keys[i].len);
        ck_assert_int_eq(memcmp(k, keys[i].k, len), 0);
        ck_assert_int_eq(k[len], 0); /* kept NUL-terminated */
    }
    kdo_partitions_remove(t, p[2]); /* "a\0b" goes, "a\0c" stays */
    ck_assert_ptr_eq(kdo_partitions_get(t, "a\0c", 3, &added), p[3]);
    ck_assert_int_eq(added, 0);
    kdo_partitions_get(t, "a\0b", 3, &added);
    ck_assert_int_eq(added, 1);
    kdo_partitions_free(t, NULL);
}
END_TEST

static int fini_calls;
static int fini_bad;

static void fini(void *payload)
{
    struct pay *p = payload;
    fini_calls++;
    if (p->magic != 0xf1a1)
        fini_bad++;
    p->magic = 0; /* a second call on the same payload would count as bad */
}

START_TEST(free_calls_fini_once_per_entry)
{
    struct kdo_partitions *t = kdo_partitions_new(sizeof(struct pay), 1000);
    char key[16];
    int added;
    for (int i = 0; i < 300; i++) { /* past a rehash */
        snprintf(key, sizeof key, "%d", i);
        struct pay *p = get(t, key, &added);
        p->magic = 0xf1a1;
    }
    for (int i = 0; i < 300; i += 10) { /* the caller releases removed entries itself */
        snprintf(key, sizeof key, "%d", i);
        kdo_partitions_remove(t, get(t, key, &added));
    }
    fini_calls = fini_bad = 0;
    kdo_partitions_free(t, fini);
    ck_assert_int_eq(fini_calls, 270);
    ck_assert_int_eq(fini_bad, 0);

    fini_calls = 0;
    kdo_partitions_free(kdo_partitions_new(8, 10), fini);
    ck_assert_int_eq(fini_calls, 0);
    kdo_partitions_free(NULL, fini);
    ck_assert_int_eq(fini_calls, 0);
}
END_TEST

static Suite *partition_suite(void)
{
    Suite *s = suite_create("partition");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"get_creates_then_finds", get_creates_then_finds},
        {"payload_zeroed_and_aligned", payload_zeroed_and_aligned},
        {"insertion_order_survives_removals", insertion_order_survives_removals},
        {"max_entries_is_a_hard_limit", max_entries_is_a_hard_limit},
        {"growing_past_64_buckets_loses_nothing", growing_past_64_buckets_loses_nothing},
        {"keys_with_nul_bytes", keys_with_nul_bytes},
        {"free_calls_fini_once_per_entry", free_calls_fini_once_per_entry},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

/* In the sanitizer build, undefined behaviour fails the test instead of
 * only printing a line (meson 1.0 sets no UBSAN_OPTIONS). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

int main(void)
{
    SRunner *sr = srunner_create(partition_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
