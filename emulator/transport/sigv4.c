/*
 * sigv4.c -- the four SigV4 steps (canonical request, string to sign,
 * signing key, signature) for a non-S3 service, as botocore's SigV4Auth does
 * them.
 *
 * The canonical request is built in one bounded buffer; the payload is hashed
 * in place (6 MB is one pass over the caller's bytes).  Everything the
 * signature covers is validated first, so a CR or LF in a header value can
 * neither forge a header nor produce a signature the service disagrees with.
 * The secret only ever reaches the HMAC of the signing key.
 */
#include "transport/sigv4.h"

#include "base/buf.h"
#include "base/errors.h"
#include "base/sha256.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 128
#define MAX_QUERY_PAIRS 64
#define MAX_NAME 64
#define CANONICAL_MAX (1u << 17)

struct signed_header {
    char name[MAX_NAME]; /* lower case */
    const char *value;
};

struct pair {
    const char *p;
    size_t n;
};

static bool unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/* A short ASCII token: a region, a service, an access key. */
static bool token_ok(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 128)
        return false;
    for (; *s; s++)
        if (!isgraph((unsigned char)*s) || *s == '/' || *s == ',')
            return false;
    return true;
}

static bool no_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 && *s != '\t')
            return false;
    return true;
}

static bool date_ok(const char *d)
{
    if (d == NULL || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
        return false;
    for (int i = 0; i < 15; i++)
        if (i != 8 && !isdigit((unsigned char)d[i]))
            return false;
    return true;
}

/* ---- canonical URI ------------------------------------------------------- */

/* Splits path into its non-empty, non-"." segments, applying "..". */
static int segments(const char *path, struct pair *seg, size_t *count)
{
    size_t n = 0;
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            n -= n > 0;
        else if (len > 0 && !(len == 1 && p[0] == '.')) {
            if (n == MAX_SEGMENTS)
                return KDO_ETOOBIG;
            seg[n++] = (struct pair){p, len};
        }
        p += len + (p[len] == '/');
    }
    *count = n;
    return 0;
}

static int encode_into(struct kdo_buf *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        int rc = unreserved(c) ? kdo_buf_append(b, &p[i], 1) : kdo_buf_printf(b, "%%%02X", c);
        if (rc)
            return rc;
    }
    return 0;
}

static int canonical_uri(struct kdo_buf *b, const char *path)
{
    struct pair seg[MAX_SEGMENTS];
    size_t n, plen = strlen(path);
    int rc = segments(path, seg, &n);
    if (rc == 0 && path[0] == '/')
        rc = kdo_buf_puts(b, "/");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = i ? kdo_buf_puts(b, "/") : 0;
        rc = rc ? rc : encode_into(b, seg[i].p, seg[i].n);
    }
    if (rc == 0 && n > 0 && plen > 0 && path[plen - 1] == '/')
        rc = kdo_buf_puts(b, "/");
    if (rc == 0 && plen == 0)
        rc = kdo_buf_puts(b, "/"); /* an empty path is "/" */
    return rc;
}

int kdo_sigv4_canonical_uri(const char *path, char *out, size_t n)
{
    struct kdo_buf b;
    if (path == NULL || out == NULL || n == 0)
        return KDO_EINVAL;
    kdo_buf_init(&b, n - 1);
    int rc = canonical_uri(&b, path);
    if (rc == 0) {
        memcpy(out, b.data ? b.data : "", b.len);
        out[b.len] = '\0';
    }
    kdo_buf_cleanup(&b);
    return rc;
}

/* ---- canonical query: the wire pairs sorted, as sent ---------------------- */

static int pair_cmp(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    size_t xk = strcspn(x->p, "=&"), yk = strcspn(y->p, "=&");
    xk = xk < x->n ? xk : x->n, yk = yk < y->n ? yk : y->n;
    int c = memcmp(x->p, y->p, xk < yk ? xk : yk);
    if (c == 0 && xk != yk)
        return xk < yk ? -1 : 1;
    if (c)
        return c;
    /* same key: by value */
    const char *xv = x->p + xk + (xk < x->n), *yv = y->p + yk + (yk < y->n);
    size_t xvn = x->n - (size_t)(xv - x->p), yvn = y->n - (size_t)(yv - y->p);
    c = memcmp(xv, yv, xvn < yvn ? xvn : yvn);
    return c ? c : xvn < yvn ? -1 : xvn > yvn;
}

