"""The nomenclature table in ``resources/nomenclature.csv``: the single source of
class codes, colours, French/English labels and default crop classes."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import cache

from .resources import RESOURCES

TABLE_PATH = RESOURCES / "nomenclature.csv"

# Roles of a row: a class a user may select, or a special value.
SELECTABLE_ROLES = ("crop", "agricultural", "other")


@dataclass(frozen=True)
class ClassEntry:
    table: str
    code: int
    role: str
    default_selected: bool
    color: str
    label_en: str
    label_fr: str

    @property
    def selectable(self) -> bool:
        return self.role in SELECTABLE_ROLES

    def label(self, language: str = "en") -> str:
        return self.label_fr if language.lower().startswith("fr") else self.label_en


@cache
def load_table(path: str | os.PathLike[str] = TABLE_PATH) -> tuple[ClassEntry, ...]:
    with open(path, newline="", encoding="utf-8") as handle:
        return tuple(
            ClassEntry(
                table=row["product"],
                code=int(row["code"]),
                role=row["role"],
                default_selected=row["default_selected"] == "1",
                color=row["color"],
                label_en=row["label_en"],
                label_fr=row["label_fr"],
            )
            for row in csv.DictReader(handle)
        )


def entries(table: str) -> tuple[ClassEntry, ...]:
    """All rows of one nomenclature ('cty', 'ctycl', 'oso23', 'oso17')."""
    return tuple(entry for entry in load_table() if entry.table == table)


def selectable_codes(table: str) -> tuple[int, ...]:
    return tuple(entry.code for entry in entries(table) if entry.selectable)


def default_codes(table: str) -> tuple[int, ...]:
    return tuple(entry.code for entry in entries(table) if entry.default_selected)


def codes_with_role(table: str, role: str) -> tuple[int, ...]:
    return tuple(entry.code for entry in entries(table) if entry.role == role)


def entry_for(table: str, code: int) -> ClassEntry | None:
    for entry in entries(table):
        if entry.code == code:
            return entry
    return None
