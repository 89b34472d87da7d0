#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cursor
{
  char *next, *end;
};

/* The next NUL-terminated token, or NULL if the buffer ends first (more data may follow). */
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
  if (!s || !*s)
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

#define NEED(var)                                                                                                      \
  do                                                                                                                   \
    {                                                                                                                  \
      if (!((var) = token (&c)))                                                                                       \
        return PLAN_INCOMPLETE;                                                                                        \
    }                                                                                                                  \
  while (0)

#define INVALID(...)                                                                                                   \
  do                                                                                                                   \
    {                                                                                                                  \
      snprintf (error, error_size, __VA_ARGS__);                                                                       \
      return PLAN_INVALID;                                                                                             \
    }                                                                                                                  \
  while (0)

static const struct
{
  const char *name;
  enum mount_op_type type;
} single_target_ops[] = {
  { "proc", OP_PROC }, { "sysfs", OP_SYSFS }, { "dev", OP_DEV }, { "mask", OP_MASK }, { "readonly", OP_READONLY },
};

enum plan_status
plan_parse (char *buf, size_t len, struct plan *plan, char *error, size_t error_size)
{
  struct cursor c = { buf, buf + len };
  const char *op, *a, *b, *d;
  unsigned long n;
  bool userxattr = false;

  plan_free (plan);
  NEED (op);
  NEED (a);
  if (strcmp (op, "version") != 0 || strcmp (a, "1") != 0)
    INVALID ("the plan must start with version 1, got %s %s", op, a);

  for (;;)
    {
      NEED (op);
      if (strcmp (op, "end") == 0)
        {
          if (!plan->argv)
            INVALID ("the plan has no argv");
          if (!plan->has_root)
            INVALID ("the plan has no mount-tmpfs-root");
          return PLAN_COMPLETE;
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
      else if (strcmp (op, "cgroup-join") == 0 || strcmp (op, "cgroup-remove") == 0 || strcmp (op, "report-file") == 0)
        {
          bool join = op[7] == 'j', report = op[0] == 'r';
          size_t *count = report ? &plan->n_report_files : join ? &plan->n_cgroup_join : &plan->n_cgroup_remove;
          NEED (a);
          if (*count >= PLAN_MAX_LIST)
            INVALID ("too many %s entries", op);
          (report ? plan->report_files : join ? plan->cgroup_join : plan->cgroup_remove)[(*count)++] = a;
        }
      else if (strcmp (op, "overlay-userxattr") == 0)
        {
          NEED (a);
          userxattr = strcmp (a, "1") == 0;
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
          if (!parse_uint (b, 10, PLAN_MAX_LIST, &n) || n == 0)
            INVALID ("overlay needs 1 to %d lower layers, got %s", PLAN_MAX_LIST, b);
          const char **lowers = calloc (n, sizeof *lowers);
          struct mount_op *o = lowers ? add_op (plan, OP_OVERLAY) : NULL;
          if (!o)
            {
              free (lowers);
              INVALID ("out of memory");
            }
          o->target = a;
          o->lowers = lowers;
          o->userxattr = userxattr;
          for (o->n_lowers = 0; o->n_lowers < n; o->n_lowers++)
            NEED (lowers[o->n_lowers]);
        }
      else if (strcmp (op, "bind") == 0)
        {
          NEED (a);
          NEED (b);
          NEED (d);
          if (strcmp (d, "ro") != 0 && strcmp (d, "rw") != 0)
            INVALID ("bind mode must be ro or rw, got %s", d);
          struct mount_op *o = add_op (plan, OP_BIND);
          if (!o)
            INVALID ("out of memory");
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
          struct mount_op *o = add_op (plan, op[0] == 't' ? OP_TMPFS : OP_MKDIR);
          if (!o)
            INVALID ("out of memory");
          o->target = a;
          o->mode = (mode_t)n;
        }
      else if (strcmp (op, "symlink") == 0)
        {
          NEED (a);
          NEED (b);
          struct mount_op *o = add_op (plan, OP_SYMLINK);
          if (!o)
            INVALID ("out of memory");
          o->source = a;
          o->target = b;
        }
      else if (strcmp (op, "cwd") == 0)
        NEED (plan->cwd);
      else if (strcmp (op, "keep-fd") == 0)
        {
          NEED (a);
          if (!parse_uint (a, 10, 1 << 20, &n) || plan->n_keep_fds >= PLAN_MAX_LIST)
            INVALID ("bad keep-fd %s", a);
          plan->keep_fds[plan->n_keep_fds++] = (int)n;
        }
      else if (strcmp (op, "caps") == 0)
        {
          NEED (a);
          if (strcmp (a, "default") != 0 && strcmp (a, "keep") != 0)
            INVALID ("caps takes default or keep, got %s", a);
          plan->caps_default = a[0] == 'd';
        }
      else if (strcmp (op, "argv") == 0)
        {
          NEED (a);
          if (!parse_uint (a, 10, 1 << 16, &n) || n == 0)
            INVALID ("bad argv count %s", a);
          free (plan->argv);
          plan->argv = calloc (n + 1, sizeof *plan->argv);
          if (!plan->argv)
            INVALID ("out of memory");
          for (size_t i = 0; i < n; i++)
            {
              const char *arg;
              NEED (arg);
              plan->argv[i] = (char *)arg;
            }
        }
      else
        {
          bool found = false;
          for (size_t i = 0; i < (sizeof single_target_ops / sizeof single_target_ops[0]) && !found; i++)
            if (strcmp (op, single_target_ops[i].name) == 0)
              {
                NEED (a);
                struct mount_op *o = add_op (plan, single_target_ops[i].type);
                if (!o)
                  INVALID ("out of memory");
                o->target = a;
                found = true;
              }
          if (!found)
            INVALID ("unknown plan opcode %s", op);
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
