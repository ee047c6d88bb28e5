"""I/O-bound example for `ladder advise`: waits on a loopback socket and on sleeps, computes almost nothing."""

import socket
import threading
import time


def serve(listener: socket.socket) -> None:
    conn, _ = listener.accept()
    with conn:
        for _ in range(5):
            time.sleep(0.1)  # a slow peer
            conn.sendall(b"x" * 1024)


def main() -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    threading.Thread(target=serve, args=(listener,), daemon=True).start()
    received = 0
    with socket.create_connection(listener.getsockname()) as client:
        while received < 5 * 1024:
            chunk = client.recv(4096)
            if not chunk:
                break
            received += len(chunk)
    time.sleep(0.3)
    print(f"received {received} bytes")


if __name__ == "__main__":
    main()
