#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utils.h"

#define MAX_LINKS 40

/* Appends "/name" to `out`; -1 (ENAMETOOLONG) if it does not fit. */
static int
push (char *out, size_t *len, const char *name, size_t name_len)
{
  if (*len + 1 + name_len >= PATH_MAX)
    return errno = ENAMETOOLONG, -1;
  out[(*len)++] = '/';
  memcpy (out + *len, name, name_len);
  *len += name_len;
  out[*len] = '\0';
  return 0;
}

static void
pop (char *out, size_t *len, size_t root_len)
{
  while (*len > root_len && out[*len - 1] != '/')
    (*len)--;
  if (*len > root_len)
    (*len)--;
  out[*len] = '\0';
}

static int
create_missing (const char *path, bool last, enum inroot_create create, mode_t mode)
{
  if (!last || create == INROOT_DIR)
    return mkdir (path, last ? mode : 0755) < 0 && errno != EEXIST ? -1 : 0;
  cleanup_fd int fd = open (path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
  return fd < 0 && errno != EEXIST ? -1 : 0;
}

int
inroot_resolve (const char *root, const char *path, enum inroot_create create, mode_t mode, char *out)
{
  char rest[PATH_MAX], link[PATH_MAX];
  size_t root_len = strlen (root), len;
  int links = 0;

  if (root_len >= PATH_MAX || strlen (path) >= sizeof rest)
    return errno = ENAMETOOLONG, -1;
  strcpy (rest, path); /* first: `out` may be `path` */
  while (root_len > 1 && root[root_len - 1] == '/')
    root_len--;
  if (root_len == 1 && root[0] == '/')
    root_len = 0; /* the real root: results start with "/" */
  memcpy (out, root, root_len);
  out[len = root_len] = '\0';

  char *next = rest;
  while (*next)
    {
      while (*next == '/')
        next++;
      if (!*next)
        break;
      char *end = strchrnul (next, '/');
      size_t name_len = (size_t)(end - next);
      bool last = *end == '\0' || end[strspn (end, "/")] == '\0';
      if (name_len == 1 && next[0] == '.')
        {
          next = end;
          continue;
        }
      if (name_len == 2 && next[0] == '.' && next[1] == '.')
        {
          pop (out, &len, root_len);
          next = end;
          continue;
        }
      if (last && create == INROOT_PARENT)
        return push (out, &len, next, name_len);
      size_t parent_len = len;
      if (push (out, &len, next, name_len) < 0)
        return -1;
      struct stat st;
      if (lstat (out, &st) < 0)
        {
          if (errno != ENOENT || create == INROOT_EXISTING || create_missing (out, last, create, mode) < 0
              || lstat (out, &st) < 0)
            return -1;
        }
      if (S_ISLNK (st.st_mode))
        {
          if (++links > MAX_LINKS)
            return errno = ELOOP, -1;
          ssize_t n = readlink (out, link, sizeof link - 1);
          if (n < 0)
            return -1;
          link[n] = '\0';
          /* The rest of the path now follows the link's text. */
          size_t tail = strlen (end);
          if ((size_t)n + tail >= sizeof rest)
            return errno = ENAMETOOLONG, -1;
          memmove (rest + n, end, tail + 1);
          memcpy (rest, link, (size_t)n);
          next = rest;
          len = link[0] == '/' ? root_len : parent_len;
          out[len] = '\0';
          continue;
        }
      if (!last && !S_ISDIR (st.st_mode))
        return errno = ENOTDIR, -1;
      next = end;
    }
  if (len == 0)
    strcpy (out, "/");
  return 0;
}
