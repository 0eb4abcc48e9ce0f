"""Indicators (chỉ tiêu): definitions carried by plans, values per period computed from the records."""
