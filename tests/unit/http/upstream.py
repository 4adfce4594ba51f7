#!/usr/bin/env python3
"""An HTTP/1.1 upstream on 127.0.0.1 for the OutboundClient tests.

Prints its port on the first line of stdout, then serves until killed:
  /echo            200; body = request body; X-Method, X-Path and
                   X-Echo-<name> for every request header
  /sleep?ms=N      waits N ms, then 200 "slept"
  /big?n=N[&chunked=1]  N bytes of 'b' (Content-Length, or chunked)
  /redirect        302 to /echo
"""
import socketserver
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/echo":
            headers = [("X-Method", self.command), ("X-Path", self.path)]
            headers += [("X-Echo-" + k, v) for k, v in self.headers.items()]
            self.reply(200, body, headers)
        elif url.path == "/sleep":
            time.sleep(int(q.get("ms", ["1000"])[0]) / 1000)
            self.reply(200, b"slept")
        elif url.path == "/big":
            n = int(q.get("n", ["0"])[0])
            if q.get("chunked"):
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for start in range(0, n, 4096):
                    chunk = b"b" * min(4096, n - start)
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.reply(200, b"b" * n)
        elif url.path == "/redirect":
            self.reply(302, b"moved", [("Location", "/echo")])
        else:
            self.reply(404, b"not found")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
