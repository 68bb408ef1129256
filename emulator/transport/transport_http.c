/*
 * transport_http.c -- delivery to a Lambda Invoke API endpoint with libcurl.
 *
 * One easy handle in one multi handle, reused for every invocation, so the
 * connection stays alive between invocations (curl's connection cache).  The
 * delivery engine keeps its own deadline per invocation; the curl timeout is
 * only a backstop.  Every failure -- refused, reset, truncated, too large,
 * timed out -- comes back as KDO_TRANSPORT_FAILED/TIMEDOUT, which the reply
 * judge turns into a named delivery failure; reading stops one byte past
 * KDO_MAX_REPLY_BYTES, and that length tells the judge the reply was too
 * large rather than cut by the connection.  Credentials are read from the
 * environment when signing and are never copied into any message.
 *
 * Signing is ours (sigv4.c), not curl's CURLOPT_AWS_SIGV4: curl 7.88 signs
 * the canonical URI encoded once, and Lambda, like every service but S3,
 * encodes it twice, so curl's signature is refused for any function named by
 * an ARN, a partial ARN or name:alias.  Each request is signed just before it
 * is sent, with this module's clock (sigv4.c reads none), over exactly the
 * Host, path and query curl sends: all three come from the one parsed URL,
 * and Host is sent explicitly.
 */
#include "delivery/transport.h"
#include "transport/transport_http.h"

#include "base/buf.h"
#include "base/errors.h"
#include "delivery/contract.h"
#include "transport/sigv4.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* What a signature covers besides the body and the time.  Credentials are
 * copied from the environment once; they are never formatted into text. */
struct signer {
    int on;
    char method[8];
    char host[512];
    char path[2048];
    char query[512];
    char region[64];
    char key[129];
    char secret[256];
    char token[4096];
};

struct http {
    struct kdo_transport base;
    CURLM *multi;
    CURL *easy;
    struct curl_slist *headers; /* unsigned requests: sent as is */
    struct curl_slist *sent;    /* signed requests: headers + this request's signature */
    struct signer sign;
    char url[2048];
    struct kdo_buf body;
    char function_error[64];
    char error_type[64];
    int overflow;
    int in_flight;
    int done;
    CURLcode result;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_inited;

static void curl_init_once(void)
{
    curl_inited = curl_global_init(CURL_GLOBAL_DEFAULT) == 0;
}

/* Once per process, whatever thread asks first (runs may be parallel). */
static int curl_ready(void)
{
    pthread_once(&curl_once, curl_init_once);
    return curl_inited;
}

/* Keeps at most one byte past the body's maximum (h->body.max - 1): a body
 * that long is one too large (reply.h), and the transfer stops there. */
static size_t on_body(char *p, size_t size, size_t n, void *cls)
{
    struct http *h = cls;
    size_t len = size * n, room = h->body.max - h->body.len;
    if (len > room) {
        kdo_buf_append(&h->body, p, room);
        h->overflow = 1;
        return 0; /* over the limit: abort the transfer */
    }
    kdo_buf_append(&h->body, p, len);
    return len;
}

/* The value of header line p (len bytes) if it is `name` (with its colon). */
static void header_value(const char *p, size_t len, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    if (len <= nl || strncasecmp(p, name, nl) != 0)
        return;
    const char *v = p + nl;
    size_t vl = len - nl;
    while (vl && (*v == ' ' || *v == '\t'))
        v++, vl--;
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
        vl--;
    snprintf(out, n, "%.*s", (int)vl, v);
}

static size_t on_header(char *p, size_t size, size_t n, void *cls)
{
    struct http *h = cls;
    size_t len = size * n;
    header_value(p, len, "x-amz-function-error:", h->function_error, sizeof h->function_error);
    header_value(p, len, "x-amzn-errortype:", h->error_type, sizeof h->error_type);
    return len;
}

void kdo_transport_http_redact_url(const char *url, char *out, size_t n)
{
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    size_t authority = strcspn(host, "/?#"); /* userinfo can only be in the authority */
    const char *at = NULL;
    for (const char *p = host; p < host + authority; p++)
        if (*p == '@')
            at = p; /* the last one: a password may hold an unescaped '@' */
    if (at)
        snprintf(out, n, "%.*s%s", (int)(host - url), url, at + 1);
    else
        snprintf(out, n, "%s", url);
}

static int build_url(const struct kdo_http_end *end, const char *what, char *out, size_t n,
                     char *err, size_t en)
{
    char *fn = curl_easy_escape(NULL, end->function, 0);
    char *q = end->qualifier ? curl_easy_escape(NULL, end->qualifier, 0) : NULL;
    size_t base = strlen(end->endpoint);
    while (base > 0 && end->endpoint[base - 1] == '/')
        base--;
    int len = snprintf(out, n, "%.*s/2015-03-31/functions/%s/%s%s%s", (int)base, end->endpoint,
                       fn ? fn : "", what, q ? "?Qualifier=" : "", q ? q : "");
    curl_free(fn);
    curl_free(q);
    if (len < 0 || (size_t)len >= n) {
        snprintf(err, en, "endpoint URL too long");
        return KDO_EINVAL;
    }
    return 0;
}

/* The headers every invocation sends, and the signed ones among them (what
 * botocore signs for the same request: all but Expect, User-Agent and the
 * like, which curl adds or suppresses on its own). */
static const struct kdo_sigv4_header invoke_signed[] = {
    {"Content-Type", "application/json"},
    {"X-Amz-Invocation-Type", "RequestResponse"},
};

static int copy_to(char *out, size_t n, const char *a, const char *b, const char *c)
{
    int len = snprintf(out, n, "%s%s%s", a, b ? b : "", c ? c : "");
    return len >= 0 && (size_t)len < n ? 0 : KDO_EINVAL;
}

/* Host, path and query as curl sends them for `url`; Host carries the port
 * only when it is not the scheme's default (what botocore signs). */
static int parse_target(struct signer *s, const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
    int rc = KDO_EINVAL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
        if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
            port = NULL;
        if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
            query = NULL;
        int dflt = port == NULL || (strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0) ||
                   (strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0);
        rc = copy_to(s->host, sizeof s->host, host, dflt ? NULL : ":", dflt ? NULL : port);
        rc = rc ? rc : copy_to(s->path, sizeof s->path, path, NULL, NULL);
        rc = rc ? rc : copy_to(s->query, sizeof s->query, query ? query : "", NULL, NULL);
    }
    curl_free(scheme), curl_free(host), curl_free(port), curl_free(path), curl_free(query);
    curl_url_cleanup(u);
    return rc;
}

