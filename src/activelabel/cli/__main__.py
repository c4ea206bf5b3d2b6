"""``python -m activelabel.cli`` runs the CLI."""

from activelabel.cli import main

main()
