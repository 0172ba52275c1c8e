"""Importing SCORM packages as versioned courses, on the local folder and on S3 (moto): the real
packages in ../shared/scorm/ import and their files are served with the right type and ranges;
contents are stored once; hostile or broken packages are refused with their reason and leave no
row, no stored object and no temporary folder; the command line; who may fetch content."""

import hashlib
import json
import stat
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from courses import importing
from courses.content_views import CONTENT_SECURITY_POLICY
from courses.models import ContentBlob, Course, CourseFile, CourseVersion
from portal import storage
from portal.extensions import db
from portal.storage import LocalStorage
from tests.test_scorm_manifest import NS_12, document
from tests.test_scorm_package import SHARED_SCORM, make_zip, patch_headers

REAL_PACKAGES = [
    # file, SCORM version, files in the package
    ("golf-runtime-basic-scorm12.zip", "1.2", 44),
    ("golf-runtime-advanced-scorm2004-3rd.zip", "2004", 69),
    ("golf-sequencing-pretest-posttest-scorm2004-3rd.zip", "2004", 69),
]
MANIFEST_12 = document(version="1.2", namespaces=NS_12, resources=(
    '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">'
    '<file href="index.html"/><file href="shared/app.js"/></resource>'))
PAGE = b"<!doctype html><title>Lesson</title><script src='shared/app.js'></script>"
SCRIPT = b"function start() { return 'started'; }\n"


def real_package(name: str) -> Path:
    path = SHARED_SCORM / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the real SCORM packages live in ../shared/scorm/ next "
                    "to the repository (see its SOURCES.md)")
    return path


def tiny_package(path: Path, *extra: tuple[str, bytes]) -> Path:
    """A small valid SCORM 1.2 package: one SCO (index.html) and its script."""
    return make_zip(path, [("imsmanifest.xml", MANIFEST_12), ("index.html", PAGE),
                           ("shared/app.js", SCRIPT), *extra])


@pytest.fixture(params=["local", "s3"])
def backend(request, app, tmp_path, monkeypatch):
    """The app's storage for this test alone (a fresh folder or bucket), so what a test stored
    can be listed."""
    if request.param == "s3":
        chosen = request.getfixturevalue("s3_storage")
    else:
        chosen = LocalStorage(tmp_path / "files")
        chosen.root.mkdir()
    monkeypatch.setitem(app.extensions, "storage", chosen)
    return chosen


