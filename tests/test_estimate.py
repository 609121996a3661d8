"""The dock's download estimates and product coverage, without QGIS."""

from crop_confidence.plugin.sources.coverage import COVERAGE_4326, coverage_of
from crop_confidence.plugin.sources.estimate import (
    clipped_bytes,
    known_bytes,
    whole_download_is_small,
    whole_files_bytes,
)


def test_clipped_bytes_count_10_m_pixels_per_layer_compressed():
    # 12 km² is 120 000 pixels; CTY + CTYCL take 3 bytes each, CTYCL only 1; ratio 0.3.
    assert clipped_bytes(12.0, "cty_ctycl") == 108_000
    assert clipped_bytes(12.0, "ctycl") == 36_000
    assert clipped_bytes(12.0, "oso") == 108_000
    assert clipped_bytes(0.0, "oso") == 0


def test_whole_files_add_up_only_when_every_size_is_known():
    assert whole_files_bytes([700, 200]) == 900
    assert whole_files_bytes([700, None]) is None
    assert whole_files_bytes([]) is None
    assert known_bytes([700, None, 200]) == 900
    assert known_bytes([None]) == 0
    assert known_bytes([]) is None


def test_whole_downloads_ask_above_the_threshold_or_for_unknown_sizes():
    assert whole_download_is_small([100, 200], 300)
    assert not whole_download_is_small([100, 201], 300)
    assert not whole_download_is_small([100, None], 10_000)
    assert not whole_download_is_small([], 10_000)  # nothing searched: nothing vouches


def test_each_family_has_its_coverage():
    assert coverage_of("cty_ctycl") == coverage_of("ctycl") == COVERAGE_4326["clms"]
    assert coverage_of("oso") == COVERAGE_4326["oso"]
    for envelopes in COVERAGE_4326.values():
        for west, south, east, north in envelopes:
            assert -180 <= west < east <= 180 and -90 <= south < north <= 90
