"""The certificate printer: an A4 queue through CUPS, and its simulated twin.

printer        the interface both backends have, and `print_pdf` (submit and follow) for both
cups_printer   the real backend (pycups), with cups_worker (the one thread that talks to CUPS)
               and cups_readiness (a queue's attributes as a readiness)
simulated      the twin: copies the PDF into a folder
"""
