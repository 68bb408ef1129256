/*
 * test_sha256.c -- SHA-256 and HMAC-SHA256 of emulator/sha256.c.
 *
 * Every expected digest is published, not computed by this code: the
 * FIPS 180-4 examples (NIST CSRC "SHA256.pdf": "abc", the 448-bit two-block
 * message, the 896-bit message, one million 'a'), the digest of the empty
 * string, and RFC 4231's HMAC-SHA256 test cases 1, 2 and 6 (a key longer
 * than a block).  The padding boundaries (55, 56, 63, 64, 65, 119, 120
 * bytes) are checked against digests from an independent implementation
 * (OpenSSL via Python's hashlib), and every message is also fed in uneven
 * pieces, so the block tail kept between updates is exercised.
 */
#include "base/sha256.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static void digest_hex(const void *p, size_t n, char out[2 * KDO_SHA256_BYTES + 1])
{
    uint8_t d[KDO_SHA256_BYTES];
    kdo_sha256(p, n, d);
    kdo_hex(d, sizeof d, out);
}

/* The same message fed `step` bytes at a time (the last piece shorter). */
static void digest_hex_pieces(const void *p, size_t n, size_t step, char out[2 * KDO_SHA256_BYTES + 1])
{
    struct kdo_sha256 s;
    uint8_t d[KDO_SHA256_BYTES];
    kdo_sha256_init(&s);
    for (size_t at = 0; at < n; at += step)
        kdo_sha256_update(&s, (const char *)p + at, n - at < step ? n - at : step);
    kdo_sha256_final(&s, d);
    kdo_hex(d, sizeof d, out);
}

static void expect_digest(const char *what, const void *p, size_t n, const char *want)
{
    static const size_t steps[] = {1, 3, 63, 64, 65, 1000};
    char got[2 * KDO_SHA256_BYTES + 1];
    digest_hex(p, n, got);
    ck_assert_msg(strcmp(got, want) == 0, "%s (%zu bytes): got %s, want %s", what, n, got, want);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (steps[i] == 1 && n > 100000)
            continue; /* byte by byte over a megabyte proves nothing more */
        digest_hex_pieces(p, n, steps[i], got);
        ck_assert_msg(strcmp(got, want) == 0, "%s in pieces of %zu: got %s, want %s", what,
                      steps[i], got, want);
    }
}

START_TEST(test_empty_string_has_the_published_digest)
{
    expect_digest("\"\"", "", 0,
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    char got[2 * KDO_SHA256_BYTES + 1];
    digest_hex(NULL, 0, got); /* no data at all is the empty message */
    ck_assert_str_eq(got, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(test_fips_180_4_one_block_abc)
{
    expect_digest("abc", "abc", 3,
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_fips_180_4_two_block_448_bits)
{
    static const char m[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    expect_digest("448-bit", m, strlen(m),
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(test_fips_180_4_multi_block_896_bits)
{
    static const char m[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                            "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    expect_digest("896-bit", m, strlen(m),
                  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}
END_TEST

START_TEST(test_fips_180_4_one_million_a)
{
    size_t n = 1000000;
    char *m = malloc(n);
    ck_assert_ptr_nonnull(m);
    memset(m, 'a', n);
    expect_digest("a x 1,000,000", m, n,
                  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(m);
}
END_TEST

/* 55 bytes is the longest message whose padding fits one block; 56 needs a
 * second; 64 fills a block exactly; 119/120 are the same edge one block on. */
START_TEST(test_padding_boundaries)
{
    static const struct {
        size_t n;
        const char *want;
    } cases[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    };
    char m[128];
    memset(m, 'a', sizeof m);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_digest("a x n", m, cases[i].n, cases[i].want);
}
END_TEST

static void expect_hmac(const void *key, size_t key_len, const char *msg, const char *want)
{
    uint8_t d[KDO_SHA256_BYTES];
    char got[2 * KDO_SHA256_BYTES + 1];
    kdo_hmac_sha256(key, key_len, msg, strlen(msg), d);
    kdo_hex(d, sizeof d, got);
    ck_assert_msg(strcmp(got, want) == 0, "HMAC key of %zu bytes, [%s]: got %s, want %s",
                  key_len, msg, got, want);
}

START_TEST(test_hmac_rfc_4231_cases)
{
    uint8_t k1[20], k6[131];
    memset(k1, 0x0b, sizeof k1);
    memset(k6, 0xaa, sizeof k6);
    expect_hmac(k1, sizeof k1, "Hi There",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    expect_hmac("Jefe", 4, "what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    expect_hmac(k6, sizeof k6, "Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}
END_TEST

START_TEST(test_hex_is_lower_case_and_terminated)
{
    static const uint8_t b[] = {0x00, 0x0f, 0xa0, 0xff};
    char out[2 * sizeof b + 2];
    memset(out, 'X', sizeof out);
    kdo_hex(b, sizeof b, out);
    ck_assert_str_eq(out, "000fa0ff");
    ck_assert_int_eq(out[2 * sizeof b + 1], 'X'); /* nothing written past the NUL */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sha256");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"empty_string_has_the_published_digest", test_empty_string_has_the_published_digest},
        {"fips_180_4_one_block_abc", test_fips_180_4_one_block_abc},
        {"fips_180_4_two_block_448_bits", test_fips_180_4_two_block_448_bits},
        {"fips_180_4_multi_block_896_bits", test_fips_180_4_multi_block_896_bits},
        {"fips_180_4_one_million_a", test_fips_180_4_one_million_a},
        {"padding_boundaries", test_padding_boundaries},
        {"hmac_rfc_4231_cases", test_hmac_rfc_4231_cases},
        {"hex_is_lower_case_and_terminated", test_hex_is_lower_case_and_terminated},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
