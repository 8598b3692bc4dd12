#!/bin/bash
# The built-ins of round 7: the six of round 6 (py/recipes/builtins-r6.sh, run first), then four more stages for
# te-fusion only, continuing from its round-6 state: Repetition Count alone (300 steps, lr 1e-3), one-category
# batches in turn (300, lr 2e-4, which keeps the count, unlike round 6's lr 5e-4 mixing), Camera Motion alone (100,
# lr 5e-4, which the count stage had cost) and the same 300 alternating steps again; then each other method starts
# from that te-fusion (--base: warm start + pass-through) and gets 400 alternating steps at lr 3e-4 in its own method.
# Usage: bash py/recipes/builtins-r7.sh WORKDIR   (from the repository root; writes WORKDIR/... and models/)
set -euo pipefail
W=${1:?usage: builtins-r7.sh WORKDIR}
[ -f "$W/final/none-k1.pt" ] || bash py/recipes/builtins-r6.sh "$W"
C="$W/ck7"; mkdir -p "$C"
T() { # args... (the round-6 default-world training set and tuning set)
  OMP_NUM_THREADS=1 PYTHONPATH=py /usr/bin/python3 -m kinema_py.train --aux 1 --balanced --threads 1 \
    --eval-every 200 --train "$W/tr2-s" --test "$W/te2-s" \
    --source "kinema synth --preset motionbench --n 24000 --seed 4101 --camera-swing 2; kinema shards --frames 32 --size 48" "$@"
}
[ -f "$C/te-fusion-r6.pt" ] || cp "$W/final/te-fusion-k4.pt" "$C/te-fusion-r6.pt"
T --init "$C/te-fusion-r6.pt" --steps 300 --lr 1e-3 --categories "Repetition Count" --out "$C/rc.pt"
T --init "$C/rc.pt" --steps 300 --lr 2e-4 --alternate --out "$C/rc-alt.pt"
T --init "$C/rc-alt.pt" --steps 100 --lr 5e-4 --categories "Camera Motion" --out "$C/cm.pt"
T --init "$C/cm.pt" --steps 300 --lr 2e-4 --alternate --out "$C/te-fusion-r7.pt"
for mk in "kangaroo 4" "pllava 4" "pre-encoder 4" "qformer 4" "none 1"; do
  set -- $mk
  T --base "$C/te-fusion-r7.pt" --method "$1" --k "$2" --frames 32 --dim 48 --stem conv --head match --steps 400 \
    --lr 3e-4 --alternate --out "$W/final/$1-k$2.pt"
done
cp "$C/te-fusion-r7.pt" "$W/final/te-fusion-k4.pt"
PYTHONPATH=py /usr/bin/python3 -m kinema_py.builtins --ckpts "$W/final" --test "$W/te2-s" --out models
