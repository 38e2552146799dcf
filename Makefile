# Thin wrapper over scripts/setup, CMake presets and ctest.
#   make demo   install what is missing, build Release, run the example
#   make test   install what is missing, build with ASan+UBSan, run every test
#   make bench  build Release and run the benchmarks against PMDK
#   make clean  remove build/
.PHONY: demo test bench clean setup

setup:
	@scripts/setup

# Configure once; later runs only rebuild what changed.
build/%/CMakeCache.txt: | setup
	cmake --preset $*

demo: setup build/release/CMakeCache.txt
	cmake --build --preset release --target demo
	scripts/run-demo build/release

test: setup build/asan/CMakeCache.txt
	cmake --build --preset asan
	ctest --preset asan

bench: setup build/release/CMakeCache.txt
	@echo "bench: not yet (the benchmark issue adds it)"

clean:
	rm -rf build
