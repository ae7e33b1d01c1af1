#!/usr/bin/env bash
# Rebuilds the evaluation datasets and runs every evaluation with the default model:
# real speech (../shared/eval-data), a small SYNTHETIC set, text-only NER, and a benchmark.
# Outputs go to build/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
EVAL_DATA=${EVAL_DATA:-../shared/eval-data}
leadscribe build-dataset "$EVAL_DATA" build/eval/standard
leadscribe synth build/eval/synthetic --calls "${SYNTH_CALLS:-6}" --seed "${SEED:-0}"
leadscribe eval build/eval/synthetic --out build/reports/synthetic
leadscribe eval build/eval/standard --out build/reports/standard
leadscribe eval --text-ner "$EVAL_DATA/rev-earnings21-22" --out build/reports/text-ner
leadscribe bench "$EVAL_DATA/pyannote-audio/sample.wav" "$EVAL_DATA/callytics-csvd/Call01.wav" --parallel 2 \
  --json build/reports/bench.json
