// SyncCore module: see docs/architecture.md
