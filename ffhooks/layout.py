"""Where ffhooks keeps things in a work tree: names only, so the commit hooks can ask
without importing what reads or writes them."""

SUMMARIES = ".flowforge/team/summaries"
PRIVATE = ".flowforge/user"
