/* testcell-launcher: executes a plan from TypeScript (native/PROTOCOL.md). This file is the launcher's own side: it
   reads the plan, creates the container's cgroups, clones init into its namespaces and cgroup, writes id maps,
   relays status records, carries out the parent's requests and cleans up when the container or the parent goes
   away. */
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "plan.h"
#include "report.h"
#include "utils.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/* The terminal's signals and the user signals are the parent's to act on (it sends `signal` requests). */
static const int ignored_signals[] = { SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE };

static struct plan plan;
static size_t cgroups_created;

/* Removes the cgroups this launcher created, newest first; also what die() runs before exiting. */
static void
remove_cgroups (void)
{
  while (cgroups_created > 0)
    {
      const char *dir = plan.cgroup_create[--cgroups_created];
      for (int attempt = 0; rmdir (dir) < 0 && errno == EBUSY && attempt < 100; attempt++)
        nanosleep (&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
    }
}

static void
read_exactly (int fd, char *buf, size_t len, const char *what)
{
  for (size_t got = 0; got < len;)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      if (TEMP_FAILURE_RETRY (poll (&p, 1, -1)) < 0)
        die ("plan", "poll", NULL, "cannot wait for the %s", what);
      long n = TEMP_FAILURE_RETRY (read (fd, buf + got, len - got));
      if (n < 0 && errno == EAGAIN)
        continue;
      if (n < 0)
        die ("plan", "read", NULL, "cannot read the %s", what);
      if (n == 0)
        die_with ("plan", NULL, 0, NULL, "the parent closed the control socket before sending the whole plan");
      got += (size_t)n;
    }
}

/* The plan: a 4-byte little-endian length, then that many bytes of tokens. */
static char *
read_plan (int fd)
{
  unsigned char header[4];
  char error[512];
  read_exactly (fd, (char *)header, sizeof header, "plan's length");
  uint32_t len = header[0] | (uint32_t)header[1] << 8 | (uint32_t)header[2] << 16 | (uint32_t)header[3] << 24;
  if (len == 0 || len > PLAN_MAX_BYTES)
    die_with ("plan", NULL, 0, NULL,
              "the plan's length is not between 1 byte and 4 MiB (is the parent speaking protocol 2?)");
  char *buf = malloc (len);
  if (!buf)
    die ("plan", "malloc", NULL, "out of memory");
  read_exactly (fd, buf, len, "plan");
  if (plan_parse (buf, len, &plan, error, sizeof error) < 0)
    die_with ("plan", NULL, 0, NULL, error);
  return buf;
}

static void
write_file (const char *path, const char *content, const char *stage)
{
  cleanup_fd int fd = open (path, O_WRONLY | O_CLOEXEC);
  size_t len = strlen (content);
  if (fd < 0 || TEMP_FAILURE_RETRY (write (fd, content, len)) != (long)len)
    die (stage, "write", path, "cannot write %s", content);
}

/* Before the container exists, outside of it: its cgroups and their limits, and the v1 files init joins by. */
static void
prepare_cgroups (void)
{
  for (size_t i = 0; i < plan.n_cgroup_create; i++)
    {
      if (mkdir (plan.cgroup_create[i], 0755) < 0)
        die ("cgroup", "mkdir", plan.cgroup_create[i], "cannot create the container's cgroup");
      cgroups_created = i + 1;
    }
  for (size_t i = 0; i < plan.n_cgroup_writes; i++)
    {
      const struct cgroup_write *w = &plan.cgroup_writes[i];
      if (w->if_exists && access (w->file, F_OK) < 0 && errno == ENOENT)
        continue;
      write_file (w->file, w->value, "cgroup");
    }
  for (size_t i = 0; i < plan.n_cgroup_join; i++)
    {
      plan.cgroup_join_fds[i] = open (plan.cgroup_join[i], O_WRONLY | O_CLOEXEC);
      if (plan.cgroup_join_fds[i] < 0)
        die ("cgroup", "open", plan.cgroup_join[i], "cannot open the container's cgroup");
    }
}

