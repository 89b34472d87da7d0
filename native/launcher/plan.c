#include "plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cursor
{
  char *next, *end;
};

/* The next NUL-terminated token, or NULL at the end of the body. */
static const char *
token (struct cursor *c)
{
  if (c->next >= c->end)
    return NULL;
  char *nul = memchr (c->next, '\0', (size_t)(c->end - c->next));
  if (!nul)
    return NULL;
  char *t = c->next;
  c->next = nul + 1;
  return t;
}

static bool
parse_uint (const char *s, int base, unsigned long max, unsigned long *out)
{
  char *end;
  if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
    return false;
  unsigned long v = strtoul (s, &end, base);
  if (*end || v > max)
    return false;
  *out = v;
  return true;
}

static struct mount_op *
add_op (struct plan *plan, enum mount_op_type type)
{
  struct mount_op *ops = realloc (plan->ops, (plan->n_ops + 1) * sizeof *ops);
  if (!ops)
    return NULL;
  plan->ops = ops;
  struct mount_op *op = &ops[plan->n_ops++];
  memset (op, 0, sizeof *op);
  op->type = type;
  return op;
}

__attribute__ ((format (printf, 3, 4))) static int
invalid (char *error, size_t size, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (error, size, fmt, ap);
  va_end (ap);
  return -1;
}

#define NEED(var)                                                                                                      \
  do                                                                                                                   \
    {                                                                                                                  \
      if (!((var) = token (&c)))                                                                                       \
        return invalid (error, error_size, "the plan ends inside a %s record (no end token)", op);                     \
    }                                                                                                                  \
  while (0)

#define INVALID(...) return invalid (error, error_size, __VA_ARGS__)

#define ADD_OP(var, type)                                                                                              \
  do                                                                                                                   \
    {                                                                                                                  \
      if (!((var) = add_op (plan, type)))                                                                              \
        INVALID ("out of memory");                                                                                     \
    }                                                                                                                  \
  while (0)

/* Records that name one target and nothing else. */
static const struct
{
  const char *name;
  enum mount_op_type type;
} single_target_ops[] = {
  { "proc", OP_PROC }, { "sysfs", OP_SYSFS }, { "dev", OP_DEV }, { "mask", OP_MASK }, { "readonly", OP_READONLY },
};

/* Records that add one path to a list of the plan. */
static const char **
path_list (struct plan *plan, const char *op, size_t **count)
{
  if (strcmp (op, "cgroup-create") == 0)
    return *count = &plan->n_cgroup_create, plan->cgroup_create;
  if (strcmp (op, "cgroup-join") == 0)
    return *count = &plan->n_cgroup_join, plan->cgroup_join;
  if (strcmp (op, "report-file") == 0)
    return *count = &plan->n_report_files, plan->report_files;
  return NULL;
}

