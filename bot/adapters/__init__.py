"""Platform adapters: each turns its platform's payloads into internal messages and back."""
