/* Unit tests of the launcher's pure parts: the plan parser, the golden protocol files, record formatting, escaping and
   resolution inside a root. Output: TAP. `--dump-plan FILE` and `--print-status` write what the golden files hold
   (scripts/update-golden.mjs). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inroot.h"
#include "plan.h"
#include "report.h"
#include "tap.h"

#define GOLDEN "tests/golden/"

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

#define TOKENS(buf, list) tokens (buf, sizeof buf, list, sizeof list / sizeof list[0])

static void
test_full_plan (void)
{
  static const char *const t[] = {
    "version",
    "2",
    "userns",
    "0 1000 1\n",
    "0 1000 1\n",
    "netns",
    "loopback",
    "hostname",
    "cell",
    "cgroup-create",
    "/cg/x",
    "cgroup-write",
    "/cg/x/memory.max",
    "64",
    "cgroup-write-if-exists",
    "/cg/x/memory.swap.max",
    "0",
    "cgroup-v2",
    "/cg/x",
    "report-file",
    "/cg/x/memory.events",
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
    "seccomp",
    "default",
    "argv",
    "3",
    "sh",
    "-c",
    "",
    "end",
  };
  char buf[4096], error[256];
  struct plan plan = { 0 };
  size_t len = TOKENS (buf, t);
  ok (plan_parse (buf, len, &plan, error, sizeof error) == 0, "a plan with every kind of record parses");
  ok (plan.userns && strcmp (plan.uid_map, "0 1000 1\n") == 0, "userns maps");
  ok (plan.netns && plan.loopback && strcmp (plan.hostname, "cell") == 0, "netns loopback and hostname");
  ok (plan.n_cgroup_create == 1 && strcmp (plan.cgroup_create[0], "/cg/x") == 0, "cgroup-create");
  ok (plan.n_cgroup_writes == 2 && !plan.cgroup_writes[0].if_exists && plan.cgroup_writes[1].if_exists
        && strcmp (plan.cgroup_writes[1].value, "0") == 0,
      "cgroup-write and cgroup-write-if-exists");
  ok (plan.cgroup_v2 && plan.n_report_files == 1, "cgroup-v2 and report-file");
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
  ok (plan.seccomp == SECCOMP_MODE_DEFAULT, "seccomp default");
  ok (plan.argv[0] && strcmp (plan.argv[2], "") == 0 && plan.argv[3] == NULL,
      "argv is NULL-terminated and keeps empty arguments");

  bool all_refused = true;
  for (size_t cut = 0; cut < len; cut++)
    all_refused &= plan_parse (buf, cut, &plan, error, sizeof error) < 0;
  ok (all_refused, "every truncation of a plan is refused (the length prefix says where it ends)");
  plan_free (&plan);
}

static void
test_invalid (const char *const *t, size_t n, const char *expected, const char *name)
{
  char buf[1024], error[256] = "";
  struct plan plan = { 0 };
  size_t len = tokens (buf, sizeof buf, t, n);
  bool refused = plan_parse (buf, len, &plan, error, sizeof error) < 0 && strstr (error, expected);
  if (!refused)
    printf ("# error: %s\n", error);
  ok (refused, name);
  plan_free (&plan);
}

#define INVALID(list, expected, name) test_invalid (list, sizeof list / sizeof list[0], expected, name)

static void
test_invalid_plans (void)
{
  static const char *const no_version[] = { "argv", "1", "true", "end" };
  static const char *const v1[] = { "version", "1", "mount-tmpfs-root", "0755", "argv", "1", "true", "end" };
  static const char *const unknown[] = { "version", "2", "frobnicate", "end" };
  static const char *const removed[] = { "version", "2", "cgroup-remove", "/x", "end" };
  static const char *const no_argv[] = { "version", "2", "mount-tmpfs-root", "0755", "end" };
  static const char *const bad_mode[] = { "version", "2", "tmpfs", "/tmp", "99", "end" };
  static const char *const bad_bind[] = { "version", "2", "bind", "/a", "/b", "rx", "end" };
  static const char *const stdio_fd[] = { "version", "2", "keep-fd", "2", "end" };
  static const char *const negative_fd[] = { "version", "2", "keep-fd", "-3", "end" };
  static const char *const no_lowers[] = { "version", "2", "overlay", "/", "0", "end" };
  static const char *const bad_seccomp[] = { "version", "2", "seccomp", "off", "end" };
  static const char *const trailing[]
    = { "version", "2", "mount-tmpfs-root", "0755", "argv", "1", "true", "end", "argv", "1", "false" };
  INVALID (no_version, "must start with its version", "a plan without version is refused");
  INVALID (v1, "protocol version 1, this launcher speaks version 2", "a plan of another version names both versions");
  INVALID (unknown, "unknown plan opcode frobnicate", "unknown opcodes are refused by name");
  INVALID (removed, "unknown plan opcode cgroup-remove", "the removed cgroup-remove record is refused");
  INVALID (no_argv, "no argv", "a plan without argv is refused");
  INVALID (bad_mode, "bad mode 99", "modes must be octal");
  INVALID (bad_bind, "ro or rw", "bind modes are ro or rw");
  INVALID (stdio_fd, "3 or more", "keep-fd 0 to 2 is refused");
  INVALID (negative_fd, "3 or more", "a negative keep-fd is refused");
  INVALID (no_lowers, "1 to 500 lower layers", "an overlay without lowers is refused");
  INVALID (bad_seccomp, "default or nested", "seccomp modes are default or nested");
  INVALID (trailing, "follow the end token", "bytes after the end token are refused");
}

static char *
read_file (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  if (!f)
    return NULL;
  char *buf = malloc (1 << 20);
  *len = buf ? fread (buf, 1, 1 << 20, f) : 0;
  fclose (f);
  if (buf)
    buf[*len < (1 << 20) ? *len : (1 << 20) - 1] = '\0';
  return buf;
}

/* The golden plan (encoded by TypeScript from plan.json), as the parser understands it. */
static int
dump_plan (const char *path, char *out, size_t size)
{
  size_t len;
  char error[256];
  struct plan plan = { 0 };
  char *buf = read_file (path, &len);
  if (!buf || len < 4)
    return snprintf (out, size, "cannot read %s\n", path), -1;
  unsigned char *p = (unsigned char *)buf;
  size_t body = p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
  int rc = body == len - 4 && plan_parse (buf + 4, body, &plan, error, sizeof error) == 0 ? 0 : -1;
  if (rc == 0)
    plan_dump (&plan, out, size);
  else
    snprintf (out, size, "length %zu of %zu bytes; %s\n", body, len - 4, error);
  plan_free (&plan);
  free (buf);
  return rc;
}

