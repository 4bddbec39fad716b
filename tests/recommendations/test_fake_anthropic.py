"""The fake Messages API speaks the real protocol: the official SDK cannot tell it from the service."""

from __future__ import annotations

import anthropic
import pytest
import requests

from affiliate_assets.fakes.runtime import start_fake

TOOLS = [{"name": "get_commission", "description": "Commission of a product.",
          "input_schema": {"type": "object", "properties": {"product_id": {"type": "integer"}},
                           "required": ["product_id"]}}]
ASK = 'Recomende.\n{"reco_date": "2025-10-31", "product_ids": [11, 12]}'
SYSTEM = [{"type": "text", "text": "Você é um analista. " * 400, "cache_control": {"type": "ephemeral"}}]


@pytest.fixture
def fake():
    server = start_fake("anthropic")
    yield server
    server.stop()


def client(fake, key: str = "sk-ant-test", retries: int = 0) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=key, base_url=fake.base_url, max_retries=retries)


def test_tool_use_turn_then_answer_from_tool_results(fake):
    c = client(fake)
    first = c.messages.create(model="claude-sonnet-4-5", max_tokens=1024, tools=TOOLS, system=SYSTEM,
                              messages=[{"role": "user", "content": ASK}])
    assert first.stop_reason == "tool_use"
    uses = [b for b in first.content if b.type == "tool_use"]
    assert [(b.name, b.input) for b in uses] == [("get_commission", {"product_id": 11}),
                                                 ("get_commission", {"product_id": 12})]
    assert all(b.id.startswith("toolu_") for b in uses) and len({b.id for b in uses}) == 2
    assert first.usage.cache_creation_input_tokens > 0 and first.usage.cache_read_input_tokens == 0
    results = [{"type": "tool_result", "tool_use_id": b.id,
                "content": f'{{"commission_rate": 0.5, "earning_per_unit": {b.input["product_id"]}.0}}'}
               for b in uses]
    messages = [{"role": "user", "content": ASK}, {"role": "assistant", "content": first.content},
                {"role": "user", "content": results}]
    second = c.messages.create(model="claude-sonnet-4-5", max_tokens=1024, tools=TOOLS, system=SYSTEM,
                               messages=messages)
    assert second.stop_reason == "end_turn"
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    text = second.content[0].text
    assert '"product_id": 11' in text and '"product_id": 12' in text and "R$ 12,00" in text

    # Streaming gives the same message, event by event.
    with c.messages.stream(model="claude-sonnet-4-5", max_tokens=1024, tools=TOOLS, system=SYSTEM,
                           messages=messages) as stream:
        kinds = {event.type for event in stream}
        streamed = stream.get_final_message()
    assert {"message_start", "content_block_start", "content_block_stop", "message_stop"} <= kinds
    assert streamed.content[0].text == text and streamed.stop_reason == "end_turn"
    assert streamed.usage.output_tokens == second.usage.output_tokens


def test_protocol_errors_have_the_real_shapes(fake):
    hello = [{"role": "user", "content": "oi"}]
    first = client(fake).messages.create(model="m", max_tokens=10, tools=TOOLS,
                                         messages=[{"role": "user", "content": ASK}])
    with pytest.raises(anthropic.BadRequestError, match="tool_result"):
        client(fake).messages.create(model="m", max_tokens=10, tools=TOOLS, messages=[
            {"role": "user", "content": ASK}, {"role": "assistant", "content": first.content},
            {"role": "user", "content": "esqueci os resultados"}])
    fake.server.state.faults["invalid_keys"] = ["sk-bad"]
    with pytest.raises(anthropic.AuthenticationError):
        client(fake, key="sk-bad").messages.create(model="m", max_tokens=10, messages=hello)
    raw = requests.post(f"{fake.base_url}/v1/messages", json={"model": "m", "max_tokens": 5,
                        "messages": [{"role": "user", "content": "oi"}]}, headers={"x-api-key": "k"}, timeout=5)
    assert raw.status_code == 400
    assert raw.json()["type"] == "error" and raw.json()["error"]["type"] == "invalid_request_error"
    assert raw.headers["request-id"].startswith("req_")
    fake.server.state.faults["rate_limited"] = 1
    with pytest.raises(anthropic.RateLimitError) as caught:
        client(fake).messages.create(model="m", max_tokens=10, messages=hello)
    assert caught.value.response.headers["retry-after"] == "0"


def test_mid_stream_error_event_reaches_the_client(fake):
    fake.server.state.faults["stream_error"] = 1
    with pytest.raises(anthropic.APIStatusError, match="Overloaded"), client(fake).messages.stream(
            model="m", max_tokens=10, messages=[{"role": "user", "content": "oi"}]) as stream:
        stream.get_final_message()
