# The two commands: `make run` and `make test`. Both install what is missing
# (apt), configure and build; then run the main example or the whole suite.
BUILD ?= build
JOBS  ?= $(shell nproc)

.PHONY: run test build flowc deps bench clean

run: flowc
	$(BUILD)/flowc run examples/hello.flow
	@cat flow-out/greeting/*

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Everything (tests and benchmarks too).
build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Only the flowc command.
flowc: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target flowc

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

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
	rm -rf $(BUILD)
