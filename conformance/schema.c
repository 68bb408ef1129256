/* schema.c -- placeholder until the module lands. */
typedef int kdo__placeholder_schema;
