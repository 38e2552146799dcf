#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "stats.hpp"

namespace harness {
namespace {

const Result* find(const std::vector<Result>& results, const Result& like, std::string_view system) {
  for (const Result& r : results) {
    if (r.workload == like.workload && r.op == like.op && r.system == system) return &r;
  }
  return nullptr;
}

std::string format(const char* spec, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, spec, value);
  return buffer;
}

std::string ms_or_dash(const Result* r) { return r ? format("%.2f", r->ms) : "-"; }

}  // namespace

void print_table(std::ostream& out, const std::vector<Result>& results) {
  const std::vector<std::string> header = {
      "workload",       "op",        "n",           "pschema ms",   "PMDK ms", "PMDK/pschema", "volatile ms",
      "pschema-map ms", "fences/op", "logged B/op", "map fences/op"};
  std::vector<std::vector<std::string>> rows;
  for (const Result& r : results) {
    if (r.system != "pschema") continue;
    const Result* pmdk = find(results, r, "pmdk");
    const Result* dram = find(results, r, "volatile");
    const Result* map = find(results, r, "pschema-map");
    rows.push_back({r.workload, r.op, std::to_string(r.n), ms_or_dash(&r), ms_or_dash(pmdk),
                    pmdk && r.ms > 0 ? format("%.2fx", pmdk->ms / r.ms) : "-", ms_or_dash(dram), ms_or_dash(map),
                    r.fences_per_op ? format("%.2f", *r.fences_per_op) : "-",
                    r.bytes_logged_per_op ? format("%.1f", *r.bytes_logged_per_op) : "-",
                    map && map->fences_per_op ? format("%.2f", *map->fences_per_op) : "-"});
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::size_t pad = width[c] - cells[c].size();
      // Text columns left-aligned, numbers right-aligned.
      if (c < 2) {
        out << cells[c] << std::string(pad, ' ');
      } else {
        out << std::string(pad, ' ') << cells[c];
      }
      out << (c + 1 < cells.size() ? "  " : "\n");
    }
  };
  line(header);
  std::size_t total = 0;
  for (const std::size_t w : width) total += w + 2;
  out << std::string(total - 2, '-') << "\n";
  for (const auto& row : rows) line(row);
}

void write_csv(const std::string& file, const std::vector<Result>& results) {
  const std::filesystem::path path = file;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream csv(path);
  if (!csv) throw std::runtime_error("cannot write " + path.string());
  csv << "workload,op,system,n,ms,ns_per_op\n";
  for (const Result& r : results) {
    csv << r.workload << ',' << r.op << ',' << r.system << ',' << r.n << ',' << format("%.3f", r.ms) << ','
        << format("%.1f", r.n ? r.ms * 1e6 / static_cast<double>(r.n) : 0.0) << '\n';
  }
  csv.close();
  if (!csv) throw std::runtime_error("cannot write " + path.string());
}

Result summarise(std::string workload, std::string op, std::string_view system, std::size_t n,
                 const std::vector<double>& samples, const std::optional<pschema::Counters>& counters) {
  Result r;
  r.workload = std::move(workload);
  r.op = std::move(op);
  r.system = std::string(system);
  r.n = n;
  r.samples = samples;
  r.ms = median(samples);
  if (counters && n > 0) {
    r.fences_per_op = static_cast<double>(counters->fences) / static_cast<double>(n);
    r.bytes_logged_per_op = static_cast<double>(counters->bytes_logged) / static_cast<double>(n);
  }
  return r;
}

}  // namespace harness
