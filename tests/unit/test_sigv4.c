/*
 * test_sigv4.c -- SHA-256 against FIPS 180-4 / NIST vectors (whole and fed
 * in every split), HMAC-SHA256 against RFC 4231, SigV4 against AWS's
 * "Signature Version 4 test suite" (get-vanilla, post-vanilla) and a Lambda
 * Invoke by ARN whose expected value comes from botocore's SigV4Auth: the
 * canonical URI double-encodes each segment ("%3A" is signed as "%253A").
 * tests/integration/sigv4/check.py compares many more cases with botocore.
 */
#include "transport/sigv4.h"

#include "base/errors.h"
#include "base/sha256.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const char *const ABC2 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
    "mnopqrstnopqrstu";

static const struct {
    const char *msg;
    const char *hex;
} nist[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
};

static void hex_of(const void *p, size_t n, char out[65])
{
    uint8_t d[KDO_SHA256_BYTES];
    kdo_sha256(p, n, d);
    kdo_hex(d, sizeof d, out);
}

START_TEST(sha256_nist)
{
    char hex[65];
    hex_of(nist[_i].msg, strlen(nist[_i].msg), hex);
    ck_assert_str_eq(hex, nist[_i].hex);
}
END_TEST

START_TEST(sha256_two_blocks_and_a_million)
{
    char hex[65];
    hex_of(ABC2, strlen(ABC2), hex);
    ck_assert_str_eq(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    hex_of(a, 1000000, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}
END_TEST

/* Every split point of a message over two blocks gives the same digest. */
START_TEST(sha256_any_split)
{
    size_t n = strlen(ABC2);
    for (size_t cut = 0; cut <= n; cut++) {
        struct kdo_sha256 s;
        uint8_t d[KDO_SHA256_BYTES];
        char hex[65];
        kdo_sha256_init(&s);
        kdo_sha256_update(&s, ABC2, cut);
        kdo_sha256_update(&s, ABC2 + cut, n - cut);
        kdo_sha256_final(&s, d);
        kdo_hex(d, sizeof d, hex);
        ck_assert_msg(strcmp(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1") == 0,
                      "cut at %zu", cut);
    }
}
END_TEST

/* RFC 4231 test cases 1, 2 and 6 (a key longer than a block). */
START_TEST(hmac_rfc4231)
{
    uint8_t key[131], d[KDO_SHA256_BYTES];
    char hex[65];
    memset(key, 0x0b, 20);
    kdo_hmac_sha256(key, 20, "Hi There", 8, d);
    kdo_hex(d, sizeof d, hex);
    ck_assert_str_eq(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    kdo_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
    kdo_hex(d, sizeof d, hex);
    ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(key, 0xaa, sizeof key);
    const char *m = "Test Using Larger Than Block-Size Key - Hash Key First";
    kdo_hmac_sha256(key, sizeof key, m, strlen(m), d);
    kdo_hex(d, sizeof d, hex);
    ck_assert_str_eq(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}
END_TEST

static struct kdo_sigv4_request suite_request(const char *method)
{
    return (struct kdo_sigv4_request){
        .method = method, .host = "example.amazonaws.com", .path = "/", .region = "us-east-1",
        .service = "service", .access_key = "AKIDEXAMPLE",
        .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", .amz_date = "20150830T123600Z"};
}

/* AWS's SigV4 test suite, get-vanilla and post-vanilla. */
START_TEST(aws_test_suite_vanilla)
{
    struct kdo_sigv4_out out;
    struct kdo_sigv4_request rq = suite_request("GET");
    ck_assert_int_eq(kdo_sigv4_sign(&rq, &out), 0);
    ck_assert_str_eq(out.authorization,
                     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                     "SignedHeaders=host;x-amz-date, "
                     "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    ck_assert_str_eq(out.amz_date, "20150830T123600Z");
    rq = suite_request("POST");
    ck_assert_int_eq(kdo_sigv4_sign(&rq, &out), 0);
    ck_assert_ptr_nonnull(strstr(out.authorization, "Signature=5da7c1a2acd57cee7505fc6676e4e544621c"
                                                    "30862966e37dddb68e92efbe5d6b"));
}
END_TEST

/* The bug this module exists for: an ARN's ':' is "%3A" on the wire and
 * "%253A" in the canonical URI.  Expected value from botocore 1.29. */
START_TEST(lambda_arn_double_encoded)
{
    static const char path[] = "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012"
                               "%3Afunction%3Amy-fn/invocations";
    char uri[512];
    ck_assert_int_eq(kdo_sigv4_canonical_uri(path, uri, sizeof uri), 0);
    ck_assert_str_eq(uri, "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A"
                          "123456789012%253Afunction%253Amy-fn/invocations");
    struct kdo_sigv4_header ct = {"Content-Type", "application/json"};
    struct kdo_sigv4_request rq = {
        .method = "POST", .host = "lambda.us-east-1.amazonaws.com", .path = path,
        .headers = &ct, .n_headers = 1, .payload = "{\"records\":[]}", .payload_len = 14,
        .region = "us-east-1", .service = "lambda", .access_key = "AKIDEXAMPLE",
        .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", .amz_date = "20260101T000000Z"};
    struct kdo_sigv4_out out;
    ck_assert_int_eq(kdo_sigv4_sign(&rq, &out), 0);
    ck_assert_str_eq(out.authorization,
                     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lambda/aws4_request, "
                     "SignedHeaders=content-type;host;x-amz-date, "
                     "Signature=441d74b9a69b913048f2117efc7d1e2aa3dcfcb40fb328427426f74c2fdabf63");
    ck_assert_ptr_null(strstr(out.authorization, rq.secret_key));
}
END_TEST

/* botocore's path normalisation: "//", "." and ".." go, a trailing '/' stays. */
START_TEST(canonical_uri_normalised)
{
    char uri[64];
    ck_assert_int_eq(kdo_sigv4_canonical_uri("", uri, sizeof uri), 0);
    ck_assert_str_eq(uri, "/");
    ck_assert_int_eq(kdo_sigv4_canonical_uri("/a//./b/../c/", uri, sizeof uri), 0);
    ck_assert_str_eq(uri, "/a/c/");
    ck_assert_int_eq(kdo_sigv4_canonical_uri("/a b~", uri, sizeof uri), 0);
    ck_assert_str_eq(uri, "/a%20b~");
    ck_assert_int_eq(kdo_sigv4_canonical_uri("/abcdef", uri, 4), KDO_ETOOBIG);
}
END_TEST

/* A CR/LF in a value, a reserved or duplicate name, a malformed date: refused. */
START_TEST(bad_input_refused)
{
    struct kdo_sigv4_out out;
    struct kdo_sigv4_request rq = suite_request("GET");
    struct kdo_sigv4_header h[2] = {{"X-A", "1\r\nx-b: 2"}, {"x-a", "2"}};
    rq.headers = h, rq.n_headers = 1;
    ck_assert_int_eq(kdo_sigv4_sign(&rq, &out), KDO_EINVAL);
    h[0].value = "1", rq.n_headers = 2;
    ck_assert_int_eq(kdo_sigv4_sign(&rq, &out), KDO_EINVAL);
    h[0].name = "Host", rq.n_headers = 1;
    ck_assert_int_eq(kdo_sigv4_sign(&rq, &out), KDO_EINVAL);
    rq = suite_request("GET");
    rq.amz_date = "2015-08-30T12:36Z";
    ck_assert_int_eq(kdo_sigv4_sign(&rq, &out), KDO_EINVAL);
    rq = suite_request("GET");
    rq.secret_key = "";
    ck_assert_int_eq(kdo_sigv4_sign(&rq, &out), KDO_EINVAL);
}
END_TEST

/* Query pairs signed sorted, as sent; a session token adds a signed header. */
START_TEST(query_sorted_and_token_signed)
{
    struct kdo_sigv4_out a, b;
    struct kdo_sigv4_request rq = suite_request("GET");
    rq.query = "b=2&a=1";
    ck_assert_int_eq(kdo_sigv4_sign(&rq, &a), 0);
    rq.query = "a=1&b=2";
    ck_assert_int_eq(kdo_sigv4_sign(&rq, &b), 0);
    ck_assert_str_eq(a.authorization, b.authorization);
    rq.session_token = "token";
    ck_assert_int_eq(kdo_sigv4_sign(&rq, &b), 0);
    ck_assert_ptr_nonnull(strstr(b.authorization, "SignedHeaders=host;x-amz-date;x-amz-security-token,"));
}
END_TEST

static Suite *sigv4_suite(void)
{
    Suite *s = suite_create("sigv4");
    TCase *tc = tcase_create("sha256_nist");
    tcase_add_loop_test(tc, sha256_nist, 0, (int)(sizeof nist / sizeof nist[0]));
    suite_add_tcase(s, tc);
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"sha256_two_blocks_and_a_million", sha256_two_blocks_and_a_million},
        {"sha256_any_split", sha256_any_split},
        {"hmac_rfc4231", hmac_rfc4231},
        {"aws_test_suite_vanilla", aws_test_suite_vanilla},
        {"lambda_arn_double_encoded", lambda_arn_double_encoded},
        {"canonical_uri_normalised", canonical_uri_normalised},
        {"bad_input_refused", bad_input_refused},
        {"query_sorted_and_token_signed", query_sorted_and_token_signed},
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
    SRunner *sr = srunner_create(sigv4_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
