// Admin console entry (being built).
