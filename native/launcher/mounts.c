#include "mounts.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report.h"
#include "utils.h"

/* Host paths are reached through the old root, parked here after the first pivot_root. */
#define OLDROOT "/oldroot"
#define NEWROOT "/newroot"
#define UPPERS "/ovl"

static bool in_userns;

/* A path as the plan names it: without the staging prefixes /newroot (container) and /oldroot (host). */
static const char *
shown (const char *path)
{
  static const char *const prefixes[] = { NEWROOT, OLDROOT };
  for (size_t i = 0; i < N_ELEMENTS (prefixes); i++)
    {
      size_t n = strlen (prefixes[i]);
      if (strncmp (path, prefixes[i], n) == 0 && (path[n] == '/' || path[n] == '\0'))
        return path[n] ? path + n : "/";
    }
  return path;
}

/* snprintf into a PATH_MAX buffer; a path that does not fit is an error, never silently cut. */
__attribute__ ((format (printf, 2, 3))) static void
pathf (char *out, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (out, PATH_MAX, fmt, ap);
  va_end (ap);
  if (n < 0 || n >= PATH_MAX)
    {
      errno = ENAMETOOLONG;
      die ("mount", NULL, out, "path too long");
    }
}

static void
join (char *out, const char *prefix, const char *path)
{
  if (strcmp (path, "/") == 0)
    path = "";
  if ((size_t)snprintf (out, PATH_MAX, "%s%s", prefix, path) >= PATH_MAX)
    {
      errno = ENAMETOOLONG;
      die ("mount", NULL, path, "path too long");
    }
}

static void
mkdir_p (const char *path, mode_t mode)
{
  char buf[PATH_MAX];
  pathf (buf, "%s", path);
  for (char *p = buf + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        if (mkdir (buf, 0755) < 0 && errno != EEXIST)
          die ("mount", "mkdir", shown (buf), "cannot create directory");
        *p = '/';
      }
  if (mkdir (buf, mode) < 0 && errno != EEXIST)
    die ("mount", "mkdir", shown (buf), "cannot create directory");
}

static void
mkfile (const char *path)
{
  char parent[PATH_MAX];
  pathf (parent, "%s", path);
  char *slash = strrchr (parent, '/');
  if (slash && slash != parent)
    {
      *slash = '\0';
      mkdir_p (parent, 0755);
    }
  cleanup_fd int fd = open (path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0 && errno != EEXIST && errno != EISDIR)
    die ("mount", "open", shown (path), "cannot create mount point");
}

static void
do_mount (const char *source, const char *target, const char *type, unsigned long flags, const char *data)
{
  if (mount (source, target, type, flags, data) < 0)
    die ("mount", "mount", shown (target), "cannot mount %s%s%s",
         type     ? type
         : source ? source
                  : "",
         data ? " " : "", data ? data : "");
}

/* Read-only, recursively; rootless, a remount must keep the flags the kernel locked on the mount. */
static void
make_readonly (const char *path)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
  if (syscall (SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof attr) == 0)
    return;
  struct statvfs st;
  if (statvfs (path, &st) < 0)
    die ("mount", "statvfs", shown (path), "cannot read mount flags");
  /* ST_NOSUID..ST_NODIRATIME equal their MS_ twins; ST_RELATIME does not (it is MS_BIND's value). */
  unsigned long keep = st.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_NODIRATIME);
  keep |= st.f_flag & ST_RELATIME ? MS_RELATIME : st.f_flag & ST_NOATIME ? 0 : MS_STRICTATIME;
  do_mount (NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL);
}

static void
mount_overlay (const struct mount_op *op, size_t index)
{
  char target[PATH_MAX], upper[PATH_MAX], work[PATH_MAX], host[PATH_MAX];
  char options[16384] = "lowerdir=";
  join (target, NEWROOT, op->target);
  mkdir_p (target, 0755);
  pathf (upper, UPPERS "/%zu/upper", index);
  pathf (work, UPPERS "/%zu/work", index);
  mkdir_p (upper, 0755);
  mkdir_p (work, 0755);
  for (size_t i = 0; i < op->n_lowers; i++)
    {
      size_t used = strlen (options);
      join (host, OLDROOT, op->lowers[i]);
      if (i > 0 && used + 1 < sizeof options)
        strcpy (options + used, ":");
      if (overlay_escape (options, sizeof options, host) < 0)
        die ("mount", NULL, op->target, "overlay options too long");
    }
  size_t used = strlen (options);
  snprintf (options + used, sizeof options - used, ",upperdir=%s,workdir=%s%s", upper, work,
            op->userxattr ? ",userxattr" : "");
  if (mount ("overlay", target, "overlay", 0, options) < 0)
    die ("mount", "mount", op->target, "cannot mount overlay %s%s", options,
         errno == EINVAL && in_userns ? " (in a user namespace a lower dir with mounts below it, such as /, is "
                                        "refused: overlay each directory instead)"
                                      : "");
}

static void
mount_bind (const struct mount_op *op)
{
  char source[PATH_MAX], target[PATH_MAX];
  struct stat st;
  join (source, OLDROOT, op->source);
  join (target, NEWROOT, op->target);
  if (stat (source, &st) < 0)
    die ("mount", "stat", op->source, "bind source missing");
  if (S_ISDIR (st.st_mode))
    mkdir_p (target, 0755);
  else
    mkfile (target);
  do_mount (source, target, NULL, MS_BIND | MS_REC, NULL);
  if (op->readonly)
    make_readonly (target);
}

