"""Serving in the foreground: the URL line first, Ctrl-C is a clean stop, the port is released."""

import signal
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.request import urlopen

from affiliate_assets.lib.serving import serve_until_interrupted


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_prints_the_url_serves_and_closes_on_interrupt(capsys, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    answered = []

    def forever(poll_interval=0.5):  # answer one real request, then behave like Ctrl-C
        client = threading.Thread(target=lambda: answered.append(urlopen(url, timeout=5).read()))
        client.start()
        server.handle_request()
        client.join(timeout=5)
        raise KeyboardInterrupt

    port = server.server_address[1]
    url = f"http://127.0.0.1:{port}/"
    monkeypatch.setattr(server, "serve_forever", forever)
    serve_until_interrupted(server, "GET /")
    assert capsys.readouterr().out == f"http://127.0.0.1:{port}  (GET /)\n"
    assert answered == [b"ok"]
    assert server.socket.fileno() == -1  # closed
    with socket.socket() as s:  # and the port is free again
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))


def test_fake_command_line_stops_cleanly_on_sigint():
    proc = subprocess.Popen([sys.executable, "-m", "affiliate_assets.fakes", "speech", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err
