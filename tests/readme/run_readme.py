#!/usr/bin/env python3
"""Run the README's examples (issue 27): a README that drifts from the code
fails this test.

Every fenced block of README.md in shell (```sh, ```bash) or without a
language is an example. An example runs unless the line before its fence
is a comment that says why not, `<!-- README test: skipped, REASON -->`.
A block of commands (```sh) runs as one bash script, which must succeed.
A block without a language is a session: each `$ COMMAND` line runs with
bash, must exit 0, and what it prints (standard output and error, in the
order written) must be what the lines below it show, compared loosely:
as words, whatever the spacing and line breaks; every number matches any
number (times, losses and counts vary with the machine); a `...` line
matches any output; the `blas:` line's words after `blas:` are the
machine's own. A command with no lines below it has its output unseen.
`$ cat FILE` of a FILE that is not there makes it from the lines shown
(the README shows what a file holds that way).
A session without commands must be marked skipped.

The examples run in order, in a temporary directory holding what they
read (tests/readme/make_files.py: MNIST in data/mnist, data/digit.pgm as
shipped, scikit-learn's tables, a Fashion-MNIST image folder), with
`build/` holding links to this build's binaries, which are also first on
PATH, and without LNN_DATA (so `lnn train` finds data/mnist itself, as
in a fresh checkout). Then data/digit.pgm is checked to be what
data/README.md's command makes.

Usage: run_readme.py SOURCE_DIR LNN_BINARY   ($LNN_DATA: MNIST; the
Fashion-MNIST directory: $LNN_FASHION_DATA, else Debian's). Exit 77 when
something it needs is missing, saying what."""
import os
import re
import subprocess
import sys
import tempfile
import time

SKIP = re.compile(r"<!--\s*README test: skipped,\s*(.+?)\s*-->")
FENCE = re.compile(r"^```(\S*)\s*$")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
SHELL = ("sh", "bash", "")
TIMEOUT = 400  # seconds for one command


def blocks(readme):
    """(first line number, language, lines, skip reason or None) of each
    example in README.md."""
    lines = open(readme, encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines))
                   if lines[j].startswith("```"))
        before = next((lines[j] for j in range(i - 1, -1, -1)
                       if lines[j].strip()), "")
        skip = SKIP.search(before)
        if m.group(1) in SHELL:
            out.append((i + 1, m.group(1), lines[i + 1:end],
                        skip.group(1) if skip else None))
        i = end + 1
    return out


def words(text):
    """The words of text, every number made '#'."""
    out = []
    for line in text.split("\n"):
        w = line.split()
        if w and w[0] == "blas:":
            w = w[:1]
        out += [NUMBER.sub("#", t) for t in w]
    return out


def matches(shown, printed):
    """Whether printed is what the README shows (see the module's doc)."""
    pattern = "".join(r"(?:[^\x00]*\x00)*?" if w == "..." else
                      re.escape(w) + "\x00" for w in words(shown))
    return re.fullmatch(pattern, "".join(w + "\x00" for w in
                                         words(printed))) is not None