static void amz_now(char out[17])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static struct curl_slist *add(struct curl_slist *l, const char *name, const char *value)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 13);
    kdo_buf_printf(&b, "%s: %s", name, value);
    struct curl_slist *n = b.data ? curl_slist_append(l, b.data) : NULL;
    kdo_buf_cleanup(&b);
    if (n == NULL)
        curl_slist_free_all(l);
    return n;
}

/* base + Host, X-Amz-Date, Authorization (and the token) for this request,
 * signed at amz_date; NULL (and a sentence in err) if it cannot be signed. */
static struct curl_slist *signed_headers(const struct signer *s, const struct curl_slist *base,
                                         const struct kdo_sigv4_header *hs, size_t nh,
                                         const void *body, size_t len, const char *amz_date)
{
    struct kdo_sigv4_request rq = {
        .method = s->method, .host = s->host, .path = s->path, .query = s->query,
        .headers = hs, .n_headers = nh, .payload = body, .payload_len = len,
        .region = s->region, .service = "lambda", .access_key = s->key,
        .secret_key = s->secret, .session_token = s->token, .amz_date = amz_date};
    struct kdo_sigv4_out out;
    struct curl_slist *l = NULL;
    if (kdo_sigv4_sign(&rq, &out) != 0)
        return NULL;
    for (; base; base = base->next) {
        struct curl_slist *n = curl_slist_append(l, base->data);
        if (n == NULL)
            return curl_slist_free_all(l), NULL;
        l = n;
    }
    /* add() frees the list when it fails */
    if ((l = add(l, "Host", s->host)) == NULL || (l = add(l, "X-Amz-Date", out.amz_date)) == NULL ||
        (l = add(l, "Authorization", out.authorization)) == NULL)
        return NULL;
    return s->token[0] ? add(l, "X-Amz-Security-Token", s->token) : l;
}

/* Credentials, region and target of a signed end, checked by signing once. */
static int signer_init(struct signer *s, const struct kdo_http_end *end, const char *url,
                       const char *method, char *err, size_t en)
{
    const char *key = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
    const char *token = getenv("AWS_SESSION_TOKEN");
    const char *region = end->region ? end->region : getenv("AWS_REGION");
    region = region ? region : getenv("AWS_DEFAULT_REGION");
    memset(s, 0, sizeof *s);
    if (key == NULL || secret == NULL || !*key || !*secret)
        return snprintf(err, en, "signing needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in "
                                 "the environment"), KDO_EINVAL;
    if (region == NULL || !*region)
        return snprintf(err, en, "signing needs a region (AWS_REGION or the scenario's region)"),
               KDO_EINVAL;
    if (copy_to(s->key, sizeof s->key, key, NULL, NULL) ||
        copy_to(s->secret, sizeof s->secret, secret, NULL, NULL) ||
        copy_to(s->token, sizeof s->token, token ? token : "", NULL, NULL) ||
        copy_to(s->region, sizeof s->region, region, NULL, NULL) ||
        copy_to(s->method, sizeof s->method, method, NULL, NULL) || parse_target(s, url) != 0)
        return snprintf(err, en, "cannot sign: a credential, the region or the URL is too long "
                                 "or malformed"), KDO_EINVAL;
    char now[17];
    amz_now(now);
    struct curl_slist *probe = signed_headers(s, NULL, NULL, 0, NULL, 0, now);
    if (probe == NULL)
        return snprintf(err, en, "cannot sign: the access key, the region or a credential holds "
                                 "characters SigV4 cannot sign"), KDO_EINVAL;
    curl_slist_free_all(probe);
    s->on = 1;
    return 0;
}

