/*
 * spawn.h -- a child process in a session of its own, and the strays it
 * leaves.
 *
 * For `kdaout host`'s runtime: the command is found along PATH before fork
 * (after fork in a threaded process only async-signal-safe calls are
 * allowed, and execvpe is not one), run as execvp runs it (a file without #!
 * by /bin/sh), in its own session and process group (killed as one), with
 * its stdout and stderr on one descriptor and the signals the parent blocked
 * or ignored restored.  A command that cannot run says why on that
 * descriptor and exits 127.  The sweep kills what escaped the session: run
 * the parent as a child subreaper (PR_SET_CHILD_SUBREAPER) so such
 * processes come back to it when their parent dies.
 */
#ifndef KDO_SPAWN_H
#define KDO_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/* The environment with `vars` (KEY=VALUE) in place of any same key; free
 * with kdo_spawn_env_free. */
char **kdo_spawn_env(char *const *vars, size_t nv);
void kdo_spawn_env_free(char **env);

/* Forks and execs argv (argv[0] found on PATH) with env, its stdout and
 * stderr on `out`, in directory `dir` (NULL: ours).  Returns the pid, or -1
 * if fork failed. */
pid_t kdo_spawn(char *const *argv, char **env, int out, const char *dir);

/* Kills and reaps every child of the calling process but `keep`, round after
 * round (strays of strays); returns how many. */
int kdo_spawn_sweep(pid_t keep);

#endif
