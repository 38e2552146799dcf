// SQLite (Debian's libsqlite3, 3.40) in pschema_disk_bench, in WAL mode
// with synchronous=FULL (system sqlite-full: every commit fdatasyncs the
// WAL) or synchronous=NORMAL (sqlite-normal: commits only write the WAL;
// it is synced at checkpoints, so a power failure may lose the last
// commits but a crash of the program loses none). Table
// kv(k INTEGER PRIMARY KEY, v INTEGER): the key is the rowid; u64 keys and
// values are stored as the i64 of the same bits. Prepared statements;
// every put transaction is BEGIN IMMEDIATE, one INSERT per put, COMMIT.
// Every writer (thread) has its own connection with a busy timeout: WAL
// admits one writer at a time, the others wait for its lock. Gets: one
// read transaction (BEGIN .. COMMIT) per batch. Default page cache and
// WAL auto-checkpoint (1000 pages), as an application would have them.
#include <sqlite3.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "disk_store.hpp"

namespace disk {

namespace {

constexpr int busy_timeout_ms = 10'000;

class Connection {
 public:
  Connection(const std::string& path, bool create, bool full) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("sqlite: cannot open " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    // WAL is a property of the database file (it stays), synchronous one
    // of the connection: both set on every connection.
    sqlite3_stmt* mode = prepare("PRAGMA journal_mode=WAL");
    if (sqlite3_step(mode) != SQLITE_ROW ||
        std::string(reinterpret_cast<const char*>(sqlite3_column_text(mode, 0))) != "wal") {
      sqlite3_finalize(mode);
      fail("PRAGMA journal_mode=WAL did not switch to WAL");
    }
    sqlite3_finalize(mode);
    exec(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  }
  ~Connection() { sqlite3_close(db_); }  // every statement is finalized by its owner first
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      fail(std::string("cannot prepare ") + sql);
    }
    return stmt;
  }
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  // Runs a statement that returns no row, then resets it.
  void run(sqlite3_stmt* stmt) {
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) fail(sqlite3_sql(stmt));
  }
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("sqlite: " + what + ": " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_ = nullptr;
};

// Owns prepared statements of one connection.
class Statements {
 public:
  explicit Statements(Connection& c) : c_(c) {}
  ~Statements() {
    for (sqlite3_stmt* s : owned_) sqlite3_finalize(s);
  }
  Statements(const Statements&) = delete;
  Statements& operator=(const Statements&) = delete;
  sqlite3_stmt* add(const char* sql) { return owned_.emplace_back(c_.prepare(sql)); }

 private:
  Connection& c_;
  std::vector<sqlite3_stmt*> owned_;
};

std::int64_t as_i64(std::uint64_t v) { return std::bit_cast<std::int64_t>(v); }

class SqliteWriter final : public Writer {
 public:
  SqliteWriter(const std::string& path, bool full)
      : db_(path, false, full),
        statements_(db_),
        begin_(statements_.add("BEGIN IMMEDIATE")),
        insert_(statements_.add("INSERT INTO kv(k, v) VALUES (?1, ?2)")),
        commit_(statements_.add("COMMIT")),
        rollback_(statements_.add("ROLLBACK")) {}

  void put(std::span<const std::uint64_t> keys, std::span<const std::uint64_t> values) override {
    db_.run(begin_);
    try {
      for (std::size_t i = 0; i < keys.size(); ++i) {
        sqlite3_bind_int64(insert_, 1, as_i64(keys[i]));
        sqlite3_bind_int64(insert_, 2, as_i64(values[i]));
        db_.run(insert_);
      }
      db_.run(commit_);
    } catch (...) {
      sqlite3_step(rollback_);
      sqlite3_reset(rollback_);
      throw;
    }
  }

 private:
  Connection db_;
  Statements statements_;
  sqlite3_stmt* begin_;
  sqlite3_stmt* insert_;
  sqlite3_stmt* commit_;
  sqlite3_stmt* rollback_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const StoreSpec& spec, bool create, bool full)
      : path_(spec.dir + "/kv.db"),
        full_(full),
        db_(make_schema(path_, create, full), false, full),
        statements_(db_),
        select_(statements_.add("SELECT v FROM kv WHERE k = ?1")),
        count_(statements_.add("SELECT count(*) FROM kv")),
        begin_(statements_.add("BEGIN")),
        commit_(statements_.add("COMMIT")) {}

  std::unique_ptr<Writer> writer() override { return std::make_unique<SqliteWriter>(path_, full_); }

  void begin_gets() override { db_.run(begin_); }
  void end_gets() override { db_.run(commit_); }

  std::optional<std::uint64_t> get(std::uint64_t key) override {
    sqlite3_bind_int64(select_, 1, as_i64(key));
    const int rc = sqlite3_step(select_);
    std::optional<std::uint64_t> value;
    if (rc == SQLITE_ROW) value = std::bit_cast<std::uint64_t>(sqlite3_column_int64(select_, 0));
    sqlite3_reset(select_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) db_.fail("SELECT");
    return value;
  }

  std::uint64_t count() override {
    const int rc = sqlite3_step(count_);
    const std::int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(count_, 0) : -1;
    sqlite3_reset(count_);
    if (rc != SQLITE_ROW) db_.fail("SELECT count(*)");
    return static_cast<std::uint64_t>(n);
  }

 private:
  // The connection, with the table made first on a new database.
  static const std::string& make_schema(const std::string& path, bool create, bool full) {
    if (create) {
      Connection c(path, true, full);
      c.exec("CREATE TABLE kv(k INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
    }
    return path;
  }

  std::string path_;
  bool full_;
  Connection db_;
  Statements statements_;
  sqlite3_stmt* select_;
  sqlite3_stmt* count_;
  sqlite3_stmt* begin_;
  sqlite3_stmt* commit_;
};

}  // namespace

System sqlite_system(bool full) {
  return {full ? "sqlite-full" : "sqlite-normal",
          [full](const StoreSpec& s) { return std::make_unique<SqliteStore>(s, true, full); },
          [full](const StoreSpec& s) { return std::make_unique<SqliteStore>(s, false, full); }, ""};
}

}  // namespace disk