/* Every kind of status record, formatted from fixed inputs: what status.jsonl holds, line by line. */
static void
status_lines (char *out, size_t size)
{
  static const char *const names[] = { "/cg/x/memory.events", "/cg/x/missing", "/cg/x/memory.peak" };
  static const char *const contents[] = { "oom 1\noom_kill 1\n", NULL, "67108864\n" };
  char line[1024];
  out[0] = '\0';
  format_hello (line, sizeof line);
  strcat (out, line);
  format_pid (line, sizeof line, 4242);
  strcat (out, line);
  format_started (line, sizeof line);
  strcat (out, line);
  format_failure (line, sizeof line, "error", "mount", "mount", EINVAL, "/srv/data é", "cannot mount \"x\": Invalid");
  strcat (out, line);
  format_failure (line, sizeof line, "error", "plan", NULL, 0, NULL, "unknown plan opcode x");
  strcat (out, line);
  format_failure (line, sizeof line, "exec-failed", NULL, "execvpe", ENOENT, "node", "command not found: node");
  strcat (out, line);
  char *exit_code = format_exit (3 << 8, names, contents, 0);
  char *exit_signal = format_exit (SIGKILL, names, contents, 3);
  if (exit_code && exit_signal && strlen (out) + strlen (exit_code) + strlen (exit_signal) < size)
    {
      strcat (out, exit_code);
      strcat (out, exit_signal);
    }
  free (exit_code);
  free (exit_signal);
}

static void
test_golden (void)
{
  static char dump[65536], expected_text[65536];
  size_t len;
  char *expected = read_file (GOLDEN "plan.dump", &len);
  int rc = dump_plan (GOLDEN "plan.bin", dump, sizeof dump);
  if (expected && strcmp (dump, expected) != 0)
    printf ("# got:\n%s", dump);
  ok (rc == 0 && expected && strcmp (dump, expected) == 0,
      "golden: plan.bin (TypeScript's encoding of plan.json) parses into plan.dump");
  free (expected);

  expected = read_file (GOLDEN "status.jsonl", &len);
  status_lines (expected_text, sizeof expected_text);
  if (expected && strcmp (expected_text, expected) != 0)
    printf ("# got:\n%s", expected_text);
  ok (expected && strcmp (expected_text, expected) == 0, "golden: records are formatted exactly as status.jsonl");
  free (expected);
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
  json_string (json, sizeof json, "a\"b\\c\nd\te\x01\x7f");
  ok (strcmp (json, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f\"") == 0,
      "JSON strings escape quotes, backslashes and controls");
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
  ok (format_failure (line, 40, "error", "plan", NULL, 0, NULL, "a message much longer than the line has room for") < 0,
      "a record that does not fit is refused, never cut");
  format_failure (line, sizeof line, "error", "idmap", "write", 4095, NULL, "odd");
  ok (strstr (line, "\"errno\":4095,\"message\"") != NULL, "an errno without a known name is reported by number");
  ok (strcmp (errno_name (EACCES), "EACCES") == 0 && errno_name (0) == NULL && errno_name (-1) == NULL,
      "errno names come from the launcher's own table (no strerrorname_np: musl has none)");
}

