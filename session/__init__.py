"""The session state machine, its timers and the wipe. Owns citizen data. Never imports Kivy."""
