/*
 * spawn.c -- a child process in a session of its own (spawn.h).
 */
#include "lambda/spawn.h"

#include "base/errors.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define SWEEP_ROUNDS 16          /* strays of strays: each round kills one generation */
#define PATH_TRIES 64            /* PATH entries tried for the runtime command */

char **kdo_spawn_env(char *const *vars, size_t nv)
{
    size_t count = 0, n = 0;
    while (environ[count])
        count++;
    char **env = kdo_xcalloc(count + nv + 1, sizeof *env);
    for (size_t i = 0; i < count; i++) {
        int ours = 0;
        for (size_t k = 0; k < nv && !ours; k++) {
            size_t klen = (size_t)(strchr(vars[k], '=') - vars[k]);
            ours = strncmp(environ[i], vars[k], klen) == 0 && environ[i][klen] == '=';
        }
        if (!ours)
            env[n++] = kdo_xstrdup(environ[i]);
    }
    for (size_t k = 0; k < nv; k++)
        env[n++] = kdo_xstrdup(vars[k]);
    return env;
}

void kdo_spawn_env_free(char **env)
{
    for (char **e = env; *e; e++)
        free(*e);
    free(env);
}

/* Everything the child needs to exec, built before fork: after fork in a
 * threaded process only async-signal-safe calls are allowed (no malloc, no
 * stdio, no strerror), and execvpe is not one, so PATH is searched here. */
struct launch {
    char **argv;
    char **env;
    char *paths[PATH_TRIES]; /* argv[0], or its candidates along PATH in order */
    size_t npaths;
    char **sh_argv;          /* /bin/sh PATH ARGS...: a file without #!, as execvp does */
    char *cannot;            /* "cannot run ARGV0: " */
    const char *dir;         /* the working directory, or NULL to keep ours */
};

static void launch_prepare(struct launch *ln, char *const *argv, char **env)
{
    size_t argc = 0, flen = strlen(argv[0]);
    while (argv[argc])
        argc++;
    ln->argv = (char **)argv;
    ln->env = env;
    ln->sh_argv = kdo_xcalloc(argc + 2, sizeof *ln->sh_argv);
    ln->sh_argv[0] = "/bin/sh";
    for (size_t i = 1; i < argc; i++)
        ln->sh_argv[i + 1] = argv[i];
    ln->cannot = kdo_xcalloc(1, flen + 16);
    snprintf(ln->cannot, flen + 16, "cannot run %s: ", argv[0]);
    if (strchr(argv[0], '/') != NULL || flen == 0) {
        ln->paths[ln->npaths++] = kdo_xstrdup(argv[0]);
        return;
    }
    const char *path = getenv("PATH");
    if (path == NULL)
        path = "/bin:/usr/bin"; /* glibc's default */
    for (const char *p = path; ln->npaths < PATH_TRIES;) {
        const char *colon = strchr(p, ':');
        size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
        char *c = kdo_xcalloc(1, dlen + flen + 2);
        if (dlen > 0) /* an empty entry is the current directory */
            memcpy(c, p, dlen), c[dlen] = '/';
        memcpy(c + (dlen > 0 ? dlen + 1 : 0), argv[0], flen);
        ln->paths[ln->npaths++] = c;
        if (colon == NULL)
            break;
        p = colon + 1;
    }
}

static void launch_cleanup(struct launch *ln)
{
    for (size_t i = 0; i < ln->npaths; i++)
        free(ln->paths[i]);
    free(ln->sh_argv);
    free(ln->cannot);
}

/* strerror for the errors exec gives, without strerror (not async-signal-safe). */
static const char *exec_error(int e)
{
    switch (e) {
    case ENOENT: return "No such file or directory";
    case EACCES: return "Permission denied";
    case ENOEXEC: return "Exec format error";
    case ENOTDIR: return "Not a directory";
    case ELOOP: return "Too many levels of symbolic links";
    case ENAMETOOLONG: return "File name too long";
    case E2BIG: return "Argument list too long";
    case ENOMEM: return "Cannot allocate memory";
    case ETXTBSY: return "Text file busy";
    case EISDIR: return "Is a directory";
    default: return "cannot execute";
    }
}

static void write_str(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return;
        s += k;
        n -= (size_t)k;
    }
}

/* In the child: only async-signal-safe calls until exec (and after a failed
 * one).  Tries the candidates as execvp does: one not found (or not allowed)
 * passes to the next, a file exec cannot run is run by /bin/sh. */
static void exec_child(struct launch *ln, int out)
{
    sigset_t none; /* what the host blocked or ignored is not the runtime's business */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setsid(); /* its own session and process group: killed as one */
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    if (ln->dir && chdir(ln->dir) != 0) {
        write_str(STDERR_FILENO, ln->cannot);
        write_str(STDERR_FILENO, "cannot change to LAMBDA_TASK_ROOT\n");
        _exit(127);
    }
    int err = ENOENT, denied = 0;
    for (size_t i = 0; i < ln->npaths; i++) {
        execve(ln->paths[i], ln->argv, ln->env);
        err = errno;
        if (err == ENOEXEC) {
            ln->sh_argv[1] = ln->paths[i];
            execve("/bin/sh", ln->sh_argv, ln->env);
            break;
        }
        if (err != EACCES && err != ENOENT && err != ENOTDIR && err != ESTALE && err != ENODEV &&
            err != ETIMEDOUT)
            break;
        denied |= err == EACCES;
        if (i + 1 == ln->npaths && denied)
            err = EACCES; /* found, not allowed: says more than the last "not found" */
    }
    write_str(STDERR_FILENO, ln->cannot);
    write_str(STDERR_FILENO, exec_error(err));
    write_str(STDERR_FILENO, "\n");
    _exit(127);
}

pid_t kdo_spawn(char *const *argv, char **env, int out, const char *dir)
{
    struct launch ln = {0};
    launch_prepare(&ln, argv, env);
    ln.dir = dir;
    pid_t pid = fork();
    if (pid == 0)
        exec_child(&ln, out);
    launch_cleanup(&ln);
    return pid;
}

/* The pid's parent, from /proc/PID/stat (the name may hold spaces and parentheses). */
static pid_t parent_of(const char *pid)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    text[n > 0 ? n : 0] = '\0';
    const char *p = strrchr(text, ')');
    int ppid;
    return p && sscanf(p + 1, " %*c %d", &ppid) == 1 ? (pid_t)ppid : -1;
}

/* Kills and reaps every child of ours but `keep`: the runtime's children that
 * left its session, handed to us (a subreaper) when it died.  Returns how many. */
static int sweep_once(pid_t keep)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)) != NULL) {
        pid_t p = (pid_t)atoi(e->d_name);
        if (p <= 0 || p == keep || parent_of(e->d_name) != getpid())
            continue;
        kill(p, SIGKILL); /* our child: its pid cannot be reused before we reap it */
        while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
            ;
        found++;
    }
    if (d)
        closedir(d);
    return found;
}

int kdo_spawn_sweep(pid_t keep)
{
    int total = 0, n;
    for (int round = 0; round < SWEEP_ROUNDS && (n = sweep_once(keep)) > 0; round++)
        total += n;
    return total;
}
