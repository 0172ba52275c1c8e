"""Reading imsmanifest.xml: hostile XML refused, versions, organizations and item trees, launch
URLs (xml:base, parameters), resources and dependencies, SCORM 1.2 and 2004 settings, problems
reported with what to fix; and `flask courses inspect`."""

import json
import zipfile

import pytest

from courses.scorm.manifest import ManifestError, launchable_items, parse

NS_2004 = ('xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
           'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
           'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
           'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" '
           'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"')
NS_12 = ('xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
         'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"')
ONE_ITEM = '<item identifier="i1" identifierref="r1"><title>Lesson</title></item>'
ONE_SCO = '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html"/>'


def document(items: str = ONE_ITEM, resources: str = ONE_SCO, *, version="2004 4th Edition",
             namespaces=NS_2004, organizations: str | None = None,
             default='default="org"', before_resources="", manifest_attributes="") -> bytes:
    metadata = (f"<metadata><schema>ADL SCORM</schema><schemaversion>{version}</schemaversion>"
                "</metadata>" if version else "")
    if organizations is None:
        organizations = (f'<organization identifier="org"><title>Course</title>{items}'
                         "</organization>")
    return (f'<?xml version="1.0"?><manifest identifier="m" {namespaces} {manifest_attributes}>'
            f"{metadata}<organizations {default}>{organizations}</organizations>"
            f"{before_resources}<resources>{resources}</resources></manifest>").encode()


def problems(data: bytes) -> str:
    with pytest.raises(ManifestError) as caught:
        parse(data)
    return caught.value.message


def test_an_external_entity_xxe_is_refused():
    data = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<manifest><organizations><organization identifier='o'><title>&e;</title>"
            b"</organization></organizations></manifest>")

    message = problems(data)

    assert "declares a DTD" in message and "remove the DOCTYPE" in message
    assert "root:" not in message


def test_billion_laughs_is_refused():
    entities = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    data = (f'<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY l0 "lol">{entities}]>'
            "<manifest><metadata><schema>&l9;</schema></metadata></manifest>").encode()

    assert "declares a DTD" in problems(data)


def test_xml_that_is_not_well_formed_is_refused_with_its_place():
    message = problems(b'<?xml version="1.0"?>\n<manifest>\n<organizations>\n</manifest>')

    assert "not well-formed XML (mismatched tag: line 4, column 2)" in message


def test_another_kind_of_document_is_refused():
    assert "its root element is <html>, not <manifest>" in problems(b"<html><body/></html>")


@pytest.mark.parametrize(("version", "namespaces", "expected", "note"), [
    ("1.2", NS_12, "1.2", None),
    ("CAM 1.3", NS_2004, "2004 2nd Edition", None),
    ("2004 3rd Edition", NS_2004, "2004 3rd Edition", None),
    ("2004  4th edition", NS_2004, "2004 4th Edition", None),
    (None, NS_12, "1.2", "its namespaces are SCORM 1.2's"),
    (None, NS_2004, "2004 4th Edition", "its namespaces are SCORM 2004's"),
    ("SCORM 9", NS_2004, "2004 4th Edition", "schemaversion 'SCORM 9' is not a SCORM version"),
    (None, 'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"', "1.2",
     "Neither schemaversion nor the namespaces tell the SCORM version"),
])
def test_the_scorm_version(version, namespaces, expected, note):
    resources = ONE_SCO.replace("scormType", "scormtype") if namespaces == NS_12 else ONE_SCO
    if "adlcp" not in namespaces:
        resources = '<resource identifier="r1" type="webcontent" href="index.html"/>'

    parsed = parse(document(resources=resources, version=version, namespaces=namespaces))

    assert parsed.version == expected
    if note:
        assert any(note in written for written in parsed.notes)
    else:
        assert parsed.notes == ()


def test_scorm_12_item_settings():
    items = ('<item identifier="i1" identifierref="r1" parameters="?lesson=1"><title>One</title>'
             "<adlcp:prerequisites type=\"aicc_script\">i0 &amp; !i2</adlcp:prerequisites>"
             "<adlcp:masteryscore>80</adlcp:masteryscore>"
             "<adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>"
             "<adlcp:timelimitaction>exit,message</adlcp:timelimitaction>"
             "<adlcp:datafromlms>mode=review</adlcp:datafromlms></item>")
    resources = ('<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" '
                 'href="index.html"/>')

    item = parse(document(items, resources, version="1.2", namespaces=NS_12)).default.items[0]

    assert (item.prerequisites, item.mastery_score, item.max_time_allowed) == (
        "i0 & !i2", 80.0, "00:30:00")
    assert (item.time_limit_action, item.data_from_lms) == ("exit,message", "mode=review")
    assert (item.launch, item.is_sco) == ("index.html?lesson=1", True)


