"""The web layer shared by every domain: request dependencies, error pages, security, layout."""
