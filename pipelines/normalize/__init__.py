"""Turning cell and label text into typed values: numbers, units, periods, metric ids."""
