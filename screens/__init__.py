"""Kivy screens: one module and one .kv file per screen, shared widgets, theme."""
