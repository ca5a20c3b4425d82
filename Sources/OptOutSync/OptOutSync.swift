// OptOutSync module: see docs/architecture.md
