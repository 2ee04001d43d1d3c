"""mnist_csv.py IDX_DIR OUT_DIR: MNIST as Kaggle-style CSV files
(header label,pixel0,...,pixel783): OUT_DIR/train.csv (60000 rows, ~110 MB)
and OUT_DIR/test.csv (10000 rows), for the load and training benchmarks
(data/README.md). Not committed: made in /tmp."""
import gzip
import os
import sys

import numpy as np


def idx(d, name, offset):
    for p, op in ((os.path.join(d, name), open),
                  (os.path.join(d, name + '.gz'), gzip.open)):
        if os.path.exists(p):
            with op(p, 'rb') as f:
                return np.frombuffer(f.read(), np.uint8, offset=offset)
    sys.exit('%s: no %s' % (d, name))


def write(path, X, y):
    with open(path, 'w') as f:
        f.write('label,' + ','.join('pixel%d' % i for i in range(784)) + '\n')
        for k in range(0, len(y), 1000):
            block = np.column_stack([y[k:k + 1000], X[k:k + 1000]])
            f.write('\n'.join(','.join(map(str, r)) for r in block.tolist()))
            f.write('\n')


d, out = sys.argv[1:3]
os.makedirs(out, exist_ok=True)
write(os.path.join(out, 'train.csv'),
      idx(d, 'train-images-idx3-ubyte', 16).reshape(-1, 784),
      idx(d, 'train-labels-idx1-ubyte', 8))
write(os.path.join(out, 'test.csv'),
      idx(d, 't10k-images-idx3-ubyte', 16).reshape(-1, 784),
      idx(d, 't10k-labels-idx1-ubyte', 8))
