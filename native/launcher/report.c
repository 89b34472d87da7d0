#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan.h"
#include "utils.h"

static int report_fd = -1;
static bool to_launcher;
static void (*launcher_cleanup) (void);

void
report_to_parent (int control_fd, void (*cleanup) (void))
{
  report_fd = control_fd;
  to_launcher = false;
  launcher_cleanup = cleanup;
}

void
report_to_launcher (int message_fd)
{
  report_fd = message_fd;
  to_launcher = true;
  launcher_cleanup = NULL;
}

#define E(name) [name] = #name
static const char *const errno_names[] = {
  E (EPERM),        E (ENOENT),       E (ESRCH),       E (EINTR),       E (EIO),          E (ENXIO),
  E (E2BIG),        E (ENOEXEC),      E (EBADF),       E (ECHILD),      E (EAGAIN),       E (ENOMEM),
  E (EACCES),       E (EFAULT),       E (ENOTBLK),     E (EBUSY),       E (EEXIST),       E (EXDEV),
  E (ENODEV),       E (ENOTDIR),      E (EISDIR),      E (EINVAL),      E (ENFILE),       E (EMFILE),
  E (ENOTTY),       E (ETXTBSY),      E (EFBIG),       E (ENOSPC),      E (ESPIPE),       E (EROFS),
  E (EMLINK),       E (EPIPE),        E (EDOM),        E (ERANGE),      E (EDEADLK),      E (ENAMETOOLONG),
  E (ENOLCK),       E (ENOSYS),       E (ENOTEMPTY),   E (ELOOP),       E (ENOMSG),       E (EIDRM),
  E (ENODATA),      E (ETIME),        E (EOVERFLOW),   E (EILSEQ),      E (EUSERS),       E (ENOTSOCK),
  E (EMSGSIZE),     E (EPROTOTYPE),   E (ENOPROTOOPT), E (EOPNOTSUPP),  E (EAFNOSUPPORT), E (EADDRINUSE),
  E (ENETDOWN),     E (ENETUNREACH),  E (ECONNRESET),  E (ENOBUFS),     E (ENOTCONN),     E (ETIMEDOUT),
  E (ECONNREFUSED), E (EHOSTUNREACH), E (EALREADY),    E (EINPROGRESS), E (ESTALE),       E (EDQUOT),
  E (ECANCELED),    E (ENOKEY),       E (EKEYEXPIRED), E (EKEYREVOKED), E (EKEYREJECTED), E (EOWNERDEAD),
};
#undef E

const char *
errno_name (int err)
{
  return err > 0 && (size_t)err < N_ELEMENTS (errno_names) ? errno_names[err] : NULL;
}

int
json_string (char *out, size_t size, const char *s)
{
  size_t n = 0;
  char esc[8];
  if (size < 3)
    return -1;
  out[n++] = '"';
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        snprintf (esc, sizeof esc, "\\%c", *p);
      else if (*p == '\n' || *p == '\t' || *p == '\r')
        snprintf (esc, sizeof esc, "\\%c", *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r');
      else if (*p < 0x20 || *p == 0x7f)
        snprintf (esc, sizeof esc, "\\u%04x", *p);
      else
        snprintf (esc, sizeof esc, "%c", *p);
      for (const char *e = esc; *e; e++)
        {
          if (n + 2 >= size)
            return -1;
          out[n++] = *e;
        }
    }
  out[n++] = '"';
  out[n] = '\0';
  return (int)n;
}

/* snprintf that reports truncation as -1 instead of cutting a record. */
__attribute__ ((format (printf, 3, 4))) static int
appendf (char *out, size_t size, const char *fmt, ...)
{
  size_t used = strnlen (out, size);
  va_list ap;
  va_start (ap, fmt);
  int n = used < size ? vsnprintf (out + used, size - used, fmt, ap) : -1;
  va_end (ap);
  return n < 0 || (size_t)n >= size - used ? -1 : (int)(used + (size_t)n);
}

/* Appends `s` as a JSON string literal; the new length, or -1. */
static int
append_json (char *out, size_t size, const char *s)
{
  size_t used = strlen (out);
  int n = json_string (out + used, size - used, s);
  return n < 0 ? -1 : (int)used + n;
}

int
format_hello (char *out, size_t size)
{
  out[0] = '\0';
  return appendf (out, size, "{\"type\":\"hello\",\"protocol\":%d}\n", PROTOCOL_VERSION);
}

int
format_pid (char *out, size_t size, int pid)
{
  out[0] = '\0';
  return appendf (out, size, "{\"type\":\"pid\",\"pid\":%d}\n", pid);
}

int
format_started (char *out, size_t size)
{
  out[0] = '\0';
  return appendf (out, size, "{\"type\":\"started\"}\n");
}

