// PhoneNumbers module: see docs/architecture.md