@pytest.fixture
def temp_dir(tmp_path, monkeypatch) -> Path:
    """Where temporary files and folders go during the test (tempfile's default)."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def trainer(make_user):
    return make_user(roles=("trainer",))


def stored_keys(backend) -> list[str]:
    if backend.name == "local":
        return sorted(str(p.relative_to(backend.root)) for p in backend.root.rglob("*")
                      if p.is_file())
    found = backend.client.list_objects_v2(Bucket=backend.bucket)
    return sorted(item["Key"] for item in found.get("Contents", []))


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Course, CourseVersion, CourseFile, ContentBlob)}


NOTHING = {"Course": 0, "CourseVersion": 0, "CourseFile": 0, "ContentBlob": 0}


def member(zip_path: Path, path: str) -> bytes:
    """A file of the package, by its path from the package root (the manifest's folder)."""
    with zipfile.ZipFile(zip_path) as archive:
        name = next(n for n in archive.namelist() if n == path or n.endswith(f"/{path}"))
        return archive.read(name)


# --- the real packages, imported and served ---------------------------------------------------

@pytest.mark.parametrize(("name", "scorm_version", "files"), REAL_PACKAGES)
def test_a_real_package_imports_and_its_files_are_served(app, client, login, backend, trainer,
                                                         name, scorm_version, files):
    path = real_package(name)

    version = importing.import_package(path, actor=trainer)
    db.session.commit()

    assert (version.number, version.scorm_version, version.file_count) == (1, scorm_version,
                                                                           files)
    assert version.course.title == version.title and version.title.startswith("Golf Explained")
    distinct = db.session.scalar(select(func.count(func.distinct(CourseFile.blob_sha256)))
                                 .where(CourseFile.version_id == version.id))
    assert len(stored_keys(backend)) == distinct
    launch = urlsplit(version.launch_items[0]["launch"]).path
    login(client, trainer)

    page = client.get(f"/courses/content/{version.id}/{launch}")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html"
    assert page.data == member(path, launch)
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    part = client.get(f"/courses/content/{version.id}/{launch}", headers={"Range": "bytes=10-99"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 10-99/{len(page.data)}"
    assert part.data == page.data[10:100]
    script = client.get(f"/courses/content/{version.id}/shared/scormfunctions.js")
    assert script.headers["Content-Type"] == "text/javascript"
    assert script.data == member(path, "shared/scormfunctions.js")
    style = client.get(f"/courses/content/{version.id}/shared/style.css")
    assert style.headers["Content-Type"] == "text/css"


def test_each_item_of_a_multi_sco_package_launches_a_file_it_has(client, login, backend,
                                                                  trainer):
    path = real_package("golf-sequencing-pretest-posttest-scorm2004-3rd.zip")

    version = importing.import_package(path, actor=trainer)
    db.session.commit()
    login(client, trainer)

    assert len(version.launch_items) == 6
    for item in version.launch_items:
        answer = client.get(f"/courses/content/{version.id}/{item['launch']}")
        assert answer.status_code == 200, item
        assert answer.data == member(path, urlsplit(item["launch"]).path)


# --- versions and contents stored once --------------------------------------------------------

def test_a_new_package_for_a_course_is_its_next_version_and_stores_only_new_contents(
        tmp_path, backend, trainer):
    first = importing.import_package(tiny_package(tmp_path / "v1.zip"), actor=trainer)
    db.session.commit()
    keys = stored_keys(backend)

    again = importing.import_package(tmp_path / "v1.zip", course=first.course, actor=trainer)
    db.session.commit()

    assert (again.course_id, again.number) == (first.course_id, 2)
    assert again.notes == ["This is the same package file as version 1."]
    assert stored_keys(backend) == keys  # nothing new stored
    changed = tiny_package(tmp_path / "v3.zip", ("notes.txt", b"one new file"))
    third = importing.import_package(changed, course=first.course, title="Renamed",
                                     actor=trainer)
    db.session.commit()
    new_keys = sorted(set(stored_keys(backend)) - set(keys))
    assert new_keys == [importing.blob_key(hashlib.sha256(b"one new file").hexdigest())]
    assert (third.number, third.file_count, third.course.title) == (3, 4, "Renamed")
    assert row_counts() == {"Course": 1, "CourseVersion": 3, "CourseFile": 3 + 3 + 4,
                            "ContentBlob": 4}


def test_another_course_with_the_same_files_stores_nothing_new(tmp_path, backend, trainer):
    first = importing.import_package(tiny_package(tmp_path / "a.zip"), actor=trainer)
    keys = stored_keys(backend)

    other = importing.import_package(tiny_package(tmp_path / "b.zip"), title="Another course",
                                     actor=trainer)
    db.session.commit()

    assert other.course_id != first.course_id
    assert (first.course.key, other.course.key) == ("course", "another-course")
    assert stored_keys(backend) == keys


def test_a_file_twice_in_one_package_is_stored_once(tmp_path, backend, trainer):
    version = importing.import_package(
        tiny_package(tmp_path / "c.zip", ("copy/app.js", SCRIPT)), actor=trainer)

    assert version.file_count == 4
    assert len(stored_keys(backend)) == 3


# --- refused packages leave nothing behind ----------------------------------------------------

def _zip_slip(path):
    return tiny_package(path, ("../evil.html", b"x"))


def _absolute(path):
    return tiny_package(path, ("/etc/cron.d/evil", b"x"))


def _symlink(path):
    link = zipfile.ZipInfo("shared/passwd.html")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return tiny_package(path, (link, b"/etc/passwd"))


def _zip_bomb(path):
    return tiny_package(path, ("zeros.bin", bytes(50 * 1_000_000)))


def _encrypted(path):
    tiny_package(path, ("secret.html", b"x"))
    patch_headers(path, "secret.html", flag_bits=0x1)
    return path


def _with_manifest(data: bytes):
    return lambda path: make_zip(path, [("imsmanifest.xml", data), ("index.html", PAGE)])


XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
       b"<manifest><organizations><organization identifier='o'><title>&e;</title>"
       b"</organization></organizations></manifest>")
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY l0 "lol">'
          + "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
          + "]><manifest><metadata><schema>&l9;</schema></metadata></manifest>").encode()


def _empty(path):
    path.write_bytes(b"")
    return path


def _not_a_zip(path):
    path.write_bytes(b"<html>An error page, not a zip</html>")
    return path


HOSTILE = [
    ("zip-slip", _zip_slip, "'../evil.html' has a '..' part"),
    ("absolute-path", _absolute, "'/etc/cron.d/evil' is an absolute path"),
    ("symlink", _symlink, "'shared/passwd.html' is a symbolic link"),
    ("zip-bomb", _zip_bomb, "'zeros.bin' expands to more than 200 times its compressed size"),
    ("encrypted", _encrypted, "'secret.html' is encrypted (password-protected)"),
    ("xxe", _with_manifest(XXE), "declares a DTD"),
    ("billion-laughs", _with_manifest(LAUGHS), "declares a DTD"),
    ("no-manifest", lambda path: make_zip(path, [("index.html", PAGE)]),
     "no imsmanifest.xml at its root"),
    ("missing-resource", _with_manifest(document(resources="")),
     "Item 'i1' refers to resource 'r1', which the manifest does not define"),
    ("missing-launch-file", lambda path: make_zip(path, [("imsmanifest.xml", MANIFEST_12)]),
     "Item 'i1' ('Lesson') launches 'index.html', which is not in the package"),
    ("empty", _empty, "The file is empty (0 bytes)"),
    ("not-a-zip", _not_a_zip, "This file is not a zip archive"),
]


def assert_nothing_left() -> None:
    """No course row, no stored object (in the test's `backend`), no temporary file or folder
    (in the test's `temp_dir`)."""
    assert row_counts() == NOTHING
    assert stored_keys(storage.get_storage()) == []
    assert list(Path(tempfile.gettempdir()).iterdir()) == []


@pytest.mark.parametrize(("build", "expected"), [case[1:] for case in HOSTILE],
                         ids=[case[0] for case in HOSTILE])
def test_a_hostile_or_broken_package_is_refused_and_leaves_nothing(tmp_path, backend, temp_dir,
                                                                   trainer, build, expected):
    path = build(tmp_path / "course.zip")

    with pytest.raises(importing.ImportRefused) as refused:
        importing.import_package(path, actor=trainer)

    assert expected in refused.value.message
    assert_nothing_left()


def test_a_launch_file_differing_only_in_case_is_named(tmp_path, trainer):
    path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", MANIFEST_12),
                                              ("Index.html", PAGE)])

    with pytest.raises(importing.ImportRefused) as refused:
        importing.import_package(path, actor=trainer)

    assert "The package has 'Index.html': file names differ by upper and lower case" in (
        refused.value.message)