int
plan_parse (char *buf, size_t len, struct plan *plan, char *error, size_t error_size)
{
  struct cursor c = { buf, buf + len };
  const char *op = "version", *a, *b, *d;
  unsigned long n;
  bool userxattr = false;

  plan_free (plan);
  NEED (a);
  NEED (b);
  if (strcmp (a, "version") != 0)
    INVALID ("the plan must start with its version, got %s", a);
  if (!parse_uint (b, 10, 1000000, &n) || n != PROTOCOL_VERSION)
    INVALID ("the plan was written for protocol version %s, this launcher speaks version %d", b, PROTOCOL_VERSION);

  for (;;)
    {
      const char **list;
      size_t *count;
      struct mount_op *o;
      if (!(op = token (&c)))
        INVALID ("the plan has no end token");
      if (strcmp (op, "end") == 0)
        {
          if (c.next != c.end)
            INVALID ("%zu bytes follow the end token", (size_t)(c.end - c.next));
          if (!plan->argv)
            INVALID ("the plan has no argv");
          if (!plan->has_root)
            INVALID ("the plan has no mount-tmpfs-root");
          return 0;
        }
      else if (strcmp (op, "userns") == 0)
        {
          NEED (plan->uid_map);
          NEED (plan->gid_map);
          plan->userns = true;
        }
      else if (strcmp (op, "netns") == 0)
        {
          NEED (a);
          if (strcmp (a, "loopback") != 0 && strcmp (a, "none") != 0)
            INVALID ("netns takes loopback or none, got %s", a);
          plan->netns = true;
          plan->loopback = strcmp (a, "loopback") == 0;
        }
      else if (strcmp (op, "hostname") == 0)
        NEED (plan->hostname);
      else if (strcmp (op, "cgroup-v2") == 0)
        NEED (plan->cgroup_v2);
      else if ((list = path_list (plan, op, &count)))
        {
          NEED (a);
          if (*count >= PLAN_MAX_LIST)
            INVALID ("more than %d %s records", PLAN_MAX_LIST, op);
          list[(*count)++] = a;
        }
      else if (strcmp (op, "cgroup-write") == 0 || strcmp (op, "cgroup-write-if-exists") == 0)
        {
          NEED (a);
          NEED (b);
          if (plan->n_cgroup_writes >= PLAN_MAX_LIST)
            INVALID ("more than %d cgroup-write records", PLAN_MAX_LIST);
          plan->cgroup_writes[plan->n_cgroup_writes++]
            = (struct cgroup_write){ .file = a, .value = b, .if_exists = op[12] == '-' };
        }
      else if (strcmp (op, "overlay-userxattr") == 0)
        {
          NEED (a);
          if (strcmp (a, "0") != 0 && strcmp (a, "1") != 0)
            INVALID ("overlay-userxattr takes 0 or 1, got %s", a);
          userxattr = a[0] == '1';
        }
      else if (strcmp (op, "mount-tmpfs-root") == 0)
        {
          NEED (a);
          if (!parse_uint (a, 8, 07777, &n))
            INVALID ("bad mode %s", a);
          plan->has_root = true;
          plan->root_mode = (mode_t)n;
        }
      else if (strcmp (op, "overlay") == 0)
        {
          NEED (a);
          NEED (b);
          if (!parse_uint (b, 10, PLAN_MAX_LOWERS, &n) || n == 0)
            INVALID ("overlay needs 1 to %d lower layers, got %s", PLAN_MAX_LOWERS, b);
          ADD_OP (o, OP_OVERLAY);
          if (!(o->lowers = calloc (n, sizeof *o->lowers)))
            INVALID ("out of memory");
          o->target = a;
          o->userxattr = userxattr;
          for (o->n_lowers = 0; o->n_lowers < n; o->n_lowers++)
            NEED (o->lowers[o->n_lowers]);
        }
      else if (strcmp (op, "bind") == 0)
        {
          NEED (a);
          NEED (b);
          NEED (d);
          if (strcmp (d, "ro") != 0 && strcmp (d, "rw") != 0)
            INVALID ("bind mode must be ro or rw, got %s", d);
          ADD_OP (o, OP_BIND);
          o->source = a;
          o->target = b;
          o->readonly = d[1] == 'o';
        }
      else if (strcmp (op, "tmpfs") == 0 || strcmp (op, "mkdir") == 0)
        {
          NEED (a);
          NEED (b);
          if (!parse_uint (b, 8, 07777, &n))
            INVALID ("bad mode %s", b);
          ADD_OP (o, op[0] == 't' ? OP_TMPFS : OP_MKDIR);
          o->target = a;
          o->mode = (mode_t)n;
        }
      else if (strcmp (op, "symlink") == 0)
        {
          NEED (a);
          NEED (b);
          ADD_OP (o, OP_SYMLINK);
          o->source = a;
          o->target = b;
        }
      else if (strcmp (op, "cwd") == 0)
        NEED (plan->cwd);
      else if (strcmp (op, "keep-fd") == 0)
        {
          NEED (a);
          if (!parse_uint (a, 10, 1 << 20, &n) || n < 3)
            INVALID ("keep-fd takes an fd number of 3 or more (0 to 2 are always kept), got %s", a);
          if (plan->n_keep_fds >= PLAN_MAX_LIST)
            INVALID ("more than %d keep-fd records", PLAN_MAX_LIST);
          plan->keep_fds[plan->n_keep_fds++] = (int)n;
        }
      else if (strcmp (op, "caps") == 0)
        {
          NEED (a);
          if (strcmp (a, "default") != 0 && strcmp (a, "keep") != 0)
            INVALID ("caps takes default or keep, got %s", a);
          plan->caps_default = a[0] == 'd';
        }
      else if (strcmp (op, "seccomp") == 0)
        {
          NEED (a);
          if (strcmp (a, "default") != 0 && strcmp (a, "nested") != 0)
            INVALID ("seccomp takes default or nested, got %s", a);
          plan->seccomp = a[0] == 'd' ? SECCOMP_MODE_DEFAULT : SECCOMP_MODE_NESTED;
        }
      else if (strcmp (op, "argv") == 0)
        {
          NEED (a);
          if (!parse_uint (a, 10, 1 << 16, &n) || n == 0)
            INVALID ("bad argv count %s", a);
          free (plan->argv);
          if (!(plan->argv = calloc (n + 1, sizeof *plan->argv)))
            INVALID ("out of memory");
          for (size_t i = 0; i < n; i++)
            {
              NEED (a);
              plan->argv[i] = (char *)a; /* points into the caller's (writable) buffer */
            }
        }
      else
        {
          size_t i = 0;
          while (i < sizeof single_target_ops / sizeof single_target_ops[0] && strcmp (op, single_target_ops[i].name))
            i++;
          if (i == sizeof single_target_ops / sizeof single_target_ops[0])
            INVALID ("unknown plan opcode %s", op);
          ADD_OP (o, single_target_ops[i].type);
          NEED (o->target);
        }
    }
}

