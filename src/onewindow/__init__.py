"""OneWindow (一窗通): one-window government service centre platform."""

__version__ = "0.1.0"
