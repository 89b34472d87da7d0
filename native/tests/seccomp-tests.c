/* Tests of the seccomp filter (launcher/seccomp.c) against the running kernel. Output: TAP.
   Every probe runs in a forked child that sets no_new_privs and installs the filter, then makes the real
   call. A refusal only counts when the same call without the filter gives another answer; where it does not
   (an unprivileged run, a kernel without that syscall), the test is skipped with the reason. Arguments are
   chosen so that nothing happens on the host when a call is not refused: bad flags, unknown operations,
   missing paths. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "seccomp.h"
#include "tap.h"

#ifdef __x86_64__
#define AUDIT_ARCH_NATIVE_FOR_TESTS AUDIT_ARCH_X86_64
#else
#define AUDIT_ARCH_NATIVE_FOR_TESTS AUDIT_ARCH_AARCH64
#endif

#define NO_FILTER (-1)
#define CHILD_SETUP_FAILED 255
#define KILLED_BY_SIGNAL (-2)

static const char *
outcome (int r)
{
  if (r == 0)
    return "success";
  if (r == KILLED_BY_SIGNAL)
    return "killed by a signal";
  if (r < 0)
    return "the child could not install the filter";
  const char *name = strerrorname_np (r);
  return name ? name : "an unknown errno";
}

/* The errno of the last call when it failed, 0 when it succeeded. */
static int
result (long r)
{
  return r < 0 ? errno : 0;
}

/* Runs `probe` in a child, under `profile` or without a filter (NO_FILTER). Returns the probe's errno
   (0: the call succeeded), KILLED_BY_SIGNAL, or -1 when the child could not set itself up. */
static int
run_probe (int profile, int (*probe) (void))
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      int err;
      if (profile != NO_FILTER
          && (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
              || seccomp_filter_install ((enum seccomp_profile)profile, &err) < 0))
        _exit (CHILD_SETUP_FAILED);
      _exit (probe ());
    }
  int status;
  if (waitpid (pid, &status, 0) < 0)
    return -1;
  if (WIFSIGNALED (status))
    return KILLED_BY_SIGNAL;
  return WEXITSTATUS (status) == CHILD_SETUP_FAILED ? -1 : WEXITSTATUS (status);
}

/* The call gives `expected` under `profile`, and something else without a filter. */
static void
expect_refused (int profile, int (*probe) (void), int expected, const char *name)
{
  int with = run_probe (profile, probe), without = run_probe (NO_FILTER, probe);
  char why[160];
  if (with == expected && without == expected)
    {
      snprintf (why, sizeof why, "without the filter the call gives %s too here", outcome (without));
      skip (name, why);
      return;
    }
  ok (with == expected && without != expected, name);
  if (with != expected)
    printf ("# with the filter: %s, expected %s\n", outcome (with), outcome (expected));
  else
    printf ("# without the filter: %s\n", outcome (without));
}

static void
expect_allowed (int profile, int (*probe) (void), const char *name)
{
  int with = run_probe (profile, probe);
  ok (with == 0, name);
  if (with != 0)
    printf ("# with the filter: %s\n", outcome (with));
}

/* Probes. Each returns 0 or the errno of the call it makes. */

static int
probe_keyctl (void)
{
  return result (syscall (SYS_keyctl, -1L, 0, 0, 0, 0)); /* no such operation: EOPNOTSUPP */
}

static int
probe_add_key (void)
{
  return result (syscall (SYS_add_key, NULL, NULL, NULL, 0, 0)); /* no key type: EFAULT */
}

static int
probe_bpf (void)
{
  return result (syscall (SYS_bpf, -1L, NULL, 0)); /* no such command: EINVAL */
}

static int
probe_perf_event_open (void)
{
  return result (syscall (SYS_perf_event_open, NULL, 0, -1, -1, 0)); /* no attributes: EFAULT */
}

static int
probe_userfaultfd (void)
{
  /* UFFD_USER_MODE_ONLY passes the sysctl check on every kernel, the unknown bit 0x2 then gives EINVAL. */
  return result (syscall (SYS_userfaultfd, 0x1 | 0x2));
}

static int
probe_open_by_handle_at (void)
{
  return result (syscall (SYS_open_by_handle_at, -1, NULL, O_RDONLY)); /* no handle: EFAULT or EBADF */
}

