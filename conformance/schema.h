/*
 * schema.h -- the JSON Schema of the scenario format.
 *
 * `kdaout schema` prints it; editors use it through a first line
 * `# yaml-language-server: $schema=PATH` in a scenario.  It is generated
 * from the format's tables (format.h), which the loader (scenario.c) reads
 * too, so it describes exactly the keys and value forms the loader accepts;
 * a test loads every bundled scenario and checks it against this schema
 * with a real validator.
 */
#ifndef KDO_SCHEMA_H
#define KDO_SCHEMA_H

#include <stdio.h>

struct kdo_format_map;

/* The schema of the format whose root mapping is `root` (kdo_format_scenario,
 * or a test's copy), as JSON text (draft 2020-12): a new string. */
char *kdo_schema_generate(const struct kdo_format_map *root);

/* The scenario format's schema, NUL-terminated, generated once (static). */
const char *kdo_schema_text(void);

/* Writes it to out; returns 0 or KDO_EIO. */
int kdo_schema_write(FILE *out);

#endif
