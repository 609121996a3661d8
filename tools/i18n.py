"""Translations of the plugin's user-visible strings (Qt .ts / .qm).

    tools/i18n.py update   extract every tr("...") literal from plugin/**/*.py (with ast) into
                           i18n/crop_confidence_fr.ts, keeping existing translations; new strings
                           are marked unfinished, vanished ones type="vanished"
    tools/i18n.py check    exit 1 listing every source string without a finished French
                           translation, and every translation whose {} placeholders differ
    tools/i18n.py fill     after update: take French translations from i18n/pending/*.json
                           ({"English": "French"}) for strings that have none yet
    tools/i18n.py release  run lrelease: i18n/crop_confidence_fr.ts -> i18n/crop_confidence_fr.qm

Options: --ts PATH (another .ts file), --source DIR (another tree to extract from),
--qm PATH (release output). Only the standard library is needed (no QGIS).
"""

import argparse
import ast
import json
import os
import shutil
import string
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = ROOT / "plugin"
TS_FILE = ROOT / "i18n" / "crop_confidence_fr.ts"
CONTEXT = "CropConfidence"
LANGUAGE = "fr_FR"
LRELEASE_CANDIDATES = ("lrelease", "lrelease-qt5", "/usr/lib/qt5/bin/lrelease", "lrelease-qt6")


class Message:
    """One source string: where it is used, and its translation (None: none yet)."""

    def __init__(self, source, translation=None, kind=None):
        self.source = source
        self.translation = translation
        self.kind = kind  # None (finished), "unfinished", "vanished" or "obsolete"
        self.locations = []  # (path relative to the .ts file, line)


# ----------------------------------------------------------------------------- extraction


