"""Running a small HTTP server in the foreground: what ``python -m affiliate_assets.fakes`` and the forecast
API do when started from a terminal, a Makefile or docker compose.

The URL goes to stdout first and flushed (scripts and tests wait for that line to know the port, which may
have been picked by the OS), then the server runs until Ctrl-C / SIGINT, which is a normal way to stop it
(no traceback), and the listening socket is always closed.
"""

from __future__ import annotations

from socketserver import BaseServer


def serve_until_interrupted(server: BaseServer, note: str = "") -> None:
    """Print ``http://host:port`` (and ``note``), serve until Ctrl-C, then close the socket."""
    host, port = server.server_address[:2]  # type: ignore[misc]
    try:  # a Ctrl-C right after the URL line (a script that read it and stops us) is still a clean stop
        print(f"http://{host}:{port}" + (f"  ({note})" if note else ""), flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
