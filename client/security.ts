// Security console entry (being built).
