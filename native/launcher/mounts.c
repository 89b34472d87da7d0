#include "mounts.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "inroot.h"
#include "report.h"
#include "utils.h"

/* Host paths are reached through the old root, parked here after the first pivot_root. */
#define OLDROOT "/oldroot"
#define NEWROOT "/newroot"
#define UPPERS "/ovl"

/* Every mount the plan makes: no device nodes, no setuid (the device nodes of `dev` are bound one by one without). */
#define SAFE (MS_NOSUID | MS_NODEV)

static bool in_userns;

/* A target in the new root, resolved (and created as asked) the way the container will see it. */
static void
target_path (const char *target, enum inroot_create create, mode_t mode, char *out)
{
  if (inroot_resolve (NEWROOT, target, create, mode, out) < 0)
    die ("mount", "mkdir", target, "cannot create the mount point in the new root");
}

/* A host path, resolved inside the host's tree (symlinks included) as the host sees it. */
static bool
host_path (const char *source, char *out)
{
  return inroot_resolve (OLDROOT, source, INROOT_EXISTING, 0, out) == 0;
}

static void
do_mount (const char *source, const char *path, const char *type, unsigned long flags, const char *data,
          const char *shown)
{
  if (mount (source, path, type, flags, data) < 0)
    die ("mount", "mount", shown, "cannot mount %s%s%s", type ? type : "a bind", data ? " " : "", data ? data : "");
}

/* nosuid and nodev (and read-only if asked) on a bind, recursively; in a user namespace a remount must also keep
   the flags the kernel locked on the mount. */
static void
restrict_bind (const char *path, bool readonly, const char *shown)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (readonly ? MOUNT_ATTR_RDONLY : 0) };
  if (syscall (SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof attr) == 0)
    return;
  struct statvfs st;
  if (statvfs (path, &st) < 0)
    die ("mount", "statvfs", shown, "cannot read mount flags");
  /* ST_NOSUID..ST_NODIRATIME equal their MS_ twins; ST_RELATIME does not (it is MS_BIND's value). */
  unsigned long keep = st.f_flag & (ST_NOEXEC | ST_NOATIME | ST_NODIRATIME | (readonly ? 0 : ST_RDONLY));
  keep |= st.f_flag & ST_RELATIME ? MS_RELATIME : st.f_flag & ST_NOATIME ? 0 : MS_STRICTATIME;
  do_mount (NULL, path, NULL, MS_REMOUNT | MS_BIND | SAFE | (readonly ? MS_RDONLY : 0) | keep, NULL, shown);
}

static void
mount_overlay (const struct mount_op *op, size_t index)
{
  char target[PATH_MAX], upper[PATH_MAX], work[PATH_MAX], lower[PATH_MAX];
  static char options[65536];
  target_path (op->target, INROOT_DIR, 0755, target);
  if ((size_t)snprintf (upper, sizeof upper, UPPERS "/%zu/upper", index) >= sizeof upper
      || (size_t)snprintf (work, sizeof work, UPPERS "/%zu/work", index) >= sizeof work)
    die ("mount", NULL, op->target, "overlay directory name too long");
  if (inroot_resolve ("/", upper, INROOT_DIR, 0755, upper) < 0
      || inroot_resolve ("/", work, INROOT_DIR, 0755, work) < 0)
    die ("mount", "mkdir", op->target, "cannot create the overlay's upper directory");
  strcpy (options, "lowerdir=");
  for (size_t i = 0; i < op->n_lowers; i++)
    {
      if (!host_path (op->lowers[i], lower))
        die ("mount", "stat", op->lowers[i], "overlay lower directory missing");
      size_t used = strlen (options);
      if (i > 0 && used + 2 < sizeof options)
        strcpy (options + used, ":");
      if (overlay_escape (options, sizeof options, lower) < 0)
        die ("mount", NULL, op->target, "overlay options too long");
    }
  size_t used = strlen (options);
  if ((size_t)snprintf (options + used, sizeof options - used, ",upperdir=%s,workdir=%s%s", upper, work,
                        op->userxattr ? ",userxattr" : "")
      >= sizeof options - used)
    die ("mount", NULL, op->target, "overlay options too long");
  if (mount ("overlay", target, "overlay", SAFE, options) < 0)
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
  if (!host_path (op->source, source) || stat (source, &st) < 0)
    die ("mount", "stat", op->source, "bind source missing");
  target_path (op->target, S_ISDIR (st.st_mode) ? INROOT_DIR : INROOT_FILE, S_ISDIR (st.st_mode) ? 0755 : 0644, target);
  do_mount (source, target, NULL, MS_BIND | MS_REC, NULL, op->target);
  restrict_bind (target, op->readonly, op->target);
}

static void
dev_path (const char *dev, const char *name, char *out)
{
  if ((size_t)snprintf (out, PATH_MAX, "%s/%s", dev, name) >= PATH_MAX)
    die ("mount", NULL, dev, "path too long");
}

