"""Rules of STYLE.md that a grep can keep: nondeterminism (clock, randomness,
threads, sleeping) only in runtime/; .cpp files under 1,000 lines, headers
under 500."""
import os
import re
import sys
import unittest

TOP = sys.argv.pop(1)
FORBIDDEN = re.compile(
    r"system_clock::now|steady_clock::now|high_resolution_clock::now|random_device"
    r"|[^_a-z]rand\(\)|std::thread\b|sleep_for|usleep\(|[^_a-z.]sleep\(")
CHECKED = ["actors", "storage", "examples", "schema"]


def sources(folders):
    for folder in folders:
        for root, _dirs, files in os.walk(os.path.join(TOP, folder)):
            for name in files:
                if name.endswith((".cpp", ".hpp", ".h", ".cc")):
                    yield os.path.join(root, name)


class SourceRules(unittest.TestCase):
    def test_nondeterminism_is_reached_only_through_runtime(self):
        found = []
        for path in sources(CHECKED):
            with open(path) as f:
                for number, line in enumerate(f, 1):
                    code = line.split("//")[0]
                    if FORBIDDEN.search(code):
                        found.append("%s:%d: %s" % (path, number, line.strip()))
        self.assertEqual(found, [], "use runtime/ for clocks, randomness and threads")

    def test_files_stay_small(self):
        too_big = []
        for path in sources(CHECKED + ["runtime", "tests"]):
            with open(path) as f:
                lines = sum(1 for _ in f)
            limit = 1000 if path.endswith((".cpp", ".cc")) else 500
            if lines > limit:
                too_big.append("%s (%d lines)" % (path, lines))
        self.assertEqual(too_big, [], "split these by responsibility")


if __name__ == "__main__":
    unittest.main(verbosity=2)
