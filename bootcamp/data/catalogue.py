"""The bootcamp's datasets: sources, checks, credit, fallbacks, loaders."""

from __future__ import annotations

import math

from bootcamp.data import hurdat2, idx, weights
from bootcamp.data.registry import Dataset, RemoteFile, register

KERAS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def _idx_file(name: str, content_sha256: str, dims: tuple[int, ...], base: str | None) -> RemoteFile:
    """One IDX file: checked by the sha256 of its uncompressed content (mirrors
    re-gzip these files) and by its IDX header."""
    magic = idx.IMAGES_MAGIC if len(dims) == 3 else idx.LABELS_MAGIC
    size = 4 + 4 * len(dims) + math.prod(dims)
    return RemoteFile(name, urls=(f"{base}{name}.gz",) if base else (), size=size,
                      content_sha256=content_sha256, validate=idx.expect(magic, dims))


def _idx_set(base: str | None, sha: dict[str, str]) -> tuple[RemoteFile, ...]:
    return (
        _idx_file("train-images-idx3-ubyte", sha["train-images"], (60_000, 28, 28), base),
        _idx_file("train-labels-idx1-ubyte", sha["train-labels"], (60_000,), base),
        _idx_file("t10k-images-idx3-ubyte", sha["t10k-images"], (10_000, 28, 28), base),
        _idx_file("t10k-labels-idx1-ubyte", sha["t10k-labels"], (10_000,), base),
    )


MNIST_IDX_SHA256 = {     # of the uncompressed files, as published with the offline mirror
    "train-images": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
FASHION_IDX_SHA256 = {   # of the uncompressed files (computed from Debian's dataset-fashion-mnist)
    "train-images": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
MNIST_NPZ = RemoteFile("mnist.npz", urls=(KERAS + "mnist.npz",), size=11_490_434,
                       sha256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")

register(Dataset(
    name="mnist",
    title="MNIST handwritten digits, 60,000 training + 10,000 test images",
    # Keras' mnist.npz first; the four IDX files (gzipped or not) from mirrors only.
    forms=((MNIST_NPZ,), _idx_set(None, MNIST_IDX_SHA256)),
    citation="Y. LeCun, C. Cortes, C. J. C. Burges: The MNIST database of handwritten digits (1998).",
    licence="CC BY-SA 3.0 (Y. LeCun and C. Cortes)",
    fallback="load_mnist(allow_fallback=True) uses scikit-learn's built-in 8x8 digits (1,797 images), "
             "enlarged to 28x28, and says so.",
    loader="bootcamp.data.mnist:load_mnist",
    subdirs=("MNIST",),
))

register(Dataset(
    name="fashion_mnist",
    title="Fashion-MNIST (Zalando) clothing images, 60,000 training + 10,000 test",
    forms=(_idx_set(KERAS, FASHION_IDX_SHA256),),
    citation="H. Xiao, K. Rasul, R. Vollgraf: Fashion-MNIST: a novel image dataset for benchmarking "
             "machine learning algorithms. arXiv:1708.07747 (2017).",
    licence="MIT (Zalando SE)",
    fallback="load_fashion_mnist(allow_fallback=True) uses scikit-learn's built-in 8x8 digits enlarged "
             "to 28x28 (digits, not clothes) and says so.",
    loader="bootcamp.data.mnist:load_fashion_mnist",
    subdirs=("fashion-mnist", "fashion"),
    hints=("on Debian or Ubuntu, `sudo apt install dataset-fashion-mnist` installs a copy in "
           "/usr/share/datasets/fashion-mnist that is found automatically.",),
))

register(Dataset(
    name="hurdat2",
    title="HURDAT2 Atlantic hurricane best track (NOAA National Hurricane Center), revised yearly",
    make_forms=hurdat2.make_forms,
    citation="C. W. Landsea, J. L. Franklin: Atlantic hurricane database uncertainty and presentation of "
             "a new database format. Mon. Wea. Rev. 141, 3576-3592 (2013).",
    licence="US Government work (NOAA), public domain",
    fallback=f"load_hurdat2(allow_fallback=True) uses the real {hurdat2.BUILTIN_SEASONS} Atlantic seasons "
             "shipped with the package (bootcamp/data/builtin) and says so.",
    loader="bootcamp.data.hurdat2:load_hurdat2",
    subdirs=("hurdat", "HURDAT2"),
    hints=(f"another revision can be chosen with {hurdat2.FILE_ENV}=hurdat2-1851-YYYY-MMDDYY.txt "
           f"(see {hurdat2.BASE_URL}).",),
    approx_size="~7 MB",
))

register(Dataset(
    name="hursat_b1",
    title="HURSAT-B1 v06 storm-centred infrared imagery (NOAA NCEI), one archive per storm",
    citation="K. R. Knapp, J. P. Kossin: New global tropical cyclone data set from ISCCP B1 geostationary "
             "satellite observations. J. Appl. Remote Sens. 1, 013505 (2007).",
    licence="US Government work (NOAA), public domain",
    fallback="the cyclone lessons generate storm-centred IR-like images whose structure follows real "
             "best-track intensities (bootcamp.cyclone.synth) and say so.",
    loader="bootcamp.data.hursat:read_frames",
    subdirs=("hursat", "HURSAT-B1"),
    hints=("fetch one storm with `python -m data_scripts fetch hursat_b1 --year 2005 --storm KATRINA`, "
           "or import an archive downloaded by hand with "
           "`python -m data_scripts import hursat_b1 --from FILE.tar.gz`.",),
    approx_size="10-300 MB per storm",
))

register(Dataset(
    name=weights.MOBILENET_V3_SMALL,
    title="Keras' ImageNet weights for MobileNetV3Small (alpha 1.0, without its classifier), for 08_transfer",
    forms=((RemoteFile(weights.MOBILENET_V3_SMALL_FILE, urls=(weights.KERAS_APPLICATIONS + weights.MOBILENET_V3_SMALL_FILE,),
                       md5=weights.MOBILENET_V3_SMALL_MD5, validate=weights.hdf5_file),),),
    citation="A. Howard et al.: Searching for MobileNetV3. ICCV 2019, 1314-1324; weights from Keras Applications.",
    licence="Apache 2.0 (Keras Applications)",
    fallback="08_transfer pretrains its own small backbone on Fashion-MNIST (as it always does) and leaves "
             "out the ImageNet comparison, and says so.",
    loader="bootcamp.data.weights:mobilenet_v3_small_imagenet",
    subdirs=("keras-applications", "models"),
    approx_size="a few MB",
))
