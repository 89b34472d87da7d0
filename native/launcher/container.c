#include "container.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mounts.h"
#include "report.h"
#include "seccomp.h"
#include "utils.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

static void
loopback_up (void)
{
  struct ifreq ifr = { 0 };
  cleanup_fd int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    die ("network", "socket", NULL, "cannot open a socket to configure lo");
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (fd, SIOCGIFFLAGS, &ifr) < 0)
    die ("network", "ioctl", "lo", "cannot read the flags of lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl (fd, SIOCSIFFLAGS, &ifr) < 0)
    die ("network", "ioctl", "lo", "cannot bring lo up");
}

/* Writing 0 to a v1 `tasks` file moves just the calling thread, which skips the global threadgroup
   lock (an RCU-synchronised rwsem costing milliseconds); init is single-threaded, so that is all of it. */
static void
join_cgroups_v1 (const struct plan *plan)
{
  for (size_t i = 0; i < plan->n_cgroup_join; i++)
    {
      if (TEMP_FAILURE_RETRY (write (plan->cgroup_join_fds[i], "0", 1)) != 1)
        die ("cgroup", "write", plan->cgroup_join[i], "cannot enter the container's cgroup");
      close (plan->cgroup_join_fds[i]);
    }
}

/* Docker's default capability set, without CAP_MKNOD: no device node a container makes can ever be opened (every
   mount is nodev too), so there is no reason to allow making them. */
static const int kept_caps[] = {
  CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER,           CAP_NET_RAW,    CAP_SETGID,      CAP_SETUID,
  CAP_SETFCAP, CAP_SETPCAP,      CAP_KILL,   CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_AUDIT_WRITE,
};

static void
reduce_caps (void)
{
  struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct have[2] = { 0 }, data[2] = { 0 };
  if (syscall (SYS_capget, &header, have) < 0)
    die ("caps", "capget", NULL, "cannot read capabilities");
  for (int cap = 0; cap < 64; cap++)
    {
      bool keep = false;
      for (size_t i = 0; i < N_ELEMENTS (kept_caps); i++)
        keep |= kept_caps[i] == cap;
      if (keep) /* only what we have: a root without some of them (CAP_SYS_RESOURCE here) keeps running */
        {
          data[cap / 32].effective |= have[cap / 32].permitted & (1U << (cap % 32));
          data[cap / 32].permitted |= have[cap / 32].permitted & (1U << (cap % 32));
        }
      else if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
        die ("caps", "prctl", NULL, "cannot drop capability %d from the bounding set", cap);
    }
  if (syscall (SYS_capset, &header, data) < 0)
    die ("caps", "capset", NULL, "cannot reduce capabilities");
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    die ("caps", "prctl", NULL, "cannot clear ambient capabilities");
}

static bool
kept (const struct plan *plan, int fd)
{
  for (size_t i = 0; i < plan->n_keep_fds; i++)
    if (plan->keep_fds[i] == fd)
      return true;
  return false;
}

/* Without close_range (Linux < 5.11): every open fd, as /proc/self/fd lists them. */
static void
cloexec_by_listing (const struct plan *plan)
{
  DIR *dir = opendir ("/proc/self/fd");
  if (!dir)
    die ("init", "opendir", "/proc/self/fd", "cannot list the inherited fds");
  int own = dirfd (dir);
  for (struct dirent *e; (e = readdir (dir));)
    {
      int fd = atoi (e->d_name);
      if (e->d_name[0] != '.' && fd > 2 && fd != own && !kept (plan, fd))
        fcntl (fd, F_SETFD, FD_CLOEXEC);
    }
  closedir (dir);
}

/* Every fd but stdio and the kept ones closes on exec (so an exec failure can still be reported). */
static void
close_inherited_fds (const struct plan *plan)
{
  int keep[PLAN_MAX_LIST];
  size_t n = plan->n_keep_fds;
  memcpy (keep, plan->keep_fds, n * sizeof *keep);
  for (size_t i = 1; i < n; i++) /* insertion sort: a handful of fds */
    for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--)
      {
        int t = keep[j];
        keep[j] = keep[j - 1];
        keep[j - 1] = t;
      }
  for (size_t i = 0; i < n; i++)
    if (fcntl (keep[i], F_SETFD, 0) < 0)
      die ("init", "fcntl", NULL, "keep-fd %d is not open in the launcher", keep[i]);
  unsigned int from = 3;
  for (size_t i = 0; i <= n; i++)
    {
      unsigned int to = i < n ? (unsigned int)keep[i] : ~0U;
      if (to > from && syscall (SYS_close_range, from, to - 1, CLOSE_RANGE_CLOEXEC) < 0)
        {
          cloexec_by_listing (plan);
          return;
        }
      from = to + 1;
    }
}

