# The terminal of `make lab` (bash --rcfile tools/lab-shellrc.sh): the user's usual bash set-up
# first, then the course's venv first on PATH, so that `pytest`, `python` and `cnncourse` in this
# terminal are the course's whatever ~/.bashrc or /etc/profile put first.
[ -f /etc/bash.bashrc ] && . /etc/bash.bashrc
[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"
if [ -n "${CNNCOURSE_VENV:-}" ]; then
  export VIRTUAL_ENV="$CNNCOURSE_VENV"
  export PATH="$CNNCOURSE_VENV/bin:$PATH"
  PS1="(cnncourse) ${PS1:-\$ }"
fi
