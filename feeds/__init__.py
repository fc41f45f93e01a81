"""feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for a Jekyll site, served and exported.

Importing the package does nothing; the pipeline is config → source → index → build →
cache → web / export, one module per stage (see docs/decisions.md and DESIGN).
"""

__version__ = "0.1.0"
