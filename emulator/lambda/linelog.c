/*
 * linelog.c -- a log of lines, a bounded queue and its own writer (linelog.h).
 */
#include "lambda/linelog.h"

#include "base/clock.h"
#include "base/errors.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_QUEUE_BYTES (1024 * 1024 + KDO_LINELOG_LINE_MAX) /* lines waiting for the log; one cut line fits */
#define LOG_POLL_MS 100          /* the log's writer rechecks stop this often while the log is full */
#define LOG_STALL_MS 1000        /* a log not read for this long is stalled: lines are dropped */
#define LOG_DRAIN_MS 2000        /* at stop, the most time left to write what is queued */

static int log_room(const struct kdo_linelog *q, size_t len)
{
    return q->bytes + len <= LOG_QUEUE_BYTES;
}

/* Queues a line (ends with a newline); frees it if it is dropped.  `wait`:
 * wait for room while the writer makes progress (the runtime's output keeps
 * its back-pressure); else a full queue drops the line at once.  The only
 * lock taken is the queue's, and never across I/O. */
static void log_put(struct kdo_linelog *q, struct kdo_logline *line, int wait)
{
    pthread_mutex_lock(&q->mu);
    while (wait && !log_room(q, line->len) && !q->stalled && !q->stop) {
        int64_t until = kdo_clock_now_ms() + LOG_POLL_MS;
        struct timespec ts = kdo_clock_timespec(until * KDO_MS);
        pthread_cond_timedwait(&q->cv, &q->mu, &ts);
    }
    if (!q->started || q->stop || !log_room(q, line->len)) {
        q->dropped++;
        pthread_mutex_unlock(&q->mu);
        free(line);
        return;
    }
    line->next = NULL;
    if (q->tail)
        q->tail->next = line;
    else
        q->head = line;
    q->tail = line;
    q->bytes += line->len;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

/* A line of three parts (the middle one `mid_len` bytes) and a newline. */
static struct kdo_logline *log_line(const char *pre, const char *mid, size_t mid_len, const char *post)
{
    size_t a = strlen(pre), c = strlen(post);
    struct kdo_logline *line = kdo_xcalloc(1, sizeof *line + a + mid_len + c + 1);
    memcpy(line->text, pre, a);
    memcpy(line->text + a, mid, mid_len);
    memcpy(line->text + a + mid_len, post, c);
    line->text[a + mid_len + c] = '\n';
    line->len = a + mid_len + c + 1;
    return line;
}

/* The writer gives up on a line: at stop, once LOG_DRAIN_MS passed. */
static int log_give_up(struct kdo_linelog *q)
{
    pthread_mutex_lock(&q->mu);
    int up = q->stop && kdo_clock_now_ms() - q->stop_ms >= LOG_DRAIN_MS;
    pthread_mutex_unlock(&q->mu);
    return up;
}

static void log_set_stalled(struct kdo_linelog *q, int stalled)
{
    pthread_mutex_lock(&q->mu);
    if (q->stalled != stalled) {
        q->stalled = stalled;
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
}

/* Writes n bytes without ever blocking for long: waits for the descriptor to
 * take some (POLLOUT), then writes at most PIPE_BUF, which a pipe with room
 * takes whole, so the write cannot block.  No progress for LOG_STALL_MS marks
 * the log stalled (the runtime's lines then drop instead of waiting). */
static void log_write(struct kdo_linelog *q, const char *p, size_t n)
{
    if (q->fd < 0) {
        fwrite(p, 1, n, q->file);
        fflush(q->file);
        return;
    }
    int64_t progress = kdo_clock_now_ms();
    while (n > 0 && !log_give_up(q)) {
        struct pollfd pf = {q->fd, POLLOUT, 0};
        int r = poll(&pf, 1, LOG_POLL_MS);
        if (r < 0 && errno != EINTR)
            return;
        if (r > 0 && (pf.revents & (POLLERR | POLLNVAL)))
            return; /* the reader is gone: the line is lost, nothing waits for it */
        ssize_t k = r > 0 ? write(q->fd, p, n < PIPE_BUF ? n : PIPE_BUF) : 0;
        if (k < 0 && errno != EINTR && errno != EAGAIN)
            return; /* EPIPE (SIGPIPE is the caller's to ignore), EIO: drop */
        if (k > 0) {
            p += k;
            n -= (size_t)k;
            progress = kdo_clock_now_ms();
            log_set_stalled(q, 0);
        } else if (kdo_clock_now_ms() - progress >= LOG_STALL_MS) {
            log_set_stalled(q, 1);
        }
    }
}

/* Says how many lines were dropped, before the line that follows them. */
static void log_dropped(struct kdo_linelog *q, uint64_t dropped)
{
    char note[160];
    int len = snprintf(note, sizeof note, "[host] %llu lines of the log were dropped: it was "
                       "not read fast enough\n", (unsigned long long)dropped);
    log_write(q, note, (size_t)len);
}

static void *log_main(void *arg)
{
    struct kdo_linelog *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (q->head == NULL && q->dropped == 0 && !q->stop)
            pthread_cond_wait(&q->cv, &q->mu);
        if (q->head == NULL && (q->stop || q->dropped == 0))
            break;
        struct kdo_logline *line = q->head;
        uint64_t dropped = q->dropped;
        q->dropped = 0;
        if (line) {
            q->head = line->next;
            if (q->head == NULL)
                q->tail = NULL;
        }
        pthread_mutex_unlock(&q->mu);
        if (dropped)
            log_dropped(q, dropped);
        if (line)
            log_write(q, line->text, line->len);
        pthread_mutex_lock(&q->mu);
        if (line) {
            q->bytes -= line->len;
            free(line);
        }
        pthread_cond_broadcast(&q->cv); /* room */
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

int kdo_linelog_start(struct kdo_linelog *q, FILE *file)
{
    pthread_mutex_init(&q->mu, NULL);
    kdo_clock_cond_init(&q->cv);
    q->file = file;
    fflush(file); /* what the caller wrote before comes first */
    q->fd = fileno(file);
    q->started = pthread_create(&q->thread, NULL, log_main, q) == 0;
    return q->started ? 0 : KDO_EIO;
}

/* Lets the writer write what is queued, for LOG_DRAIN_MS at most; every
 * thread that logs has stopped. */
void kdo_linelog_stop(struct kdo_linelog *q)
{
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    q->stop_ms = kdo_clock_now_ms();
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    if (q->started)
        pthread_join(q->thread, NULL);
    while (q->head) {
        struct kdo_logline *line = q->head;
        q->head = line->next;
        free(line);
    }
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
}

void kdo_linelog_put(struct kdo_linelog *q, const char *pre, const char *mid, size_t mid_len,
                     const char *post, int wait)
{
    log_put(q, log_line(pre, mid, mid_len, post), wait);
}