/* The container's init, born in the v2 cgroup when one is given (no migration afterwards), held by a pidfd. */
static pid_t
clone_init (bool *in_cgroup, int *pidfd)
{
  uint64_t flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_PIDFD;
  if (plan.netns)
    flags |= CLONE_NEWNET;
  if (plan.userns)
    flags |= CLONE_NEWUSER;
  *in_cgroup = false;
  *pidfd = -1;
  if (plan.cgroup_v2)
    {
      cleanup_fd int cgroup = open (plan.cgroup_v2, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (cgroup < 0)
        die ("cgroup", "open", plan.cgroup_v2, "cannot open the container's cgroup");
      struct clone_args args = {
        .flags = flags | CLONE_INTO_CGROUP,
        .pidfd = (uint64_t)(uintptr_t)pidfd,
        .exit_signal = SIGCHLD,
        .cgroup = (uint64_t)cgroup,
      };
      long pid = syscall (SYS_clone3, &args, sizeof args);
      if (pid >= 0)
        {
          *in_cgroup = true;
          return (pid_t)pid;
        }
      if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
        die ("clone", "clone3", plan.cgroup_v2, "cannot create the container");
    }
  /* clone(2)'s third argument receives the pidfd on every architecture (x86_64 and arm64 alike). */
  long pid = syscall (SYS_clone, (unsigned long)flags | SIGCHLD, NULL, pidfd, NULL, NULL);
  if (pid < 0 && errno == EINVAL) /* Linux < 5.2: no CLONE_PIDFD; init is signalled by pid (our own child) */
    pid = syscall (SYS_clone, (unsigned long)(flags & ~(uint64_t)CLONE_PIDFD) | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0)
    die ("clone", "clone", NULL, "cannot create the namespaces");
  return (pid_t)pid;
}

static void
write_id_maps (pid_t pid)
{
  char path[64];
  if (!plan.userns)
    return;
  snprintf (path, sizeof path, "/proc/%d/setgroups", pid);
  write_file (path, "deny", "idmap");
  snprintf (path, sizeof path, "/proc/%d/uid_map", pid);
  write_file (path, plan.uid_map, "idmap");
  snprintf (path, sizeof path, "/proc/%d/gid_map", pid);
  write_file (path, plan.gid_map, "idmap");
}

/* v2 without clone3: the child is migrated now, overlapping with it building its root; it waits for this
   before starting the payload. (v1 children move themselves: see container.c.) */
static void
join_cgroup_v2 (pid_t pid, bool in_cgroup)
{
  char path[4096], number[32];
  if (!plan.cgroup_v2 || in_cgroup)
    return;
  snprintf (number, sizeof number, "%d", pid);
  if ((size_t)snprintf (path, sizeof path, "%s/cgroup.procs", plan.cgroup_v2) >= sizeof path)
    die ("cgroup", NULL, plan.cgroup_v2, "path too long");
  write_file (path, number, "cgroup");
}

static void
release (int messages, char byte)
{
  if (TEMP_FAILURE_RETRY (send (messages, &byte, 1, MSG_NOSIGNAL)) != 1)
    die ("launcher", "send", NULL, "cannot release the container");
}

struct state
{
  pid_t init;
  int pidfd;
  bool init_reaped, messages_done, failed, parent_gone, have_status;
  int init_status, payload_status;
  char requests[256];
  size_t requests_used;
};

static void
signal_init (struct state *s, int sig)
{
  if (s->init_reaped)
    return;
  if (s->pidfd < 0 || syscall (SYS_pidfd_send_signal, s->pidfd, sig, NULL, 0) < 0)
    kill (s->init, sig); /* safe: init is our child and not reaped, so its pid cannot have been reused */
}

/* Messages from init and the payload: relayed, except the payload's status, which goes into the exit record. */
static void
on_message (int fd, struct state *s)
{
  static char buf[sizeof (struct container_msg) + RECORD_MAX + 1];
  long n = TEMP_FAILURE_RETRY (recv (fd, buf, sizeof buf - 1, 0));
  if (n <= 0)
    {
      s->messages_done = true; /* init and the payload are gone */
      return;
    }
  if ((size_t)n < sizeof (struct container_msg))
    return;
  struct container_msg header;
  memcpy (&header, buf, sizeof header);
  char *text = buf + sizeof header;
  buf[n] = '\0';
  switch (header.type)
    {
    case MSG_STARTED:
      if (!s->failed)
        {
          char line[32];
          format_started (line, sizeof line);
          report_line (line);
        }
      break;
    case MSG_EXIT:
      s->have_status = true;
      s->payload_status = header.value;
      break;
    case MSG_ERROR:
      s->failed = true;
      report_line (text);
      break;
    case MSG_EXEC_FAILED:
      s->failed = false; /* built, but the command did not run: an exit record follows */
      report_line (text);
      break;
    default:
      break;
    }
}

/* Requests from the parent (`signal N\n`); EOF means the parent is gone: end the container now. */
static void
on_control (int fd, struct state *s)
{
  long n = TEMP_FAILURE_RETRY (read (fd, s->requests + s->requests_used, sizeof s->requests - 1 - s->requests_used));
  if (n < 0 && errno == EAGAIN)
    return;
  if (n <= 0)
    {
      s->parent_gone = true;
      signal_init (s, SIGKILL);
      return;
    }
  s->requests_used += (size_t)n;
  s->requests[s->requests_used] = '\0';
  char *line = s->requests, *nl;
  while ((nl = strchr (line, '\n')))
    {
      *nl = '\0';
      char *end = line;
      long sig = strncmp (line, "signal ", 7) == 0 ? strtol (line + 7, &end, 10) : 0;
      if (sig > 0 && sig < NSIG && *end == '\0')
        signal_init (s, (int)sig);
      line = nl + 1;
    }
  s->requests_used = strlen (line);
  memmove (s->requests, line, s->requests_used + 1);
  if (s->requests_used == sizeof s->requests - 1) /* a line this long is no request: drop it */
    s->requests_used = 0;
}

static void
on_signal (int sfd, pid_t parent, struct state *s)
{
  struct signalfd_siginfo info;
  if (TEMP_FAILURE_RETRY (read (sfd, &info, sizeof info)) != sizeof info)
    return;
  if (info.ssi_signo == SIGCHLD)
    {
      if (!s->init_reaped && waitpid (s->init, &s->init_status, WNOHANG) == s->init)
        s->init_reaped = true;
    }
  else if (info.ssi_signo == SIGTERM && getppid () != parent)
    {
      s->parent_gone = true; /* PR_SET_PDEATHSIG; any other SIGTERM is ignored: signals come as requests */
      signal_init (s, SIGKILL);
    }
}

/* A whole file (a cgroup's counters), or NULL if it cannot be read. */
static char *
read_whole (const char *path)
{
  cleanup_fd int fd = open (path, O_RDONLY | O_CLOEXEC);
  size_t size = 4096, len = 0;
  cleanup_free char *content = fd < 0 ? NULL : malloc (size);
  if (!content)
    return NULL;
  for (;;)
    {
      if (len + 1 == size)
        {
          char *bigger = size < (1u << 20) ? realloc (content, size *= 2) : NULL;
          if (!bigger)
            return NULL;
          content = bigger;
        }
      long n = TEMP_FAILURE_RETRY (read (fd, content + len, size - 1 - len));
      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      len += (size_t)n;
    }
  content[len] = '\0';
  return steal_pointer (&content);
}

/* The exit record, with the files the plan asked for (the cgroup's counters, read after every process of the
   container is gone and before the cgroup is removed). A file that cannot be read is left out. */
static void
report_exit (int status)
{
  char *contents[PLAN_MAX_LIST] = { 0 };
  for (size_t i = 0; i < plan.n_report_files; i++)
    contents[i] = read_whole (plan.report_files[i]);
  cleanup_free char *line = format_exit (status, plan.report_files, (const char *const *)contents, plan.n_report_files);
  for (size_t i = 0; i < plan.n_report_files; i++)
    free (contents[i]);
  if (!line)
    die ("launcher", "malloc", NULL, "out of memory");
  report_line (line);
}

/* The payload's status as a shell would show it: its code, or 128 + N for signal N (never re-raised: no core). */
static int
exit_code (int status)
{
  return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
}

static int
control_fd_from (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--protocol") == 0)
        {
          printf ("%d\n", PROTOCOL_VERSION);
          exit (0);
        }
      if (strcmp (argv[i], "--control-fd") == 0 && i + 1 < argc)
        return atoi (argv[++i]);
    }
  return -1;
}