static void
mount_dev (const char *dev)
{
  static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
  static const char *const links[][2] = {
    { "pts/ptmx", "ptmx" },          { "/proc/self/fd", "fd" },       { "/proc/self/fd/0", "stdin" },
    { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
  };
  char path[PATH_MAX], host[PATH_MAX];
  mkdir_p (dev, 0755);
  do_mount ("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755");
  for (size_t i = 0; i < N_ELEMENTS (nodes); i++)
    {
      pathf (path, "%s/%s", dev, nodes[i]);
      pathf (host, OLDROOT "/dev/%s", nodes[i]);
      mkfile (path);
      do_mount (host, path, NULL, MS_BIND, NULL);
    }
  pathf (path, "%s/pts", dev);
  mkdir_p (path, 0755);
  if (in_userns
      || mount ("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620,gid=5") < 0)
    do_mount ("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620");
  pathf (path, "%s/shm", dev);
  mkdir_p (path, 01777);
  do_mount ("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  for (size_t i = 0; i < N_ELEMENTS (links); i++)
    {
      pathf (path, "%s/%s", dev, links[i][1]);
      if (symlink (links[i][0], path) < 0)
        die ("mount", "symlink", shown (path), "cannot create /dev link");
    }
}

/* Masks and read-only paths are best effort: a path this kernel does not have is left alone. */
static bool
existing (const char *target, char *path, struct stat *st)
{
  join (path, NEWROOT, target);
  return lstat (path, st) == 0;
}

static void
mask (const char *target)
{
  char path[PATH_MAX];
  struct stat st;
  if (!existing (target, path, &st))
    return;
  if (S_ISDIR (st.st_mode))
    do_mount ("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555");
  else
    do_mount (OLDROOT "/dev/null", path, NULL, MS_BIND, NULL);
}

static void
readonly (const char *target)
{
  char path[PATH_MAX];
  struct stat st;
  if (!existing (target, path, &st))
    return;
  do_mount (path, path, NULL, MS_BIND | MS_REC, NULL);
  make_readonly (path);
}

static void
apply (const struct mount_op *op, size_t index)
{
  char target[PATH_MAX], data[64];
  join (target, NEWROOT, op->target);
  switch (op->type)
    {
    case OP_OVERLAY:
      mount_overlay (op, index);
      break;
    case OP_BIND:
      mount_bind (op);
      break;
    case OP_TMPFS:
      mkdir_p (target, op->mode);
      snprintf (data, sizeof data, "mode=%04o", (unsigned)op->mode);
      do_mount ("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, data);
      break;
    case OP_PROC:
      mkdir_p (target, 0555);
      do_mount ("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
      break;
    case OP_SYSFS:
      mkdir_p (target, 0555);
      do_mount ("sysfs", target, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
      break;
    case OP_DEV:
      mount_dev (target);
      break;
    case OP_MKDIR:
      mkdir_p (target, op->mode);
      break;
    case OP_SYMLINK:
      {
        char parent[PATH_MAX];
        pathf (parent, "%s", target);
        *strrchr (parent, '/') = '\0';
        if (*parent)
          mkdir_p (parent, 0755);
        if (symlink (op->source, target) < 0 && errno != EEXIST)
          die ("mount", "symlink", op->target, "cannot create symlink");
        break;
      }
    case OP_MASK:
    case OP_READONLY:
      break; /* after every mount, below */
    default:
      errno = EINVAL;
      die ("mount", NULL, op->target, "unknown mount op %d", (int)op->type);
    }
}

void
setup_root (const struct plan *plan)
{
  char data[64];
  mode_t saved_umask = umask (0); /* modes in the plan are exact */
  in_userns = plan->userns;
  do_mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  /* Stage on a tmpfs over /tmp, then pivot so the host tree sits at /oldroot (bwrap's trick): host
     paths under /tmp stay reachable, and overlay upper dirs live where the container cannot see. */
  do_mount ("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
  if (chdir ("/tmp") < 0)
    die ("pivot", "chdir", "/tmp", "cannot enter the staging directory");
  mkdir_p ("/tmp" NEWROOT, 0755);
  mkdir_p ("/tmp" OLDROOT, 0755);
  mkdir_p ("/tmp" UPPERS, 0700);
  if (syscall (SYS_pivot_root, ".", "oldroot") < 0)
    die ("pivot", "pivot_root", "/tmp", "cannot pivot into the staging tmpfs");
  if (chdir ("/") < 0)
    die ("pivot", "chdir", "/", "cannot enter the staging root");

  snprintf (data, sizeof data, "mode=%04o", (unsigned)plan->root_mode);
  do_mount ("tmpfs", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, data);
  for (size_t i = 0; i < plan->n_ops; i++)
    apply (&plan->ops[i], i);
  for (size_t i = 0; i < plan->n_ops; i++)
    if (plan->ops[i].type == OP_MASK)
      mask (plan->ops[i].target);
  for (size_t i = 0; i < plan->n_ops; i++)
    if (plan->ops[i].type == OP_READONLY)
      readonly (plan->ops[i].target);

  if (chdir (NEWROOT) < 0)
    die ("pivot", "chdir", NEWROOT, "cannot enter the new root");
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    die ("pivot", "pivot_root", NEWROOT, "cannot pivot into the new root");
  if (umount2 (".", MNT_DETACH) < 0)
    die ("pivot", "umount2", "/", "cannot detach the host's tree");
  if (chdir ("/") < 0)
    die ("pivot", "chdir", "/", "cannot enter the new root");
  umask (saved_umask);
}
