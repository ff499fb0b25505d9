"""Point-of-sale devices: seat allotments, cash sales, offline sale sync."""
