#!/bin/sh
# The real binary in a real terminal emulator (tmux): the screens match the
# scripted ones, a resize redraws at the new size, `y` puts the QEMU line on
# the clipboard through OSC 52 (tmux `set-clipboard on` turns it into a
# paste buffer), and the terminal is restored (alternate screen left, cursor
# shown, keypad off) after q, after SIGTERM and after Ctrl-C.
. "$top_srcdir/tests/tui-lib.sh"

for p in tmux pgrep infocmp; do
	command -v $p >/dev/null 2>&1 || { echo "SKIP: no $p"; exit 77; }
done
infocmp tmux-256color >/dev/null 2>&1 || { echo "SKIP: no tmux-256color terminfo"; exit 77; }

make_fixture ten64
sock=$tmp/tmux.sock
cat > "$tmp/tmux.conf" <<'CONF'
set -g set-clipboard on
set -g default-terminal tmux-256color
set -g history-limit 0
set -g status off
CONF
tm() {
	LC_ALL=C.UTF-8 tmux -u -S "$sock" -f "$tmp/tmux.conf" "$@"
}
trap 'tm kill-server >/dev/null 2>&1; rm -rf "$tmp"' EXIT

# start NAME: a window running vfioscope under a shell that reports its exit
# status; the shell traps SIGINT so that Ctrl-C reaches only the program.
start() {
	cmd="trap 'echo shell-got-int' INT; cd '$tmp' && env -u NO_COLOR LC_ALL=C.UTF-8 '$VFIOSCOPE' --sysroot ten64; echo rc=\$?; sleep 600"
	if tm has-session 2>/dev/null; then
		tm new-window -d -n "$1" "$cmd"
	else
		tm new-session -d -s t -n "$1" -x 80 -y 24 "$cmd"
	fi
	wait_for "$1" 'vfioscope  IOMMU on' || fail "$1: no first screen"
}
# wait_for WINDOW TEXT: up to 10 s for TEXT on the screen.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		tm capture-pane -p -t "t:$1" | grep -qF -- "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	tm capture-pane -p -t "t:$1" >&2
	return 1
}
# capture WINDOW NAME: the screen, trailing blanks dropped, into $tmp/out/NAME.
capture() {
	tm capture-pane -p -t "t:$1" | sed 's/ *$//' > "$tmp/out/$2"
}
# restored WINDOW: the terminal is back to normal.
restored() {
	modes=$(tm display -p -t "t:$1" '#{alternate_on} #{cursor_flag} #{keypad_flag}')
	[ "$modes" = "0 1 0" ] || fail "$1: terminal not restored (alternate, cursor, keypad: $modes)"
}

rm -rf "$tmp/out"
mkdir "$tmp/out"

# The screen of a real terminal is the scripted test's golden screen.
start main
tm send-keys -t t:main j j j j j j
wait_for main '7/26'
capture main qca
diff -u "$golden_dir/views-qca.screen" "$tmp/out/qca" || fail "tmux screen differs from views-qca"
tm resize-window -t t:main -x 100 -y 30
wait_for main 'q quit'
capture main 100x30
diff -u "$golden_dir/term-100x30.screen" "$tmp/out/100x30" || fail "tmux screen after resize differs"
tm resize-window -t t:main -x 80 -y 24

# y: the group of the two cards, as one QEMU line, on the clipboard.
tm send-keys -t t:main Tab Left Space y
wait_for main 'Copied the QEMU arguments'
qemu='-device pcie-root-port,id=vfio-rp-0001-03-00,bus=pcie.0,chassis=86,slot=1 -device vfio-pci,host=0001:03:00.0,id=hostdev-0001-03-00-0,bus=vfio-rp-0001-03-00,addr=00.0 -device pcie-root-port,id=vfio-rp-0001-04-00,bus=pcie.0,chassis=86,slot=2 -device vfio-pci,host=0001:04:00.0,id=hostdev-0001-04-00-0,bus=vfio-rp-0001-04-00,addr=00.0'
[ "$(tm show-buffer)" = "$qemu" ] || fail "clipboard: '$(tm show-buffer)'"

# q: exit status 0, terminal restored.
tm send-keys -t t:main Escape q
wait_for main 'rc=0' || fail "q: no exit status 0"
restored main

# SIGTERM and Ctrl-C: the program dies of the signal, terminal restored.
start term
pid=$(pgrep -P "$(tm display -p -t t:term '#{pane_pid}')" vfioscope)
kill -TERM "$pid"
wait_for term 'rc=143' || fail "SIGTERM: not rc=143"
restored term
start int
tm send-keys -t t:int C-c
wait_for int 'rc=130' || fail "Ctrl-C: not rc=130"
restored int
finish
