/* testcell-launcher: executes a plan from TypeScript (native/PROTOCOL.md). This file is the launcher's own
   side: it reads the plan, clones the container's init into its namespaces and cgroup, writes id maps,
   relays status records and cleans up when the container or the parent goes away. */
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "plan.h"
#include "report.h"
#include "utils.h"

#define MAX_PLAN (4 << 20)

static const int forwarded_signals[] = { SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static char *
read_plan (int fd, struct plan *plan)
{
  size_t size = 65536, len = 0;
  char error[256];
  cleanup_free char *buf = malloc (size);
  for (;;)
    {
      if (!buf)
        die ("plan", NULL, NULL, "out of memory");
      struct pollfd p = { .fd = fd, .events = POLLIN };
      if (TEMP_FAILURE_RETRY (poll (&p, 1, -1)) < 0)
        die ("plan", "poll", NULL, "cannot wait for the plan");
      long n = TEMP_FAILURE_RETRY (read (fd, buf + len, size - len));
      if (n < 0 && errno == EAGAIN)
        continue;
      if (n < 0)
        die ("plan", "read", NULL, "cannot read the plan");
      errno = 0;
      if (n == 0)
        die ("plan", NULL, NULL, "the plan ended early (%zu bytes, no end token)", len);
      len += (size_t)n;
      switch (plan_parse (buf, len, plan, error, sizeof error))
        {
        case PLAN_COMPLETE:
          return steal_pointer (&buf);
        case PLAN_INVALID:
          die ("plan", NULL, NULL, "%s", error);
        case PLAN_INCOMPLETE:
        default:
          break;
        }
      if (len == size)
        {
          if (size >= MAX_PLAN)
            die ("plan", NULL, NULL, "the plan is larger than %d bytes", MAX_PLAN);
          char *bigger = realloc (buf, size *= 2);
          if (bigger)
            buf = bigger;
          else
            free (steal_pointer (&buf));
        }
    }
}

static void
write_file (const char *path, const char *content, const char *stage)
{
  cleanup_fd int fd = open (path, O_WRONLY | O_CLOEXEC);
  size_t len = strlen (content);
  if (fd < 0 || TEMP_FAILURE_RETRY (write (fd, content, len)) != (long)len)
    die (stage, "write", path, "cannot write %s", stage);
}

/* The container's init, born in the v2 cgroup when one is given (no migration afterwards). */
static pid_t
clone_init (const struct plan *plan, bool *in_cgroup)
{
  uint64_t flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
  if (plan->netns)
    flags |= CLONE_NEWNET;
  if (plan->userns)
    flags |= CLONE_NEWUSER;
  *in_cgroup = false;
  if (plan->cgroup_v2)
    {
      cleanup_fd int cgroup = open (plan->cgroup_v2, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (cgroup < 0)
        die ("cgroup", "open", plan->cgroup_v2, "cannot open the container's cgroup");
      struct clone_args args
        = { .flags = flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgroup };
      long pid = syscall (SYS_clone3, &args, sizeof args);
      if (pid >= 0)
        {
          *in_cgroup = true;
          return (pid_t)pid;
        }
      if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
        die ("clone", "clone3", plan->cgroup_v2, "cannot create the container");
    }
  long pid = syscall (SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0)
    die ("clone", "clone", NULL, "cannot create the namespaces");
  return (pid_t)pid;
}

static void
write_id_maps (const struct plan *plan, pid_t pid)
{
  char path[64];
  if (!plan->userns)
    return;
  snprintf (path, sizeof path, "/proc/%d/setgroups", pid);
  write_file (path, "deny", "idmap");
  snprintf (path, sizeof path, "/proc/%d/uid_map", pid);
  write_file (path, plan->uid_map, "idmap");
  snprintf (path, sizeof path, "/proc/%d/gid_map", pid);
  write_file (path, plan->gid_map, "idmap");
}

/* v2 without clone3: the child is migrated now, overlapping with it building its root; it waits for
   this before starting the payload. (v1 children move themselves: see container.c.) */
static void
join_cgroup_v2 (const struct plan *plan, pid_t pid, bool in_cgroup)
{
  char path[4096], number[32];
  if (!plan->cgroup_v2 || in_cgroup)
    return;
  snprintf (number, sizeof number, "%d", pid);
  if ((size_t)snprintf (path, sizeof path, "%s/cgroup.procs", plan->cgroup_v2) >= sizeof path)
    die ("cgroup", NULL, plan->cgroup_v2, "path too long");
  write_file (path, number, "cgroup");
}

/* v1: the files init writes "0" to, opened here with the launcher's credentials. */
static void
open_cgroup_joins (struct plan *plan)
{
  for (size_t i = 0; i < plan->n_cgroup_join; i++)
    {
      plan->cgroup_join_fds[i] = open (plan->cgroup_join[i], O_WRONLY | O_CLOEXEC);
      if (plan->cgroup_join_fds[i] < 0)
        die ("cgroup", "open", plan->cgroup_join[i], "cannot open the container's cgroup");
    }
}

static void
remove_cgroups (const struct plan *plan)
{
  for (size_t i = 0; i < plan->n_cgroup_remove; i++)
    for (int attempt = 0; rmdir (plan->cgroup_remove[i]) < 0 && errno == EBUSY && attempt < 100; attempt++)
      nanosleep (&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
}

struct state
{
  pid_t init;
  bool init_reaped, reports_done, setup_failed, parent_gone;
  int init_status;
  char exit_line[64];
};

/* Records from the container: relayed as they come, except `exit`, held until init is reaped. */
static void
relay_reports (int fd, struct state *s)
{
  static char pending[16384];
  static size_t used;
  long n = TEMP_FAILURE_RETRY (read (fd, pending + used, sizeof pending - 1 - used));
  if (n <= 0)
    {
      s->reports_done = true;
      return;
    }
  used += (size_t)n;
  char *line = pending, *nl;
  while ((nl = memchr (line, '\n', used - (size_t)(line - pending))))
    {
      *nl = '\0';
      if (strncmp (line, "{\"type\":\"exit\"", 14) == 0)
        {
          size_t len = (size_t)(nl - line);
          if (len < sizeof s->exit_line)
            memcpy (s->exit_line, line, len + 1);
        }
      else
        {
          if (strncmp (line, "{\"type\":\"error\"", 15) == 0 && !strstr (line, "\"stage\":\"exec\""))
            s->setup_failed = true;
          *nl = '\n';
          char saved = nl[1];
          nl[1] = '\0';
          report_line (line);
          nl[1] = saved;
        }
      line = nl + 1;
    }
  used -= (size_t)(line - pending);
  memmove (pending, line, used);
}

static void
on_signal (int sfd, pid_t parent, struct state *s)
{
  struct signalfd_siginfo info;
  if (TEMP_FAILURE_RETRY (read (sfd, &info, sizeof info)) != sizeof info)
    return;
  int sig = (int)info.ssi_signo;
  if (sig == SIGCHLD)
    {
      if (!s->init_reaped && waitpid (s->init, &s->init_status, WNOHANG) == s->init)
        s->init_reaped = true;
    }
  else if (sig == SIGTERM && getppid () != parent)
    {
      s->parent_gone = true; /* PR_SET_PDEATHSIG */
      kill (s->init, SIGKILL);
    }
  else if (!s->init_reaped)
    kill (s->init, sig);
}

/* The exit record, with the files the plan asked for (the cgroup's counters, read after every process of
   the container is gone and before the cgroup is removed). A file that cannot be read is left out. */
static void
report_exit (const struct plan *plan, const char *exit_line)
{
  static char line[PLAN_MAX_LIST * 8192], content[4096], path[4200], text[8192];
  size_t used = (size_t)snprintf (line, sizeof line, "%.*s,\"files\":{", (int)strlen (exit_line) - 1, exit_line);
  const char *separator = "";
  for (size_t i = 0; i < plan->n_report_files; i++)
    {
      cleanup_fd int fd = open (plan->report_files[i], O_RDONLY | O_CLOEXEC);
      long n = fd < 0 ? -1 : TEMP_FAILURE_RETRY (read (fd, content, sizeof content - 1));
      if (n < 0)
        continue;
      content[n] = '\0';
      if (json_string (path, sizeof path, plan->report_files[i]) < 0 || json_string (text, sizeof text, content) < 0)
        continue;
      used += (size_t)snprintf (line + used, sizeof line - used, "%s%s:%s", separator, path, text);
      separator = ",";
    }
  snprintf (line + used, sizeof line - used, "}}\n");
  report_line (line);
}

__attribute__ ((noreturn)) static void
exit_like (const char *exit_line)
{
  int value;
  if (sscanf (exit_line, "{\"type\":\"exit\",\"code\":%d}", &value) == 1)
    _exit (value);
  if (sscanf (exit_line, "{\"type\":\"exit\",\"signal\":%d}", &value) == 1)
    {
      sigset_t set;
      sigemptyset (&set);
      sigaddset (&set, value);
      signal (value, SIG_DFL);
      sigprocmask (SIG_UNBLOCK, &set, NULL);
      raise (value);
      _exit (128 + value);
    }
  _exit (EXIT_SETUP_FAILED);
}

int
main (int argc, char **argv)
{
  struct plan plan = { 0 };
  struct state s = { 0 };
  int control = -1;
  sigset_t mask;

  for (int i = 1; i + 1 < argc; i += 2)
    if (strcmp (argv[i], "--control-fd") == 0)
      control = atoi (argv[i + 1]);
  if (control < 3 || fcntl (control, F_SETFD, FD_CLOEXEC) < 0)
    {
      fprintf (stderr, "usage: testcell-launcher --control-fd N (N >= 3, an open socket; see native/PROTOCOL.md)\n");
      return 2;
    }
  report_fd = control;
  /* A write to a parent that is gone must fail with EPIPE, not kill us before the cleanup. */
  signal (SIGPIPE, SIG_IGN);
  pid_t parent = getppid ();
  if (prctl (PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0)
    die ("launcher", "prctl", NULL, "cannot set the parent-death signal");
  if (getppid () != parent) /* the parent died before the prctl: nobody will read the plan's outcome */
    _exit (EXIT_SETUP_FAILED);

  cleanup_free char *plan_buf = read_plan (control, &plan);

  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGTERM);
  for (size_t i = 0; i < N_ELEMENTS (forwarded_signals); i++)
    sigaddset (&mask, forwarded_signals[i]);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  cleanup_fd int sfd = signalfd (-1, &mask, SFD_CLOEXEC);
  int release[2], reports[2];
  if (sfd < 0 || pipe2 (release, O_CLOEXEC) < 0 || pipe2 (reports, O_CLOEXEC) < 0)
    die ("launcher", "pipe2", NULL, "cannot create the launcher's pipes");

  bool in_cgroup;
  open_cgroup_joins (&plan);
  s.init = clone_init (&plan, &in_cgroup);
  if (s.init == 0)
    {
      close (control);
      close (release[1]);
      close (reports[0]);
      container_main (&plan, release[0], reports[1]);
    }
  close (release[0]);
  close (reports[1]);
  for (size_t i = 0; i < plan.n_cgroup_join; i++)
    close (plan.cgroup_join_fds[i]);
  /* Two release bytes: after the id maps (build the root), after the cgroup (start the payload). A
     failure in between closes the pipe and the child gives up. */
  write_id_maps (&plan, s.init);
  if (TEMP_FAILURE_RETRY (write (release[1], "1", 1)) != 1)
    die ("launcher", "write", NULL, "cannot release the container");
  join_cgroup_v2 (&plan, s.init, in_cgroup);
  if (TEMP_FAILURE_RETRY (write (release[1], "2", 1)) != 1)
    die ("launcher", "write", NULL, "cannot release the container");
  close (release[1]);
  char line[64];
  snprintf (line, sizeof line, "{\"type\":\"pid\",\"pid\":%d}\n", s.init);
  report_line (line);

  /* Until the container is gone: relay records, forward signals, watch the parent. */
  while (!(s.init_reaped && s.reports_done))
    {
      struct pollfd fds[] = {
        { .fd = sfd, .events = POLLIN },
        { .fd = s.reports_done ? -1 : reports[0], .events = POLLIN },
        { .fd = s.parent_gone ? -1 : control, .events = POLLIN },
      };
      if (TEMP_FAILURE_RETRY (poll (fds, N_ELEMENTS (fds), -1)) < 0)
        die ("launcher", "poll", NULL, "cannot wait for the container");
      if (fds[0].revents)
        on_signal (sfd, parent, &s);
      if (fds[1].revents)
        relay_reports (reports[0], &s);
      if (fds[2].revents)
        {
          char ignored[64];
          if (TEMP_FAILURE_RETRY (read (control, ignored, sizeof ignored)) <= 0)
            {
              s.parent_gone = true; /* nobody to report to: end the container now */
              kill (s.init, SIGKILL);
            }
        }
    }

  if (s.parent_gone || s.setup_failed)
    {
      remove_cgroups (&plan);
      _exit (EXIT_SETUP_FAILED);
    }
  if (!s.exit_line[0]) /* init was killed before it could report (kill(), or a group OOM kill on v2) */
    format_exit (s.exit_line, sizeof s.exit_line, s.init_status);
  report_exit (&plan, s.exit_line);

  remove_cgroups (&plan);
  plan_free (&plan);
  exit_like (s.exit_line);
}
