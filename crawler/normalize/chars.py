"""The characters a release's text carries without meaning: one definition for the
normaliser's cleaning (`crawler.normalize.text`) and the grammar's matching key
(`crawler.grammar.key`), so a key cleans to what its raw text cleans to. No imports
beyond `re`: the grammar reads this without loading ftfy."""

from __future__ import annotations

import re

# Characters that carry nothing: soft hyphen U+00AD, zero-width space/non-joiner/joiner
# U+200B-U+200D, word joiner U+2060, BOM U+FEFF.
DEBRIS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# debris and the ASCII controls that are not whitespace (a character class body)
INVISIBLE = f"{DEBRIS}\x00-\x08\x0e-\x1b\x7f"
# every line-break convention (what str.splitlines knows), \r\n first
LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# The line break that stays one: between the items of a list and the rows of a table
# inside one paragraph (U+2028 LINE SEPARATOR). The cleaned paragraph keeps it as "\n";
# a plain "\n" inside a raw paragraph is a <br> and becomes a space.
HARD_BREAK = "\u2028"
