"""Data quality checks before publication: the personal-data guard and its detectors."""
