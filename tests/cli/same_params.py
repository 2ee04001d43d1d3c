"""same_params.py A.lnn B.lnn: exit 0 if two model files hold the same
network, parameters and optimizer state (bytes 12 up to the end of the
optimizer state: everything but the format version, the version-2 prep
records and the CRC; docs/model-format.md)."""
import struct
import sys


def body(path):
    a = open(path, 'rb').read()
    L, = struct.unpack('<I', a[12:16])
    optimizer, = struct.unpack('<I', a[20:24])
    n_opts, = struct.unpack('<I', a[28:32])
    dims = struct.unpack('<%dQ' % (L + 1), a[80:80 + 8 * (L + 1)])
    P = sum(dims[l] * dims[l - 1] + dims[l] for l in range(1, L + 1))
    slots = {0: 0, 1: 1, 2: 1, 3: 2}[optimizer]
    end = 80 + 8 * (L + 1) + 16 * n_opts + 4 * P * (1 + slots)
    return a[12:end]


a, b = sys.argv[1:3]
if body(a) != body(b):
    print('%s and %s hold different networks' % (a, b), file=sys.stderr)
    sys.exit(1)
