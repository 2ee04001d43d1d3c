#!/bin/sh
# help2man.sh HELP2MAN LNN COMMAND VERSION OUT: the man page of
# "lnn COMMAND" (lnn-COMMAND.1), or of lnn itself when COMMAND is "lnn",
# made by help2man from its --help. Its one-line description is the one
# lnn --help gives; lnn.1 lists the commands' pages under SEE ALSO.
set -eu
help2man=$1 cmd=$3 version=$4 out=$5
lnn=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ "$cmd" = lnn ]; then
    name=lnn run=
    summary=$("$lnn" --help | sed -n 2p | sed 's/\.$//')
    commands=$("$lnn" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')
    printf '[SEE ALSO]\n' >"$dir/include"
    for c in $commands; do
        printf '.BR lnn-%s (1),\n' "$c"
    done | sed '$s/,$//' >>"$dir/include"
else
    name=lnn-$cmd run=$cmd
    # its line of lnn --help, and the lines that continue it
    summary=$("$lnn" --help | awk -v c="$cmd" '
        on && /^   *[^ ]/ && !/^  [a-z]/ { sub(/^ +/, ""); s = s " " $0; next }
        { on = 0 }
        $1 == c { sub(/^  [a-z]+ +/, ""); s = $0; on = 1 }
        END { print s }')
    printf '[SEE ALSO]\n.BR lnn (1)\n' >"$dir/include"
fi
cat >"$dir/$name" <<WRAPPER
#!/bin/sh
if [ "\$1" = --version ]; then echo "$name $version"; exit 0; fi
exec "$lnn" $run "\$@"
WRAPPER
chmod +x "$dir/$name"
"$help2man" --no-info --name="$summary" --include="$dir/include" \
    --output="$out" "$dir/$name"
