"""jieba word boundaries, used only to decide whether a one-character milestone synonym
(焊 for 焊接) really stands as a word ("焊完了") or is part of another word (焊机, 焊工, 焊缝).

One tokenizer per process: a module-level `jieba.Tokenizer`, never the global `jieba.dt`,
built lazily on first need. jieba's own cache is read object by object (~1.4 s); we keep a
marshal blob of its prefix dictionary keyed by jieba and Python version and load it with one
`marshal.loads` (~0.3 s).
"""

from __future__ import annotations

import logging
import marshal
import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()
_TOKENIZER: Any = None
_ADDED: set[str] = set()
_LAST_WORDS: object = None


def cache_path() -> Path:
    """Where the marshalled prefix dictionary lives (user cache dir, else the temp dir)."""
    import jieba

    name = (
        f"jieba-{jieba.__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
        f"-m{marshal.version}.dict.marshal"
    )
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = Path(base) / "gendan"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if os.access(directory, os.W_OK):
            return directory / name
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / f"gendan-{name}"


def _build() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    path = cache_path()
    try:
        tokenizer.FREQ, tokenizer.total = marshal.loads(path.read_bytes())
        tokenizer.initialized = True
    except (OSError, EOFError, ValueError, TypeError):
        tokenizer.tmp_dir = str(path.parent)
        tokenizer.initialize()
        blob = marshal.dumps((tokenizer.FREQ, tokenizer.total))
        try:
            handle, temp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(blob)
            os.replace(temp, path)
        except OSError:
            pass  # a read-only cache dir only costs start-up time
    return tokenizer


def tokenizer(words: Iterable[str] = ()) -> Any:
    """The process's tokenizer, with `words` in its user dictionary."""
    global _TOKENIZER, _LAST_WORDS
    if words is _LAST_WORDS and _TOKENIZER is not None:
        return _TOKENIZER   # the same vocabulary as last time: nothing to add (the per-message path)
    with _LOCK:
        if _TOKENIZER is None:
            _TOKENIZER = _build()
        _LAST_WORDS = words
        for word in words:
            # one-character words stay as jieba has them: boosting 焊 would split 焊机 and 焊工
            if len(word) > 1 and word not in _ADDED:
                _TOKENIZER.add_word(word, freq=2000)
                _ADDED.add(word)
        return _TOKENIZER


def word_starts(text: str, words: Iterable[str] = ()) -> dict[int, str]:
    """start offset -> token, for jieba's segmentation of `text` (HMM off: deterministic)."""
    starts: dict[int, str] = {}
    offset = 0
    for token in tokenizer(words).cut(text, HMM=False):
        starts[offset] = token
        offset += len(token)
    return starts
