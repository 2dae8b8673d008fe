"""Self-checks for 00_start_here."""

from bootcamp.checks import require, run_check


def mnist_bytes(n_bytes) -> bool:
    def body():
        value = require(n_bytes, "n_bytes")
        images, height, width, bytes_per_float32 = 60_000, 28, 28, 4
        expected = images * height * width * bytes_per_float32
        if value == images * height * width:
            raise AssertionError("That is the count of numbers; each float32 takes 4 bytes.")
        assert value == expected, f"got {value:,}; multiply images x height x width x bytes per number."
    return run_check("Exercise 0 (memory of MNIST as float32)", body)
