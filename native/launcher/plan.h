/* The plan written by TypeScript (native/PROTOCOL.md): parsed into a struct, nothing decided here. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PROTOCOL_VERSION 2
#define PLAN_MAX_BYTES (4u << 20)
#define PLAN_MAX_LIST 64
#define PLAN_MAX_LOWERS 500

enum mount_op_type
{
  OP_OVERLAY,
  OP_BIND,
  OP_TMPFS,
  OP_PROC,
  OP_SYSFS,
  OP_DEV,
  OP_MKDIR,
  OP_SYMLINK,
  OP_MASK,
  OP_READONLY,
};

struct mount_op
{
  enum mount_op_type type;
  const char *target;  /* inside the container */
  const char *source;  /* bind: host path; symlink: link text */
  bool readonly;       /* bind */
  bool userxattr;      /* overlay */
  mode_t mode;         /* tmpfs, mkdir */
  const char **lowers; /* overlay: host paths, topmost first */
  size_t n_lowers;
};

struct cgroup_write
{
  const char *file, *value;
  bool if_exists;
};

enum seccomp_mode
{
  SECCOMP_MODE_NONE,
  SECCOMP_MODE_DEFAULT,
  SECCOMP_MODE_NESTED,
};

struct plan
{
  bool userns;
  const char *uid_map, *gid_map;
  bool netns, loopback;
  const char *hostname;
  const char *cgroup_create[PLAN_MAX_LIST];
  size_t n_cgroup_create;
  struct cgroup_write cgroup_writes[PLAN_MAX_LIST];
  size_t n_cgroup_writes;
  const char *cgroup_v2;
  const char *cgroup_join[PLAN_MAX_LIST];
  int cgroup_join_fds[PLAN_MAX_LIST]; /* opened by the launcher, written by init */
  size_t n_cgroup_join;
  const char *report_files[PLAN_MAX_LIST];
  size_t n_report_files;
  bool has_root;
  mode_t root_mode;
  struct mount_op *ops;
  size_t n_ops;
  const char *cwd;
  int keep_fds[PLAN_MAX_LIST];
  size_t n_keep_fds;
  bool caps_default;
  enum seccomp_mode seccomp;
  char **argv; /* NULL-terminated */
};

/* Parses a whole plan body of `len` bytes (the tokens after the length prefix). The plan points into `buf`, which
   must outlive it. Returns 0, or -1 with `error` saying why. Call plan_free afterwards in every case. */
int plan_parse (char *buf, size_t len, struct plan *plan, char *error, size_t error_size);
void plan_free (struct plan *plan);

/* Writes a readable description of a parsed plan, one line per record (the golden tests compare it). */
void plan_dump (const struct plan *plan, char *out, size_t size);

/* Appends `path` to `out` with overlayfs' separators (`\`, `,`, `:`) escaped; -1 if it does not fit. */
int overlay_escape (char *out, size_t size, const char *path);
