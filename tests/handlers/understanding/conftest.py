import pytest

from handlers.templates import TemplateSet
from handlers.understanding import Parser


@pytest.fixture(scope="session")
def parser() -> Parser:
    return Parser(TemplateSet())
