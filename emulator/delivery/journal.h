/*
 * journal.h -- the history of a run, and the truth every check reads.
 *
 * Every step of the engine appends a time-stamped entry: rows read from the
 * source and emitted to the destination stream (as ranges of row numbers),
 * each invocation (its recordIds as row numbers, retryHints and bytes), each
 * reply (status, verdict per record), buffer/lag samples, source pauses and
 * restarts.  Appending never fails (out of memory aborts).  The journal holds
 * no clock: times come from the caller.
 *
 * A journal is a stream.  Watchers (the checks, a JSON Lines file) see each
 * entry once it is final, in order.  By default every entry is also kept
 * for reading back (tests, small tools); a run calls kdo_journal_forget() so
 * that only the entries not yet final, the latest invocation and the latest
 * reply stay in memory: a run's journal then costs a small constant however
 * long it runs, and its history lives in the watchers' summaries and files.
 */
#ifndef KDO_JOURNAL_H
#define KDO_JOURNAL_H

#include "base/ktime.h"
#include "delivery/contract.h"

#include <stdint.h>
#include <stdio.h>

enum kdo_jkind {
    KDO_J_START,        /* run parameters: seed, record id prefix */
    KDO_J_ROWS_READ,    /* source rows [first, first+count) read by the application */
    KDO_J_ROWS_EMITTED, /* output rows [first, first+count) entered the destination stream */
    KDO_J_INVOKE,       /* an invocation sent */
    KDO_J_REPLY,        /* its reply judged */
    KDO_J_SAMPLE,       /* buffer depth and MillisBehindLatest, once a second */
    KDO_J_PAUSE,        /* source reading paused: destination stream full */
    KDO_J_RESUME,       /* source reading resumed */
    KDO_J_RESTART,      /* application disrupted */
    KDO_J_END,          /* end of the run */
    KDO_J_ERROR_ROW,    /* a source row sent to the in-application error stream */
    KDO_J_RELOAD,       /* a reference table's data replaced (the timeline's reload) */
};

struct kdo_jentry {
    kdo_time_ns t;
    size_t index; /* position in the whole journal, 0-based */
    enum kdo_jkind kind;
    union {
        struct {
            uint64_t seed;
            uint32_t prefix; /* string: record id prefix */
        } start;
        struct {
            uint64_t first, count, bytes;
        } rows;
        struct {
            uint64_t number;   /* invocation number, 1-based */
            uint64_t round;    /* flush round it belongs to, 1-based */
            int retry;         /* 1 if the round resends failed records */
            uint64_t bytes;    /* encoded event bytes */
            uint32_t id;       /* string: invocationId */
            size_t off, n;     /* records: journal seqs/hints [off, off+n) */
        } invoke;
        struct {
            uint64_t number;
            int status;             /* HTTP status, 0 if none */
            uint8_t outcome;        /* enum kdo_transport_outcome */
            uint8_t whole;          /* enum kdo_reason failing all, or OK */
            uint8_t function_error; /* 1 if X-Amz-Function-Error was set */
            kdo_time_ns duration;
            uint64_t ok, failed, delivery_failed;
            uint32_t detail;   /* string */
            size_t off, n;     /* verdicts [off, off+n), same order as the invoke */
        } reply;
        struct { /* SAMPLE, and END (rows/bytes left undelivered) */
            uint64_t rows, bytes; /* destination stream depth */
            int64_t lag_ms;       /* MillisBehindLatest */
            uint64_t unread;      /* source rows arrived but not read */
        } sample;
        struct {           /* PAUSE */
            uint32_t full; /* string: the Id of the destination whose stream is full, or 0 */
        } pause;
        struct {
            uint64_t requeued; /* rows not acknowledged, to be emitted again */
            kdo_time_ns downtime;
        } restart;
        struct {
            uint32_t table, file; /* strings: the table's name, the data file's name */
        } reload;
        struct {
            uint64_t row;           /* source row number (UINT64_MAX: a window's output row) */
            uint32_t name, message; /* strings: ERROR_NAME, MESSAGE */
            uint32_t data, pump;    /* strings: DATA_ROW (cut to 49,152 bytes), PUMP_NAME */
            int64_t time_ms, data_rowtime_ms; /* ERROR_TIME and DATA_ROWTIME, wall-clock ms; */
                                              /* INT64_MIN: not known */
        } error;
    } u;
};

