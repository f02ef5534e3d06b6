"""Omni-Channel exports: the files a Salesforce admin can produce, written and read."""
