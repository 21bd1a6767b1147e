"""The ground floor: user-facing errors, text cleaning, hardened XML/zip parsing, atomic writes.

Nothing here knows what a 公文 is; everything above may use it.
"""
