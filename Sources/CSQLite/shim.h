#ifndef SHOPTALK_CSQLITE_SHIM_H
#define SHOPTALK_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT is a cast macro Swift cannot import; this exposes it as a function.
static inline sqlite3_destructor_type shoptalk_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// sqlite3_config is variadic; the wrapper fixes the one form used.
static inline int shoptalk_sqlite_db_config_defensive(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0);
}

#endif
