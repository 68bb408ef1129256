/*
 * suite.c -- collecting, filtering and sharding scenario files.
 */
#include "suite.h"

#include "base/errors.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


static void add(struct kdo_suite *s, const char *file)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->files = kdo_xrealloc(s->files, s->cap * sizeof *s->files);
    }
    s->files[s->n++] = kdo_xstrdup(file);
}

void kdo_suite_cleanup(struct kdo_suite *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->files[i]);
    free(s->files);
    memset(s, 0, sizeof *s);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_yaml(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

/* The scenario files directly in `dir` (not in its sub-folders: those are
 * given on their own, e.g. scenarios/examples/). */
static int walk(const char *dir, struct kdo_suite *out, FILE *err)
{
    DIR *d = opendir(dir);
    struct kdo_suite here = {0};
    if (d == NULL) {
        fprintf(err, "%s: %s\n", dir, strerror(errno));
        return KDO_ENOENT;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char full[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(full, sizeof full, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        if (stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) || !is_yaml(e->d_name))
            continue;
        if (S_ISREG(st.st_mode)) /* a FIFO or device found by a walk would block the run */
            add(&here, full);
        else
            fprintf(err, "%s: not a regular file; skipped\n", full);
    }
    closedir(d);
    if (here.n > 0) /* an empty folder has no array: qsort(NULL, 0) is undefined */
        qsort(here.files, here.n, sizeof *here.files, by_name);
    for (size_t i = 0; i < here.n; i++)
        add(out, here.files[i]);
    kdo_suite_cleanup(&here);
    return 0;
}

static int collect(const char *path, struct kdo_suite *out, FILE *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(err, "%s: %s\n", path, strerror(errno));
        return KDO_ENOENT;
    }
    if (S_ISDIR(st.st_mode))
        return walk(path, out, err);
    add(out, path);
    return 0;
}

static void keep(struct kdo_suite *s, const struct kdo_suite_options *o)
{
    size_t kept = 0, k = 0;
    for (size_t i = 0; i < s->n; i++) {
        int ok = o->filter == NULL || strstr(s->files[i], o->filter) != NULL;
        if (ok && o->shards > 0)
            ok = k++ % o->shards == o->shard - 1;
        if (ok)
            s->files[kept++] = s->files[i];
        else
            free(s->files[i]);
    }
    s->n = kept;
}

int kdo_suite_collect(char **paths, int npaths, const struct kdo_suite_options *o,
                      struct kdo_suite *out, FILE *err)
{
    int rc = 0;
    for (int i = 0; i < npaths; i++)
        if (collect(paths[i], out, err) != 0)
            rc = KDO_ENOENT;
    keep(out, o);
    return rc;
}
