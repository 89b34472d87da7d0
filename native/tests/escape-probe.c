/* escape-probe: tries one way out of a container and says whether it was blocked. Used by the escape tier
   (test/escape), which runs it inside containers as root and as an unprivileged user.

     escape-probe ATTACK [ARGS...]

   Prints one line, `ATTACK: blocked ERRNAME` (exit 0) or `ATTACK: ALLOWED detail` (exit 1); 2 for bad usage. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

static const char *attack;

static int
blocked (int err)
{
  const char *name = err ? strerrorname_np (err) : "nothing";
  printf ("%s: blocked %s\n", attack, name ? name : "?");
  return 0;
}

static int
allowed (const char *detail)
{
  printf ("%s: ALLOWED %s\n", attack, detail);
  return 1;
}

/* A syscall result: -1 means blocked with errno, anything else means it went through. */
static int
verdict (long rc, const char *detail)
{
  return rc < 0 ? blocked (errno) : allowed (detail);
}

static int
unix_connect (const char *name, bool abstract)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  size_t len = strlen (name);
  if (fd < 0 || len + 1 >= sizeof addr.sun_path)
    return blocked (errno);
  memcpy (addr.sun_path + (abstract ? 1 : 0), name, len);
  /* An abstract name is matched on the whole length given: the full, NUL-padded sun_path, as Node binds it. */
  socklen_t size = abstract ? (socklen_t)sizeof addr : (socklen_t)(offsetof (struct sockaddr_un, sun_path) + len);
  return verdict (connect (fd, (struct sockaddr *)&addr, size), name);
}

static int
write_file (const char *path, const char *value)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return blocked (errno);
  return verdict (write (fd, value, strlen (value)), path);
}

static int
read_file (const char *path)
{
  char buf[256], detail[300];
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return blocked (errno);
  long n = read (fd, buf, sizeof buf);
  if (n <= 0)
    return n == 0 ? blocked (0) : blocked (errno); /* empty (masked) counts as nothing read */
  snprintf (detail, sizeof detail, "read %ld bytes of %s", n, path);
  return allowed (detail);
}

/* setns into every namespace of every process this container can see. */
static int
setns_all (void)
{
  DIR *proc = opendir ("/proc");
  int tried = 0;
  char path[600], detail[700];
  for (struct dirent *p; proc && (p = readdir (proc));)
    {
      if (p->d_name[0] < '0' || p->d_name[0] > '9')
        continue;
      snprintf (path, sizeof path, "/proc/%s/ns", p->d_name);
      DIR *ns = opendir (path);
      for (struct dirent *n; ns && (n = readdir (ns));)
        {
          if (n->d_name[0] == '.')
            continue;
          snprintf (path, sizeof path, "/proc/%s/ns/%s", p->d_name, n->d_name);
          int fd = open (path, O_RDONLY | O_CLOEXEC);
          tried++;
          if (fd >= 0 && setns (fd, 0) == 0)
            {
              snprintf (detail, sizeof detail, "setns %s", path);
              return allowed (detail);
            }
          if (fd >= 0)
            close (fd);
        }
      if (ns)
        closedir (ns);
    }
  if (proc)
    closedir (proc);
  return tried > 0 ? blocked (EPERM) : allowed ("no namespace file could be tried");
}

static int
inherited_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  char detail[256] = "open fds:";
  bool extra = false;
  for (struct dirent *e; dir && (e = readdir (dir));)
    {
      int fd = atoi (e->d_name);
      if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd (dir))
        continue;
      extra = true;
      size_t used = strlen (detail);
      snprintf (detail + used, sizeof detail - used, " %d", fd);
    }
  if (dir)
    closedir (dir);
  return extra ? allowed (detail) : blocked (0);
}

