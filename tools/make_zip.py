"""Build the plugin zip that the QGIS Plugin Manager installs (folder crop_confidence/)."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INCLUDE = ["metadata.txt", "__init__.py", "LICENSE", "README.md", "plugin", "resources", "i18n"]


def plugin_files():
    tracked = subprocess.run(
        ["git", "ls-files", "--", *INCLUDE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    built = [str(path.relative_to(ROOT)) for path in (ROOT / "i18n").glob("*.qm")]
    return sorted(set(tracked) | set(built))


def main(target):
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".zip.part")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in plugin_files():
            archive.write(ROOT / name, f"crop_confidence/{name}")
    temporary.replace(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dist/crop_confidence.zip")
