def find_aligned_tables(lines):
    return []
