#include "bst_systems.hpp"

#include <stdexcept>
#include <vector>

namespace harness {

PschemaBst::PschemaBst() : file_("pschema"), pool_(bench::Bst::create(file_.path(), pool_size, pool_options())) {
  // Default options, as a user would open it (unless --backend file): the
  // backend follows libpmem's is-pmem answer, which must be the one the
  // storage mode measures.
  require_backend(pool_.pool().info().backend, file_.path());
}

void PschemaBst::for_each(const Visit& visit) const {
  pool_.read([&](const bench::Bst::Snapshot& snapshot) {
    // Iterative in-order walk: a sequential-key tree is a chain as deep as it is long.
    std::vector<bench::Node::View> stack;
    std::optional<bench::Node::View> node = snapshot.root().root();
    while (node || !stack.empty()) {
      if (node) {
        stack.push_back(*node);
        pschema::rebind(node, node->left());
      } else {
        const bench::Node::View here = stack.back();
        stack.pop_back();
        if (!visit(here.key(), here.value())) return;
        pschema::rebind(node, here.right());
      }
    }
  });
}

PmdkBst::PmdkBst() : file_("pmdk"), tree_(bst_pmdk_create(file_.path().c_str(), pool_size)) {
  if (tree_ == nullptr) {
    throw std::runtime_error("cannot create the PMDK pool " + file_.path() + ": " + bst_pmdk_errormsg());
  }
}

void PmdkBst::insert(std::int64_t key, std::string_view value) {
  if (bst_pmdk_insert(tree_, key, value.data(), value.size()) != 0) {
    throw std::runtime_error("PMDK insert of key " + std::to_string(key) + " failed: " + bst_pmdk_errormsg());
  }
}

void PmdkBst::for_each(const Visit& visit) const {
  auto trampoline = [](std::int64_t key, const char* value, std::size_t len, void* arg) -> int {
    return (*static_cast<const Visit*>(arg))(key, std::string_view(value, len)) ? 0 : 1;
  };
  if (bst_pmdk_foreach(tree_, trampoline, const_cast<Visit*>(&visit)) < 0) {
    throw std::runtime_error("PMDK walk: out of memory");
  }
}

}  // namespace harness