@pytest.mark.parametrize("score", ["abc", "101", "-1", "nan", "1e999"])
def test_a_mastery_score_outside_0_to_100_is_a_problem(score):
    items = (f'<item identifier="i1" identifierref="r1"><title>One</title>'
             f"<adlcp:masteryscore>{score}</adlcp:masteryscore></item>")

    message = problems(document(items, ONE_SCO.replace("scormType", "scormtype"), version="1.2",
                                namespaces=NS_12))

    assert (f"Item 'i1': adlcp:masteryscore must be a number from 0 to 100, not '{score}'"
            in message)


def test_an_item_whose_resource_does_not_exist_is_a_problem():
    message = problems(document(ONE_ITEM.replace("r1", "missing")))

    assert ("Item 'i1' refers to resource 'missing', which the manifest does not define: add "
            "that resource or fix the identifierref.") in message


def test_an_item_whose_resource_has_no_href_is_a_problem():
    message = problems(document(resources='<resource identifier="r1" type="webcontent" '
                                          'adlcp:scormType="sco"/>'))

    assert "Item 'i1' launches resource 'r1', which has no href" in message


def test_a_default_that_names_no_organization_falls_back_to_the_first_with_a_note():
    organizations = "".join(f'<organization identifier="{name}"><title>{name}</title>'
                            f'{ONE_ITEM.replace("i1", name + "-item")}</organization>'
                            for name in ("first", "second"))

    parsed = parse(document(organizations=organizations, default='default="gone"'))

    assert parsed.default_organization == "first"
    assert [org.identifier for org in parsed.organizations] == ["first", "second"]
    assert "default 'gone' names no organization; the first organization, 'first', is used" in (
        parsed.notes[0])


def test_without_organizations_it_is_no_scorm_package():
    assert "There is no organization. A SCORM package needs one" in problems(
        document(organizations=""))


def test_an_organization_without_items_is_a_problem():
    assert "Organization 'org' has no items: add at least one item" in problems(document(""))


def test_a_duplicate_identifier_is_a_problem():
    items = ONE_ITEM + ONE_ITEM.replace('identifier="i1"', 'identifier="r1"')

    assert "The identifier 'r1' is used 2 times (resource, item)" in problems(document(items))


def test_every_problem_is_reported_at_once():
    items = ('<item identifier="i1" identifierref="nowhere" isvisible="maybe"><title>A</title>'
             '</item><item identifier="i1" identifierref="r1"><title>B</title></item>')

    with pytest.raises(ManifestError) as caught:
        parse(document(items))

    assert len(caught.value.problems) == 3
    assert caught.value.message.startswith("imsmanifest.xml has 3 problems: (1) ")
    assert "isvisible must be true or false, not 'maybe'" in caught.value.message


def test_a_long_list_of_problems_is_cut_short_in_the_message():
    items = "".join(f'<item identifier="i{n}" identifierref="gone"><title>x</title></item>'
                    for n in range(30))

    with pytest.raises(ManifestError) as caught:
        parse(document(items))

    assert len(caught.value.problems) == 30
    assert caught.value.message.endswith("(and 10 more)")
    assert "(20) Item 'i19'" in caught.value.message


def test_nested_items_invisible_ones_and_the_launchable_items_in_tree_order():
    items = ('<item identifier="module" isvisible="false"><title>Module</title>'
             '<item identifier="lesson1" identifierref="r1"><title>Lesson 1</title></item>'
             '<item identifier="sub"><title>Sub</title>'
             '<item identifier="glossary" identifierref="r2"><title>Glossary</title></item>'
             "</item></item>"
             '<item identifier="lesson2" identifierref="r1" isvisible="0"><title>L2</title></item>')
    resources = ONE_SCO + ('<resource identifier="r2" type="webcontent" adlcp:scormType="asset" '
                           'href="glossary.html"/>')

    parsed = parse(document(items, resources))

    module = parsed.default.items[0]
    assert (module.title, module.isvisible, module.launch) == ("Module", False, None)
    assert [child.identifier for child in module.children] == ["lesson1", "sub"]
    assert module.children[1].children[0].title == "Glossary"
    assert [(item.identifier, item.is_sco, item.isvisible)
            for item in launchable_items(parsed.default)] == [
        ("lesson1", True, True), ("glossary", False, True), ("lesson2", True, False)]


