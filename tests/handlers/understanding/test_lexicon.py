"""lexicon.alternation: a prefix tree of the words that matches as the flat list, longest first, would."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.understanding.lexicon import alternation

LETTERS = "焊接完成好了喷a.+"
WORDS = st.sets(st.text(alphabet=LETTERS, min_size=1, max_size=4), min_size=1, max_size=12)
TEXTS = st.text(alphabet=LETTERS + " ", max_size=25)


def _flat(words: set[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


@given(WORDS, TEXTS)
@settings(max_examples=400, deadline=None)
def test_the_tree_finds_what_the_flat_list_finds(words, text):
    tree, flat = re.compile(alternation(words)), re.compile(_flat(words))
    assert [m.span() for m in tree.finditer(text)] == [m.span() for m in flat.finditer(text)]


@given(WORDS, TEXTS)
@settings(max_examples=400, deadline=None)
def test_inside_a_longer_pattern_backtracking_tries_the_words_in_the_same_order(words, text):
    # what follows the words decides which of them fits, so the engine backtracks into the alternation
    for template in ("(?:{})了", "(?:{})+好", "(?:{})(?P<rest>.?)(?:{})"):
        tree = re.compile(template.format(alternation(words), alternation(words)))
        flat = re.compile(template.format(_flat(words), _flat(words)))
        assert ([(m.span(), m.groups()) for m in tree.finditer(text)]
                == [(m.span(), m.groups()) for m in flat.finditer(text)])


def test_words_sharing_a_start_share_one_branch():
    assert alternation(["焊接", "焊完", "焊", "喷漆"]) == "喷漆|焊(?:完|接)?"
