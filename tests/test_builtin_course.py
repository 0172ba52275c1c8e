"""Our own SCORM 2004 course, "Quality management: how your calls are evaluated"
(courses/builtin/): the same sources build the same zip, byte for byte; `flask courses inspect`
reads it as SCORM 2004 4th Edition with its five SCOs in order and the quiz's passing measure;
it imports with no note; `flask courses import-qm` makes the course once and a new version only
when the sources change; its pages ask only for files of the package, nothing from outside, no
inline script; the markup is accessible; the quiz's questions are ones the data model takes."""

import html
import json
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import func, select

from courses import importing
from courses.builtin import package
from courses.builtin.package import QM_COURSE_KEY, QM_SOURCE
from courses.models import Course, CourseVersion
from courses.scorm import datamodel, hrefs, manifest
from portal.extensions import db

SCOS = [  # identifier, launch, title: the organization's items in order
    ("qm_why", "01-why.html", "1. Why your calls are evaluated"),
    ("qm_scorecard", "02-scorecard.html", "2. The scorecard"),
    ("qm_evaluations", "03-evaluations.html",
     "3. Reading, acknowledging and disputing an evaluation"),
    ("qm_coaching", "04-coaching.html", "4. Coaching and remedial training"),
    ("qm_quiz", "05-quiz.html", "5. Quiz: check your understanding"),
]
HTML_PAGES = [launch for _, launch, _ in SCOS]
EXTERNAL = re.compile(r"https?://|(?<![:/\w])//[\w.-]+\.[a-z]{2,}", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def run(app, *args):
    return app.test_cli_runner().invoke(args=["courses", *map(str, args)])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return package.build_qm_package(tmp_path_factory.mktemp("qm"))


def package_files(zip_path: Path) -> set[str]:
    with zipfile.ZipFile(zip_path) as archive:
        return set(archive.namelist())


# --- building -----------------------------------------------------------------------------------

def test_building_twice_gives_the_same_bytes(tmp_path, built):
    again = package.build_qm_package(tmp_path / "elsewhere" / "copy.zip")

    assert again == tmp_path / "elsewhere" / "copy.zip"
    assert again.read_bytes() == built.read_bytes()
    assert built.name == f"{QM_COURSE_KEY}.zip"
    with zipfile.ZipFile(built) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == package.source_files()
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert list(tmp_path.rglob("*.part")) == []  # the temporary file was renamed into place


def test_a_changed_source_changes_the_zip_and_leftovers_are_not_packed(tmp_path, built):
    source = tmp_path / "qm"
    shutil.copytree(QM_SOURCE, source)
    (source / ".DS_Store").write_bytes(b"junk")
    (source / "01-why.html~").write_text("an editor's backup")
    same = package.build_qm_package(tmp_path / "same.zip", source)
    assert same.read_bytes() == built.read_bytes()

    page = source / "01-why.html"
    page.write_text(page.read_text().replace("Key points", "Key points to remember"))
    changed = package.build_qm_package(tmp_path / "changed.zip", source)

    assert package.sha256_of(changed) != package.sha256_of(built)


def test_the_build_command_prints_the_path_and_checksum(app, tmp_path, built):
    answer = run(app, "build-qm", "--output", tmp_path)

    assert answer.exit_code == 0, answer.output
    shown = json.loads(answer.output)
    assert shown["path"] == str((tmp_path / f"{QM_COURSE_KEY}.zip").resolve())
    assert shown["sha256"] == package.sha256_of(built)
    assert shown["bytes"] == built.stat().st_size


# --- what the LMS reads -------------------------------------------------------------------------

def test_inspect_reads_scorm_2004_with_the_scos_in_order_and_the_quiz_objective(app, built):
    answer = run(app, "inspect", built)

    assert answer.exit_code == 0, answer.output
    shown = json.loads(answer.output)
    assert (shown["version"], shown["manifest_path"], shown["notes"]) == (
        "2004 4th Edition", "imsmanifest.xml", [])
    (organization,) = shown["organizations"]
    assert shown["default_organization"] == organization["identifier"]
    assert organization["title"] == "Quality management: how your calls are evaluated"
    items = organization["items"]
    assert [(i["identifier"], i["launch"], i["title"]) for i in items] == SCOS
    assert all(item["is_sco"] and not item["children"] for item in items)
    assert children(organization["sequencing"]) == {
        "controlMode": {"choice": "true", "flow": "true"}}
    (objective,) = items[-1]["sequencing"]["objectives"]
    assert objective["primary"] and objective["satisfied_by_measure"]
    assert (objective["objective_id"], objective["min_normalized_measure"]) == (
        "qm_quiz_mastery", 0.8)
    # The lessons count for completion, not for passing: only the quiz decides that.
    for lesson in items[:-1]:
        assert children(lesson["sequencing"])["rollupRules"] == {
            "rollupObjectiveSatisfied": "false"}
    assert "rollupRules" not in children(items[-1]["sequencing"])


def children(sequencing: dict) -> dict:
    """An imsss:sequencing's child elements (as manifest.to_dict() keeps them): tag ->
    attributes."""
    return {child["tag"]: child["attributes"] for child in sequencing["tree"]["children"]}


def test_the_manifest_lists_exactly_the_files_of_the_package(built):
    with zipfile.ZipFile(built) as archive:
        parsed = manifest.parse(archive.read("imsmanifest.xml"))
    listed = {path for resource in parsed.resources for path in resource.files}

    assert listed | {"imsmanifest.xml"} == package_files(built)
    for resource in parsed.resources:
        if resource.url:  # a SCO needs its shared files, through its dependency
            assert {"shared/scorm.js", "shared/pages.js", "shared/qm.css"} <= set(
                resource.all_files)


def test_the_package_imports_with_no_notes(app, built):
    version = importing.import_package(built, actor=None)

    assert (version.scorm_version, version.notes) == ("2004", [])
    assert [(i["identifier"], i["launch"], i["is_sco"]) for i in version.launch_items] == [
        (identifier, launch, True) for identifier, launch, _ in SCOS]
    assert version.file_count == len(package.source_files())


# --- importing our course ----------------------------------------------------------------------

def versions_of_qm() -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(select(CourseVersion.number).join(Course).where(
        Course.key == QM_COURSE_KEY).order_by(CourseVersion.number)))


