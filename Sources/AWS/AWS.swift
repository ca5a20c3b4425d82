// AWS module: see docs/architecture.md
