"""The LLM path: Anthropic's Messages API with tool use, one conversation per batch of products.

Per batch: the user turn names the products; the model calls the tools (in parallel, any number of turns),
we answer each call from the warehouse (``tools.run_tool``), and its final text must be the JSON of
``schema.py``. Entries that fail validation get ONE repair turn; what is still wrong then, and every
product of a batch the API could not serve, goes to the offline ranking with the reason. Transport
failures are the SDK's job: ``max_retries`` with exponential backoff (429, 529 overloaded, 5xx, timeouts,
connection errors) and explicit timeouts. After the API failed for good once, the remaining batches of the
run go offline at once (a circuit breaker: no point in waiting out retries again), so a run never fails
because the LLM is down.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from affiliate_assets.defs.recommendations import prompts
from affiliate_assets.defs.recommendations.schema import validate
from affiliate_assets.defs.recommendations.signals import Signals
from affiliate_assets.defs.recommendations.tools import ToolError, run_tool, tool_definitions

# USD per million tokens (Anthropic list prices); first matching prefix wins. Cache writes (5-minute TTL)
# cost 1.25x the input price, cache reads 0.1x. An unknown model gets no estimate rather than a wrong one.
PRICES: tuple[tuple[str, float, float], ...] = (
    ("claude-opus-4-5", 5.0, 25.0),
    ("claude-opus-4", 15.0, 75.0),
    ("claude-sonnet-4", 3.0, 15.0),
    ("claude-3-7-sonnet", 3.0, 15.0),
    ("claude-3-5-sonnet", 3.0, 15.0),
    ("claude-haiku-4-5", 1.0, 5.0),
    ("claude-3-5-haiku", 0.8, 4.0),
    ("claude-3-haiku", 0.25, 1.25),
)
CACHE_WRITE_FACTOR = 1.25
CACHE_READ_FACTOR = 0.10


@dataclass
class LlmSettings:
    model: str
    api_key: str
    base_url: str | None
    source_mode: str  # live | fake
    batch_size: int = 10
    max_turns: int = 6
    max_retries: int = 3
    timeout_s: float = 120.0
    connect_timeout_s: float = 5.0
    stream: bool = True
    max_tokens: int = 8192


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def add(self, usage: Any) -> None:
        for name in ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"):
            setattr(self, name, getattr(self, name) + int(getattr(usage, name, 0) or 0))


def estimate_cost_usd(model: str, usage: Usage) -> float | None:
    for prefix, price_in, price_out in PRICES:
        if model.startswith(prefix):
            return round((usage.input_tokens * price_in
                          + usage.cache_creation_input_tokens * price_in * CACHE_WRITE_FACTOR
                          + usage.cache_read_input_tokens * price_in * CACHE_READ_FACTOR
                          + usage.output_tokens * price_out) / 1e6, 6)
    return None


@dataclass
class BatchResult:
    """One conversation: the valid answers, the products that fell back (with why), and its costs."""

    reco_date: date
    batch_no: int
    product_ids: list[int]
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)
    fallback: dict[int, str] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    tool_calls: Counter = field(default_factory=Counter)
    api_calls: int = 0
    repairs: int = 0
    error: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    elapsed_s: float = 0.0
    attempted: bool = True  # False when the circuit breaker skipped the API altogether

    @property
    def outcome(self) -> str:
        if not self.fallback:
            return "ok"
        return "partial" if self.answers else "fallback"


class ApiDown(RuntimeError):
    """The API failed for good (after the SDK's retries): the rest of the run goes offline."""


def _blocks_for_history(content: list[Any]) -> list[dict[str, Any]]:
    """The assistant turn to send back: only the fields the API takes as input."""
    out = []
    for block in content:
        if block.type == "text":
            out.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            out.append({"type": "tool_use", "id": block.id, "name": block.name, "input": block.input})
        else:  # thinking and other blocks go back untouched
            out.append(block.model_dump(exclude_none=True))
    return out


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), max(size, 1)):
        yield items[i:i + size]


