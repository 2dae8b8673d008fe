"""Self-checks for lesson 07 (scaling out)."""

import numpy as np

from bootcamp.checks import call_answer, require, run_check


# 07_scaling_3_performance
# ------------------------------------------------------------------------------------------------
# Each function below is self-contained: nothing else in this module is needed by them.

_POLICIES = ("mixed_float16", "mixed_bfloat16", "float32")


def _policy_cases():
    """(device, accepted policies, hint when the answer is not accepted), in the order they are checked.

    Hints are chosen by what the answer was (see _policy_hint)."""
    gpu = lambda name, capability: {"type": "GPU", "name": name, "compute_capability": capability}  # noqa: E731
    cpu = lambda name, flags: {"type": "CPU", "name": name, "flags": set(flags)}                    # noqa: E731
    both = {"mixed_float16", "mixed_bfloat16"}       # Ampere and later have float16 and bfloat16 Tensor Cores
    return [
        (gpu("Tesla K80", (3, 7)), {"float32"}),
        (gpu("Tesla P100-PCIE-16GB", (6, 0)), {"float32"}),
        (gpu("Tesla V100-SXM2-32GB", (7, 0)), {"mixed_float16"}),
        (gpu("Tesla T4", (7, 5)), {"mixed_float16"}),
        (gpu("NVIDIA A100-SXM4-40GB", (8, 0)), both),
        (gpu("NVIDIA H100 80GB HBM3", (9, 0)), both),
        (cpu("AMD EPYC 7763 64-Core Processor", {"fpu", "sse2", "avx", "avx2", "fma"}), {"float32"}),
        (cpu("Intel(R) Xeon(R) Platinum 8480+", {"avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16"}),
         {"mixed_bfloat16"}),
        (cpu("Intel(R) Xeon(R) Platinum 8380", {"avx2", "avx512f", "avx512_vnni"}), {"float32"}),
        (cpu("AWS Graviton3 (Neoverse V1)", {"fp", "asimd", "sve", "bf16", "i8mm"}), {"mixed_bfloat16"}),
    ]


def _policy_hint(device, answer, accepted):
    name = device["name"]
    if device["type"] == "GPU":
        capability = tuple(device["compute_capability"])
        shown = ".".join(map(str, capability))
        if capability < (7, 0):
            return (f"{name} (compute capability {shown}) has no Tensor Cores: 16-bit arithmetic runs on the "
                    "same units as float32 there and saves memory, not time. Keep float32.")
        if answer == "float32":
            return (f"{name} has compute capability {shown}, and Tensor Cores start at 7.0 *inclusive*: compare "
                    "the whole (major, minor) pair, e.g. tuple(capability) >= (7, 0).")
        if answer == "mixed_bfloat16":
            return (f"{name} (compute capability {shown}) has Tensor Cores for float16 only; bfloat16 ones "
                    "start with Ampere (8.0). Use mixed_float16.")
        return f"{name} (compute capability {shown}) has Tensor Cores: expected one of {sorted(accepted)}."
    flags = sorted(device["flags"] & {"avx512_bf16", "amx_bf16", "bf16"})
    if answer == "mixed_float16":
        return (f"{name} is a CPU: CPUs have no fast float16 arithmetic. Their 16-bit format is bfloat16, "
                "and only with bfloat16 instructions.")
    if flags:
        return (f"{name} has bfloat16 instructions ({', '.join(flags)} in its flags): mixed_bfloat16 pays "
                "there. Test the flags against BF16_FLAGS, which holds the x86 and the Arm names.")
    return (f"{name} has no bfloat16 instruction among its flags, so bfloat16 would be emulated: every "
            "operation converts to float32 and back, with no 16-bit units to gain from. Keep float32.")