struct kdo_journal;

struct kdo_journal *kdo_journal_new(void);
void kdo_journal_free(struct kdo_journal *j);

void kdo_journal_start(struct kdo_journal *j, kdo_time_ns t, uint64_t seed, const char *prefix);
void kdo_journal_rows(struct kdo_journal *j, kdo_time_ns t, enum kdo_jkind kind, uint64_t first,
                      uint64_t count, uint64_t bytes);
/* Copies the n row numbers and hints. */
void kdo_journal_invoke(struct kdo_journal *j, kdo_time_ns t, uint64_t number, uint64_t round,
                        int retry, const char *invocation_id, uint64_t bytes, size_t n,
                        const uint64_t *seqs, const uint64_t *hints);
/* `e` is a KDO_J_REPLY entry with everything but t, kind, detail, off; the n
 * verdicts are copied. */
void kdo_journal_reply(struct kdo_journal *j, kdo_time_ns t, const struct kdo_jentry *e,
                       const char *detail, const uint8_t *verdicts);
void kdo_journal_sample(struct kdo_journal *j, kdo_time_ns t, uint64_t rows, uint64_t bytes,
                        int64_t lag_ms, uint64_t unread);
void kdo_journal_mark(struct kdo_journal *j, kdo_time_ns t, enum kdo_jkind kind);
/* Source reading paused because destination `full`'s stream (its output Id,
 * or NULL when the application has one destination) has no room. */
void kdo_journal_pause(struct kdo_journal *j, kdo_time_ns t, const char *full);
void kdo_journal_restart(struct kdo_journal *j, kdo_time_ns t, uint64_t requeued,
                         kdo_time_ns downtime);
/* Reference table `table` took the records of `file` (its name without
 * folders is kept, so journals do not depend on where a scenario lies). */
void kdo_journal_reload(struct kdo_journal *j, kdo_time_ns t, const char *table,
                        const char *file);
/* A row of KDA's in-application error stream: its columns ERROR_TIME,
 * ERROR_LEVEL ("ERROR"), ERROR_NAME, MESSAGE, DATA_ROWTIME, DATA_ROW and
 * PUMP_NAME, and the source row number. */
struct kdo_error_row {
    uint64_t row;                     /* UINT64_MAX: not a source row */
    const char *name, *message;
    const char *data;                 /* the row's bytes, or NULL */
    size_t data_len;
    int64_t time_ms, data_rowtime_ms; /* wall-clock ms, or INT64_MIN */
    const char *pump;                 /* or NULL */
};
void kdo_journal_error_stream(struct kdo_journal *j, kdo_time_ns t, const struct kdo_error_row *e);
/* A source row that went to the error stream, with ERROR_NAME and MESSAGE only. */
void kdo_journal_error_row(struct kdo_journal *j, kdo_time_ns t, uint64_t row, const char *name,
                           const char *message);
/* The end of the run: rows the engine still holds unacknowledged, and their bytes. */
void kdo_journal_end(struct kdo_journal *j, kdo_time_ns t, uint64_t rows_left, uint64_t bytes_left);

/* Watching.  fn(ctx, j, i) is told every entry i once it is final (a range
 * of rows may still grow while it is among the last two entries at its
 * instant), in order; during the call entry i and everything it points to
 * can be read.  At most 64 watchers; returns 0 or KDO_EINVAL. */
