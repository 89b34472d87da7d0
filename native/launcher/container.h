/* The container side: init (pid 1) and the payload it starts. */
#pragma once

#include "plan.h"

/* Entry of the cloned child. `messages` is its end of the SOCK_SEQPACKET pair with the launcher: release bytes come
   in (id maps written, cgroup joined), status messages go out. Builds the container, runs the payload under a
   reaping init and reports how it ended (never returns). */
__attribute__ ((noreturn)) void container_main (const struct plan *plan, int messages);
