// Pools with fixed, deterministic content, written with the code generated
// from the example schemas: the goldens of `pschema pool info/dump/check`
// are taken from them, and the tests damage copies of them on purpose.
// The allocator is deterministic, so the same calls give the same bytes
// (apart from the UUID and creation time) on every run.
#pragma once

#include <string>

namespace sample_pools {

// Each writes one pool at `path` (which must not exist).
void make_bank(const std::string& path);        // schemas/bank.pschema: accounts, strings, histories
void make_containers(const std::string& path);  // every map key kind, multi-level maps, vecs, boxes
void make_everything(const std::string& path);  // every field kind (imports units.pschema)
void make_graphs(const std::string& path);      // rc, rc? and weak sharing one object
void make_list(const std::string& path, int nodes);  // the sorted list: a chain of box<Node>?
// A list pool as a crash of the file engine leaves it: `path` holds the
// first `in_file` nodes (checkpointed), `path`.wal commits `in_log` more
// that are not yet in the pool file.
void make_pending_list(const std::string& path, int in_file, int in_log);

// Writes all of the above into `directory` under fixed names.
void make_all(const std::string& directory);

}  // namespace sample_pools
