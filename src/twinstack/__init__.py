"""twinstack: an OpenStack cloud on one laptop, with real APIs and fake hardware."""

__version__ = "0.1.0"
