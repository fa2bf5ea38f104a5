"""Entry points only: Slack listeners, web routes and job functions; each calls one use case."""
