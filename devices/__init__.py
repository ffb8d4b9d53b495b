"""Hardware: eID over PC/SC, receipt and document printers, each with a simulated twin.

Never imports Kivy.
"""
