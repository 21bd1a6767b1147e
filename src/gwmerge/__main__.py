"""``python -m gwmerge`` runs the same entry point as the installed ``gwmerge`` command."""

from gwmerge.cli import main

main()
