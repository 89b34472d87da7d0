/* Status records (native/PROTOCOL.md) and the messages that carry them from the container to the launcher. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Exit code of the launcher when it could not set the container up (as docker run's 125). */
#define EXIT_SETUP_FAILED 125
#define RECORD_MAX 16384

/* Messages from init (and the payload before its exec) to the launcher, one per SOCK_SEQPACKET write: this header,
   then for ERROR and EXEC_FAILED the record line, which the launcher relays as is. */
enum container_msg_type
{
  MSG_STARTED = 1,
  MSG_EXIT = 2, /* value: the payload's wait status */
  MSG_ERROR = 3,
  MSG_EXEC_FAILED = 4,
};

struct container_msg
{
  uint32_t type;
  int32_t value;
};

/* Where records go. The launcher writes lines to the control socket; init and the payload send messages to the
   launcher. `cleanup` (launcher only, may be NULL) runs in die() before the exit, e.g. to remove cgroups. */
void report_to_parent (int control_fd, void (*cleanup) (void));
void report_to_launcher (int message_fd);

/* The errno's symbolic name (EINVAL), or NULL for numbers this table does not know. */
const char *errno_name (int err);

/* Writes `s` to `out` as a JSON string literal (with quotes); returns the length written or -1 if it does not fit. */
int json_string (char *out, size_t size, const char *s);

/* Record lines, newline-terminated, formatted into `out`: the length, or -1 if they do not fit (never cut). */
int format_hello (char *out, size_t size);
int format_pid (char *out, size_t size, int pid);
int format_started (char *out, size_t size);
/* The exit record with the contents of the files the plan asked for (`n` names and contents; a NULL content is left
   out). Returns a malloc'ed line, or NULL when out of memory. */
char *format_exit (int wait_status, const char *const *names, const char *const *contents, size_t n);
int format_failure (char *out, size_t size, const char *type, const char *stage, const char *syscall, int err,
                    const char *path, const char *message);

/* Writes one preformatted record line to the parent (launcher only); falls back to stderr if that fails. */
void report_line (const char *line);

/* Container side: tell the launcher that the payload runs, or how it ended. */
void report_started (void);
void report_exit_status (int wait_status);

/* An exec-failed record (container side). */
void report_exec_failed (const char *syscall, int err, const char *path, const char *fmt, ...)
  __attribute__ ((format (printf, 4, 5)));

/* Reports a setup error with the current errno (its text appended to the message) and exits EXIT_SETUP_FAILED. */
__attribute__ ((noreturn, format (printf, 4, 5))) void die (const char *stage, const char *syscall, const char *path,
                                                            const char *fmt, ...);

/* die() with an explicit errno (0 for none) and the message taken as is. */
__attribute__ ((noreturn)) void die_with (const char *stage, const char *syscall, int err, const char *path,
                                          const char *message);
