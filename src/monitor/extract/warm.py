"""Imported once by the server the extraction workers are forked from: what every worker needs
is loaded there (the extractors, the measure rules, the segmenter and IDF table of topic
words, the character table of signatures), and the workers share it instead of each loading
its own."""

from monitor import measures, words  # noqa: F401 - measures imported to be loaded
from monitor.dedup import signatures
from monitor.extract import html, parallel  # noqa: F401 - imported to be loaded

words.load()
signatures.fold_table()
