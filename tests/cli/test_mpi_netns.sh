#!/usr/bin/env bash
# lnn-mpi across two "hosts" on one machine: two Linux network namespaces
# this script creates, joined by a veth pair on a private subnet inside
# them (nothing outside the namespaces is touched), each process in its
# own namespace with its own host name, talking over TCP only. The model
# must be the one the same job makes in shared memory on one host.
# Needs root, ip and unshare; skipped (77) without them or without mpirun.
# Usage: test_mpi_netns.sh LNN_MPI
set -u
LNN_MPI=$1
[ "$(id -u)" = 0 ] || { echo "not root: skipped"; exit 77; }
for tool in ip unshare mpirun; do
    command -v "$tool" >/dev/null || { echo "$tool not found: skipped"; exit 77; }
done

WORK=$(mktemp -d)
# Names of this run's own namespaces and links (a veth name has at most 15
# characters); the subnet exists only inside them.
NS_A=lnnmpi-$$-a NS_B=lnnmpi-$$-b
VETH_A=lnnva$$ VETH_B=lnnvb$$
NET=10.213.77 # .1 in A, .2 in B: a /24 inside the two namespaces only
cleanup() {
    ip netns del "$NS_A" 2>/dev/null
    ip netns del "$NS_B" 2>/dev/null # deleting a namespace removes its veth end
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! ip netns add "$NS_A" 2>/dev/null; then
    echo "cannot create network namespaces here: skipped"
    exit 77
fi
ip netns add "$NS_B" &&
ip link add "$VETH_A" netns "$NS_A" type veth peer name "$VETH_B" netns "$NS_B" &&
ip -n "$NS_A" addr add "$NET.1/24" dev "$VETH_A" &&
ip -n "$NS_B" addr add "$NET.2/24" dev "$VETH_B" &&
ip -n "$NS_A" link set lo up && ip -n "$NS_B" link set lo up &&
ip -n "$NS_A" link set "$VETH_A" up && ip -n "$NS_B" link set "$VETH_B" up ||
    { echo "FAIL: setting up the namespaces" >&2; exit 1; }

# mpirun's remote shell: "agent HOST COMMAND..." runs COMMAND in HOST's
# namespace, under a host name of its own (so Open MPI sees two nodes).
cat >"$WORK/netns-rsh" <<EOF
#!/bin/sh
host=\$1
shift
case \$host in
$NET.1) ns=$NS_A name=lnn-host-a ;;
$NET.2) ns=$NS_B name=lnn-host-b ;;
*) echo "netns-rsh: unknown host \$host" >&2; exit 1 ;;
esac
exec ip netns exec "\$ns" unshare --uts sh -c "hostname \$name; \$*"
EOF
chmod +x "$WORK/netns-rsh"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# Open MPI's own allocations are never freed: no leak detection in a
# sanitizer build (only these processes run here).
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

python3 "$(dirname "$0")/make_dataset.py" "$WORK/data"
T=(train --data "$WORK/data" --val 100 --threads 1 -q --layers 16,12,10
   --optimizer adam --lr 0.01 --batch 32 --epochs 3)
fails=0

# One host, shared memory.
mpirun --bind-to none -np 2 "$LNN_MPI" "${T[@]}" --save "$WORK/shm.lnn" \
    >"$WORK/shm.out" 2>&1 || { echo "FAIL: shared-memory run:" >&2; cat "$WORK/shm.out" >&2; exit 1; }

# two_hosts CMD...: mpirun in A runs CMD as one process in A and one in B,
# TCP on the veth subnet only.
two_hosts() {
    ip netns exec "$NS_A" unshare --uts sh -c 'hostname lnn-host-a; exec "$@"' sh \
        mpirun --bind-to none --host "$NET.1:1,$NET.2:1" -np 2 \
        --mca plm_rsh_agent "$WORK/netns-rsh" \
        --mca btl tcp,self --mca btl_tcp_if_include "$NET.0/24" \
        --mca oob_tcp_if_include "$NET.0/24" "$@"
}
hosts=$(two_hosts hostname 2>&1 | sort | tr '\n' ' ')
if [ "$hosts" != "lnn-host-a lnn-host-b " ]; then
    echo "FAIL: the processes ran on '$hosts', not lnn-host-a and lnn-host-b" >&2
    exit 1
fi
two_hosts "$LNN_MPI" "${T[@]}" --save "$WORK/tcp.lnn" --check-replicas \
    >"$WORK/tcp.out" 2>&1 || { echo "FAIL: two-namespace run:" >&2; cat "$WORK/tcp.out" >&2; exit 1; }
cat "$WORK/tcp.out"

if cmp -s "$WORK/shm.lnn" "$WORK/tcp.lnn"; then
    echo "two namespaces over TCP: the same model as shared memory, to the bit"
else
    echo "FAIL: the two-namespace model differs from the shared-memory one" >&2
    fails=1
fi
[ "$fails" = 0 ]
