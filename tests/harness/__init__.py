"""Real services for tests: pcscd with the vpcd reader, a private cupsd, Xvfb, loopback HTTP.

Each starts in a private temporary directory, on free ports and displays, is stopped by its
own pid, and fails (never skips) with the Debian package to install when a binary is missing.
"""
