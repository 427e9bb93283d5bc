# The two commands: `make run` and `make test`. Both install what is missing
# (apt), configure and build; then run the main example or the whole suite.
BUILD ?= build
# The sanitizer build (clang, ASan + UBSan, libFuzzer): `make test` builds it
# too, and $(BUILD)'s ctest runs its tests (asan: ..., fuzz.*) with the rest.
ASAN  ?= $(BUILD)-asan
JOBS  ?= $(shell nproc)
FUZZ_TIME ?= 600

.PHONY: run test build sanitize fuzz flowc deps bench clean

run: flowc
	$(BUILD)/flowc run examples/hello.flow
	@cat flow-out/greeting/*

test: build sanitize
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Everything (tests and benchmarks too).
build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Only the flowc command.
flowc: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target flowc

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLOWC_SANITIZER_BUILD=$(abspath $(ASAN))

# -O1 with assertions on: fast enough to fuzz, and nlohmann's and the
# standard library's own checks stay in; line tables only (enough for the
# sanitizers' stack traces), which builds and links much faster than -g.
sanitize: deps $(ASAN)/build.ninja
	cmake --build $(ASAN) -j $(JOBS)

$(ASAN)/build.ninja:
	cmake -S . -B $(ASAN) -G Ninja -DFLOWC_SANITIZE=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only"

# Each fuzz target for FUZZ_TIME seconds (tests/fuzz/run.sh; `make test`
# runs them for 20 s each).
fuzz: sanitize
	tests/fuzz/run.sh $(ASAN) $(FUZZ_TIME)

deps:
	@scripts/install-deps.sh

# The benchmarks in bench/, never part of `make test`: each folder's run.sh
# installs the peers it compares with (scripts/install-deps.sh bench), builds
# what it needs, and prints its figures beside the peers'.
bench: deps $(BUILD)/build.ninja
	bench/compile/run.sh $(BUILD)
	bench/local/run.sh $(BUILD)
	bench/spawn/run.sh $(BUILD)
	bench/container/run.sh $(BUILD)
	bench/slurm/run.sh $(BUILD)
	bench/lsp/run.sh $(BUILD)
	bench/stream/run.sh $(BUILD)
	bench/table/run.sh $(BUILD)
	bench/pipelines/run.sh $(BUILD)
	bench/report/run.sh $(BUILD)
	bench/serve/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN)