def mixed_policy_choice(choose_policy) -> bool:
    """Check a function from a device description to the Keras policy to train with on it."""
    def body():
        require(choose_policy, "choose_policy")
        for device, accepted in _policy_cases():
            shown = {k: (sorted(v) if isinstance(v, set) else v) for k, v in device.items()}
            try:
                answer = call_answer(choose_policy, dict(device))
            except (KeyError, TypeError, AttributeError) as err:
                raise AssertionError(f"choose_policy raised {type(err).__name__}: {err} for {shown}. A GPU "
                                     "description has no 'flags' and a CPU one no 'compute_capability': "
                                     "look at device['type'] first, or use device.get(...).") from None
            if not isinstance(answer, str):
                raise AssertionError(f"choose_policy returned {answer!r} for {device['name']}: return a "
                                     f"policy name, one of {', '.join(_POLICIES)}.")
            if answer in ("float16", "bfloat16"):
                raise AssertionError(f"'{answer}' alone would store the weights in 16 bits too, and small "
                                     f"updates would vanish when added to them: use 'mixed_{answer}'.")
            if answer not in _POLICIES:
                raise AssertionError(f"'{answer}' is not one of the policy names {', '.join(_POLICIES)}.")
            if answer not in accepted:
                raise AssertionError(_policy_hint(device, answer, accepted))
    return run_check("Exercise 1 (which policy for which machine?)", body)


