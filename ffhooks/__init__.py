"""ffhooks: billable developer time tracking through git hooks."""

__version__ = "0.10.0"
