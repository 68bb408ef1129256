/*
 * test_fake_http.c -- `kdaout fake-lambda` checked from the outside.
 *
 * Every case starts the real binary (argv[1], or $KDAOUT) as a child on
 * 127.0.0.1:0, reads the first stdout line `listening on http://HOST:PORT`,
 * talks to it with libcurl easy handles (each with CURLOPT_TIMEOUT_MS), parses
 * bodies with jansson, then stops it with SIGTERM and expects exit 0 within
 * 2 s.  Raw sockets stand in where curl would hide what happens (connection
 * limits, idle timeouts) and, in the credentials canary, as a tiny endpoint
 * that captures the request head of a signed `kdaout run`.  The only timed
 * assertions are generous lower bounds on deliberate delays and upper bounds
 * of at least twice the expected time.  Children die with the test process
 * (PR_SET_PDEATHSIG), so a failed case never leaves a server behind.  Each
 * case asserts what the real service does.  A second suite (argv[2] =
 * "limits") plays the hostile client: a log past its byte budget, dozens of
 * 6 MB bodies held open (the fake's VmHWM and VmRSS read from /proc), a 1 GiB
 * Content-Length, trickled requests, connections that never send one, and
 * ambiguous framing.
 */
#include "base/base64.h"
#include "base/buf.h"
#include "delivery/event.h"

#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_EVENT 6291456u
#define ARN "arn:aws:kinesisanalytics:us-east-1:123456789012:application/demo"
#define INVOKE(name) "/2015-03-31/functions/" name "/invocations"
#define CANARY_KEY "AKIDCANARY1234567890"
#define CANARY_SECRET "canary-secret-DO-NOT-LEAK"
#define CANARY_TOKEN "canary-token-DO-NOT-LEAK"

static const char *kdaout_path;

/* ---- time ------------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- scratch files ------------------------------------------------------------ */

/* One directory made by main() and swept after the run: a failed ck_assert
 * leaves the forked test with _exit(), so teardown cannot be relied on. */
static char tmpdir[64];
static char tmpfiles[32][128];
static int ntmpfiles;

static const char *tmp_path(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    for (int i = 0; i < ntmpfiles; i++)
        if (strcmp(tmpfiles[i], path) == 0)
            return tmpfiles[i];
    ck_assert_int_lt(ntmpfiles, 32);
    char *p = tmpfiles[ntmpfiles++];
    memcpy(p, path, sizeof path);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

/* Whole file as a new string ("" if missing). */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0, cap = 4096;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    if (f) {
        size_t got;
        while ((got = fread(s + n, 1, cap - n - 1, f)) > 0) {
            n += got;
            if (cap - n < 2) {
                cap *= 2;
                s = realloc(s, cap);
                ck_assert_ptr_nonnull(s);
            }
        }
        fclose(f);
    }
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}

/* ---- child processes --------------------------------------------------------- */

struct proc {
    pid_t pid;
    int out_fd; /* stdout pipe, or -1 */
    char err_path[128];
    char host[64];
    unsigned port;
    char base[128]; /* http://host:port */
};

#define NPROCS 4
static struct proc procs[NPROCS];
static int nprocs;

static void cleanup_all(void)
{
    for (int i = 0; i < nprocs; i++) {
        if (procs[i].pid > 0) {
            kill(procs[i].pid, SIGKILL);
            waitpid(procs[i].pid, NULL, 0);
            procs[i].pid = -1;
        }
        if (procs[i].out_fd >= 0)
            close(procs[i].out_fd);
        procs[i].out_fd = -1;
    }
    nprocs = 0;
    for (int i = 0; i < ntmpfiles; i++)
        unlink(tmpfiles[i]);
    ntmpfiles = 0;
}

static void setup(void)
{
    nprocs = 0;
    ntmpfiles = 0;
}

/* Runs only after a case passed; after a failure, PR_SET_PDEATHSIG stops the
 * servers and main() sweeps the files. */
static void teardown(void)
{
    cleanup_all();
}

static void sweep_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    char path[400];
    while (d && (e = readdir(d)) != NULL) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
        if (e->d_name[0] != '.')
            unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(tmpdir);
}

/* fork + exec with stdout to a pipe (out_fd) or a file, stderr to a file. */
static pid_t spawn(char *const argv[], char *const envp[], int *out_fd, const char *out_path,
                   const char *err_path)
{
    int p[2] = {-1, -1};
    if (out_fd)
        ck_assert_int_eq(pipe(p), 0);
    pid_t parent = getpid(), pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        if (out_fd) {
            dup2(p[1], 1);
            close(p[0]);
            close(p[1]);
        } else {
            int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            dup2(fd, 1);
        }
        int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 2);
        execve(argv[0], argv, envp ? envp : environ);
        _exit(127);
    }
    if (out_fd) {
        close(p[1]);
        *out_fd = p[0];
    }
    return pid;
}

/* Waits at most timeout_ms for pid; 1 and *status if it exited. */
static int wait_exit(pid_t pid, int timeout_ms, int *status)
{
    double end = now_s() + timeout_ms / 1000.0;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (now_s() >= end)
            return 0;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Reads one line (with its '\n') from fd within timeout_ms; 0 on success. */
static int read_line(int fd, char *buf, size_t n, int timeout_ms)
{
    size_t len = 0;
    double end = now_s() + timeout_ms / 1000.0;
    while (len + 1 < n) {
        struct pollfd pfd = {fd, POLLIN, 0};
        int left = (int)((end - now_s()) * 1000);
        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            break;
        ssize_t got = read(fd, buf + len, 1);
        if (got <= 0)
            break;
        if (buf[len++] == '\n') {
            buf[len] = '\0';
            return 0;
        }
    }
    buf[len] = '\0';
    return -1;
}

/* Parses "listening on http://HOST:PORT\n" exactly; 0 on success. */
static int parse_listening(const char *line, char *host, size_t hn, unsigned *port)
{
    static const char prefix[] = "listening on http://";
    if (strncmp(line, prefix, sizeof prefix - 1) != 0)
        return -1;
    const char *h = line + sizeof prefix - 1, *colon = strrchr(h, ':');
    if (colon == NULL || colon == h || (size_t)(colon - h) >= hn)
        return -1;
    char *end;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (end == colon + 1 || strcmp(end, "\n") != 0 || p == 0 || p > 65535)
        return -1;
    memcpy(host, h, (size_t)(colon - h));
    host[colon - h] = '\0';
    *port = (unsigned)p;
    char again[256];
    snprintf(again, sizeof again, "listening on http://%s:%u\n", host, *port);
    return strcmp(again, line) == 0 ? 0 : -1; /* no leading zeros, nothing extra */
}

static struct proc *new_proc(void)
{
    ck_assert_int_lt(nprocs, NPROCS);
    struct proc *p = &procs[nprocs++];
    memset(p, 0, sizeof *p);
    p->pid = -1;
    p->out_fd = -1;
    char name[32];
    snprintf(name, sizeof name, "fake%d.err", nprocs);
    snprintf(p->err_path, sizeof p->err_path, "%s", tmp_path(name));
    return p;
}

/* Starts `kdaout fake-lambda ARGS...` (NULL-terminated) and reads its first line. */
static struct proc *server_start_argv(const char *const *args)
{
    char *argv[40];
    int n = 0;
    argv[n++] = (char *)kdaout_path;
    argv[n++] = "fake-lambda";
    for (; *args; args++) {
        ck_assert_int_lt(n, 38);
        argv[n++] = (char *)*args;
    }
    argv[n] = NULL;
    struct proc *p = new_proc();
    p->pid = spawn(argv, NULL, &p->out_fd, NULL, p->err_path);
    char line[256];
    if (read_line(p->out_fd, line, sizeof line, 10000) != 0) {
        char *err = read_file(p->err_path, NULL);
        ck_abort_msg("no `listening on` line from fake-lambda (got \"%s\"); stderr: %s", line, err);
    }
    ck_assert_msg(parse_listening(line, p->host, sizeof p->host, &p->port) == 0,
                  "first line is not `listening on http://HOST:PORT`: \"%s\"", line);
    snprintf(p->base, sizeof p->base, "http://%s:%u", p->host, p->port);
    return p;
}

#define START(...) server_start_argv((const char *const[]){"--listen", "127.0.0.1:0", __VA_ARGS__})

/* No sanitizer report in a child's stderr (UBSan reports without failing). */
static void assert_sanitizer_clean(const char *who, const char *err)
{
    ck_assert_msg(strstr(err, "runtime error:") == NULL && strstr(err, "Sanitizer") == NULL,
                  "%s: sanitizer report on stderr:\n%.3000s", who, err);
}

/* SIGTERM, then exit 0 within 2 s. */
static void stop_clean(struct proc *p)
{
    int status = 0;
    ck_assert_int_gt(p->pid, 0);
    kill(p->pid, SIGTERM);
    int exited = wait_exit(p->pid, 2000, &status);
    if (exited)
        p->pid = -1;
    char *err = read_file(p->err_path, NULL);
    ck_assert_msg(exited, "fake-lambda did not stop within 2 s of SIGTERM; stderr: %s", err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "fake-lambda stopped with %s %d (expected exit 0); stderr: %s",
                  WIFEXITED(status) ? "exit" : "signal",
                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), err);
    assert_sanitizer_clean("fake-lambda", err);
    free(err);
}

/* ---- HTTP with libcurl ----------------------------------------------------- */

struct resp {
    CURLcode rc;
    long status;
    char *body;
    size_t len, cap;
    char *head;
    size_t hlen, hcap;
    double secs;
    curl_off_t content_length; /* -1 if none */
    char errbuf[CURL_ERROR_SIZE];
};

static void grow_append(char **p, size_t *len, size_t *cap, const char *d, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 4096;
        while (*len + n + 1 > c)
            c *= 2;
        *p = realloc(*p, c);
        ck_assert_ptr_nonnull(*p);
        *cap = c;
    }
    memcpy(*p + *len, d, n);
    *len += n;
    (*p)[*len] = '\0';
}

static size_t on_body(char *d, size_t size, size_t n, void *cls)
{
    struct resp *r = cls;
    grow_append(&r->body, &r->len, &r->cap, d, size * n);
    return size * n;
}

static size_t on_head(char *d, size_t size, size_t n, void *cls)
{
    struct resp *r = cls;
    grow_append(&r->head, &r->hlen, &r->hcap, d, size * n);
    return size * n;
}

/* One request on a fresh easy handle (no connection reuse between calls). */
static void http_do(struct resp *r, const char *method, const char *url, const char *body,
                    size_t len, long timeout_ms, const char *extra_header)
{
    memset(r, 0, sizeof *r);
    CURL *e = curl_easy_init();
    ck_assert_ptr_nonnull(e);
    struct curl_slist *h = curl_slist_append(NULL, "Expect:");
    h = curl_slist_append(h, "Content-Type: application/json");
    if (extra_header)
        h = curl_slist_append(h, extra_header);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_head);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    }
    double t0 = now_s();
    r->rc = curl_easy_perform(e);
    r->secs = now_s() - t0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &r->content_length);
    curl_easy_cleanup(e);
    curl_slist_free_all(h);
    if (r->body == NULL)
        grow_append(&r->body, &r->len, &r->cap, "", 0);
    if (r->head == NULL)
        grow_append(&r->head, &r->hlen, &r->hcap, "", 0);
}

static size_t on_discard(char *d, size_t size, size_t n, void *cls)
{
    (void)d;
    (void)cls;
    return size * n;
}

static void resp_free(struct resp *r)
{
    free(r->body);
    free(r->head);
    r->body = r->head = NULL;
}

static void post(struct resp *r, const struct proc *p, const char *path, const char *body,
                 size_t len, long timeout_ms)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", p->base, path);
    http_do(r, "POST", url, body, len, timeout_ms, NULL);
}

static void get(struct resp *r, const struct proc *p, const char *path)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", p->base, path);
    http_do(r, "GET", url, NULL, 0, 5000, NULL);
}

/* The value of header `name` (case-insensitive) into out; 1 if present. */
static int header(const struct resp *r, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    for (const char *l = r->head; l && *l;) {
        const char *eol = strstr(l, "\r\n");
        size_t ll = eol ? (size_t)(eol - l) : strlen(l);
        if (ll > nl && strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
            const char *v = l + nl + 1;
            while (*v == ' ')
                v++;
            snprintf(out, n, "%.*s", (int)(ll - (size_t)(v - l)), v);
            return 1;
        }
        l = eol ? eol + 2 : l + ll;
    }
    if (n)
        out[0] = '\0';
    return 0;
}

static void assert_header(const struct resp *r, const char *name, const char *want)
{
    char v[512];
    ck_assert_msg(header(r, name, v, sizeof v), "no %s header in:\n%s", name, r->head);
    ck_assert_msg(strcmp(v, want) == 0, "%s: \"%s\", expected \"%s\"", name, v, want);
}

static void assert_no_header(const struct resp *r, const char *name)
{
    char v[512];
    ck_assert_msg(!header(r, name, v, sizeof v), "unexpected %s: %s", name, v);
}

static int is_guid(const char *s)
{
    if (strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
            return 0;
    }
    return 1;
}

/* The request id header, asserted to be a GUID. */
static void request_id(const struct resp *r, char out[64])
{
    ck_assert_msg(header(r, "x-amzn-RequestId", out, 64), "no x-amzn-RequestId in:\n%s", r->head);
    ck_assert_msg(is_guid(out), "x-amzn-RequestId \"%s\" is not a GUID", out);
}

static json_t *body_json(const struct resp *r)
{
    json_error_t err;
    json_t *j = json_loadb(r->body, r->len, 0, &err);
    ck_assert_msg(j != NULL, "body is not JSON (%s): %.300s", err.text, r->body);
    return j;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_string(v), "\"%s\" is not a string in %s", key,
                  json_is_object(o) ? "the object" : "a non-object");
    return json_string_value(v);
}

