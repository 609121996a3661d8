"""Issue 13 point 13: messages that say what happened and what to do."""

import collections
import contextlib
import os
import subprocess
import zipfile

import pytest

ALG = "cropconfidence:style"


def _zip_file(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a raster")
    return path


@pytest.mark.parametrize("kind", ["empty", "zip"])
def test_style_on_an_unreadable_file_says_it_exists_but_is_not_a_raster(
    provider,
    tmp_path,
    kind,  # noqa: ARG001
):
    import processing
    from qgis.core import QgsProcessingException

    path = tmp_path / "CLMS_HRLVLCC_CTYCL_S2021.tif"
    if kind == "empty":
        path.write_bytes(b"")
    else:
        _zip_file(path)
    with pytest.raises(QgsProcessingException) as caught:
        processing.run(ALG, {"INPUT": str(path), "PRODUCT": 0})
    message = str(caught.value)
    assert "not found" not in message.lower()
    assert str(path) in message
    assert "exists but is not a raster GDAL can read" in message
    assert ("the file is empty: 0 bytes" in message) == (kind == "empty")


# -- a download folder that cannot be written ----------------------------------------------

TIFF = b"II*\x00" + bytes(range(256)) * 1200  # about 300 KB, a TIFF signature first
TIFF_NAME = "CLMS_HRLVLCC_CTYCL_S2021_R10m_E40N27_03035_V01_R00.tif"


@contextlib.contextmanager
def tmpfs(folder, options):
    """A tmpfs mounted on ``folder`` (we run as root in CI); the test is skipped where
    mounting is refused."""
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture()
def read_only_folder(tmp_path):
    if os.geteuid() != 0:  # permissions bind an ordinary user
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    with tmpfs(tmp_path / "ro", "ro,size=1g") as folder:  # root ignores permissions
        yield folder


def test_a_read_only_download_folder_is_named_and_no_partial_file_is_claimed(read_only_folder):
    from crop_confidence.plugin.net.download import DownloadError, download
    from crop_confidence.plugin.net.http import make_session
    from servers.download_host import DownloadHost

    with DownloadHost({"/x.tif": TIFF}) as host, pytest.raises(DownloadError) as raised:
        download(host.url("/x.tif"), read_only_folder, TIFF_NAME, make_session())
    message = str(raised.value)
    assert f"Cannot write in the download folder {read_only_folder}" in message
    assert "Choose a folder you can write to" in message
    assert "partial" not in message and ".part" not in message
    assert list(read_only_folder.iterdir()) == []


def test_a_disk_full_midway_names_the_partial_file_with_its_bytes(tmp_path):
    """The .part really holds bytes here: then, and only then, is it said to be kept."""
    from crop_confidence.plugin.net.download import DownloadError, download
    from crop_confidence.plugin.net.http import make_session
    from servers.download_host import DownloadHost

    Usage = collections.namedtuple("Usage", "total used free")
    with tmpfs(tmp_path / "small", "size=64k") as folder, DownloadHost({"/x.tif": TIFF}) as host:
        with pytest.raises(DownloadError) as raised:
            download(
                host.url("/x.tif"),
                folder,
                TIFF_NAME,
                make_session(),
                disk_usage=lambda _: Usage(10**9, 0, 10**9),  # free space announced wrongly
                chunk_size=16 * 1024,
            )
        part = folder / (TIFF_NAME + ".part")
        kept = part.stat().st_size
        assert 0 < kept < len(TIFF) and part.read_bytes() == TIFF[:kept]
    message = str(raised.value)
    assert f"Cannot write {part}" in message
    assert f"The partial file {part.name} ({kept} bytes) is kept for resuming." in message