def literal(node):
    """The string a tr() argument stands for, or None when it is not a plain literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value  # implicit concatenation is already merged by the parser
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal(node.left), literal(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def is_tr_call(node):
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    # tr("...") in the QGIS layers, translatable("...") in the pure ones (plugin/domain/texts.py)
    return (isinstance(func, ast.Name) and func.id in ("tr", "translatable")) or (
        isinstance(func, ast.Attribute) and func.attr == "tr"
    )


def extract(source_dir=SOURCE_DIR):
    """[(text, file, line)] for every tr() literal, and [(file, line, why)] for the rest."""
    found, problems = [], []
    for path in sorted(Path(source_dir).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not is_tr_call(node):
                continue
            if len(node.args) != 1 or node.keywords:
                problems.append((path, node.lineno, "tr() takes exactly one string literal"))
                continue
            text = literal(node.args[0])
            if text is None:
                problems.append((path, node.lineno, "tr() argument is not a string literal"))
            elif text.strip():
                found.append((text, path, node.lineno))
    found.sort(key=lambda item: (str(item[1]), item[2]))
    return found, problems


# ----------------------------------------------------------------------------- .ts files


def read_ts(ts_path):
    """{source: Message} from a .ts file (empty when it does not exist yet)."""
    messages = {}
    if not Path(ts_path).exists():
        return messages
    root = ET.parse(ts_path).getroot()
    for context in root.iter("context"):
        if (context.findtext("name") or "") != CONTEXT:
            continue
        for element in context.iter("message"):
            source = element.findtext("source") or ""
            node = element.find("translation")
            translation = None if node is None else (node.text or "")
            kind = None if node is None else node.get("type")
            messages[source] = Message(source, translation, kind)
    return messages


def write_ts(ts_path, messages):
    """Write the messages in Qt's TS 2.1 format, formatted like lupdate does."""
    root = ET.Element("TS", version="2.1", language=LANGUAGE, sourcelanguage="en")
    context = ET.SubElement(root, "context")
    ET.SubElement(context, "name").text = CONTEXT
    for message in messages:
        element = ET.SubElement(context, "message")
        for filename, line in message.locations:
            ET.SubElement(element, "location", filename=filename, line=str(line))
        ET.SubElement(element, "source").text = message.source
        translation = ET.SubElement(element, "translation")
        translation.text = message.translation or ""
        if message.kind:
            translation.set("type", message.kind)
    ET.indent(root, space="    ")
    body = ET.tostring(root, encoding="unicode")
    Path(ts_path).parent.mkdir(parents=True, exist_ok=True)
    with open(ts_path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        handle.write(body + "\n")


def relative(path, ts_path):
    return Path(os.path.relpath(Path(path).resolve(), Path(ts_path).resolve().parent)).as_posix()


def update(ts_path, source_dir):
    found, problems = extract(source_dir)
    for path, line, why in problems:
        print(f"warning: {path}:{line}: {why}", file=sys.stderr)
    existing = read_ts(ts_path)
    current = {}
    for text, path, line in found:
        message = current.get(text)
        if message is None:
            old = existing.get(text)
            translation = old.translation if old is not None else None
            if not translation:
                kind = "unfinished"
            elif old.kind in ("vanished", "obsolete"):
                kind = "unfinished"  # came back: have a translator look at it again
            else:
                kind = old.kind
            message = current[text] = Message(text, translation, kind)
        message.locations.append((relative(path, ts_path), line))
    vanished = [
        Message(source, old.translation, "vanished")
        for source, old in existing.items()
        if source not in current and old.translation
    ]
    write_ts(ts_path, [*current.values(), *vanished])
    new = sum(1 for source in current if source not in existing)
    unfinished = sum(1 for message in current.values() if message.kind == "unfinished")
    print(
        f"{ts_path}: {len(current)} strings ({new} new, {unfinished} unfinished, "
        f"{len(vanished)} vanished)"
    )
    return 0


def fill(ts_path, pending_dir):
    """Translations written by hand in JSON files (one per piece of work, so that parallel
    work never conflicts in the .ts) go into the .ts where a string has none yet."""
    given = {}
    for path in sorted(Path(pending_dir).glob("*.json")):
        given.update(json.loads(path.read_text(encoding="utf-8")))
    messages = read_ts(ts_path)
    filled = 0
    for message in messages.values():
        if message.kind == "unfinished" and given.get(message.source):
            message.translation, message.kind = given[message.source], None
            filled += 1
    write_ts(ts_path, list(messages.values()))
    print(f"{ts_path}: {filled} translations filled from {pending_dir}")
    return update(ts_path, SOURCE_DIR)  # puts the source locations back


# ----------------------------------------------------------------------------- check


def placeholders(text):
    """The sorted replacement fields of a str.format() template, or None if it is malformed."""
    try:
        fields = [
            (name or "", conversion or "", spec or "")
            for _, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        return None
    return sorted(Counter(fields).elements())


def same_placeholders(source, translation):
    expected, actual = placeholders(source), placeholders(translation)
    if actual is None:
        return False
    if expected is None:  # the source is no format template: compare its literal {}
        return source.count("{}") == translation.count("{}")
    return expected == actual


def check(ts_path, source_dir):
    found, problems = extract(source_dir)
    messages = read_ts(ts_path)
    errors = [f"{path}:{line}: {why}" for path, line, why in problems]
    seen = set()
    for text, path, line in found:
        if text in seen:
            continue
        seen.add(text)
        where = f"{Path(os.path.relpath(path, ROOT)).as_posix()}:{line}"
        message = messages.get(text)
        if message is None:
            errors.append(f"{where}: not in {ts_path.name} (run tools/i18n.py update): {text!r}")
        elif message.kind in ("vanished", "obsolete"):
            errors.append(f"{where}: marked {message.kind} in {ts_path.name}: {text!r}")
        elif not (message.translation or "").strip():
            errors.append(f"{where}: no French translation: {text!r}")
        elif message.kind == "unfinished":
            errors.append(f"{where}: translation unfinished: {text!r}")
        else:
            if not same_placeholders(text, message.translation):
                errors.append(f"{where}: placeholders differ: {text!r} -> {message.translation!r}")
    if errors:
        print(f"{ts_path}: {len(errors)} problem(s):", file=sys.stderr)
        for error in errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    print(f"{ts_path}: all {len(seen)} strings translated")
    return 0


# ----------------------------------------------------------------------------- release


def find_lrelease():
    override = os.environ.get("LRELEASE")
    if override:
        return override
    for candidate in LRELEASE_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def release(ts_path, qm_path):
    tool = find_lrelease()
    if tool is None:
        print(
            "error: lrelease not found (install qttools5-dev-tools, or set LRELEASE)",
            file=sys.stderr,
        )
        return 2
    qm_path = qm_path or Path(ts_path).with_suffix(".qm")
    result = subprocess.run([tool, "-silent", str(ts_path), "-qm", str(qm_path)], check=False)
    if result.returncode != 0 or not Path(qm_path).is_file():
        print(f"error: {tool} failed ({result.returncode})", file=sys.stderr)
        return result.returncode or 1
    print(f"wrote {qm_path}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("update", "fill", "check", "release"))
    parser.add_argument("--ts", type=Path, default=TS_FILE, help="the .ts file")
    parser.add_argument("--source", type=Path, default=SOURCE_DIR, help="the Python sources")
    parser.add_argument("--qm", type=Path, default=None, help="release: the .qm to write")
    options = parser.parse_args(argv)
    if options.command == "update":
        return update(options.ts, options.source)
    if options.command == "fill":
        return fill(options.ts, options.ts.parent / "pending")
    if options.command == "check":
        return check(options.ts, options.source)
    return release(options.ts, options.qm)


if __name__ == "__main__":
    sys.exit(main())