static void
mount_dev (const struct mount_op *op)
{
  static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
  static const char *const links[][2] = {
    { "pts/ptmx", "ptmx" },          { "/proc/self/fd", "fd" },       { "/proc/self/fd/0", "stdin" },
    { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
  };
  char dev[PATH_MAX], path[PATH_MAX], host[PATH_MAX];
  target_path (op->target, INROOT_DIR, 0755, dev);
  do_mount ("tmpfs", dev, "tmpfs", SAFE | MS_NOEXEC, "mode=0755", op->target);
  for (size_t i = 0; i < N_ELEMENTS (nodes); i++)
    {
      dev_path (dev, nodes[i], path);
      dev_path (OLDROOT "/dev", nodes[i], host);
      cleanup_fd int fd = open (path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0644);
      if (fd < 0)
        die ("mount", "open", op->target, "cannot create /dev/%s", nodes[i]);
      do_mount (host, path, NULL, MS_BIND, NULL, op->target); /* a device node: the one place without nodev */
    }
  dev_path (dev, "pts", path);
  if (mkdir (path, 0755) < 0)
    die ("mount", "mkdir", op->target, "cannot create /dev/pts");
  if (in_userns
      || mount ("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620,gid=5") < 0)
    do_mount ("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620", op->target);
  dev_path (dev, "shm", path);
  if (mkdir (path, 01777) < 0)
    die ("mount", "mkdir", op->target, "cannot create /dev/shm");
  do_mount ("tmpfs", path, "tmpfs", SAFE, "mode=1777", op->target);
  for (size_t i = 0; i < N_ELEMENTS (links); i++)
    {
      dev_path (dev, links[i][1], path);
      if (symlink (links[i][0], path) < 0)
        die ("mount", "symlink", op->target, "cannot create /dev/%s", links[i][1]);
    }
}

/* Masks and read-only paths are best effort: a path this kernel does not have is left alone. */
static bool
existing (const char *target, char *path)
{
  return inroot_resolve (NEWROOT, target, INROOT_EXISTING, 0, path) == 0;
}

static void
mask (const char *target)
{
  char path[PATH_MAX];
  struct stat st;
  if (!existing (target, path) || stat (path, &st) < 0)
    return;
  if (S_ISDIR (st.st_mode))
    do_mount ("tmpfs", path, "tmpfs", MS_RDONLY | SAFE | MS_NOEXEC, "size=4k,mode=0555", target);
  else
    do_mount (OLDROOT "/dev/null", path, NULL, MS_BIND, NULL, target);
}

static void
readonly (const char *target)
{
  char path[PATH_MAX];
  if (!existing (target, path))
    return;
  do_mount (path, path, NULL, MS_BIND | MS_REC, NULL, target);
  restrict_bind (path, true, target);
}

static void
apply (const struct mount_op *op, size_t index)
{
  char target[PATH_MAX], data[64];
  switch (op->type)
    {
    case OP_OVERLAY:
      mount_overlay (op, index);
      break;
    case OP_BIND:
      mount_bind (op);
      break;
    case OP_TMPFS:
      target_path (op->target, INROOT_DIR, op->mode, target);
      snprintf (data, sizeof data, "mode=%04o", (unsigned)op->mode);
      do_mount ("tmpfs", target, "tmpfs", SAFE, data, op->target);
      break;
    case OP_PROC:
      target_path (op->target, INROOT_DIR, 0555, target);
      do_mount ("proc", target, "proc", SAFE | MS_NOEXEC, NULL, op->target);
      break;
    case OP_SYSFS:
      target_path (op->target, INROOT_DIR, 0555, target);
      do_mount ("sysfs", target, "sysfs", MS_RDONLY | SAFE | MS_NOEXEC, NULL, op->target);
      break;
    case OP_DEV:
      mount_dev (op);
      break;
    case OP_MKDIR:
      target_path (op->target, INROOT_DIR, op->mode, target);
      break;
    case OP_SYMLINK:
      target_path (op->target, INROOT_PARENT, 0, target);
      if (symlink (op->source, target) < 0 && errno != EEXIST)
        die ("mount", "symlink", op->target, "cannot create symlink");
      break;
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
  do_mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, "/");
  /* Stage on a tmpfs over /tmp, then pivot so the host tree sits at /oldroot (bwrap's trick): host
     paths under /tmp stay reachable, and overlay upper dirs live where the container cannot see. */
  do_mount ("tmpfs", "/tmp", "tmpfs", SAFE, "mode=0755", "/tmp");
  if (chdir ("/tmp") < 0)
    die ("pivot", "chdir", "/tmp", "cannot enter the staging directory");
  if (mkdir ("newroot", 0755) < 0 || mkdir ("oldroot", 0755) < 0 || mkdir ("ovl", 0700) < 0)
    die ("pivot", "mkdir", "/tmp", "cannot create the staging directories");
  if (syscall (SYS_pivot_root, ".", "oldroot") < 0)
    die ("pivot", "pivot_root", "/tmp", "cannot pivot into the staging tmpfs");
  if (chdir ("/") < 0)
    die ("pivot", "chdir", "/", "cannot enter the staging root");

  snprintf (data, sizeof data, "mode=%04o", (unsigned)plan->root_mode);
  do_mount ("tmpfs", NEWROOT, "tmpfs", SAFE, data, "/");
  for (size_t i = 0; i < plan->n_ops; i++)
    apply (&plan->ops[i], i);
  for (size_t i = 0; i < plan->n_ops; i++)
    if (plan->ops[i].type == OP_MASK)
      mask (plan->ops[i].target);
  for (size_t i = 0; i < plan->n_ops; i++)
    if (plan->ops[i].type == OP_READONLY)
      readonly (plan->ops[i].target);

  if (chdir (NEWROOT) < 0)
    die ("pivot", "chdir", "/", "cannot enter the new root");
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    die ("pivot", "pivot_root", "/", "cannot pivot into the new root");
  if (umount2 (".", MNT_DETACH) < 0)
    die ("pivot", "umount2", "/", "cannot detach the host's tree");
  if (chdir ("/") < 0)
    die ("pivot", "chdir", "/", "cannot enter the new root");
  umask (saved_umask);
}
