from __future__ import annotations

from pathlib import Path

import pytest

from mortem.cli.main import main
from mortem.config import load_config
from mortem.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_defaults_without_configuration(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    config = load_config(start=tmp_path)
    assert config.archive_dir == tmp_path / "postmortems"
    assert config.word_limit == 800 and config.due_window_days == 14 and config.roster == ()


def test_pyproject_table_is_found_from_a_subfolder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.mortem]\nword_limit = 500\n')
    (tmp_path / "postmortems").mkdir()
    config = load_config(start=tmp_path / "postmortems")
    assert config.word_limit == 500 and config.root == tmp_path


def test_mortem_toml_wins_over_pyproject_without_a_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    write(tmp_path / "mortem.toml", 'archive = "incidents"\nroster = ["Ada Nwosu"]\n')
    config = load_config(start=tmp_path)
    assert config.archive == "incidents" and config.roster == ("Ada Nwosu",)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("word_limt = 10\n", "unknown key(s) in mortem configuration: word_limt"),
        ('word_limit = "many"\n', "word_limit must be a whole number"),
        ('roster = "Ada"\n', "roster must be a list"),
        ('link_pattern = "(unclosed"\n', "link_pattern is not a valid regular expression"),
        ('severity = { PM022 = "fatal" }\n', 'severity.PM022 must be "error" or "warning"'),
        ("word_limit = \n", "not valid TOML"),
        ('cache = "no"\n', "cache must be true or false"),
    ],
)
def test_bad_configuration_is_a_clear_error(tmp_path: Path, text: str, words: str) -> None:
    write(tmp_path / "mortem.toml", text)
    with pytest.raises(ConfigError, match=r"mortem\.toml") as caught:
        load_config(start=tmp_path)
    assert words in str(caught.value)


def test_bad_configuration_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "mortem.toml", 'disable = ["PM999"]\n')
    (tmp_path / "postmortems").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "mortem: unknown rule 'PM999'; `mortem rules` lists them"
