"""Terminal enrolment, config writing, systemd unit install and `kiosk doctor`.

Imports only `kiosk.config` from the application.
"""
