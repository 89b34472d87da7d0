/* The payload's seccomp filter. The deny set is Docker's default profile (moby/profiles seccomp) as seen by a
   container with Docker's default capabilities, written as a table of refused calls. Deliberate differences
   from Docker, each for the reason given:
   - A deny list, where Docker lists what is allowed. Calls the table does not name are allowed, so a syscall
     that a newer kernel or libc starts to use works at once (Docker's allow list answered EPERM to
     faccessat2 and clone3 until it was updated, and glibc took that for a real error). The price: a new
     dangerous syscall stays open until it is added here.
   - No capability conditions. Docker lifts most rules for a container that has CAP_SYS_ADMIN, CAP_SYS_PTRACE
     etc.; this table is the same whatever capabilities the plan keeps. Nested sandboxes get their own
     profile (SECCOMP_PROFILE_NESTED), the rest `seccomp: false`.
   - unshare() without namespace flags (CLONE_FILES, CLONE_FS, CLONE_SYSVSEM) is allowed; Docker refuses every
     unshare() without CAP_SYS_ADMIN, though these only detach the caller's own state.
   - Foreign ABIs are refused outright (i386 `int $0x80` and x32 on x86_64, AArch32 on aarch64): Docker
     applies the same rules to them, which needs a table of numbers per ABI (i386 numbers are not x86_64's,
     so one table would let a 32-bit call slip past under another number). Nothing testcell runs is 32-bit.
     They get EPERM, not ENOSYS, so that a
     refusal by the filter can be told apart from a kernel built without that ABI.
   - ioctl TIOCSTI and TIOCLINUX are refused, as bwrap and Flatpak do: they push input into a terminal, and
     a payload that still held the caller's terminal could type commands into the shell that started it
     (CVE-2017-5226). Docker relies on the new session every container starts in.
   - Calls newer than Docker's profile are decided here: file_getattr/file_setattr (the FS_IOC_FSGETXATTR
     ioctls as syscalls), listns (enumerates namespaces like listmount enumerates mounts) and uprobe (like
     uretprobe) are allowed; open_tree_attr (new mount API) is refused with the mount family.
   Every refusal is an errno (EPERM; ENOSYS for clone3), never a kill: the test sees an ordinary error. */
#include "seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "utils.h"

#if defined(__x86_64__) && !defined(__ILP32__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#else
#error "the seccomp filter is written for x86_64 and aarch64: add the architecture's rules first"
#endif
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the seccomp filter reads the low half of 64-bit arguments at the little-endian offset"
#endif

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

/* Calls newer than the build machine's kernel headers. From 424 on (Linux 5.1), every architecture uses the
   same number for a new syscall, so these hold for x86_64 and aarch64 alike. */
#ifndef SYS_lsm_get_self_attr
#define SYS_lsm_get_self_attr 459
#endif
#ifndef SYS_lsm_set_self_attr
#define SYS_lsm_set_self_attr 460
#endif
#ifndef SYS_lsm_list_modules
#define SYS_lsm_list_modules 461
#endif
#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif

/* Every namespace flag clone() takes (Docker's mask 0x7E020000). CLONE_NEWTIME shares its bit with the
   exit signal in clone(), so only unshare() and clone3() can ask for a time namespace. */
