"""A local Anthropic Messages API: same endpoint, headers, content blocks, streaming and errors.

``POST /v1/messages`` with ``x-api-key`` (or ``Authorization: Bearer``, which SDK 2.x sends) and
``anthropic-version`` headers; requests and answers follow the
real protocol, so the official ``anthropic`` SDK works against it unchanged (only ``base_url`` differs):

- content blocks ``text`` and ``tool_use`` (ids ``toolu_…``), ``tool_result`` turns checked against the
  ``tool_use`` ids of the previous assistant turn (the real API rejects a conversation that skips one);
- ``stop_reason`` ``tool_use`` / ``end_turn``; ``usage`` with ``input_tokens``, ``output_tokens``,
  ``cache_creation_input_tokens``, ``cache_read_input_tokens``: ``cache_control`` breakpoints in tools,
  system and messages create a cache entry for the prefix up to them (at least ``min_cache_tokens``), read
  back by later requests with the same prefix. Tokens are estimated as characters / 4;
- ``"stream": true`` answers Server-Sent Events over chunked transfer: ``message_start``, ``ping``,
  ``content_block_start`` / ``content_block_delta`` (``text_delta``, ``input_json_delta``) /
  ``content_block_stop``, ``message_delta`` (stop reason, output tokens), ``message_stop``;
- errors as ``{"type": "error", "error": {"type": …, "message": …}, "request_id": …}``: 400
  ``invalid_request_error``, 401 ``authentication_error``, 429 ``rate_limit_error`` (with ``retry-after``),
  500 ``api_error``, 529 ``overloaded_error``.

How it "reasons", deterministically: it finds the ``product_ids`` the user asked about, calls every tool
it was given for each of them (all in one turn, as parallel tool use), and once every answer is in, writes
the JSON recommendations from the tool results with simple rules. A user text after its final answer is a
repair request: it answers again.

Faults (build options, or ``POST /_fake/faults`` with a JSON object; counts are decremented as used, -1 =
always): ``overloaded`` (answer 529), ``rate_limited`` (429, ``retry-after: 0``), ``server_error`` (500),
``hang_up`` (close the connection without answering), ``malformed_json`` (final answers cut mid-JSON),
``schema_violation`` (the first product gets action ``boost`` and no rationale), ``drop_product`` (the
last product is left out), ``stream_error`` (an ``error`` event mid-stream), ``delay_s`` (sleep before
each answer), ``invalid_keys`` (list of keys answered 401). ``GET /_fake/log`` lists the requests served;
``POST /_fake/reset`` clears log, cache and faults.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from affiliate_assets.fakes.base import FakeHandler, FakeServer, serve
from affiliate_assets.lib.money import format_brl

KNOWN_TOOLS = ("get_demand_forecast", "get_market_price", "get_stock_level", "get_social_trend", "get_commission")
COUNTED_FAULTS = ("overloaded", "rate_limited", "server_error", "hang_up", "malformed_json", "schema_violation",
                  "drop_product", "stream_error")
PRODUCT_IDS = re.compile(r'"product_ids"\s*:\s*\[([\d,\s]*)\]')


@dataclass
class FakeState:
    faults: dict[str, Any] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)
    cache: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    min_cache_tokens: int = 1024

    def take(self, name: str) -> bool:
        """Consume one occurrence of a counted fault."""
        with self.lock:
            left = int(self.faults.get(name) or 0)
            if left == 0:
                return False
            if left > 0:
                self.faults[name] = left - 1
            return True


class ApiError(Exception):
    def __init__(self, status: int, kind: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.kind, self.message, self.headers = status, kind, message, headers or {}


def tokens(value: Any) -> int:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return max(1, math.ceil(len(text) / 4))


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content or [] if isinstance(b, dict)]


def _result_payload(block: dict[str, Any]) -> Any:
    content = block.get("content")
    if isinstance(content, list):
        content = "".join(b.get("text", "") for b in content if isinstance(b, dict))
    try:
        return json.loads(content) if isinstance(content, str) else content
    except json.JSONDecodeError:
        return None


# --------------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------------


def _decide(pid: int, facts: dict[str, dict]) -> dict[str, Any]:
    """Rules a careful analyst would apply to the tool results; rationale in Portuguese."""
    demand, market = facts.get("get_demand_forecast") or {}, facts.get("get_market_price") or {}
    stock, social = facts.get("get_stock_level") or {}, facts.get("get_social_trend") or {}
    earn = facts.get("get_commission") or {}
    growth = demand.get("growth") or 0.0
    trend = social.get("engagement_trend") or 0.0
    gap = market.get("price_gap_vs_median")
    rate = earn.get("commission_rate") or 0.0
    per_unit = earn.get("earning_per_unit") or 0.0
    score = 50 + 30 * max(-1, min(1, growth)) + 15 * max(-1, min(1, trend)) + 25 * (rate - 0.3)
    score = round(max(0.0, min(100.0, score)), 1)
    words = [f"demanda {growth * 100:+.0f}%", f"engajamento {trend * 100:+.0f}%",
             f"ganho de {format_brl(per_unit)} por venda"]
    cover, lead = stock.get("stock_cover_days"), stock.get("lead_time_days")
    median = market.get("competitor_median_price")
    if stock.get("is_physical") and cover is not None and lead and cover <= lead + 7:
        return {"product_id": pid, "action": "restock", "priority_score": max(score, 80.0), "suggested_price": None,
                "rationale": f"Repor estoque: cobertura de {cover:.0f} dias contra prazo de {lead} dias; "
                             + "; ".join(words) + "."}
    if gap is not None and median and (gap > 0.10 or gap < -0.20):
        price = math.floor(median * (0.99 if gap > 0 else 0.95)) + 0.9
        return {"product_id": pid, "action": "reprice", "priority_score": score, "suggested_price": round(price, 2),
                "rationale": f"Reprecificar para R$ {price:.2f}".replace(".", ",")
                             + f": preço {gap * 100:+.0f}% contra a mediana do mercado; " + "; ".join(words) + "."}
    action = "promote" if score >= 65 else "drop" if score < 35 else "hold"
    head = {"promote": "Promover", "drop": "Deixar de divulgar", "hold": "Manter"}[action]
    return {"product_id": pid, "action": action, "priority_score": score, "suggested_price": None,
            "rationale": f"{head}: " + "; ".join(words) + "."}


class Conversation:
    """What the fake model knows from one request: products asked, tools offered, tool results so far."""

    def __init__(self, body: dict[str, Any]):
        self.body = body
        self.messages: list[dict[str, Any]] = body["messages"]
        self.tools = [t.get("name") for t in body.get("tools") or [] if t.get("name") in KNOWN_TOOLS]
        self.product_ids: list[int] = []
        for msg in self.messages:
            if msg["role"] != "user":
                continue
            for block in _blocks(msg["content"]):
                match = PRODUCT_IDS.search(block.get("text") or "") if block.get("type") == "text" else None
                if match and not self.product_ids:
                    self.product_ids = [int(x) for x in match.group(1).replace(" ", "").split(",") if x]
        calls: dict[str, tuple[str, int | None]] = {}
        self.results: dict[int, dict[str, dict]] = {}
        self.called: set[tuple[str, int | None]] = set()
        for msg in self.messages:
            for block in _blocks(msg["content"]):
                if block.get("type") == "tool_use":
                    pid = (block.get("input") or {}).get("product_id")
                    calls[block["id"]] = (block["name"], pid)
                    self.called.add((block["name"], pid))
                elif block.get("type") == "tool_result" and block.get("tool_use_id") in calls:
                    name, pid = calls[block["tool_use_id"]]
                    payload = _result_payload(block)
                    if not block.get("is_error") and isinstance(payload, dict) and pid is not None:
                        self.results.setdefault(int(pid), {})[name] = payload

    def validate(self) -> None:
        """The real API's structural rules: alternating roles, and every tool_use answered right after."""
        if not self.messages or self.messages[0]["role"] != "user":
            raise ApiError(400, "invalid_request_error", "messages: first message must use the \"user\" role")
        for prev, msg in zip(self.messages, self.messages[1:], strict=False):
            if prev["role"] == msg["role"]:
                raise ApiError(400, "invalid_request_error", "messages: roles must alternate between \"user\" "
                               "and \"assistant\"")
            wanted = {b["id"] for b in _blocks(prev["content"]) if b.get("type") == "tool_use"}
            if prev["role"] == "assistant" and wanted:
                given = {b.get("tool_use_id") for b in _blocks(msg["content"]) if b.get("type") == "tool_result"}
                if wanted - given:
                    raise ApiError(400, "invalid_request_error", "messages: tool_use ids were found without "
                                   f"tool_result blocks immediately after: {', '.join(sorted(wanted - given))}")

    def missing_calls(self) -> list[tuple[str, int]]:
        return [(name, pid) for pid in self.product_ids for name in self.tools if (name, pid) not in self.called]

    def reply(self, state: FakeState) -> tuple[list[dict[str, Any]], str]:
        """(content blocks, stop_reason)."""
        if not self.product_ids:
            return [{"type": "text", "text": "Não encontrei produtos na solicitação."}], "end_turn"
        missing = self.missing_calls()
        if missing:
            seed = _digest(self.messages)
            blocks: list[dict[str, Any]] = [{"type": "text", "text": "Vou consultar os dados de cada produto."}]
            for name, pid in missing:
                blocks.append({"type": "tool_use", "id": "toolu_01" + _digest(seed, name, pid)[:22],
                               "name": name, "input": {"product_id": pid}})
            return blocks, "tool_use"
        items = [_decide(pid, self.results.get(pid, {})) for pid in self.product_ids]
        if state.take("drop_product") and items:
            items = items[:-1]
        if state.take("schema_violation") and items:
            items[0] = {**items[0], "action": "boost"}
            items[0].pop("rationale", None)
        text = json.dumps({"recommendations": items}, ensure_ascii=False)
        if state.take("malformed_json"):
            text = "Aqui estão as recomendações:\n" + text[: len(text) // 2]
        return [{"type": "text", "text": text}], "end_turn"


# --------------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------------


def cache_usage(body: dict[str, Any], state: FakeState) -> tuple[int, int, int]:
    """(uncached input, cache creation, cache read) tokens. The prefix order is tools → system → messages."""
    parts: list[tuple[Any, bool]] = [(t, bool(t.get("cache_control"))) for t in body.get("tools") or []]
    system = body.get("system")
    parts += [(b, bool(b.get("cache_control"))) for b in _blocks(system)] if system else []
    for msg in body["messages"]:
        parts += [({"role": msg["role"], **b}, bool(b.get("cache_control"))) for b in _blocks(msg["content"])]
    total = sum(tokens(p) for p, _ in parts)
    read = created = running = 0
    prefix: list[Any] = []
    with state.lock:
        for part, breakpoint in parts:
            prefix.append(part)
            running += tokens(part)
            if not breakpoint or running < state.min_cache_tokens:
                continue
            key = _digest(body.get("model"), prefix)
            if key in state.cache:
                read, created = running, 0
            else:
                state.cache.add(key)
                created = running - read
    return total - read - created, created, read


class AnthropicHandler(FakeHandler):
    state: ClassVar[FakeState]
    routes: ClassVar[list[tuple[str, str, str]]] = [
        ("POST", r"/v1/messages", "messages"),
        ("POST", r"/v1/messages/count_tokens", "count_tokens"),
        ("GET", r"/v1/models", "models"),
        ("POST", r"/_fake/faults", "set_faults"),
        ("POST", r"/_fake/reset", "reset"),
        ("GET", r"/_fake/log", "get_log"),
    ]

    def _error(self, err: ApiError, request_id: str) -> None:
        self.send_json(err.status, {"type": "error", "error": {"type": err.kind, "message": err.message},
                                    "request_id": request_id}, {"request-id": request_id, **err.headers})

    def _api_key(self) -> str | None:
        """``x-api-key`` (the classic header) or ``Authorization: Bearer`` (what SDK 2.x sends)."""
        auth = self.headers.get("Authorization") or ""
        return self.headers.get("x-api-key") or (auth[7:].strip() if auth.lower().startswith("bearer ") else None)

    def _check(self, body: Any) -> None:
        key = self._api_key()
        if not key:
            raise ApiError(401, "authentication_error", "x-api-key header is required")
        if key in (self.state.faults.get("invalid_keys") or []):
            raise ApiError(401, "authentication_error", "invalid x-api-key")
        if not self.headers.get("anthropic-version"):
            raise ApiError(400, "invalid_request_error", "anthropic-version: header is required")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            raise ApiError(400, "invalid_request_error", "messages: Field required")
        if not isinstance(body.get("model"), str) or not isinstance(body.get("max_tokens"), int):
            raise ApiError(400, "invalid_request_error", "model and max_tokens: Field required")

    def _injected(self) -> None:
        delay = float(self.state.faults.get("delay_s") or 0)
        if delay:
            time.sleep(delay)
        if self.state.take("overloaded"):
            raise ApiError(529, "overloaded_error", "Overloaded")
        if self.state.take("rate_limited"):
            raise ApiError(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute "
                           "rate limit", {"retry-after": "0"})
        if self.state.take("server_error"):
            raise ApiError(500, "api_error", "Internal server error")

    def messages(self) -> None:
        raw = self.read_body()
        request_id = "req_01" + hashlib.sha256(raw + str(len(self.state.log)).encode()).hexdigest()[:22]
        entry: dict[str, Any] = {"n": len(self.state.log) + 1, "path": self.path_only, "status": 200}
        self.state.log.append(entry)
        if self.state.take("hang_up"):
            entry["status"] = "hang_up"
            self.close_connection = True
            return
        try:
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError as exc:
                raise ApiError(400, "invalid_request_error", f"invalid JSON body: {exc.msg}") from exc
            self._check(body)
            self._injected()
            try:
                convo = Conversation(body)
            except (KeyError, TypeError, AttributeError, ValueError) as exc:
                raise ApiError(400, "invalid_request_error", f"messages: malformed ({exc!r})") from exc
            convo.validate()
            content, stop_reason = convo.reply(self.state)
        except ApiError as err:
            entry["status"] = err.status
            self._error(err, request_id)
            return
        uncached, created, read = cache_usage(body, self.state)
        usage = {"input_tokens": uncached, "cache_creation_input_tokens": created, "cache_read_input_tokens": read,
                 "output_tokens": tokens(content), "service_tier": "standard"}
        message = {"id": "msg_01" + _digest(body)[:22], "type": "message", "role": "assistant",
                   "model": body["model"], "content": content, "stop_reason": stop_reason, "stop_sequence": None,
                   "usage": usage}
        entry.update(stream=bool(body.get("stream")), model=body["model"], products=convo.product_ids,
                     stop_reason=stop_reason, usage=usage, messages=len(body["messages"]),
                     tool_calls=[[b["name"], b["input"]["product_id"]] for b in content if b["type"] == "tool_use"])
        if body.get("stream"):
            self._stream(message, request_id)
        else:
            self.send_json(200, message, {"request-id": request_id})

    def _stream(self, message: dict[str, Any], request_id: str) -> None:
        self.send_response(200)
        for name, value in (("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache"),
                            ("Transfer-Encoding", "chunked"), ("request-id", request_id)):
            self.send_header(name, value)
        self.end_headers()

        def event(kind: str, data: dict[str, Any]) -> None:
            chunk = f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")

        usage = message["usage"]
        start = {**message, "content": [], "stop_reason": None,
                 "usage": {**usage, "output_tokens": 1}}
        event("message_start", {"type": "message_start", "message": start})
        event("ping", {"type": "ping"})
        for i, block in enumerate(message["content"]):
            if block["type"] == "text":
                event("content_block_start", {"type": "content_block_start", "index": i,
                                              "content_block": {"type": "text", "text": ""}})
                text = block["text"]
                for j in range(0, len(text), 64):
                    event("content_block_delta", {"type": "content_block_delta", "index": i,
                                                  "delta": {"type": "text_delta", "text": text[j:j + 64]}})
                    if i == 0 and j == 0 and self.state.take("stream_error"):
                        event("error", {"type": "error", "error": {"type": "overloaded_error",
                                                                    "message": "Overloaded"}})
                        self.wfile.write(b"0\r\n\r\n")
                        return
            else:
                event("content_block_start", {"type": "content_block_start", "index": i,
                                              "content_block": {**block, "input": {}}})
                partial = json.dumps(block["input"])
                for j in range(0, len(partial), 16):
                    event("content_block_delta", {"type": "content_block_delta", "index": i,
                                                  "delta": {"type": "input_json_delta",
                                                            "partial_json": partial[j:j + 16]}})
            event("content_block_stop", {"type": "content_block_stop", "index": i})
        event("message_delta", {"type": "message_delta",
                                "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                                "usage": {"output_tokens": usage["output_tokens"]}})
        event("message_stop", {"type": "message_stop"})
        self.wfile.write(b"0\r\n\r\n")

    def count_tokens(self) -> None:
        body = self.read_json()
        try:
            self._check({**(body or {}), "max_tokens": 1})
        except ApiError as err:
            self._error(err, "req_count")
            return
        uncached, created, read = cache_usage({**body, "model": "count:" + str(body.get("model"))}, FakeState())
        self.send_json(200, {"input_tokens": uncached + created + read})

    def models(self) -> None:
        ids = ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-5"]
        data = [{"type": "model", "id": i, "display_name": i, "created_at": "2025-09-29T00:00:00Z"} for i in ids]
        self.send_json(200, {"data": data, "has_more": False, "first_id": ids[0], "last_id": ids[-1]})

    def set_faults(self) -> None:
        with self.state.lock:
            self.state.faults.update(self.read_json() or {})
            faults = dict(self.state.faults)
        self.send_json(200, {"faults": faults})

    def reset(self) -> None:
        self.read_body()
        with self.state.lock:
            self.state.faults.clear()
            self.state.cache.clear()
            self.state.log.clear()
        self.send_json(200, {"reset": True})

    def get_log(self) -> None:
        self.send_json(200, {"requests": self.state.log})


def build_server(host: str = "127.0.0.1", port: int = 0, *, min_cache_tokens: int = 1024,
                 **faults: Any) -> FakeServer:
    unknown = set(faults) - {*COUNTED_FAULTS, "delay_s", "invalid_keys"}
    if unknown:
        raise ValueError(f"unknown fake anthropic options: {', '.join(sorted(unknown))}")
    state = FakeState(faults=dict(faults), min_cache_tokens=min_cache_tokens)
    server = serve(AnthropicHandler, host, port, state=state)
    server.state = state  # type: ignore[attr-defined]  # tests read the log and set faults in-process
    return server
