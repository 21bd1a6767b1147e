"""The document: the hub every other package speaks.

The workbook format's vocabulary, the cell grid, the outline model, ordinals, numbering, kinds and
their format profiles, and the layout that turns a numbered outline into the paragraphs of the page.
"""
