/* Unit tests of the launcher's pure parts (plan parser, escaping, record formatting). Output: TAP. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "plan.h"
#include "report.h"

static int n_tests, n_failed;

static void
ok (bool condition, const char *name)
{
  n_tests++;
  if (!condition)
    n_failed++;
  printf ("%sok %d - %s\n", condition ? "" : "not ", n_tests, name);
}

static size_t
tokens (char *buf, size_t size, const char *const *list, size_t n)
{
  size_t len = 0;
  for (size_t i = 0; i < n; i++)
    {
      size_t l = strlen (list[i]) + 1;
      if (len + l > size)
        break;
      memcpy (buf + len, list[i], l);
      len += l;
    }
  return len;
}

static void
test_full_plan (void)
{
  static const char *const t[] = {
    "version",
    "1",
    "userns",
    "0 1000 1\n",
    "0 1000 1\n",
    "netns",
    "loopback",
    "hostname",
    "cell",
    "cgroup-join",
    "/sys/fs/cgroup/memory/x/cgroup.procs",
    "cgroup-remove",
    "/sys/fs/cgroup/memory/x",
    "overlay-userxattr",
    "1",
    "mount-tmpfs-root",
    "0755",
    "overlay",
    "/",
    "2",
    "/a",
    "/b",
    "bind",
    "/src",
    "/dst",
    "ro",
    "tmpfs",
    "/tmp",
    "1777",
    "proc",
    "/proc",
    "mask",
    "/proc/kcore",
    "symlink",
    "usr/bin",
    "/bin",
    "cwd",
    "/work",
    "keep-fd",
    "3",
    "caps",
    "default",
    "argv",
    "2",
    "sh",
    "-c",
    "end",
  };
  char buf[4096], error[256];
  struct plan plan = { 0 };
  size_t len = tokens (buf, sizeof buf, t, sizeof t / sizeof t[0]);
  ok (plan_parse (buf, len, &plan, error, sizeof error) == PLAN_COMPLETE, "a full plan parses");
  ok (plan.userns && strcmp (plan.uid_map, "0 1000 1\n") == 0, "userns maps");
  ok (plan.netns && plan.loopback && strcmp (plan.hostname, "cell") == 0, "netns loopback and hostname");
  ok (plan.n_cgroup_join == 1 && plan.n_cgroup_remove == 1, "cgroup join and remove");
  ok (plan.has_root && plan.root_mode == 0755, "tmpfs root mode is octal");
  ok (plan.n_ops == 6, "six mount ops in order");
  ok (plan.ops[0].type == OP_OVERLAY && plan.ops[0].n_lowers == 2 && plan.ops[0].userxattr
        && strcmp (plan.ops[0].lowers[1], "/b") == 0,
      "overlay with two lowers and userxattr");
  ok (plan.ops[1].type == OP_BIND && plan.ops[1].readonly && strcmp (plan.ops[1].source, "/src") == 0,
      "read-only bind");
  ok (plan.ops[2].type == OP_TMPFS && plan.ops[2].mode == 01777, "tmpfs mode");
  ok (plan.ops[5].type == OP_SYMLINK && strcmp (plan.ops[5].source, "usr/bin") == 0, "symlink text");
  ok (plan.n_keep_fds == 1 && plan.keep_fds[0] == 3 && plan.caps_default, "keep-fd and caps");
  ok (plan.argv[0] && strcmp (plan.argv[1], "-c") == 0 && plan.argv[2] == NULL, "argv is NULL-terminated");

  for (size_t cut = 0; cut < len; cut += 7)
    if (plan_parse (buf, cut, &plan, error, sizeof error) != PLAN_INCOMPLETE)
      {
        ok (false, "every prefix of a plan is incomplete");
        plan_free (&plan);
        return;
      }
  ok (true, "every prefix of a plan is incomplete");
  plan_free (&plan);
}

static void
test_invalid (const char *const *t, size_t n, const char *expected, const char *name)
{
  char buf[1024], error[256] = "";
  struct plan plan = { 0 };
  size_t len = tokens (buf, sizeof buf, t, n);
  ok (plan_parse (buf, len, &plan, error, sizeof error) == PLAN_INVALID && strstr (error, expected), name);
  plan_free (&plan);
}

static void
test_invalid_plans (void)
{
  static const char *const no_version[] = { "argv", "1", "true", "end" };
  static const char *const unknown[] = { "version", "1", "frobnicate", "end" };
  static const char *const no_argv[] = { "version", "1", "mount-tmpfs-root", "0755", "end" };
  static const char *const bad_mode[] = { "version", "1", "tmpfs", "/tmp", "99", "end" };
  static const char *const bad_bind[] = { "version", "1", "bind", "/a", "/b", "rx", "end" };
  test_invalid (no_version, 4, "version 1", "a plan without version is refused");
  test_invalid (unknown, 3, "unknown plan opcode frobnicate", "unknown opcodes are refused by name");
  test_invalid (no_argv, 5, "no argv", "a plan without argv is refused");
  test_invalid (bad_mode, 6, "bad mode 99", "modes must be octal");
  test_invalid (bad_bind, 7, "ro or rw", "bind modes are ro or rw");
}

static void
test_escaping (void)
{
  char out[64] = "lowerdir=";
  overlay_escape (out, sizeof out, "/a,b:c\\d");
  ok (strcmp (out, "lowerdir=/a\\,b\\:c\\\\d") == 0, "overlay lower paths escape , : and backslash");
  char small[8] = "";
  ok (overlay_escape (small, sizeof small, "/much/too/long") < 0, "overlay escaping refuses to truncate");

  char json[64];
  json_string (json, sizeof json, "a\"b\\c\nd\te\x01");
  ok (strcmp (json, "\"a\\\"b\\\\c\\nd\\te\\u0001\"") == 0, "JSON strings escape quotes, backslashes and controls");
  ok (json_string (json, 4, "toolong") < 0, "JSON escaping refuses to truncate");
  ok (json_string (json, 8, "\x01") < 0 && json_string (json, 9, "\x01") == 8 && json_string (json, 9, "abcdef") == 8,
      "JSON escaping leaves room for the closing quote, exactly");
  json_string (json, sizeof json, "caf\xc3\xa9");
  ok (strcmp (json, "\"caf\xc3\xa9\"") == 0, "UTF-8 passes through unchanged");
}

static void
test_records (void)
{
  char line[512];
  format_error (line, sizeof line, "mount", "mount", 22, "/a \"b\"", "cannot mount overlay: Invalid argument");
  ok (strcmp (line, "{\"type\":\"error\",\"stage\":\"mount\",\"syscall\":\"mount\",\"errno\":22,\"errname\":\"EINVAL\","
                    "\"path\":\"/a \\\"b\\\"\",\"message\":\"cannot mount overlay: Invalid argument\"}\n")
        == 0,
      "error record with every field");
  format_error (line, sizeof line, "plan", NULL, 0, NULL, "unknown plan opcode x");
  ok (strcmp (line, "{\"type\":\"error\",\"stage\":\"plan\",\"message\":\"unknown plan opcode x\"}\n") == 0,
      "error record without errno, syscall and path");
  format_error (line, 40, "plan", NULL, 0, NULL, "a message much longer than the line has room for");
  ok (strlen (line) < 40, "a short buffer truncates instead of overflowing");
  format_exit (line, sizeof line, 3 << 8);
  ok (strcmp (line, "{\"type\":\"exit\",\"code\":3}") == 0, "exit record with a code");
  format_exit (line, sizeof line, SIGKILL);
  ok (strcmp (line, "{\"type\":\"exit\",\"signal\":9}") == 0, "exit record with a signal");
}

static void
test_id_maps (void)
{
  /* Maps go to uid_map/gid_map verbatim: several lines, spaces and newlines survive the tokenizer. */
  static const char *const t[]
    = { "version", "1",    "userns", "0 1000 1\n1 100000 65536\n", "0 1000 1\n", "mount-tmpfs-root", "0700", "argv",
        "1",       "true", "end" };
  char buf[512], error[256];
  struct plan plan = { 0 };
  size_t len = tokens (buf, sizeof buf, t, sizeof t / sizeof t[0]);
  ok (plan_parse (buf, len, &plan, error, sizeof error) == PLAN_COMPLETE && plan.userns
        && strcmp (plan.uid_map, "0 1000 1\n1 100000 65536\n") == 0 && strcmp (plan.gid_map, "0 1000 1\n") == 0,
      "multi-line id maps are kept verbatim");
  ok (plan.root_mode == 0700 && !plan.netns && !plan.caps_default && plan.n_ops == 0,
      "defaults: host network, caps kept");
  plan_free (&plan);
}

int
main (void)
{
  test_full_plan ();
  test_invalid_plans ();
  test_escaping ();
  test_records ();
  test_id_maps ();
  printf ("1..%d\n", n_tests);
  return n_failed ? 1 : 0;
}