@pytest.mark.parametrize(("href", "parameters", "launch"), [
    ("index.html", "?a=1", "index.html?a=1"),
    ("index.html", "&a=1", "index.html?a=1"),
    ("index.html", "a=1&b=2", "index.html?a=1&b=2"),
    ("index.html", "#frag", "index.html#frag"),
    ("index.html", "?a=1#frag", "index.html?a=1#frag"),
    ("index.html?content=golf", "?a=1", "index.html?content=golf&a=1"),
    ("index.html?content=golf", "&a=1", "index.html?content=golf&a=1"),
    ("index.html#intro", "a=1", "index.html?a=1#intro"),
    ("index.html", "  ", "index.html"),
])
def test_item_parameters_join_the_launch_url(href, parameters, launch):
    items = (f'<item identifier="i1" identifierref="r1" parameters="{parameters}">'
             "<title>x</title></item>")
    resources = ONE_SCO.replace('href="index.html"', f'href="{href.replace("&", "&amp;")}"')

    item = parse(document(items.replace("&", "&amp;"), resources)).default.items[0]

    assert (item.parameters, item.launch) == (parameters, launch)


def with_bases(resource_base="", resources_base="", manifest_base="",
               href="sco1/index.html") -> bytes:
    def base(value):
        return f'xml:base="{value}"' if value else ""

    resources = (f'<resource identifier="r1" type="webcontent" adlcp:scormType="sco" '
                 f'href="{href}" {base(resource_base)}><file href="{href}"/></resource>')
    data = document(resources=resources, manifest_attributes=base(manifest_base))
    return data.replace(b"<resources>", f"<resources {base(resources_base)}>".encode())


@pytest.mark.parametrize(("manifest_base", "resources_base", "resource_base", "launch"), [
    ("", "", "", "sco1/index.html"),
    ("course/", "", "", "course/sco1/index.html"),
    ("course", "content", "", "course/content/sco1/index.html"),
    ("course/", "content/", "lessons/", "course/content/lessons/sco1/index.html"),
    ("", "", "lessons/../other/", "other/sco1/index.html"),
    ("course/", "", "https://cdn.example.com/c/", "https://cdn.example.com/c/sco1/index.html"),
])
def test_xml_base_values_apply_to_hrefs_and_files(manifest_base, resources_base,
                                                  resource_base, launch):
    parsed = parse(with_bases(resource_base, resources_base, manifest_base))

    assert parsed.default.items[0].launch == launch
    assert parsed.resources[0].files == (launch,)


@pytest.mark.parametrize(("resource_base", "href"), [
    ("", "../../etc/passwd"), ("course/", "../../index.html"), ("/var/www/", "index.html")])
def test_an_href_outside_the_package_is_a_problem(resource_base, href):
    message = problems(with_bases(resource_base, href=href))

    assert f"Resource 'r1': its href '{href}' (with xml:base) points outside the package" in (
        message)


def test_dependencies_bring_their_files_even_in_a_cycle():
    resources = (ONE_SCO.replace("/>", '><file href="index.html"/>'
                                      '<dependency identifierref="common"/></resource>')
                 + '<resource identifier="common" type="webcontent" adlcp:scormType="asset">'
                   '<file href="shared/api.js"/><dependency identifierref="media"/></resource>'
                   '<resource identifier="media" type="webcontent" adlcp:scormType="asset">'
                   '<file href="media/intro.mp4"/><file href="shared/api.js"/>'
                   '<dependency identifierref="common"/></resource>')

    parsed = parse(document(resources=resources))

    assert parsed.resources[0].dependencies == ("common",)
    assert parsed.resources[0].all_files == ("index.html", "shared/api.js", "media/intro.mp4")
    assert parsed.resources[2].all_files == ("media/intro.mp4", "shared/api.js")


def test_a_dependency_on_a_missing_resource_is_a_problem():
    resources = ONE_SCO.replace("/>", '><dependency identifierref="gone"/></resource>')

    assert "Resource 'r1' depends on 'gone', which the manifest does not define" in problems(
        document(resources=resources))


SEQUENCED_ITEM = """
<item identifier="i1" identifierref="r1"><title>Lesson</title>
  <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.75"
                             progressWeight="0.5"/>
  <adlcp:dataFromLMS>level=2</adlcp:dataFromLMS>
  <adlcp:timeLimitAction>continue,no message</adlcp:timeLimitAction>
  <imsss:sequencing IDRef="shared">
    <imsss:limitConditions attemptLimit="2"/>
    <imsss:objectives>
      <imsss:primaryObjective objectiveID="pass" satisfiedByMeasure="true">
        <imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure>
        <imsss:mapInfo targetObjectiveID="global.pass" writeSatisfiedStatus="true"/>
      </imsss:primaryObjective>
      <imsss:objective objectiveID="extra"/>
    </imsss:objectives>
    <adlseq:objectives><adlseq:objective objectiveID="extra"/></adlseq:objectives>
  </imsss:sequencing>
  <adlnav:presentation><adlnav:navigationInterface>
    <adlnav:hideLMSUI>continue</adlnav:hideLMSUI>
  </adlnav:navigationInterface></adlnav:presentation>
</item>"""
COLLECTION = ('<imsss:sequencingCollection><imsss:sequencing ID="shared">'
              '<imsss:controlMode flow="true"/></imsss:sequencing></imsss:sequencingCollection>')