def test_import_qm_twice_makes_one_version(app):
    first = run(app, "import-qm")
    again = run(app, "import-qm")

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    made, unchanged = json.loads(first.output), json.loads(again.output)
    assert made == {"course_id": made["course_id"], "course_key": QM_COURSE_KEY, "version": 1,
                    "scorm_version": "2004", "files": len(package.source_files()), "notes": [],
                    "status": "created", "package_sha256": made["package_sha256"]}
    assert unchanged == {**made, "status": "unchanged"}
    assert versions_of_qm() == [1]
    course = db.session.scalar(select(Course).where(Course.key == QM_COURSE_KEY))
    assert course.title == "Quality management: how your calls are evaluated"
    assert course.description
    assert db.session.scalar(select(func.count()).select_from(Course)
                             .where(Course.key.startswith("quality"))) == 0


def test_changed_sources_make_the_next_version(app, tmp_path, monkeypatch, make_user):
    source = tmp_path / "qm"
    shutil.copytree(QM_SOURCE, source)
    monkeypatch.setattr(package, "QM_SOURCE", source)
    trainer = make_user(roles=("trainer",))

    first = package.import_qm_course(actor=trainer)
    page = source / "02-scorecard.html"
    page.write_text(page.read_text().replace("Key points", "Remember"))
    second = package.import_qm_course(actor=trainer)
    third = package.import_qm_course(actor=trainer)
    db.session.commit()

    assert (first.status, second.status, third.status) == (
        package.CREATED, package.NEW_VERSION, package.UNCHANGED)
    assert second.version.course_id == first.version.course_id
    assert (second.version.number, third.version.id) == (2, second.version.id)
    assert versions_of_qm() == [1, 2]
    assert first.version.imported_by == trainer


def test_a_refused_package_leaves_no_course(app, tmp_path, monkeypatch):
    source = tmp_path / "qm"
    shutil.copytree(QM_SOURCE, source)
    (source / "05-quiz.html").unlink()
    monkeypatch.setattr(package, "QM_SOURCE", source)

    answer = run(app, "import-qm")

    assert answer.exit_code == 1
    assert "launches '05-quiz.html', which is not in the package" in answer.output
    assert versions_of_qm() == []
    assert db.session.scalar(select(Course).where(Course.key == QM_COURSE_KEY)) is None


def test_the_demo_imports_the_course(app, make_user):
    from courses import demo

    said = demo.import_builtin_course(make_user(roles=("trainer",)))

    assert said == f"the QM course '{QM_COURSE_KEY}' (created)"
    assert versions_of_qm() == [1]


# --- the pages ----------------------------------------------------------------------------------

