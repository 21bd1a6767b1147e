"""Word documents: the template built from a format profile, the sandbox it renders in, rendering,
and reading any .docx back (effective formatting) to verify it against the official format.
"""
