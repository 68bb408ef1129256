/* transport_inproc.c -- placeholder until the module lands. */
typedef int kdo__placeholder_transport_inproc;
