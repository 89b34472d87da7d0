/* Paths inside a root that is not `/`: the new root while it is built, or the host's tree parked at /oldroot. */
#pragma once

#include <sys/types.h>

enum inroot_create
{
  INROOT_EXISTING, /* resolve only: a missing path is ENOENT */
  INROOT_DIR,      /* create missing directories (the last one with `mode`, the others 0755) */
  INROOT_FILE,     /* create missing parent directories (0755) and the last component as an empty file */
  INROOT_PARENT,   /* create missing parent directories; the last component is neither resolved nor created */
};

/* Resolves `path` (absolute or relative to `root`) as a process whose root directory is `root` would: every
   symlink on the way is followed inside `root` (an absolute link target starts again at `root`, `..` stops at
   it), so the result never leads out. Writes `root` + the resolved path, which has no symlinks left, to `out`
   (PATH_MAX bytes). Returns 0, or -1 with errno set (ELOOP after 40 links, ENAMETOOLONG, ENOENT, ENOTDIR, ...). */
int inroot_resolve (const char *root, const char *path, enum inroot_create create, mode_t mode, char *out);
