#!/bin/bash
# Writes the exported JAX scripts of bench/bridge's device runs into DIR (default .devwork/bridge/scripts), with
# profile.py and device-run.sh beside them: everything the device call needs (README.md "Device runs").
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${1:-.devwork/bridge}
mkdir -p "$DIR/scripts"
cp tools/profile-cluster/profile.py bench/bridge/device-run.sh "$DIR/"
x() { node bin/meshplan.mjs export --format jax "$@"; }
one="--cluster dgx-h100:1x1 --baseline dp --microbatches 1 --precision bf16-adam32 --runtime xla --seq 1024"
for m in gpt-350M:8 gpt-350M:16 gpt-1.3B:8 gpt-760M:8 gpt-760M:16 gpt-2.6B:8 gpt-1.3B:16; do
  for r in on off; do
    n=${m%%:*}; b=${m##*:}
    x --model zoo:$n --batch $b --remat $r $one -o "$DIR/scripts/${n}_b${b}_remat-${r}.py"
  done
done
# Rows the cost model was not fitted on (device-run.sh C): other sizes, micro-batch counts, precisions, a GQA family.
# Named MODEL_bB_remat-R[_mbM][_PRECISION] (bf16-adam32 and one micro-batch left out of the name).
for e in gpt-760M:8:on:1:bf16-adam32 gpt-760M:16:on:1:bf16-adam32 gpt-2.6B:8:on:1:bf16-adam32 gpt-1.3B:16:on:1:bf16-adam32 \
  gpt-350M:8:on:2:bf16-adam32 gpt-350M:16:off:4:bf16-adam32 gpt-350M:8:on:1:fp16-mixed gpt-350M:8:off:1:fp16-mixed \
  gpt-1.3B:8:on:1:bf16-mixed gpt-1.3B:8:on:1:fp16-mixed tinyllama-1.1B:8:on:1:bf16-adam32 tinyllama-1.1B:4:off:1:bf16-adam32; do
  IFS=: read -r n b r mb p <<<"$e"
  name=${n}_b${b}_remat-${r}; [ "$mb" != 1 ] && name=${name}_mb$mb; [ "$p" != bf16-adam32 ] && name=${name}_$p
  x --model zoo:$n --batch $b --remat $r --cluster dgx-h100:1x1 --baseline dp --microbatches $mb --precision $p --runtime xla --seq 1024 \
    -o "$DIR/scripts/$name.py"
done
# Two pipeline stages on one GPU (--fold puts both stage meshes on device 0).
x --model zoo:gpt-350M --cluster dgx-h100:1x2 --baseline megatron --dp 1 --tp 1 --pp 2 --remat on --microbatches 2 --batch 8 \
  --precision bf16-adam32 --runtime xla --seq 1024 -o "$DIR/scripts/fold_gpt-350M_b8_pp2.py"
# 2-8 device meshes on the CPU (virtual devices): sharding, ZeRO placement, multi-stage schedule, GQA.
t="--precision bf16-adam32 --runtime xla"
x --model zoo:gpt-tiny --cluster dgx-h100:1x8 $t -o "$DIR/scripts/cpu_gpt-tiny_searched8.py"
x --model zoo:gpt-tiny --cluster dgx-h100:1x8 --baseline megatron --dp 2 --tp 2 --pp 2 --microbatches 2 $t -o "$DIR/scripts/cpu_gpt-tiny_dp2tp2pp2.py"
x --model zoo:gpt-tiny --cluster dgx-h100:1x4 --baseline zero3 $t -o "$DIR/scripts/cpu_gpt-tiny_zero3x4.py"
x --model zoo:gpt-tiny --cluster dgx-h100:1x4 --baseline megatron --dp 1 --tp 2 --pp 2 --remat on $t -o "$DIR/scripts/cpu_gpt-tiny_tp2pp2.py"
x --model zoo:gpt-tiny --cluster dgx-h100:1x2 --baseline dp --microbatches 2 $t -o "$DIR/scripts/cpu_gpt-tiny_dp2_mb2.py"
x --model zoo:llama-tiny --cluster dgx-h100:1x4 $t -o "$DIR/scripts/cpu_llama-tiny_searched4.py"
x --model zoo:llama-tiny --cluster dgx-h100:1x8 --baseline megatron --dp 2 --tp 2 --pp 2 $t -o "$DIR/scripts/cpu_llama-tiny_dp2tp2pp2.py"
for f in "$DIR"/scripts/*.py; do python3 -m py_compile "$f"; done
rm -rf "$DIR/scripts/__pycache__"
ls "$DIR/scripts" | wc -l
