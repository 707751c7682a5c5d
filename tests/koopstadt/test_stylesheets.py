"""Our own stylesheets are well formed: a rule block left open (as a merge once did) silently swallows every
rule after it — a browser closes it at the end of the file — and the pages then look right only where
nothing after it mattered."""

import re
from pathlib import Path

import pytest
import tinycss2

STATIC = Path(__file__).resolve().parents[2] / "static" / "css"


def _without_comments_and_strings(css: str) -> str:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    return re.sub(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", '""', css)


@pytest.mark.parametrize("path", sorted(STATIC.glob("*.css")), ids=lambda path: path.name)
def test_every_block_of_the_stylesheet_is_closed_where_it_should_be(path):
    css = path.read_text()
    depth, line = 0, 1
    for character in _without_comments_and_strings(css):
        line += character == "\n"
        depth += {"{": 1, "}": -1}.get(character, 0)
        assert depth >= 0, f"{path.name}: a '}}' without its '{{' near line {line}"
    assert depth == 0, f"{path.name}: {depth} block(s) left open at the end of the file"
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    assert not [rule for rule in rules if rule.type == "error"]
