#!/usr/bin/env bash
# PNG and JPEG images (issue 27), made here with python3-pil:
#   bad      a small image folder (synthetic): trains, records its image
#            size, predicts; every bad input is one "lnn:" line
#   mnist    1000 MNIST test digits resized x3, inverted and made RGB, as
#            PNG and JPEG: lnn predict --invert auto gives the class of the
#            28x28 original for >= 95 % of them ($LNN_DATA, with-data.sh)
#   fashion  Fashion-MNIST as an image folder (3000 training, 1000
#            validation, 2000 test PNGs): trains to the accuracy of the same
#            images as IDX files, within 1 point (and, PNG being lossless
#            and the order the same, to the same network)
# Usage: test_images.sh LNN_BINARY MODE
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh" "$1"
MODE=$2
need_python PIL numpy
cd "$WORK"

# IDX reading for the data modes: idx(name) -> array.
IDX_PY='
import gzip, os, sys
import numpy as np
from PIL import Image
d = os.environ.get("LNN_DATA", "")
def idx(name, offset):
    for p, op in ((os.path.join(d, name), open), (os.path.join(d, name + ".gz"), gzip.open)):
        if os.path.exists(p):
            with op(p, "rb") as f:
                return np.frombuffer(f.read(), np.uint8, offset=offset)
'

bad() {
    # two classes of 12x10 images: a light bar on the left or the right
    $PY - <<'PY'
import os
import numpy as np
from PIL import Image
rng = np.random.default_rng(1)
for c, name in enumerate(['left', 'right']):
    os.makedirs('imgs/' + name)
    for i in range(40):
        a = rng.integers(0, 40, size=(10, 12)).astype(np.uint8)
        a[:, 6 * c:6 * c + 6] += 200
        ext = 'png' if i % 2 else 'jpg'
        Image.fromarray(a).convert('RGB' if i % 3 else 'L').save('imgs/%s/%02d.%s' % (name, i, ext))
open('imgs/left/README.txt', 'w').write('not an image\n')
open('imgs/left/notes.jpg', 'w').write('a text file named .jpg\n')
open('imgs/right/cut.png', 'wb').write(open('imgs/right/01.png', 'rb').read()[:60])
os.makedirs('imgs/.hidden')              # ignored, as are files in imgs/
open('imgs/LICENSE', 'w').write('x\n')
os.makedirs('one/only')
Image.fromarray(np.zeros((5, 5), np.uint8)).save('one/only/a.png')
os.makedirs('empty/a'); os.makedirs('empty/b')
Image.fromarray(np.zeros((5, 5), np.uint8)).save('empty/a/a.png')
os.makedirs('text/a'); os.makedirs('text/b')
open('text/a/x.txt', 'w').write('x\n'); open('text/b/y.csv', 'w').write('1,2\n')
big = np.zeros((300, 360), np.uint8); big[:, 180:] = 230   # "right", x30
Image.fromarray(big).save('big.png')
Image.fromarray(255 - big).convert('RGB').save('big_dark_on_light.jpg', quality=95)
PY
    local run=(--epochs 30 --layers 120,16,2 --seed 2 --threads 2)
    expect 0 "skipped 3 files: 2 not PNG or JPEG \(first: left/README.txt\), 1 undecodable \(first: imgs/right/cut.png: cannot decode PNG" \
        "$LNN" train --data imgs --image-size 12x10 "${run[@]}" --save m.lnn
    grep -q "images of 12x10, 2 classes" out || fail "no dataset line: $(cat out)"
    checks=$((checks + 1))
    grep -q "^test_loss=.* test_acc=1.0000" out || fail "not learned: $(tail -1 out)"
    checks=$((checks + 1))
    expect 0 "" "$LNN" predict --model m.lnn big.png
    grep -q "^big.png: right " out || fail "big.png: $(cat out)"
    expect 0 "" "$LNN" predict --model m.lnn --invert auto big_dark_on_light.jpg
    grep -q "^big_dark_on_light.jpg: right " out || fail "auto: $(cat out)"
    expect 0 "" "$LNN" predict --model m.lnn --invert yes big_dark_on_light.jpg
    grep -q ": right " out || fail "yes: $(cat out)"
    expect 0 "" "$LNN" eval --model m.lnn --data imgs
    grep -q "accuracy 100.00%" out || fail "eval: $(cat out)"
    checks=$((checks + 1))
    # undecodable inputs: named, the others still predicted, exit 1
    expect 1 "imgs/left/notes.jpg: not a PNG or JPEG image" \
        "$LNN" predict --model m.lnn imgs/left/notes.jpg big.png
    expect 1 "imgs/right/cut.png: cannot decode PNG" \
        "$LNN" predict --model m.lnn big.png imgs/right/cut.png
    grep -q "^big.png: right " out || fail "not gone on: $(cat out)"
    checks=$((checks + 1))
    expect 2 "--invert: 'maybe'" "$LNN" predict --model m.lnn --invert maybe big.png
    expect 2 "--image-size: '28'" "$LNN" train --data imgs --image-size 28
    expect 2 "--image-size" "$LNN" train --data imgs --image-size 0x5
    expect 1 "one class folder \(only\): training needs at least 2 classes" \
        "$LNN" train --data one --epochs 1
    expect 1 "empty/b: no PNG or JPEG images in this class folder" \
        "$LNN" train --data empty --epochs 1
    expect 1 "text: no PNG or JPEG images in its 2 class folders \(2 other files" \
        "$LNN" train --data text --epochs 1
    # another size, recorded in the model and used by predict
    expect 0 "" "$LNN" train --data imgs --image-size 8x8 "${run[@]}" --layers 64,16,2 -q --save small.lnn
    expect 0 "" "$LNN" predict --model small.lnn big.png
    grep -q "^big.png: right " out || fail "8x8: $(cat out)"
    # a table model of 5 inputs has no image size
    printf 'a,b,c,d,e,label\n1,2,3,4,5,x\n5,4,3,2,1,y\n1,2,3,4,4,x\n5,4,3,2,2,y\n' >t.csv
    expect 0 "" "$LNN" train --data t.csv --val 0 --test 0 --epochs 1 -q --save t.lnn
    expect 1 "big.png: the model takes 5 inputs and records no image size" \
        "$LNN" predict --model t.lnn big.png
}

