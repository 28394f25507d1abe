#!/usr/bin/env python3
"""The seed lab's internet servers, run inside the `internet` namespace.

HTTP on port 80 answers every GET with the client's address, so a test can see the source NAT44 chose;
echo on port 7 (RFC 862), UDP and TCP, sends back what it gets (a TCP echo connection stays open for as
long as the client keeps it, which is what a test of long-lived connections needs). All log each client.
"""
import http.server
import socket
import sys
import threading

ADDRESS = sys.argv[1] if len(sys.argv) > 1 else "203.0.113.51"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from %s: you are %s port %d\n" % (ADDRESS, self.client_address[0],
                                                        self.client_address[1])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        print("http %s %s" % (self.client_address[0], fmt % args), flush=True)


def udp_echo():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((ADDRESS, 7))
    while True:
        data, peer = sock.recvfrom(65535)
        print("udp-echo %s:%d %d bytes" % (peer[0], peer[1], len(data)), flush=True)
        sock.sendto(data, peer)


def tcp_echo_connection(conn, peer):
    print("tcp-echo %s:%d connected" % peer, flush=True)
    with conn:
        while True:
            data = conn.recv(65535)
            if not data:
                break
            conn.sendall(data)
    print("tcp-echo %s:%d closed" % peer, flush=True)


def tcp_echo():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((ADDRESS, 7))
    sock.listen(16)
    while True:
        conn, peer = sock.accept()
        threading.Thread(target=tcp_echo_connection, args=(conn, peer), daemon=True).start()


class WebServer(http.server.ThreadingHTTPServer):
    # socketserver's listen backlog of 5 overflowed under measure-forwarding.sh's 16 parallel curl loops (the
    # internet namespace's TcpExtListenOverflows): the server dropped SYNs and curl gave up after 5 s, which read
    # as the box losing requests. A real web server listens with a backlog in the hundreds.
    request_queue_size = 256


threading.Thread(target=udp_echo, daemon=True).start()
threading.Thread(target=tcp_echo, daemon=True).start()
WebServer((ADDRESS, 80), Handler).serve_forever()
