"""Tropical-cyclone module: classes, synthetic IR imagery, preprocessing."""