mnist() {
    $PY - <<PY
$IDX_PY
X = idx("t10k-images-idx3-ubyte", 16).reshape(-1, 28, 28)[:1000]
os.makedirs("digits")
for i, a in enumerate(X):
    im = Image.fromarray(255 - a).resize((84, 84), Image.BILINEAR).convert("RGB")
    im.save("digits/%04d.png" % i)
    im.save("digits/%04d.jpg" % i, quality=90)
PY
    expect 0 "" "$LNN" train --train-subset 20000 --epochs 3 --seed 1 -q --save m.lnn
    "$LNN" predict --model m.lnn "$LNN_DATA"/t10k-images-idx3-ubyte* |
        head -1000 | awk '{print $2}' >want
    for ext in png jpg; do
        expect 0 "" "$LNN" predict --model m.lnn --invert auto digits/*."$ext"
        awk '{print $2}' out >got
        same=$(paste want got | awk '$1 == $2' | wc -l)
        echo "$ext: $same of 1000 as the 28x28 originals"
        checks=$((checks + 1))
        [ "$same" -ge 950 ] || fail "$ext: $same of 1000 as the originals"
    done
}

fashion() {
    # the same images as PNG files (class folders 0_t-shirt .. 9_boot, which
    # sort as the IDX classes) and as IDX files in the folder's order
    $PY - <<PY
$IDX_PY
X = idx("train-images-idx3-ubyte", 16).reshape(-1, 28, 28)
y = idx("train-labels-idx1-ubyte", 8)
Xt = idx("t10k-images-idx3-ubyte", 16).reshape(-1, 28, 28)
yt = idx("t10k-labels-idx1-ubyte", 8)
names = ["0_t-shirt", "1_trouser", "2_pullover", "3_dress", "4_coat",
         "5_sandal", "6_shirt", "7_sneaker", "8_bag", "9_boot"]
def folder(d, X, y):
    order = np.argsort(y, kind="stable")   # the folder's order: by class
    for n in names:
        os.makedirs(os.path.join(d, n))
    for i in order:
        Image.fromarray(X[i]).save("%s/%s/%05d.png" % (d, names[y[i]], i))
    return X[order], y[order]
parts = [folder("train", X[:3000], y[:3000]), folder("val", X[3000:4000], y[3000:4000]),
         folder("test", Xt[:2000], yt[:2000])]
os.makedirs("idx")
def write(name, a, magic, dims):
    with open("idx/" + name, "wb") as f:
        f.write(np.array([magic] + dims, ">u4").tobytes() + a.tobytes())
Xi = np.concatenate([parts[0][0], parts[1][0]]); yi = np.concatenate([parts[0][1], parts[1][1]])
write("train-images-idx3-ubyte", Xi, 2051, [len(Xi), 28, 28])
write("train-labels-idx1-ubyte", yi, 2049, [len(yi)])
write("t10k-images-idx3-ubyte", parts[2][0], 2051, [2000, 28, 28])
write("t10k-labels-idx1-ubyte", parts[2][1], 2049, [2000])
PY
    local run=(--epochs 5 --seed 3 -q)
    expect 0 "" "$LNN" train --data idx --val 1000 "${run[@]}" --save idx.lnn
    local idx_acc img_acc
    idx_acc=$(grep -o 'test_acc=[0-9.]*' out | cut -d= -f2)
    expect 0 "" "$LNN" train --data train --val-data val --test-data test "${run[@]}" --save img.lnn
    img_acc=$(grep -o 'test_acc=[0-9.]*' out | cut -d= -f2)
    echo "Fashion-MNIST, 3000 images: IDX test_acc=$idx_acc, image folder test_acc=$img_acc"
    checks=$((checks + 1))
    awk -v a="$idx_acc" -v b="$img_acc" 'BEGIN { d = a - b; exit !(d <= 0.01 && d >= -0.01) }' ||
        fail "image folder $img_acc, IDX $idx_acc"
    # the same samples in the same order: the same network, bit for bit
    checks=$((checks + 1))
    $PY "$HERE/same_params.py" idx.lnn img.lnn || fail "not IDX's network"
    expect 0 "" "$LNN" eval --model img.lnn --data test
    grep -q "accuracy" out || fail "eval: $(cat out)"
    checks=$((checks + 1))
}

case $MODE in
bad) bad ;;
mnist) mnist ;;
fashion) fashion ;;
*) echo "test_images.sh: unknown mode $MODE" >&2; exit 2 ;;
esac
echo "test_images ($MODE): $checks checks, $fails failed"
[ "$fails" = 0 ]
