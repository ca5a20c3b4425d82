// SyncStore module: see docs/architecture.md
