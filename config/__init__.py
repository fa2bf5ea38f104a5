"""Settings and the catalog: everything an administrator configures."""
