"""The writes of POS devices: allotments and sales."""
