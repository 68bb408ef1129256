/*
 * promhttp.h -- serves GET /metrics in the Prometheus text format 0.0.4.
 *
 * A small libmicrohttpd daemon of its own, on the address it is given (the
 * command line decides whether a non-loopback one is allowed), with its own
 * limits: few connections, a short idle timeout, a small per-connection
 * memory pool, request bodies never kept, a bounded exposition.  What it
 * serves is written at each scrape by the collectors registered with it, in
 * the order they were added, after process_start_time_seconds; a collector
 * runs on the daemon's thread and must take its own lock to read live
 * counters (it is never called with one of this module's locks held).
 *
 * For a run (`kdaout run --metrics-listen`): add a collector that writes the
 * CloudWatch-named metrics (delivery/metrics.h) with the names and labels
 * promtext.h documents; fake-lambda and host add theirs (srvstats.h).
 */
#ifndef KDO_PROMHTTP_H
#define KDO_PROMHTTP_H

#include "base/buf.h"
#include "base/promtext.h"

#include <stddef.h>
#include <stdint.h>

#define KDO_PROMHTTP_COLLECTORS_MAX 16
#define KDO_PROMHTTP_BODY_MAX ((size_t)4 << 20) /* an exposition past this is a 500 */

/* Writes its families into w; returns 0 or a KDO_E* code (the scrape is then
 * a 500).  ctx is the pointer given to kdo_promhttp_add. */
typedef int kdo_promhttp_collect_fn(void *ctx, struct kdo_promtext *w);

struct kdo_promhttp;

/* Listens on host (an IPv4 address, or "localhost") : port (0 = any free
 * port) in a thread of its own.  Returns 0 and a new exporter, or
 * KDO_EINVAL / KDO_EIO with a sentence in err. */
int kdo_promhttp_start(const char *host, uint16_t port, struct kdo_promhttp **out, char *err,
                       size_t err_size);
/* The port it listens on. */
uint16_t kdo_promhttp_port(const struct kdo_promhttp *p);
/* Adds a collector (ctx borrowed until stop); safe while serving.  KDO_EFULL
 * past KDO_PROMHTTP_COLLECTORS_MAX. */
int kdo_promhttp_add(struct kdo_promhttp *p, kdo_promhttp_collect_fn *fn, void *ctx);
/* The exposition a scrape would get now, appended to out (bounded by out's max). */
int kdo_promhttp_render(struct kdo_promhttp *p, struct kdo_buf *out);
/* Stops serving and frees; NULL is a no-op.  No collector runs after it returns. */
void kdo_promhttp_stop(struct kdo_promhttp *p);

#endif