static int canonical_query(struct kdo_buf *b, const char *q)
{
    struct pair pairs[MAX_QUERY_PAIRS];
    size_t n = 0;
    if (q == NULL || *q == '\0')
        return 0;
    for (const char *p = q;; p++) {
        size_t len = strcspn(p, "&");
        if (n == MAX_QUERY_PAIRS)
            return KDO_EINVAL;
        pairs[n++] = (struct pair){p, len};
        p += len;
        if (*p == '\0')
            break;
    }
    qsort(pairs, n, sizeof pairs[0], pair_cmp);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t k = strcspn(pairs[i].p, "=&");
        bool has_eq = k < pairs[i].n;
        rc = kdo_buf_printf(b, "%s%.*s=%.*s", i ? "&" : "", (int)(has_eq ? k : pairs[i].n),
                            pairs[i].p, has_eq ? (int)(pairs[i].n - k - 1) : 0,
                            has_eq ? pairs[i].p + k + 1 : "");
    }
    return rc;
}

/* ---- canonical headers ---------------------------------------------------- */

static int header_cmp(const void *a, const void *b)
{
    return strcmp(((const struct signed_header *)a)->name, ((const struct signed_header *)b)->name);
}

static bool reserved_name(const char *lower)
{
    static const char *const names[] = {"host", "x-amz-date", "x-amz-security-token",
                                        "authorization", "x-amz-content-sha256"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(lower, names[i]) == 0)
            return true;
    return false;
}

static int add_header(struct signed_header *h, size_t *n, const char *name, const char *value)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len >= MAX_NAME || value == NULL || !no_ctl(value) ||
        *n == KDO_SIGV4_MAX_HEADERS + 3)
        return KDO_EINVAL;
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (i < len && (!isgraph(c) || c == ':'))
            return KDO_EINVAL;
        h[*n].name[i] = (char)tolower(c);
    }
    for (size_t i = 0; i < *n; i++)
        if (strcmp(h[i].name, h[*n].name) == 0)
            return KDO_EINVAL; /* one value per name keeps "a,b" joining out */
    h[(*n)++].value = value;
    return 0;
}

/* The value trimmed, runs of blanks as one space (SigV4's Trimall). */
static int trimmed_value(struct kdo_buf *b, const char *v)
{
    bool pending = false, any = false;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            pending = any;
            continue;
        }
        if ((pending && kdo_buf_puts(b, " ")) || kdo_buf_append(b, v, 1))
            return KDO_ETOOBIG;
        pending = false, any = true;
    }
    return 0;
}

static int collect_headers(const struct kdo_sigv4_request *rq, struct signed_header *h,
                           size_t *n)
{
    *n = 0;
    if (rq->n_headers > KDO_SIGV4_MAX_HEADERS || (rq->n_headers && rq->headers == NULL))
        return KDO_EINVAL;
    for (size_t i = 0; i < rq->n_headers; i++) {
        int rc = add_header(h, n, rq->headers[i].name, rq->headers[i].value);
        if (rc || reserved_name(h[*n - 1].name))
            return KDO_EINVAL;
    }
    int rc = add_header(h, n, "host", rq->host);
    rc = rc ? rc : add_header(h, n, "x-amz-date", rq->amz_date);
    if (rc == 0 && rq->session_token && *rq->session_token)
        rc = add_header(h, n, "x-amz-security-token", rq->session_token);
    qsort(h, *n, sizeof h[0], header_cmp);
    return rc;
}

static int header_lines(struct kdo_buf *b, const struct signed_header *h, size_t n)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = kdo_buf_printf(b, "%s:", h[i].name);
        rc = rc ? rc : trimmed_value(b, h[i].value);
        rc = rc ? rc : kdo_buf_puts(b, "\n");
    }
    return rc;
}

static int signed_names(struct kdo_buf *b, const struct signed_header *h, size_t n)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = kdo_buf_printf(b, "%s%s", i ? ";" : "", h[i].name);
    return rc;
}

/* ---- the four steps ------------------------------------------------------- */

static bool request_ok(const struct kdo_sigv4_request *rq)
{
    return rq->method && token_ok(rq->method) && rq->host && *rq->host && no_ctl(rq->host) &&
           rq->path && no_ctl(rq->path) && (rq->query == NULL || no_ctl(rq->query)) &&
           (rq->payload || rq->payload_len == 0) && token_ok(rq->region) &&
           token_ok(rq->service) && token_ok(rq->access_key) && rq->secret_key &&
           *rq->secret_key && strlen(rq->secret_key) < 256 && date_ok(rq->amz_date);
}

