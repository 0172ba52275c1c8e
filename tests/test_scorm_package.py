"""Reading untrusted SCORM zips: what is refused, with which message, and that a refused package
leaves nothing behind; then the real third-party packages in ../shared/scorm/."""

import stat
import struct
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from courses.scorm import manifest
from courses.scorm.package import Limits, PackageRefused, extract, read_manifest

MANIFEST = b'<?xml version="1.0"?><manifest identifier="m"/>'
SHARED_SCORM = Path(__file__).resolve().parents[2] / "shared" / "scorm"
MIB = 1024 * 1024


def make_zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def patch_headers(path: Path, name: str, *, flag_bits: int | None = None,
                  file_size: int | None = None) -> None:
    """Rewrite fields of `name`'s local header and central directory entry, as a hostile or
    broken zip tool would write them."""
    data, encoded = bytearray(path.read_bytes()), name.encode()
    # (signature, offset of the flags, of the uncompressed size, of the name)
    for signature, flags_at, size_at, name_at in ((b"PK\x03\x04", 6, 22, 30),
                                                  (b"PK\x01\x02", 8, 24, 46)):
        start = data.find(signature)
        while start >= 0:
            if data[start + name_at:start + name_at + len(encoded)] == encoded:
                if flag_bits is not None:
                    struct.pack_into("<H", data, start + flags_at, flag_bits)
                if file_size is not None:
                    struct.pack_into("<I", data, start + size_at, file_size)
            start = data.find(signature, start + 4)
    path.write_bytes(data)


def refused(tmp_path: Path, zip_path: Path, limits: Limits | None = None) -> str:
    """The refusal's message, after checking that nothing was left next to the destination."""
    parent = tmp_path / "courses"
    parent.mkdir()
    with pytest.raises(PackageRefused) as caught:
        extract(zip_path, parent / "course-1", limits=limits or Limits())
    assert list(parent.iterdir()) == [], "a refused package left files behind"
    return caught.value.message


