// The results: one row per workload, op and system; printed as a table
// (pschema against PMDK side by side) and written as results.csv.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "pschema/counters.hpp"

namespace harness {

struct Result {
  std::string workload;          // bst, bst-seq, kvstore, btree
  std::string op;                // INS, CHK (bst, btree), PUT, GET (kvstore), RAND, REM (btree)
  std::string system;            // pschema, pmdk, volatile, pschema-map (btree only)
  std::size_t n = 0;             // operations per run
  std::vector<double> samples;   // ms of each run
  double ms = 0;                 // their median
  // pschema and pschema-map only: runtime counters of one run, per operation.
  std::optional<double> fences_per_op;
  std::optional<double> bytes_logged_per_op;
};

// A row from the runs of one phase: the median of `samples`, and the
// counters of one run (pschema only) per operation.
Result summarise(std::string workload, std::string op, std::string_view system, std::size_t n,
                 const std::vector<double>& samples, const std::optional<pschema::Counters>& counters);

// workload | op | n | pschema ms | PMDK ms | PMDK/pschema | volatile ms | pschema-map ms | fences/op |
// logged B/op | map fences/op (pschema-map's; a system that did not run the workload shows '-')
void print_table(std::ostream& out, const std::vector<Result>& results);
// The header `workload,op,system,n,ms,ns_per_op`, then one line per result
// (ms is the median), into `file`. Creates its directory if needed; throws on failure.
void write_csv(const std::string& file, const std::vector<Result>& results);

}  // namespace harness
