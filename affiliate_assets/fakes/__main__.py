"""``python -m affiliate_assets.fakes <name> --port N [--option key=value ...]``: serve one fake."""

from __future__ import annotations

import argparse
import json

from affiliate_assets.fakes import FAKES
from affiliate_assets.fakes.runtime import build_server
from affiliate_assets.lib.serving import serve_until_interrupted


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m affiliate_assets.fakes", description=__doc__)
    parser.add_argument("name", choices=sorted(FAKES))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--option", "-o", action="append", default=[], metavar="KEY=VALUE",
                        help="fake-specific option (JSON values accepted), repeatable")
    args = parser.parse_args(argv)
    options = dict(item.split("=", 1) for item in args.option)
    server = build_server(args.name, args.host, args.port, **{k: _value(v) for k, v in options.items()})
    serve_until_interrupted(server)


if __name__ == "__main__":
    main()
