// SQLite 3 (the embedded vector store).
#include <sqlite3.h>
