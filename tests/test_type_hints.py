"""Public functions of the pure layers (domain, raster, net, sources) carry type hints.

Every public module-level function and every public method of a public class annotates its
parameters (other than self/cls) and its return; ``__init__`` annotates its parameters only, and
other dunder methods are left out. mypy checks these packages in ``make lint``.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = ("domain", "raster", "net", "sources")
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def is_public(name):
    return not name.startswith("_")


def is_dunder(name):
    return name.startswith("__") and name.endswith("__")


def top_level(body):
    """Statements of a module or class body, looking into if/try blocks (not into functions)."""
    for node in body:
        if isinstance(node, ast.If):
            yield from top_level(node.body)
            yield from top_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from top_level(block)
        else:
            yield node


def decorator_names(function):
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Name):
            yield decorator.id
        elif isinstance(decorator, ast.Attribute):
            yield decorator.attr


def missing_hints(function, method):
    """What of ``function`` lacks an annotation: parameter names, and 'return'."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    if method and "staticmethod" not in decorator_names(function) and positional:
        positional = positional[1:]  # self or cls
    parameters = [*positional, *arguments.kwonlyargs]
    parameters += [arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None]
    missing = [arg.arg for arg in parameters if arg.annotation is None]
    if function.name != "__init__" and function.returns is None:
        missing.append("return")
    return missing


def checked_functions(tree):
    """(function, is a method) for the public functions and public methods of public classes."""
    pending = [(node, False) for node in top_level(tree.body)]
    while pending:
        node, in_class = pending.pop(0)
        if isinstance(node, FUNCTIONS):
            if node.name == "__init__" and in_class:
                yield node, True
            elif is_public(node.name) and not is_dunder(node.name):
                yield node, in_class
        elif isinstance(node, ast.ClassDef) and is_public(node.name):
            pending.extend((child, True) for child in top_level(node.body))


def unannotated():
    for layer in PURE:
        for path in sorted((ROOT / "plugin" / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for function, method in checked_functions(tree):
                missing = missing_hints(function, method)
                if missing:
                    where = f"{path.relative_to(ROOT)}:{function.lineno}"
                    yield f"{where} {function.name}: no hint for {', '.join(missing)}"


def test_public_functions_of_pure_layers_have_type_hints():
    problems = list(unannotated())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(a, b: int) -> int: ...", ["f"]),
        ("def f(a: int):\n    pass", ["f"]),
        ("def f(*args: int, **kw) -> None: ...", ["f"]),
        ("def _f(a): ...", []),
        ("class _C:\n    def f(self, a): ...", []),
        ("class C:\n    def f(self, a: int) -> None: ...", []),
        ("class C:\n    def f(self, a) -> None: ...", ["f"]),
        ("class C:\n    def _f(self, a): ...", []),
        ("class C:\n    def __init__(self, a: int): ...", []),
        ("class C:\n    def __init__(self, a): ...", ["__init__"]),
        ("class C:\n    def __repr__(self): ...", []),
        ("class C:\n    @staticmethod\n    def f(a) -> None: ...", ["f"]),
        ("class C:\n    @classmethod\n    def f(cls) -> None: ...", []),
        ("def outer() -> None:\n    def inner(a): ...", []),
        ("if True:\n    def f(a): ...", ["f"]),
    ],
)
def test_the_check_itself(source, expected):
    tree = ast.parse(source)
    found = [f.name for f, method in checked_functions(tree) if missing_hints(f, method)]
    assert found == expected