typedef void kdo_journal_watch_fn(void *ctx, const struct kdo_journal *j, size_t i);
int kdo_journal_watch(struct kdo_journal *j, kdo_journal_watch_fn *fn, void *ctx);
/* Writes every entry to f as a JSON line as soon as it is final (borrows f
 * until the journal is freed).  Write errors are kept: kdo_journal_sink_error(). */
void kdo_journal_sink(struct kdo_journal *j, FILE *f);
int kdo_journal_sink_error(const struct kdo_journal *j);
/* From now on, keep only what is not final yet, the latest invoke and the
 * latest reply: kdo_journal_at() returns NULL for anything else. */
void kdo_journal_forget(struct kdo_journal *j);
/* Bytes the journal holds in memory (entries, side arrays, strings). */
size_t kdo_journal_held_bytes(const struct kdo_journal *j);
/* Makes every entry final and tells the watchers (kdo_journal_end() does). */
void kdo_journal_flush(struct kdo_journal *j);

/* Reading: entries in order, and the side arrays they point into.  Indexes
 * count the whole journal; an entry no longer kept reads as NULL. */
size_t kdo_journal_count(const struct kdo_journal *j);
const struct kdo_jentry *kdo_journal_at(const struct kdo_journal *j, size_t i);
const uint64_t *kdo_journal_seqs(const struct kdo_journal *j);
const uint64_t *kdo_journal_hints(const struct kdo_journal *j);
const uint8_t *kdo_journal_verdicts(const struct kdo_journal *j);
const char *kdo_journal_str(const struct kdo_journal *j, uint32_t s);

/* Formats the recordId of output row `seq` under `prefix` (36 digits) into
 * out (57 bytes): 56 decimal digits like AWS's samples. */
void kdo_journal_record_id(const char *prefix, uint64_t seq, char out[57]);

/* Appends entry i as one JSON object (no newline) to out. */
struct kdo_buf;
void kdo_journal_format(const struct kdo_journal *j, size_t i, struct kdo_buf *out);
/* The same, stopping the lists of records once the text passes `max`
 * bytes: enough to recognise the entry, at a cost that does not grow with
 * the invocation's size.  The object is then left unclosed. */
void kdo_journal_format_brief(const struct kdo_journal *j, size_t i, struct kdo_buf *out,
                              size_t max);
/* Whether e points at nothing else (rows, sample, resume, restart, end):
 * a copy of it can be formatted on its own. */
int kdo_jentry_plain(const struct kdo_jentry *e);
/* Appends such a copy as one JSON object; KDO_EINVAL for other kinds. */
int kdo_journal_format_plain(const struct kdo_jentry *e, struct kdo_buf *out);
/* Writes the whole journal as JSON Lines to f; returns 0, KDO_EIO, or
 * KDO_EINVAL if it forgot entries (a run's journal is written by its sink). */
int kdo_journal_write(const struct kdo_journal *j, FILE *f);
/* The journals of several destinations as one JSON Lines stream in time
 * order (ties: the first journal first), each line led by "dest": ids[i].
 * At most 8 journals.  Returns 0, KDO_EINVAL for more, or KDO_EIO. */
int kdo_journal_write_merged(const struct kdo_journal *const *js, const char *const *ids, size_t n,
                             FILE *f);
/* The same for journals already written as JSON Lines (by kdo_journal_sink)
 * to the files ins[0..n), read from their start.  Returns 0, KDO_EINVAL for
 * more than 8 or a line that is not a journal entry, or KDO_EIO. */
int kdo_journal_merge_files(FILE *const *ins, const char *const *ids, size_t n, FILE *f);

/* Mutable access, for tests that craft journals to prove a check fails. */
struct kdo_jentry *kdo_journal_at_mut(struct kdo_journal *j, size_t i);
uint64_t *kdo_journal_hints_mut(struct kdo_journal *j);
uint8_t *kdo_journal_verdicts_mut(struct kdo_journal *j);

#endif
