"""The datasets the lessons use: where they come from and how they are checked."""

from __future__ import annotations

from bootcamp.data import hurdat2
from bootcamp.data.core import Dataset, register
from bootcamp.data.files import RemoteFile

KERAS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def _idx(name: str, content_sha256: str, size: int, base: str) -> RemoteFile:
    return RemoteFile(name, urls=(f"{base}{name}.gz",), size=size, content_sha256=content_sha256)


MNIST_IDX = (
    _idx("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47040016, KERAS),
    _idx("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60008, KERAS),
    _idx("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7840016, KERAS),
    _idx("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10008, KERAS),
)

register(Dataset(
    name="mnist",
    title="MNIST handwritten digits, 60,000 + 10,000 images",
    forms=(
        (RemoteFile("mnist.npz", urls=(KERAS + "mnist.npz",), size=11490434,
                    sha256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"),),
        MNIST_IDX,
    ),
    citation="Y. LeCun, C. Cortes, C. J. C. Burges: The MNIST database of handwritten digits.",
    licence="CC BY-SA 3.0 (as distributed by the Keras datasets mirror)",
    fallback="load_mnist(allow_fallback=True) uses scikit-learn's built-in 8x8 digits, enlarged to 28x28.",
    subdirs=("MNIST",),
))

register(Dataset(
    name="fashion_mnist",
    title="Fashion-MNIST (Zalando) clothing images, 60,000 + 10,000",
    forms=((
        _idx("train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47040016, KERAS + "fashion-mnist/"),
        _idx("train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60008, KERAS + "fashion-mnist/"),
        _idx("t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7840016, KERAS + "fashion-mnist/"),
        _idx("t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10008, KERAS + "fashion-mnist/"),
    ),),
    citation="H. Xiao, K. Rasul, R. Vollgraf: Fashion-MNIST: a Novel Image Dataset for Benchmarking "
             "Machine Learning Algorithms, arXiv:1708.07747 (2017).",
    licence="MIT",
    fallback="load_fashion_mnist(allow_fallback=True) uses scikit-learn's built-in digits instead "
             "(clearly not clothing).",
    subdirs=("fashion-mnist", "fashion"),
    hint="on Debian or Ubuntu, `sudo apt install dataset-fashion-mnist` provides a local copy that is found automatically.",
))


def _hurdat2_file() -> RemoteFile:
    name = hurdat2.current_file()
    return RemoteFile(name, urls=(hurdat2.BASE_URL + name,), validate=hurdat2.validate, glob="hurdat2*.txt")


register(Dataset(
    name="hurdat2",
    title="HURDAT2 Atlantic best track (National Hurricane Center), revised yearly",
    forms=((_hurdat2_file(),),),
    citation="C. W. Landsea, J. L. Franklin: Atlantic Hurricane Database Uncertainty and Presentation of a "
             "New Database Format. Mon. Wea. Rev. 141, 3576-3592 (2013).",
    licence="US Government work (NOAA), public domain",
    fallback="load_hurdat2(allow_fallback=True) uses the real 2004-2018 Atlantic seasons shipped with this "
             "package (bootcamp/data/builtin).",
    subdirs=("hurdat", "HURDAT2"),
    hint=f"another revision can be chosen with {hurdat2.FILE_ENV}=hurdat2-1851-YYYY-MMDDYY.txt.",
))
