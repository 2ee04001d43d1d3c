#!/usr/bin/env python3
"""Write scikit-learn's bundled tables as CSV files into the working
directory, for tests/cli/test_tasks.sh and the README's examples
(tests/readme): diabetes, cancer (breast_cancer), digits and wine, each
whole (NAME.csv) and split 80/20 (NAME-train.csv, NAME-test.csv); from
digits, props.csv (three 0/1 properties of each digit: multi-label) and
twice.csv (two numbers of each digit: several regression targets)."""
import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split

def write(path, names, rows):
    with open(path, 'w') as f:
        f.write(','.join(names) + '\n')
        for r in rows:
            f.write(','.join(r) + '\n')

def table(name, d, label, classes=None, strat=True):
    names = [n.replace(' ', '_') for n in d.feature_names] + [label]
    y = [classes[v] if classes else '%g' % v for v in d.target]
    rows = [['%.6g' % v for v in x] + [t] for x, t in zip(d.data, y)]
    write(name + '.csv', names, rows)
    tr, te = train_test_split(rows, test_size=0.2, random_state=0,
                              stratify=y if strat else None)
    write(name + '-train.csv', names, tr)
    write(name + '-test.csv', names, te)

table('diabetes', datasets.load_diabetes(), 'target', strat=False)
table('cancer', datasets.load_breast_cancer(), 'diagnosis',
      ['malignant', 'benign'])
table('digits', datasets.load_digits(), 'label')
table('wine', datasets.load_wine(), 'label')
# multi-label and multi-output from digits: three 0/1 properties of the
# digit, and (regression) two numbers of it
d = datasets.load_digits()
names = ['p%d' % i for i in range(64)]
rows = [['%g' % v for v in x] + ['%d' % (t % 2 == 0), '%d' % (t >= 5),
         '%d' % (t in (2, 3, 5, 7))] for x, t in zip(d.data, d.target)]
write('props.csv', names + ['even', 'big', 'prime'], rows)
rows = [['%g' % v for v in x] + ['%g' % (t * 10.0), '%g' % (100.0 - t * t)]
        for x, t in zip(d.data, d.target)]
write('twice.csv', names + ['ten', 'square'], rows)
