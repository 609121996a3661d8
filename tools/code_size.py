"""Size limits of plugin/ (issue 12), checked with radon: modules of at most 500 lines,
functions of at most 60 lines and cyclomatic complexity at most 15.

    python tools/code_size.py [PATH ...]      (default: plugin/; exit 1 listing what is over)
"""

import sys
from pathlib import Path

from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
MAX_COMPLEXITY = 15


def blocks(tree):
    for block in tree:
        yield block
        yield from blocks(getattr(block, "methods", []) + getattr(block, "closures", []))


def problems(path):
    text = path.read_text(encoding="utf-8")
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    lines = len(text.splitlines())
    if lines > MAX_MODULE_LINES:
        yield f"{shown}: {lines} lines (at most {MAX_MODULE_LINES})"
    seen = set()
    for block in blocks(cc_visit(text)):
        if type(block).__name__ == "Class" or (block.lineno, block.fullname) in seen:
            continue
        seen.add((block.lineno, block.fullname))
        length = block.endline - block.lineno + 1
        if length > MAX_FUNCTION_LINES:
            yield f"{shown}:{block.lineno} {block.fullname}: {length} lines (at most 60)"
        if block.complexity > MAX_COMPLEXITY:
            yield (
                f"{shown}:{block.lineno} {block.fullname}: complexity {block.complexity} "
                f"(at most {MAX_COMPLEXITY})"
            )


def main(arguments):
    targets = [Path(argument).resolve() for argument in arguments] or [ROOT / "plugin"]
    files = sorted(
        path
        for target in targets
        for path in ([target] if target.is_file() else target.rglob("*.py"))
    )
    found = [problem for path in files for problem in problems(path)]
    print("\n".join(found) or f"{len(files)} files within the size limits")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
