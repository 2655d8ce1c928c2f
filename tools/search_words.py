"""MkDocs hook (mkdocs.yml): teach jieba the domain's terms before the search index is built.

Material's search plugin cuts Chinese text into words with jieba when it is
installed (the docs extra brings it). jieba's own dictionary cuts some of our
terms apart (功效系数 → 功效 / 系数), and a search for the whole term would then
find nothing; tools/search_words.txt lists them. Without jieba the site still
builds, with Chinese left unsegmented (Material's ``jieba_dict_user`` setting
would fail the build instead, so the words are loaded here).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

WORDS = Path(__file__).with_name("search_words.txt")
log = logging.getLogger("mkdocs.hooks.search_words")


def on_config(config: Any) -> Any:
    try:
        import jieba
    except ImportError:
        log.info("jieba is not installed: Chinese is not segmented for search (pip install -e '.[docs]')")
        return config
    jieba.setLogLevel(logging.WARNING)  # not its "Building prefix dict" chatter on every build
    jieba.load_userdict(str(WORDS))
    return config