class Page(HTMLParser):
    """What a page asks for and how it is built."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.references: list[str] = []  # src and href values
        self.tags: list[tuple[str, dict]] = []
        self.inline_script = False
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        for name in ("src", "href", "action", "poster", "data"):
            if name in attributes and not (tag == "a" and attributes.get("data-go")):
                self.references.append(attributes[name])
        if tag == "script":
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_script = True


def parsed_page(name: str) -> Page:
    page = Page()
    page.feed((QM_SOURCE / name).read_text(encoding="utf-8"))
    page.close()
    return page


def resolved(base: str, reference: str) -> str | None:
    """The package path a reference from `base` names; None for a link within the page."""
    path = unquote(urlsplit(reference).path)
    if not path:
        return None
    return hrefs.join(base.rpartition("/")[0] + "/" if "/" in base else "", path)


@pytest.mark.parametrize("name", HTML_PAGES)
def test_a_page_asks_only_for_files_of_the_package(built, name):
    files = package_files(built)
    page = parsed_page(name)
    text = (QM_SOURCE / name).read_text(encoding="utf-8")

    assert not EXTERNAL.search(text), EXTERNAL.search(text)
    assert page.references
    for reference in page.references:
        assert not hrefs.is_external(reference), reference
        target = resolved(name, reference)
        assert target is None or target in files, f"{name} asks for {reference}"
    scripts = [attributes for tag, attributes in page.tags if tag == "script"]
    assert scripts and all(attributes.get("src") for attributes in scripts)
    assert not page.inline_script
    assert not [(tag, key) for tag, attributes in page.tags for key in attributes
                if key.startswith("on") or key == "style"]  # no inline handlers or styles
    assert "shared/scorm.js" in [attributes["src"] for attributes in scripts]


@pytest.mark.parametrize("name", ["shared/qm.css", "shared/scorm.js", "shared/pages.js",
                                  "shared/quiz.js"])
def test_shared_files_fetch_nothing_from_outside(built, name):
    text = (QM_SOURCE / name).read_text(encoding="utf-8")

    assert not EXTERNAL.search(text), EXTERNAL.search(text)
    for reference in CSS_URL.findall(text):
        assert resolved(name, reference) in package_files(built)
    assert not re.search(r"\b(fetch|XMLHttpRequest|import\(|eval\()", text)


@pytest.mark.parametrize("name", HTML_PAGES)
def test_a_page_is_accessible_markup(name):
    page = parsed_page(name)
    text = (QM_SOURCE / name).read_text(encoding="utf-8")
    tags = page.tags
    first = {tag: attributes for tag, attributes in reversed(tags)}

    assert text.startswith("<!doctype html>")
    assert first["html"].get("lang") == "en"
    assert tags[2] == ("meta", {"charset": "utf-8"})  # before anything else in <head>
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) \
        in tags
    assert re.search(r"<title>[^<]+ · Quality management</title>", text)
    ids = [attributes["id"] for _, attributes in tags if "id" in attributes]
    assert len(ids) == len(set(ids)), "ids are unique"
    # Every page of the SCO is a section labelled by its own first-level heading.
    sections = [attributes for tag, attributes in tags if tag == "section"]
    headings = {attributes.get("id") for tag, attributes in tags if tag == "h1"}
    assert sections and all(s["aria-labelledby"] in headings for s in sections)
    assert len(headings) == len(sections)
    # Every input has its label; the pager is a labelled navigation of real buttons.
    labels = {attributes["for"] for tag, attributes in tags if tag == "label"}
    inputs = [attributes for tag, attributes in tags if tag == "input"]
    assert all(attributes["id"] in labels for attributes in inputs)
    assert ("nav", {"class": "pager", "data-pager": "", "aria-label": first["nav"]["aria-label"],
                    "hidden": ""}) in tags
    assert all(attributes.get("type") == "button" for tag, attributes in tags if tag == "button")
    assert ("p", {"class": "save-status", "data-save-status": "", "role": "status",
                  "aria-live": "polite"}) in tags


def test_the_quiz_has_ten_questions_the_data_model_takes():
    text = (QM_SOURCE / "05-quiz.html").read_text(encoding="utf-8")
    fieldsets = re.findall(r"<fieldset (.*?)>\s*<legend>(.*?)</legend>(.*?)</fieldset>", text,
                           re.DOTALL)
    state: dict = {}

    assert len(fieldsets) == 10
    types = []
    for n, (attributes, legend, body) in enumerate(fieldsets):
        found = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', attributes))
        values = re.findall(r'<input type="radio" id="[^"]+" name="q\d+" value="([^"]+)">', body)
        description = " ".join(html.unescape(legend).split())
        types.append(found["data-type"])
        assert found["data-correct"] in values
        assert len(values) == (2 if found["data-type"] == "true-false" else 4)
        prefix = f"cmi.interactions.{n}."
        for name, value in (("id", found["data-question"]), ("type", found["data-type"]),
                            ("description", description), ("weighting", "1"),
                            ("correct_responses.0.pattern", found["data-correct"]),
                            ("learner_response", values[0]), ("result", "correct"),
                            ("timestamp", "2026-03-02T09:30:00Z"), ("latency", "PT12.34S")):
            assert datamodel.apply_set("2004", prefix + name, value, state) == 0, (name, value)
    assert set(types) == {"choice", "true-false"}
    assert state["cmi.interactions._count"] == 10
    # Each question has its explanation, shown once the quiz is submitted.
    assert text.count("<p data-explanation hidden>") == 10
