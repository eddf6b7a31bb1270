#!/usr/bin/env python3
"""Checks that every C++ snippet in the documentation is compiled code.

Every fenced ```cpp block (also ```c++, ```cxx, ```cc) in README.md and
docs/*.md must appear verbatim in some file under examples/ or tests/:
the block's lines, with their common indentation removed, must equal a run
of consecutive lines of that file with *their* common indentation removed
(trailing whitespace is ignored, and so are blank lines' contents). Snippets
are meant to be copied from the `// [name]` ... `// [name]` regions of the
examples.

Usage: check_docs.py [REPO_ROOT]   (default: the parent of this script's dir)
Exits 0 when every snippet is found, 1 listing the ones that are not (file,
line and first line of each), 2 on a usage error. Python 3 standard library
only; run by the ctest `docs.snippets`.
"""

import os
import re
import sys

CPP_LANGUAGES = {"cpp", "c++", "cxx", "cc"}
SOURCE_SUFFIXES = (".cpp", ".hpp", ".h", ".cc", ".cxx", ".ipp")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*?)[ \t]*$")


def dedent(lines):
    """Lines with trailing whitespace dropped and their common indentation removed."""
    lines = [line.rstrip() for line in lines]
    indents = [len(line) - len(line.lstrip()) for line in lines if line]
    cut = min(indents) if indents else 0
    return [line[cut:] if line else "" for line in lines]


def snippets(path):
    """Yields (line number, lines) for each fenced C++ block of a Markdown file."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group("fence")
        language = m.group("info").split()[0].lower() if m.group("info") else ""
        start = i + 1
        j = start
        while j < len(lines):
            close = FENCE.match(lines[j])
            if (close and close.group("fence")[0] == fence[0] and len(close.group("fence")) >= len(fence)
                    and not close.group("info")):
                break
            j += 1
        if language in CPP_LANGUAGES:
            yield start, lines[start:j]
        i = j + 1


def markdown_files(root):
    files = []
    readme = os.path.join(root, "README.md")
    if os.path.isfile(readme):
        files.append(readme)
    docs = os.path.join(root, "docs")
    if os.path.isdir(docs):
        files.extend(os.path.join(docs, name) for name in sorted(os.listdir(docs)) if name.endswith(".md"))
    return files


def source_files(root):
    """Maps each source file under examples/ and tests/ to its lines."""
    sources = {}
    for top in ("examples", "tests"):
        for directory, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if name.endswith(SOURCE_SUFFIXES):
                    path = os.path.join(directory, name)
                    with open(path, encoding="utf-8", errors="replace") as f:
                        sources[path] = [line.rstrip() for line in f.read().splitlines()]
    return sources


def found_in(snippet, lines):
    """Whether `snippet` (dedented) equals some dedented run of `lines`."""
    first = snippet[0].strip()
    n = len(snippet)
    for i in range(len(lines) - n + 1):
        if lines[i].strip() == first and dedent(lines[i:i + n]) == snippet:
            return True
    return False


def main(argv):
    if len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.abspath(argv[1] if len(argv) == 2 else os.path.join(os.path.dirname(__file__), ".."))
    sources = source_files(root)
    missing = []
    checked = 0
    for doc in markdown_files(root):
        for line, block in snippets(doc):
            snippet = dedent(block)
            while snippet and not snippet[0]:
                snippet.pop(0)
            while snippet and not snippet[-1]:
                snippet.pop()
            if not snippet:
                continue
            checked += 1
            if not any(found_in(snippet, lines) for lines in sources.values()):
                missing.append((os.path.relpath(doc, root), line, snippet[0]))
    if missing:
        print(f"check_docs: {len(missing)} of {checked} C++ snippet(s) are not verbatim in examples/ or tests/:")
        for doc, line, first in missing:
            print(f"  {doc}:{line}: {first}")
        print("Copy each snippet from a `// [name]` region of an example (or fix the example).")
        return 1
    print(f"check_docs: all {checked} C++ snippet(s) appear verbatim in examples/ or tests/.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
