# Thin wrapper over CMake for everyday use; CMakeLists.txt is the build.
#   make            build (build/)
#   make demo       the main job on the shipped data: analyse a real trace, plot it
#   make check      every test, then again under AddressSanitizer + UBSan
#   make bench      the benchmarks that print the issue's figures
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all build demo check test test-asan bench clean

all: build

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@mkdir -p out
	./$(BUILD)/joulecast analyze tests/data/seaa2023/mobilenet_v2-run0.csv --plot out/demo.svg
	./$(BUILD)/joulecast analyze tests/data/seaa2023/mobilenet_v2-run0.csv --plot out/demo.png >/dev/null
	@echo "plots: out/demo.svg out/demo.png"

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DJC_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

check: test test-asan

bench: build
	./$(BUILD)/bench/bench_seaa

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) out
