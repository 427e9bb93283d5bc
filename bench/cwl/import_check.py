#!/usr/bin/python3
"""Imports every process of the CWL conformance suite with `flowc import-cwl`
and checks each .flow file it writes with `flowc check`. Prints how many
were written and passed the check, how many failed it (a defect of
import-cwl: each is listed), and how many were refused, by construct.

  import_check.py --flowc build/flowc --tests SUITE/conformance_tests.yaml [-j 2] [--show]
"""
import argparse
import collections
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conformance import load_tests  # noqa: E402


def one(flowc, tool, workdir):
    out = os.path.join(workdir, re.sub(r"[^A-Za-z0-9_.-]", "_", tool) + ".flow")
    p = subprocess.run([flowc, "import-cwl", tool, "-o", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       cwd=os.path.dirname(tool.split("#")[0]))
    err = p.stderr.decode(errors="replace")
    if p.returncode != 0:
        m = re.search(r"error\[E1004\]: writing (.*?) as \.flow", err)
        return "refused", (m.group(1) if m else err.strip().splitlines()[0] if err.strip() else "exit %d" % p.returncode)
    c = subprocess.run([flowc, "check", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if c.returncode != 0:
        return "check-failed", c.stderr.decode(errors="replace")[-1500:] + c.stdout.decode(errors="replace")[-500:]
    return "ok", ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowc", required=True)
    ap.add_argument("--tests", required=True)
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--show", action="store_true", help="print every refusal")
    a = ap.parse_args()
    tools = sorted({t["tool"] for t in load_tests(a.tests) if not t.get("should_fail")})
    results = {}
    with tempfile.TemporaryDirectory(prefix="import-cwl-") as workdir:
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as pool:
            futures = {pool.submit(one, os.path.abspath(a.flowc), t, workdir): t for t in tools}
            for f in concurrent.futures.as_completed(futures):
                results[futures[f]] = f.result()
    counts = collections.Counter(status for status, _ in results.values())
    reasons = collections.Counter()
    for status, why in results.values():
        if status == "refused":
            reasons[re.sub(r"`[^`]*`", "`...`", why)] += 1
    print("import-cwl over %d processes of the suite: %d written and passed `flowc check`, %d written but failed it, "
          "%d refused" % (len(tools), counts["ok"], counts["check-failed"], counts["refused"]))
    print("refused, by construct:")
    for why, n in reasons.most_common():
        print("  %4d  %s" % (n, why))
    for tool, (status, why) in sorted(results.items()):
        if status == "check-failed" or (a.show and status == "refused"):
            print("\n--- %s %s\n%s" % (status, tool, why))
    return 1 if counts["check-failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