static long
named_syscall (const char *name)
{
  union bpf_attr bpf = { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1 };
  struct perf_event_attr perf = { .type = PERF_TYPE_SOFTWARE, .size = sizeof perf, .config = PERF_COUNT_SW_CPU_CLOCK };
  if (strcmp (name, "bpf") == 0)
    return syscall (SYS_bpf, BPF_MAP_CREATE, &bpf, sizeof bpf);
  if (strcmp (name, "perf_event_open") == 0)
    return syscall (SYS_perf_event_open, &perf, 0, -1, -1, 0);
  if (strcmp (name, "keyctl") == 0)
    return syscall (SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 1);
  if (strcmp (name, "add_key") == 0)
    return syscall (SYS_add_key, "user", "testcell-escape", "x", 1, -3);
  if (strcmp (name, "userfaultfd") == 0)
    return syscall (SYS_userfaultfd, O_CLOEXEC);
  if (strcmp (name, "kexec_load") == 0)
    return syscall (SYS_kexec_load, 0, 0, NULL, 0);
  if (strcmp (name, "init_module") == 0)
    return syscall (SYS_init_module, "", 0, "");
  if (strcmp (name, "open_by_handle_at") == 0)
    {
      char handle[sizeof (struct file_handle) + 8] = { 0 };
      ((struct file_handle *)handle)->handle_bytes = 8;
      return syscall (SYS_open_by_handle_at, AT_FDCWD, handle, O_RDONLY);
    }
  if (strcmp (name, "io_uring_setup") == 0)
    {
      char params[120] = { 0 };
      return syscall (SYS_io_uring_setup, 1, params);
    }
  if (strcmp (name, "unshare-user") == 0)
    return unshare (CLONE_NEWUSER);
  if (strcmp (name, "unshare-mount") == 0)
    return unshare (CLONE_NEWNS);
  if (strcmp (name, "reboot") == 0)
    return syscall (SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc /* RB_POWER_OFF */, NULL);
  if (strcmp (name, "swapon") == 0)
    return syscall (SYS_swapon, "/nonexistent", 0);
  errno = EINVAL;
  return -2;
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      fprintf (stderr, "usage: escape-probe ATTACK [ARGS...]\n");
      return 2;
    }
  attack = argv[1];
  const char *a = argc > 2 ? argv[2] : "", *b = argc > 3 ? argv[3] : "", *c = argc > 4 ? argv[4] : "";
  if (strcmp (attack, "kill") == 0)
    return verdict (kill (atoi (a), 0), a);
  if (strcmp (attack, "unix") == 0)
    return unix_connect (a, false);
  if (strcmp (attack, "abstract") == 0)
    return unix_connect (a, true);
  if (strcmp (attack, "mount") == 0)
    return verdict (mount ("none", a, *b ? b : "tmpfs", 0, NULL), a);
  if (strcmp (attack, "remount-rw") == 0)
    return verdict (mount (NULL, a, NULL, MS_REMOUNT | MS_BIND, NULL), a);
  if (strcmp (attack, "write") == 0)
    return write_file (a, b);
  if (strcmp (attack, "read") == 0)
    return read_file (a);
  if (strcmp (attack, "mknod") == 0)
    return verdict (mknod (a, S_IFBLK | 0600, makedev (atoi (b), atoi (c))), a);
  if (strcmp (attack, "open") == 0)
    return verdict (open (a, O_RDWR | O_CLOEXEC), a);
  if (strcmp (attack, "ptrace") == 0)
    {
      long rc = ptrace (PTRACE_ATTACH, atoi (a), NULL, NULL);
      if (rc == 0)
        ptrace (PTRACE_DETACH, atoi (a), NULL, NULL);
      return verdict (rc, a);
    }
  if (strcmp (attack, "setns") == 0)
    return setns_all ();
  if (strcmp (attack, "fds") == 0)
    return inherited_fds ();
  if (strcmp (attack, "exists") == 0)
    {
      struct stat st;
      return verdict (lstat (a, &st), a);
    }
  if (strcmp (attack, "syscall") == 0)
    {
      long rc = named_syscall (a);
      if (rc == -2)
        return fprintf (stderr, "unknown syscall %s\n", a), 2;
      return verdict (rc, a);
    }
  fprintf (stderr, "unknown attack %s\n", attack);
  return 2;
}