/* The payload starts with what a freshly exec'd process expects: nothing blocked or ignored. The launcher ignores
   SIGPIPE and the terminal's signals, and dispositions set to ignore survive exec. */
static void
default_signals (void)
{
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
}

__attribute__ ((noreturn)) static void
exec_payload (const struct plan *plan, int exec_pipe)
{
  default_signals ();
  if (setpgid (0, 0) < 0) /* its own process group: a kill(0, …) inside never reaches init */
    die ("init", "setpgid", NULL, "cannot give the payload its own process group");
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    die ("init", "prctl", NULL, "cannot set the parent-death signal");
  if (plan->caps_default)
    reduce_caps ();
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    die ("init", "prctl", NULL, "cannot set no_new_privs");
  close_inherited_fds (plan);
  if (plan->seccomp != SECCOMP_MODE_NONE)
    {
      int err = 0;
      if (seccomp_filter_install (
            plan->seccomp == SECCOMP_MODE_NESTED ? SECCOMP_PROFILE_NESTED : SECCOMP_PROFILE_DEFAULT, &err)
          < 0)
        die_with ("seccomp", "seccomp", err, NULL, "cannot install the seccomp filter");
    }
  execvpe (plan->argv[0], plan->argv, environ);
  int err = errno;
  if (err == ENOENT)
    report_exec_failed ("execvpe", err, plan->argv[0], "command not found: %s", plan->argv[0]);
  else
    report_exec_failed ("execvpe", err, plan->argv[0], "cannot execute %s: %s", plan->argv[0], strerror (err));
  (void)!write (exec_pipe, "x", 1);
  _exit (err == ENOENT ? 127 : 126);
}

/* One release byte from the launcher; EOF means it died or gave up: nothing to do but leave. */
static void
wait_for_release (int messages, char expected)
{
  char byte;
  if (TEMP_FAILURE_RETRY (recv (messages, &byte, 1, 0)) != 1 || byte != expected)
    _exit (EXIT_SETUP_FAILED);
}

__attribute__ ((noreturn)) static void
run_init (const struct plan *plan, int messages)
{
  sigset_t mask;
  int exec_pipe[2];
  /* Every signal is read from a signalfd and passed on; the launcher's ignored ones must reach it too. */
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
  sigfillset (&mask);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  cleanup_fd int sfd = signalfd (-1, &mask, SFD_CLOEXEC);
  if (sfd < 0)
    die ("init", "signalfd", NULL, "cannot receive signals");
  if (pipe2 (exec_pipe, O_CLOEXEC) < 0)
    die ("init", "pipe2", NULL, "cannot create the exec pipe");
  /* Nothing of the payload runs before the launcher has put us into the cgroup. */
  wait_for_release (messages, 'c');
  /* Not dumpable: the payload (same user) can neither ptrace init nor read its memory or fds. */
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    die ("init", "prctl", NULL, "cannot make init undumpable");

  pid_t payload = fork ();
  if (payload < 0)
    die ("init", "fork", NULL, "cannot start the payload");
  if (payload == 0)
    {
      close (exec_pipe[0]);
      exec_payload (plan, exec_pipe[1]);
    }
  close (exec_pipe[1]);
  char failed;
  if (TEMP_FAILURE_RETRY (read (exec_pipe[0], &failed, 1)) == 0)
    report_started (); /* EOF without a byte: the exec succeeded */
  close (exec_pipe[0]);

  for (;;)
    {
      struct signalfd_siginfo info;
      if (TEMP_FAILURE_RETRY (read (sfd, &info, sizeof info)) != sizeof info)
        die ("init", "read", NULL, "cannot read signals");
      if (info.ssi_signo != SIGCHLD)
        {
          kill (payload, (int)info.ssi_signo);
          continue;
        }
      int status;
      pid_t pid;
      while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
        if (pid == payload)
          {
            report_exit_status (status);
            /* Leaving as pid 1 makes the kernel kill every process left in the namespace. */
            _exit (WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status));
          }
    }
}

void
container_main (const struct plan *plan, int messages)
{
  report_to_launcher (messages);
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    die ("init", "prctl", NULL, "cannot set the parent-death signal");
  wait_for_release (messages, 'm'); /* EOF if the launcher died before the prctl, too */
  join_cgroups_v1 (plan);
  if (setsid () < 0) /* a session of its own: a terminal's signals reach the caller, never the payload directly */
    die ("init", "setsid", NULL, "cannot start a new session");
  if (plan->hostname && sethostname (plan->hostname, strlen (plan->hostname)) < 0)
    die ("hostname", "sethostname", NULL, "cannot set the hostname %s", plan->hostname);
  if (plan->netns && plan->loopback)
    loopback_up ();
  setup_root (plan);
  if (plan->cwd && chdir (plan->cwd) < 0)
    die ("cwd", "chdir", plan->cwd, "cannot enter the working directory");
  run_init (plan, messages);
}
