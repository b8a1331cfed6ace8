"""The package's version, in a module of its own: the cache stamp and SARIF read it
without importing the package root (which imports the library face, and so the cache)."""

__version__ = "0.1.0"
