# Thin wrapper over scripts/setup, CMake presets and ctest.
#   make demo   install what is missing, build Release, run the example
#   make test   install what is missing, build with ASan+UBSan, run every test;
#               then the concurrency tests again under ThreadSanitizer; then
#               the generated-code and compile-fail tests built with clang-19
#   make bench  build Release and run the benchmarks against PMDK (emulated
#               pmem, then a smaller run on ordinary files with msync), then
#               draw build/bench/figure1.png; then the durable key-value
#               benchmark on an ordinary file (pschema, LMDB, SQLite WAL,
#               PMDK, the fdatasync floor) and build/bench/figure-disk.png
#   make package  build the Debian package build/package/pschema_<version>_<arch>.deb
#               (generator with the pool tool, runtime, headers, CMake package)
#   make crash-long  the crash tests exhaustively (every crash point, many cycles)
#   make clean  remove build/
.PHONY: demo test bench package crash-long clean setup

setup:
	@scripts/setup

# Configure once; later runs only rebuild what changed.
build/%/CMakeCache.txt: | setup
	cmake --preset $*

demo: setup build/release/CMakeCache.txt
	cmake --build --preset release --target demo
	scripts/run-demo build/release

test: setup build/asan/CMakeCache.txt build/tsan/CMakeCache.txt build/clang/CMakeCache.txt
	cmake --build --preset asan
	ctest --preset asan
	cmake --build --preset tsan --target concurrency_tests runtime_concurrency_tests
	ctest --preset tsan -L concurrency
	cmake --build --preset clang
	ctest --preset clang

bench: setup build/release/CMakeCache.txt
	cmake --preset release
	cmake --build --preset release --target pschema_bench pschema_mt_bench pschema_disk_bench
	PMEM_IS_PMEM_FORCE=1 build/release/bench/pschema_bench
	PMEM_IS_PMEM_FORCE=0 build/release/bench/pschema_bench --storage msync --n 1000
	scripts/plot-bench build/bench/results.csv build/bench/figure1.png
	PMEM_IS_PMEM_FORCE=1 build/release/bench/pschema_mt_bench
	PMEM_IS_PMEM_FORCE=0 build/release/bench/pschema_disk_bench
	scripts/plot-bench-disk build/bench/results-disk.csv build/bench/figure-disk.png

package: setup build/package/CMakeCache.txt
	cmake --build --preset package --target package
	@ls build/package/pschema_*.deb

crash-long: setup build/asan/CMakeCache.txt
	cmake --build --preset asan
	PSCHEMA_SIM_EXHAUSTIVE=1 PSCHEMA_CRASH_CYCLES=2000 ctest --preset asan -L crash --timeout 7200

clean:
	rm -rf build