static int
probe_kexec_load (void)
{
  /* Too many segments and an unknown flag: EINVAL (ENOSYS without CONFIG_KEXEC), never an unload. */
  return result (syscall (SYS_kexec_load, 0UL, 1000UL, NULL, 0x8000UL));
}

static int
probe_init_module (void)
{
  return result (syscall (SYS_init_module, NULL, 0UL, "")); /* no image: ENOEXEC (ENOSYS without modules) */
}

static int
probe_mount (void)
{
  return result (mount ("none", "/nonexistent/testcell", "tmpfs", 0, NULL)); /* ENOENT */
}

static int
probe_pivot_root (void)
{
  return result (syscall (SYS_pivot_root, "/nonexistent/testcell", "/nonexistent/testcell")); /* ENOENT */
}

static int
probe_fsopen (void)
{
  return result (syscall (SYS_fsopen, "testcell-no-such-fs", 0)); /* ENODEV */
}

static int
probe_setns (void)
{
  return result (setns (-1, 0)); /* EBADF */
}

static int
probe_unshare_user (void)
{
  return result (unshare (CLONE_NEWUSER));
}

static int
probe_unshare_files (void)
{
  return result (unshare (CLONE_FILES | CLONE_FS));
}

/* Every namespace flag on its own; the first refusal (or failure) ends the probe. */
static int
probe_unshare_each_namespace (void)
{
  static const int flags[] = { CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,    CLONE_NEWUSER,
                               CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, 0x80 /* CLONE_NEWTIME */ };
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    if (unshare (flags[i]) < 0)
      return errno;
  return 0;
}

/* Raw clone without a new stack behaves like fork: the child returns here and leaves at once. */
static int
raw_clone (unsigned long flags)
{
  long pid = syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0)
    return errno;
  if (pid == 0)
    _exit (0);
  int status;
  waitpid ((pid_t)pid, &status, 0);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : ECHILD;
}

static int
probe_clone_newnet (void)
{
  return raw_clone (CLONE_NEWNET);
}

static int
probe_clone_newuser (void)
{
  return raw_clone (CLONE_NEWUSER);
}

static int
probe_clone_plain (void)
{
  return raw_clone (0);
}

static int
probe_clone3 (void)
{
  return result (syscall (SYS_clone3, NULL, 0UL)); /* too small: EINVAL */
}

static int
probe_fork (void)
{
  pid_t pid = fork ();
  if (pid < 0)
    return errno;
  if (pid == 0)
    _exit (0);
  int status;
  waitpid (pid, &status, 0);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : ECHILD;
}

static void *
thread_main (void *arg)
{
  return arg;
}

static int
probe_thread (void)
{
  pthread_t thread;
  int err = pthread_create (&thread, NULL, thread_main, NULL);
  return err ? err : pthread_join (thread, NULL);
}

