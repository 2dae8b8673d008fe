"""The replicas a lesson trains on: GPUs where there are enough, else logical CPU devices."""

from __future__ import annotations


def replica_devices(n: int = 2) -> list[str]:
    """Names of ``n`` devices for a ``MirroredStrategy``.

    With ``n`` or more GPUs, the first ``n`` GPUs. Otherwise the CPU is split
    into ``n`` logical devices, so that the data-parallel code runs on any
    laptop (the replicas then share the same cores: correct, not faster).
    The split must happen before TensorFlow starts its runtime (before any
    operation runs); if that has happened, this raises with what to do.
    """
    import tensorflow as tf

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    gpus = tf.config.list_physical_devices("GPU")
    if len(gpus) >= n:
        return [f"/gpu:{i}" for i in range(n)]
    (cpu,) = tf.config.list_physical_devices("CPU")
    wanted = [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is None or len(current) != n:
        try:
            tf.config.set_logical_device_configuration(cpu, wanted)
        except RuntimeError:
            raise RuntimeError(
                f"TensorFlow has already started, so its CPU cannot be split into {n} devices now: "
                "restart the kernel and run the cell that calls replica_devices() before any other "
                "TensorFlow cell") from None
    return [f"/cpu:{i}" for i in range(n)]
