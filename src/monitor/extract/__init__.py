"""Extraction: from a raw capture to the article, its body and its metadata."""

from monitor.extract.article import ArticleDraft, Rejection, extract_article

__all__ = ["ArticleDraft", "Rejection", "extract_article"]
