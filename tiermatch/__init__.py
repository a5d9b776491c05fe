"""tiermatch: matches Thai SMEs to first-tier buyers, exporters, importers and retailers."""

__version__ = "0.1.0"