class LlmRecommender:
    """Runs the tool loop for days of signals; one instance per run (it holds the circuit breaker)."""

    def __init__(self, settings: LlmSettings, client: Any | None = None, log: Any | None = None):
        self.settings = settings
        self.client = client or self._make_client()
        self.down_reason: str | None = None
        self.log = log

    def _make_client(self) -> Any:
        import anthropic

        return anthropic.Anthropic(
            api_key=self.settings.api_key,
            base_url=self.settings.base_url,
            max_retries=self.settings.max_retries,
            timeout=anthropic.Timeout(self.settings.timeout_s, connect=self.settings.connect_timeout_s),
        )

    # One API call ---------------------------------------------------------------------------------------
    def _call(self, system: list[dict], messages: list[dict]) -> Any:
        import anthropic

        params = {"model": self.settings.model, "max_tokens": self.settings.max_tokens, "system": system,
                  "tools": tool_definitions(), "messages": messages}
        try:
            if self.settings.stream:
                with self.client.messages.stream(**params) as stream:
                    return stream.get_final_message()
            return self.client.messages.create(**params)
        except (anthropic.AuthenticationError, anthropic.PermissionDeniedError) as exc:
            raise ApiDown(f"llm_auth_error: HTTP {exc.status_code}: {_message(exc)}") from exc
        except anthropic.APITimeoutError as exc:
            raise ApiDown(f"llm_timeout: no answer after {self.settings.max_retries} retries") from exc
        except anthropic.APIConnectionError as exc:
            raise ApiDown(f"llm_unavailable: {exc.message} (after {self.settings.max_retries} retries)") from exc
        except anthropic.APIStatusError as exc:
            if exc.status_code in (408, 429) or exc.status_code >= 500:
                raise ApiDown(f"llm_unavailable: HTTP {exc.status_code}: {_message(exc)} "
                              f"(after {self.settings.max_retries} retries)") from exc
            raise  # 400/404/413...: this batch's problem, handled by the caller

    # One batch ------------------------------------------------------------------------------------------
    def run_batch(self, reco_date: date, batch_no: int, ids: list[int], day: dict[int, Signals],
                  system: list[dict]) -> BatchResult:
        import anthropic

        result = BatchResult(reco_date, batch_no, ids)
        started = time.perf_counter()
        if self.down_reason:
            result.attempted = False
            result.error = self.down_reason
            result.fallback = dict.fromkeys(ids, self.down_reason)
            return result
        messages: list[dict] = [{"role": "user", "content": prompts.user_message(reco_date, ids)}]
        pending = list(ids)
        try:
            for _turn in range(self.settings.max_turns):
                resp = self._call(system, messages)
                result.api_calls += 1
                result.usage.add(resp.usage)
                if resp.stop_reason == "tool_use":
                    messages.append({"role": "assistant", "content": _blocks_for_history(resp.content)})
                    messages.append({"role": "user", "content": self._answer_tools(resp.content, day, result)})
                    continue
                text = "".join(b.text for b in resp.content if b.type == "text")
                checked = validate(text, pending, allowed=ids)
                _check_business_rules(checked, day)
                result.answers.update(checked.items)
                pending = [pid for pid in pending if pid not in result.answers]
                if not pending:
                    break
                errors = [f"{'product ' + str(k) if k else 'answer'}: {v}" for k, v in checked.errors.items()]
                if resp.stop_reason == "max_tokens":
                    errors.insert(0, "answer cut at max_tokens")
                if result.repairs >= 1 or resp.stop_reason == "refusal":
                    why = "llm_refusal" if resp.stop_reason == "refusal" else "llm_invalid_after_repair"
                    for pid in pending:
                        detail = checked.errors.get(pid) or checked.errors.get(None) or "no valid entry"
                        result.fallback[pid] = f"{why}: {detail}"
                    pending = []
                    break
                result.repairs += 1
                messages.append({"role": "assistant", "content": _blocks_for_history(resp.content) or
                                 [{"type": "text", "text": "(empty)"}]})
                messages.append({"role": "user", "content": prompts.repair_message(errors)})
            for pid in pending:
                result.fallback[pid] = f"llm_max_turns: no valid answer in {self.settings.max_turns} turns"
        except ApiDown as exc:
            self.down_reason = str(exc)
            result.error = str(exc)
            for pid in ids:
                if pid not in result.answers:
                    result.fallback[pid] = str(exc)
        except anthropic.APIError as exc:
            result.error = f"llm_error: {type(exc).__name__}: {_message(exc)}"
            for pid in ids:
                if pid not in result.answers:
                    result.fallback[pid] = result.error
        result.elapsed_s = time.perf_counter() - started
        if self.log and result.fallback:
            self.log.warning(f"LLM batch {reco_date} #{batch_no}: {len(result.fallback)} product(s) ranked offline "
                             f"({next(iter(result.fallback.values()))})")
        return result

    def _answer_tools(self, content: list[Any], day: dict[int, Signals], result: BatchResult) -> list[dict]:
        answers = []
        for block in content:
            if block.type != "tool_use":
                continue
            result.tool_calls[block.name] += 1
            try:
                answer = {"type": "tool_result", "tool_use_id": block.id,
                          "content": json.dumps(run_tool(block.name, block.input, day), ensure_ascii=False)}
            except ToolError as exc:
                answer = {"type": "tool_result", "tool_use_id": block.id, "content": str(exc), "is_error": True}
            answers.append(answer)
        return answers

    # A day ------------------------------------------------------------------------------------------------
    def recommend_day(self, reco_date: date, day: list[Signals]) -> list[BatchResult]:
        by_id = {s.product_id: s for s in day}
        system = prompts.system_blocks(day)
        ids = sorted(by_id)
        return [self.run_batch(reco_date, n, batch, by_id, system)
                for n, batch in enumerate(_chunks(ids, self.settings.batch_size), start=1)]


def _check_business_rules(checked: Any, day: dict[int, Signals]) -> None:
    """What a schema cannot say: stock advice only for stocked goods, prices only in a sane range."""
    for pid, item in list(checked.items.items()):
        s = day[pid]
        problem = None
        if item["action"] == "restock" and not s.is_physical:
            problem = "restock advised for a digital product (it has no stock)"
        price = item.get("suggested_price")
        if price is not None and s.list_price and not (0.2 * s.list_price <= price <= 5 * s.list_price):
            problem = f"suggested_price {price} is implausible against the list price {s.list_price}"
        if problem:
            del checked.items[pid]
            checked.errors[pid] = problem


def _message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error") if isinstance(body.get("error"), dict) else body
        if isinstance(err, dict) and err.get("message"):
            return f"{err.get('type', 'error')}: {err['message']}"
    return str(getattr(exc, "message", exc))[:300]
