#!/usr/bin/env bash
# Starts JupyterLab inside a container, always with a token and never as root,
# without JupyterLab's news pop-up or update check (as `make lab` does).
#   JUPYTER_TOKEN   the token to use (a random one is made and printed if unset)
#   JUPYTER_PORT    the port inside the container (default 8888)
#   JUPYTER_IP      the address to bind inside the container (default 0.0.0.0,
#                   which Docker's -p 127.0.0.1:8888:8888 keeps on the host's
#                   loopback; Apptainer shares the host network: use 127.0.0.1)
# TensorBoard needs no port of its own: the notebooks start it on a free port
# of the container's 127.0.0.1 and show it through this one, behind the token
# (jupyter-server-proxy, at /proxy/<port>/). So one published port (Docker) or
# one SSH tunnel (ssh -L 8888:127.0.0.1:8888) reaches both; TENSORBOARD_PROXY_URL
# sends a hand-typed `%tensorboard` magic the same way.
# Process 1 of a container must reap the orphans that killed kernels, TensorBoard
# and worker processes leave behind. With `docker run --init` Docker's init does;
# without it this script is process 1, and it stays: it runs JupyterLab as its
# child, passes on Ctrl+C and `docker stop`, and reaps every orphan while it waits.
set -euo pipefail

if [ "$(id -u)" = 0 ]; then
  echo "Refusing to start JupyterLab as root: run the container as a normal user." >&2
  exit 1
fi
if [ -z "${JUPYTER_TOKEN:-}" ]; then
  JUPYTER_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
fi
export JUPYTER_TOKEN
export TENSORBOARD_PROXY_URL="${TENSORBOARD_PROXY_URL:-/proxy/%PORT%/}"
port=${JUPYTER_PORT:-8888}
ip=${JUPYTER_IP:-0.0.0.0}

echo "JupyterLab: http://127.0.0.1:${port}/lab?token=${JUPYTER_TOKEN}"
echo "TensorBoard opens below the notebook cells, through this same port."
lab=(jupyter lab --no-browser --ip="${ip}" --port="${port}" --ServerApp.port_retries=0
  --ServerApp.root_dir="${PWD}"
  --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate "$@")
if [ "$$" != 1 ]; then
  exec "${lab[@]}"
fi
"${lab[@]}" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
# `wait` returns early when a signal arrives; bash reaps adopted orphans as they exit.
status=0
while kill -0 "$child" 2>/dev/null; do
  wait "$child" && status=0 || status=$?
done
exit "$status"
