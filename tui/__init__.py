"""The user-facing side of xpath-tui: the command line and the Textual explorer, thin over `graph`."""
