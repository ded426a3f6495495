"""Exceptions raised by digest.

DigestError
 +-- ConfigError      bad or missing configuration (names the file and key)
 |    +-- TopicError   a topic rule or query that cannot work (bad regex, unbalanced query)
 +-- IngestError      an input file cannot be read or decoded (names the file)
 |    +-- FeedError    a feed URL cannot be fetched or read now (names the URL; retried on backoff)
 +-- SummarizeError   unknown method or impossible length request
 +-- RenderError      a template is missing or broken
 +-- StoreError       the state cannot be used: a folder or not a database, locked, disk full
 +-- OutputError      an output file cannot be written (names the file)
 +-- LeaseLost        another worker took a message over (this one's lease ran out): this
 |                    worker stops before the final dot and leaves the message to it
 +-- DeliveryError    SMTP delivery failed (raised by digest.email.transport)
      +-- TemporaryDeliveryError   worth retrying (timeouts, refused, 4xx)
      |    +-- ConnectionFailed    cannot connect, secure or log in: stop this delivery pass
      |    +-- NoReplyError        no reply after the whole message was written: outcome unknown
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


class LeaseLost(DigestError):
    pass


class DeliveryError(DigestError):
    pass


class TemporaryDeliveryError(DeliveryError):
    pass


class PermanentDeliveryError(DeliveryError):
    pass


class ConnectionFailed(TemporaryDeliveryError):
    """Cannot connect, secure or log in: no message can go out in this pass."""


class NoReplyError(TemporaryDeliveryError):
    """No reply within the timeout after the whole message was written: outcome unknown."""