def test_files_the_manifest_lists_but_the_zip_lacks_are_noted(tmp_path, trainer):
    path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", MANIFEST_12),
                                              ("index.html", PAGE)])

    version = importing.import_package(path, actor=trainer)

    assert version.notes == ["1 file(s) listed in imsmanifest.xml are not in the package "
                             "(shared/app.js); pages that ask for them will not find them."]


def test_a_failure_while_storing_removes_what_this_import_stored(tmp_path, backend, temp_dir,
                                                                 trainer, monkeypatch):
    """The third content's upload fails: the two stored before it go, and every row."""
    path = tiny_package(tmp_path / "course.zip", ("notes.txt", b"notes"))
    put, calls = backend.put, []

    def failing_put(key, stream, content_type):
        calls.append(key)
        if len(calls) == 3:
            raise storage.StorageError("the disk is full")
        return put(key, stream, content_type)

    monkeypatch.setattr(backend, "put", failing_put)

    with pytest.raises(storage.StorageError, match="the disk is full"):
        importing.import_package(path, actor=trainer)

    assert len(calls) == 3
    assert_nothing_left()


def test_a_failure_after_storing_keeps_contents_other_versions_use(tmp_path, backend, trainer,
                                                                  monkeypatch):
    first = importing.import_package(tiny_package(tmp_path / "v1.zip"), actor=trainer)
    db.session.commit()
    keys, counts = stored_keys(backend), row_counts()

    def broken_audit(*args, **kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(importing.audit, "record", broken_audit)
    changed = tiny_package(tmp_path / "v2.zip", ("notes.txt", b"new"))
    with pytest.raises(RuntimeError):
        importing.import_package(changed, course=first.course, actor=trainer)

    assert stored_keys(backend) == keys  # the new content went, the shared ones stayed
    assert row_counts() == counts


# --- the command line -------------------------------------------------------------------------

def run_import(app, *args):
    return app.test_cli_runner().invoke(args=["courses", "import", *map(str, args)])


def test_the_command_line_imports_and_prints_json(app, tmp_path, backend):
    path = tiny_package(tmp_path / "course.zip")

    first = run_import(app, path, "--title", "Call basics")
    again = run_import(app, path, "--course", "call-basics")

    assert first.exit_code == 0, first.output
    shown = json.loads(first.output)
    assert shown == {"course_id": shown["course_id"], "course_key": "call-basics", "version": 1,
                     "scorm_version": "1.2", "files": 3, "notes": []}
    assert json.loads(again.output)["version"] == 2
    version = db.session.get(Course, shown["course_id"])
    assert version.title == "Call basics"


def test_the_command_line_refuses_a_bad_package_and_an_unknown_course(app, tmp_path, backend,
                                                                       temp_dir):
    bad = run_import(app, _zip_slip(tmp_path / "course.zip"))
    unknown = run_import(app, tiny_package(tmp_path / "good.zip"), "--course", "nope")

    assert bad.exit_code == 1
    assert bad.output.startswith("Error: course.zip: '../evil.html' has a '..' part")
    assert unknown.exit_code == 1 and "No course has the key 'nope'" in unknown.output
    assert_nothing_left()


# --- who may fetch content, and what ----------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("a.js", "text/javascript"), ("b.json", "application/json"), ("c.svg", "image/svg+xml"),
    ("d.woff2", "font/woff2"), ("e.mp4", "video/mp4"), ("f.webm", "video/webm"),
    ("g.vtt", "text/vtt"), ("h.xml", "application/xml"), ("i.JPG", "image/jpeg"),
    ("j.HTM", "text/html"), ("k.unknown", "application/octet-stream"),
    ("no-extension", "application/octet-stream")])