char *
format_exit (int wait_status, const char *const *names, const char *const *contents, size_t n)
{
  size_t size = 96;
  for (size_t i = 0; i < n; i++)
    size += contents[i] ? 6 * (strlen (names[i]) + strlen (contents[i])) + 8 : 0;
  char *line = malloc (size);
  if (!line)
    return NULL;
  line[0] = '\0';
  int used = WIFSIGNALED (wait_status)
               ? appendf (line, size, "{\"type\":\"exit\",\"signal\":%d", WTERMSIG (wait_status))
               : appendf (line, size, "{\"type\":\"exit\",\"code\":%d", WEXITSTATUS (wait_status));
  used = appendf (line, size, ",\"files\":{");
  const char *separator = "";
  for (size_t i = 0; i < n && used >= 0; i++)
    {
      if (!contents[i])
        continue;
      used = appendf (line, size, "%s", separator);
      used = used < 0 ? -1 : append_json (line, size, names[i]);
      used = used < 0 ? -1 : appendf (line, size, ":");
      used = used < 0 ? -1 : append_json (line, size, contents[i]);
      separator = ",";
    }
  if (used < 0 || appendf (line, size, "}}\n") < 0)
    abort (); /* the size above is an upper bound: cannot happen */
  return line;
}

int
format_failure (char *out, size_t size, const char *type, const char *stage, const char *syscall, int err,
                const char *path, const char *message)
{
  char field[2 * 4096 + 8];
  int n;
  out[0] = '\0';
  n = appendf (out, size, "{\"type\":\"%s\"", type);
  if (n >= 0 && stage)
    n = appendf (out, size, ",\"stage\":\"%s\"", stage);
  if (n >= 0 && syscall)
    n = appendf (out, size, ",\"syscall\":\"%s\"", syscall);
  if (n >= 0 && err)
    {
      const char *name = errno_name (err);
      n = name ? appendf (out, size, ",\"errno\":%d,\"errname\":\"%s\"", err, name)
               : appendf (out, size, ",\"errno\":%d", err);
    }
  if (n >= 0 && path)
    n = json_string (field, sizeof field, path) < 0 ? -1 : appendf (out, size, ",\"path\":%s", field);
  if (n >= 0)
    n = json_string (field, sizeof field, message) < 0 ? -1 : appendf (out, size, ",\"message\":%s}\n", field);
  return n;
}

static bool
send_message (enum container_msg_type type, int value, const char *text)
{
  struct container_msg header = { .type = type, .value = value };
  struct iovec iov[2] = { { &header, sizeof header }, { (void *)text, text ? strlen (text) : 0 } };
  struct msghdr msg = { .msg_iov = iov, .msg_iovlen = text ? 2 : 1 };
  return TEMP_FAILURE_RETRY (sendmsg (report_fd, &msg, MSG_NOSIGNAL)) >= 0;
}

/* Nobody to tell: the parent is gone or the socket broke. stderr is the last resort. */
static void
to_stderr (const char *line)
{
  if (write (STDERR_FILENO, "testcell-launcher: ", 19) == 19)
    (void)!write (STDERR_FILENO, line, strlen (line));
}

void
report_line (const char *line)
{
  size_t len = strlen (line);
  if (report_fd < 0 || TEMP_FAILURE_RETRY (write (report_fd, line, len)) != (long)len)
    to_stderr (line);
}

void
report_started (void)
{
  send_message (MSG_STARTED, 0, NULL);
}

void
report_exit_status (int wait_status)
{
  send_message (MSG_EXIT, wait_status, NULL);
}

static void
report_failure (const char *type, const char *stage, const char *syscall, int err, const char *path,
                const char *message)
{
  char line[RECORD_MAX];
  if (format_failure (line, sizeof line, type, stage, syscall, err, path, message) < 0)
    format_failure (line, sizeof line, type, stage, syscall, err, NULL, "(message too long)");
  if (!to_launcher)
    report_line (line);
  else if (!send_message (stage ? MSG_ERROR : MSG_EXEC_FAILED, err, line))
    to_stderr (line);
}

void
report_exec_failed (const char *syscall, int err, const char *path, const char *fmt, ...)
{
  char message[2048];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (message, sizeof message, fmt, ap);
  va_end (ap);
  report_failure ("exec-failed", NULL, syscall, err, path, message);
}

void
die_with (const char *stage, const char *syscall, int err, const char *path, const char *message)
{
  report_failure ("error", stage, syscall, err, path, message);
  if (launcher_cleanup)
    launcher_cleanup ();
  _exit (EXIT_SETUP_FAILED);
}

void
die (const char *stage, const char *syscall, const char *path, const char *fmt, ...)
{
  int err = errno;
  char message[2048];
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (message, sizeof message, fmt, ap);
  va_end (ap);
  if (err && n >= 0 && (size_t)n < sizeof message)
    snprintf (message + n, sizeof message - (size_t)n, ": %s", strerror (err));
  die_with (stage, syscall, err, path, message);
}
