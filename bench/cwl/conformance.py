#!/usr/bin/python3
"""Runs CWL conformance tests (the format of common-workflow-language's
conformance_tests.yaml) through a cwl-runner and compares its outputs the way
cwltest does: File and Directory objects by location suffix, checksum, size,
basename, listing and secondary files; the string "Any" matches anything; a
key the expected output lacks must be null. Prints pass/fail/unsupported per
tag and the wall time. Our own harness (no cwltest), standard library plus
PyYAML.

  conformance.py --runner 'flowc cwl-runner' --tests SUITE/conformance_tests.yaml \
      [-j 2] [--exclude-tags docker,networkaccess] [--tags required] [--show-failures] [--json out.json]
"""
import argparse
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

import yaml


def load_tests(path):
    """The tests of an index file, with $import'ed index files expanded;
    tool and job paths made absolute."""
    base = os.path.dirname(os.path.abspath(path))
    with open(path) as f:
        entries = yaml.safe_load(f) or []
    tests = []
    for e in entries:
        if "$import" in e:
            tests += load_tests(os.path.join(base, e["$import"]))
            continue
        t = dict(e)
        for key in ("tool", "job"):
            if t.get(key):
                t[key] = os.path.join(base, t[key])
        out = t.get("output")
        if isinstance(out, dict) and list(out) == ["$import"]:
            with open(os.path.join(base, out["$import"])) as f:
                t["output"] = yaml.safe_load(f)
        tests.append(t)
    return tests


class CompareFail(Exception):
    pass


def compare_location(expected, actual):
    comp = "path" if "path" in expected else "location"
    if comp == "path" and "location" not in actual:
        actual["location"] = actual.get("path")
    if expected.get(comp) == "Any":
        return
    got = actual.get(comp if comp in actual else "location")
    if got is None:
        raise CompareFail("no %s in %s" % (comp, json.dumps(actual)))
    want = expected[comp]
    if not (got.endswith("/" + want) or ("/" not in got and got == want)):
        raise CompareFail("%s %r does not end with %r" % (comp, got, want))


def compare_file(expected, actual):
    if "location" in expected or "path" in expected:
        compare_location(expected, actual)
    for key in ("checksum", "size", "contents"):
        if key in expected and expected[key] != "Any":
            if actual.get(key) != expected[key]:
                raise CompareFail("%s: expected %r, found %r" % (key, expected[key], actual.get(key)))
    skip = {"path", "location", "listing", "contents", "checksum", "size"}
    for key in expected:
        if key in skip:
            continue
        compare(expected[key], actual.get(key))
    if "listing" in expected:
        compare_listing(expected["listing"], actual.get("listing"))


def compare_listing(expected, actual):
    """A folder's listing, as cwltest compares it: in any order, each
    expected item matched by one of the actual items (a listing's order is
    the file system's, which no runner is asked to sort)."""
    if not isinstance(actual, list):
        raise CompareFail("expected a listing, found %s" % json.dumps(actual)[:200])
    if len(expected) != len(actual):
        raise CompareFail("expected %d items in the listing, found %d" % (len(expected), len(actual)))
    for e in expected:
        reasons = []
        for a in actual:
            try:
                compare(e, a)
                break
            except CompareFail as why:
                reasons.append(str(why))
        else:
            raise CompareFail("no item of the listing matches %s (%s)" % (json.dumps(e)[:200], "; ".join(reasons)[:400]))


def compare(expected, actual):
    if expected == "Any":
        return
    if expected is not None and actual is None:
        raise CompareFail("expected %s, found null" % json.dumps(expected)[:200])
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise CompareFail("expected an object, found %s" % json.dumps(actual)[:200])
        if expected.get("class") in ("File", "Directory"):
            compare_file(expected, actual)
            return
        for key in expected:
            compare(expected[key], actual.get(key))
        for key in set(actual) - set(expected):
            if actual[key] is not None:
                raise CompareFail("unexpected key %r" % key)
    elif isinstance(expected, list):
        if not isinstance(actual, list):
            raise CompareFail("expected a list, found %s" % json.dumps(actual)[:200])
        if len(expected) != len(actual):
            raise CompareFail("expected %d items, found %d" % (len(expected), len(actual)))
        for e, a in zip(expected, actual):
            compare(e, a)
    else:
        if isinstance(expected, float) or isinstance(actual, float):
            if not isinstance(actual, (int, float)) or isinstance(actual, bool) or abs(expected - actual) > 1e-9 * max(1, abs(expected)):
                raise CompareFail("expected %r, found %r" % (expected, actual))
        elif expected != actual:
            raise CompareFail("expected %r, found %r" % (expected, actual))


