"""The trainers' course pages: the catalogue, a course's versions, and the upload page (a new
course or a new version) with what a refused package shows and leaves behind."""

import io
import tempfile
from pathlib import Path

import pytest

from courses import importing
from courses.models import Course
from portal.extensions import db
from tests.helpers import page_text
from tests.test_course_import import (  # noqa: F401  (fixtures, used by name)
    HOSTILE,
    assert_nothing_left,
    backend,
    row_counts,
    temp_dir,
    tiny_package,
)


def upload(client, url: str, path, title: str = ""):
    data = {"package": (io.BytesIO(path.read_bytes()), path.name), "title": title}
    return client.post(url, data=data, content_type="multipart/form-data")


@pytest.fixture
def trainer(make_user):
    return make_user(roles=("trainer",))


@pytest.fixture
def signed_in_trainer(client, login, trainer):
    login(client, trainer)
    return client


@pytest.mark.usefixtures("backend", "temp_dir")
def test_a_trainer_imports_a_course_then_a_new_version_through_the_pages(signed_in_trainer,
                                                                         tmp_path, trainer):
    client = signed_in_trainer
    empty = page_text(client.get("/courses/"))
    assert "No courses yet" in empty

    answer = upload(client, "/courses/new", tiny_package(tmp_path / "course.zip"),
                    title="Call basics")

    assert answer.status_code == 303
    course = db.session.query(Course).one()
    assert answer.headers["Location"] == f"/courses/{course.id}"
    shown = page_text(client.get(answer.headers["Location"]))
    assert "Imported version 1 of Call basics: SCORM 1.2, 3 files." in shown
    assert "Version 1 Current Course" in shown  # the version's title is the manifest's
    again = upload(client, f"/courses/{course.id}/versions/new", tmp_path / "course.zip")
    assert again.status_code == 303
    versions = page_text(client.get(f"/courses/{course.id}"))
    assert "Imported version 2 of Call basics" in versions
    assert versions.index("Version 2 Current") < versions.index("Version 1")
    assert "This is the same package file as version 1." in versions
    assert trainer.full_name in versions  # who imported it
    catalogue = page_text(client.get("/courses/"))
    assert "Call basics call-basics — — 2 2 versions so far 1.2" in catalogue
    assert list(Path(tempfile.gettempdir()).iterdir()) == []


@pytest.mark.parametrize(("build", "expected"), [case[1:] for case in HOSTILE],
                         ids=[case[0] for case in HOSTILE])
@pytest.mark.usefixtures("backend", "temp_dir")
def test_a_refused_package_is_explained_and_leaves_nothing(signed_in_trainer, tmp_path, build,
                                                           expected):
    answer = upload(signed_in_trainer, "/courses/new", build(tmp_path / "course.zip"))

    assert answer.status_code == 422
    shown = page_text(answer)
    assert "Nothing was imported: fix this problem and upload the package again." in shown
    assert expected in shown
    assert_nothing_left()


def test_a_manifest_with_several_problems_lists_each(signed_in_trainer, tmp_path):
    from tests.test_scorm_manifest import document
    from tests.test_scorm_package import make_zip

    items = ('<item identifier="i1" identifierref="gone"><title>A</title></item>'
             '<item identifier="i2" identifierref="lost"><title>B</title></item>')
    path = make_zip(tmp_path / "course.zip", [("imsmanifest.xml", document(items))])

    shown = page_text(upload(signed_in_trainer, "/courses/new", path))

    assert "fix these 2 problems" in shown
    assert "Item 'i1' refers to resource 'gone'" in shown
    assert "Item 'i2' refers to resource 'lost'" in shown


def test_the_upload_form_asks_for_a_file(signed_in_trainer):
    answer = signed_in_trainer.post("/courses/new", data={"title": "x"},
                                    content_type="multipart/form-data")

    assert answer.status_code == 422
    assert "Choose the SCORM package" in page_text(answer)


def test_the_upload_page_has_its_progress_bar_script(signed_in_trainer):
    page = signed_in_trainer.get("/courses/new").get_data(as_text=True)

    assert '<script src="/courses/static/upload.js"></script>' in page
    assert "data-upload-progress" in page and 'enctype="multipart/form-data"' in page
    script = signed_in_trainer.get("/courses/static/upload.js")
    assert script.status_code == 200 and b"upload.addEventListener(\"progress\"" in script.data


def test_a_new_version_keeps_the_title_unless_given(signed_in_trainer, tmp_path, trainer):
    version = importing.import_package(tiny_package(tmp_path / "course.zip"), title="Basics",
                                       actor=trainer)
    db.session.commit()
    url = f"/courses/{version.course_id}/versions/new"

    form = page_text(signed_in_trainer.get(url))
    upload(signed_in_trainer, url, tmp_path / "course.zip", title="Basics, revised")

    assert "New version of Basics" in form and "Leave empty to keep the title “Basics”." in form
    db.session.expire_all()
    assert db.session.get(Course, version.course_id).title == "Basics, revised"


def test_pages_of_a_course_that_does_not_exist_are_not_found(signed_in_trainer):
    assert signed_in_trainer.get("/courses/999").status_code == 404
    assert signed_in_trainer.get("/courses/999/versions/new").status_code == 404


@pytest.mark.parametrize("roles", [("trainer",), ("manager",), ("admin",)])
def test_staff_see_the_course_pages_and_the_menu_link(client, login, make_user, roles):
    login(client, make_user(roles=roles))

    page = client.get("/courses/")

    assert page.status_code == 200
    assert '<a class="nav-link active"' in page.get_data(as_text=True)
    assert client.get("/courses/new").status_code == 200


@pytest.mark.parametrize("roles", [("candidate",), ("agent",), ("qa",)])
def test_others_cannot_open_the_course_pages(client, login, make_user, tmp_path, trainer,
                                             roles):
    version = importing.import_package(tiny_package(tmp_path / "course.zip"), actor=trainer)
    db.session.commit()
    login(client, make_user(roles=roles))

    for url in ("/courses/", "/courses/new", f"/courses/{version.course_id}",
                f"/courses/{version.course_id}/versions/new"):
        assert client.get(url).status_code == 403, url
    assert upload(client, "/courses/new", tmp_path / "course.zip").status_code == 403
    assert row_counts()["CourseVersion"] == 1
    assert "Courses" not in page_text(client.get("/me"))
