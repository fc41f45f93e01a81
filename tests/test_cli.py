"""The ``feeds`` command as a user runs it: output, JSON and exit status."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from feeds.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_on_the_real_corpus(write_config: Callable[..., Path]) -> None:
    code, out, _ = run("--config", str(write_config()), "check")
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == "151 posts, 0 errors, 15 warnings"
    assert lines[0].startswith("_posts/-202205262391921712.md:1: warning: not a post")


def test_check_json(write_config: Callable[..., Path]) -> None:
    code, out, _ = run("--config", str(write_config()), "check", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["posts"] == 151
    assert len(data["problems"]) == 15
    assert set(data["problems"][0]) == {"path", "line", "level", "message"}
    assert all(not p["path"].startswith("/") for p in data["problems"])


def test_check_fails_when_a_post_is_rejected(
    write_config: Callable[..., Path], site: Callable[[dict[str, str]], Path]
) -> None:
    root = site(
        {
            "_posts/2021-12-08-ok.md": "---\ntitle: ok\n---\nx\n",
            "_posts/2021-12-08-bad.md": '---\ntitle: "a "b" c"\n---\nx\n',
        }
    )
    code, out, _ = run("--config", str(write_config(source=root)), "check")
    assert code == 1
    assert "_posts/2021-12-08-bad.md:2: error: bad YAML" in out
    assert out.splitlines()[-1] == "1 posts, 1 errors, 0 warnings"


def test_future_posts_are_not_counted_unless_future_is_on(
    write_config: Callable[..., Path], site: Callable[[dict[str, str]], Path]
) -> None:
    root = site(
        {"_posts/2999-01-01-later.md": "---\n---\nx\n", "_posts/2021-01-01-now.md": "---\n---\nx\n"}
    )
    _, out, _ = run("--config", str(write_config(source=root)), "check")
    assert out.splitlines()[-1].startswith("1 posts")
    _, out, _ = run("--config", str(write_config("[feeds]\nfuture = true\n", source=root)), "check")
    assert out.splitlines()[-1].startswith("2 posts")


def test_config_error_exits_2_with_one_line_and_no_traceback(
    write_config: Callable[..., Path],
) -> None:
    path = write_config('[feeds]\nlimit = "ten"\n')
    code, out, err = run("--config", str(path), "check")
    assert code == 2
    assert err == f"feeds: {path}: [feeds] limit must be an integer\n"
    assert "Traceback" not in out + err


def test_missing_source_folder_exits_2(write_config: Callable[..., Path], tmp_path: Path) -> None:
    code, _, err = run("--config", str(write_config(source=tmp_path / "nope")), "check")
    assert code == 2 and "[site] source" in err and "Traceback" not in err


def test_config_from_the_environment(
    write_config: Callable[..., Path], monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("FEEDS_CONFIG", str(write_config()))
    code, out, _ = run("check")
    assert code == 0 and out.splitlines()[-1].startswith("151 posts")


def test_list_names_every_feed_with_its_count(write_config: Callable[..., Path]) -> None:
    code, out, _ = run("--config", str(write_config()), "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 7 * 3
    assert lines[0] == "site\t-\t151\thttps://finews.withounder.com/feed.atom"
    assert (
        "tag\t东财滚动新闻\t149\thttps://finews.withounder.com/tag/%E4%B8%9C%E8%B4%A2%E6%BB%9A%E5%8A%A8%E6%96%B0%E9%97%BB.json"
        in lines
    )


def test_check_says_which_value_wins_where_the_configs_differ(
    write_config: Callable[..., Path],
) -> None:
    # The corpus's _config.yml says title 金融消息 and author ZNing.
    path = write_config('[site]\ntitle = "Finance news"\n')
    code, out, _ = run("--config", str(path), "check")
    assert code == 0
    notes = [line for line in out.splitlines() if ": note: " in line]
    assert notes == [
        f"{path}: note: [site] title = 'Finance news' from {path} is used; _config.yml title says '金融消息'"
    ]
    data = json.loads(run("--config", str(path), "check", "--json")[1])
    assert data["config"] == [notes[0].split(": note: ", 1)[1]]
