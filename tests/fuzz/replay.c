/*
 * replay.c -- a deterministic driver for libFuzzer-style fuzz targets.
 *
 * Linked with any fuzz_<name>.c that defines LLVMFuzzerTestOneInput(), it
 * runs every file of a corpus directory (in name order), then a bounded set
 * of mutations of them -- bit flips, byte inserts and deletes, chunk copies,
 * splices of two inputs -- drawn from one PRNG with a fixed seed, so the same
 * corpus gives the same inputs on every machine and the run fits a test
 * timeout even under sanitizers.  A crash is the process dying (an abort or
 * a sanitizer report); if it returns, it prints "N inputs, 0 crashes".  It is
 * no substitute for coverage-guided fuzzing (tests/fuzz/run-libfuzzer).
 *
 *   usage: fuzz_<name> CORPUS_DIR_OR_FILE [RUNS [SEED]]
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DEFAULT_RUNS 20000
#define DEFAULT_SEED 0x6b646f7574ULL /* "kdout" */
#define REPLAY_MAX_BYTES (64 * 1024)
#define MAX_FILES 4096

struct input {
    uint8_t *data;
    size_t size;
};

static uint64_t rng_state;

/* splitmix64: small, and the same sequence everywhere. */
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static int read_file(const char *path, struct input *in)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    in->data = malloc(REPLAY_MAX_BYTES);
    in->size = fread(in->data, 1, REPLAY_MAX_BYTES, f);
    fclose(f);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the corpus: every regular file of dir (sorted), or dir itself if it
 * is a file.  Returns the number read. */
static size_t load(const char *dir, struct input *out)
{
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISREG(st.st_mode))
        return read_file(dir, &out[0]) == 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    char *names[MAX_FILES];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < MAX_FILES)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    size_t got = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && read_file(path, &out[got]) == 0)
            got++;
        free(names[i]);
    }
    return got;
}

/* Bytes that matter to text formats, more likely than a random byte. */
static uint8_t interesting(void)
{
    static const char pick[] = "{}[]\":,\\ \n-0123456789.eEu+tfnlrsa#!&*|>'%@\x80\xc3\xed\xf4";
    return rnd() % 3 ? (uint8_t)pick[below(sizeof pick - 1)] : (uint8_t)rnd();
}

static void mutate_once(uint8_t *buf, size_t *size, const struct input *corpus, size_t n)
{
    size_t s = *size, at = below(s + 1);
    switch (rnd() % 6) {
    case 0: /* flip a bit */
        if (s)
            buf[below(s)] ^= (uint8_t)(1u << below(8));
        break;
    case 1: /* insert a byte */
        if (s < REPLAY_MAX_BYTES) {
            memmove(buf + at + 1, buf + at, s - at);
            buf[at] = interesting();
            *size = s + 1;
        }
        break;
    case 2: /* delete a run of bytes */
        if (s) {
            size_t len = 1 + below(at < s ? (s - at < 8 ? s - at : 8) : 1);
            if (at + len > s)
                at = s - len;
            memmove(buf + at, buf + at + len, s - at - len);
            *size = s - len;
        }
        break;
    case 3: /* overwrite a byte */
        if (s)
            buf[below(s)] = interesting();
        break;
    case 4: { /* copy a chunk of the input elsewhere in it */
        size_t from = below(s), len = below(s - from + 1);
        if (len && s + len <= REPLAY_MAX_BYTES) {
            memmove(buf + at + len, buf + at, s - at);
            memmove(buf + at, buf + (from >= at ? from + len : from), len);
            *size = s + len;
        }
        break;
    }
    default: { /* splice: our head, another input's tail */
        const struct input *o = &corpus[below(n)];
        size_t tail = below(o->size + 1);
        if (at + (o->size - tail) <= REPLAY_MAX_BYTES) {
            memcpy(buf + at, o->data + tail, o->size - tail);
            *size = at + (o->size - tail);
        }
        break;
    }
    }
}

static void run(const uint8_t *data, size_t size)
{
    /* a fresh copy, so a read past the end is caught by the sanitizer */
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    LLVMFuzzerTestOneInput(copy, size);
    free(copy);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE [RUNS [SEED]]\n", argv[0]);
        return 2;
    }
    size_t runs = argc > 2 ? strtoul(argv[2], NULL, 10) : DEFAULT_RUNS;
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 0) : DEFAULT_SEED;
    static struct input corpus[MAX_FILES];
    size_t n = load(argv[1], corpus), done = 0;
    if (n == 0) {
        fprintf(stderr, "%s: no inputs in %s\n", argv[0], argv[1]);
        return 2;
    }
    printf("seed %llu, %zu corpus files\n",
           (unsigned long long)(argc > 3 ? rng_state : DEFAULT_SEED), n);
    for (size_t i = 0; i < n; i++, done++)
        run(corpus[i].data, corpus[i].size);
    uint8_t *buf = malloc(REPLAY_MAX_BYTES);
    for (; done < runs; done++) {
        const struct input *base = &corpus[below(n)];
        size_t size = base->size;
        memcpy(buf, base->data, size);
        for (size_t k = 1 + below(4); k > 0; k--)
            mutate_once(buf, &size, corpus, n);
        run(buf, size);
    }
    printf("%zu inputs, 0 crashes\n", done);
    free(buf);
    for (size_t i = 0; i < n; i++)
        free(corpus[i].data);
    return 0;
}