static void assert_status(const struct resp *r, long want)
{
    ck_assert_msg(r->rc == CURLE_OK, "curl failed: %s (%s)", curl_easy_strerror(r->rc), r->errbuf);
    ck_assert_msg(r->status == want, "HTTP %ld, expected %ld; body: %.400s", r->status, want,
                  r->body);
    assert_header(r, "Content-Type", "application/json");
}

/* The message member as botocore's Lambda model names it for `type`
 * (data/lambda/2015-03-31/service-2.json): lowercase for these shapes,
 * `Message` for the others and for types the model lacks. */
static const char *message_member(const char *type)
{
    static const char *const lower[] = {"TooManyRequestsException", "InvalidRequestContentException",
                                        "InvalidParameterValueException",
                                        "UnsupportedMediaTypeException", "RequestTooLargeException"};
    for (size_t i = 0; i < sizeof lower / sizeof *lower; i++)
        if (strcmp(type, lower[i]) == 0)
            return "message";
    return "Message";
}

/* The body has the modelled message member and not the other spelling. */
static void assert_message_member(json_t *j, const char *type, const char *body)
{
    const char *m = message_member(type), *other = m[0] == 'm' ? "Message" : "message";
    ck_assert_msg(json_is_string(json_object_get(j, m)) && json_string_value(json_object_get(j, m))[0],
                  "%s: no non-empty \"%s\" in %s", type, m, body);
    ck_assert_msg(json_object_get(j, other) == NULL, "%s: \"%s\" instead of \"%s\" in %s", type,
                  other, m, body);
}

/* A 4xx/5xx from the service: status, x-amzn-ErrorType, a JSON body with a message. */
static json_t *assert_service_error(const struct resp *r, long status, const char *type)
{
    char id[64];
    assert_status(r, status);
    assert_header(r, "x-amzn-ErrorType", type);
    assert_no_header(r, "X-Amz-Function-Error");
    request_id(r, id);
    json_t *j = body_json(r);
    assert_message_member(j, type, r->body);
    ck_assert_str_eq(jstr(j, "Type"), status >= 500 ? "Service" : "User");
    return j;
}

/* ---- events ------------------------------------------------------------------ */

#define ID_PREFIX "4960289583290000000000000000000000000000000000000000" /* 52 digits */

struct event {
    char *json;
    size_t len;
    size_t n;
    char ids[40][64];
};

/* A real KDA output event (emulator/delivery/event.h) of n rows with these retryHints. */
static void make_event(struct event *ev, const char *inv_id, size_t n, const char *const *rows,
                       const uint64_t *hints)
{
    struct kdo_buf b;
    struct kdo_event e;
    ck_assert_uint_le(n, 40);
    kdo_buf_init(&b, MAX_EVENT);
    ck_assert_int_eq(kdo_event_begin(&e, &b, MAX_EVENT, inv_id, ARN), 0);
    for (size_t i = 0; i < n; i++) {
        char row[128];
        snprintf(ev->ids[i], sizeof ev->ids[i], ID_PREFIX "%04zu", i);
        if (rows)
            snprintf(row, sizeof row, "%s", rows[i]);
        else
            snprintf(row, sizeof row, "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":%zu.5}", i);
        ck_assert_int_eq(kdo_event_add(&e, ev->ids[i], strlen(ev->ids[i]), hints ? hints[i] : 0,
                                       row, strlen(row)),
                         0);
    }
    ev->len = kdo_event_end(&e);
    ev->n = n;
    ev->json = malloc(ev->len + 1);
    ck_assert_ptr_nonnull(ev->json);
    memcpy(ev->json, b.data, ev->len + 1);
    kdo_buf_cleanup(&b);
}

/* A valid one-record event of exactly `size` bytes (data of 'A's, id padded). */
static char *event_of_size(size_t size)
{
    static const char head[] = "{\"invocationId\":\"00000000-0000-4000-8000-000000000000\","
                               "\"applicationArn\":\"" ARN "\",\"records\":[{\"recordId\":\"";
    static const char mid[] = "\",\"lambdaDeliveryRecordMetadata\":{\"retryHint\":0},\"data\":\"";
    static const char tail[] = "\"}]}";
    size_t fixed = sizeof head - 1 + sizeof mid - 1 + sizeof tail - 1;
    size_t rem = size - fixed, data = (rem - 1) / 4 * 4, id = rem - data;
    char *s = malloc(size + 1), *o = s;
    ck_assert_ptr_nonnull(s);
    memcpy(o, head, sizeof head - 1), o += sizeof head - 1;
    memset(o, '7', id), o += id;
    memcpy(o, mid, sizeof mid - 1), o += sizeof mid - 1;
    memset(o, 'A', data), o += data;
    memcpy(o, tail, sizeof tail - 1), o += sizeof tail - 1;
    *o = '\0';
    ck_assert_uint_eq((size_t)(o - s), size);
    return s;
}

/* Asserts the body is {"records":[{recordId: ids[i], result: Ok}...]} for every id. */
static void assert_all_ok(const struct resp *r, const struct event *ev)
{
    json_t *j = body_json(r), *recs = json_object_get(j, "records");
    ck_assert_msg(json_is_array(recs), "no records array: %.300s", r->body);
    ck_assert_uint_eq(json_array_size(recs), ev->n);
    for (size_t i = 0; i < ev->n; i++) {
        json_t *e = json_array_get(recs, i);
        ck_assert_str_eq(jstr(e, "recordId"), ev->ids[i]);
        ck_assert_str_eq(jstr(e, "result"), "Ok");
        ck_assert_uint_eq(json_object_size(e), 2);
    }
    ck_assert_uint_eq(json_object_size(j), 1);
    json_decref(j);
}

static void invoke_event(struct resp *r, const struct proc *p, const char *path,
                         const struct event *ev, long timeout_ms)
{
    post(r, p, path, ev->json, ev->len, timeout_ms);
}

/* GET /_kdaout/invocations -> the invocations array (new reference to the whole doc). */
static json_t *invocations(const struct proc *p, json_t **arr)
{
    struct resp r;
    get(&r, p, "/_kdaout/invocations");
    assert_status(&r, 200);
    json_t *j = body_json(&r);
    resp_free(&r);
    *arr = json_object_get(j, "invocations");
    ck_assert_msg(json_is_array(*arr), "no invocations array");
    return j;
}

/* ---- Invoke: the happy path ----------------------------------------------------- */

START_TEST(invoke_ok)
{
    struct proc *p = START(NULL);
    struct event ev;
    struct resp r;
    char id[64];
    make_event(&ev, "6a3e2b1c-0d4f-4e5a-9b8c-7d6e5f4a3b2c", 3, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    assert_status(&r, 200);
    request_id(&r, id);
    assert_header(&r, "X-Amz-Executed-Version", "$LATEST");
    assert_no_header(&r, "X-Amz-Function-Error");
    assert_no_header(&r, "x-amzn-ErrorType");
    assert_all_ok(&r, &ev);
    ck_assert_int_eq(r.content_length, (curl_off_t)r.len);
    resp_free(&r);

    /* a second invocation gets a different request id */
    char id2[64];
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    assert_status(&r, 200);
    request_id(&r, id2);
    ck_assert_str_ne(id, id2);
    resp_free(&r);
    free(ev.json);
    stop_clean(p);
}
END_TEST

/* X-Amz-Invocation-Type: Event is accepted (202), DryRun checked only (204). */
START_TEST(invocation_types)
{
    struct proc *p = START(NULL);
    struct event ev;
    struct resp r;
    char url[256];
    make_event(&ev, "11111111-2222-4333-8444-555555555555", 1, NULL, NULL);
    snprintf(url, sizeof url, "%s" INVOKE("kdaout-fake"), p->base);
    http_do(&r, "POST", url, ev.json, ev.len, 5000, "X-Amz-Invocation-Type: Event");
    ck_assert_int_eq(r.rc, CURLE_OK);
    ck_assert_int_eq(r.status, 202);
    ck_assert_uint_eq(r.len, 0);
    resp_free(&r);
    http_do(&r, "POST", url, ev.json, ev.len, 5000, "X-Amz-Invocation-Type: DryRun");
    ck_assert_int_eq(r.rc, CURLE_OK);
    ck_assert_int_eq(r.status, 204);
    resp_free(&r);
    http_do(&r, "POST", url, ev.json, ev.len, 5000, "X-Amz-Invocation-Type: RequestResponse");
    assert_status(&r, 200);
    assert_all_ok(&r, &ev);
    assert_no_header(&r, "X-Amz-Log-Result"); /* not asked for */
    resp_free(&r);
    http_do(&r, "POST", url, ev.json, ev.len, 5000, "X-Amz-Invocation-Type: Sometimes");
    json_decref(assert_service_error(&r, 400, "InvalidParameterValueException"));
    resp_free(&r);
    /* the Event ran (it is logged), the DryRun did not */
    json_t *arr, *doc = invocations(p, &arr);
    ck_assert_uint_eq(json_array_size(arr), 2);
    json_decref(doc);
    free(ev.json);
    stop_clean(p);
}
END_TEST

/* LogType Tail: X-Amz-Log-Result, base64 of START/END/REPORT for this request id. */
START_TEST(log_tail)
{
    struct proc *p = START(NULL);
    struct event ev;
    struct resp r;
    char url[256], id[64], tail[8192], want[400];
    make_event(&ev, "11111111-2222-4333-8444-555555555555", 1, NULL, NULL);
    snprintf(url, sizeof url, "%s" INVOKE("kdaout-fake"), p->base);
    http_do(&r, "POST", url, ev.json, ev.len, 5000, "X-Amz-Log-Type: Tail");
    assert_status(&r, 200);
    assert_all_ok(&r, &ev);
    ck_assert(header(&r, "x-amzn-RequestId", id, sizeof id));
    ck_assert_msg(header(&r, "X-Amz-Log-Result", tail, sizeof tail), "no X-Amz-Log-Result");
    char log[6144];
    size_t n;
    ck_assert_int_eq(kdo_base64_decode(log, &n, tail, strlen(tail)), 0);
    log[n] = '\0';
    snprintf(want, sizeof want, "START RequestId: %s Version: $LATEST\nEND RequestId: %s\n"
             "REPORT RequestId: %s\tDuration: ", id, id, id);
    ck_assert_msg(strncmp(log, want, strlen(want)) == 0, "log: %s", log);
    ck_assert_ptr_nonnull(strstr(log, "\tMemory Size: 128 MB\t"));
    resp_free(&r);
    free(ev.json);
    stop_clean(p);
}
END_TEST

/* An empty payload is the event {} (not a KDA event: the fake throws, as an
 * output function would); a body that is not JSON never reaches it. */
START_TEST(empty_and_not_json)
{
    struct proc *p = START(NULL);
    struct resp r;
    char url[256];
    snprintf(url, sizeof url, "%s" INVOKE("kdaout-fake"), p->base);
    http_do(&r, "POST", url, "", 0, 5000, NULL);
    assert_status(&r, 200);
    assert_header(&r, "X-Amz-Function-Error", "Unhandled");
    json_t *j = body_json(&r);
    ck_assert_str_eq(jstr(j, "errorType"), "InvalidEvent");
    json_decref(j);
    resp_free(&r);
    http_do(&r, "POST", url, "{\"records\":[", 12, 5000, NULL);
    j = assert_service_error(&r, 400, "InvalidRequestContentException");
    ck_assert(strncmp(jstr(j, "message"), "Could not parse request body into json", 38) == 0);
    json_decref(j);
    resp_free(&r);
    /* neither was logged as an invocation of the function's rules */
    json_t *arr, *doc = invocations(p, &arr);
    ck_assert_uint_eq(json_array_size(arr), 0);
    json_decref(doc);
    stop_clean(p);
}
END_TEST

/* ---- function names and qualifiers ---------------------------------------------- */

static void assert_invokes(const struct proc *p, const char *name_path, const char *version)
{
    struct event ev;
    struct resp r;
    char path[512];
    make_event(&ev, "0b7c1f2e-3d4a-4b5c-8d6e-7f8091a2b3c4", 2, NULL, NULL);
    const char *q = strchr(name_path, '?');
    snprintf(path, sizeof path, "/2015-03-31/functions/%.*s/invocations%s",
             (int)(q ? (size_t)(q - name_path) : strlen(name_path)), name_path, q ? q : "");
    invoke_event(&r, p, path, &ev, 5000);
    ck_assert_msg(r.rc == CURLE_OK && r.status == 200, "%s: HTTP %ld (%s), body %.200s", path,
                  r.status, curl_easy_strerror(r.rc), r.body);
    assert_header(&r, "X-Amz-Executed-Version", version);
    assert_all_ok(&r, &ev);
    resp_free(&r);
    free(ev.json);
}

/* Invokes `name` with a one-row event; the service's error answer, parsed. */
static json_t *invoke_refused(const struct proc *p, const char *name, long status,
                              const char *type, struct resp *r)
{
    struct event ev;
    char path[512];
    make_event(&ev, "0b7c1f2e-3d4a-4b5c-8d6e-7f8091a2b3c4", 1, NULL, NULL);
    snprintf(path, sizeof path, "/2015-03-31/functions/%s/invocations", name);
    invoke_event(r, p, path, &ev, 5000);
    free(ev.json);
    return assert_service_error(r, status, type);
}

/* A name that is not a function name, partial ARN or ARN: the service's
 * 400 ValidationException, before any lookup. */
static void assert_invalid_name(const struct proc *p, const char *name)
{
    struct resp r;
    json_t *j = invoke_refused(p, name, 400, "ValidationException", &r);
    ck_assert_msg(strstr(jstr(j, "Message"), "at 'functionName' failed to satisfy") != NULL,
                  "Message: %s", jstr(j, "Message"));
    json_decref(j);
    resp_free(&r);
}

static void assert_not_found(const struct proc *p, const char *name)
{
    struct resp r;
    json_t *j = invoke_refused(p, name, 404, "ResourceNotFoundException", &r);
    ck_assert_msg(strstr(jstr(j, "Message"), "Function not found: arn:aws:lambda:") != NULL,
                  "Message: %s", jstr(j, "Message"));
    assert_no_header(&r, "X-Amz-Executed-Version");
    json_decref(j);
    resp_free(&r);
}

START_TEST(names_default)
{
    struct proc *p = START(NULL);
    assert_invokes(p, "kdaout-fake", "$LATEST");
    assert_not_found(p, "other");
    stop_clean(p);
}
END_TEST

START_TEST(names_forms)
{
    struct proc *p = START("--function", "orders-out", "--function", "audit-out", NULL);
    assert_invokes(p, "orders-out", "$LATEST");
    assert_invokes(p, "audit-out", "$LATEST");
    assert_invokes(p, "123456789012:function:orders-out", "$LATEST");
    assert_invokes(p, "123456789012%3Afunction%3Aorders-out", "$LATEST"); /* as SDKs escape it */
    assert_invokes(p, "arn:aws:lambda:us-east-1:123456789012:function:audit-out", "$LATEST");
    assert_invokes(p, "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Aaudit-out",
                   "$LATEST");
    assert_invokes(p, "orders-out:prod", "$LATEST");
    assert_invokes(p, "orders-out?Qualifier=7", "7");
    assert_invokes(p, "orders-out?Qualifier=$LATEST", "$LATEST");
    assert_invokes(p, "arn:aws:lambda:us-east-1:123456789012:function:audit-out:12", "12");
    assert_invokes(p, "123456789012:function:orders-out:3", "3");
    assert_not_found(p, "kdaout-fake"); /* not served once --function is given */
    assert_not_found(p, "nope");
    assert_not_found(p, "arn:aws:lambda:us-east-1:123456789012:function:nope");
    assert_invalid_name(p, "orders-out:a:b");
    assert_invalid_name(p, "a-name-of-sixty-five-characters-is-one-more-than-lambda-allows-xx");

    /* each arrived under the name it was called by */
    json_t *arr, *doc = invocations(p, &arr);
    ck_assert_uint_eq(json_array_size(arr), 11);
    ck_assert_str_eq(jstr(json_array_get(arr, 0), "function"), "orders-out");
    ck_assert_str_eq(jstr(json_array_get(arr, 1), "function"), "audit-out");
    ck_assert_str_eq(jstr(json_array_get(arr, 2), "function"), "orders-out");
    ck_assert_str_eq(jstr(json_array_get(arr, 6), "qualifier"), "prod");
    ck_assert_str_eq(jstr(json_array_get(arr, 7), "qualifier"), "7");
    json_decref(doc);
    stop_clean(p);
}
END_TEST

START_TEST(names_any)
{
    struct proc *p = START("--function", "*", NULL);
    assert_invokes(p, "anything", "$LATEST");
    assert_invokes(p, "something-else?Qualifier=5", "5");
    assert_invokes(p, "arn:aws:lambda:us-east-1:123456789012:function:third", "$LATEST");
    json_t *arr, *doc = invocations(p, &arr);
    ck_assert_uint_eq(json_array_size(arr), 3);
    ck_assert_str_eq(jstr(json_array_get(arr, 0), "function"), "anything");
    ck_assert_str_eq(jstr(json_array_get(arr, 1), "function"), "something-else");
    ck_assert_str_eq(jstr(json_array_get(arr, 2), "function"), "third");
    json_decref(doc);
    stop_clean(p);
}
END_TEST

/* Each --function is a function of its own, with its own rule state (a
 * `times: 1` rule fires once per function), and adding '*' must not change
 * that.  lambda_server.c find_fn() returns the first function for every name
 * as soon as '*' is among them, so b shares a's fake. */
START_TEST(names_wildcard_keeps_functions_apart)
{
    const char *rules = tmp_path("rules.yaml");
    write_file(rules, "- {match: {times: 1}, action: service_error}\n");
    struct proc *p;
    struct event ev;
    struct resp r;
    make_event(&ev, "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, NULL, NULL);
    /* without '*': a and b each fail once */
    p = START("--rules", rules, "--function", "a", "--function", "b", NULL);
    invoke_event(&r, p, INVOKE("a"), &ev, 5000);
    ck_assert_int_eq(r.status, 500);
    resp_free(&r);
    invoke_event(&r, p, INVOKE("b"), &ev, 5000);
    ck_assert_int_eq(r.status, 500);
    resp_free(&r);
    stop_clean(p);
    /* with '*' as well: the same for a and b */
    p = START("--rules", rules, "--function", "a", "--function", "b", "--function", "*", NULL);
    invoke_event(&r, p, INVOKE("a"), &ev, 5000);
    ck_assert_int_eq(r.status, 500);
    resp_free(&r);
    invoke_event(&r, p, INVOKE("b"), &ev, 5000);
    ck_assert_msg(r.status == 500,
                  "b answered HTTP %ld: with '*' served too, b shares a's rule state", r.status);
    resp_free(&r);
    free(ev.json);
    stop_clean(p);
}
END_TEST

/* ---- GetFunctionConfiguration ------------------------------------------------------ */

static void assert_configuration(const struct proc *p, const char *name, int timeout_s,
                                 int memory_mb)
{
    struct resp r;
    char path[256], arn[256], id[64];
    snprintf(path, sizeof path, "/2015-03-31/functions/%s/configuration", name);
    get(&r, p, path);
    assert_status(&r, 200);
    request_id(&r, id);
    json_t *j = body_json(&r);
    snprintf(arn, sizeof arn, "arn:aws:lambda:us-east-1:123456789012:function:%s", name);
    ck_assert_str_eq(jstr(j, "FunctionName"), name);
    ck_assert_str_eq(jstr(j, "FunctionArn"), arn);
    ck_assert_msg(json_is_integer(json_object_get(j, "Timeout")), "Timeout is not an integer");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "Timeout")), timeout_s);
    ck_assert_msg(json_is_integer(json_object_get(j, "MemorySize")), "MemorySize not an integer");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "MemorySize")), memory_mb);
    ck_assert_str_eq(jstr(j, "State"), "Active");
    ck_assert_str_eq(jstr(j, "LastUpdateStatus"), "Successful");
    ck_assert_str_eq(jstr(j, "Version"), "$LATEST");
    ck_assert_msg(strncmp(jstr(j, "Role"), "arn:aws:iam::123456789012:role/", 31) == 0, "Role: %s",
                  jstr(j, "Role"));
    ck_assert_msg(jstr(j, "Runtime")[0] != '\0', "empty Runtime");
    ck_assert_msg(jstr(j, "Handler")[0] != '\0', "empty Handler");
    json_decref(j);
    resp_free(&r);
}

