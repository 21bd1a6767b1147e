"""Workbooks the tool writes: blank ones for `new`, filled ones for `import`, corrected copies for
`check --fix`.
"""
