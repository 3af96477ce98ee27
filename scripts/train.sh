#!/usr/bin/env bash
# Train both diffusion models, then export them to models/drums and models/tonal.
#
#   npm run train                      # or: bash scripts/train.sh
#   TIME_BUDGET=40 bash scripts/train.sh
#
# Resumable: each run checkpoints every 500 steps into training/runs/<kind>/ckpt.pt;
# kill it at any moment and run the same command again to continue where it stopped
# (a finished run is only re-exported). Delete training/runs/<kind> to start over.
#
# Settings (measured on the 2-core CPU box, PyTorch 1.13, batch 32, 1 thread per model,
# both models training at once; see training/bench.py):
#   - Both models: channels 96,160,224, embed 256, groups 8, heads 4
#     -> 3.54 M parameters each, 7.1 MB float16 each, 14.1 MB for the pair (budget 16 MB).
#   - drums [128 mels x 64 frames] and tonal [128 x 128] run in parallel, one core each.
#   - --time-budget: after 150 steps the trainer measures its own speed and fixes the total
#     step count so the cosine lr schedule (peak 3e-4, warmup 300) ends within TIME_BUDGET
#     minutes; --max-minutes is a hard stop a little later (checkpointed, resumable).
#   - EMA 0.999 (ramped in), AdamW (wd 0.01), grad clip 1.0, v-prediction, uniform t,
#     condition dropout 0.15 each / 0.1 all (docs/model-spec.md §3).
#   - Export: EMA weights, float16, sampler dpmpp-2m, 10 steps, guidance 3.0.
# On a CUDA machine the same command works (device auto-detected); raise THREADS/steps there.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-/usr/bin/python3}
DATA=${DATA:-data/shards}
RUNS=${RUNS:-training/runs}
MODELS=${MODELS:-models}
TIME_BUDGET=${TIME_BUDGET:-80}          # minutes of training per model (both run at once)
MAX_MINUTES=${MAX_MINUTES:-$((TIME_BUDGET + 5))}
THREADS=${THREADS:-1}                   # per model
CHANNELS=${CHANNELS:-96,160,224}
EMBED=${EMBED:-256}
BATCH=${BATCH:-32}
LR=${LR:-3e-4}

for kind in drums tonal; do
  for split in train val; do
    if [[ ! -f "$DATA/${kind}_${split}.npy" || ! -f "$DATA/${kind}_${split}.json" ]]; then
      echo "train.sh: missing $DATA/${kind}_${split}.npy/.json (run: npm run dataset)" >&2
      exit 1
    fi
  done
done
"$PY" -c 'import torch' 2>/dev/null || { echo "train.sh: $PY has no torch (apt install python3-torch)" >&2; exit 1; }

mkdir -p "$RUNS"
train() {
  local kind=$1
  "$PY" -m training.train --kind "$kind" --data "$DATA" --run "$RUNS/$kind" \
    --channels "$CHANNELS" --embed "$EMBED" --groups 8 --heads 4 \
    --batch "$BATCH" --lr "$LR" --warmup 300 --steps 100000 \
    --time-budget "$TIME_BUDGET" --max-minutes "$MAX_MINUTES" \
    --threads "$THREADS" --ckpt-every 500 --val-every 500 --seed 0 2>&1 \
    | sed -u "s/^/[$kind] /" | tee -a "$RUNS/$kind.log"
}

echo "training drums and tonal in parallel (logs: $RUNS/drums.log, $RUNS/tonal.log)"
train drums & pid_d=$!
train tonal & pid_t=$!
status=0
wait "$pid_d" || status=$?
wait "$pid_t" || status=$?
if [[ $status -ne 0 ]]; then
  echo "train.sh: a training run failed (exit $status); rerun to resume" >&2
  exit "$status"
fi

for kind in drums tonal; do
  "$PY" -m training.export --run "$RUNS/$kind" --out "$MODELS/$kind"
done
du -ch "$MODELS"/drums/*.bin "$MODELS"/tonal/*.bin | tail -1
