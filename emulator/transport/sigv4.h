/*
 * sigv4.h -- AWS Signature Version 4 for the Lambda Invoke API.
 *
 * Pure: the caller passes the time as "YYYYMMDDTHHMMSSZ", the request exactly
 * as it goes on the wire, and the credentials; out come the headers to add.
 * The main invariant is the one curl 7.88 gets wrong for Lambda: for every
 * service but S3 the canonical URI is the wire path URI-encoded once more
 * (each '%' of the wire path becomes "%25"), as botocore's SigV4Auth and
 * the service itself compute it.  Deliberately not here: S3's rules
 * (single encoding, x-amz-content-sha256), presigned URLs, chunked payloads.
 *
 * Signed headers: host, x-amz-date, x-amz-security-token (with a session
 * token) and the caller's extra headers (e.g. content-type), the set
 * botocore signs for the same request.  No x-amz-content-sha256: botocore
 * adds it only for S3.
 */
#ifndef KDO_SIGV4_H
#define KDO_SIGV4_H

#include <stddef.h>

/* "AWS4-HMAC-SHA256 Credential=..." with an access key and a region of sane size. */
#define KDO_SIGV4_AUTH_MAX 1024
#define KDO_SIGV4_MAX_HEADERS 16

struct kdo_sigv4_header {
    const char *name; /* any case; signed lower-cased */
    const char *value;
};

/* Everything borrowed for the call. */
struct kdo_sigv4_request {
    const char *method;   /* "GET", "POST" */
    const char *host;     /* the Host header as sent: "lambda.us-east-1.amazonaws.com", "127.0.0.1:9001" */
    const char *path;     /* the path as sent: each segment already URI-encoded once */
    const char *query;    /* the query as sent, without '?'; NULL or "" for none */
    const struct kdo_sigv4_header *headers; /* extra headers to sign (not host, x-amz-*) */
    size_t n_headers;
    const void *payload;  /* the body; NULL with payload_len 0 for none */
    size_t payload_len;
    const char *region;   /* "us-east-1" */
    const char *service;  /* "lambda" */
    const char *access_key;
    const char *secret_key;
    const char *session_token; /* NULL or "" for none */
    const char *amz_date; /* "YYYYMMDDTHHMMSSZ" (UTC) */
};

/* The headers to send.  With a session token the caller also sends
 * "X-Amz-Security-Token: <token>" (it was signed). */
struct kdo_sigv4_out {
    char authorization[KDO_SIGV4_AUTH_MAX]; /* the Authorization header's value */
    char amz_date[17];                      /* the X-Amz-Date header's value */
};

/* Signs rq.  Returns 0, or KDO_EINVAL for a missing or malformed field
 * (bad date, duplicate or reserved header name, control characters, too
 * many headers or query pairs).  Never copies the secret into out. */
int kdo_sigv4_sign(const struct kdo_sigv4_request *rq, struct kdo_sigv4_out *out);

/* The canonical URI of a wire path for a non-S3 service (botocore's
 * _normalize_url_path): empty and "." segments dropped, ".." removed with
 * its parent, then every byte but unreserved and '/' percent-encoded.
 * Into out (n bytes); KDO_ETOOBIG if it does not fit. */
int kdo_sigv4_canonical_uri(const char *path, char *out, size_t n);

#endif
