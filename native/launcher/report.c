#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utils.h"

int report_fd = -1;

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
      const char *e = esc;
      if (*p == '"' || *p == '\\')
        snprintf (esc, sizeof esc, "\\%c", *p);
      else if (*p == '\n' || *p == '\t' || *p == '\r')
        snprintf (esc, sizeof esc, "\\%c", *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r');
      else if (*p < 0x20)
        snprintf (esc, sizeof esc, "\\u%04x", *p);
      else
        snprintf (esc, sizeof esc, "%c", *p);
      for (; *e; e++)
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

void
format_exit (char *out, size_t size, int wait_status)
{
  if (WIFSIGNALED (wait_status))
    snprintf (out, size, "{\"type\":\"exit\",\"signal\":%d}", WTERMSIG (wait_status));
  else
    snprintf (out, size, "{\"type\":\"exit\",\"code\":%d}", WEXITSTATUS (wait_status));
}

void
format_error (char *out, size_t size, const char *stage, const char *syscall, int err, const char *path,
              const char *message)
{
  char field[2 * 4096 + 8];
  size_t n = (size_t)snprintf (out, size, "{\"type\":\"error\",\"stage\":\"%s\"", stage);
  if (syscall && n < size)
    n += (size_t)snprintf (out + n, size - n, ",\"syscall\":\"%s\"", syscall);
  if (err && n < size)
    {
      const char *name = strerrorname_np (err);
      n += (size_t)snprintf (out + n, size - n, ",\"errno\":%d,\"errname\":\"%s\"", err, name ? name : "?");
    }
  if (path && n < size && json_string (field, sizeof field, path) > 0)
    n += (size_t)snprintf (out + n, size - n, ",\"path\":%s", field);
  if (json_string (field, sizeof field, message) < 0)
    strcpy (field, "\"(message too long)\"");
  if (n < size)
    snprintf (out + n, size - n, ",\"message\":%s}\n", field);
}

void
report_line (const char *line)
{
  size_t len = strlen (line);
  if (report_fd < 0 || TEMP_FAILURE_RETRY (write (report_fd, line, len)) != (long)len)
    {
      /* Nobody to tell: the parent is gone or the pipe broke. stderr is the last resort. */
      if (write (STDERR_FILENO, "testcell-launcher: ", 19) < 0 || write (STDERR_FILENO, line, len) < 0)
        return;
    }
}

static void
vreport (const char *stage, const char *syscall, int err, const char *path, const char *fmt, va_list ap)
{
  char message[2048], line[16384];
  vsnprintf (message, sizeof message, fmt, ap);
  format_error (line, sizeof line, stage, syscall, err, path, message);
  report_line (line);
}

void
report_error (const char *stage, const char *syscall, int err, const char *path, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vreport (stage, syscall, err, path, fmt, ap);
  va_end (ap);
}

void
die (const char *stage, const char *syscall, const char *path, const char *fmt, ...)
{
  int err = errno;
  char message[2048];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (message, sizeof message, fmt, ap);
  va_end (ap);
  if (err)
    report_error (stage, syscall, err, path, "%s: %s", message, strerror (err));
  else
    report_error (stage, syscall, err, path, "%s", message);
  _exit (EXIT_SETUP_FAILED);
}
