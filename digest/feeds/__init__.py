"""Feeds over HTTP as a source next to folders: fetch (httpx), parse (feedparser), full text
of teaser entries (digest's HTML extractor), OPML, and the `digest feeds` commands' logic.

The guarantees are a folder's: an entry is taken in once (identity: GUID, else link, else
title and date), a changed entry replaces its old text like a changed file, a feed's entries
and its new ETag are committed with their articles in one transaction (kill -9 loses and
duplicates nothing), and one failing feed is one warning line and a backoff, never a stop.
"""
