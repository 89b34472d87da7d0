/* Small helpers shared by the launcher's files: cleanup attributes in the bwrap/crun style. */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef TEMP_FAILURE_RETRY
#define TEMP_FAILURE_RETRY(expr)                                                                                       \
  ({                                                                                                                   \
    long _r;                                                                                                           \
    do                                                                                                                 \
      _r = (long)(expr);                                                                                               \
    while (_r == -1L && errno == EINTR);                                                                               \
    _r;                                                                                                                \
  })
#endif

static inline void
cleanup_freep (void *p)
{
  free (*(void **)p);
}

static inline void
cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))
#define cleanup_fd __attribute__ ((cleanup (cleanup_closep)))

/* Hand ownership out of a cleanup variable (bwrap's steal_pointer, type-checked by __typeof__). */
#define steal_pointer(pp)                                                                                              \
  ({                                                                                                                   \
    __typeof__ (*(pp)) _p = *(pp);                                                                                     \
    *(pp) = NULL;                                                                                                      \
    _p;                                                                                                                \
  })
#define steal_fd(fdp)                                                                                                  \
  ({                                                                                                                   \
    int _fd = *(fdp);                                                                                                  \
    *(fdp) = -1;                                                                                                       \
    _fd;                                                                                                               \
  })

#define N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))

/* Exit code of the launcher when it could not set the container up (as docker run's 125). */
#define EXIT_SETUP_FAILED 125