static int canonical_request(const struct kdo_sigv4_request *rq, const struct signed_header *h,
                             size_t n, struct kdo_buf *b)
{
    uint8_t digest[KDO_SHA256_BYTES];
    char hex[2 * KDO_SHA256_BYTES + 1];
    kdo_sha256(rq->payload, rq->payload_len, digest);
    kdo_hex(digest, sizeof digest, hex);
    int rc = kdo_buf_printf(b, "%s\n", rq->method);
    rc = rc ? rc : canonical_uri(b, rq->path);
    rc = rc ? rc : kdo_buf_puts(b, "\n");
    rc = rc ? rc : canonical_query(b, rq->query);
    rc = rc ? rc : kdo_buf_puts(b, "\n");
    rc = rc ? rc : header_lines(b, h, n);
    rc = rc ? rc : kdo_buf_puts(b, "\n");
    rc = rc ? rc : signed_names(b, h, n);
    rc = rc ? rc : kdo_buf_printf(b, "\n%s", hex);
    return rc;
}

static void signing_key(const struct kdo_sigv4_request *rq, uint8_t key[KDO_SHA256_BYTES])
{
    char k0[4 + 256];
    int len = snprintf(k0, sizeof k0, "AWS4%s", rq->secret_key);
    kdo_hmac_sha256(k0, (size_t)len, rq->amz_date, 8, key);
    memset(k0, 0, sizeof k0);
    kdo_hmac_sha256(key, KDO_SHA256_BYTES, rq->region, strlen(rq->region), key);
    kdo_hmac_sha256(key, KDO_SHA256_BYTES, rq->service, strlen(rq->service), key);
    kdo_hmac_sha256(key, KDO_SHA256_BYTES, "aws4_request", 12, key);
}

static void signature(const struct kdo_sigv4_request *rq, const struct kdo_buf *creq,
                      char hex[2 * KDO_SHA256_BYTES + 1])
{
    uint8_t digest[KDO_SHA256_BYTES], key[KDO_SHA256_BYTES];
    char creq_hex[2 * KDO_SHA256_BYTES + 1], sts[512];
    kdo_sha256(creq->data, creq->len, digest);
    kdo_hex(digest, sizeof digest, creq_hex);
    int len = snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%s\n%.8s/%s/%s/aws4_request\n%s",
                       rq->amz_date, rq->amz_date, rq->region, rq->service, creq_hex);
    signing_key(rq, key);
    kdo_hmac_sha256(key, sizeof key, sts, (size_t)len, digest);
    memset(key, 0, sizeof key);
    kdo_hex(digest, sizeof digest, hex);
}

int kdo_sigv4_sign(const struct kdo_sigv4_request *rq, struct kdo_sigv4_out *out)
{
    struct signed_header h[KDO_SIGV4_MAX_HEADERS + 3];
    size_t n;
    struct kdo_buf creq, names;
    char sig[2 * KDO_SHA256_BYTES + 1];
    if (rq == NULL || out == NULL || !request_ok(rq) || collect_headers(rq, h, &n) != 0)
        return KDO_EINVAL;
    kdo_buf_init(&creq, CANONICAL_MAX);
    kdo_buf_init(&names, KDO_SIGV4_AUTH_MAX);
    int rc = canonical_request(rq, h, n, &creq);
    rc = rc ? rc : signed_names(&names, h, n);
    if (rc == 0) {
        signature(rq, &creq, sig);
        int len = snprintf(out->authorization, sizeof out->authorization,
                           "AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/aws4_request, "
                           "SignedHeaders=%s, Signature=%s",
                           rq->access_key, rq->amz_date, rq->region, rq->service, names.data, sig);
        rc = len < 0 || (size_t)len >= sizeof out->authorization ? KDO_ETOOBIG : 0;
        memcpy(out->amz_date, rq->amz_date, sizeof out->amz_date);
    }
    kdo_buf_cleanup(&creq);
    kdo_buf_cleanup(&names);
    return rc == 0 ? 0 : rc == KDO_ETOOBIG ? KDO_ETOOBIG : KDO_EINVAL;
}