int
main (int argc, char **argv)
{
  struct state s = { .pidfd = -1 };
  char line[64];
  sigset_t mask;
  int control = control_fd_from (argc, argv);
  if (control < 3 || fcntl (control, F_SETFD, FD_CLOEXEC) < 0)
    {
      fprintf (stderr, "usage: testcell-launcher --control-fd N (N >= 3, an open socket; see native/PROTOCOL.md)\n"
                       "       testcell-launcher --protocol\n");
      return 2;
    }
  report_to_parent (control, remove_cgroups);
  for (size_t i = 0; i < N_ELEMENTS (ignored_signals); i++)
    signal (ignored_signals[i], SIG_IGN);
  pid_t parent = getppid ();
  if (prctl (PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0)
    die ("launcher", "prctl", NULL, "cannot set the parent-death signal");
  if (getppid () != parent) /* the parent died before the prctl: nobody will read the outcome */
    _exit (EXIT_SETUP_FAILED);
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGTERM);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  if (format_hello (line, sizeof line) < 0)
    die_with ("launcher", NULL, 0, NULL, "cannot format the hello record");
  report_line (line);

  cleanup_free char *plan_buf = read_plan (control);
  prepare_cgroups ();
  cleanup_fd int sfd = signalfd (-1, &mask, SFD_CLOEXEC);
  int messages[2];
  if (sfd < 0 || socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, messages) < 0)
    die ("launcher", "socketpair", NULL, "cannot create the launcher's channels");

  bool in_cgroup;
  s.init = clone_init (&in_cgroup, &s.pidfd);
  if (s.init == 0)
    {
      close (control);
      close (messages[0]);
      container_main (&plan, messages[1]);
    }
  close (messages[1]);
  for (size_t i = 0; i < plan.n_cgroup_join; i++)
    close (plan.cgroup_join_fds[i]);
  /* Two release bytes: after the id maps (build the root), after the cgroup (start the payload). A failure in
     between closes the socket and the child gives up. */
  write_id_maps (s.init);
  release (messages[0], 'm');
  join_cgroup_v2 (s.init, in_cgroup);
  release (messages[0], 'c');
  format_pid (line, sizeof line, s.init);
  report_line (line);

  /* Until the container is gone: relay its messages, carry out requests, watch the parent. */
  while (!(s.init_reaped && s.messages_done))
    {
      struct pollfd fds[] = {
        { .fd = sfd, .events = POLLIN },
        { .fd = s.messages_done ? -1 : messages[0], .events = POLLIN },
        { .fd = s.parent_gone ? -1 : control, .events = POLLIN },
      };
      if (TEMP_FAILURE_RETRY (poll (fds, N_ELEMENTS (fds), -1)) < 0)
        die ("launcher", "poll", NULL, "cannot wait for the container");
      if (fds[0].revents)
        on_signal (sfd, parent, &s);
      if (fds[1].revents)
        on_message (messages[0], &s);
      if (fds[2].revents)
        on_control (control, &s);
    }

  if (s.parent_gone || s.failed)
    {
      remove_cgroups ();
      _exit (EXIT_SETUP_FAILED);
    }
  /* Without the payload's status init was killed before it could send it (a request, or a group OOM kill). */
  int status = s.have_status ? s.payload_status : s.init_status;
  report_exit (status);
  remove_cgroups ();
  plan_free (&plan);
  _exit (exit_code (status));
}
