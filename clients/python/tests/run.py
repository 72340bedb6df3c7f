#!/usr/bin/env python3
"""Runs the SDK's tests with unittest and prints, as its last line, ``N passed, N failed``.

Exit status: 0 when every test passed, 1 otherwise. Arguments are test name patterns (``-k``), if any.
"""

from __future__ import annotations

import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(PACKAGE_ROOT))
    loader = unittest.TestLoader()
    if argv:
        loader.testNamePatterns = [pattern if "*" in pattern else f"*{pattern}*" for pattern in argv]
    suite = loader.discover(start_dir=str(HERE), pattern="test_*.py", top_level_dir=str(PACKAGE_ROOT))
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    sys.stderr.flush()
    if skipped:
        print(f"{skipped} skipped")
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
