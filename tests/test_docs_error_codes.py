"""The error codes the documentation promises are the ones the code gives.

API clients are written against docs/*.md: a code named there ("403 `not_organisation_owner`")
that no code raises is a client branch that never runs.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_DIRS = ("caiac", "booking", "trainings", "incubation", "billing", "frontend")

# "403 `not_a_member`", "409 `slot_unavailable`", "code `weak_password`"
DOCUMENTED = re.compile(r"(?:\b[45]\d\d|\bcodes?)\s+`([a-z][a-z0-9_]+)`")
RAISED = [
    re.compile(r"\bcode\s*=\s*[\"']([a-z][a-z0-9_]+)[\"']"),  # DomainError(..., code="x")
    re.compile(r"\bdefault_code\s*=\s*[\"']([a-z][a-z0-9_]+)[\"']"),  # error classes
    re.compile(r"_CODE\s*=\s*[\"']([a-z][a-z0-9_]+)[\"']"),  # LOCKED_OUT_CODE = "locked_out"
    re.compile(r"\(\s*[\w.]+,\s*[\"']([a-z][a-z0-9_]+)[\"']\s*\)"),  # (exceptions.X, "code")
    re.compile(r"\b\d{3}:\s*\(\s*[\"']([a-z][a-z0-9_]+)[\"']"),  # 404: ("not_found", ...)
]


def codes_in_code() -> set[str]:
    codes: set[str] = set()
    for folder in APP_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in RAISED:
                codes.update(pattern.findall(text))
    return codes


def documented_codes() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted([*(ROOT / "docs").glob("*.md"), ROOT / "README.md"]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for code in DOCUMENTED.findall(line):
                found.setdefault(code, []).append(f"{path.name}:{number}")
    return found


def test_every_error_code_named_in_the_docs_is_one_the_code_gives():
    documented = documented_codes()
    assert len(documented) > 20, "the pattern no longer finds the documented codes"
    unknown = {code: where for code, where in documented.items() if code not in codes_in_code()}
    assert unknown == {}
