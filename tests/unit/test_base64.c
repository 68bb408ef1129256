/*
 * test_base64.c -- RFC 4648 vectors, round trips through every code path of
 * the encoder (the 12-byte, 3-byte and tail steps), and a decoder that
 * refuses everything the encoder could not have produced.
 */
#include "base/base64.h"

#include "base/errors.h"
#include "base/rng.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* RFC 4648 §10. */
static const struct {
    const char *plain;
    const char *encoded;
} rfc_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

START_TEST(rfc4648_encode)
{
    const char *plain = rfc_vectors[_i].plain;
    const char *want = rfc_vectors[_i].encoded;
    char out[16];
    memset(out, 0, sizeof out);
    size_t n = kdo_base64_encode(out, plain, strlen(plain));
    ck_assert_uint_eq(n, strlen(want));
    ck_assert_uint_eq(n, kdo_base64_len(strlen(plain)));
    ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(rfc4648_decode)
{
    const char *want = rfc_vectors[_i].plain;
    const char *enc = rfc_vectors[_i].encoded;
    char out[16];
    size_t n = 99;
    ck_assert_int_eq(kdo_base64_decode(out, &n, enc, strlen(enc)), 0);
    ck_assert_uint_eq(n, strlen(want));
    out[n] = '\0';
    ck_assert_str_eq(out, want);
}
END_TEST

/* Lengths long enough to run the 12-byte loop, plus every residue. */
START_TEST(encode_matches_bytewise_reference)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char in[64];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof in; n++) {
        char got[96], want[96];
        size_t k = 0;
        for (size_t i = 0; i < n; i += 3) {
            unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) |
                         (i + 2 < n ? in[i + 2] : 0);
            want[k++] = alphabet[v >> 18];
            want[k++] = alphabet[(v >> 12) & 63];
            want[k++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
            want[k++] = i + 2 < n ? alphabet[v & 63] : '=';
        }
        want[k] = '\0';
        size_t m = kdo_base64_encode(got, in, n);
        got[m] = '\0';
        ck_assert_msg(m == k, "n=%zu: length %zu, want %zu", n, m, k);
        ck_assert_msg(strcmp(got, want) == 0, "n=%zu: got %s, want %s", n, got, want);
    }
}
END_TEST

/* The encoder must not write past kdo_base64_len(n) bytes. */
START_TEST(encode_writes_exactly_len)
{
    unsigned char in[40];
    memset(in, 0xa5, sizeof in);
    for (size_t n = 0; n <= sizeof in; n++) {
        char out[64];
        memset(out, '#', sizeof out);
        size_t m = kdo_base64_encode(out, in, n);
        ck_assert_uint_eq(m, kdo_base64_len(n));
        for (size_t i = m; i < sizeof out; i++)
            ck_assert_msg(out[i] == '#', "n=%zu: byte %zu written past the end", n, i);
    }
}
END_TEST

START_TEST(round_trip_random)
{
    struct kdo_rng r;
    kdo_rng_init(&r, 4648);
    unsigned char in[1000], back[1000];
    char enc[1336];
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = (size_t)kdo_rng_below(&r, sizeof in + 1);
        for (size_t i = 0; i < n; i++)
            in[i] = (unsigned char)kdo_rng_next(&r);
        size_t m = kdo_base64_encode(enc, in, n);
        size_t got = 12345;
        int err = kdo_base64_decode(back, &got, enc, m);
        ck_assert_msg(err == 0, "n=%zu: decode failed: %s", n, kdo_strerror(err));
        ck_assert_uint_eq(got, n);
        ck_assert_msg(memcmp(in, back, n) == 0, "n=%zu: round trip differs", n);
    }
}
END_TEST

static int decode_str(const char *s)
{
    unsigned char out[64];
    size_t n;
    return kdo_base64_decode(out, &n, s, strlen(s));
}

START_TEST(decode_rejects_bad_chars)
{
    static const char *bad[] = {"Zm9v!A==", "Zm 9", "Zm9\n", "Zm9-", "Zm9_",
                                "Zm9vYmF\x80", "====", "A===", "Zm9v\xc3\xa9\x41\x41"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(decode_str(bad[i]) == KDO_EPARSE, "accepted bad input #%zu", i);
    unsigned char out[8];
    size_t n;
    ck_assert_int_eq(kdo_base64_decode(out, &n, "Zm\0v", 4), KDO_EPARSE);
}
END_TEST

START_TEST(decode_rejects_bad_padding)
{
    static const char *bad[] = {
        "Zg=",      /* short */
        "Zg",       /* unpadded */
        "Zm8",      /* unpadded */
        "Zg=A",     /* data after padding */
        "Zg==Zm9v", /* padding before the last quartet */
        "Zm9=Zm9v", /* ditto, one '=' */
        "Z===",     /* three '=' */
        "=Zm9",     /* leading '=' */
        "Zm=v",     /* '=' inside */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(decode_str(bad[i]) == KDO_EPARSE, "accepted \"%s\"", bad[i]);
}
END_TEST

/* "Zh==" and "Zm9=" carry bits under the padding that no encoder sets. */
START_TEST(decode_rejects_nonzero_trailing_bits)
{
    static const char *bad[] = {"Zh==", "Zm9=", "Zm9vYh==", "Zm9vYmF="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(decode_str(bad[i]) == KDO_EPARSE, "accepted \"%s\"", bad[i]);
    ck_assert_int_eq(decode_str("Zg=="), 0);
    ck_assert_int_eq(decode_str("Zm8="), 0);
}
END_TEST

START_TEST(decode_rejects_wrong_length)
{
    static const char *bad[] = {"Z", "Zm", "Zm9", "Zm9vY", "Zm9vYm", "Zm9vYmF", "Zm9vYmFy="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(decode_str(bad[i]) == KDO_EPARSE, "accepted \"%s\"", bad[i]);
}
END_TEST

static Suite *base64_suite(void)
{
    Suite *s = suite_create("base64");
    size_t nvec = sizeof rfc_vectors / sizeof rfc_vectors[0];
    TCase *tc = tcase_create("rfc4648_encode");
    tcase_add_loop_test(tc, rfc4648_encode, 0, (int)nvec);
    suite_add_tcase(s, tc);
    tc = tcase_create("rfc4648_decode");
    tcase_add_loop_test(tc, rfc4648_decode, 0, (int)nvec);
    suite_add_tcase(s, tc);
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"encode_matches_bytewise_reference", encode_matches_bytewise_reference},
        {"encode_writes_exactly_len", encode_writes_exactly_len},
        {"round_trip_random", round_trip_random},
        {"decode_rejects_bad_chars", decode_rejects_bad_chars},
        {"decode_rejects_bad_padding", decode_rejects_bad_padding},
        {"decode_rejects_nonzero_trailing_bits", decode_rejects_nonzero_trailing_bits},
        {"decode_rejects_wrong_length", decode_rejects_wrong_length},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(base64_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
