// SMSVoiceEmulator module: see docs/architecture.md
