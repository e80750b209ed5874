"""Deduplication: near-identical copies (MinHash/LSH) and reports of one event."""