static int
probe_ordinary_calls (void)
{
  int fds[2];
  char byte = 'x';
  if (getpid () <= 0)
    return ESRCH;
  int fd = open ("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read (fd, &byte, 1) != 1)
    return errno;
  close (fd);
  if (pipe2 (fds, O_CLOEXEC) < 0 || write (fds[1], &byte, 1) != 1 || read (fds[0], &byte, 1) != 1)
    return errno;
  void *page = mmap (NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED)
    return errno;
  munmap (page, 4096);
  int sock = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return errno;
  close (sock);
  sock = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return errno;
  close (sock);
  return 0;
}

/* execve of this program with --exit-seccomp-mode: it exits with the Seccomp: value of /proc/self/status. */
static int
probe_execve (void)
{
  pid_t pid = fork ();
  if (pid < 0)
    return errno;
  if (pid == 0)
    {
      char *argv[] = { "seccomp-tests", "--exit-seccomp-mode", NULL };
      execve ("/proc/self/exe", argv, (char *[]){ NULL });
      _exit (100 + errno);
    }
  int status;
  waitpid (pid, &status, 0);
  return WIFEXITED (status) && WEXITSTATUS (status) == 2 ? 0 : ECHILD;
}

static int
seccomp_mode (void)
{
  char line[256];
  int mode = -1;
  FILE *f = fopen ("/proc/self/status", "re");
  if (!f)
    return -1;
  while (fgets (line, sizeof line, f))
    if (sscanf (line, "Seccomp: %d", &mode) == 1)
      break;
  fclose (f);
  return mode;
}

static int
probe_status_says_filter (void)
{
  return seccomp_mode () == 2 ? 0 : ENOENT;
}

static int
probe_personality_no_randomize (void)
{
  return result (personality (ADDR_NO_RANDOMIZE));
}

static int
probe_personality_query (void)
{
  return result (personality (0xffffffff));
}

static int
probe_socket_vsock (void)
{
  int fd = socket (AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0)
    close (fd);
  return result (fd);
}

static int
probe_socket_alg (void)
{
  int fd = socket (AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd >= 0)
    close (fd);
  return result (fd);
}

static int
probe_tiocsti (void)
{
  char c = 'x';
  return result (ioctl (-1, TIOCSTI, &c)); /* no fd: EBADF */
}

static int
probe_tcgets (void)
{
  /* An ordinary terminal ioctl still reaches the kernel: ENOTTY on a pipe. */
  int fds[2];
  struct termios t;
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return errno;
  int err = result (tcgetattr (fds[0], &t));
  return err == ENOTTY ? 0 : err ? err : EINVAL;
}

static int
probe_syslog (void)
{
  return result (syscall (SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0));
}

static int
probe_sethostname (void)
{
  return result (syscall (SYS_sethostname, NULL, -1L)); /* bad length: EINVAL, nothing renamed */
}

static int
probe_nested_mount (void)
{
  /* What bwrap does first: a user and mount namespace of its own, then mounts in it. */
  if (unshare (CLONE_NEWUSER | CLONE_NEWNS) < 0)
    return errno;
  return result (mount ("none", "/tmp", "tmpfs", 0, NULL));
}

#ifdef __x86_64__
static int
probe_x32_getpid (void)
{
  return result (syscall (__X32_SYSCALL_BIT | SYS_getpid));
}

static int
probe_int80_getpid (void)
{
  long ret = 20; /* getpid on i386 */
  __asm__ volatile("int $0x80" : "+a"(ret) : : "memory", "r8", "r9", "r10", "r11");
  int r = (int)ret;
  return r < 0 && r > -4096 ? -r : 0;
}
#endif

/* A classic BPF interpreter for the instructions the builder emits, to check the program over inputs
   that real calls cannot safely cover (every syscall number, foreign architectures). */
static uint32_t
evaluate (const struct sock_filter *insns, int len, const struct seccomp_data *data)
{
  uint32_t a = 0;
  for (int pc = 0; pc < len; pc++)
    {
      const struct sock_filter *i = &insns[pc];
      switch (i->code)
        {
        case BPF_LD | BPF_W | BPF_ABS:
          memcpy (&a, (const char *)data + i->k, sizeof a);
          break;
        case BPF_JMP | BPF_JEQ | BPF_K:
          pc += a == i->k ? i->jt : i->jf;
          break;
        case BPF_JMP | BPF_JGE | BPF_K:
          pc += a >= i->k ? i->jt : i->jf;
          break;
        case BPF_JMP | BPF_JSET | BPF_K:
          pc += (a & i->k) ? i->jt : i->jf;
          break;
        case BPF_RET | BPF_K:
          return i->k;
        default:
          return 0xdead; /* an instruction the builder should not emit */
        }
    }
  return 0xdead; /* fell off the end */
}

static int
build (enum seccomp_profile profile, struct sock_filter *insns)
{
  return seccomp_filter_build (profile, insns, SECCOMP_FILTER_MAX);
}

static void
test_program (void)
{
  struct sock_filter def[SECCOMP_FILTER_MAX], nested[SECCOMP_FILTER_MAX];
  int n_def = build (SECCOMP_PROFILE_DEFAULT, def), n_nested = build (SECCOMP_PROFILE_NESTED, nested);
  ok (n_def > 0 && n_nested > 0 && n_nested < n_def, "both profiles fit SECCOMP_FILTER_MAX, nested is shorter");
  ok (seccomp_filter_build (SECCOMP_PROFILE_DEFAULT, def, (size_t)n_def - 1) == -1,
      "building into a buffer one instruction short fails");
  ok (seccomp_filter_build ((enum seccomp_profile)7, def, SECCOMP_FILTER_MAX) == -1, "an unknown profile fails");

  struct seccomp_data data;
  bool foreign_refused = true, nested_subset = true, ends_in_return = true;
  static const uint32_t foreign[] = { AUDIT_ARCH_I386, AUDIT_ARCH_ARM, AUDIT_ARCH_X86_64 ^ AUDIT_ARCH_AARCH64 };
  for (size_t a = 0; a < sizeof foreign / sizeof foreign[0]; a++)
    for (int nr = 0; nr < 1024; nr++)
      {
        data = (struct seccomp_data){ .arch = foreign[a], .nr = nr };
        foreign_refused &= evaluate (def, n_def, &data) == (SECCOMP_RET_ERRNO | EPERM)
                           && evaluate (nested, n_nested, &data) == (SECCOMP_RET_ERRNO | EPERM);
      }
  ok (foreign_refused, "every syscall number of a foreign architecture is refused with EPERM");

  static const uint64_t args[] = { 0, CLONE_NEWUSER, AF_VSOCK, ADDR_NO_RANDOMIZE };
  for (int nr = 0; nr < 1024; nr++)
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
      {
        data = (struct seccomp_data){ .arch = AUDIT_ARCH_NATIVE_FOR_TESTS, .nr = nr, .args = { args[i] } };
        uint32_t d = evaluate (def, n_def, &data), n = evaluate (nested, n_nested, &data);
        ends_in_return &= d != 0xdead && n != 0xdead;
        nested_subset &= n == SECCOMP_RET_ALLOW || n == d;
      }
  ok (ends_in_return, "every path through both programs ends in a return");
  ok (nested_subset, "the nested profile refuses nothing the default profile allows");

#ifdef __x86_64__
  bool x32_refused = true;
  for (int nr = 0; nr < 1024; nr++)
    {
      data = (struct seccomp_data){ .arch = AUDIT_ARCH_X86_64, .nr = __X32_SYSCALL_BIT | nr };
      x32_refused &= evaluate (def, n_def, &data) == (SECCOMP_RET_ERRNO | EPERM)
                     && evaluate (nested, n_nested, &data) == (SECCOMP_RET_ERRNO | EPERM);
    }
  ok (x32_refused, "every x32 syscall number is refused with EPERM");
#endif

  /* clone's flags are a 64-bit register whose low half the kernel reads: so must the filter, ignoring the high. */
  data = (struct seccomp_data){ .arch = AUDIT_ARCH_NATIVE_FOR_TESTS,
                                .nr = SYS_clone,
                                .args = { 0x0000000100000000ULL | CLONE_NEWUSER } };
  ok (evaluate (def, n_def, &data) == (SECCOMP_RET_ERRNO | EPERM),
      "clone flags are checked in their low half, whatever the high half holds");
}

static void
test_install_needs_no_new_privs (void)
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == 0)
    {
      int err = 0;
      int r = seccomp_filter_install (SECCOMP_PROFILE_DEFAULT, &err);
      _exit (r == -1 && err == EACCES && seccomp_mode () == 0 ? 0 : 1);
    }
  int status;
  waitpid (pid, &status, 0);
  ok (WIFEXITED (status) && WEXITSTATUS (status) == 0, "installing without no_new_privs fails with EACCES");
}

