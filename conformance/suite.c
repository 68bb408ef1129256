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
 * given on their own, e.g. scenarios/examples/).  A scenario file that
 * cannot be read (a dangling link, no permission) is named, never silently
 * left out: the walk goes on and the collection reports KDO_ENOENT. */
static int walk(const char *dir, struct kdo_suite *out, FILE *err)
{
    DIR *d = opendir(dir);
    struct kdo_suite here = {0};
    int rc = 0;
    if (d == NULL) {
        fprintf(err, "%s: %s\n", dir, strerror(errno));
        return KDO_ENOENT;
    }
    const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        struct stat st;
        if (e->d_name[0] == '.' || !is_yaml(e->d_name))
            continue;
        size_t size = strlen(dir) + strlen(sep) + strlen(e->d_name) + 1;
        char *full = kdo_xmalloc(size);
        snprintf(full, size, "%s%s%s", dir, sep, e->d_name);
        if (stat(full, &st) != 0) {
            fprintf(err, "%s: %s\n", full, strerror(errno));
            rc = KDO_ENOENT;
        } else if (S_ISREG(st.st_mode)) {
            add(&here, full);
        } else if (!S_ISDIR(st.st_mode)) { /* a FIFO or device would block the run */
            fprintf(err, "%s: not a regular file; skipped\n", full);
        }
        free(full);
    }
    closedir(d);
    if (here.n > 0) /* an empty folder has no array: qsort(NULL, 0) is undefined */
        qsort(here.files, here.n, sizeof *here.files, by_name);
    for (size_t i = 0; i < here.n; i++)
        add(out, here.files[i]);
    kdo_suite_cleanup(&here);
    return rc;
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
