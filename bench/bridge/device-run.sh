#!/bin/bash
# The device call (README.md "Device runs"): run from the repo root on the GPU machine as
#   bash .devwork/bridge/device-run.sh A|B     (A: profile, the 1-GPU runs, fold, CPU meshes; B: memory variants)
# Every script prints one JSON line; they are collected under $OUT. PYTHONUNBUFFERED so a timeout keeps the lines.
cd "$(dirname "$0")"
export PYTHONUNBUFFERED=1 NCCL_NVLS_ENABLE=0
T0=$(date +%s); left() { echo $(( $1 - ($(date +%s) - T0) )); }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
python3 -c "import jax; print('jax', jax.__version__, jax.devices())"
if [ "${1:-A}" = A ]; then
  for f in scripts/gpt-350M_*.py scripts/gpt-1.3B_*.py; do
    echo "== $f"; timeout 120 python3 "$f" --out "$OUT/h100x1-runs.jsonl" 2>&1 | tail -2
  done
  echo "== profile"; timeout "$(left 420)" python3 profile.py "$OUT/h100x1-profile.json" 2>&1 | tail -2
  echo "== fold"; timeout 90 python3 scripts/fold_gpt-350M_b8_pp2.py --fold --out "$OUT/fold.jsonl" 2>&1 | tail -2
  for f in scripts/cpu_*.py; do
    [ "$(left 570)" -lt 30 ] && break
    echo "== $f"; JAX_PLATFORMS=cpu XLA_FLAGS=--xla_force_host_platform_device_count=8 timeout 45 python3 "$f" --steps 2 --warmup 1 --out "$OUT/cpu.jsonl" 2>&1 | tail -2
  done
else
  # What XLA is given (bytes_limit) and holds (peak_bytes_in_use; compiled memory_analysis) under each allocator setting.
  for f in scripts/gpt-760M_b8_remat-off.py scripts/gpt-350M_b16_remat-off.py scripts/gpt-1.3B_b8_remat-off.py scripts/gpt-350M_b8_remat-off.py; do
    for v in MESHPLAN_ALLOCATOR=default XLA_PYTHON_CLIENT_PREALLOCATE=false XLA_PYTHON_CLIENT_MEM_FRACTION=0.95 XLA_PYTHON_CLIENT_ALLOCATOR=platform; do
      [ "$(left 570)" -lt 45 ] && break 2
      echo "== $v $f"; env $v timeout 100 python3 "$f" --steps 3 --warmup 1 --out "$OUT/memory.jsonl" 2>&1 | tail -1
    done
  done
fi
echo "done in $(( $(date +%s) - T0 )) s"