#define CLONE_NAMESPACES                                                                                               \
  (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Which calls of a syscall the rule refuses. */
enum check
{
  REFUSE,        /* all of them */
  REFUSE_FLAGS,  /* those whose argument has any bit of values[0] */
  REFUSE_VALUES, /* those whose argument is one of values[] */
  ALLOW_VALUES,  /* those whose argument is none of values[] */
};

/* One refused call. Arguments are compared in their low 32 bits, and the high half cannot smuggle anything
   past the check: socket's family, personality's persona and ioctl's request are 32-bit types, the kernel
   reads clone's flags through lower_32_bits(), and unshare refuses unknown high bits with EINVAL. */
struct rule
{
  long nr;
  unsigned profiles; /* bit (1 << enum seccomp_profile) for each profile the rule belongs to */
  enum check check;
  int err;
  unsigned arg;
  unsigned n_values;
  uint32_t values[5];
};

#define ALL_PROFILES (1U << SECCOMP_PROFILE_DEFAULT | 1U << SECCOMP_PROFILE_NESTED)
#define NOT_NESTED (1U << SECCOMP_PROFILE_DEFAULT)

#define DENY(name)                                                                                                     \
  {                                                                                                                    \
    .nr = SYS_##name, .profiles = ALL_PROFILES, .check = REFUSE, .err = EPERM                                          \
  }
#define DENY_UNLESS_NESTED(name)                                                                                       \
  {                                                                                                                    \
    .nr = SYS_##name, .profiles = NOT_NESTED, .check = REFUSE, .err = EPERM                                            \
  }

static const struct rule rules[] = {
  /* Namespaces: a new user namespace hands its creator every capability over new mount, net, etc.
     namespaces, which is most of the kernel's attack surface reachable without privileges (Docker: only
     with CAP_SYS_ADMIN). Flags are clone's first argument on x86_64 and aarch64 (s390 differs).
     clone3 passes its flags in memory, which a filter cannot read: ENOSYS makes libc fall back to clone,
     where they are checked, as Docker does. setns stays refused in both profiles: it enters namespaces
     the caller did not create, and neither bwrap nor Chromium needs it. */
  { .nr = SYS_clone,
    .profiles = NOT_NESTED,
    .check = REFUSE_FLAGS,
    .err = EPERM,
    .n_values = 1,
    .values = { CLONE_NAMESPACES } },
  { .nr = SYS_unshare,
    .profiles = NOT_NESTED,
    .check = REFUSE_FLAGS,
    .err = EPERM,
    .n_values = 1,
    .values = { CLONE_NAMESPACES | CLONE_NEWTIME } },
  { .nr = SYS_clone3, .profiles = NOT_NESTED, .check = REFUSE, .err = ENOSYS },
  DENY (setns),

  /* Mounts, in the old and the new mount API, and the root switch (Docker: CAP_SYS_ADMIN; pivot_root never).
     The nested profile allows them: the kernel still wants CAP_SYS_ADMIN over the mount namespace, which a
     payload with Docker's capability set has only in namespaces it creates itself. chroot stays allowed (CAP_SYS_CHROOT
     is in Docker's set), and so do the read-only listmount and statmount. */
  DENY_UNLESS_NESTED (mount),
  DENY_UNLESS_NESTED (umount2),
  DENY_UNLESS_NESTED (pivot_root),
  DENY_UNLESS_NESTED (fsopen),
  DENY_UNLESS_NESTED (fsconfig),
  DENY_UNLESS_NESTED (fsmount),
  DENY_UNLESS_NESTED (fspick),
  DENY_UNLESS_NESTED (move_mount),
  DENY_UNLESS_NESTED (open_tree),
  DENY_UNLESS_NESTED (open_tree_attr),
  DENY_UNLESS_NESTED (mount_setattr),
  /* Host and domain name (Docker: CAP_SYS_ADMIN); bwrap --hostname sets them in its new UTS namespace. */
  DENY_UNLESS_NESTED (sethostname),
  DENY_UNLESS_NESTED (setdomainname),

  /* Kernel code: loading and unloading modules, booting another kernel, rebooting (Docker: CAP_SYS_MODULE,
     never, CAP_SYS_BOOT). */
  DENY (init_module),
  DENY (finit_module),
  DENY (delete_module),
  DENY (kexec_load),
  DENY (kexec_file_load),
  DENY (reboot),

  /* Kernel-wide state that no namespace covers: swap, the clocks (adjtimex and clock_adjtime stay allowed;
     without CAP_SYS_TIME they only read), disk quotas, process accounting into a file (Docker: never,
     CAP_SYS_TIME, CAP_SYS_ADMIN, CAP_SYS_PACCT). */
  DENY (swapon),
  DENY (swapoff),
  DENY (settimeofday),
  DENY (clock_settime),
  DENY (quotactl),
  DENY (quotactl_fd),
  DENY (acct),

  /* Keyrings: not namespaced, so keys are shared with the host's processes of the same uid (Docker: never). */
  DENY (add_key),
  DENY (request_key),
  DENY (keyctl),

  /* Large kernel attack surface with a history of container escapes: eBPF, perf events (also kernel address
     leaks), userfaultfd (stalls the kernel mid-copy, a staple of exploits) and io_uring (disabled by Google
     and ChromeOS for that reason) (Docker: CAP_BPF, CAP_PERFMON, never, never since 2023). */
  DENY (bpf),
  DENY (perf_event_open),
  DENY (userfaultfd),
  DENY (io_uring_setup),
  DENY (io_uring_enter),
  DENY (io_uring_register),

  /* File handles: open_by_handle_at opens any inode on a file system by number, past the mount and chroot
     (the "shocker" escape; Docker: CAP_DAC_READ_SEARCH). name_to_handle_at only makes handles and stays
     allowed, as in Docker since 2023. */
  DENY (open_by_handle_at),

  /* Another process's memory and files: Docker allows ptrace and process_vm_readv/writev (the kernel's ptrace
     access check guards them, and since Linux 4.8 a tracer cannot bypass seccomp) and so does this filter;
     kcmp (orders kernel pointers), pidfd_getfd (takes another process's fd) and process_madvise stay
     refused (Docker: CAP_SYS_PTRACE). */
  DENY (kcmp),
  DENY (pidfd_getfd),
  DENY (process_madvise),

  /* The kernel log (addresses, other containers' messages) and the terminal hangup of the whole tty
     (Docker: CAP_SYSLOG, CAP_SYS_TTY_CONFIG). */
  DENY (syslog),
  DENY (vhangup),

  /* NUMA memory policy and page migration: move_pages and migrate_pages act on other processes' pages
     (Docker: CAP_SYS_NICE for the policy calls, never for the migrations). */
  DENY (mbind),
  DENY (set_mempolicy),
  DENY (get_mempolicy),
  DENY (set_mempolicy_home_node),
  DENY (migrate_pages),
  DENY (move_pages),

  /* fanotify can watch whole mounts and file systems; the LSM syscalls read and change the caller's
     AppArmor/SELinux attributes (Docker: CAP_SYS_ADMIN). */
  DENY (fanotify_init),
  DENY (lsm_get_self_attr),
  DENY (lsm_set_self_attr),
  DENY (lsm_list_modules),

  /* Obsolete: oprofile's dcookies (kernel pointers, CAP_SYS_ADMIN in Docker) and the NFS server control
     removed in Linux 3.1 (Docker: never). Refused so that the answer does not depend on the host's kernel. */
  DENY (lookup_dcookie),
  DENY (nfsservctl),

  /* personality: only the values Docker allows (Linux, 32-bit uname, UNAME26 and the query 0xffffffff).
     The others turn off address space randomisation or make data executable (READ_IMPLIES_EXEC). */
  { .nr = SYS_personality,
    .profiles = ALL_PROFILES,
    .check = ALLOW_VALUES,
    .err = EPERM,
    .n_values = 5,
    .values = { PER_LINUX, PER_LINUX32, UNAME26, UNAME26 | PER_LINUX32, 0xffffffff } },

  /* Sockets: AF_VSOCK reaches the hypervisor and its agents when the host is a VM; AF_ALG is the kernel's
     crypto API, a frequent source of kernel bugs (Docker: refused since 2022). */
  { .nr = SYS_socket,
    .profiles = ALL_PROFILES,
    .check = REFUSE_VALUES,
    .err = EPERM,
    .n_values = 2,
    .values = { AF_ALG, AF_VSOCK } },

  /* Terminal input injection (see the top of the file); ioctl's request is an unsigned int. */
  { .nr = SYS_ioctl,
    .profiles = ALL_PROFILES,
    .check = REFUSE_VALUES,
    .err = EPERM,
    .arg = 1,
    .n_values = 2,
    .values = { TIOCSTI, TIOCLINUX } },

#ifdef __x86_64__
  /* I/O ports: direct access to the hardware (Docker: CAP_SYS_RAWIO). vm86 exists on i386 only, which the
     architecture check refuses as a whole. */
  DENY (ioperm),
  DENY (iopl),
  /* Obsolete x86_64 calls: a.out libraries, old file system statistics and the binary sysctl, which old
     kernels still implement, and numbers that never had an implementation (Docker: never). */
  DENY (uselib),
  DENY (ustat),
  DENY (sysfs),
  DENY (_sysctl),
  DENY (create_module),
  DENY (get_kernel_syms),
  DENY (query_module),
  DENY (getpmsg),
  DENY (putpmsg),
  DENY (afs_syscall),
  DENY (tuxcall),
  DENY (security),
  DENY (vserver),
#endif
};

struct program
{
  struct sock_filter *insns;
  size_t len, size;
};

static void
emit (struct program *p, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
  if (p->len < p->size)
    p->insns[p->len] = (struct sock_filter)BPF_JUMP (code, k, jt, jf);
  p->len++;
}

static void
emit_return (struct program *p, uint32_t action)
{
  emit (p, BPF_RET | BPF_K, action, 0, 0);
}

#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | ((uint32_t)(e)&SECCOMP_RET_DATA))

/* Instructions after the syscall-number match; each path through them ends in a return. */
static uint8_t
body_length (const struct rule *r)
{
  switch (r->check)
    {
    case REFUSE:
      return 1;
    case REFUSE_FLAGS:
      return 4;
    case REFUSE_VALUES:
    case ALLOW_VALUES:
      return (uint8_t)(r->n_values + 3);
    default:
      return 0;
    }
}

static void
emit_rule (struct program *p, const struct rule *r)
{
  uint32_t arg_low = (uint32_t)(offsetof (struct seccomp_data, args) + 8 * r->arg);
  emit (p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->nr, 0, body_length (r));
  switch (r->check)
    {
    case REFUSE:
      emit_return (p, RET_ERRNO (r->err));
      break;
    case REFUSE_FLAGS:
      emit (p, BPF_LD | BPF_W | BPF_ABS, arg_low, 0, 0);
      emit (p, BPF_JMP | BPF_JSET | BPF_K, r->values[0], 0, 1);
      emit_return (p, RET_ERRNO (r->err));
      emit_return (p, SECCOMP_RET_ALLOW);
      break;
    case REFUSE_VALUES:
    case ALLOW_VALUES:
      /* Each match jumps to the last return; falling through all of them takes the one before it. */
      emit (p, BPF_LD | BPF_W | BPF_ABS, arg_low, 0, 0);
      for (unsigned i = 0; i < r->n_values; i++)
        emit (p, BPF_JMP | BPF_JEQ | BPF_K, r->values[i], (uint8_t)(r->n_values - i), 0);
      emit_return (p, r->check == REFUSE_VALUES ? SECCOMP_RET_ALLOW : RET_ERRNO (r->err));
      emit_return (p, r->check == REFUSE_VALUES ? RET_ERRNO (r->err) : SECCOMP_RET_ALLOW);
      break;
    default:
      break;
    }
}

int
seccomp_filter_build (enum seccomp_profile profile, struct sock_filter *out, size_t size)
{
  struct program p = { .insns = out, .size = size };
  if (profile != SECCOMP_PROFILE_DEFAULT && profile != SECCOMP_PROFILE_NESTED)
    return -1;
  /* Foreign architectures first: their syscall numbers mean other calls, the table would not apply. */
  emit (&p, BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch), 0, 0);
  emit (&p, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_NATIVE, 1, 0);
  emit_return (&p, RET_ERRNO (EPERM));
  emit (&p, BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr), 0, 0);
