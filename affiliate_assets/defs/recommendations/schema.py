"""The JSON contract of the model's final answer, and its validation (jsonschema + the request's ids).

Validation is per product: one bad entry sends that product (not the whole batch) to the repair turn and
then, if still bad, to the offline ranking with the reason recorded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from affiliate_assets.defs.recommendations.tables import ACTIONS

ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["product_id", "action", "priority_score", "rationale"],
    "properties": {
        "product_id": {"type": "integer"},
        "action": {"enum": list(ACTIONS)},
        "priority_score": {"type": "number", "minimum": 0, "maximum": 100},
        "suggested_price": {"type": ["number", "null"], "exclusiveMinimum": 0},
        "rationale": {"type": "string", "minLength": 10, "maxLength": 600},
    },
    "if": {"properties": {"action": {"const": "reprice"}}},
    "then": {"required": ["suggested_price"], "properties": {"suggested_price": {"type": "number"}}},
}
RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["recommendations"],
    "properties": {"recommendations": {"type": "array", "items": {"type": "object"}}},
}
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S)


@dataclass
class Validated:
    items: dict[int, dict[str, Any]] = field(default_factory=dict)  # product_id → valid entry
    errors: dict[int | None, str] = field(default_factory=dict)  # product_id (None: whole answer) → why

    def missing(self, expected: list[int]) -> list[int]:
        return [pid for pid in expected if pid not in self.items]


def parse_answer(text: str) -> Any:
    """The JSON object in the model's text. Tolerates a code fence or a sentence around the object (models
    add them despite instructions); anything else is a JSON error for the repair turn."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    body = fenced.group(1) if fenced else stripped
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        first, last = body.find("{"), body.rfind("}")
        if 0 < first < last:
            try:
                return json.loads(body[first:last + 1])
            except json.JSONDecodeError:
                pass
        raise


def validate(text: str, expected: list[int], allowed: list[int] | None = None) -> Validated:
    """Valid entries for the ``expected`` products; entries for ``allowed`` ones (already answered in an
    earlier turn of the batch) are ignored, any other product id is an error."""
    from jsonschema import Draft202012Validator

    out = Validated()
    try:
        answer = parse_answer(text)
    except json.JSONDecodeError as exc:
        out.errors[None] = f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        return out
    problems = sorted(Draft202012Validator(RESPONSE_SCHEMA).iter_errors(answer), key=str)
    if problems:
        out.errors[None] = f"schema: {problems[0].message}"
        return out
    item_validator = Draft202012Validator(ITEM_SCHEMA)
    wanted, ignored = set(expected), set(allowed or ()) - set(expected)
    for item in answer["recommendations"]:
        pid = item.get("product_id") if isinstance(item.get("product_id"), int) else None
        problems = sorted(item_validator.iter_errors(item), key=lambda e: list(e.path))
        if pid in ignored:
            continue
        if pid is not None and pid not in wanted:
            out.errors.setdefault(None, f"product_id {pid} was not requested")
            continue
        if problems:
            out.errors[pid] = "schema: " + "; ".join(
                f"{'.'.join(str(p) for p in e.path) or 'entry'}: {e.message}" for e in problems[:3])
            continue
        if pid in out.items:
            out.errors[pid] = "product answered twice"
            continue
        out.items[pid] = item
    for pid in out.missing(expected):
        out.errors.setdefault(pid, "missing from the answer")
    return out
