"""An older registry for the browser test: ``chat.message_sent`` at v1 only.

    python tests/ts_client/old_registry.py OUT

copies the chat example's ``schemas/chat/message_sent.yaml`` (with v2 and v3 stripped) and
the shared type it uses into ``OUT/registry/``, named as the example's registry (so its server
at v3 talks to it), and runs ``wiretype generate --root OUT/registry --lang typescript``: the
package of a browser client built before v2 existed. Prints the generated package's folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CHAT = REPO / "examples" / "chat"
SETTINGS = {
    "schemas": "schemas",
    "name": yaml.safe_load((CHAT / "wiretype.yaml").read_text("utf-8"))["name"],
    "typescript": {"package": "@chat/protocol-v1", "out": "out"},
}


def write_registry(root: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    (root / "schemas" / "chat").mkdir(parents=True)
    (root / "schemas" / "common").mkdir(parents=True)
    definition = yaml.safe_load((CHAT / "schemas/chat/message_sent.yaml").read_text("utf-8"))
    definition["versions"] = {1: definition["versions"][1]}
    (root / "schemas/chat/message_sent.yaml").write_text(yaml.safe_dump(definition), "utf-8")
    shutil.copy(CHAT / "schemas/common/user.yaml", root / "schemas/common/user.yaml")
    (root / "wiretype.yaml").write_text(yaml.safe_dump(SETTINGS), "utf-8")
    return root


def main(out: Path) -> int:
    root = write_registry(out / "registry")
    done = subprocess.run(
        [sys.executable, "-m", "registry", "generate", "--root", str(root), "--lang", "typescript"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(done.stdout + done.stderr, file=sys.stderr)
        return done.returncode
    print(root / "out" / "protocol-v1")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