/* Options shared by invocations and GetFunctionConfiguration. */
static void common_options(CURL *e, const struct kdo_http_end *end)
{
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)((end->connect_timeout > 0 ? end->connect_timeout : 5 * KDO_S) / KDO_MS));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     (long)((end->timeout > 0 ? end->timeout : 60 * KDO_S) / KDO_MS));
}

/* ---- the transport ops -------------------------------------------------------- */

static int http_send(struct kdo_transport *t, kdo_time_ns now, const struct kdo_invocation *inv)
{
    struct http *h = (struct http *)t;
    if (h->in_flight)
        return KDO_ESTATE;
    if (h->sign.on) {
        char amz_date[17]; /* wall-clock time: `now` may be virtual */
        amz_now(amz_date);
        curl_slist_free_all(h->sent);
        h->sent = signed_headers(&h->sign, h->headers, invoke_signed,
                                 sizeof invoke_signed / sizeof invoke_signed[0], inv->event,
                                 inv->event_len, amz_date);
        if (h->sent == NULL)
            return KDO_EINVAL;
        curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, h->sent);
    }
    kdo_buf_reset(&h->body);
    h->function_error[0] = '\0';
    h->error_type[0] = '\0';
    h->overflow = 0;
    h->done = 0;
    curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, inv->event);
    curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)inv->event_len);
    if (curl_multi_add_handle(h->multi, h->easy) != CURLM_OK)
        return KDO_EIO;
    h->in_flight = 1;
    int running;
    curl_multi_perform(h->multi, &running);
    return 0;
}

static kdo_time_ns http_next_deadline(const struct kdo_transport *t)
{
    (void)t;
    return KDO_TIME_NEVER; /* real time: the driver waits on the sockets */
}

static void finish(struct http *h)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(h->multi, &left)) != NULL)
        if (m->msg == CURLMSG_DONE && m->easy_handle == h->easy) {
            h->result = m->data.result;
            h->done = 1;
        }
}

static int http_poll(struct kdo_transport *t, kdo_time_ns now, struct kdo_reply_in *out)
{
    struct http *h = (struct http *)t;
    int running;
    if (!h->in_flight)
        return 0;
    curl_multi_perform(h->multi, &running);
    finish(h);
    if (!h->done)
        return 0;
    curl_multi_remove_handle(h->multi, h->easy);
    h->in_flight = 0;
    long status = 0;
    curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
    memset(out, 0, sizeof *out);
    if (h->result == CURLE_OPERATION_TIMEDOUT)
        out->outcome = KDO_TRANSPORT_TIMEDOUT;
    else if (h->result != CURLE_OK || h->overflow)
        out->outcome = KDO_TRANSPORT_FAILED;
    out->status = (int)status;
    out->function_error = h->function_error[0] ? h->function_error : NULL;
    out->error_type = h->error_type[0] ? h->error_type : NULL;
    out->body = h->body.data ? h->body.data : "";
    out->body_len = h->body.len;
    return 1;
}

static void http_cancel(struct kdo_transport *t)
{
    struct http *h = (struct http *)t;
    if (h->in_flight) {
        curl_multi_remove_handle(h->multi, h->easy);
        h->in_flight = 0;
    }
}

static int http_wait(struct kdo_transport *t, kdo_time_ns timeout)
{
    struct http *h = (struct http *)t;
    int ms = (int)(timeout / KDO_MS);
    ms = ms < 0 ? 0 : ms > 1000 ? 1000 : ms;
    if (!h->in_flight) {
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        return 0;
    }
    return curl_multi_poll(h->multi, NULL, 0, ms, NULL) == CURLM_OK ? 0 : KDO_EIO;
}

static void http_free(struct kdo_transport *t)
{
    struct http *h = (struct http *)t;
    http_cancel(t);
    curl_easy_cleanup(h->easy);
    curl_multi_cleanup(h->multi);
    curl_slist_free_all(h->headers);
    curl_slist_free_all(h->sent);
    kdo_buf_cleanup(&h->body);
    memset(&h->sign, 0, sizeof h->sign); /* no credential left in freed memory */
    free(h);
}