static void
test_id_maps (void)
{
  /* Maps go to uid_map/gid_map verbatim: several lines, spaces and newlines survive the tokenizer. */
  static const char *const t[] = {
    "version", "2",    "userns", "0 1000 1\n1 100000 65536\n", "0 1000 1\n", "mount-tmpfs-root", "0700", "argv",
    "1",       "true", "end",
  };
  char buf[512], error[256];
  struct plan plan = { 0 };
  size_t len = TOKENS (buf, t);
  ok (plan_parse (buf, len, &plan, error, sizeof error) == 0 && plan.userns
        && strcmp (plan.uid_map, "0 1000 1\n1 100000 65536\n") == 0 && strcmp (plan.gid_map, "0 1000 1\n") == 0,
      "multi-line id maps are kept verbatim");
  ok (plan.root_mode == 0700 && !plan.netns && !plan.caps_default && plan.n_ops == 0
        && plan.seccomp == SECCOMP_MODE_NONE,
      "defaults: host network, caps kept, no seccomp filter");
  plan_free (&plan);
}

static bool
resolves (const char *root, const char *path, enum inroot_create create, const char *expected)
{
  char out[PATH_MAX], want[PATH_MAX];
  snprintf (want, sizeof want, "%s%s", root, expected);
  if (inroot_resolve (root, path, create, 0755, out) < 0)
    return printf ("# %s: %s\n", path, strerror (errno)), false;
  if (strcmp (out, want) != 0)
    printf ("# %s -> %s\n", path, out);
  return strcmp (out, want) == 0;
}

static void
test_inroot (void)
{
  char root[] = "/tmp/testcell-inroot-XXXXXX", path[PATH_MAX], out[PATH_MAX];
  struct stat st;
  if (!mkdtemp (root))
    return ok (false, "inroot: a scratch directory");
#define AT(p) (snprintf (path, sizeof path, "%s%s", root, p), path)
  mkdir (AT ("/run"), 0755);
  mkdir (AT ("/var"), 0755);
  mkdir (AT ("/etc"), 0755);
  symlink ("/run", AT ("/var/run"));
  symlink ("../../../../etc", AT ("/var/up"));
  symlink ("loop2", AT ("/loop1"));
  symlink ("loop1", AT ("/loop2"));
  close (open (AT ("/file"), O_CREAT | O_WRONLY, 0644));

  ok (resolves (root, "/var/run/x", INROOT_DIR, "/run/x") && stat (AT ("/run/x"), &st) == 0 && S_ISDIR (st.st_mode),
      "inroot: an absolute symlink is followed inside the root (/var/run -> /run)");
  ok (resolves (root, "/var/up/passwd", INROOT_FILE, "/etc/passwd") && stat (AT ("/etc/passwd"), &st) == 0
        && S_ISREG (st.st_mode),
      "inroot: a relative symlink that climbs too far stops at the root");
  ok (resolves (root, "/../../../etc", INROOT_EXISTING, "/etc"), "inroot: .. never leaves the root");
  ok (resolves (root, "/a/b/c", INROOT_PARENT, "/a/b/c") && stat (AT ("/a/b"), &st) == 0
        && stat (AT ("/a/b/c"), &st) < 0,
      "inroot: parent mode creates the parents only");
  ok (resolves (root, "/", INROOT_EXISTING, ""), "inroot: the root itself");
  errno = 0;
  ok (inroot_resolve (root, "/loop1/x", INROOT_DIR, 0755, out) < 0 && errno == ELOOP,
      "inroot: symlink loops are ELOOP");
  errno = 0;
  ok (inroot_resolve (root, "/file/x", INROOT_DIR, 0755, out) < 0 && errno == ENOTDIR,
      "inroot: a file in the middle of a path is ENOTDIR");
  errno = 0;
  ok (inroot_resolve (root, "/missing", INROOT_EXISTING, 0, out) < 0 && errno == ENOENT,
      "inroot: existing mode creates nothing");
#undef AT
  char command[PATH_MAX + 16];
  snprintf (command, sizeof command, "rm -rf '%s'", root);
  if (system (command) != 0)
    printf ("# could not remove %s\n", root);
}

int
main (int argc, char **argv)
{
  static char out[65536];
  if (argc == 3 && strcmp (argv[1], "--dump-plan") == 0)
    return dump_plan (argv[2], out, sizeof out) < 0 ? (fputs (out, stderr), 1) : (fputs (out, stdout), 0);
  if (argc == 2 && strcmp (argv[1], "--print-status") == 0)
    return status_lines (out, sizeof out), fputs (out, stdout), 0;
  test_full_plan ();
  test_invalid_plans ();
  test_golden ();
  test_escaping ();
  test_records ();
  test_id_maps ();
  test_inroot ();
  return tap_done ();
}
