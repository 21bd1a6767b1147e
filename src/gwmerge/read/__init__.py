"""Reading what users bring: workbooks (.xlsx), rosters (.csv), and drafts (.docx, .txt) recognised
into the document model.
"""
