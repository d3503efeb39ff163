/* options.h -- the command line: every option sets configuration keys. */
#ifndef HYVE_OPTIONS_H
#define HYVE_OPTIONS_H

#include <stddef.h>

/*
 * Parse argv into the configuration.  Returns 0 to run, 1 if --help/--version
 * was handled (exit 0), 2 for --probe (report the host, exit), or -EINVAL with a
 * one-line message in err.
 */
int options_parse(int argc, char **argv, char *err, size_t errlen);

/* Parse a -G argument ("[w][ADDRESS:]PORT", "[w][[v6]:]PORT", "[w]unix:PATH")
 * into gdb.* keys.  0 or -EINVAL. */
int options_parse_gdb(const char *arg);

#endif
