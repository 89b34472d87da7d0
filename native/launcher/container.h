/* The container side: init (pid 1) and the payload it starts. */
#pragma once

#include "plan.h"

/* Entry of the cloned child. Waits for `release_fd` (id maps and cgroup done by the launcher), builds the
   container, runs the payload under a reaping init and reports on `report` (never returns). */
__attribute__ ((noreturn)) void container_main (const struct plan *plan, int release_fd, int report);
