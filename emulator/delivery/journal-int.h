/*
 * journal-int.h -- the journal's private state, shared by its two parts:
 * journal.c (appending, watchers, compaction, access) and journal-format.c
 * (the JSON Lines form, writing and merging).  Not for other modules.
 */
#ifndef KDO_JOURNAL_INT_H
#define KDO_JOURNAL_INT_H

#include "base/buf.h"
#include "delivery/journal.h"

#include <stdio.h>

#define MAX_WATCHERS 64

struct watcher {
    kdo_journal_watch_fn *fn;
    void *ctx;
};

struct kdo_journal {
    struct kdo_jentry *e;   /* the entries kept, by increasing index */
    size_t n, cap;
    uint64_t *seqs, *hints;
    size_t nrec, caprec;
    uint8_t *verdicts;
    size_t nver, capver;
    char *pool;
    size_t npool, cappool;
    size_t total;           /* entries ever appended: the next index */
    size_t npub;            /* e[0..npub) are final and were told to the watchers */
    size_t last_invoke, last_reply; /* indexes, or SIZE_MAX */
    int forget;
    struct watcher watchers[MAX_WATCHERS];
    size_t nwatchers;
    FILE *sink;
    int sink_err;
    struct kdo_buf line;    /* the sink's scratch */
    char prefix[37];        /* the record id prefix, from the start entry */
};

#define GROW(ptr, cap, need)                                                                       \
    do {                                                                                           \
        if ((need) > (cap)) {                                                                      \
            size_t c_ = (cap) ? (cap) : 64;                                                        \
            while (c_ < (need))                                                                    \
                c_ *= 2;                                                                           \
            (ptr) = kdo_xrealloc((ptr), c_ * sizeof *(ptr));                                       \
            (cap) = c_;                                                                            \
        }                                                                                          \
    } while (0)

#endif