void
plan_free (struct plan *plan)
{
  for (size_t i = 0; i < plan->n_ops; i++)
    free (plan->ops[i].lowers);
  free (plan->ops);
  free (plan->argv);
  memset (plan, 0, sizeof *plan);
}

struct dump
{
  char *out;
  size_t size, used;
};

__attribute__ ((format (printf, 2, 3))) static void
dumpf (struct dump *d, const char *fmt, ...)
{
  va_list ap;
  if (d->used >= d->size)
    return;
  va_start (ap, fmt);
  int n = vsnprintf (d->out + d->used, d->size - d->used, fmt, ap);
  va_end (ap);
  d->used = n < 0 ? d->size : d->used + (size_t)n;
}

static const char *const op_names[] = {
  [OP_OVERLAY] = "overlay", [OP_BIND] = "bind",         [OP_TMPFS] = "tmpfs", [OP_PROC] = "proc",
  [OP_SYSFS] = "sysfs",     [OP_DEV] = "dev",           [OP_MKDIR] = "mkdir", [OP_SYMLINK] = "symlink",
  [OP_MASK] = "mask",       [OP_READONLY] = "readonly",
};

void
plan_dump (const struct plan *plan, char *out, size_t size)
{
  struct dump d = { out, size, 0 };
  out[0] = '\0';
  if (plan->userns)
    dumpf (&d, "userns uid_map=%s gid_map=%s\n", plan->uid_map, plan->gid_map);
  if (plan->netns)
    dumpf (&d, "netns %s\n", plan->loopback ? "loopback" : "none");
  if (plan->hostname)
    dumpf (&d, "hostname %s\n", plan->hostname);
  for (size_t i = 0; i < plan->n_cgroup_create; i++)
    dumpf (&d, "cgroup-create %s\n", plan->cgroup_create[i]);
  for (size_t i = 0; i < plan->n_cgroup_writes; i++)
    dumpf (&d, "cgroup-write %s=%s%s\n", plan->cgroup_writes[i].file, plan->cgroup_writes[i].value,
           plan->cgroup_writes[i].if_exists ? " if-exists" : "");
  if (plan->cgroup_v2)
    dumpf (&d, "cgroup-v2 %s\n", plan->cgroup_v2);
  for (size_t i = 0; i < plan->n_cgroup_join; i++)
    dumpf (&d, "cgroup-join %s\n", plan->cgroup_join[i]);
  for (size_t i = 0; i < plan->n_report_files; i++)
    dumpf (&d, "report-file %s\n", plan->report_files[i]);
  dumpf (&d, "root tmpfs %04o\n", (unsigned)plan->root_mode);
  for (size_t i = 0; i < plan->n_ops; i++)
    {
      const struct mount_op *o = &plan->ops[i];
      dumpf (&d, "%s %s", op_names[o->type], o->target);
      if (o->type == OP_BIND || o->type == OP_SYMLINK)
        dumpf (&d, " from %s", o->source);
      if (o->type == OP_BIND)
        dumpf (&d, " %s", o->readonly ? "ro" : "rw");
      if (o->type == OP_TMPFS || o->type == OP_MKDIR)
        dumpf (&d, " %04o", (unsigned)o->mode);
      if (o->type == OP_OVERLAY)
        {
          for (size_t j = 0; j < o->n_lowers; j++)
            dumpf (&d, "%s%s", j ? ":" : " lowers ", o->lowers[j]);
          dumpf (&d, "%s", o->userxattr ? " userxattr" : "");
        }
      dumpf (&d, "\n");
    }
  if (plan->cwd)
    dumpf (&d, "cwd %s\n", plan->cwd);
  for (size_t i = 0; i < plan->n_keep_fds; i++)
    dumpf (&d, "keep-fd %d\n", plan->keep_fds[i]);
  dumpf (&d, "caps %s\n", plan->caps_default ? "default" : "keep");
  static const char *const seccomp[] = { "none", "default", "nested" };
  dumpf (&d, "seccomp %s\n", seccomp[plan->seccomp]);
  for (size_t i = 0; plan->argv && plan->argv[i]; i++)
    dumpf (&d, "argv[%zu] %s\n", i, plan->argv[i]);
}

int
overlay_escape (char *out, size_t size, const char *path)
{
  size_t n = strlen (out);
  for (const char *p = path; *p; p++)
    {
      if (n + 3 >= size)
        return -1;
      if (*p == '\\' || *p == ',' || *p == ':')
        out[n++] = '\\';
      out[n++] = *p;
    }
  out[n] = '\0';
  return (int)n;
}
