"""Generate ``src/protocol/``: the runtime's own messages (``wiretype.*``) for the client.

The client validates every frame it receives, the runtime's own ones included, with code
that ``wiretype generate`` makes from ``schemas/wiretype/`` (never written by hand). A user's
generated package does not hold those messages, so the client ships them: this script copies
the definitions into a registry of their own, generates its TypeScript package, and keeps
its ``src/*.ts`` here. ``--check`` writes nothing and exits 1 when the copy is stale (a test
runs it).

    python clients/typescript/scripts/generate_protocol.py [--check]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[1]
REPO = CLIENT.parents[1]
TARGET = CLIENT / "src" / "protocol"
SETTINGS = """\
schemas: schemas
name: wiretype
typescript: {package: "@wiretype/client-protocol", out: out}
"""


def render() -> dict[str, str]:
    """File name -> text of the generated ``src/`` for the runtime's messages."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "schemas" / "wiretype", root / "schemas" / "wiretype")
        (root / "wiretype.yaml").write_text(SETTINGS, encoding="utf-8")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "registry",
                "generate",
                "--root",
                str(root),
                "--lang",
                "typescript",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"wiretype generate failed:\n{done.stdout}{done.stderr}")
        src = root / "out" / "client-protocol" / "src"
        return {p.name: p.read_text(encoding="utf-8") for p in sorted(src.glob("*.ts"))}


def stale(files: dict[str, str]) -> list[str]:
    on_disk = {p.name for p in TARGET.glob("*.ts")}
    names = sorted(on_disk | set(files))
    return [
        n
        for n in names
        if n not in files
        or n not in on_disk
        or (TARGET / n).read_text(encoding="utf-8") != files[n]
    ]


def main(argv: list[str]) -> int:
    files = render()
    if "--check" in argv:
        wrong = stale(files)
        for name in wrong:
            print(f"stale: clients/typescript/src/protocol/{name}")
        return 1 if wrong else 0
    TARGET.mkdir(parents=True, exist_ok=True)
    for old in TARGET.glob("*.ts"):
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        (TARGET / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} file(s) to {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
