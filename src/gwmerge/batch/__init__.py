"""Many workbooks at once: inputs, worker processes and signals, output names, and the township
layer (汇总表, PDFs, print bundle, archive).
"""