def test_files_are_served_with_their_media_type(client, login, tmp_path, trainer, name,
                                                expected):
    path = tiny_package(tmp_path / "course.zip", (f"media/{name}", b"bytes"))
    version = importing.import_package(path, actor=trainer)
    db.session.commit()
    login(client, trainer)

    answer = client.get(f"/courses/content/{version.id}/media/{name}")

    assert (answer.status_code, answer.headers["Content-Type"]) == (200, expected)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def imported(app, tmp_path, trainer):
    version = importing.import_package(tiny_package(tmp_path / "course.zip"), actor=trainer)
    db.session.commit()
    return version


@pytest.mark.parametrize("path", ["missing.html", "shared", "shared/", "../index.html",
                                  "shared/../index.html", "imsmanifest.xml/x", "INDEX.HTML"])
def test_content_answers_only_files_of_the_version(client, login, trainer, imported, path):
    login(client, trainer)

    assert client.get(f"/courses/content/{imported.id}/{path}").status_code == 404
    assert client.get(f"/courses/content/{imported.id + 1}/index.html").status_code == 404


def test_content_is_for_staff_and_registered_learners_only(client, login, make_user, imported):
    from courses import registrations

    url = f"/courses/content/{imported.id}/index.html"
    assert client.get(url).status_code == 302  # to the sign-in page
    learner = make_user(roles=("agent",))
    login(client, learner)
    assert client.get(url).status_code == 404  # not registered: it does not exist for them
    registrations.register(imported.course, learner)
    db.session.commit()
    answer = client.get(url)
    assert (answer.status_code, answer.data) == (200, PAGE)
    assert "charset" not in answer.headers["Content-Type"]  # the page's own <meta> decides
