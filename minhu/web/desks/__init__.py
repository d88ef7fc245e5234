"""One module per role's workspace (desk), each with its own URL module."""
