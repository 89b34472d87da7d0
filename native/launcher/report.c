#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "utils.h"

int report_fd = -1;

int
json_string (char *out, size_t size, const char *s)
{
  size_t n = 0;
#define PUT(c)                                                                                     \
  do                                                                                               \
    {                                                                                              \
      if (n + 1 >= size)                                                                           \
        return -1;                                                                                 \
      out[n++] = (c);                                                                              \
    }                                                                                              \
  while (0)
  PUT ('"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          PUT ('\\');
          PUT (*p);
        }
      else if (*p < 0x20)
        {
          char esc[8];
          snprintf (esc, sizeof esc, "\\u%04x", *p);
          for (char *e = esc; *e; e++)
            PUT (*e);
        }
      else
        PUT (*p);
    }
  PUT ('"');
#undef PUT
  out[n] = '\0';
  return (int) n;
}

void
report_line (const char *line)
{
  size_t len = strlen (line);
  if (report_fd < 0 || TEMP_FAILURE_RETRY (write (report_fd, line, len)) != (long) len)
    {
      /* Nobody to tell: the parent is gone or the pipe broke. stderr is the last resort. */
      if (write (STDERR_FILENO, "testcell-launcher: ", 19) < 0 || write (STDERR_FILENO, line, len) < 0)
        return;
    }
}

void
report_error (const char *stage, const char *syscall, int err, const char *path, const char *fmt, ...)
{
  char message[1024], field[2200], line[8192];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (message, sizeof message, fmt, ap);
  va_end (ap);

  int n = snprintf (line, sizeof line, "{\"type\":\"error\",\"stage\":\"%s\"", stage);
  if (syscall)
    n += snprintf (line + n, sizeof line - n, ",\"syscall\":\"%s\"", syscall);
  if (err)
    {
      const char *name = strerrorname_np (err);
      n += snprintf (line + n, sizeof line - n, ",\"errno\":%d,\"errname\":\"%s\"", err, name ? name : "?");
    }
  if (path && json_string (field, sizeof field, path) > 0)
    n += snprintf (line + n, sizeof line - n, ",\"path\":%s", field);
  if (err)
    {
      size_t used = strlen (message);
      snprintf (message + used, sizeof message - used, ": %s", strerror (err));
    }
  if (json_string (field, sizeof field, message) < 0)
    strcpy (field, "\"(message too long)\"");
  snprintf (line + n, sizeof line - n, ",\"message\":%s}\n", field);
  report_line (line);
}

void
die (const char *stage, const char *syscall, const char *path, const char *fmt, ...)
{
  int err = errno;
  char message[1024];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (message, sizeof message, fmt, ap);
  va_end (ap);
  report_error (stage, syscall, err, path, "%s", message);
  _exit (EXIT_SETUP_FAILED);
}
