"""activelabel."""
