#!/usr/bin/env bash
# Makes a CFD flow set on a Slurm cluster: a job array with one task per shard
# (cluster/flows-array.sbatch), then a merge job (cluster/flows-merge.sbatch)
# that Slurm starts only once every array task has succeeded.
#
# usage: cluster/submit-flows.sh [--dry-run] [SBATCH OPTION ...]
#   SBATCH OPTIONs, e.g. --account=proj --partition=cpu, go to both jobs.
#   --dry-run (or DRY_RUN=1) prints the two sbatch commands, submits nothing.
#   Settings come from the environment (N, SEED, NY, NX, NU, TOL, MAX_STEPS,
#   FAMILIES, WALL, SHARDS, OUT_DIR, FLOWS_FILE, IMAGE: see flows-array.sbatch);
#   the course's test set, for example: N=177 SEED=2017 cluster/submit-flows.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dry_run="${DRY_RUN:-0}"
options=()
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=1 ;;
    -h | --help) sed -n '2,11p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) options+=("$arg") ;;
  esac
done

SEED="${SEED:-2016}"
SHARDS="${SHARDS:-8}"
OUT_DIR="${OUT_DIR:-$PWD/flows-seed$SEED}"
FLOWS_FILE="${FLOWS_FILE:-$OUT_DIR/flows.npz}"
# sbatch hands this environment to both jobs, so they agree on these values.
export SEED SHARDS OUT_DIR FLOWS_FILE

if ! [[ "$SHARDS" =~ ^[1-9][0-9]*$ ]]; then
  echo "error: SHARDS must be a positive whole number, not '$SHARDS'" >&2
  exit 2
fi

# ${options[@]+...}: an empty array is "unbound" to `set -u` in bash before 4.4
array_cmd=(sbatch --parsable --array="0-$((SHARDS - 1))" ${options[@]+"${options[@]}"} "$here/flows-array.sbatch")
set_merge_cmd() {  # the merge submission, to start after array job $1
  merge_cmd=(sbatch --parsable --dependency="afterok:$1" --kill-on-invalid-dep=yes
    ${options[@]+"${options[@]}"} "$here/flows-merge.sbatch")
}

show() {  # a command, quoted so that it can be pasted into a shell
  printf '%q' "$1"
  shift
  printf ' %q' "$@"
  echo
}

if [ "$dry_run" != 0 ]; then  # the same steps as a script that can be pasted into a shell
  printf 'export SEED=%q SHARDS=%q OUT_DIR=%q FLOWS_FILE=%q\n' "$SEED" "$SHARDS" "$OUT_DIR" "$FLOWS_FILE"
  echo "ARRAY_JOB_ID=\$($(show "${array_cmd[@]}"))"
  set_merge_cmd ARRAY_JOB_ID
  line="$(show "${merge_cmd[@]}")"
  # shellcheck disable=SC2016  # not expanded here: the shell that runs the printed lines does
  id='"${ARRAY_JOB_ID%%;*}"'
  echo "${line/afterok:ARRAY_JOB_ID/afterok:$id}"
  exit 0
fi

array_out="$("${array_cmd[@]}")"
array_id="${array_out%%;*}"    # --parsable prints "id" or "id;cluster"
echo "flow array job: $array_id ($SHARDS tasks -> $OUT_DIR/part<k>.npz)"
set_merge_cmd "$array_id"
merge_out="$("${merge_cmd[@]}")"
echo "merge job:      ${merge_out%%;*} (starts when all $SHARDS tasks have succeeded -> $FLOWS_FILE)"
