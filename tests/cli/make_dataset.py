#!/usr/bin/env python3
"""A learnable synthetic IDX dataset for the command-line tests: 10 classes
of 4x4 images, each class a bright pixel at its own place plus noise;
600 train images (gzip) + 100 test images (raw).
Usage: make_dataset.py DIR (created)"""
import gzip, os, random, struct, sys

d = sys.argv[1]
os.makedirs(d)
random.seed(5)


def write(name, count, gz):
    labels = [random.randrange(10) for _ in range(count)]
    pixels = bytearray()
    for y in labels:
        img = [random.randrange(40) for _ in range(16)]
        img[y] = 200 + random.randrange(56)
        pixels += bytes(img)
    images = struct.pack(">IIII", 0x803, count, 4, 4) + bytes(pixels)
    labs = struct.pack(">II", 0x801, count) + bytes(labels)
    op = gzip.open if gz else open
    with op(os.path.join(d, name + "-images-idx3-ubyte" + (".gz" if gz else "")), "wb") as f:
        f.write(images)
    with op(os.path.join(d, name + "-labels-idx1-ubyte" + (".gz" if gz else "")), "wb") as f:
        f.write(labs)


write("train", 600, True)
write("t10k", 100, False)
