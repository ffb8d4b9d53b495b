"""The receipt printer: ESC/POS over TCP, USB or serial, and its simulated twin.

printer         the interface every backend has
layout          the receipt as ESC/POS bytes, from its content and its words (given, not held)
escpos_printer  the real backend, with links (TCP, USB, serial), status (DLE EOT) and uri
simulated       the twin: records the bytes; escpos_decode and escpos_render read them back
no_printer      the stand-in when none is configured
fonts           the one place that loads the fonts drawn on or for a receipt
"""