START_TEST(configuration)
{
    struct proc *p = START("--timeout", "7s", "--memory", "512", "--function", "cfg-fn", NULL);
    assert_configuration(p, "cfg-fn", 7, 512);
    struct resp r;
    get(&r, p, "/2015-03-31/functions/missing-fn/configuration");
    json_decref(assert_service_error(&r, 404, "ResourceNotFoundException"));
    resp_free(&r);
    /* POST to configuration / GET to invocations: wrong method */
    post(&r, p, "/2015-03-31/functions/cfg-fn/configuration", "{}", 2, 5000);
    ck_assert_int_eq(r.status, 405);
    resp_free(&r);
    stop_clean(p);

    p = START(NULL); /* defaults: Timeout 3, MemorySize 128 */
    assert_configuration(p, "kdaout-fake", 3, 128);
    stop_clean(p);
}
END_TEST

/* ---- function errors and timeouts --------------------------------------------------- */

START_TEST(function_error)
{
    struct proc *p = START("--fail", "function_error", NULL);
    struct event ev;
    struct resp r;
    char id[64];
    make_event(&ev, "9c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 2, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    assert_status(&r, 200);
    request_id(&r, id);
    assert_header(&r, "X-Amz-Function-Error", "Unhandled");
    assert_header(&r, "X-Amz-Executed-Version", "$LATEST");
    assert_no_header(&r, "x-amzn-ErrorType");
    json_t *j = body_json(&r);
    ck_assert_msg(jstr(j, "errorType")[0] != '\0', "empty errorType");
    ck_assert_msg(jstr(j, "errorMessage")[0] != '\0', "empty errorMessage");
    ck_assert_msg(json_is_array(json_object_get(j, "stackTrace")), "no stackTrace array");
    ck_assert_ptr_null(json_object_get(j, "records"));
    json_decref(j);
    resp_free(&r);

    json_t *arr, *doc = invocations(p, &arr);
    ck_assert_uint_eq(json_array_size(arr), 1);
    json_t *inv = json_array_get(arr, 0);
    ck_assert_str_eq(jstr(inv, "functionError"), "Unhandled");
    ck_assert_str_eq(jstr(inv, "requestId"), id);
    ck_assert_int_eq(json_integer_value(json_object_get(inv, "status")), 200);
    json_decref(doc);
    free(ev.json);
    stop_clean(p);
}
END_TEST

static void assert_timed_out(const struct resp *r, const char *seconds)
{
    char id[64], want[256];
    assert_status(r, 200);
    request_id(r, id);
    assert_header(r, "X-Amz-Function-Error", "Unhandled");
    json_t *j = body_json(r);
    ck_assert_str_eq(jstr(j, "errorType"), "Sandbox.Timedout");
    snprintf(want, sizeof want, "RequestId: %s Error: Task timed out after %s seconds", id,
             seconds);
    ck_assert_str_eq(jstr(j, "errorMessage"), want);
    json_decref(j);
}

START_TEST(timeout_rule)
{
    struct proc *p = START("--timeout", "1s", "--fail", "timeout", NULL);
    struct event ev;
    struct resp r;
    make_event(&ev, "aa1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 2, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 10000);
    assert_timed_out(&r, "1.00");
    ck_assert_msg(r.secs >= 0.9, "timed out after %.3f s, expected >= 1 s", r.secs);
    ck_assert_msg(r.secs < 5.0, "timed out after %.3f s, expected about 1 s", r.secs);
    char id[64];
    request_id(&r, id);
    resp_free(&r);

    json_t *arr, *doc = invocations(p, &arr);
    json_t *inv = json_array_get(arr, 0);
    ck_assert_str_eq(jstr(inv, "requestId"), id);
    ck_assert_str_eq(jstr(inv, "functionError"), "Unhandled");
    ck_assert_str_eq(jstr(inv, "errorType"), "Sandbox.Timedout");
    json_decref(doc);
    free(ev.json);
    stop_clean(p);
}
END_TEST

START_TEST(latency)
{
    /* latency past the Timeout: the same Sandbox.Timedout, at the Timeout */
    struct proc *p = START("--timeout", "1s", "--latency", "3s", NULL);
    struct event ev;
    struct resp r;
    make_event(&ev, "bb1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 2, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 10000);
    assert_timed_out(&r, "1.00");
    ck_assert_msg(r.secs >= 0.9, "timed out after %.3f s, expected >= 1 s", r.secs);
    ck_assert_msg(r.secs < 2.5, "timed out after %.3f s: the Timeout (1 s), not the latency (3 s)",
                  r.secs);
    resp_free(&r);
    stop_clean(p);

    /* latency within the Timeout: Ok, but not before the latency */
    p = START("--timeout", "2s", "--latency", "400ms", NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 10000);
    assert_status(&r, 200);
    assert_all_ok(&r, &ev);
    ck_assert_msg(r.secs >= 0.35, "answered after %.3f s, expected >= 0.4 s", r.secs);
    ck_assert_msg(r.secs < 1.9, "answered after %.3f s, expected about 0.4 s", r.secs);
    resp_free(&r);
    free(ev.json);
    stop_clean(p);
}
END_TEST

/* ---- service errors --------------------------------------------------------------- */

START_TEST(too_large)
{
    struct proc *p = START(NULL);
    struct resp r;
    char *body = event_of_size(MAX_EVENT + 1);
    post(&r, p, INVOKE("kdaout-fake"), body, MAX_EVENT + 1, 30000);
    json_t *j = assert_service_error(&r, 413, "RequestEntityTooLargeException");
    ck_assert_str_eq(jstr(j, "Message"),
                     "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
    json_decref(j);
    resp_free(&r);
    free(body);

    /* exactly the limit is a valid event, invoked normally */
    body = event_of_size(MAX_EVENT);
    post(&r, p, INVOKE("kdaout-fake"), body, MAX_EVENT, 30000);
    assert_status(&r, 200);
    j = body_json(&r);
    json_t *recs = json_object_get(j, "records");
    ck_assert_uint_eq(json_array_size(recs), 1);
    ck_assert_str_eq(jstr(json_array_get(recs, 0), "result"), "Ok");
    json_decref(j);
    resp_free(&r);
    free(body);

    /* far over the limit */
    size_t big = 7u << 20;
    body = event_of_size(big);
    post(&r, p, INVOKE("kdaout-fake"), body, big, 30000);
    json_decref(assert_service_error(&r, 413, "RequestEntityTooLargeException"));
    resp_free(&r);
    free(body);

    json_t *arr, *doc = invocations(p, &arr);
    ck_assert_uint_eq(json_array_size(arr), 1); /* only the one that ran */
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(arr, 0), "bytes")),
                     MAX_EVENT);
    json_decref(doc);
    stop_clean(p);
}
END_TEST

START_TEST(throttle)
{
    struct proc *p = START("--fail", "throttle", NULL);
    struct event ev;
    struct resp r;
    make_event(&ev, "cc1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    json_t *j = assert_service_error(&r, 429, "TooManyRequestsException");
    ck_assert_msg(jstr(j, "Reason")[0] != '\0', "empty Reason");
    json_t *ra = json_object_get(j, "retryAfterSeconds");
    ck_assert_msg(json_is_string(ra) || json_is_integer(ra), "no retryAfterSeconds: %s", r.body);
    assert_no_header(&r, "X-Amz-Executed-Version");
    json_decref(j);
    resp_free(&r);
    free(ev.json);
    stop_clean(p);
}
END_TEST

START_TEST(service_error)
{
    struct proc *p = START("--fail", "service_error", NULL);
    struct event ev;
    struct resp r;
    make_event(&ev, "dd1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    json_decref(assert_service_error(&r, 500, "ServiceException"));
    resp_free(&r);
    free(ev.json);
    stop_clean(p);
}
END_TEST

START_TEST(not_json)
{
    static const char *const bodies[] = {"this is not JSON", "{\"records\": [", "{\"a\":1}x"};
    struct proc *p = START(NULL);
    struct resp r;
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        post(&r, p, INVOKE("kdaout-fake"), bodies[i], strlen(bodies[i]), 5000);
        json_decref(assert_service_error(&r, 400, "InvalidRequestContentException"));
        resp_free(&r);
    }
    /* JSON, but not a KDA event: the function itself fails (pinned) */
    post(&r, p, INVOKE("kdaout-fake"), "{\"hello\":1}", 11, 5000);
    assert_status(&r, 200);
    assert_header(&r, "X-Amz-Function-Error", "Unhandled");
    resp_free(&r);
    stop_clean(p);
}
END_TEST

/* ---- per-record faults from a rules file -------------------------------------------- */

static struct proc *start_with_rules(const char *yaml)
{
    const char *path = tmp_path("rules.yaml");
    write_file(path, yaml);
    return START("--rules", path, NULL);
}

START_TEST(rules_attempt)
{
    struct proc *p = start_with_rules("- {match: {attempt: 1}, action: delivery_failed}\n");
    static const uint64_t hints[] = {0, 1, 0, 5};
    struct event ev;
    struct resp r;
    make_event(&ev, "ee1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 4, NULL, hints);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    assert_status(&r, 200);
    assert_no_header(&r, "X-Amz-Function-Error");
    json_t *j = body_json(&r), *recs = json_object_get(j, "records");
    ck_assert_uint_eq(json_array_size(recs), 4);
    static const char *const want[] = {"DeliveryFailed", "Ok", "DeliveryFailed", "Ok"};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(jstr(json_array_get(recs, i), "recordId"), ev.ids[i]);
        ck_assert_str_eq(jstr(json_array_get(recs, i), "result"), want[i]);
    }
    json_decref(j);
    resp_free(&r);

    json_t *arr, *doc = invocations(p, &arr);
    json_t *h = json_object_get(json_array_get(arr, 0), "retryHints");
    ck_assert_uint_eq(json_array_size(h), 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(json_integer_value(json_array_get(h, i)), (json_int_t)hints[i]);
    json_decref(doc);
    free(ev.json);
    stop_clean(p);
}
END_TEST

static const char record_rules[] =
    "- {name: poison, match: {contains: POISON}, action: function_error, value: poison pill "
    "found}\n"
    "- {match: {contains: OMITME}, action: omit}\n"
    "- {match: {contains: WRONGID}, action: wrong_id}\n"
    "- {match: {contains: NOID}, action: missing_id}\n"
    "- {match: {contains: NORESULT}, action: missing_result}\n"
    "- {match: {contains: BADRESULT}, action: bad_result}\n"
    "- {match: {contains: DUPID}, action: duplicate_id}\n"
    "- {match: {contains: FLAKY, attempt: 1}, action: delivery_failed}\n";

START_TEST(rules_records)
{
    static const char *const rows[] = {
        "{\"T\":\"FINE\"}",     "{\"T\":\"OMITME\"}",    "{\"T\":\"WRONGID\"}", "{\"T\":\"NOID\"}",
        "{\"T\":\"NORESULT\"}", "{\"T\":\"BADRESULT\"}", "{\"T\":\"DUPID\"}",   "{\"T\":\"FLAKY\"}",
    };
    struct proc *p = start_with_rules(record_rules);
    struct event ev;
    struct resp r;
    char wrong[128];
    make_event(&ev, "ff1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 8, rows, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    assert_status(&r, 200);
    assert_no_header(&r, "X-Amz-Function-Error");
    json_t *j = body_json(&r), *recs = json_object_get(j, "records"), *e;
    ck_assert_msg(json_array_size(recs) == 8, "%zu entries: %s", json_array_size(recs), r.body);
    /* FINE */
    e = json_array_get(recs, 0);
    ck_assert_str_eq(jstr(e, "recordId"), ev.ids[0]);
    ck_assert_str_eq(jstr(e, "result"), "Ok");
    /* OMITME: absent, so WRONGID comes next, with an id that was not sent */
    e = json_array_get(recs, 1);
    snprintf(wrong, sizeof wrong, "%s", jstr(e, "recordId"));
    for (size_t i = 0; i < 8; i++)
        ck_assert_str_ne(wrong, ev.ids[i]);
    ck_assert_str_eq(jstr(e, "result"), "Ok");
    /* NOID */
    e = json_array_get(recs, 2);
    ck_assert_ptr_null(json_object_get(e, "recordId"));
    ck_assert_str_eq(jstr(e, "result"), "Ok");
    /* NORESULT */
    e = json_array_get(recs, 3);
    ck_assert_str_eq(jstr(e, "recordId"), ev.ids[4]);
    ck_assert_ptr_null(json_object_get(e, "result"));
    /* BADRESULT */
    e = json_array_get(recs, 4);
    ck_assert_str_eq(jstr(e, "recordId"), ev.ids[5]);
    ck_assert_str_ne(jstr(e, "result"), "Ok");
    ck_assert_str_ne(jstr(e, "result"), "DeliveryFailed");
    /* DUPID twice */
    ck_assert_str_eq(jstr(json_array_get(recs, 5), "recordId"), ev.ids[6]);
    ck_assert_str_eq(jstr(json_array_get(recs, 6), "recordId"), ev.ids[6]);
    ck_assert_str_eq(jstr(json_array_get(recs, 6), "result"), "Ok");
    /* FLAKY at attempt 1 */
    e = json_array_get(recs, 7);
    ck_assert_str_eq(jstr(e, "recordId"), ev.ids[7]);
    ck_assert_str_eq(jstr(e, "result"), "DeliveryFailed");
    json_decref(j);
    resp_free(&r);
    free(ev.json);

    /* FLAKY again with retryHint 1 (attempt 2): Ok */
    static const uint64_t hint1[] = {1};
    make_event(&ev, "0a1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, rows + 7, hint1);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    assert_status(&r, 200);
    assert_all_ok(&r, &ev);
    resp_free(&r);
    free(ev.json);
    stop_clean(p);
}
END_TEST

START_TEST(rules_poison_pill)
{
    static const char *const rows[] = {"{\"T\":\"AMZN\"}", "{\"T\":\"POISON\"}", "{\"T\":\"IBM\"}"};
    struct proc *p = start_with_rules(record_rules);
    struct event ev;
    struct resp r;
    make_event(&ev, "1a1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 3, rows, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    assert_status(&r, 200);
    assert_header(&r, "X-Amz-Function-Error", "Unhandled");
    json_t *j = body_json(&r);
    ck_assert_str_eq(jstr(j, "errorMessage"), "poison pill found");
    ck_assert_msg(json_is_array(json_object_get(j, "stackTrace")), "no stackTrace");
    json_decref(j);
    resp_free(&r);
    free(ev.json);

    /* the same batch without the pill is fine */
    static const char *const clean[] = {"{\"T\":\"AMZN\"}", "{\"T\":\"IBM\"}"};
    make_event(&ev, "2a1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 2, clean, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    assert_status(&r, 200);
    assert_all_ok(&r, &ev);
    resp_free(&r);
    free(ev.json);

    json_t *arr, *doc = invocations(p, &arr);
    ck_assert_uint_eq(json_array_size(arr), 2);
    ck_assert_str_eq(jstr(json_array_get(arr, 0), "functionError"), "Unhandled");
    ck_assert(json_is_null(json_object_get(json_array_get(arr, 1), "functionError")));
    json_decref(doc);
    stop_clean(p);
}
END_TEST

/* `times` and `--fail-probability`: deterministic counts. */
START_TEST(rules_times)
{
    struct proc *p = start_with_rules("- {match: {times: 2}, action: service_error}\n");
    struct event ev;
    struct resp r;
    make_event(&ev, "3b1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, NULL, NULL);
    for (int i = 0; i < 3; i++) {
        invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
        ck_assert_msg(r.status == (i < 2 ? 500 : 200), "invocation %d: HTTP %ld", i + 1, r.status);
        resp_free(&r);
    }
    stop_clean(p);
    p = START("--fail", "throttle", "--fail-probability", "0", NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    assert_status(&r, 200);
    assert_all_ok(&r, &ev);
    resp_free(&r);
    free(ev.json);
    stop_clean(p);
}
END_TEST

/* A rules file may also set the function: {timeout, memory, rules}. */
START_TEST(rules_file_function)
{
    struct proc *p =
        start_with_rules("timeout: 2s\nmemory: 256\n"
                         "rules:\n  - {match: {attempt: 1}, action: delivery_failed}\n");
    assert_configuration(p, "kdaout-fake", 2, 256);
    struct event ev;
    struct resp r;
    make_event(&ev, "4b1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    assert_status(&r, 200);
    json_t *j = body_json(&r);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(j, "records"), 0), "result"),
                     "DeliveryFailed");
    json_decref(j);
    resp_free(&r);
    free(ev.json);
    stop_clean(p);
}
END_TEST

/* recordIds that need JSON escapes come back as the same strings. */
START_TEST(escaped_record_ids)
{
    static const char event[] =
        "{\"invocationId\":\"5b1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5\",\"applicationArn\":\"" ARN "\","
        "\"records\":["
        "{\"recordId\":\"q\\\"uote\\\\back\",\"lambdaDeliveryRecordMetadata\":{\"retryHint\":0},"
        "\"data\":\"aGk=\"},"
        "{\"recordId\":\"caf\\u00e9\\ttab\",\"lambdaDeliveryRecordMetadata\":{\"retryHint\":0},"
        "\"data\":\"aGk=\"},"
        "{\"recordId\":\"emoji\\ud83d\\ude00\",\"lambdaDeliveryRecordMetadata\":{\"retryHint\":0},"
        "\"data\":\"aGk=\"}]}";
    static const char *const want[] = {"q\"uote\\back", "caf\xc3\xa9\ttab",
                                       "emoji\xf0\x9f\x98\x80"};
    struct proc *p = START(NULL);
    struct resp r;
    post(&r, p, INVOKE("kdaout-fake"), event, sizeof event - 1, 5000);
    assert_status(&r, 200);
    json_t *j = body_json(&r), *recs = json_object_get(j, "records");
    ck_assert_uint_eq(json_array_size(recs), 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_str_eq(jstr(json_array_get(recs, i), "recordId"), want[i]);
        ck_assert_str_eq(jstr(json_array_get(recs, i), "result"), "Ok");
    }
    json_decref(j);
    resp_free(&r);
    stop_clean(p);
}
END_TEST

/* A reply over 6,291,556 bytes is the function error Function.ResponseSizeTooLarge. */
START_TEST(response_too_large)
{
    struct proc *p = start_with_rules("- {action: duplicate_id}\n");
    /* 4,000 records with 1,000-digit ids: a ~4.3 MB event, a ~8.2 MB reply */
    size_t n = 4000, idlen = 1000, cap = n * (idlen + 100) + 256, len = 0;
    char *ev = malloc(cap);
    ck_assert_ptr_nonnull(ev);
    len += (size_t)snprintf(ev + len, cap - len,
                            "{\"invocationId\":\"6b1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5\","
                            "\"applicationArn\":\"" ARN "\",\"records\":[");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(ev + len, cap - len,
                                "%s{\"recordId\":\"%0*zu\",\"lambdaDeliveryRecordMetadata\":"
                                "{\"retryHint\":0},\"data\":\"aGk=\"}",
                                i ? "," : "", (int)idlen, i);
    len += (size_t)snprintf(ev + len, cap - len, "]}");
    ck_assert_uint_lt(len, MAX_EVENT);
    struct resp r;
    post(&r, p, INVOKE("kdaout-fake"), ev, len, 30000);
    assert_status(&r, 200);
    assert_header(&r, "X-Amz-Function-Error", "Unhandled");
    json_t *j = body_json(&r);
    ck_assert_str_eq(jstr(j, "errorType"), "Function.ResponseSizeTooLarge");
    json_decref(j);
    resp_free(&r);
    free(ev);
    stop_clean(p);
}
END_TEST

/* Slow replies are parked: parallel invocations overlap, and a health check
 * is answered while they wait. */
START_TEST(slow_replies_do_not_block)
{
    struct proc *p = START("--latency", "1s", NULL);
    struct event ev;
    char url[256];
    make_event(&ev, "7b1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, NULL, NULL);
    snprintf(url, sizeof url, "%s" INVOKE("kdaout-fake"), p->base);
    CURLM *m = curl_multi_init();
    CURL *e[4];
    for (int i = 0; i < 4; i++) {
        e[i] = curl_easy_init();
        curl_easy_setopt(e[i], CURLOPT_URL, url);
        curl_easy_setopt(e[i], CURLOPT_POSTFIELDS, ev.json);
        curl_easy_setopt(e[i], CURLOPT_TIMEOUT_MS, 10000L);
        curl_easy_setopt(e[i], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, on_discard);
        curl_multi_add_handle(m, e[i]);
    }
    int running = 1, ok = 0;
    double t0 = now_s();
    while (now_s() - t0 < 0.3) { /* send them */
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 50, NULL);
    }
    struct resp h;
    get(&h, p, "/_kdaout/health");
    assert_status(&h, 200);
    resp_free(&h);
    ck_assert_msg(now_s() - t0 < 0.95, "health answered after %.3f s, behind the parked replies",
                  now_s() - t0);
    while (running && now_s() - t0 < 10) {
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    double secs = now_s() - t0;
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m, &left)) != NULL) {
        long status = 0;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        ok += msg->msg == CURLMSG_DONE && msg->data.result == CURLE_OK && status == 200;
    }
    for (int i = 0; i < 4; i++) {
        curl_multi_remove_handle(m, e[i]);
        curl_easy_cleanup(e[i]);
    }
    curl_multi_cleanup(m);
    ck_assert_int_eq(ok, 4);
    ck_assert_msg(secs >= 0.9, "4 invocations of 1 s each took %.3f s", secs);
    ck_assert_msg(secs < 2.5, "4 parallel invocations of 1 s each took %.3f s: serialised?", secs);
    free(ev.json);
    stop_clean(p);
}
END_TEST

START_TEST(sigint_stops)
{
    struct proc *p = START(NULL);
    int status = 0;
    kill(p->pid, SIGINT);
    ck_assert_msg(wait_exit(p->pid, 2000, &status), "still running 2 s after SIGINT");
    p->pid = -1;
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
}
END_TEST

/* ---- transport faults ------------------------------------------------------------- */

/* An invocation left in flight while the test does something else. */
struct async {
    CURLM *m;
    CURL *e;
    CURLcode rc;
    long status;
};

static void async_pump(struct async *a, double seconds)
{
    int running = 1;
    double end = now_s() + seconds;
    while (running && now_s() < end) {
        curl_multi_perform(a->m, &running);
        curl_multi_poll(a->m, NULL, 0, 20, NULL);
    }
}

/* Starts invoking ev on p and pumps for ms milliseconds. */
static void async_start(struct async *a, const struct proc *p, const struct event *ev, int ms)
{
    char url[256];
    snprintf(url, sizeof url, "%s" INVOKE("kdaout-fake"), p->base);
    a->m = curl_multi_init();
    a->e = curl_easy_init();
    curl_easy_setopt(a->e, CURLOPT_URL, url);
    curl_easy_setopt(a->e, CURLOPT_POSTFIELDS, ev->json);
    curl_easy_setopt(a->e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(a->e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(a->e, CURLOPT_WRITEFUNCTION, on_discard);
    curl_multi_add_handle(a->m, a->e);
    async_pump(a, ms / 1000.0);
}

/* Lets it end (at most 5 s) and records how. */
static void async_finish(struct async *a)
{
    CURLMsg *msg;
    int left;
    async_pump(a, 5.0);
    a->rc = CURLE_OPERATION_TIMEDOUT;
    while ((msg = curl_multi_info_read(a->m, &left)) != NULL)
        if (msg->msg == CURLMSG_DONE)
            a->rc = msg->data.result;
    curl_easy_getinfo(a->e, CURLINFO_RESPONSE_CODE, &a->status);
    curl_multi_remove_handle(a->m, a->e);
    curl_easy_cleanup(a->e);
    curl_multi_cleanup(a->m);
}

START_TEST(drop_connection)
{
    struct proc *p = START("--fail", "drop_connection", NULL);
    struct event ev;
    struct resp r;
    make_event(&ev, "3a1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 2, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    ck_assert_msg(r.rc != CURLE_OK && r.rc != CURLE_OPERATION_TIMEDOUT,
                  "curl: %s, expected a closed connection", curl_easy_strerror(r.rc));
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(r.len, 0);
    resp_free(&r);
    json_t *arr, *doc = invocations(p, &arr); /* it did arrive */
    ck_assert_uint_eq(json_array_size(arr), 1);
    json_decref(doc);
    free(ev.json);
    stop_clean(p);
}
END_TEST

START_TEST(truncate_body)
{
    struct proc *p = START("--fail", "truncate_body", NULL);
    struct event ev;
    struct resp r;
    make_event(&ev, "4a1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 10, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    ck_assert_msg(r.rc == CURLE_PARTIAL_FILE || r.rc == CURLE_RECV_ERROR,
                  "curl: %s, expected a transfer cut short", curl_easy_strerror(r.rc));
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(r.content_length > 0 && (curl_off_t)r.len < r.content_length,
                  "got %zu bytes of Content-Length %" CURL_FORMAT_CURL_OFF_T, r.len,
                  r.content_length);
    json_error_t err;
    json_t *j = json_loadb(r.body, r.len, 0, &err);
    ck_assert_msg(j == NULL, "a cut body still parses: %s", r.body);
    resp_free(&r);
    free(ev.json);
    stop_clean(p);
}
END_TEST

START_TEST(dribble)
{
    struct proc *p = START("--fail", "dribble", NULL);
    struct event ev;
    struct resp r;
    make_event(&ev, "5a1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 25, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 20000);
    assert_status(&r, 200);
    assert_all_ok(&r, &ev);
    ck_assert_int_eq(r.content_length, (curl_off_t)r.len);
    size_t pieces = (r.len + 63) / 64;
    double expected = (double)pieces * 0.064;
    ck_assert_msg(r.len > 1500, "body of %zu bytes: too small to see dribbling", r.len);
    ck_assert_msg(r.secs >= (double)(pieces - 1) * 0.064 * 0.9,
                  "%zu bytes (%zu pieces) arrived in %.3f s, expected >= %.3f s", r.len, pieces,
                  r.secs, (double)(pieces - 1) * 0.064);
    ck_assert_msg(r.secs < 2 * expected + 1.0, "%zu pieces took %.3f s, expected about %.3f s",
                  pieces, r.secs, expected);
    resp_free(&r);
    /* SIGTERM in the middle of a dribble: a clean stop, the transfer cut short */
    struct async a;
    async_start(&a, p, &ev, 500);
    stop_clean(p);
    async_finish(&a);
    ck_assert_msg(a.rc != CURLE_OK && a.rc != CURLE_OPERATION_TIMEDOUT,
                  "a dribble cut by SIGTERM ended with: %s", curl_easy_strerror(a.rc));
    free(ev.json);
}
END_TEST

START_TEST(hang)
{
    struct proc *p = START("--fail", "hang", NULL);
    struct event ev;
    struct resp r;
    make_event(&ev, "6a1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 2, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 1000);
    ck_assert_msg(r.rc == CURLE_OPERATION_TIMEDOUT, "curl: %s, expected a client timeout",
                  curl_easy_strerror(r.rc));
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(r.secs >= 0.9, "gave up after %.3f s", r.secs);
    resp_free(&r);
    /* a second one, still parked when SIGTERM comes */
    struct async a;
    async_start(&a, p, &ev, 500);
    stop_clean(p);
    async_finish(&a);
    ck_assert_int_eq(a.status, 0);
    free(ev.json);
}
END_TEST

/* ---- admin endpoints -------------------------------------------------------------- */

START_TEST(admin)
{
    struct proc *p = START("--function", "adm", NULL);
    struct resp r;
    get(&r, p, "/_kdaout/health");
    assert_status(&r, 200);
    json_t *j = body_json(&r);
    ck_assert_str_eq(jstr(j, "status"), "ok");
    json_decref(j);
    resp_free(&r);

    static const uint64_t hints1[] = {0, 0, 0}, hints2[] = {2};
    struct event e1, e2;
    char id1[64], id2[64];
    make_event(&e1, "7a1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 3, NULL, hints1);
    make_event(&e2, "8a1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, NULL, hints2);
    invoke_event(&r, p, INVOKE("adm"), &e1, 5000);
    assert_status(&r, 200);
    request_id(&r, id1);
    resp_free(&r);
    invoke_event(&r, p, INVOKE("adm") "?Qualifier=4", &e2, 5000);
    assert_status(&r, 200);
    request_id(&r, id2);
    resp_free(&r);

    json_t *arr, *doc = invocations(p, &arr);
    ck_assert_uint_eq(json_array_size(arr), 2);
    json_t *a = json_array_get(arr, 0), *b = json_array_get(arr, 1);
    ck_assert_str_eq(jstr(a, "function"), "adm");
    ck_assert_str_eq(jstr(a, "requestId"), id1);
    ck_assert_str_eq(jstr(a, "invocationId"), "7a1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5");
    json_t *ids = json_object_get(a, "recordIds"), *hs = json_object_get(a, "retryHints");
    ck_assert_uint_eq(json_array_size(ids), 3);
    ck_assert_uint_eq(json_array_size(hs), 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_str_eq(json_string_value(json_array_get(ids, i)), e1.ids[i]);
        ck_assert_int_eq(json_integer_value(json_array_get(hs, i)), 0);
    }
    ck_assert_int_eq(json_integer_value(json_object_get(a, "status")), 200);
    ck_assert(json_is_null(json_object_get(a, "functionError")));
    ck_assert_str_eq(jstr(b, "requestId"), id2);
    ck_assert_str_eq(jstr(b, "qualifier"), "4");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(b, "recordIds"), 0)),
                     e2.ids[0]);
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(b, "retryHints"), 0)), 2);
    json_decref(doc);

    post(&r, p, "/_kdaout/reset", "", 0, 5000);
    assert_status(&r, 200);
    j = body_json(&r);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "reset")), 2);
    json_decref(j);
    resp_free(&r);
    doc = invocations(p, &arr);
    ck_assert_uint_eq(json_array_size(arr), 0);
    json_decref(doc);

    /* wrong methods and unknown paths */
    get(&r, p, "/_kdaout/reset");
    ck_assert_int_eq(r.status, 405);
    resp_free(&r);
    get(&r, p, "/nowhere");
    ck_assert_int_eq(r.status, 404);
    resp_free(&r);
    free(e1.json);
    free(e2.json);
    stop_clean(p);
}
END_TEST

/* ---- safety: binding, limits, idle time, bad options ----------------------------------- */

static int raw_connect(const char *host, unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    ck_assert_int_ge(fd, 0);
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void raw_send(int fd, const char *s)
{
    ck_assert_int_eq(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Reads until a whole HTTP reply (head + Content-Length body) or EOF/timeout.
 * Returns bytes read (0 = nothing, EOF or timeout). */
static size_t raw_reply(int fd, char *buf, size_t n, int timeout_ms)
{
    size_t len = 0;
    double end = now_s() + timeout_ms / 1000.0;
    while (len + 1 < n) {
        struct pollfd pfd = {fd, POLLIN, 0};
        int left = (int)((end - now_s()) * 1000);
        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            break;
        ssize_t got = recv(fd, buf + len, n - len - 1, 0);
        if (got <= 0)
            break;
        len += (size_t)got;
        buf[len] = '\0';
        const char *eoh = strstr(buf, "\r\n\r\n"), *cl = strcasestr(buf, "Content-Length:");
        if (eoh && cl && len >= (size_t)(eoh + 4 - buf) + strtoul(cl + 15, NULL, 10))
            break;
    }
    buf[len] = '\0';
    return len;
}

/* Seconds until the peer closes fd (reading and discarding), or -1 after timeout_ms. */
static double seconds_to_eof(int fd, int timeout_ms)
{
    double t0 = now_s(), end = t0 + timeout_ms / 1000.0;
    char buf[512];
    for (;;) {
        struct pollfd pfd = {fd, POLLIN, 0};
        int left = (int)((end - now_s()) * 1000);
        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            return -1;
        ssize_t got = recv(fd, buf, sizeof buf, 0);
        if (got <= 0)
            return now_s() - t0;
    }
}

static const char health_req[] = "GET /_kdaout/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

START_TEST(default_bind)
{
    /* no --listen: 127.0.0.1:9001, or (if 9001 is taken) an error naming it */
    struct proc *p = new_proc();
    char *argv[] = {(char *)kdaout_path, "fake-lambda", NULL}, line[256];
    int status;
    p->pid = spawn(argv, NULL, &p->out_fd, NULL, p->err_path);
    if (read_line(p->out_fd, line, sizeof line, 10000) == 0) {
        ck_assert_str_eq(line, "listening on http://127.0.0.1:9001\n");
        stop_clean(p);
    } else {
        ck_assert_msg(wait_exit(p->pid, 5000, &status), "no line and no exit");
        p->pid = -1;
        char *err = read_file(p->err_path, NULL);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d", status);
        ck_assert_msg(strstr(err, "127.0.0.1:9001") != NULL, "stderr: %s", err);
        free(err);
    }
}
END_TEST

START_TEST(ephemeral_port)
{
    struct proc *a = START(NULL), *b = START(NULL);
    ck_assert_str_eq(a->host, "127.0.0.1");
    ck_assert_str_eq(b->host, "127.0.0.1");
    ck_assert_uint_ne(a->port, b->port);
    /* bound to 127.0.0.1 only: another loopback address does not reach it */
    int fd = raw_connect("127.0.0.2", a->port);
    ck_assert_msg(fd < 0, "127.0.0.2:%u accepted a connection: not bound to 127.0.0.1 only",
                  a->port);
    fd = raw_connect("127.0.0.1", a->port);
    ck_assert_int_ge(fd, 0);
    close(fd);
    stop_clean(a);
    stop_clean(b);
}
END_TEST

/* A raw POST of ev to kdaout-fake, head and body in one go. */
static void raw_invoke(int fd, const struct event *ev)
{
    char head[256];
    snprintf(head, sizeof head,
             "POST " INVOKE("kdaout-fake") " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Content-Length: %zu\r\n\r\n", ev->len);
    raw_send(fd, head);
    raw_send(fd, ev->json);
}

/* Pinned: at the limit, while the others are busy answering, the third
 * connection is not refused; it waits in the listen queue and is served as
 * soon as a slot frees.  (Connections that only wait for a request give way
 * to a newcomer instead: see room_at_the_connection_limit.) */
START_TEST(max_connections)
{
    struct proc *p = START("--max-connections", "2", "--latency", "2s", NULL);
    char buf[2048];
    struct event ev;
    make_event(&ev, "9b1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, NULL, NULL);
    int a = raw_connect("127.0.0.1", p->port), b = raw_connect("127.0.0.1", p->port);
    ck_assert(a >= 0 && b >= 0);
    raw_invoke(a, &ev); /* both busy for 2 s */
    raw_invoke(b, &ev);
    struct timespec settle = {0, 200 * 1000000L};
    nanosleep(&settle, NULL);
    /* a third connection */
    int c = raw_connect("127.0.0.1", p->port);
    ck_assert_msg(c >= 0, "third connection refused outright");
    raw_send(c, health_req);
    size_t got = raw_reply(c, buf, sizeof buf, 1000);
    ck_assert_msg(got == 0, "third connection served while two were open: %s", buf);
    /* and through curl: no answer within its timeout either */
    struct resp r;
    char url[256];
    snprintf(url, sizeof url, "%s/_kdaout/health", p->base);
    http_do(&r, "GET", url, NULL, 0, 800, NULL);
    ck_assert_msg(r.rc == CURLE_OPERATION_TIMEDOUT, "curl: %s", curl_easy_strerror(r.rc));
    resp_free(&r);
    ck_assert_msg(raw_reply(a, buf, sizeof buf, 5000) > 0 && strstr(buf, " 200 "), "a: %s", buf);
    close(a);
    got = raw_reply(c, buf, sizeof buf, 5000);
    ck_assert_msg(got > 0 && strstr(buf, " 200 ") && strstr(buf, "{\"status\":\"ok\"}"),
                  "queued connection not served after a slot freed: \"%s\"", buf);
    close(b);
    close(c);
    free(ev.json);
    stop_clean(p);
}
END_TEST

START_TEST(idle_timeout)
{
    struct proc *p = START("--connection-timeout", "1s", NULL);
    char buf[2048];
    /* after a reply, a kept-alive connection is closed once idle for 1 s */
    int a = raw_connect("127.0.0.1", p->port);
    ck_assert_int_ge(a, 0);
    raw_send(a, health_req);
    ck_assert_msg(raw_reply(a, buf, sizeof buf, 5000) > 0 && strstr(buf, " 200 "), "a: %s", buf);
    double s = seconds_to_eof(a, 5000);
    ck_assert_msg(s >= 0, "idle connection still open after 5 s");
    ck_assert_msg(s >= 0.8, "idle connection closed after %.3f s, before its 1 s", s);
    close(a);
    /* a connection that never sends anything is closed too */
    int b = raw_connect("127.0.0.1", p->port);
    ck_assert_int_ge(b, 0);
    s = seconds_to_eof(b, 5000);
    ck_assert_msg(s >= 0.8, "silent connection: closed after %.3f s (-1 = still open)", s);
    close(b);
    /* a reply that takes longer than the idle time is not cut off: see latency */
    stop_clean(p);
}
END_TEST

START_TEST(slow_reply_outlives_idle_timeout)
{
    struct proc *p =
        START("--connection-timeout", "1s", "--timeout", "3s", "--latency", "2s", NULL);
    struct event ev;
    struct resp r;
    make_event(&ev, "9a1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 10000);
    assert_status(&r, 200);
    assert_all_ok(&r, &ev);
    ck_assert_msg(r.secs >= 1.8, "answered after %.3f s, expected >= 2 s", r.secs);
    resp_free(&r);
    free(ev.json);
    stop_clean(p);
}
END_TEST

static void assert_bad_option(const char *const *args, const char *mention)
{
    char *argv[16];
    int n = 0, status;
    argv[n++] = (char *)kdaout_path;
    argv[n++] = "fake-lambda";
    for (; *args; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    const char *out = tmp_path("bad.out"), *err = tmp_path("bad.err");
    pid_t pid = spawn(argv, NULL, NULL, out, err);
    int exited = wait_exit(pid, 5000, &status);
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    char *o = read_file(out, NULL), *e = read_file(err, NULL);
    ck_assert_msg(exited, "%s: still running after 5 s (stdout: %s)", argv[2], o);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2,
                  "%s %s: status %d, expected exit 2; stderr: %s", argv[2], argv[3] ? argv[3] : "",
                  status, e);
    ck_assert_msg(strstr(e, mention) != NULL, "stderr does not mention \"%s\": %s", mention, e);
    ck_assert_msg(strstr(o, "listening") == NULL, "listened anyway: %s", o);
    free(o);
    free(e);
}

#define BAD(mention, ...) assert_bad_option((const char *const[]){__VA_ARGS__, NULL}, mention)

START_TEST(bad_options)
{
    BAD("--listen", "--listen", "nonsense");
    BAD("--listen", "--listen", "127.0.0.1:99999");
    BAD("--listen", "--listen", "127.0.0.1:");
    BAD("nonsense", "--listen", "nonsense:0");
    BAD("--timeout", "--timeout", "0.5s");
    BAD("--timeout", "--timeout", "901s");
    BAD("--fail", "--fail", "nope");
    BAD("--memory", "--memory", "64");
    BAD("--max-connections", "--max-connections", "0");
    BAD("--connection-timeout", "--connection-timeout", "500ms");
    BAD("--request-timeout", "--request-timeout", "10ms");
    BAD("--inflight-bytes", "--inflight-bytes", "1MiB"); /* a 6 MB event must fit */
    BAD("--log-bytes", "--log-bytes", "1KB");
    BAD("--log-bytes", "--log-bytes", "lots");
    BAD("--latency", "--latency", "soon");
    BAD("fake-lambda", "--bogus");
    BAD("argument", "extra");
    BAD("rules", "--rules", "/nonexistent/rules.yaml");
}
END_TEST

START_TEST(bad_rules_file)
{
    const char *path = tmp_path("bad-rules.yaml");
    write_file(path, "- {match: {attempt: 0}, action: delivery_failed}\n");
    BAD("attempt", "--rules", path);
    write_file(path, "- {action: delivery_faild}\n");
    BAD("delivery_failed", "--rules", path);
}
END_TEST

/* ---- credentials never leak ---------------------------------------------------------- */

/* A one-request-per-connection HTTP endpoint that records every request. */
struct capture {
    int fd;
    unsigned port;
    pthread_t thread;
    atomic_int stop;
    pthread_mutex_t lock;
    char *data;
    size_t len, cap;
    int posts, gets;
};

static void capture_reply(int c, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     "x-amzn-RequestId: 00000000-0000-4000-8000-000000000001\r\n"
                     "X-Amz-Executed-Version: $LATEST\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     strlen(body));
    send(c, head, (size_t)n, MSG_NOSIGNAL);
    send(c, body, strlen(body), MSG_NOSIGNAL);
}

/* {"records":[{recordId, Ok}...]} for the event in body, as a new string. */
static char *records_ok(const char *body, size_t len)
{
    json_t *ev = json_loadb(body, len, 0, NULL), *out = json_array();
    json_t *recs = ev ? json_object_get(ev, "records") : NULL;
    for (size_t i = 0; i < json_array_size(recs); i++)
        json_array_append_new(out, json_pack("{s:O,s:s}", "recordId",
                                             json_object_get(json_array_get(recs, i), "recordId"),
                                             "result", "Ok"));
    json_t *doc = json_pack("{s:o}", "records", out);
    char *s = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    json_decref(ev);
    return s;
}

static void capture_conn(struct capture *cap, int c)
{
    size_t max = 8u << 20, len = 0, want = 0;
    char *buf = malloc(max + 1);
    const char *eoh = NULL;
    struct timeval tv = {5, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (len < max) {
        ssize_t got = recv(c, buf + len, max - len, 0);
        if (got <= 0)
            break;
        len += (size_t)got;
        buf[len] = '\0';
        if (!eoh && (eoh = strstr(buf, "\r\n\r\n")) != NULL) {
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            want = (size_t)(eoh + 4 - buf) + (cl && cl < eoh ? strtoul(cl + 17, NULL, 10) : 0);
        }
        if (eoh && len >= want)
            break;
    }
    buf[len] = '\0';
    pthread_mutex_lock(&cap->lock);
    grow_append(&cap->data, &cap->len, &cap->cap, buf, len);
    grow_append(&cap->data, &cap->len, &cap->cap, "\n----\n", 6);
    int is_get = strncmp(buf, "GET ", 4) == 0;
    cap->gets += is_get;
    cap->posts += strncmp(buf, "POST ", 5) == 0;
    pthread_mutex_unlock(&cap->lock);
    if (eoh && is_get) {
        capture_reply(c, "{\"FunctionName\":\"kdaout-fake\",\"Timeout\":3,\"MemorySize\":128}");
    } else if (eoh) {
        char *reply = records_ok(eoh + 4, len - (size_t)(eoh + 4 - buf));
        capture_reply(c, reply);
        free(reply);
    }
    free(buf);
}

static void *capture_main(void *arg)
{
    struct capture *cap = arg;
    while (!atomic_load(&cap->stop)) {
        struct pollfd pfd = {cap->fd, POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        int c = accept(cap->fd, NULL, NULL);
        if (c < 0)
            continue;
        capture_conn(cap, c);
        close(c);
    }
    return NULL;
}

static void capture_start(struct capture *cap)
{
    memset(cap, 0, sizeof *cap);
    pthread_mutex_init(&cap->lock, NULL);
    cap->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    ck_assert_int_eq(bind(cap->fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(cap->fd, 16), 0);
    getsockname(cap->fd, (struct sockaddr *)&a, &al);
    cap->port = ntohs(a.sin_port);
    ck_assert_int_eq(pthread_create(&cap->thread, NULL, capture_main, cap), 0);
}

static void capture_stop(struct capture *cap)
{
    atomic_store(&cap->stop, 1);
    pthread_join(cap->thread, NULL);
    close(cap->fd);
    pthread_mutex_destroy(&cap->lock);
}

/* environ without AWS_*, plus the canary credentials; a new array of borrowed strings. */
static char **canary_env(void)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 4, sizeof *env);
    size_t k = 0;
    ck_assert_ptr_nonnull(env);
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "AWS_", 4) != 0)
            env[k++] = environ[i];
    env[k++] = "AWS_ACCESS_KEY_ID=" CANARY_KEY;
    env[k++] = "AWS_SECRET_ACCESS_KEY=" CANARY_SECRET;
    env[k++] = "AWS_SESSION_TOKEN=" CANARY_TOKEN;
    env[k] = NULL;
    return env;
}

static void assert_no_canary(const char *what, const char *text)
{
    static const char *const canaries[] = {CANARY_KEY, CANARY_SECRET, CANARY_TOKEN};
    for (size_t i = 0; i < 3; i++)
        ck_assert_msg(strstr(text, canaries[i]) == NULL, "%s contains the credential %s:\n%.2000s",
                      what, canaries[i], text);
}

/* Runs `kdaout run` on a scenario delivering to `endpoint`, signed, with
 * journal and metrics; checks nothing it printed or stored holds a canary. */
static int run_canary(const char *tag, const char *endpoint, size_t *journal_len)
{
    char yaml[1024], name[64];
    snprintf(yaml, sizeof yaml,
             "name: canary %s\nduration: 1s\ndrain: 2s\n"
             "application:\n  input:\n    - rate: 20/s\n"
             "delivery:\n  retry_interval: 300ms\n"
             "lambda:\n  endpoint: %s\n  sign: true\n  region: us-east-1\n",
             tag, endpoint);
    snprintf(name, sizeof name, "%s.yaml", tag);
    const char *scen = tmp_path(name);
    write_file(scen, yaml);
    snprintf(name, sizeof name, "%s.jsonl", tag);
    const char *journal = tmp_path(name);
    snprintf(name, sizeof name, "%s.metrics.json", tag);
    const char *metrics = tmp_path(name);
    snprintf(name, sizeof name, "%s.out", tag);
    const char *out = tmp_path(name);
    snprintf(name, sizeof name, "%s.err", tag);
    const char *err = tmp_path(name);
    char *argv[] = {(char *)kdaout_path, "run",       (char *)scen,    "-v", "--journal",
                    (char *)journal,     "--metrics", (char *)metrics, NULL};
    char **env = canary_env();
    int status = 0;
    pid_t pid = spawn(argv, env, NULL, out, err);
    free(env);
    int exited = wait_exit(pid, 60000, &status);
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    ck_assert_msg(exited, "kdaout run (%s) did not finish within 60 s", tag);
    const char *files[] = {out, err, journal, metrics};
    const char *what[] = {"stdout", "stderr", "the journal", "the metrics"};
    for (size_t i = 0; i < 4; i++) {
        size_t len;
        char *text = read_file(files[i], &len), label[96];
        snprintf(label, sizeof label, "%s of kdaout run (%s)", what[i], tag);
        assert_no_canary(label, text);
        if (i == 1)
            assert_sanitizer_clean(label, text);
        if (i == 2 && journal_len)
            *journal_len = len;
        free(text);
    }
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) <= 1, "kdaout run (%s): status %d", tag,
                  status);
    return WEXITSTATUS(status);
}

/* `kdaout run` (signed, canary credentials) against a capturing endpoint. */
static void run_against_capture(struct capture *cap)
{
    char endpoint[128];
    capture_start(cap);
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u", cap->port);
    int rc = run_canary("capture", endpoint, NULL);
    capture_stop(cap);
    ck_assert_msg(cap->posts > 0, "the capturing endpoint saw no invocation:\n%s",
                  cap->data ? cap->data : "");
    ck_assert_int_eq(rc, 0);
}

START_TEST(credentials_canary)
{
    char endpoint[128];
    size_t jlen = 0;

    /* 1. against the fake over HTTP: delivered, and nothing leaks */
    struct proc *p = START("-v", NULL);
    snprintf(endpoint, sizeof endpoint, "%s", p->base);
    ck_assert_int_eq(run_canary("fake", endpoint, &jlen), 0);
    ck_assert_uint_gt(jlen, 0);
    struct resp r;
    get(&r, p, "/_kdaout/invocations");
    assert_status(&r, 200);
    assert_no_canary("/_kdaout/invocations", r.body);
    json_t *j = body_json(&r);
    ck_assert_uint_gt(json_array_size(json_object_get(j, "invocations")), 0);
    json_decref(j);
    resp_free(&r);
    stop_clean(p);
    char *ferr = read_file(p->err_path, NULL);
    assert_no_canary("fake-lambda's stderr", ferr);
    free(ferr);

    /* 2. a refused endpoint: error paths print, still nothing leaks */
    run_canary("refused", "http://127.0.0.1:1", &jlen);
    ck_assert_uint_gt(jlen, 0);
    char *out = read_file(tmp_path("refused.out"), NULL);
    ck_assert_msg(strstr(out, "http://127.0.0.1:1/") && strstr(out, "Couldn't connect"),
                  "the refused run printed no connection error:\n%.2000s", out);
    free(out);

    /* 3. a capturing endpoint: the request is signed with the canary key id */
    struct capture cap;
    run_against_capture(&cap);
    ck_assert_msg(cap.posts > 0, "the capturing endpoint saw no invocation:\n%s",
                  cap.data ? cap.data : "");
    const char *auth = strcasestr(cap.data, "\r\nAuthorization: ");
    ck_assert_msg(auth != NULL, "no Authorization header:\n%.2000s", cap.data);
    static const char want_auth[] = "AWS4-HMAC-SHA256 Credential=" CANARY_KEY "/";
    ck_assert_msg(strncmp(auth + 17, want_auth, sizeof want_auth - 1) == 0, "Authorization: %.120s",
                  auth + 17);
    ck_assert_msg(strstr(auth, "/us-east-1/lambda/aws4_request") != NULL,
                  "not scoped to us-east-1/lambda: %.200s", auth + 17);
    ck_assert_msg(strcasestr(cap.data, "\r\nX-Amz-Security-Token: " CANARY_TOKEN "\r\n") != NULL,
                  "the session token did not travel in X-Amz-Security-Token");
    ck_assert_msg(strstr(cap.data, CANARY_SECRET) == NULL, "the secret key was sent:\n%.2000s",
                  cap.data);
    /* every request that reached it was signed, GetFunctionConfiguration included */
    int auths = 0;
    for (const char *s = cap.data; (s = strcasestr(s, "\r\nAuthorization: AWS4-HMAC-SHA256 ")); s++)
        auths++;
    ck_assert_int_eq(auths, cap.posts + cap.gets);
    free(cap.data);
}
END_TEST

/* Every header named in SignedHeaders must be in the request: AWS rejects a
 * request that signs a header it does not carry (IncompleteSignatureException:
 * "'expect' is named as a SignedHeader, but it does not exist in the HTTP
 * request").  libcurl < 8.3.0 signs a header removed with "Expect:" (curl
 * issue #11664), which emulator/transport/transport_http.c sets on every invocation. */
START_TEST(sigv4_signed_headers_present)
{
    struct capture cap;
    run_against_capture(&cap);
    int checked = 0;
    for (char *req = cap.data, *next; req && *req; req = next) {
        next = strstr(req, "\n----\n");
        if (next)
            *next = '\0', next += 6;
        char *eoh = strstr(req, "\r\n\r\n"), *auth = strcasestr(req, "\r\nAuthorization: ");
        ck_assert_msg(eoh && auth && auth < eoh, "unsigned request:\n%.1000s", req);
        *eoh = '\0';
        const char *sh = strstr(auth, "SignedHeaders=");
        ck_assert_msg(sh != NULL, "no SignedHeaders: %.300s", auth);
        sh += 14;
        while (*sh && *sh != ',' && *sh != '\r') {
            size_t n = strcspn(sh, ";,\r");
            char want[96];
            snprintf(want, sizeof want, "\r\n%.*s:", (int)(n < 80 ? n : 80), sh);
            ck_assert_msg(strcasestr(req, want) != NULL,
                          "'%.*s' is named in SignedHeaders but not sent in:\n%s", (int)n, sh, req);
            sh += n + (sh[n] == ';');
            checked++;
        }
    }
    ck_assert_int_gt(checked, 0);
    free(cap.data);
}
END_TEST

/* ---- hostile clients: limits on bytes, time and framing (issue #10) ------------------
 * Run as their own suite (argv[2] = "limits", a test of its own in meson). */

/* A field of /proc/PID/status in kB (VmRSS, VmHWM). */
static long proc_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    long kb = -1;
    size_t n = strlen(field);
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            kb = strtol(line + n + 1, NULL, 10);
    fclose(f);
    ck_assert_msg(kb >= 0, "no %s in %s", field, path);
    return kb;
}

/* One raw exchange on a fresh connection: the reply's status (0 if none came
 * within timeout_ms), its head and body in buf. */
static int raw_exchange(const struct proc *p, const char *req, size_t len, char *buf, size_t n,
                        int timeout_ms)
{
    int fd = raw_connect("127.0.0.1", p->port);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
    size_t got = raw_reply(fd, buf, n, timeout_ms);
    close(fd);
    int status = 0;
    if (got > 12 && strncmp(buf, "HTTP/1.1 ", 9) == 0)
        status = atoi(buf + 9);
    return status;
}

/* Asserts a raw reply is `status` with x-amzn-ErrorType `type` and a JSON body
 * {"Type", message member} as the service sends them. */
static void assert_raw_error(const char *what, const char *buf, int status, int want,
                             const char *type)
{
    ck_assert_msg(status == want, "%s: HTTP %d, expected %d: %.600s", what, status, want, buf);
    char h[128];
    snprintf(h, sizeof h, "\r\nx-amzn-ErrorType: %s\r\n", type);
    ck_assert_msg(strstr(buf, h) != NULL, "%s: no %s in %.600s", what, h + 2, buf);
    const char *body = strstr(buf, "\r\n\r\n");
    ck_assert_ptr_nonnull(body);
    json_error_t err;
    json_t *j = json_loads(body + 4, 0, &err);
    ck_assert_msg(j && json_is_string(json_object_get(j, "Type")), "%s: body %s", what, body + 4);
    assert_message_member(j, type, body + 4);
    json_decref(j);
}

/* An event of n records whose recordIds are id_len characters ("<i>-xxx..."). */
static void free_ids(char **ids, size_t n)
{
    for (size_t i = 0; ids && i < n; i++)
        free(ids[i]);
    free(ids);
}

static char *event_with_long_ids(size_t n, size_t id_len, size_t *len, char ***ids_out)
{
    struct kdo_buf b;
    struct kdo_event e;
    char **ids = calloc(n, sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    kdo_buf_init(&b, MAX_EVENT);
    ck_assert_int_eq(kdo_event_begin(&e, &b, MAX_EVENT, "5a1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", ARN), 0);
    for (size_t i = 0; i < n; i++) {
        ids[i] = malloc(id_len + 1);
        ck_assert_ptr_nonnull(ids[i]);
        memset(ids[i], 'x', id_len);
        ids[i][snprintf(ids[i], id_len, "%zu-", i)] = 'x';
        ids[i][id_len] = '\0';
        ck_assert_int_eq(kdo_event_add(&e, ids[i], id_len, 0, "{\"A\":1}", 7), 0);
    }
    *len = kdo_event_end(&e);
    char *json = malloc(*len + 1);
    ck_assert_ptr_nonnull(json);
    memcpy(json, b.data, *len + 1);
    kdo_buf_cleanup(&b);
    *ids_out = ids;
    return json;
}

/* The log keeps what fits its byte budget, oldest dropped first, says how
 * many it dropped, and is streamed (chunked, never built whole). */
START_TEST(log_bounded_in_bytes)
{
    enum { BUDGET = 256 * 1024, INVOKES = 20, IDS = 40, ID_LEN = 1000 };
    struct proc *p = START("--log-bytes", "256KiB", NULL);
    struct resp r;
    size_t len;
    char **ids = NULL;
    char *ev = NULL;
    for (int k = 0; k < INVOKES; k++) { /* 20 x 40 KB of recordIds: 3 times the budget */
        free_ids(ids, IDS);
        free(ev);
        ev = event_with_long_ids(IDS, ID_LEN, &len, &ids);
        post(&r, p, INVOKE("kdaout-fake"), ev, len, 5000);
        assert_status(&r, 200);
        resp_free(&r);
    }
    get(&r, p, "/_kdaout/invocations");
    assert_status(&r, 200);
    assert_header(&r, "Transfer-Encoding", "chunked");
    json_t *doc = body_json(&r), *arr = json_object_get(doc, "invocations");
    ck_assert_msg(r.len <= 2 * BUDGET, "the log's reply is %zu bytes, budget %d", r.len, BUDGET);
    size_t kept = json_array_size(arr), id_bytes = 0;
    json_int_t dropped = json_integer_value(json_object_get(doc, "dropped"));
    ck_assert_msg(kept > 0 && dropped > 0, "kept %zu, dropped %lld", kept, (long long)dropped);
    ck_assert_int_eq((json_int_t)kept + dropped, INVOKES);
    ck_assert_int_le(json_integer_value(json_object_get(doc, "logBytes")), BUDGET);
    for (size_t i = 0; i < kept; i++) { /* the newest, in order, every id intact */
        json_t *e = json_array_get(arr, i), *eids = json_object_get(e, "recordIds");
        ck_assert_int_eq(json_integer_value(json_object_get(e, "n")), dropped + 1 + (json_int_t)i);
        ck_assert_uint_eq(json_array_size(eids), IDS);
        for (size_t j = 0; j < IDS; j++)
            id_bytes += strlen(json_string_value(json_array_get(eids, j)));
    }
    ck_assert_msg(id_bytes <= BUDGET, "%zu bytes of recordIds kept, budget %d", id_bytes, BUDGET);
    json_t *last = json_object_get(json_array_get(arr, kept - 1), "recordIds");
    for (size_t j = 0; j < IDS; j++)
        ck_assert_str_eq(json_string_value(json_array_get(last, j)), ids[j]);
    json_decref(doc);
    resp_free(&r);
    post(&r, p, "/_kdaout/reset", "", 0, 5000);
    assert_status(&r, 200);
    resp_free(&r);
    get(&r, p, "/_kdaout/invocations");
    doc = body_json(&r);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "invocations")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "dropped")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "logBytes")), 0);
    json_decref(doc);
    resp_free(&r);
    free_ids(ids, IDS);
    free(ev);
    stop_clean(p);
}
END_TEST

