#!/bin/bash
# The six compression built-ins of round 6 (models/{te-fusion,kangaroo,pllava,pre-encoder,qformer}-k4, none-k1),
# exactly as they were made: one te-fusion encoder trained by a per-category curriculum, first on world v2 with
# the camera swings of round 5 (--camera-swing 1), then a Camera Motion stage and a last stage on the round-6
# default (--camera-swing 2); each other method starts from the te-fusion state before that last stage
# (train.py --base: warm_start + pass_through) and gets the same last stage in its own method.
# About 4,700 te-fusion steps plus 600 per other method, one thread each (~1-2.5 s a step on a 2-core machine).
# Usage: bash py/recipes/builtins-r6.sh WORKDIR   (from the repository root; writes WORKDIR/... and models/)
set -euo pipefail
W=${1:?usage: builtins-r6.sh WORKDIR}
C="$W/ck"; mkdir -p "$C" "$W/final"
set_of() { # DIR N SEED SWING
  [ -d "$1" ] || npx kinema synth --preset motionbench --n "$2" --seed "$3" --camera-swing "$4" --out "$1"
  [ -d "$1-s" ] || npx kinema shards --data "$1" --frames 32 --size 48 --out "$1-s"
}
set_of "$W/tr1" 24000 4101 1   # training, swings x1 (rounds 3-5)
set_of "$W/te1" 1200 6006 1    # tuning, x1
set_of "$W/trcm" 6000 4102 2   # the Camera Motion stage's training set, x2
set_of "$W/tr2" 24000 4101 2   # training, x2 (the same clips as tr1 but for the camera)
set_of "$W/te2" 1200 6007 2    # tuning, x2
T() { # TRAIN TEST SOURCE args...
  local tr=$1 te=$2 src=$3; shift 3
  OMP_NUM_THREADS=1 PYTHONPATH=py /usr/bin/python3 -m kinema_py.train --aux 1 --balanced --threads 1 \
    --eval-every 200 --train "$tr-s" --test "$te-s" --source "$src; kinema shards --frames 32 --size 48" "$@"
}
S1="kinema synth --preset motionbench --n 24000 --seed 4101 --camera-swing 1"
SC="kinema synth --preset motionbench --n 6000 --seed 4102 --camera-swing 2"
S2="kinema synth --preset motionbench --n 24000 --seed 4101 --camera-swing 2"
T "$W/tr1" "$W/te1" "$S1" --method te-fusion --k 4 --frames 32 --dim 48 --stem conv --head match --steps 1000 --lr 2e-3 --out "$C/s1.pt"
T "$W/tr1" "$W/te1" "$S1" --init "$C/s1.pt" --steps 1000 --lr 1e-3 --out "$C/s2.pt"
T "$W/tr1" "$W/te1" "$S1" --init "$C/s2.pt" --steps 500 --lr 1e-3 --categories "Repetition Count" --out "$C/s3.pt"
T "$W/tr1" "$W/te1" "$S1" --init "$C/s3.pt" --steps 300 --lr 1e-3 --categories "Location-related Motion" --out "$C/s4.pt"
T "$W/tr1" "$W/te1" "$S1" --init "$C/s4.pt" --steps 1000 --lr 5e-4 --out "$C/s5.pt"
T "$W/trcm" "$W/te2" "$SC" --init "$C/s5.pt" --steps 300 --lr 1e-3 --categories "Camera Motion" --out "$C/s6.pt"
T "$W/tr2" "$W/te2" "$S2" --init "$C/s6.pt" --steps 600 --lr 5e-4 --alternate --out "$W/final/te-fusion-k4.pt"
for m in kangaroo pllava pre-encoder qformer; do
  T "$W/tr2" "$W/te2" "$S2" --base "$C/s6.pt" --method $m --k 4 --steps 600 --lr 5e-4 --alternate --out "$W/final/$m-k4.pt"
done
T "$W/tr2" "$W/te2" "$S2" --base "$C/s6.pt" --method none --k 1 --steps 600 --lr 5e-4 --alternate --out "$W/final/none-k1.pt"
PYTHONPATH=py /usr/bin/python3 -m kinema_py.builtins --ckpts "$W/final" --test "$W/te2-s" --out models
