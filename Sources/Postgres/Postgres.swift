// Postgres module: see docs/architecture.md