def run_one(runner, test, timeout):
    with tempfile.TemporaryDirectory(prefix="cwltest-") as outdir:
        cmd = shlex.split(runner) + ["--outdir", outdir, test["tool"]]
        if test.get("job"):
            cmd.append(test["job"])
        started = time.time()
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                               cwd=os.path.dirname(test["tool"]))
        except subprocess.TimeoutExpired:
            return "fail", "timed out after %d s" % timeout, time.time() - started
        took = time.time() - started
        should_fail = test.get("should_fail", False)
        if p.returncode == 33:
            return "unsupported", p.stderr.decode(errors="replace")[-2000:], took
        if p.returncode != 0:
            if should_fail:
                return "pass", "", took
            return "fail", "exit %d\n%s" % (p.returncode, p.stderr.decode(errors="replace")[-3000:]), took
        if should_fail:
            return "fail", "should have failed, but succeeded", took
        try:
            actual = json.loads(p.stdout.decode() or "null")
        except ValueError as e:
            return "fail", "output is not JSON: %s\n%s" % (e, p.stdout.decode(errors="replace")[:1000]), took
        try:
            compare(test.get("output", {}), actual)
        except CompareFail as e:
            return "fail", "%s\nexpected: %s\nactual: %s" % (e, json.dumps(test.get("output"))[:1500],
                                                            json.dumps(actual)[:1500]), took
        return "pass", "", took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--tests", required=True)
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--tags", default="")
    ap.add_argument("--exclude-tags", default="docker,networkaccess")
    ap.add_argument("--only", default="", help="comma-separated test ids")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--show-failures", action="store_true")
    ap.add_argument("--json", default="")
    ap.add_argument("--require-all", action="store_true", help="exit 1 unless every test passed (for ctest)")
    a = ap.parse_args()
    tests = load_tests(a.tests)
    exclude = set(filter(None, a.exclude_tags.split(",")))
    include = set(filter(None, a.tags.split(",")))
    only = set(filter(None, a.only.split(",")))
    tests = [t for t in tests if not (exclude & set(t.get("tags", [])))]
    if include:
        tests = [t for t in tests if include & set(t.get("tags", []))]
    if only:
        tests = [t for t in tests if t.get("id") in only]
    started = time.time()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as pool:
        futures = {pool.submit(run_one, a.runner, t, a.timeout): t for t in tests}
        for f in concurrent.futures.as_completed(futures):
            t = futures[f]
            results[t.get("id", t["tool"])] = (f.result(), t)
    wall = time.time() - started
    per_tag = {}
    totals = {"pass": 0, "fail": 0, "unsupported": 0}
    for (status, why, took), t in results.values():
        totals[status] += 1
        for tag in t.get("tags", []):
            per_tag.setdefault(tag, {"pass": 0, "fail": 0, "unsupported": 0})[status] += 1
    print("runner: %s" % a.runner)
    print("%-28s %6s %6s %12s" % ("tag", "pass", "fail", "unsupported"))
    for tag in sorted(per_tag):
        c = per_tag[tag]
        print("%-28s %6d %6d %12d" % (tag, c["pass"], c["fail"], c["unsupported"]))
    n = len(results)
    print("total: %d tests, %d passed (%.1f%%), %d failed, %d unsupported; wall %.1f s with -j %d" %
          (n, totals["pass"], 100.0 * totals["pass"] / max(1, n), totals["fail"], totals["unsupported"], wall, a.j))
    if a.show_failures:
        for key in sorted(results):
            (status, why, took), t = results[key]
            if status != "pass":
                print("\n--- %s %s (%s)\n%s" % (status.upper(), key, t.get("tool"), why))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({k: {"status": v[0][0], "why": v[0][1], "seconds": v[0][2], "tags": v[1].get("tags", [])}
                       for k, v in results.items()}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