def cached_augmented_pipeline(augmented_pipeline) -> bool:
    """Check a tf.data pipeline that reads each image once (cache after the read) and augments anew each
    epoch (random map after the cache), shuffles every epoch, reads in parallel and prefetches."""
    def body():
        import threading

        import tensorflow as tf

        require(augmented_pipeline, "augmented_pipeline")
        n, batch_size = 48, 8
        ids = np.arange(n, dtype=np.int64)
        images = np.repeat(ids.astype("float32")[:, None, None], 4, axis=1).repeat(4, axis=2)  # image i: all i
        calls, lock = [0], threading.Lock()

        def read(image):
            with lock:
                calls[0] += 1
            return 2 * image.numpy()                      # "decoding": the check can see it was applied

        def load(image, label):
            pixels = tf.py_function(read, [image], tf.float32)
            pixels.set_shape(image.shape)
            return pixels, label

        generator = tf.random.Generator.from_seed(1)      # tf.random.uniform would repeat every epoch

        def augment(image, label):                        # a random offset, new on every call
            return image + generator.uniform([], 0.25, 0.75), label

        data = call_answer(augmented_pipeline, images, ids, load, augment, batch_size)
        if not isinstance(data, tf.data.Dataset):
            raise AssertionError(f"augmented_pipeline returned a {type(data).__name__}: return the "
                                 "tf.data.Dataset itself.")
        epochs, most = [], -(-n // batch_size)          # an epoch has at most `most` batches
        for _ in range(2):
            seen_ids, seen_images, sizes = [], [], []
            for pixels, labels in data.take(most + 1):  # take: a repeat() must not run forever here
                sizes.append(len(labels))
                seen_ids.extend(np.asarray(labels).tolist())
                seen_images.extend(np.asarray(pixels))
            if len(sizes) > most:
                raise AssertionError(f"{n} images in batches of {batch_size} make {most} batches, but the "
                                     "pipeline gave more: an epoch should hold every image once (no repeat()).")
            epochs.append((np.array(seen_ids), np.array(seen_images), sizes))
        first_ids, first_images, sizes = epochs[0]
        if sizes[0] != batch_size:
            raise AssertionError(f"the first batch holds {sizes[0]} images: batch with .batch(batch_size), "
                                 "after the maps.")
        for ids_seen, _, _ in epochs:
            if sorted(ids_seen.tolist()) != ids.tolist():
                raise AssertionError("an epoch should hold every image exactly once: no repeat() or take().")
        offsets = []
        for ids_seen, images_seen, _ in epochs:
            order = np.argsort(ids_seen)
            offsets.append(images_seen[order].reshape(n, -1) - 2 * ids[:, None])
        if all(np.allclose(o, -ids[:, None]) or np.all(np.abs(o + ids[:, None] - 0.5) <= 0.25 + 1e-6)
               for o in offsets):
            raise AssertionError("the images were never passed through load: map(load, ...) first.")
        if all(np.allclose(o, 0) for o in offsets):
            raise AssertionError("the images were never passed through augment: add .map(augment, ...).")
        if not all(np.all((o >= 0.25 - 1e-6) & (o <= 0.75 + 1e-6)) for o in offsets):
            raise AssertionError("each image should pass through load once and augment once per epoch; "
                                 "the values show something else.")
        if calls[0] > n:
            raise AssertionError(f"load ran {calls[0]} times for {n} images over two epochs: the second "
                                 "epoch read everything again. Put .cache() right after the map of load: "
                                 "what comes before the cache runs once, what comes after runs every epoch.")
        if np.allclose(offsets[0], offsets[1]):
            raise AssertionError("both epochs got the same random changes: the augmentation is frozen in the "
                                 "cache. Map augment *after* .cache(), so it runs anew every epoch.")
        if np.array_equal(first_ids, epochs[1][0]):
            raise AssertionError("both epochs came in the same order. Shuffle after the cache (a shuffle "
                                 "before it is stored in the cache, frozen, too): .shuffle(len(images)).")
        chain, node = [], data
        while node is not None and len(chain) < 50:
            chain.append(type(node).__name__)
            node = getattr(node, "_input_dataset", None)
        if "CacheDataset" in chain:
            below_cache = chain[chain.index("CacheDataset") + 1:chain.index("CacheDataset") + 2]
            if below_cache == ["_MapDataset"]:
                raise AssertionError("load still reads one image at a time in the first epoch: "
                                     "map(load, num_parallel_calls=tf.data.AUTOTUNE).")
        if "Prefetch" not in chain[0]:
            raise AssertionError("the pipeline should end with .prefetch(tf.data.AUTOTUNE), so that the next "
                                 "batches are prepared while the current one trains.")
    return run_check("Exercise 2 (cache, but keep the augmentation random)", body)


def weak_scaling_efficiency(efficiency, colleague_log, per_gpu_batch) -> bool:
    """Check {GPUs: scaling efficiency} from seconds per step, with a fixed batch per GPU (weak scaling)."""
    def body():
        answer = require(efficiency, "efficiency")
        log = {int(n): float(seconds) for n, seconds in colleague_log.items()}
        if not isinstance(answer, dict):
            raise AssertionError(f"efficiency should be a dictionary {{GPUs: efficiency}}, got a "
                                 f"{type(answer).__name__}.")
        if sorted(answer) != sorted(log):
            raise AssertionError(f"efficiency has the keys {sorted(answer)}; expected one per line of the log: "
                                 f"{sorted(log)}.")
        try:
            values = np.array([float(answer[n]) for n in sorted(log)])
        except (TypeError, ValueError):
            raise AssertionError("every value of efficiency should be a number.") from None
        gpus = np.array(sorted(log), dtype=float)
        seconds = np.array([log[n] for n in sorted(log)])
        throughput = gpus * per_gpu_batch / seconds                   # images per second
        expected = throughput / (gpus * throughput[0])
        if np.allclose(values, expected, rtol=1e-3):
            return
        wrongs = [
            (100 * expected, "give the efficiency as a fraction (1 is ideal), not as a percentage."),
            (throughput / throughput[0], "that is the speed-up T_n / T_1; the efficiency divides it by n."),
            (1 / expected, "upside down: the efficiency is T_n / (n T_1), at most 1 when scaling is ideal."),
            (seconds[0] / (gpus * seconds), "with the batch per GPU fixed, a step of n GPUs handles n times as "
                                            "many images: turn the step times into images per second first."),
            (gpus * seconds / seconds[0], "upside down, and with the batch per GPU fixed a step of n GPUs "
                                          "handles n times as many images: compare images per second."),
        ]
        for wrong, hint in wrongs:
            if np.allclose(values, wrong, rtol=1e-3):
                raise AssertionError(hint)
        raise AssertionError(f"got {np.round(values, 3).tolist()}, expected about {np.round(expected, 3).tolist()}: "
                             "T_n = n × per_gpu_batch / seconds per step, then E_n = T_n / (n × T_1).")
    return run_check("Exercise 3 (a colleague's scaling log)", body)
