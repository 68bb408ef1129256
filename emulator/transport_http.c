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
 */
#include "transport.h"

#include "buf.h"
#include "contract.h"
#include "errors.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct http {
    struct kdo_transport base;
    CURLM *multi;
    CURL *easy;
    struct curl_slist *headers;
    char url[2048];
    struct kdo_buf body;
    char function_error[64];
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

static size_t on_header(char *p, size_t size, size_t n, void *cls)
{
    struct http *h = cls;
    size_t len = size * n;
    static const char name[] = "x-amz-function-error:";
    if (len > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0) {
        const char *v = p + sizeof name - 1;
        size_t vl = len - (sizeof name - 1);
        while (vl && (*v == ' ' || *v == '\t'))
            v++, vl--;
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
            vl--;
        snprintf(h->function_error, sizeof h->function_error, "%.*s", (int)vl, v);
    }
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

/* Options shared by invocations and GetFunctionConfiguration. */
static int common_options(CURL *e, const struct kdo_http_end *end, struct curl_slist **headers,
                          char *err, size_t en)
{
    const char *key = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
    const char *token = getenv("AWS_SESSION_TOKEN");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)((end->connect_timeout > 0 ? end->connect_timeout : 5 * KDO_S) / KDO_MS));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     (long)((end->timeout > 0 ? end->timeout : 60 * KDO_S) / KDO_MS));
    if (!end->sigv4)
        return 0;
    if (key == NULL || secret == NULL || !*key || !*secret) {
        snprintf(err, en, "signing needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the "
                          "environment");
        return KDO_EINVAL;
    }
    const char *region = end->region ? end->region : getenv("AWS_REGION");
    region = region ? region : getenv("AWS_DEFAULT_REGION");
    if (region == NULL || !*region) {
        snprintf(err, en, "signing needs a region (AWS_REGION or the scenario's region)");
        return KDO_EINVAL;
    }
    char provider[128];
    snprintf(provider, sizeof provider, "aws:amz:%s:lambda", region);
    curl_easy_setopt(e, CURLOPT_AWS_SIGV4, provider);
    curl_easy_setopt(e, CURLOPT_USERNAME, key);
    curl_easy_setopt(e, CURLOPT_PASSWORD, secret);
    if (token && *token) {
        struct kdo_buf b;
        kdo_buf_init(&b, 1 << 16);
        kdo_buf_printf(&b, "X-Amz-Security-Token: %s", token);
        *headers = curl_slist_append(*headers, b.data);
        kdo_buf_cleanup(&b);
    }
    return 0;
}

/* ---- the transport ops -------------------------------------------------------- */

static int http_send(struct kdo_transport *t, kdo_time_ns now, const struct kdo_invocation *inv)
{
    struct http *h = (struct http *)t;
    if (h->in_flight)
        return KDO_ESTATE;
    kdo_buf_reset(&h->body);
    h->function_error[0] = '\0';
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
    kdo_buf_cleanup(&h->body);
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
    h->headers = curl_slist_append(NULL, "Content-Type: application/json");
    h->headers = curl_slist_append(h->headers, "X-Amz-Invocation-Type: RequestResponse");
    /* No 100-continue round trip -- except when signing: curl before 8.3
     * signs the empty "Expect:" as a header it then does not send
     * (curl issue #11664), which AWS refuses. */
    if (!end->sigv4)
        h->headers = curl_slist_append(h->headers, "Expect:");
    if (build_url(end, "invocations", h->url, sizeof h->url, err, err_size) != 0 ||
        common_options(h->easy, end, &h->headers, err, err_size) != 0) {
        http_free(&h->base);
        return NULL;
    }
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

int kdo_transport_http_function_timeout(const struct kdo_http_end *end, kdo_time_ns *timeout,
                                        char *err, size_t err_size)
{
    char url[2048], shown[2048];
    struct curl_slist *headers = NULL;
    struct http h = {0};
    if (!curl_ready())
        return snprintf(err, err_size, "libcurl failed to initialise"), KDO_EIO;
    if (build_url(end, "configuration", url, sizeof url, err, err_size) != 0)
        return KDO_EINVAL;
    CURL *e = curl_easy_init();
    kdo_buf_init(&h.body, 1 << 20);
    int rc = common_options(e, end, &headers, err, err_size);
    long status = 0;
    if (rc == 0) {
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &h);
        CURLcode cc = curl_easy_perform(e);
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        kdo_transport_http_redact_url(url, shown, sizeof shown);
        long t = h.body.data ? read_timeout(h.body.data) : -1;
        if (cc != CURLE_OK)
            rc = KDO_EIO, snprintf(err, err_size, "GetFunctionConfiguration %s: %s", shown, curl_easy_strerror(cc));
        else if (status != 200 || t < 1 || t > KDO_FUNCTION_TIMEOUT_MAX_S)
            rc = KDO_EIO, snprintf(err, err_size, "GetFunctionConfiguration %s: HTTP %ld without a Timeout", shown, status);
        else
            *timeout = t * KDO_S;
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(e);
    kdo_buf_cleanup(&h.body);
    return rc;
}