static const struct kdo_transport_ops http_ops = {
    .name = "http",
    .send = http_send,
    .next_deadline = http_next_deadline,
    .poll = http_poll,
    .cancel = http_cancel,
    .wait = http_wait,
    .free = http_free,
};

struct kdo_transport *kdo_transport_http_new(const struct kdo_http_end *end, char *err,
                                             size_t err_size)
{
    if (!curl_ready()) {
        snprintf(err, err_size, "libcurl failed to initialise");
        return NULL;
    }
    struct http *h = kdo_xcalloc(1, sizeof *h);
    h->base.ops = &http_ops;
    kdo_buf_init(&h->body, KDO_MAX_REPLY_BYTES + 1); /* + 1: see on_body */
    h->multi = curl_multi_init();
    h->easy = curl_easy_init();
    for (size_t i = 0; i < sizeof invoke_signed / sizeof invoke_signed[0]; i++)
        h->headers = add(h->headers, invoke_signed[i].name, invoke_signed[i].value);
    /* No 100-continue round trip (Expect is never signed, see signed_headers). */
    h->headers = curl_slist_append(h->headers, "Expect:");
    if (build_url(end, "invocations", h->url, sizeof h->url, err, err_size) != 0 ||
        (end->sigv4 && signer_init(&h->sign, end, h->url, "POST", err, err_size) != 0)) {
        http_free(&h->base);
        return NULL;
    }
    common_options(h->easy, end);
    curl_easy_setopt(h->easy, CURLOPT_URL, h->url);
    curl_easy_setopt(h->easy, CURLOPT_POST, 1L);
    curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, h->headers);
    curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(h->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h->easy, CURLOPT_HEADERDATA, h);
    return &h->base;
}

static long read_timeout(const char *body)
{
    const char *p = strstr(body, "\"Timeout\"");
    if (p == NULL || (p = strchr(p, ':')) == NULL)
        return -1;
    char *end;
    long v = strtol(p + 1, &end, 10);
    return end == p + 1 ? -1 : v;
}

int kdo_transport_http_function_config(const struct kdo_http_end *end,
                                       struct kdo_function_config *out, char *err,
                                       size_t err_size)
{
    char url[2048], shown[2048];
    struct curl_slist *headers = NULL;
    struct http h = {0};
    memset(out, 0, sizeof *out);
    if (!curl_ready())
        return snprintf(err, err_size, "libcurl failed to initialise"), KDO_EIO;
    if (build_url(end, "configuration", url, sizeof url, err, err_size) != 0)
        return KDO_EINVAL;
    CURL *e = curl_easy_init();
    kdo_buf_init(&h.body, 1 << 20);
    common_options(e, end);
    int rc = 0;
    if (end->sigv4 && (rc = signer_init(&h.sign, end, url, "GET", err, err_size)) == 0) {
        char now[17];
        amz_now(now);
        if ((headers = signed_headers(&h.sign, NULL, NULL, 0, NULL, 0, now)) == NULL)
            rc = KDO_EINVAL, snprintf(err, err_size, "cannot sign GetFunctionConfiguration");
    }
    long status = 0;
    if (rc == 0) {
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &h);
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, &h);
        CURLcode cc = curl_easy_perform(e);
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        kdo_transport_http_redact_url(url, shown, sizeof shown);
        long t = h.body.data ? read_timeout(h.body.data) : -1;
        out->status = cc == CURLE_OK ? (int)status : 0;
        snprintf(out->error_type, sizeof out->error_type, "%.*s",
                 (int)strcspn(h.error_type, ":"), h.error_type);
        if (cc != CURLE_OK)
            rc = KDO_EIO, snprintf(err, err_size, "GetFunctionConfiguration %s: %s", shown, curl_easy_strerror(cc));
        else if (status != 200 || t < 1 || t > KDO_FUNCTION_TIMEOUT_MAX_S)
            rc = KDO_EIO, snprintf(err, err_size, "GetFunctionConfiguration %s: HTTP %ld%s%s without a Timeout",
                                   shown, status, out->error_type[0] ? " " : "", out->error_type);
        else
            out->timeout = t * KDO_S;
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(e);
    kdo_buf_cleanup(&h.body);
    memset(&h.sign, 0, sizeof h.sign);
    return rc;
}

int kdo_transport_http_function_timeout(const struct kdo_http_end *end, kdo_time_ns *timeout,
                                        char *err, size_t err_size)
{
    struct kdo_function_config c;
    int rc = kdo_transport_http_function_config(end, &c, err, err_size);
    if (rc == 0)
        *timeout = c.timeout;
    return rc;
}