def run(command, env, cwd):
    """(exit status, output) of bash -c command."""
    try:
        p = subprocess.run(["bash", "-c", command], cwd=cwd, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "(no end after %d s)" % TIMEOUT
    return p.returncode, p.stdout.decode("utf-8", "replace")


def session(lines):
    """(command, the output shown) of each `$ ` line of a session."""
    steps = []
    for line in lines:
        if line.startswith("$ "):
            steps.append([line[2:], []])
        elif steps:
            steps[-1][1].append(line)
    return [(c, "\n".join(shown)) for c, shown in steps]


def run_block(where, lang, lines, env, cwd):
    """The failures of one example, as messages."""
    if lang:
        status, out = run("set -e\n" + "\n".join(lines), env, cwd)
        return [] if status == 0 else \
            ["%s: exit %s: %s" % (where, status, out[-2000:])]
    steps = session(lines)
    if not steps:
        return ["%s: no `$ ` command to run, and not marked skipped" % where]
    fails = []
    for command, shown in steps:
        made = re.fullmatch(r"cat (\S+)", command)
        if made and not os.path.exists(os.path.join(cwd, made.group(1))):
            with open(os.path.join(cwd, made.group(1)), "w") as f:
                f.write(shown + "\n")
        status, out = run(command, env, cwd)
        if status != 0:
            fails.append("%s: `%s` exit %s:\n%s" % (where, command, status,
                                                    out[-2000:]))
        elif shown.strip() and not matches(shown, out):
            fails.append("%s: `%s` printed\n%s\nwhere the README shows\n%s"
                         % (where, command, out[-3000:], shown))
    return fails


def setup(work, source, lnn):
    """Make work what the examples need; the environment to run them in."""
    fashion = os.environ.get("LNN_FASHION_DATA",
                             "/usr/share/datasets/fashion-mnist")
    if not os.path.isdir(fashion):
        print("skipped: no Fashion-MNIST in %s (apt-get install "
              "dataset-fashion-mnist, or set LNN_FASHION_DATA)" % fashion)
        sys.exit(77)
    penguins = os.environ.get("LNN_PENGUINS") or \
        os.path.join(source, "data/penguins.csv")
    if os.path.exists(os.path.join(source, "data/fetch-penguins.sh")) and \
            not os.path.isfile(penguins):
        print("skipped: no penguins table in %s (data/fetch-penguins.sh "
              "gets it; or set LNN_PENGUINS)" % penguins)
        sys.exit(77)
    subprocess.run([sys.executable,
                    os.path.join(source, "tests/readme/make_files.py"),
                    source, fashion], cwd=work, check=True)
    os.mkdir(os.path.join(work, "build"))
    build = os.path.dirname(os.path.abspath(lnn))
    for name in ("lnn", "lnn-mpi"):
        if os.path.exists(os.path.join(build, name)):
            os.symlink(os.path.join(build, name),
                       os.path.join(work, "build", name))
    env = dict(os.environ)
    env.pop("LNN_DATA", None)
    env["PATH"] = os.path.join(work, "build") + os.pathsep + env["PATH"]
    return env


def digit_pgm_fails(source, env, cwd):
    """data/digit.pgm against what data/README.md's command makes."""
    doc = open(os.path.join(source, "data/README.md"), encoding="utf-8").read()
    m = re.search(r"## digit\.pgm\n\n(?:.+\n)+\n((?:    [^\n]*\n)+)", doc)
    if not m:
        return ["data/README.md: no command under '## digit.pgm'"]
    command = "\n".join(line[4:] for line in m.group(1).splitlines())
    status, out = run(command.replace("data/digit.pgm", "made.pgm"), env,
                      cwd)
    made = os.path.join(cwd, "made.pgm")
    if status != 0 or not os.path.exists(made):
        return ["data/README.md's command for digit.pgm: exit %s: %s"
                % (status, out)]
    shipped = open(os.path.join(source, "data/digit.pgm"), "rb").read()
    if open(made, "rb").read() != shipped:
        return ["data/digit.pgm is not what data/README.md's command makes"]
    return []


def main():
    source, lnn = sys.argv[1:3]
    for module in ("numpy", "PIL", "sklearn"):
        try:
            __import__(module)
        except ImportError:
            print("skipped: needs python3-%s" % module.lower())
            sys.exit(77)
    readme = os.path.join(source, "README.md")
    fails, ran, skipped = [], 0, 0
    with tempfile.TemporaryDirectory() as work:
        env = setup(work, source, lnn)
        for line, lang, lines, skip in blocks(readme):
            where = "README.md:%d" % line
            if skip:
                print("%s: skipped, %s" % (where, skip))
                skipped += 1
                continue
            start = time.monotonic()
            fails += run_block(where, lang, lines, env, work)
            print("%s: ran in %.1f s" % (where, time.monotonic() - start),
                  flush=True)
            ran += 1
        fails += digit_pgm_fails(source, env, work)
    for f in fails:
        print("FAIL: " + f)
    print("readme: %d examples run, %d skipped (reasons above), %d failed"
          % (ran, skipped, len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
