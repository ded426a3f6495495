"""Exceptions raised by digest.

DigestError
 +-- ConfigError      bad or missing configuration (names the file and key)
 |    +-- TopicError   a topic rule or query that cannot work (bad regex, unbalanced query)
 +-- IngestError      an input file cannot be read or decoded (names the file)
 |    +-- FeedError    a feed URL cannot be fetched or read now (names the URL; retried on backoff)
 +-- SummarizeError   unknown method or impossible length request
 +-- RenderError      a template is missing or broken
 +-- StoreError       the state file cannot be opened (a folder, not a SQLite database)
 +-- OutputError      an output file cannot be written (names the file)
 +-- DeliveryError    SMTP delivery failed
      +-- TemporaryDeliveryError   worth retrying (timeouts, refused, 4xx)
      +-- PermanentDeliveryError   not worth retrying (5xx)
"""

from __future__ import annotations


class DigestError(Exception):
    """Base class: the CLI prints these as one line and exits non-zero."""


class ConfigError(DigestError):
    pass


class TopicError(ConfigError):
    pass


class IngestError(DigestError):
    pass


class FeedError(IngestError):
    pass


class SummarizeError(DigestError):
    pass


class RenderError(DigestError):
    pass


class StoreError(DigestError):
    pass


class OutputError(DigestError):
    pass


class DeliveryError(DigestError):
    pass


class TemporaryDeliveryError(DeliveryError):
    pass


class PermanentDeliveryError(DeliveryError):
    pass
