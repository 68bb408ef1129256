/*
 * lambda_server-mem.c -- the fake-lambda server's request memory: blobs and
 * the in-flight byte budget.
 *
 * Memory, per request:   head (MHD's 32 KiB pool)
 *                        body   <= Content-Length, reserved from the budget
 *                        reply  copy, counted against the same reservation
 * Bodies and replies of 128 KiB or more are mmap()ed and unmapped when done:
 * malloc would keep freed megabytes in its arenas for good.  Small ones use
 * malloc.  The budget is touched by MHD's one polling thread only, so it
 * needs no lock.  Kept apart from the handler so the rules of what a request
 * may hold are read in one place; it knows nothing of HTTP.
 */
#include "lambda/lambda_server-int.h"

#include "base/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MAP_MIN KDO__LSRV_MAP_MIN

/* ---- blobs: big buffers go back to the kernel when freed -------------------- */

static char *blob_alloc(size_t cap)
{
    if (cap < MAP_MIN)
        return kdo_xmalloc(cap);
    void *p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "kdaout: out of memory (mmap of %zu bytes)\n", cap);
        abort();
    }
    return p;
}

static void blob_release(char *data, size_t cap)
{
    if (data == NULL)
        return;
    if (cap < MAP_MIN)
        free(data);
    else
        munmap(data, cap);
}

/* Room for `need` bytes and a NUL, in one step when need is known upfront. */
void kdo__lsrv_blob_reserve(struct kdo__lsrv_blob *b, size_t need)
{
    if (need + 1 <= b->cap)
        return;
    size_t cap = b->cap * 2 > need + 1 ? b->cap * 2 : need + 1;
    char *data = blob_alloc(cap);
    if (b->len)
        memcpy(data, b->data, b->len);
    data[b->len] = '\0';
    blob_release(b->data, b->cap);
    b->data = data;
    b->cap = cap;
}

void kdo__lsrv_blob_append(struct kdo__lsrv_blob *b, const void *p, size_t n)
{
    kdo__lsrv_blob_reserve(b, b->len + n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void kdo__lsrv_blob_free(struct kdo__lsrv_blob *b)
{
    blob_release(b->data, b->cap);
    *b = (struct kdo__lsrv_blob){0};
}

/* ---- the in-flight budget (MHD thread only) --------------------------------- */

int kdo__lsrv_reserve(struct kdo__lsrv_request *r, size_t n)
{
    struct kdo_lambda_server *s = r->s;
    if (s->inflight > s->cfg.inflight_bytes || n > s->cfg.inflight_bytes - s->inflight)
        return -1; /* replies alone may have passed it: see reserve_reply */
    s->inflight += n;
    r->reserved += n;
    return 0;
}

/* Counts a reply bigger than what its request reserved; never refuses (the
 * reply is already made), so the budget may be passed by replies alone. */
void kdo__lsrv_reserve_reply(struct kdo__lsrv_request *r, size_t n)
{
    if (n > r->reserved) {
        r->s->inflight += n - r->reserved;
        r->reserved = n;
    }
}

void kdo__lsrv_release(struct kdo__lsrv_request *r)
{
    r->s->inflight -= r->reserved;
    r->reserved = 0;
}
