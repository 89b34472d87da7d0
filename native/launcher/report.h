/* Status records (JSON lines) towards the parent; see native/PROTOCOL.md. */
#pragma once

#include <stddef.h>

/* Where records go: the control socket in the launcher, a report pipe in the container. */
extern int report_fd;

/* Appends `s` to `out` as a JSON string literal (with quotes); returns the length written or -1. */
int json_string (char *out, size_t size, const char *s);

/* Writes one preformatted record line; falls back to stderr if the fd is gone. */
void report_line (const char *line);

/* Writes an error record. `err` is an errno value or 0; `syscall` and `path` may be NULL. */
void report_error (const char *stage, const char *syscall, int err, const char *path, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));

/* Reports an error using the current errno and exits with EXIT_SETUP_FAILED. */
__attribute__ ((noreturn, format (printf, 4, 5))) void die (const char *stage, const char *syscall,
                                                           const char *path, const char *fmt, ...);
