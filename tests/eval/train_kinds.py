"""Train the kinds-of-cause model (tools/mortem/data/kinds.json) from the labelled postmortems.

    python tests/eval/train_kinds.py          # rewrite the model from the training sets
    python tests/eval/train_kinds.py --check  # exit 1 if the shipped model differs

The training sets are the labelled sets already used to develop the engine, and "other":
root causes of no known kind. Sets written blind to measure the model (BLIND) are never
trained on. Every family label becomes a kind; every "singleton-..." label is OTHER.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from recurrence_eval import HERE, labels, load_split

from mortem.analysis import kinds
from mortem.analysis.patterns import kind_features
from mortem.analysis.similarity import make_words
from mortem.atomic import replace_existing, write_new
from mortem.config import Config

TRAINING = ("tune", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "other")
BLIND = ("heldout7", "heldout8", "heldout9", "heldout10", "heldout11")


def kind_of(family: str) -> str:
    return kinds.OTHER if family.startswith("singleton") else family


def examples(splits: Iterable[str], config: Config | None = None) -> dict[str, list[tuple[list[str], str]]]:
    """Per split, each postmortem's first root cause as (terms, kind)."""
    config = config or Config(root=HERE)
    words = make_words(config.synonyms)
    family = {pid: fam for pid, (fam, _) in labels().items()}
    return {
        split: [(kind_features(doc, words), kind_of(family[doc.id])) for doc in load_split(split, config)]
        for split in splits
    }


def trained(
    by_split: dict[str, list[tuple[list[str], str]]], without_split: str = "", without_kind: str = ""
) -> kinds.KindModel:
    """A model from the examples, leaving out one split (cross-validation) or one kind (as if
    the model had never heard of it)."""
    return kinds.train(
        example
        for split, rows in by_split.items()
        if split != without_split
        for example in rows
        if example[1] != without_kind
    )


def serialised(model: kinds.KindModel) -> str:
    return json.dumps(model.to_json(), sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str]) -> int:
    text = serialised(trained(examples(TRAINING)))
    if "--check" in argv:
        same = kinds.MODEL_FILE.read_text(encoding="utf-8") == text
        print("kinds.json is up to date" if same else "kinds.json differs: run tests/eval/train_kinds.py")
        return 0 if same else 1
    path = kinds.MODEL_FILE
    if path.exists():
        replace_existing(path, text, path.read_bytes())
    else:
        write_new(path, text)
    print(f"wrote {kinds.MODEL_FILE} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
