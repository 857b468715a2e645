#!/usr/bin/env bash
# The GPU-node benchmark: SGLang + arollout on one machine, figures into one folder.
#
#   bash bench/gpu_node.sh MODEL_DIR [OUT_DIR]
#
# Environment: PORT (default 30000), TP (default 1), CONCURRENCY (default 2048),
# N (samples per task, default 8), SUITE (default ehr-demo), SGLANG_ARGS (extra
# launch_server flags, space-separated). Needs `pip install -e '.[sglang,hf]'`.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL=${1:?usage: bash bench/gpu_node.sh MODEL_DIR [OUT_DIR]}
OUT=${2:-bench/results/gpu-$(date -u +%Y%m%dT%H%M%SZ)}
PORT=${PORT:-30000}
TP=${TP:-1}
CONCURRENCY=${CONCURRENCY:-2048}
N=${N:-8}
SUITE=${SUITE:-ehr-demo}
PY=${PY:-.venv/bin/python}
URL=http://127.0.0.1:$PORT
mkdir -p "$OUT"

extra=()
for flag in ${SGLANG_ARGS:-}; do extra+=("--sglang-arg=$flag"); done
"$PY" -m arollout.cli serve sglang --model "$MODEL" --port "$PORT" --tp "$TP" "${extra[@]}" \
  >"$OUT/sglang.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT

echo "waiting for SGLang on $URL (log: $OUT/sglang.log)"
until curl -sf "$URL/health" >/dev/null; do
  kill -0 "$SERVER" 2>/dev/null || { echo "SGLang exited"; tail -30 "$OUT/sglang.log"; exit 1; }
  sleep 2
done

{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true; } >"$OUT/gpu.txt"
nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 1 >"$OUT/gpu-util.csv" 2>/dev/null &
SMI=$!
trap 'kill "$SMI" "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT

echo "== bench server (client overhead vs the server's own throughput)"
for c in 64 256 1024 "$CONCURRENCY"; do
  "$PY" -m arollout.cli bench server --url "$URL" --concurrency "$c" --requests $((c * 4)) --json \
    >"$OUT/server-c$c.json"
done

echo "== sample --concurrency $CONCURRENCY"
"$PY" -m arollout.cli sample --server "$URL" --tokenizer "$MODEL" --suite "$SUITE" \
  --concurrency "$CONCURRENCY" --n "$N" --out "$OUT/run" --no-progress >"$OUT/sample-summary.json"
"$PY" -m arollout.cli stats "$OUT/run" --json >"$OUT/stats.json"
cp "$OUT/run/metrics.jsonl" "$OUT/metrics.jsonl"
echo "figures in $OUT"
