"""Where ffhooks keeps things in a work tree: names only, so the commit hooks can ask
without importing what reads or writes them."""

SUMMARIES = ".flowforge/team/summaries"
PRIVATE = ".flowforge/user"
OWN_JSON = r"\.flowforge/.*\.json"  # the files ffhooks' schemas cover (a regex, as pre-commit's)
# What a superseded summary is overwritten with (see summary.py), and its git blob id
TOMBSTONE = b'{"ffhooks":"tombstone"}\n'
TOMBSTONE_BLOB = "04a648d43c4cc003aef0ad15fdcb69ae05a24574"
TOMBSTONE_MAX = 128  # bytes: a tombstone reformatted is still smaller, any summary bigger
# What the commit hook asks git, started before what needs the answer (`hook/pipeline.py`,
# `server/client.py`): everything the commit would change (the guard, the fold and the files
# to validate); what HEAD holds of a user's summaries folder (`staging.index_lacks`, which
# adds the staged changes to it: the index of that folder, without reading the index, which
# costs every git process 11 ms with 30,000 summaries in the tree); and, where that cannot
# tell, `git status` of the folder, which compares only the files of the folder
# (`ls-files --modified` stats every file of the index: 110 ms at 30,000)
STAGED_QUERY = ("diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev")
HEAD_QUERY = ("ls-tree", "-r", "-z", "HEAD", "--")
UNSTAGED_QUERY = (
    "--no-optional-locks",
    "--literal-pathspecs",
    "status",
    "--porcelain",
    "-z",
    "--untracked-files=all",
    "--ignored=matching",
    "--no-renames",
    "--",
)
