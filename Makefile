# The two commands: `make run` and `make test`. Both install what is missing
# (apt), configure and build; then run the main example or the whole suite.
BUILD ?= build
JOBS  ?= $(shell nproc)

.PHONY: run test build deps bench clean

run: build
	$(BUILD)/flowc check examples/hello.flow
	$(BUILD)/flowc build examples/hello.flow --summary

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

deps:
	@scripts/install-deps.sh

bench: build
	bench/compile/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
