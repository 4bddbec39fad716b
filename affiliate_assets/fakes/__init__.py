"""Local fake servers that speak the real protocols of the services we call.

Each fake is a module here exposing ``build_server(host, port, **options)`` that returns a server object
with ``serve_forever()``, ``shutdown()``, ``server_close()`` and ``server_address``. Start one on its own
with ``python -m affiliate_assets.fakes <name> --port N`` (it prints its base URL), or in-process with
:func:`affiliate_assets.fakes.runtime.start_fake` (tests, the offline demo).
"""

FAKES: dict[str, str] = {
    "hotmart": "affiliate_assets.fakes.hotmart",
    "social": "affiliate_assets.fakes.social",
    "speech": "affiliate_assets.fakes.speech",
    "anthropic": "affiliate_assets.fakes.anthropic",
    "shop": "affiliate_assets.fakes.shop",
}
