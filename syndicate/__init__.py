"""syndicate: RSS/Atom syndication and crossposting that keeps attribution and rights."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/syndicate-feeds/syndicate"
