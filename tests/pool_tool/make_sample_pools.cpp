// Writes the sample pools the pool tool's golden tests read:
//   make_sample_pools DIR
#include <exception>
#include <iostream>

#include "sample_pools.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_sample_pools DIR\n";
    return 2;
  }
  try {
    sample_pools::make_all(argv[1]);
  } catch (const std::exception& e) {
    std::cerr << "make_sample_pools: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
