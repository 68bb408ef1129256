/*
 * promhttp.c -- the /metrics endpoint (promhttp.h): libmicrohttpd glue
 * around the collectors.
 *
 * One internal polling thread answers every request, so scrapes never run
 * at once and the collector list needs its lock only against kdo_promhttp_add.
 * Limits, all explicit: CONNECTIONS connections, IDLE_S seconds idle,
 * POOL_BYTES of memory per connection (a request head past it is refused by
 * libmicrohttpd), request bodies never kept (refused on the head, or
 * dropped), the exposition at most KDO_PROMHTTP_BODY_MAX bytes.
 * process_start_time_seconds comes from /proc (the process's start, not the
 * exporter's), read once at start.
 */
#include "base/promhttp.h"

#include "base/clock.h"
#include "base/errors.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONNECTIONS 16u
#define IDLE_S 10u
#define POOL_BYTES ((size_t)32 * 1024)

struct collector {
    kdo_promhttp_collect_fn *fn;
    void *ctx;
};

struct kdo_promhttp {
    struct MHD_Daemon *daemon;
    uint16_t port;
    double start_s; /* the process's start, seconds since the epoch */
    pthread_mutex_t lock;
    struct collector collectors[KDO_PROMHTTP_COLLECTORS_MAX];
    size_t ncollectors;
};

/* Field 22 of /proc/self/stat (clock ticks after boot) + btime of /proc/stat;
 * the exporter's own start if either cannot be read. */
static double process_start_s(void)
{
    char stat[1024], line[256];
    double now = (double)kdo_clock_epoch_ms() / 1000.0;
    unsigned long long ticks = 0, btime = 0;
    FILE *f = fopen("/proc/self/stat", "re");
    size_t n = f ? fread(stat, 1, sizeof stat - 1, f) : 0;
    if (f)
        fclose(f);
    stat[n] = '\0';
    const char *p = strrchr(stat, ')'); /* the command's name may hold spaces */
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p == NULL || sscanf(p, " %llu", &ticks) != 1)
        return now;
    f = fopen("/proc/stat", "re");
    while (f && fgets(line, sizeof line, f) && sscanf(line, "btime %llu", &btime) != 1)
        ;
    if (f)
        fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    return btime && hz > 0 ? (double)btime + (double)ticks / (double)hz : now;
}

int kdo_promhttp_render(struct kdo_promhttp *p, struct kdo_buf *out)
{
    struct kdo_promtext *w = kdo_xmalloc(sizeof *w); /* ~33 KB: not on a thread's stack */
    kdo_promtext_init(w, out);
    int rc = kdo_promtext_family(w, "process_start_time_seconds", KDO_PROMTEXT_GAUGE,
                                 "Start time of the process since the Unix epoch, in seconds.");
    if (rc == 0)
        rc = kdo_promtext_value(w, NULL, 0, p->start_s);
    pthread_mutex_lock(&p->lock);
    size_t n = p->ncollectors;
    struct collector c[KDO_PROMHTTP_COLLECTORS_MAX];
    memcpy(c, p->collectors, n * sizeof c[0]);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = c[i].fn(c[i].ctx, w);
    if (rc == 0)
        rc = w->error;
    kdo_promtext_cleanup(w);
    free(w);
    return rc;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
                             const char *body, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result scrape(struct kdo_promhttp *p, struct MHD_Connection *conn)
{
    struct kdo_buf b;
    kdo_buf_init(&b, KDO_PROMHTTP_BODY_MAX);
    int rc = kdo_promhttp_render(p, &b);
    enum MHD_Result ok;
    if (rc == 0) {
        ok = reply(conn, 200, KDO_PROMTEXT_CONTENT_TYPE, b.data ? b.data : "", b.len);
    } else {
        char msg[120];
        int n = snprintf(msg, sizeof msg, "kdaout: cannot write the metrics: %s\n",
                         kdo_strerror(rc));
        ok = reply(conn, 500, "text/plain; charset=utf-8", msg, (size_t)n);
    }
    kdo_buf_cleanup(&b);
    return ok;
}

/* Refusals are answered on the head, before any body is read (libmicrohttpd
 * then closes the connection), so no body is ever taken in; a GET is
 * answered once its request is in. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    static int seen;
    static const char not_found[] = "only /metrics is served here\n";
    static const char bad_method[] = "GET /metrics\n";
    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    (void)version;
    (void)data;
    if (strcmp(url, "/metrics") != 0)
        return reply(conn, 404, "text/plain; charset=utf-8", not_found, sizeof not_found - 1);
    if (!get)
        return reply(conn, 405, "text/plain; charset=utf-8", bad_method, sizeof bad_method - 1);
    if (*con_cls == NULL) {
        *con_cls = &seen;
        return MHD_YES;
    }
    if (*size > 0) { /* a GET with a body: dropped */
        *size = 0;
        return MHD_YES;
    }
    return scrape(cls, conn);
}

static int parse_host(const char *host, struct sockaddr_in *addr, char *err, size_t n)
{
    const char *h = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
    if (inet_pton(AF_INET, h, &addr->sin_addr) == 1)
        return 0;
    snprintf(err, n, "cannot listen on \"%s\": expected an IPv4 address such as 127.0.0.1", host);
    return KDO_EINVAL;
}

int kdo_promhttp_start(const char *host, uint16_t port, struct kdo_promhttp **out, char *err,
                       size_t err_size)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (parse_host(host, &addr, err, err_size) != 0)
        return KDO_EINVAL;
    struct kdo_promhttp *p = kdo_xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    p->start_s = process_start_s();
    p->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, p,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT, CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT, IDLE_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, POOL_BYTES, MHD_OPTION_END);
    if (p->daemon == NULL) {
        snprintf(err, err_size, "cannot listen on %s:%u for the metrics (is the port in use?)",
                 host, (unsigned)port);
        kdo_promhttp_stop(p);
        return KDO_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(p->daemon, MHD_DAEMON_INFO_BIND_PORT);
    p->port = info ? info->port : port;
    *out = p;
    return 0;
}

uint16_t kdo_promhttp_port(const struct kdo_promhttp *p)
{
    return p->port;
}

int kdo_promhttp_add(struct kdo_promhttp *p, kdo_promhttp_collect_fn *fn, void *ctx)
{
    int rc = 0;
    pthread_mutex_lock(&p->lock);
    if (p->ncollectors == KDO_PROMHTTP_COLLECTORS_MAX)
        rc = KDO_EFULL;
    else
        p->collectors[p->ncollectors++] = (struct collector){fn, ctx};
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void kdo_promhttp_stop(struct kdo_promhttp *p)
{
    if (p == NULL)
        return;
    if (p->daemon) /* joins its thread: no scrape runs after this */
        MHD_stop_daemon(p->daemon);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
