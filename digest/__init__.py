"""digest: news articles in, attributed story briefings out."""

__version__ = "0.1.0"
