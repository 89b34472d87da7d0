#include "container.h"

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

/* Docker's default capability set. */
static const int kept_caps[] = {
  CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FSETID,  CAP_FOWNER,           CAP_MKNOD,      CAP_NET_RAW, CAP_SETGID,
  CAP_SETUID, CAP_SETFCAP,      CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,    CAP_AUDIT_WRITE,
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

/* Every fd but stdio and the kept ones closes on exec (so an exec failure can still be reported). */
static void
close_inherited_fds (const struct plan *plan)
{
  int keep[PLAN_MAX_LIST + 1];
  size_t n = 0;
  for (size_t i = 0; i < plan->n_keep_fds; i++)
    keep[n++] = plan->keep_fds[i];
  for (size_t i = 1; i < n; i++) /* insertion sort: a handful of fds */
    for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--)
      {
        int t = keep[j];
        keep[j] = keep[j - 1];
        keep[j - 1] = t;
      }
  unsigned int from = 3;
  for (size_t i = 0; i <= n; i++)
    {
      unsigned int to = i < n ? (unsigned int)keep[i] : ~0U;
      if (to > from && syscall (SYS_close_range, from, to - 1, CLOSE_RANGE_CLOEXEC) < 0)
        for (unsigned int fd = from; fd < to && fd < 65536; fd++)
          fcntl ((int)fd, F_SETFD, FD_CLOEXEC);
      if (i < n)
        {
          if (fcntl (keep[i], F_SETFD, 0) < 0)
            die ("init", "fcntl", NULL, "keep-fd %d is not open in the launcher", keep[i]);
          from = (unsigned int)keep[i] + 1;
        }
    }
}

__attribute__ ((noreturn)) static void
exec_payload (const struct plan *plan, int exec_report)
{
  sigset_t none;
  report_fd = exec_report;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_DFL); /* the launcher ignores it, and exec would keep that */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    die ("exec", "prctl", NULL, "cannot set the parent-death signal");
  if (plan->caps_default)
    reduce_caps ();
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    die ("exec", "prctl", NULL, "cannot set no_new_privs");
  close_inherited_fds (plan);
  execvpe (plan->argv[0], plan->argv, environ);
  int err = errno;
  if (err == ENOENT)
    report_error ("exec", "execvpe", err, plan->argv[0], "command not found: %s", plan->argv[0]);
  else
    report_error ("exec", "execvpe", err, plan->argv[0], "cannot execute %s: %s", plan->argv[0], strerror (err));
  _exit (err == ENOENT ? 127 : 126);
}

/* Relays the payload's exec outcome: an error record, or EOF once exec closed the pipe. */
static void
report_exec (int exec_pipe)
{
  char buf[8192];
  long n, total = 0;
  while ((n = TEMP_FAILURE_RETRY (read (exec_pipe, buf + total, sizeof buf - 1 - (size_t)total))) > 0)
    total += n;
  buf[total] = '\0';
  report_line (total > 0 ? buf : "{\"type\":\"started\"}\n");
}

__attribute__ ((noreturn)) static void
run_init (const struct plan *plan, int release_fd)
{
  char byte;
  sigset_t mask;
  int exec_pipe[2];
  sigemptyset (&mask);
  for (int sig = 1; sig < NSIG; sig++)
    sigaddset (&mask, sig);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  cleanup_fd int sfd = signalfd (-1, &mask, SFD_CLOEXEC);
  if (sfd < 0)
    die ("init", "signalfd", NULL, "cannot receive signals");
  if (pipe2 (exec_pipe, O_CLOEXEC) < 0)
    die ("init", "pipe2", NULL, "cannot create the exec pipe");
  /* Nothing of the payload runs before the launcher has put us into the cgroup. */
  if (TEMP_FAILURE_RETRY (read (release_fd, &byte, 1)) != 1)
    _exit (EXIT_SETUP_FAILED);
  close (release_fd);

  pid_t payload = fork ();
  if (payload < 0)
    die ("init", "fork", NULL, "cannot start the payload");
  if (payload == 0)
    {
      close (exec_pipe[0]);
      exec_payload (plan, exec_pipe[1]);
    }
  close (exec_pipe[1]);
  report_exec (exec_pipe[0]);
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
            char line[64];
            format_exit (line, sizeof line - 1, status);
            strcat (line, "\n");
            report_line (line);
            /* Leaving as pid 1 makes the kernel kill every process left in the namespace. */
            _exit (WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status));
          }
    }
}

void
container_main (const struct plan *plan, int release_fd, int report)
{
  char byte;
  report_fd = report;
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    die ("init", "prctl", NULL, "cannot set the parent-death signal");
  if (TEMP_FAILURE_RETRY (read (release_fd, &byte, 1)) != 1)
    _exit (EXIT_SETUP_FAILED); /* the launcher died or gave up before releasing us */
  join_cgroups_v1 (plan);
  if (plan->hostname && sethostname (plan->hostname, strlen (plan->hostname)) < 0)
    die ("hostname", "sethostname", NULL, "cannot set the hostname %s", plan->hostname);
  if (plan->netns && plan->loopback)
    loopback_up ();
  setup_root (plan);
  if (plan->cwd && chdir (plan->cwd) < 0)
    die ("cwd", "chdir", plan->cwd, "cannot enter the working directory");
  run_init (plan, release_fd);
}
