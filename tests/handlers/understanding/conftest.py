import pytest

from handlers.templates import TemplateSet
from handlers.understanding import Parser


@pytest.fixture(scope="session")
def parser() -> Parser:
    parser = Parser(TemplateSet())
    parser.warm_up()   # load jieba once, so no example pays the one-off load inside a hypothesis deadline
    return parser
