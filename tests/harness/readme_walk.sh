#!/bin/bash
# Follows the README's "From a clone to a real terminal" as a newcomer would: its shell
# blocks, in order, in one shell ($1: the blocks, $2: a private folder used as $HOME), then
# `kiosk run --window` with the drill agent riding in it ($3: the script that plays a journey).
# Run it inside `unshare --mount --net`: the README's pcscd (vpcd on port 35963), city server
# (port 8080), cupsd, /run/kiosk tmpfs and the queue it adds stay private to this run.
set -euo pipefail
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
blocks=$1 home=$2 play=$3 repo=$(pwd)
ip link set lo up
# The machine's /run/pcscd and CUPS state, made private (the README's lpadmin writes /etc/cups).
mkdir -p "$home/.state/etc-cups" "$home/.state/spool-cups" "$home/.state/run-cups" /run/pcscd /run/cups
cp -a /etc/cups/. "$home/.state/etc-cups/"
# cups-pdf writes into ~/PDF of the user printing (root here): this run's home instead.
mkdir -p "$home/PDF"
sed -i -e "s|^#\?Out .*|Out $home/PDF|" -e "s|^#\?AnonDirName .*|AnonDirName $home/PDF|" \
  "$home/.state/etc-cups/cups-pdf.conf"
mount -t tmpfs tmpfs /run/pcscd
mount --bind "$home/.state/etc-cups" /etc/cups
mount --bind "$home/.state/spool-cups" /var/spool/cups
mount --bind "$home/.state/run-cups" /run/cups
mkdir -p /var/spool/cups/tmp
# What a Debian desk has running already: pcscd, cupsd, a display.
pcscd --foreground > "$home/.state/pcscd.log" 2>&1 &
cupsd -f > "$home/.state/cupsd.log" 2>&1 &
exec 5>"$home/.state/display"
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp > "$home/.state/xvfb.log" 2>&1 &
for _ in $(seq 50); do [ -s "$home/.state/display" ] && break; sleep 0.1; done
export DISPLAY=":$(cat "$home/.state/display")" HOME="$home"
sudo() { "$@"; }  # root here, as CI is
for _ in $(seq 50); do [ -S /run/pcscd/pcscd.comm ] && [ -S /run/cups/cups.sock ] && break; sleep 0.1; done
echo "=== the README's blocks"
# shellcheck disable=SC1090
source "$blocks"
echo "=== kiosk run"
python -c "import sys; sys.path.insert(0, '$repo'); import tests.harness.drill_agent as a; \
a.install('$home/.state/agent.sock'); from kiosk.cli import entry; entry()" run --window \
  > "$home/.state/kiosk.log" 2>&1 &
kiosk=$!
python "$play" "$home/.state/agent.sock"
for _ in $(seq 100); do [ -n "$(find "$home/PDF" -name '*.pdf')" ] && break; sleep 0.1; done
kill -TERM "$kiosk"
status=0
wait "$kiosk" || status=$?
echo "kiosk run exit $status"
echo "PDFs: $(find "$home/PDF" -name '*.pdf' 2>/dev/null | wc -l)"
