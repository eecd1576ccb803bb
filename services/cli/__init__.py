"""The `campaign` command: operators' entry point to the platform."""
