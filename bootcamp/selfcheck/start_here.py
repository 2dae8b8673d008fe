"""Self-checks for 00_start_here."""

from bootcamp.checks import require, run_check


def mnist_bytes(n_bytes) -> bool:
    def body():
        value = require(n_bytes, "n_bytes")
        images, height, width = 60_000, 28, 28
        numbers = images * height * width
        bits_per_float32, bits_per_byte = 32, 8
        expected = numbers * bits_per_float32 // bits_per_byte
        if value == numbers:
            raise AssertionError("That is the count of numbers; each float32 takes 4 bytes.")
        if value == numbers * bits_per_float32:
            raise AssertionError("That counts bits: a byte is 8 bits.")
        if value == numbers * 8:
            raise AssertionError("8 bytes per number is float64, NumPy's default; networks train on float32.")
        assert value == expected, f"got {value:,}; multiply images x height x width x bytes per number."
    return run_check("Exercise 0 (memory of MNIST as float32)", body)
