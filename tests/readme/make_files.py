#!/usr/bin/env python3
"""The files the README's examples read, made in the working directory from
real data sets (tests/readme/run_readme.py calls it):

  data/mnist/     MNIST's four files ($LNN_DATA), linked
  data/*          the checkout's own data/ files (digit.pgm, the fetch
                  scripts), linked
  data/penguins.csv  $LNN_PENGUINS, copied, when set
  docs/           where the plot example draws
  diabetes.csv, props.csv, ...
                  scikit-learn's tables (tests/cli/sklearn_tables.py)
  fashion/        the first 6000 Fashion-MNIST training images as PNG files
                  in one folder per class, and bag/notes.txt (not an image)
  photo.jpg       Fashion-MNIST's first test image (a boot), 200x200, dark
                  on light, RGB

Usage: make_files.py SOURCE_DIR FASHION_DIR"""
import gzip
import os
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image

IDX = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
       "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
FASHION_CLASSES = ("t-shirt", "trouser", "pullover", "dress", "coat",
                   "sandal", "shirt", "sneaker", "bag", "boot")
FASHION_FILES = 6000


def link_mnist(mnist):
    """data/mnist: a link to each file of $LNN_DATA; the .gz form of the
    test images made when only the raw one is there (data/README.md's
    command for digit.pgm reads it)."""
    os.makedirs("data/mnist")
    for name in os.listdir(mnist):
        os.symlink(os.path.join(mnist, name), os.path.join("data/mnist", name))
    gz = "data/mnist/t10k-images-idx3-ubyte.gz"
    if not os.path.exists(gz):
        with open(os.path.join(mnist, IDX[2]), "rb") as f, \
                gzip.open(gz, "wb") as out:
            shutil.copyfileobj(f, out)


def idx(directory, name, offset):
    """The bytes of an IDX file past its header, raw or gzipped."""
    for path, opener in ((os.path.join(directory, name), open),
                         (os.path.join(directory, name + ".gz"), gzip.open)):
        if os.path.exists(path):
            with opener(path, "rb") as f:
                return np.frombuffer(f.read(), np.uint8, offset=offset)
    sys.exit("make_files.py: no %s in %s" % (name, directory))


def fashion_folder(fashion):
    X = idx(fashion, IDX[0], 16).reshape(-1, 28, 28)[:FASHION_FILES]
    y = idx(fashion, IDX[1], 8)[:FASHION_FILES]
    for name in FASHION_CLASSES:
        os.makedirs(os.path.join("fashion", name))
    for i, (a, label) in enumerate(zip(X, y)):
        Image.fromarray(a).save("fashion/%s/%05d.png" %
                                (FASHION_CLASSES[label], i))
    with open("fashion/bag/notes.txt", "w") as f:
        f.write("not an image\n")
    photo = idx(fashion, IDX[2], 16).reshape(-1, 28, 28)[0]
    Image.fromarray(255 - photo).resize((200, 200), Image.BILINEAR) \
        .convert("RGB").save("photo.jpg", quality=90)


def main():
    source, fashion = sys.argv[1:3]
    link_mnist(os.environ["LNN_DATA"])
    if os.environ.get("LNN_PENGUINS"):
        shutil.copy(os.environ["LNN_PENGUINS"], "data/penguins.csv")
    for name in os.listdir(os.path.join(source, "data")):
        if not os.path.lexists(os.path.join("data", name)):
            os.symlink(os.path.join(source, "data", name),
                       os.path.join("data", name))
    os.makedirs("docs")
    tables = os.path.join(source, "tests/cli/sklearn_tables.py")
    subprocess.run([sys.executable, tables], check=True)
    fashion_folder(fashion)


if __name__ == "__main__":
    main()