#ifdef __x86_64__
  /* x32 calls arrive with AUDIT_ARCH_X86_64 and the x32 bit in the number. */
  emit (&p, BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1);
  emit_return (&p, RET_ERRNO (EPERM));
#endif
  /* Only the number is read outside a matched rule, so the kernel can cache "allowed" for every call the
     table does not name and skip the filter for them (Linux 5.11+). */
  for (size_t i = 0; i < N_ELEMENTS (rules); i++)
    if (rules[i].profiles & (1U << profile))
      emit_rule (&p, &rules[i]);
  emit_return (&p, SECCOMP_RET_ALLOW);
  return p.len <= size ? (int)p.len : -1;
}

int
seccomp_filter_install (enum seccomp_profile profile, int *err)
{
  struct sock_filter insns[SECCOMP_FILTER_MAX];
  int len = seccomp_filter_build (profile, insns, N_ELEMENTS (insns));
  if (len < 0)
    {
      *err = EINVAL;
      return -1;
    }
  int no_new_privs = prctl (PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  if (no_new_privs != 1)
    {
      /* With CAP_SYS_ADMIN the kernel would accept the filter anyway; the launcher's order is NNP first. */
      *err = no_new_privs < 0 ? errno : EACCES;
      return -1;
    }
  struct sock_fprog prog = { .len = (unsigned short)len, .filter = insns };
  /* SPEC_ALLOW: before Linux 5.16, a seccomp filter also switched on the speculative store bypass mitigation
     (x86 spec_store_bypass_disable=seccomp), which slows JIT-compiled code such as V8's. It guards a process
     from code in its own address space, not the host from the container, so the payload keeps the speed it
     has without the filter. Kernels before 4.17 do not know the flag (EINVAL). */
  if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &prog) == 0)
    return 0;
  if (errno == EINVAL && syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
    return 0;
  if (errno == ENOSYS && prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0) /* before Linux 3.17 */
    return 0;
  *err = errno;
  return -1;
}
