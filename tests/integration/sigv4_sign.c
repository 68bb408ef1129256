/*
 * sigv4_sign.c -- the driver tests/integration/sigv4/check.py compares with
 * botocore's SigV4Auth.
 *
 *   sigv4_sign sign METHOD HOST PATH QUERY|- BODY_BYTES TOKEN|-
 *     signs with sigv4.c alone: fixed credentials (AWS's documented example
 *     key), region us-east-1, the fixed time 20260101T000000Z, the extra
 *     headers the transport signs for that method; prints the headers.
 *   sigv4_sign wire ENDPOINT FUNCTION QUALIFIER|- GET|POST BODY_BYTES
 *     sends one signed request through transport_http.c (credentials from the
 *     environment, the real clock) to ENDPOINT, which records what arrives;
 *     prints the HTTP status.
 *
 * The body is BODY_BYTES of "0123456789abcdef" repeated.  Nothing secret is
 * printed: the Authorization header holds the access key id, never the key.
 */
#include "delivery/transport.h"
#include "transport/sigv4.h"
#include "transport/transport_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *body_of(size_t n)
{
    char *b = malloc(n + 1);
    if (b == NULL)
        exit(2);
    for (size_t i = 0; i < n; i++)
        b[i] = "0123456789abcdef"[i % 16];
    b[n] = '\0';
    return b;
}

static int sign(char **a)
{
    static const struct kdo_sigv4_header post[] = {{"Content-Type", "application/json"},
                                                   {"X-Amz-Invocation-Type", "RequestResponse"}};
    size_t n = strtoul(a[4], NULL, 10);
    char *body = body_of(n);
    int is_post = strcmp(a[0], "POST") == 0;
    struct kdo_sigv4_request rq = {
        .method = a[0], .host = a[1], .path = a[2], .query = strcmp(a[3], "-") ? a[3] : NULL,
        .headers = is_post ? post : NULL, .n_headers = is_post ? 2 : 0, .payload = body,
        .payload_len = n, .region = "us-east-1", .service = "lambda",
        .access_key = "AKIDEXAMPLE", .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        .session_token = strcmp(a[5], "-") ? a[5] : NULL, .amz_date = "20260101T000000Z"};
    struct kdo_sigv4_out out;
    int rc = kdo_sigv4_sign(&rq, &out);
    free(body);
    if (rc != 0)
        return fprintf(stderr, "sigv4_sign: signing failed (%d)\n", rc), 1;
    printf("Authorization: %s\nX-Amz-Date: %s\n", out.authorization, out.amz_date);
    return 0;
}

static int invoke(const struct kdo_http_end *end, size_t n)
{
    char err[512];
    struct kdo_transport *t = kdo_transport_http_new(end, err, sizeof err);
    if (t == NULL)
        return fprintf(stderr, "sigv4_sign: %s\n", err), 1;
    char *body = body_of(n);
    struct kdo_invocation inv = {.number = 1, .invocation_id = "sigv4", .event = body,
                                 .event_len = n};
    struct kdo_reply_in in;
    int rc = kdo_transport_send(t, 0, &inv), done = 0;
    for (int i = 0; rc == 0 && !done && i < 200; i++) /* 200 x 50 ms: 10 s at most */
        if (!(done = kdo_transport_poll(t, 0, &in)))
            kdo_transport_wait(t, 50 * KDO_MS);
    if (done)
        printf("status %d\n", in.status);
    kdo_transport_free(t);
    free(body);
    return done && in.outcome == KDO_TRANSPORT_DONE ? 0 : 1;
}

static int wire(char **a)
{
    struct kdo_http_end end = {.endpoint = a[0], .function = a[1],
                               .qualifier = strcmp(a[2], "-") ? a[2] : NULL, .sigv4 = 1,
                               .region = "us-east-1", .timeout = 10 * KDO_S,
                               .connect_timeout = 5 * KDO_S};
    if (strcmp(a[3], "POST") == 0)
        return invoke(&end, strtoul(a[4], NULL, 10));
    char err[512];
    kdo_time_ns timeout;
    if (kdo_transport_http_function_timeout(&end, &timeout, err, sizeof err) != 0)
        return fprintf(stderr, "sigv4_sign: %s\n", err), 1;
    printf("status 200 Timeout %lld s\n", (long long)(timeout / KDO_S));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 8 && strcmp(argv[1], "sign") == 0)
        return sign(argv + 2);
    if (argc == 7 && strcmp(argv[1], "wire") == 0)
        return wire(argv + 2);
    fprintf(stderr, "usage: sigv4_sign sign METHOD HOST PATH QUERY|- BODY_BYTES TOKEN|-\n"
                    "       sigv4_sign wire ENDPOINT FUNCTION QUALIFIER|- GET|POST BODY_BYTES\n");
    return 2;
}