static void
test_default_refuses (void)
{
  const int d = SECCOMP_PROFILE_DEFAULT;
  expect_refused (d, probe_keyctl, EPERM, "keyctl is refused with EPERM");
  expect_refused (d, probe_add_key, EPERM, "add_key is refused with EPERM");
  expect_refused (d, probe_bpf, EPERM, "bpf is refused with EPERM");
  expect_refused (d, probe_perf_event_open, EPERM, "perf_event_open is refused with EPERM");
  expect_refused (d, probe_userfaultfd, EPERM, "userfaultfd is refused with EPERM");
  expect_refused (d, probe_open_by_handle_at, EPERM, "open_by_handle_at is refused with EPERM");
  expect_refused (d, probe_kexec_load, EPERM, "kexec_load is refused with EPERM");
  expect_refused (d, probe_init_module, EPERM, "init_module is refused with EPERM");
  expect_refused (d, probe_mount, EPERM, "mount is refused with EPERM");
  expect_refused (d, probe_fsopen, EPERM, "fsopen (new mount API) is refused with EPERM");
  expect_refused (d, probe_pivot_root, EPERM, "pivot_root is refused with EPERM");
  expect_refused (d, probe_setns, EPERM, "setns is refused with EPERM");
  expect_refused (d, probe_sethostname, EPERM, "sethostname is refused with EPERM");
  expect_refused (d, probe_tiocsti, EPERM, "ioctl(TIOCSTI), terminal input injection, is refused with EPERM");
  expect_refused (d, probe_syslog, EPERM, "syslog (the kernel log) is refused with EPERM");
  expect_refused (d, probe_unshare_user, EPERM, "unshare(CLONE_NEWUSER) is refused with EPERM");
  expect_refused (d, probe_unshare_each_namespace, EPERM, "unshare is refused for each namespace flag alone");
  expect_refused (d, probe_clone_newnet, EPERM, "clone(CLONE_NEWNET) is refused with EPERM");
  expect_refused (d, probe_clone_newuser, EPERM, "clone(CLONE_NEWUSER) is refused with EPERM");
  expect_refused (d, probe_clone3, ENOSYS, "clone3 gives ENOSYS so that libc falls back to clone");
  expect_refused (d, probe_personality_no_randomize, EPERM, "personality(ADDR_NO_RANDOMIZE) is refused with EPERM");
  expect_refused (d, probe_socket_vsock, EPERM, "socket(AF_VSOCK) is refused with EPERM");
  expect_refused (d, probe_socket_alg, EPERM, "socket(AF_ALG) is refused with EPERM");
#ifdef __x86_64__
  expect_refused (d, probe_x32_getpid, EPERM, "an x32 syscall is refused with EPERM");
  expect_refused (d, probe_int80_getpid, EPERM, "an i386 int $0x80 syscall is refused with EPERM");
#endif
}

