"""For tests: a Python (or QGIS's) that lacks some packages although the system has them.

Put this folder on PYTHONPATH and name the top-level packages in CROP_CONFIDENCE_TEST_HIDE
(comma-separated): every sys.path folder that holds one of them, except a plugin's vendor
folder (one holding vendor.json), is searched as if it did not. Everything else in those
folders stays importable. Python imports ``sitecustomize`` at start-up, before any plugin.
"""

import os
import sys

HIDDEN = {name for name in os.environ.get("CROP_CONFIDENCE_TEST_HIDE", "").split(",") if name}


class _Hiding:
    """A sys.path folder's finder that does not see the hidden packages."""

    def __init__(self, finder):
        self.finder = finder

    def find_spec(self, fullname, target=None):
        if fullname.partition(".")[0] in HIDDEN:
            return None
        return self.finder.find_spec(fullname, target)

    def __getattr__(self, name):
        return getattr(self.finder, name)


def _holds_hidden(folder):
    return any(
        os.path.isdir(os.path.join(folder, name))
        or os.path.isfile(os.path.join(folder, f"{name}.py"))
        for name in HIDDEN
    )


def _hook(folder):
    for hook in sys.path_hooks:
        if hook is _hook:
            continue
        try:
            finder = hook(folder)
        except ImportError:
            continue
        if _holds_hidden(folder) and not os.path.isfile(os.path.join(folder, "vendor.json")):
            return _Hiding(finder)
        return finder
    raise ImportError(folder)


if HIDDEN:
    sys.path_hooks.insert(0, _hook)
    sys.path_importer_cache.clear()
