/* The payload's seccomp filter: Docker's default deny set as a classic BPF program, built from a table in
   seccomp.c (no libseccomp). Refused calls fail with EPERM (clone3 with ENOSYS); nothing is killed. */
#pragma once

#include <linux/filter.h>
#include <stddef.h>

enum seccomp_profile
{
  /* Docker's default deny set: no new namespaces, no mounts, nothing that changes the host kernel. */
  SECCOMP_PROFILE_DEFAULT,
  /* The same, but user namespaces and mounts are allowed, for nested sandboxes (bwrap, Chromium, podman):
     unshare/clone with namespace flags, clone3, the mount family, pivot_root, sethostname. setns stays denied. */
  SECCOMP_PROFILE_NESTED,
};

/* The longest program seccomp_filter_build() writes, in instructions. */
#define SECCOMP_FILTER_MAX 512

/* Writes the program for `profile` into `out` (room for `size` instructions). Returns its length, or -1
   when it does not fit. Installing it is seccomp_filter_install()'s job; this is exposed for tests. */
int seccomp_filter_build (enum seccomp_profile profile, struct sock_filter *out, size_t size);

/* Installs the filter on the calling thread; it stays across fork, clone and execve and cannot be removed.
   The caller must have set no_new_privs (prctl PR_SET_NO_NEW_PRIVS) first. Returns 0, or -1 with *err set:
   EACCES when no_new_privs is not set, EINVAL when the kernel has no seccomp filters
   (CONFIG_SECCOMP_FILTER), otherwise the errno of seccomp(2). The failing syscall to report is "seccomp". */
int seccomp_filter_install (enum seccomp_profile profile, int *err);
