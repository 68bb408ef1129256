/*
 * runner-files.c -- what a run writes beside its reports: the journal
 * (--journal), the metrics (--metrics) and every record sent (--records),
 * a file for one scenario or NAME.EXT per scenario in a folder.  A file that
 * cannot be written fails the run (runner.c).  A part of the runner
 * (runner-int.h).
 */
#include "runner-int.h"

#include "base/errors.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- journal and metrics files ----------------------------------------------------- */

void kdo__runner_output_path(const char *path, const char *file, int several, const char *ext,
                             char *out, size_t n)
{
    if (!several) {
        snprintf(out, n, "%s", path);
        return;
    }
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    snprintf(out, n, "%s/%.*s.%s", path, (int)len, base, ext);
}

FILE *kdo__runner_open_output(const char *path, const char *file, int several, const char *ext)
{
    char full[4096];
    if (several && mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "kdaout: cannot create %s: %s\n", path, strerror(errno));
        return NULL;
    }
    kdo__runner_output_path(path, file, several, ext, full, sizeof full);
    FILE *f = fopen(full, "w");
    if (f == NULL)
        fprintf(stderr, "kdaout: cannot write %s: %s\n", full, strerror(errno));
    return f;
}

int kdo__runner_close_output(FILE *f, int err, const char *path)
{
    if (fclose(f) != 0 || err) {
        fprintf(stderr, "kdaout: error writing under %s\n", path);
        return KDO_EIO;
    }
    return 0;
}

/* The journal was written as the run went: one destination's straight to
 * the file, several destinations' each to a scratch file, merged here in
 * time order. */
int kdo__runner_finish_journal(const struct kdo_runner_options *o, struct watch *w,
                               const struct kdo_sim_result *r)
{
    int err = 0;
    FILE *f = w->journal_out;
    w->journal_out = NULL;
    if (f == NULL)
        return 0;
    for (size_t i = 0; i < r->nlanes && !err; i++)
        err = kdo_journal_sink_error(r->lanes[i].journal);
    for (size_t i = 0; i < r->nlanes && r->nlanes > 1 && !err; i++)
        err = w->lane_files[i] ? 0 : KDO_EIO;
    if (!err && r->nlanes > 1) {
        const char *ids[KDO_APP_MAX_OUTPUTS];
        for (size_t i = 0; i < r->nlanes; i++)
            ids[i] = r->lanes[i].id;
        err = kdo_journal_merge_files(w->lane_files, ids, r->nlanes, f);
    }
    return kdo__runner_close_output(f, err, o->journal);
}

int kdo__runner_write_outputs(const struct kdo_runner_options *o, const char *file, int several,
                              const struct kdo_sim_result *r)
{
    int err = 0;
    FILE *f;
    if (o->metrics && err == 0) {
        struct kdo_buf b;
        kdo_buf_init(&b, SIZE_MAX / 2);
        if (r->nlanes > 1) { /* {"1.1": metrics, "1.2": metrics ...}: one set per output Id */
            kdo_buf_puts(&b, "{");
            for (size_t i = 0; i < r->nlanes; i++) {
                kdo_buf_puts(&b, i ? "," : "");
                kdo_buf_json_string(&b, r->lanes[i].id, strlen(r->lanes[i].id));
                kdo_buf_puts(&b, ":");
                kdo_metrics_to_json(r->lanes[i].metrics, &b);
            }
            kdo_buf_puts(&b, "}");
        } else {
            kdo_metrics_to_json(r->metrics, &b);
        }
        if ((f = kdo__runner_open_output(o->metrics, file, several, "metrics.json")) == NULL)
            err = KDO_EIO;
        else
            err = kdo__runner_close_output(
                f, fwrite(b.data, 1, b.len, f) != b.len || fputc('\n', f) == EOF, o->metrics);
        kdo_buf_cleanup(&b);
    }
    return err;
}

/* --records: every record as it was sent, one JSON line each, its row
 * decoded (text that is not UTF-8 shows U+FFFD), so the rows a function
 * receives can be read and diffed. */

static void write_records(void *ctx, const char *dest, kdo_time_ns now,
                          const struct kdo_invocation *inv);

/* Each invocation sent: to --records and to the destination's output check. */
void kdo__runner_sent_to(void *ctx, const char *dest, kdo_time_ns now,
                         const struct kdo_invocation *inv)
{
    struct watch *w = ctx;
    if (w->rec && w->rec->f)
        write_records(w->rec, dest, now, inv);
    if (w->tl)
        kdo_timeline_sent(w->tl, dest, inv);
    for (size_t i = 0; i < KDO_APP_MAX_OUTPUTS; i++)
        if (w->output[i] && strcmp(w->lane_ids[i], dest ? dest : "") == 0)
            kdo_output_watch_sent(w->output[i], inv);
}

static void write_records(void *ctx, const char *dest, kdo_time_ns now,
                          const struct kdo_invocation *inv)
{
    struct records *rec = ctx;
    struct kdo_buf b, text;
    kdo_buf_init(&b, SIZE_MAX / 2);
    kdo_buf_init(&text, SIZE_MAX / 2);
    for (size_t i = 0; i < inv->n && !rec->err; i++) {
        const char *d = inv->data[i].p;
        size_t n = inv->data[i].n;
        kdo_buf_reset(&b);
        kdo_buf_reset(&text);
        if (kdo_buf_reserve(&text, 3 * n + 1) == 0) /* invalid UTF-8 -> U+FFFD */
            text.len = kdo_utf8_repair(text.data, d, n);
        kdo_buf_printf(&b, "{\"t\":%lld.%06lld", (long long)(now / KDO_S),
                       (long long)(now % KDO_S / KDO_US));
        if (rec->several_dests)
            kdo_buf_printf(&b, ",\"dest\":\"%s\"", dest);
        kdo_buf_printf(&b, ",\"invocation\":%llu,\"invocationId\":\"%s\",\"recordId\":",
                       (unsigned long long)inv->number, inv->invocation_id);
        kdo_buf_json_string(&b, inv->ids[i].p, inv->ids[i].n);
        kdo_buf_printf(&b, ",\"retryHint\":%llu,\"data\":", (unsigned long long)inv->hints[i]);
        kdo_buf_json_string(&b, text.data ? text.data : "", text.len);
        kdo_buf_puts(&b, "}\n");
        rec->err = fwrite(b.data, 1, b.len, rec->f) != b.len;
    }
    kdo_buf_cleanup(&b);
    kdo_buf_cleanup(&text);
}

/* Several scenarios write NAME.jsonl side by side: two with one NAME would
 * overwrite each other, so that is refused up front. */
int kdo__runner_distinct_outputs(const struct kdo_suite *s, FILE *out)
{
    char a[4096], b[4096];
    for (size_t i = 0; i < s->n; i++)
        for (size_t k = i + 1; k < s->n; k++) {
            kdo__runner_output_path("", s->files[i], 1, "", a, sizeof a);
            kdo__runner_output_path("", s->files[k], 1, "", b, sizeof b);
            if (strcmp(a, b) == 0) {
                fprintf(out, "ERROR %s and %s would both write %sjsonl; rename one\n",
                        s->files[i], s->files[k], a + 1);
                return 0;
            }
        }
    return 1;
}
