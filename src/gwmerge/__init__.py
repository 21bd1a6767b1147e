"""gwmerge: Excel workbooks to officially formatted Chinese Word documents."""
