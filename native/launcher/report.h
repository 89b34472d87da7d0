/* Status records (JSON lines) towards the parent; see native/PROTOCOL.md. */
#pragma once

#include <stddef.h>

/* Where records go: the control socket in the launcher, a report pipe in the container. */
extern int report_fd;

/* Writes `s` to `out` as a JSON string literal (with quotes); returns the length written or -1. */
int json_string (char *out, size_t size, const char *s);

/* `{"type":"exit","code":N}` or `..."signal":N}` (no newline) from a waitpid() status. */
void format_exit (char *out, size_t size, int wait_status);

/* The error record line (with newline). `err` is an errno value or 0; `syscall` and `path` may be NULL. */
void format_error (char *out, size_t size, const char *stage, const char *syscall, int err, const char *path,
                   const char *message);

/* Writes one preformatted record line; falls back to stderr if the fd is gone. */
void report_line (const char *line);

/* Writes an error record; the message is taken as is. */
void report_error (const char *stage, const char *syscall, int err, const char *path, const char *fmt, ...)
  __attribute__ ((format (printf, 5, 6)));

/* Reports an error with the current errno (its text appended to the message) and exits EXIT_SETUP_FAILED. */
__attribute__ ((noreturn, format (printf, 4, 5))) void die (const char *stage, const char *syscall, const char *path,
                                                            const char *fmt, ...);
