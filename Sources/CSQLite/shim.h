#include <sqlite3.h>

/// Turns off SQLite's global memory statistics (and the mutex every allocation takes for
/// them); must run before the first connection opens. `sqlite3_config` is variadic, which
/// Swift cannot call directly.
static inline int mailflow_sqlite_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
