#!/bin/bash
# The six compression built-ins of round 6 (models/{te-fusion,kangaroo,pllava,pre-encoder,qformer}-k4, none-k1):
# one te-fusion encoder trained by a per-category curriculum, then each other method started from it
# (train.py --base: warm_start + pass_through) and given the same last stage. About 4,400 te-fusion steps plus
# 600 per other method, one thread each (~1-2.5 s a step on this 2-core machine; none-k1 is the slowest).
# Usage: bash py/recipes/builtins-r6.sh WORKDIR   (run from the repository root; writes WORKDIR/ck and models/)
set -euo pipefail
W=${1:?usage: builtins-r6.sh WORKDIR}
mkdir -p "$W/ck"
SRC="kinema synth --preset motionbench --n 24000 --seed 4101; kinema shards --frames 32 --size 48"
[ -d "$W/tr" ] || npx kinema synth --preset motionbench --n 24000 --seed 4101 --out "$W/tr"
[ -d "$W/tr-s" ] || npx kinema shards --data "$W/tr" --frames 32 --size 48 --out "$W/tr-s"
[ -d "$W/te" ] || npx kinema synth --preset motionbench --n 1200 --seed 6006 --out "$W/te"
[ -d "$W/te-s" ] || npx kinema shards --data "$W/te" --frames 32 --size 48 --out "$W/te-s"
T() { OMP_NUM_THREADS=1 PYTHONPATH=py /usr/bin/python3 -m kinema_py.train --aux 1 --balanced --threads 1 \
  --eval-every 200 --train "$W/tr-s" --test "$W/te-s" --source "$SRC" "$@"; }
C="$W/ck"
# te-fusion: mixed from scratch, then continued; then Repetition Count alone, Location-related Motion alone,
# mixed again, and alternating one-category batches.
T --method te-fusion --k 4 --frames 32 --dim 48 --stem conv --head match --steps 1000 --lr 2e-3 --out "$C/s1.pt"
T --init "$C/s1.pt" --steps 1000 --lr 1e-3 --out "$C/s2.pt"
T --init "$C/s2.pt" --steps 500 --lr 1e-3 --categories "Repetition Count" --out "$C/s3.pt"
T --init "$C/s3.pt" --steps 300 --lr 1e-3 --categories "Location-related Motion" --out "$C/s4.pt"
T --init "$C/s4.pt" --steps 1000 --lr 5e-4 --out "$C/s5.pt"
T --init "$C/s5.pt" --steps 600 --lr 5e-4 --alternate --out "$C/te-fusion-k4.pt"
# the other five: from s5 (te-fusion after the curriculum), the same last stage in their own method
for m in kangaroo pllava pre-encoder qformer; do
  T --base "$C/s5.pt" --method $m --k 4 --steps 600 --lr 5e-4 --alternate --out "$C/$m-k4.pt"
done
T --base "$C/s5.pt" --method none --k 1 --steps 600 --lr 5e-4 --alternate --out "$C/none-k1.pt"
mkdir -p "$W/final"
for n in te-fusion-k4 kangaroo-k4 pllava-k4 pre-encoder-k4 qformer-k4 none-k1; do cp "$C/$n.pt" "$W/final/"; done
PYTHONPATH=py /usr/bin/python3 -m kinema_py.builtins --ckpts "$W/final" --test "$W/te-s" --out models