static void
test_default_allows (void)
{
  const int d = SECCOMP_PROFILE_DEFAULT;
  expect_allowed (d, probe_ordinary_calls, "getpid, open, read, write, pipe, mmap and socket still work");
  expect_allowed (d, probe_fork, "fork still works");
  expect_allowed (d, probe_clone_plain, "clone without namespace flags still works");
  expect_allowed (d, probe_thread, "threads start (libc falls back from clone3 to clone)");
  expect_allowed (d, probe_tcgets, "other ioctls still reach the kernel");
  expect_allowed (d, probe_unshare_files, "unshare without namespace flags still works");
  expect_allowed (d, probe_personality_query, "personality(0xffffffff), the query, still works");
  expect_allowed (d, probe_execve, "execve works and the program it runs still has the filter (Seccomp: 2)");
  expect_allowed (d, probe_status_says_filter, "/proc/self/status shows Seccomp: 2");
  ok (run_probe (NO_FILTER, probe_status_says_filter) == ENOENT, "without the filter /proc/self/status does not");
}

static void
test_nested (void)
{
  const int n = SECCOMP_PROFILE_NESTED;
  expect_allowed (n, probe_unshare_user, "nested profile: unshare(CLONE_NEWUSER) works");
  expect_allowed (n, probe_clone_newuser, "nested profile: clone(CLONE_NEWUSER) works");
  expect_allowed (n, probe_nested_mount, "nested profile: mount in an own user and mount namespace works");
  int clone3 = run_probe (n, probe_clone3);
  ok (clone3 == EINVAL, "nested profile: clone3 reaches the kernel (EINVAL for a bad size)");
  expect_refused (n, probe_setns, EPERM, "nested profile: setns is still refused");
  expect_refused (n, probe_keyctl, EPERM, "nested profile: keyctl is still refused");
  expect_refused (n, probe_bpf, EPERM, "nested profile: bpf is still refused");
#ifdef __x86_64__
  expect_refused (n, probe_x32_getpid, EPERM, "nested profile: an x32 syscall is still refused");
#endif
}

int
main (int argc, char **argv)
{
  if (argc == 2 && strcmp (argv[1], "--exit-seccomp-mode") == 0)
    return seccomp_mode ();
  test_program ();
  test_install_needs_no_new_privs ();
  test_default_refuses ();
  test_default_allows ();
  test_nested ();
  return tap_done ();
}
