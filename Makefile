# Thin wrapper over CMake for everyday use; CMakeLists.txt is the build.
#   make            build (build/)
#   make demo       the main job: a forecast with the shipped default model, and its plot
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
	./$(BUILD)/joulecast predict --arch resnet50 --gpu 'RTX 3090' --image 128 --samples 23807 --batch 32 \
	    --epochs 30 --gpus 4 --servers 1000 --price 0.25 --plot out/forecast.png
	./$(BUILD)/joulecast analyze tests/data/seaa2023/mobilenet_v2-run0.csv --plot out/demo.svg >/dev/null
	@echo "plots: out/forecast.png (the forecast) out/demo.svg (a real trace analysed)"

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
