/*
 * schema.h -- the JSON Schema of the scenario format.
 *
 * `kdaout schema` prints it; editors use it through a first line
 * `# yaml-language-server: $schema=PATH` in a scenario.  It is written by
 * hand beside the loader (scenario.c) and must describe exactly the keys and
 * value forms the loader accepts: a test loads every bundled scenario and
 * checks it against this schema with a real validator.
 */
#ifndef KDO_SCHEMA_H
#define KDO_SCHEMA_H

#include <stdio.h>

/* The schema as JSON text (draft 2020-12), NUL-terminated, static. */
const char *kdo_schema_text(void);

/* Writes it to out; returns 0 or KDO_EIO. */
int kdo_schema_write(FILE *out);

#endif
