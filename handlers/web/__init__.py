"""Web routes: public verification pages and other HTTP entry points."""
