"""Prints the totals over every test program of a meson test run, as the last
line: "N passed, N failed". Exits non-zero if any failed or none ran."""
import json
import sys

passed = failed = 0
with open(sys.argv[1]) as log:
    for line in log:
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        else:
            # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS and SKIP all count against us:
            # a skipped test is not a pass.
            failed += 1
print("%d passed, %d failed" % (passed, failed))
sys.exit(0 if failed == 0 and passed > 0 else 1)
