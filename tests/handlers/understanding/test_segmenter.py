"""jieba is used only to check one-character milestone words; one tokenizer per process."""

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import jieba

from handlers.understanding import segmenter

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=8)))


def test_one_character_synonym_needs_a_word_boundary(parser):
    assert [(i.milestone, i.status) for i in parser.parse("132 焊完了", NOW)] == [("焊接", "done")]
    assert [(i.intent, i.milestone, i.category) for i in parser.parse("132 焊机坏了", NOW)] == [
        ("exception", None, "equipment")
    ]
    assert parser.parse("新来的焊工焊得不错", NOW) == []


def test_single_tokenizer_not_the_global_one(parser):
    parser.warm_up()
    first = segmenter.tokenizer()
    assert segmenter.tokenizer() is first
    assert first is not jieba.dt
    assert "排产" in first.FREQ and jieba.dt.FREQ.get("排产") is None


def test_marshal_cache_is_written_and_loads_silently(tmp_path):
    code = (
        "from handlers.understanding import segmenter; t = segmenter.tokenizer(['排产']); "
        "print(segmenter.cache_path()); print(t.lcut('123焊完了', HMM=False))"
    )
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for _ in range(2):   # first run builds the cache, the second loads it
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                             cwd=str(__import__("pathlib").Path(segmenter.__file__).parents[2]))
        assert run.stderr == ""
    path = run.stdout.splitlines()[0]
    assert path.startswith(str(tmp_path)) and "jieba-0.42.1-py" in path
