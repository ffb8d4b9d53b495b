"""Belgium Root CA certificates (public), shipped as package data."""