@pytest.fixture(scope="module")
def zeros_zip(tmp_path_factory) -> Path:
    """A few good files, then 50 MB of zeros that deflate to about 50 KB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    return make_zip(path, [("imsmanifest.xml", MANIFEST), ("index.html", b"<p>hi</p>"),
                           ("zeros.bin", bytes(50 * 1_000_000))])


def test_a_package_is_unpacked_into_a_new_folder(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [
        ("imsmanifest.xml", MANIFEST), ("sco/", b""), ("sco/index.html", b"<p>lesson</p>"),
        ("sco/./style.css", b"p {}")])
    destination = tmp_path / "courses" / "course-1"

    result = extract(zip_path, destination)

    assert (destination / "sco" / "index.html").read_bytes() == b"<p>lesson</p>"
    assert (destination / "sco" / "style.css").read_bytes() == b"p {}"
    assert (result.files, result.total_bytes) == (3, len(MANIFEST) + 13 + 4)
    assert (result.manifest_path, result.notes) == ("imsmanifest.xml", ())
    assert [path.name for path in destination.parent.iterdir()] == ["course-1"]


def test_the_single_top_folder_becomes_the_package_root_with_a_note(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [
        ("Golf Course/", b""), ("Golf Course/imsmanifest.xml", MANIFEST),
        ("Golf Course/index.html", b"<p>hi</p>")])

    result = extract(zip_path, tmp_path / "course")

    assert (tmp_path / "course" / "imsmanifest.xml").read_bytes() == MANIFEST
    assert not (tmp_path / "course" / "Golf Course").exists()
    assert result.manifest_path == "Golf Course/imsmanifest.xml"
    assert "single top folder 'Golf Course'" in result.notes[0]


def test_an_existing_destination_is_never_touched(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", MANIFEST)])
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "keep.txt").write_text("mine")

    with pytest.raises(FileExistsError):
        extract(zip_path, tmp_path / "course")
    assert [path.name for path in (tmp_path / "course").iterdir()] == ["keep.txt"]


@pytest.mark.parametrize(("name", "expected"), [
    ("../evil.html", "'..' part"),
    ("sco/../../evil.html", "'..' part"),
    ("/etc/cron.d/evil", "absolute path"),
    ("C:/Windows/evil.dll", "absolute path"),
    ("sco\\..\\..\\evil.html", "backslashes"),
    ("tab\there.html", "control character"),
    ("sco/" + "x" * 252 + ".html", "longer than 255 bytes"),
])
def test_names_that_could_land_outside_the_package_are_refused(tmp_path, name, expected):
    zip_path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", MANIFEST), (name, b"x")])

    message = refused(tmp_path, zip_path)

    assert expected in message
    assert not (tmp_path / "evil.html").exists()


def test_a_nul_in_a_name_is_refused_though_zipfile_would_cut_the_name_there(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", MANIFEST),
                                                  ("evil.html?.txt", b"x")])
    zip_path.write_bytes(zip_path.read_bytes().replace(b"evil.html?.txt", b"evil.html\0.txt"))

    assert "control character (such as NUL)" in refused(tmp_path, zip_path)


def test_a_symbolic_link_is_refused(tmp_path):
    link = zipfile.ZipInfo("shared/passwd.html")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    zip_path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", MANIFEST),
                                                  (link, b"/etc/passwd")])

    assert "'shared/passwd.html' is a symbolic link" in refused(tmp_path, zip_path)


def test_an_encrypted_member_is_refused(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", MANIFEST),
                                                  ("secret.html", b"x")])
    patch_headers(zip_path, "secret.html", flag_bits=0x1)

    assert "'secret.html' is encrypted (password-protected)" in refused(tmp_path, zip_path)


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_name_twice_is_refused(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", MANIFEST),
                                                  ("a.html", b"first"), ("a.html", b"second")])

    assert "'a.html' appears twice" in refused(tmp_path, zip_path)


def test_names_that_differ_only_in_case_are_refused_and_the_reason_said(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", MANIFEST),
                                                  ("Page.html", b"1"), ("page.html", b"2")])

    message = refused(tmp_path, zip_path)

    assert "'Page.html' and 'page.html' differ only in upper and lower case" in message
    assert "storage that ignores case" in message


def test_a_file_that_is_also_a_folder_is_refused(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", MANIFEST),
                                                  ("shared", b"1"), ("shared/a.js", b"2")])

    assert "'shared' is both a file and a folder" in refused(tmp_path, zip_path)


def test_too_many_files_are_refused(tmp_path):
    entries = [("imsmanifest.xml", MANIFEST)] + [(f"page{n}.html", b"x") for n in range(5)]
    zip_path = make_zip(tmp_path / "course.zip", entries)

    message = refused(tmp_path, zip_path, Limits(max_files=5))

    assert "The zip has 6 files and folders; a course may have at most 5" in message


def test_an_empty_file_is_refused(tmp_path):
    (tmp_path / "course.zip").write_bytes(b"")

    assert "The file is empty (0 bytes)" in refused(tmp_path, tmp_path / "course.zip")


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    (tmp_path / "course.zip").write_bytes(b"<html>An error page, not a zip</html>")

    assert "not a zip archive" in refused(tmp_path, tmp_path / "course.zip")


def test_a_zip_without_a_manifest_is_refused(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [("index.html", b"x"), ("style.css", b"y")])

    assert "no imsmanifest.xml at its root" in refused(tmp_path, zip_path)


def test_a_manifest_too_deep_or_misspelled_is_refused_and_shown(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [("export/course/IMSManifest.xml", MANIFEST)])

    message = refused(tmp_path, zip_path)

    assert "The zip has 'export/course/IMSManifest.xml'" in message
    assert "named exactly imsmanifest.xml and sit at the root" in message


def test_a_zip_bomb_is_stopped_by_its_compression_ratio(tmp_path, zeros_zip):
    message = refused(tmp_path, zeros_zip)

    assert "'zeros.bin' expands to more than 200 times its compressed size" in message


def test_a_package_larger_than_the_limit_is_stopped_while_unpacking(tmp_path, zeros_zip):
    message = refused(tmp_path, zeros_zip, Limits(max_total_bytes=4 * MIB, max_ratio=10_000))

    assert "The package unpacks to more than 4 MiB" in message


def test_a_header_that_understates_a_member_is_refused(tmp_path, zeros_zip):
    """The headers say zeros.bin has 1,000 bytes; it has 50 MB."""
    zip_path = tmp_path / "lying.zip"
    zip_path.write_bytes(zeros_zip.read_bytes())
    patch_headers(zip_path, "zeros.bin", file_size=1000)

    assert "'zeros.bin' is damaged in the zip" in refused(tmp_path, zip_path)


def test_limits_count_the_bytes_produced_not_the_sizes_declared(tmp_path):
    """The headers say page.html has 3 GiB, beyond the 2 GiB limit; it has 500 bytes."""
    zip_path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", MANIFEST),
                                                  ("page.html", b"hello" * 100)])
    patch_headers(zip_path, "page.html", file_size=3 * 1024 * MIB)

    result = extract(zip_path, tmp_path / "course")

    assert result.total_bytes == len(MANIFEST) + 500


def test_the_manifest_is_read_without_unpacking_anything(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [("top/imsmanifest.xml", MANIFEST),
                                                  ("top/index.html", b"x")])

    packed = read_manifest(zip_path)

    assert packed.data == MANIFEST
    assert packed.manifest_path == "top/imsmanifest.xml"
    assert "single top folder 'top'" in packed.notes[0]
    assert [path.name for path in tmp_path.iterdir()] == ["course.zip"]


def test_reading_the_manifest_refuses_what_unpacking_would_refuse(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", MANIFEST),
                                                  ("../evil.html", b"x")])

    with pytest.raises(PackageRefused, match=r"'\.\.' part"):
        read_manifest(zip_path)


def test_a_huge_manifest_is_refused(tmp_path):
    zip_path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", b" " * 5000 + MANIFEST)])

    with pytest.raises(PackageRefused, match="imsmanifest.xml is larger than 4 KiB"):
        read_manifest(zip_path, limits=Limits(max_manifest_bytes=4096))
    assert "imsmanifest.xml is larger than 4 KiB" in refused(
        tmp_path, zip_path, Limits(max_manifest_bytes=4096))


REAL_PACKAGES = [
    # file, version, SCOs in tree order, extracted files
    ("golf-runtime-basic-scorm12.zip", "1.2", ["item_1"], 44),
    ("golf-runtime-advanced-scorm2004-3rd.zip", "2004 3rd Edition", ["item_1"], 69),
    ("golf-sequencing-pretest-posttest-scorm2004-3rd.zip", "2004 3rd Edition",
     ["pretest_item", "playing_item", "etuqiette_item", "handicapping_item", "havingfun_item",
      "posttest_item"], 69),
]


def real_package(name: str) -> Path:
    path = SHARED_SCORM / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the real SCORM packages live in ../shared/scorm/ "
                    "next to the repository (see its SOURCES.md)")
    return path


@pytest.mark.parametrize(("name", "version", "scos", "files"), REAL_PACKAGES)
def test_real_packages_unpack_safely_and_their_manifests_parse(tmp_path, name, version, scos,
                                                               files):
    destination = tmp_path / "courses" / "course"

    result = extract(real_package(name), destination)
    parsed = manifest.parse((destination / "imsmanifest.xml").read_bytes())

    assert (result.files, result.manifest_path, result.notes) == (files, "imsmanifest.xml", ())
    assert parsed.version == version
    assert len(parsed.organizations) == 1
    launchable = manifest.launchable_items(parsed.default)
    assert [item.identifier for item in launchable] == scos
    assert all(item.is_sco for item in launchable)
    for item in launchable:
        assert (destination / urlsplit(item.launch).path).is_file(), item.launch
    for resource in parsed.resources:
        assert all((destination / file).is_file() for file in resource.all_files)
    assert [path.name for path in destination.parent.iterdir()] == ["course"]


def test_the_2004_runtime_sample_keeps_its_objectives():
    parsed = manifest.parse(read_manifest(
        real_package("golf-runtime-advanced-scorm2004-3rd.zip")).data)

    item = parsed.default.items[0]
    primary = item.sequencing.objectives[0]
    assert (primary.objective_id, primary.primary, primary.satisfied_by_measure,
            primary.min_normalized_measure) == ("PRIMARYOBJ", True, True, 0.8)
    assert [objective.objective_id for objective in item.sequencing.objectives[1:]] == [
        "obj_etiquette", "obj_handicapping", "obj_havingfun", "obj_playing"]
    assert parsed.default.objectives_global_to_system is False
    assert parsed.default.sequencing.tree["children"][0] == {
        "tag": "controlMode", "attributes": {"choice": "true", "flow": "true"}, "text": None,
        "children": []}


def test_the_2004_sequencing_sample_keeps_its_rules_and_global_objectives():
    parsed = manifest.parse(read_manifest(
        real_package("golf-sequencing-pretest-posttest-scorm2004-3rd.zip")).data)

    wrapper = parsed.default.items[0]
    pretest, content, posttest = wrapper.children
    assert (wrapper.isvisible, content.isvisible) == (False, False)
    assert [item.identifier for item in content.children] == [
        "playing_item", "etuqiette_item", "handicapping_item", "havingfun_item"]
    target = "com.scorm.golfsamples.sequencing.preorposttestrollup.assessment_satisfied"
    written = pretest.sequencing.objectives[0].map_info[0]
    assert (written.target_objective_id, written.write_satisfied_status,
            written.write_normalized_measure) == (target, True, True)
    read = posttest.sequencing.objectives[1]
    assert read.objective_id == "content_completed"
    assert read.map_info[0].read_satisfied_status is True
    tags = [child["tag"] for child in pretest.sequencing.tree["children"]]
    assert tags == ["sequencingRules", "limitConditions", "objectives", "deliveryControls"]
    playing = next(r for r in parsed.resources if r.identifier == "playing_resource")
    assert "shared/scormfunctions.js" in playing.all_files
