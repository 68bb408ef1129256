/*
 * linelog.h -- a log of lines written by a thread of its own, from a bounded
 * queue.
 *
 * No thread that logs ever waits on the log's reader: a stderr nobody drains
 * would otherwise stop every handler of `kdaout host` and its stop.  One
 * queue, one writer: the lines keep their order.  A full queue drops lines
 * (counted, and said in the log), except that a writer that asks to wait
 * (the runtime's output, which keeps its back-pressure) waits for room while
 * the reader keeps reading, and drops once the log has stalled for a second.
 * At stop, what is queued gets two seconds to be written.
 */
#ifndef KDO_LINELOG_H
#define KDO_LINELOG_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The longest line worth keeping whole (CloudWatch Logs' event limit). */
#define KDO_LINELOG_LINE_MAX (256 * 1024)

/* A line for the log, queued. */
struct kdo_logline {
    struct kdo_logline *next;
    size_t len;
    char text[];
};

/* Embedded by its owner; the fields are the writer's. */
struct kdo_linelog {
    pthread_mutex_t mu;
    pthread_cond_t cv;  /* CLOCK_MONOTONIC; a line queued, room made, stalled, stop */
    struct kdo_logline *head, *tail;
    size_t bytes;
    uint64_t dropped;
    int stalled;        /* the writer made no progress for LOG_STALL_MS */
    int stop;
    int64_t stop_ms;    /* monotonic ms stop was asked at */
    FILE *file;
    int fd;             /* -1: a FILE without a descriptor (a memory stream), written with stdio */
    pthread_t thread;
    int started;
};

/* Starts the writer on `file` (flushed first).  Returns 0 or KDO_EIO; the
 * log must be stopped either way. */
int kdo_linelog_start(struct kdo_linelog *q, FILE *file);
/* Queues pre + mid (mid_len bytes) + post + a newline.  `wait`: wait for
 * room while the log is read; else a full queue drops the line at once. */
void kdo_linelog_put(struct kdo_linelog *q, const char *pre, const char *mid, size_t mid_len,
                     const char *post, int wait);
/* Writes what is queued (for two seconds at most) and frees; every thread
 * that logs has stopped. */
void kdo_linelog_stop(struct kdo_linelog *q);

#endif
