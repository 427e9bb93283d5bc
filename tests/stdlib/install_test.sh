#!/bin/sh
# Installs flowc into a temporary prefix (with a space in it) and uses the
# installed flowc from a project outside the source tree: a workflow that
# imports std/files.flow, one that imports std/stream.flow (streams run
# through the installed flowc's stream-bridge), `flowc doc`, and a user
# library found through FLOW_PATH and through --lib. Then it removes the
# installed std/files.flow and expects the import to fail: an installed
# flowc must not fall back on the source tree.
#   install_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
source_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/pre fix"

fail() { echo "install_test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" > "$tmp/install.log" || { cat "$tmp/install.log"; fail "cmake --install failed"; }
for f in bin/flowc bin/flowc-stream-tool share/flowc/lib/std/files.flow share/flowc/lib/std/stream.flow \
         include/flowc/flowc_stream.hpp; do
    [ -e "$prefix/$f" ] || fail "the install has no $f"
done
flowc="$prefix/bin/flowc"

# A user's native stream command compiles against the installed header alone
# (the runtime owns it: runtime/streams/flowc_stream.hpp).
printf '#include <flowc/flowc_stream.hpp>\nint main() { return flowc_stream::default_hwm() > 0 ? 0 : 1; }\n' > "$tmp/native.cpp"
${CXX:-c++} -std=c++20 -fsyntax-only -I"$prefix/include" "$tmp/native.cpp" || fail "include/flowc/flowc_stream.hpp does not compile on its own"

project="$tmp/project"
mkdir -p "$project"
cd "$project"
case "$(pwd -P)" in "$source_dir"*) fail "the project is inside the source tree" ;; esac

printf 'one\ntwo\nthree\nfour\nfive\n' > words.txt
cat > files.flow <<'FLOW'
import "std/files.flow"
workflow main(f: file) -> (chunks: list[file], back: file, digest: str) {
    s = split_lines(f = f, n = 2)
    c = concat_files(parts = s.chunks)
    d = sha256_file(f = c.all)
    return (chunks = s.chunks, back = c.all, digest = d.digest)
}
FLOW
"$flowc" run files.flow -p f=words.txt > run.log 2>&1 || { cat run.log; fail "the std/files.flow workflow failed"; }
cmp -s words.txt flow-out/back/concat.txt || fail "split_lines + concat_files did not give the file back"
[ "$(cat flow-out/chunks/0/chunk_000000)" = "$(printf 'one\ntwo\nthree')" ] || fail "the first chunk is wrong"
grep -q "\"digest\": \"$(sha256sum < words.txt | cut -d' ' -f1)\"" flow-out/outputs.json || fail "wrong digest"

cat > stream.flow <<'FLOW'
import "std/stream.flow"
workflow main(f: file) -> (n: int, copy: file) {
    s = file_to_stream(f = f)
    n = count_messages(lines = s.lines)
    w = stream_to_file(lines = s.lines)
    return (n = n.n, copy = w.out)
}
FLOW
"$flowc" run stream.flow -p f=words.txt -o stream-out > run.log 2>&1 || { cat run.log; fail "the std/stream.flow workflow failed"; }
grep -q '"n": 5' stream-out/outputs.json || fail "count_messages did not count 5"
cmp -s words.txt stream-out/copy/stream.txt || fail "stream_to_file did not copy the stream"

"$flowc" doc std/files.flow | grep -q '^op gzip_file(f: file, level: int = 6)' || fail "flowc doc std/files.flow"

# A user library, outside the project, through FLOW_PATH and through --lib.
mkdir -p "$tmp/libs one/tools" "$tmp/libs two/tools"
cat > "$tmp/libs one/tools/greet.flow" <<'FLOW'
/// Greets from the first library.
op greet(name: str) -> (msg: file) { run "echo one ${name} > ${msg}" }
FLOW
cat > "$tmp/libs two/tools/greet.flow" <<'FLOW'
/// Greets from the second library.
op greet(name: str) -> (msg: file) { run "echo two ${name} > ${msg}" }
FLOW
cat > greet.flow <<'FLOW'
import "tools/greet.flow"
workflow main() -> (msg: file) {
    g = greet(name = "Ada")
    return (msg = g.msg)
}
FLOW
FLOW_PATH="/nonexistent:$tmp/libs one" "$flowc" run greet.flow -o flow-path-out > run.log 2>&1 || { cat run.log; fail "FLOW_PATH"; }
[ "$(cat flow-path-out/msg/msg)" = "one Ada" ] || fail "FLOW_PATH did not find the first library"
"$flowc" run greet.flow --lib "$tmp/libs two" -o lib-out > run.log 2>&1 || { cat run.log; fail "--lib"; }
[ "$(cat lib-out/msg/msg)" = "two Ada" ] || fail "--lib did not find the second library"
FLOW_PATH="$tmp/libs one" "$flowc" run greet.flow --lib "$tmp/libs two" -o both-out > run.log 2>&1 || { cat run.log; fail "both"; }
[ "$(cat both-out/msg/msg)" = "two Ada" ] || fail "--lib must come before FLOW_PATH"
if "$flowc" check greet.flow > check.log 2>&1; then fail "an import found without any library folder"; fi
grep -q 'looked in: .*share/flowc/lib/tools/greet.flow' check.log || { cat check.log; fail "the not-found import does not say where it looked"; }

# The installed library is the one used: without it, the import fails.
rm "$prefix/share/flowc/lib/std/files.flow"
if "$flowc" check files.flow > check.log 2>&1; then fail "std/files.flow was found without the installed copy"; fi
grep -q 'std/files.flow' check.log || { cat check.log; fail "the error does not name the import"; }
echo "install_test: ok"