/* A reset while the log's reply is still streaming: the reply ends cleanly
 * and the fake lives on (it used to format a cleared entry and crash). */
START_TEST(reset_while_the_log_streams)
{
    enum { INVOKES = 40, IDS = 40, ID_LEN = 1000 };
    struct proc *p = START(NULL);
    struct resp r;
    size_t len;
    char **ids = NULL, buf[4096];
    char *ev = event_with_long_ids(IDS, ID_LEN, &len, &ids);
    for (int k = 0; k < INVOKES; k++) { /* 1.6 MB of log: far more than the socket buffers */
        post(&r, p, INVOKE("kdaout-fake"), ev, len, 5000);
        assert_status(&r, 200);
        resp_free(&r);
    }
    int small = 4096, fd = raw_connect(p->host, p->port);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    raw_send(fd, "GET /_kdaout/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    ck_assert_uint_gt(raw_reply(fd, buf, sizeof buf, 3000), 0); /* the head and a first piece */
    post(&r, p, "/_kdaout/reset", "", 0, 5000);
    assert_status(&r, 200);
    resp_free(&r);
    double waited = seconds_to_eof(fd, 10000); /* read the rest to its end */
    ck_assert_msg(waited < 10, "the streamed reply did not end after a reset");
    close(fd);
    get(&r, p, "/_kdaout/health");
    assert_status(&r, 200);
    resp_free(&r);
    free_ids(ids, IDS);
    free(ev);
    stop_clean(p);
}
END_TEST

/* 413 from the head: a 1 GiB Content-Length is refused before any body. */
START_TEST(too_large_refused_on_content_length)
{
    struct proc *p = START(NULL);
    static const char req[] = "POST " INVOKE("kdaout-fake") " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Content-Length: 1073741824\r\n\r\n";
    char buf[4096];
    int status = raw_exchange(p, req, sizeof req - 1, buf, sizeof buf, 5000);
    assert_raw_error("1 GiB declared", buf, status, 413, "RequestEntityTooLargeException");
    ck_assert_msg(strstr(buf, "Request must be smaller than 6291456 bytes for the InvokeFunction "
                              "operation") != NULL, "%s", buf);
    /* a client that waits for 100 Continue is answered before sending any */
    static const char expect[] = "POST " INVOKE("kdaout-fake") " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 "Expect: 100-continue\r\nContent-Length: 7000000\r\n\r\n";
    status = raw_exchange(p, expect, sizeof expect - 1, buf, sizeof buf, 5000);
    assert_raw_error("7 MB declared, Expect: 100-continue", buf, status, 413,
                     "RequestEntityTooLargeException");
    ck_assert_msg(strstr(buf, "100 Continue") == NULL, "sent 100 Continue first: %s", buf);
    stop_clean(p);
}
END_TEST

/* RFC 9112 §6: framing that could be read two ways is refused. */
START_TEST(framing_refused)
{
    struct proc *p = START(NULL);
    struct event ev;
    char req[8192], buf[4096];
    make_event(&ev, "6b1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, NULL, NULL);
    static const char post_head[] = "POST " INVOKE("kdaout-fake") " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    static const struct {
        const char *what;
        int cl;             /* the true Content-Length first */
        const char *more;   /* then these headers */
        int chunked, status;
        const char *type;
    } cases[] = {
        {"control: chunked", 0, "Transfer-Encoding: chunked\r\n", 1, 200, NULL},
        {"conflicting Content-Length", 1, "Content-Length: 5\r\n", 0, 400,
         "InvalidRequestContentException"},
        {"Content-Length and chunked", 1, "Transfer-Encoding: chunked\r\n", 1, 400,
         "InvalidRequestContentException"},
        {"gzip (chunked not last)", 0, "Transfer-Encoding: gzip\r\n", 0, 400,
         "InvalidRequestContentException"},
        {"chunked twice", 0, "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", 1,
         400, "InvalidRequestContentException"},
        {"gzip, chunked (unknown coding)", 0, "Transfer-Encoding: gzip, chunked\r\n", 1, 501,
         "NotImplementedException"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char headers[256];
        if (cases[i].cl)
            snprintf(headers, sizeof headers, "Content-Length: %zu\r\n%s", ev.len, cases[i].more);
        else
            snprintf(headers, sizeof headers, "%s", cases[i].more);
        int n = cases[i].chunked
                    ? snprintf(req, sizeof req, "%s%s\r\n%zx\r\n%s\r\n0\r\n\r\n", post_head,
                               headers, ev.len, ev.json)
                    : snprintf(req, sizeof req, "%s%s\r\n%s", post_head, headers, ev.json);
        ck_assert_int_lt(n, (int)sizeof req);
        int status = raw_exchange(p, req, (size_t)n, buf, sizeof buf, 3000);
        if (cases[i].type)
            assert_raw_error(cases[i].what, buf, status, cases[i].status, cases[i].type);
        else
            ck_assert_msg(status == 200 && strstr(buf, ev.ids[0]), "%s: %d %s", cases[i].what,
                          status, buf);
    }
    json_t *arr, *doc = invocations(p, &arr); /* only the control ran */
    ck_assert_uint_eq(json_array_size(arr), 1);
    json_decref(doc);
    free(ev.json);
    stop_clean(p);
}
END_TEST

/* 1 if the peer closed fd (EOF or reset) without waiting. */
static int peer_closed(int fd)
{
    char c;
    ssize_t got = recv(fd, &c, 1, MSG_DONTWAIT);
    return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* A request trickled a byte at a time (head or body) is cut at its deadline,
 * and legitimate requests go through meanwhile; a reply may take longer. */
START_TEST(slowloris_deadline)
{
    struct proc *p = START("--request-timeout", "2s", "--latency", "2500ms", NULL);
    int head = raw_connect("127.0.0.1", p->port), body = raw_connect("127.0.0.1", p->port);
    ck_assert(head >= 0 && body >= 0);
    raw_send(head, "POST " INVOKE("kdaout-fake") " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    raw_send(body, "POST " INVOKE("kdaout-fake") " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Length: 1000\r\n\r\n{");
    double t0 = now_s(), head_closed = -1, body_closed = -1;
    while (now_s() - t0 < 8 && (head_closed < 0 || body_closed < 0)) {
        if (head_closed < 0 && (peer_closed(head) || send(head, "a", 1, MSG_NOSIGNAL) != 1))
            head_closed = now_s() - t0;
        if (body_closed < 0 && (peer_closed(body) || send(body, " ", 1, MSG_NOSIGNAL) != 1))
            body_closed = now_s() - t0;
        struct resp r;
        get(&r, p, "/_kdaout/health"); /* served all along */
        assert_status(&r, 200);
        resp_free(&r);
        struct timespec ts = {0, 250 * 1000000L};
        nanosleep(&ts, NULL);
    }
    ck_assert_msg(head_closed >= 1.5 && body_closed >= 1.5,
                  "cut before the 2 s deadline: head %.2f s, body %.2f s", head_closed, body_closed);
    ck_assert_msg(head_closed > 0 && head_closed < 6, "trickled head: closed after %.2f s "
                  "(-1 = still open after 8 s), deadline 2 s", head_closed);
    ck_assert_msg(body_closed > 0 && body_closed < 6, "trickled body: closed after %.2f s "
                  "(-1 = still open after 8 s), deadline 2 s", body_closed);
    struct event ev;
    struct resp r;
    make_event(&ev, "8b1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 10000); /* the deadline is for requests */
    assert_status(&r, 200);
    ck_assert_msg(r.secs >= 2.3, "answered after %.2f s, latency 2.5 s", r.secs);
    assert_all_ok(&r, &ev);
    resp_free(&r);
    free(ev.json);
    close(head);
    close(body);
    stop_clean(p);
}
END_TEST

/* At the connection limit, connections that send no request make room for
 * one that does. */
START_TEST(room_at_the_connection_limit)
{
    struct proc *p = START("--max-connections", "4", NULL);
    int slow[4];
    for (int i = 0; i < 4; i++) {
        slow[i] = raw_connect("127.0.0.1", p->port);
        ck_assert_int_ge(slow[i], 0);
        raw_send(slow[i], "POST " INVOKE("kdaout-fake") " HTTP/1.1\r\n");
    }
    struct resp r;
    char url[256];
    snprintf(url, sizeof url, "%s/_kdaout/health", p->base);
    http_do(&r, "GET", url, NULL, 0, 5000, NULL);
    assert_status(&r, 200);
    resp_free(&r);
    ck_assert_msg(peer_closed(slow[0]), "the longest-waiting connection is still open");
    for (int i = 0; i < 4; i++)
        close(slow[i]);
    stop_clean(p);
}
END_TEST

struct holder {
    int fd;
    size_t sent;
    int gone; /* refused: reset or closed by the fake */
};

/* Sends every holder's head and body but the last byte (nonblocking, at most
 * 20 s); a holder the fake refuses is `gone`. */
static void hold_bodies(struct holder *h, int n, const char *head, const char *body, size_t len)
{
    size_t hl = strlen(head);
    double end = now_s() + 20;
    for (int left = n; left > 0 && now_s() < end;) {
        left = 0;
        for (int i = 0; i < n; i++) {
            if (h[i].gone || h[i].sent == hl + len - 1)
                continue;
            const char *from = h[i].sent < hl ? head + h[i].sent : body + (h[i].sent - hl);
            size_t want = h[i].sent < hl ? hl - h[i].sent : hl + len - 1 - h[i].sent;
            ssize_t got = send(h[i].fd, from, want, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (got > 0)
                h[i].sent += (size_t)got;
            else if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                h[i].gone = 1;
            left += !h[i].gone && h[i].sent < hl + len - 1;
        }
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Waits (at most 5 s) until the fake's VmRSS stops growing. */
static void rss_settle(pid_t pid)
{
    long last = proc_kb(pid, "VmRSS");
    for (int i = 0; i < 25; i++) {
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
        long now = proc_kb(pid, "VmRSS");
        if (now - last < 1024)
            return;
        last = now;
    }
}

/* 64 connections each holding a nearly complete 6 MB body: the fake holds at
 * most its 32 MiB in-flight budget of them (the rest get 429), and gives the
 * memory back when they close. */
START_TEST(inflight_bounded)
{
    enum { N = 64 };
    struct proc *p = START("--inflight-bytes", "32MiB", NULL);
    char *body = event_of_size(MAX_EVENT), head[256], buf[4096];
    snprintf(head, sizeof head, "POST " INVOKE("kdaout-fake") " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Content-Length: %u\r\n\r\n", MAX_EVENT);
    long base = proc_kb(p->pid, "VmRSS");
    struct holder h[N];
    for (int i = 0; i < N; i++) {
        h[i] = (struct holder){.fd = raw_connect("127.0.0.1", p->port)};
        ck_assert_int_ge(h[i].fd, 0);
    }
    hold_bodies(h, N, head, body, MAX_EVENT);
    rss_settle(p->pid);
    /* under pressure: another big body is throttled as the service does, a
     * small one still runs */
    struct resp r;
    post(&r, p, INVOKE("kdaout-fake"), body, MAX_EVENT, 10000);
    json_t *j = assert_service_error(&r, 429, "TooManyRequestsException");
    ck_assert_str_eq(jstr(j, "Reason"), "ConcurrentInvocationLimitExceeded");
    json_decref(j);
    resp_free(&r);
    struct event ev;
    make_event(&ev, "7b1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", 1, NULL, NULL);
    invoke_event(&r, p, INVOKE("kdaout-fake"), &ev, 5000);
    assert_status(&r, 200);
    resp_free(&r);
    free(ev.json);
    /* the last bytes: those held are answered, the others (read, not kept)
     * throttled */
    int ok = 0, throttled = 0;
    for (int i = 0; i < N; i++) {
        ck_assert_msg(!h[i].gone, "connection %d was reset instead of answered", i);
        ck_assert_int_eq(send(h[i].fd, body + MAX_EVENT - 1, 1, MSG_NOSIGNAL), 1);
        ck_assert_msg(raw_reply(h[i].fd, buf, sizeof buf, 10000) > 0, "no reply on %d", i);
        ok += strncmp(buf, "HTTP/1.1 200 ", 13) == 0;
        throttled += strncmp(buf, "HTTP/1.1 429 ", 13) == 0 &&
                     strstr(buf, "\r\nx-amzn-ErrorType: TooManyRequestsException\r\n") &&
                     strstr(buf, "ConcurrentInvocationLimitExceeded");
    }
    long hwm = proc_kb(p->pid, "VmHWM");
    ck_assert_msg(ok >= 1 && ok <= 5, "%d of %d 6 MB bodies answered 200; a 32 MiB budget "
                  "holds 1 to 5", ok, N);
    ck_assert_msg(ok + throttled == N, "%d answered 200, %d throttled, of %d", ok, throttled, N);
    ck_assert_msg(hwm - base < 96 * 1024, "VmHWM grew by %ld MiB with %d bodies of 6 MB in "
                  "flight (budget 32 MiB)", (hwm - base) / 1024, N);
    for (int i = 0; i < N; i++)
        close(h[i].fd);
    rss_settle(p->pid);
    struct timespec ts = {0, 300 * 1000000L};
    nanosleep(&ts, NULL);
    long after = proc_kb(p->pid, "VmRSS");
    fprintf(stderr, "inflight_bounded: %d of %d held bodies answered; VmRSS %ld MiB at start, "
            "VmHWM +%ld MiB, VmRSS +%ld MiB after close\n", ok, N, base / 1024,
            (hwm - base) / 1024, (after - base) / 1024);
    ck_assert_msg(after - base < 16 * 1024, "VmRSS still %ld MiB over its start after the "
                  "connections closed (peak +%ld MiB)", (after - base) / 1024, (hwm - base) / 1024);
    free(body);
    stop_clean(p);
}
END_TEST

/* ---- the suite ------------------------------------------------------------------- */

static void add(Suite *s, const char *name, const TTest *t, int timeout_s)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, timeout_s);
    tcase_add_test(tc, t);
    suite_add_tcase(s, tc);
}

static Suite *fake_http_suite(void)
{
    Suite *s = suite_create("fake_http");
    add(s, "invoke_ok", invoke_ok, 30);
    add(s, "invocation_types", invocation_types, 30);
    add(s, "log_tail", log_tail, 30);
    add(s, "empty_and_not_json", empty_and_not_json, 30);
    add(s, "names_default", names_default, 30);
    add(s, "names_forms", names_forms, 30);
    add(s, "names_any", names_any, 30);
    add(s, "configuration", configuration, 30);
    add(s, "function_error", function_error, 30);
    add(s, "timeout_rule", timeout_rule, 30);
    add(s, "latency", latency, 30);
    add(s, "too_large", too_large, 60);
    add(s, "throttle", throttle, 30);
    add(s, "service_error", service_error, 30);
    add(s, "not_json", not_json, 30);
    add(s, "rules_attempt", rules_attempt, 30);
    add(s, "rules_records", rules_records, 30);
    add(s, "rules_poison_pill", rules_poison_pill, 30);
    add(s, "rules_times", rules_times, 30);
    add(s, "rules_file_function", rules_file_function, 30);
    add(s, "escaped_record_ids", escaped_record_ids, 30);
    add(s, "response_too_large", response_too_large, 60);
    add(s, "slow_replies_do_not_block", slow_replies_do_not_block, 30);
    add(s, "sigint_stops", sigint_stops, 30);
    add(s, "drop_connection", drop_connection, 30);
    add(s, "truncate_body", truncate_body, 30);
    add(s, "dribble", dribble, 30);
    add(s, "hang", hang, 30);
    add(s, "admin", admin, 30);
    add(s, "default_bind", default_bind, 30);
    add(s, "ephemeral_port", ephemeral_port, 30);
    add(s, "max_connections", max_connections, 30);
    add(s, "idle_timeout", idle_timeout, 30);
    add(s, "slow_reply_outlives_idle_timeout", slow_reply_outlives_idle_timeout, 30);
    add(s, "bad_options", bad_options, 60);
    add(s, "bad_rules_file", bad_rules_file, 30);
    add(s, "credentials_canary", credentials_canary, 100);
    add(s, "sigv4_signed_headers_present", sigv4_signed_headers_present, 100);
    add(s, "wildcard_keeps_functions_apart", names_wildcard_keeps_functions_apart, 30);
    return s;
}

static Suite *fake_limits_suite(void)
{
    Suite *s = suite_create("fake_limits");
    add(s, "log_bounded_in_bytes", log_bounded_in_bytes, 30);
    add(s, "reset_while_the_log_streams", reset_while_the_log_streams, 30);
    add(s, "too_large_refused_on_content_length", too_large_refused_on_content_length, 30);
    add(s, "framing_refused", framing_refused, 30);
    add(s, "slowloris_deadline", slowloris_deadline, 30);
    add(s, "room_at_the_connection_limit", room_at_the_connection_limit, 30);
    add(s, "inflight_bounded", inflight_bounded, 60);
    return s;
}

int main(int argc, char **argv)
{
    kdaout_path = argc > 1 ? argv[1] : getenv("KDAOUT");
    if (kdaout_path == NULL || access(kdaout_path, X_OK) != 0) {
        fprintf(stderr, "usage: %s PATH-TO-KDAOUT [limits] (or KDAOUT=...)\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kdo-fake-http-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int limits = argc > 2 && strcmp(argv[2], "limits") == 0;
    SRunner *sr = srunner_create(limits ? fake_limits_suite() : fake_http_suite());
    srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY=verbose lists every case */
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    sweep_tmpdir();
    return failed == 0 ? 0 : 1;
}