def test_scorm_2004_item_settings_sequencing_and_presentation():
    parsed = parse(document(SEQUENCED_ITEM, before_resources=COLLECTION))

    item = parsed.default.items[0]
    threshold = item.completion_threshold
    assert (threshold.completed_by_measure, threshold.min_progress_measure,
            threshold.progress_weight) == (True, 0.75, 0.5)
    assert (item.data_from_lms, item.time_limit_action) == ("level=2", "continue,no message")
    primary, extra = item.sequencing.objectives
    assert (primary.objective_id, primary.primary, primary.satisfied_by_measure,
            primary.min_normalized_measure) == ("pass", True, True, 0.6)
    mapped = primary.map_info[0]
    assert (mapped.target_objective_id, mapped.read_satisfied_status,
            mapped.read_normalized_measure, mapped.write_satisfied_status,
            mapped.write_normalized_measure) == ("global.pass", True, True, True, False)
    assert (extra.objective_id, extra.primary, extra.min_normalized_measure) == (
        "extra", False, 1.0)
    assert item.sequencing.id_ref == "shared"
    assert [child["tag"] for child in item.sequencing.tree["children"]] == [
        "limitConditions", "objectives", "adlseq:objectives"]
    assert item.sequencing.tree["children"][0]["attributes"] == {"attemptLimit": "2"}
    assert item.presentation["children"][0]["children"][0] == {
        "tag": "hideLMSUI", "attributes": {}, "text": "continue", "children": []}
    assert [entry.id for entry in parsed.sequencing_collection] == ["shared"]
    assert json.loads(json.dumps(parsed.to_dict()))["organizations"][0]["items"][0][
        "sequencing"]["objectives"][0]["objective_id"] == "pass"


def test_a_3rd_edition_completion_threshold_is_its_text():
    items = ONE_ITEM.replace("</item>", "<adlcp:completionThreshold>0.8"
                                        "</adlcp:completionThreshold></item>")

    item = parse(document(items, version="2004 3rd Edition")).default.items[0]

    assert (item.completion_threshold.completed_by_measure,
            item.completion_threshold.min_progress_measure) == (True, 0.8)


def test_sequencing_problems_are_reported():
    items = SEQUENCED_ITEM.replace('objectiveID="extra"/>', "/>", 1).replace(
        "<imsss:minNormalizedMeasure>0.6", "<imsss:minNormalizedMeasure>2")

    message = problems(document(items))

    assert "its sequencing IDRef 'shared' names no entry of imsss:sequencingCollection" in message
    assert "minNormalizedMeasure must be a number from -1 to 1, not '2'" in message
    assert "objective '(no objectiveID)': add an objectiveID" in message


@pytest.fixture
def inspect(app, tmp_path):
    def run(entries):
        path = tmp_path / "course.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in entries:
                archive.writestr(name, data)
        return app.test_cli_runner().invoke(args=["courses", "inspect", str(path)])

    return run


def test_inspect_prints_the_manifest_as_json(inspect):
    items = ONE_ITEM.replace('identifierref="r1"', 'identifierref="r1" parameters="?page=2"')

    result = inspect([("course/imsmanifest.xml", document(items, default="")),
                      ("course/index.html", b"<p>hi</p>")])

    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert (shown["version"], shown["manifest_path"]) == ("2004 4th Edition",
                                                         "course/imsmanifest.xml")
    item = shown["organizations"][0]["items"][0]
    assert (item["launch"], item["parameters"], item["is_sco"]) == (
        "index.html?page=2", "?page=2", True)
    assert "single top folder 'course'" in shown["notes"][0]
    assert "no default is named" in shown["notes"][1]


def test_inspect_refuses_a_bad_package_in_one_line(inspect):
    result = inspect([("../evil.html", b"x"), ("imsmanifest.xml", document())])

    assert result.exit_code == 1
    assert result.output.startswith("Error: course.zip: '../evil.html' has a '..' part")
    assert result.output.count("\n") == 1


def test_inspect_refuses_a_bad_manifest_in_one_line(inspect):
    result = inspect([("imsmanifest.xml", document(ONE_ITEM.replace("r1", "gone")))])

    assert result.exit_code == 1
    assert result.output == ("Error: course.zip: imsmanifest.xml: Item 'i1' refers to resource "
                             "'gone', which the manifest does not define: add that resource or "
                             "fix the identifierref.\n")
