"""``python -m activelabel`` runs the CLI."""

from activelabel.cli import main

main()
