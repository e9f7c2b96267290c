"""socle.lib.frameworks.diagram: the theory of change laid out in columns and rendered as a safe, readable SVG."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from socle.lib.frameworks.diagram import (
    COLUMN_KEYS,
    COLUMN_WIDTH,
    KIND_COLOURS,
    STATUS_STYLES,
    Box,
    Edge,
    Layout,
    layout,
    render_svg,
    wrap,
)

SVG = "{http://www.w3.org/2000/svg}"
TITLES = {
    "need": "Besoins",
    "activity": "Activités",
    "output": "Réalisations",
    "outcome_short": "Effets à court terme",
    "outcome_medium": "Effets à moyen terme",
    "impact": "Impact",
}
KINDS = [
    ("need", None),
    ("activity", None),
    ("output", None),
    ("outcome", "short"),
    ("outcome", "medium"),
    ("impact", None),
]


def node(code: str, kind: str, fr: str | None = None, term: str | None = None, **labels: str) -> dict[str, Any]:
    result: dict[str, Any] = {"code": code, "kind": kind, "label": {"fr": fr if fr is not None else code, **labels}}
    if term:
        result["term"] = term
    return result


def links(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"from": source, "to": target} for source, target in pairs]


SMALL_NODES = [
    node("need_housing", "need", "Absence de logement"),
    node("act_housing", "activity", "Accompagnement vers le logement"),
    node("act_rights", "activity", "Accès aux droits"),
    node("out_housing", "outcome", "Les personnes accèdent à un logement", term="short"),
    node("out_rights", "outcome", "Droits ouverts", term="short"),
    node("out_stable", "outcome", "Logement durable", term="medium"),
    node("imp_inclusion", "impact", "Inclusion sociale"),
]
SMALL_LINKS = links(
    ("need_housing", "act_housing"),
    ("need_housing", "act_rights"),
    ("act_housing", "out_housing"),
    ("act_rights", "out_rights"),
    ("out_housing", "out_stable"),
    ("out_stable", "imp_inclusion"),
    ("out_housing", "out_rights"),
)


def render(result: Layout, **options: Any) -> str:
    return render_svg(result, title=options.pop("title", "Théorie du changement"), column_titles=TITLES, **options)


def boxes_by_code(result: Layout) -> dict[str, Box]:
    return {box.code: box for box in result.boxes}


def endpoints(edge: Edge) -> tuple[tuple[float, float], tuple[float, float]]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", edge.path)]
    assert edge.path.startswith("M") and " C" in edge.path and len(numbers) == 8
    return (numbers[0], numbers[1]), (numbers[6], numbers[7])


def centre(box: Box) -> float:
    return box.y + box.height / 2


def crossings(pairs: Iterable[tuple[str, str]], position: Mapping[str, float], column: Mapping[str, int]) -> int:
    """Pairs of links joining the same two columns whose ends are in opposite orders (shared nodes never count)."""
    pairs = list(pairs)
    count = 0
    for i, (a, b) in enumerate(pairs):
        for c, d in pairs[i + 1 :]:
            if len({a, b, c, d}) == 4 and (column[a], column[b]) == (column[c], column[d]):
                count += (position[a] - position[c]) * (position[b] - position[d]) < 0
    return count


def laid_out_crossings(result: Layout) -> int:
    boxes = boxes_by_code(result)
    return crossings(
        ((edge.source, edge.target) for edge in result.edges),
        {code: centre(box) for code, box in boxes.items()},
        {code: box.column for code, box in boxes.items()},
    )


def naive_crossings(nodes: list[dict[str, Any]], pairs: list[tuple[str, str]]) -> int:
    """Crossings when each column keeps the input order."""
    result = layout(nodes, [])  # no links: nothing to reorder
    boxes = boxes_by_code(result)
    return crossings(pairs, {c: centre(b) for c, b in boxes.items()}, {c: b.column for c, b in boxes.items()})


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def node_group(root: ET.Element, code: str) -> ET.Element:
    found = root.find(f".//{SVG}g[@id='toc-{code}']")
    assert found is not None
    return found


def box_lines(root: ET.Element, code: str) -> list[str]:
    text = node_group(root, code).find(f"{SVG}text")
    assert text is not None
    return [tspan.text or "" for tspan in text.findall(f"{SVG}tspan")]


# --- Layout ---------------------------------------------------------------------------------------------------


def test_a_small_theory_of_change_lays_out_into_its_stage_columns() -> None:
    result = layout(SMALL_NODES, SMALL_LINKS)
    boxes = boxes_by_code(result)
    assert {code: box.column for code, box in boxes.items()} == {
        "need_housing": 0,
        "act_housing": 1,
        "act_rights": 1,
        "out_housing": 3,
        "out_rights": 3,
        "out_stable": 4,
        "imp_inclusion": 5,
    }
    assert [key for key, _x in result.columns] == ["need", "activity", "outcome_short", "outcome_medium", "impact"]
    xs = [x for _key, x in result.columns]
    assert xs == sorted(xs) and all(later - earlier == COLUMN_WIDTH + 40 for earlier, later in itertools.pairwise(xs))
    for key, x in result.columns:
        assert all(box.x == x for box in result.boxes if COLUMN_KEYS[box.column] == key)
    assert all(box.x + box.width <= result.width and box.y + box.height <= result.height for box in result.boxes)


def test_boxes_of_a_column_never_overlap() -> None:
    result = layout(SMALL_NODES, SMALL_LINKS)
    for stage in range(6):
        column = sorted((box for box in result.boxes if box.column == stage), key=lambda box: box.y)
        for upper, lower in itertools.pairwise(column):
            assert upper.y + upper.height < lower.y


def test_links_go_from_the_right_side_of_the_source_to_the_left_side_of_the_target() -> None:
    result = layout(SMALL_NODES, SMALL_LINKS)
    boxes = boxes_by_code(result)
    across = [edge for edge in result.edges if boxes[edge.source].column != boxes[edge.target].column]
    assert len(across) == 6
    for edge in across:
        (sx, sy), (tx, ty) = endpoints(edge)
        source, target = boxes[edge.source], boxes[edge.target]
        assert sx == source.x + source.width and source.y < sy < source.y + source.height
        assert tx == target.x and target.y < ty < target.y + target.height


def test_a_link_within_a_column_curves_out_on_the_right_side() -> None:
    result = layout(SMALL_NODES, SMALL_LINKS)
    boxes = boxes_by_code(result)
    (edge,) = [edge for edge in result.edges if edge.source == "out_housing" and edge.target == "out_rights"]
    (sx, _sy), (tx, _ty) = endpoints(edge)
    right = boxes["out_housing"].x + boxes["out_housing"].width
    assert sx == tx == right
    bulge = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", edge.path)][2]
    assert bulge > right


def test_shorter_columns_are_centred_against_the_tallest() -> None:
    result = layout(SMALL_NODES, SMALL_LINKS)
    boxes = boxes_by_code(result)
    activities = [boxes["act_housing"], boxes["act_rights"]]
    middle = (min(b.y for b in activities) + max(b.y + b.height for b in activities)) / 2
    assert abs(centre(boxes["need_housing"]) - middle) <= 0.1
    assert abs(centre(boxes["imp_inclusion"]) - middle) <= 0.1


def test_links_to_unknown_nodes_and_repeated_links_are_left_out() -> None:
    result = layout(
        SMALL_NODES[:2], links(("need_housing", "act_housing"), ("need_housing", "act_housing"), ("x", "y"))
    )
    assert [(edge.source, edge.target) for edge in result.edges] == [("need_housing", "act_housing")]


def test_an_empty_theory_of_change_renders_an_empty_diagram() -> None:
    result = layout([], [])
    assert result.boxes == () and result.edges == () and result.columns == ()
    assert parse(render(result)).tag == f"{SVG}svg"


def test_barycentre_ordering_removes_the_crossings_of_the_input_order() -> None:
    nodes = [
        node("n1", "need"),
        node("n2", "need"),
        node("n3", "need"),
        node("a1", "activity"),
        node("a2", "activity"),
        node("a3", "activity"),
        node("p1", "output"),
        node("p2", "output"),
        node("p3", "output"),
    ]
    pairs = [("n1", "a3"), ("n2", "a2"), ("n3", "a1"), ("a1", "p2"), ("a2", "p3"), ("a3", "p1")]
    assert naive_crossings(nodes, pairs) == 5
    result = layout(nodes, links(*pairs))
    assert laid_out_crossings(result) == 0
    column = sorted((b for b in result.boxes if b.column == 1), key=lambda b: b.y)
    assert [b.code for b in column] == ["a3", "a2", "a1"]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    stages = draw(st.lists(st.integers(0, 5), min_size=1, max_size=12))
    nodes = [node(f"n{i}", KINDS[s][0], term=KINDS[s][1]) for i, s in enumerate(stages)]
    candidates = [(f"n{i}", f"n{j}") for i, a in enumerate(stages) for j, b in enumerate(stages) if i != j and a <= b]
    pairs = draw(st.lists(st.sampled_from(candidates), unique=True, max_size=20)) if candidates else []
    return nodes, pairs


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_barycentre_ordering_never_adds_crossings(graph: tuple[list[dict[str, Any]], list[tuple[str, str]]]) -> None:
    nodes, pairs = graph
    assert laid_out_crossings(layout(nodes, links(*pairs))) <= naive_crossings(nodes, pairs)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_any_theory_of_change_lays_out_without_overlap_and_with_anchored_links(
    graph: tuple[list[dict[str, Any]], list[tuple[str, str]]],
) -> None:
    nodes, pairs = graph
    result = layout(nodes, links(*pairs))
    boxes = boxes_by_code(result)
    assert len(boxes) == len(nodes) and len(result.edges) == len(pairs)
    for stage in range(6):
        column = sorted((b for b in result.boxes if b.column == stage), key=lambda b: b.y)
        assert all(upper.y + upper.height < lower.y for upper, lower in itertools.pairwise(column))
    for edge in result.edges:
        (sx, sy), (tx, ty) = endpoints(edge)
        source, target = boxes[edge.source], boxes[edge.target]
        assert sx == source.x + source.width and source.y <= sy <= source.y + source.height
        assert tx == (target.x + target.width if source.column == target.column else target.x)
        assert target.y <= ty <= target.y + target.height


def test_links_touching_a_highlighted_node_come_last() -> None:
    result = layout(SMALL_NODES, SMALL_LINKS, highlight={"act_rights"})
    touching = [e.source == "act_rights" or e.target == "act_rights" for e in result.edges]
    assert touching == sorted(touching) and sum(touching) == 2


# --- Labels ---------------------------------------------------------------------------------------------------


def test_long_labels_wrap_at_word_boundaries_and_the_box_grows() -> None:
    nodes = [node("short", "need", "Logement"), node("long", "need", "Accès effectif aux droits sociaux et à la santé")]
    boxes = boxes_by_code(layout(nodes, []))
    assert boxes["short"].lines == ("Logement",)
    assert boxes["long"].lines == ("Accès effectif aux", "droits sociaux et à la", "santé")
    assert boxes["long"].height > boxes["short"].height


def test_labels_longer_than_five_lines_end_with_an_ellipsis() -> None:
    lines = wrap(" ".join(["logement"] * 30))
    assert len(lines) == 5 and lines[-1].endswith("…")
    assert all(len(line) <= 24 for line in lines)


def test_a_word_longer_than_a_line_is_cut_with_a_hyphen() -> None:
    assert wrap("Anticonstitutionnellementissime oui") == ("Anticonstitutionnelleme-", "ntissime oui")
    assert wrap("x" * 60) == ("x" * 23 + "-", "x" * 23 + "-", "x" * 14)


@given(st.text())
def test_wrapped_lines_are_never_too_long_nor_too_many(text: str) -> None:
    lines = wrap(text)
    assert len(lines) <= 5 and all(0 < len(line) <= 24 for line in lines)
    if len(lines) < 5:
        assert "".join("".join(lines).split()).replace("-", "") == "".join(text.split()).replace("-", "")


def test_the_label_falls_back_to_french_then_to_the_code() -> None:
    nodes = [
        node("both", "need", "Logement", en="Housing"),
        node("french_only", "need", "Droits"),
        {"code": "no_label", "kind": "need"},
    ]
    assert [b.lines for b in layout(nodes, [], language="en").boxes] == [("Housing",), ("Droits",), ("no_label",)]
    assert [b.lines for b in layout(nodes, [], language="ar").boxes] == [("Logement",), ("Droits",), ("no_label",)]
    assert layout(nodes, []).boxes[0].lines == ("Logement",)


# --- SVG ------------------------------------------------------------------------------------------------------


def test_the_svg_has_a_title_a_description_headings_links_before_boxes_and_an_arrow_marker() -> None:
    svg = render(layout(SMALL_NODES, SMALL_LINKS))
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "toc-title"
    assert root.get("viewBox", "").startswith("0 0 ")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Théorie du changement"
    assert desc is not None and "Besoins: Absence de logement." in (desc.text or "")
    assert root.find(f".//{SVG}defs/{SVG}marker[@id='toc-arrow']") is not None
    headings = ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "toc-heading"]
    assert headings == ["Besoins", "Activités", "Effets à court terme", "Effets à moyen terme", "Impact"]
    paths = [p for p in root.iter(f"{SVG}path") if p.get("class") == "toc-link"]
    assert len(paths) == 7 and all(p.get("marker-end") == "url(#toc-arrow)" for p in paths)
    assert svg.rindex('class="toc-link') < svg.index('class="toc-node')
    group = node_group(root, "out_stable")
    assert group.get("class") == "toc-node toc-outcome toc-term-medium"
    rect = group.find(f"{SVG}rect")
    assert rect is not None and rect.get("rx")
    assert box_lines(root, "act_housing") == ["Accompagnement vers le", "logement"]


def test_coordinates_have_at_most_one_decimal() -> None:
    svg = render(layout(SMALL_NODES, SMALL_LINKS))
    assert not re.search(r"\d\.\d\d", svg)


def test_highlighted_nodes_have_a_thicker_border_and_a_class() -> None:
    result = layout(SMALL_NODES, SMALL_LINKS, highlight={"out_housing"})
    root = parse(render(result, highlight={"out_housing"}))
    group = node_group(root, "out_housing")
    assert "toc-highlight" in (group.get("class") or "").split()
    rect, plain = group.find(f"{SVG}rect"), node_group(root, "out_rights").find(f"{SVG}rect")
    assert rect is not None and plain is not None
    assert float(rect.get("stroke-width", 0)) > float(plain.get("stroke-width", 0))
    strong = [p for p in root.iter(f"{SVG}path") if "toc-link-highlight" in (p.get("class") or "")]
    assert len(strong) == 3


def test_a_status_adds_a_class_a_coloured_marker_and_a_glyph() -> None:
    status = {"out_housing": "good", "out_rights": "poor", "out_stable": "mixed", "imp_inclusion": "none"}
    root = parse(render(layout(SMALL_NODES, SMALL_LINKS), status={**status, "act_rights": "bogus"}))
    for code, value in status.items():
        group = node_group(root, code)
        assert f"toc-status-{value}" in (group.get("class") or "").split()
        marker = group.find(f"{SVG}circle")
        assert marker is not None and marker.get("fill") == STATUS_STYLES[value].colour
        glyphs = [t.text for t in group.iter(f"{SVG}text") if t.get("class") == "toc-status-glyph"]
        assert glyphs == [STATUS_STYLES[value].glyph]
    assert "toc-status-bogus" not in render(layout(SMALL_NODES, SMALL_LINKS), status={"act_rights": "bogus"})
    assert node_group(root, "act_rights").find(f"{SVG}circle") is None


def test_extra_classes_are_added_to_the_node() -> None:
    root = parse(render(layout(SMALL_NODES, SMALL_LINKS), classes={"out_rights": "has-indicator"}))
    assert (node_group(root, "out_rights").get("class") or "").endswith("has-indicator")


# --- Safety ---------------------------------------------------------------------------------------------------

MALICIOUS = "<script>alert(1)</script> \"&'"


def test_a_malicious_label_title_heading_or_class_is_escaped() -> None:
    nodes = [node("need_x", "need", MALICIOUS), node("act_x", "activity", MALICIOUS)]
    svg = render_svg(
        layout(nodes, links(("need_x", "act_x"))),
        title=MALICIOUS,
        column_titles={"need": MALICIOUS, "activity": MALICIOUS},
        classes={"need_x": MALICIOUS},
    )
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "\"&'" not in svg and "&quot;&amp;&#39;" in svg
    root = parse(svg)
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == MALICIOUS
    assert "".join(box_lines(root, "need_x")) == "".join(wrap(MALICIOUS))


def strip_invalid(text: str) -> str:
    return re.sub("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "", text)


@settings(max_examples=200, deadline=None)
@given(label=st.text(), title=st.text(), heading=st.text())
def test_the_svg_parses_as_xml_whatever_the_texts(label: str, title: str, heading: str) -> None:
    nodes = [node("need_x", "need", label), node("out_x", "outcome", label, term="short", en=label)]
    result = layout(nodes, links(("need_x", "out_x")), language="en")
    svg = render_svg(result, title=title, column_titles={"need": heading}, status={"out_x": "good"})
    root = parse(svg)
    expected = [strip_invalid(line) for line in boxes_by_code(result)["need_x"].lines]
    assert box_lines(root, "need_x") == expected


# --- Colours and determinism ----------------------------------------------------------------------------------


def test_text_on_every_kind_of_box_has_a_contrast_of_at_least_4_5() -> None:
    nodes = [node(f"n{i}", kind, term=term) for i, (kind, term) in enumerate(KINDS)]
    root = parse(render(layout(nodes, [])))
    seen = set()
    for group in root.iter(f"{SVG}g"):
        if "toc-node" not in (group.get("class") or ""):
            continue
        rect, text = group.find(f"{SVG}rect"), group.find(f"{SVG}text")
        assert rect is not None and text is not None
        assert contrast(text.get("fill", ""), rect.get("fill", "")) >= 4.5
        seen.add(rect.get("fill"))
    assert seen == {colours.fill for colours in KIND_COLOURS.values()} and len(seen) == 5


def test_status_glyphs_and_headings_have_a_contrast_of_at_least_4_5() -> None:
    statuses = {f"n{i}": value for i, value in enumerate(STATUS_STYLES)}
    nodes = [node(code, "outcome", term="short") for code in statuses]
    root = parse(render(layout(nodes, []), status=statuses))
    background = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "toc-background").get("fill", "")
    for text in root.iter(f"{SVG}text"):
        if text.get("class") == "toc-heading":
            assert contrast(text.get("fill", ""), background) >= 4.5
    for code in statuses:
        group = node_group(root, code)
        marker = group.find(f"{SVG}circle")
        glyph = next(t for t in group.iter(f"{SVG}text") if t.get("class") == "toc-status-glyph")
        assert marker is not None and contrast(glyph.get("fill", ""), marker.get("fill", "")) >= 4.5


def test_the_same_input_gives_the_same_svg() -> None:
    def draw() -> str:
        result = layout(SMALL_NODES, SMALL_LINKS, highlight={"out_housing"})
        return render(result, highlight={"out_housing"}, status={"out_rights": "mixed"})

    assert draw() == draw()
    assert layout(SMALL_NODES, SMALL_LINKS) == layout(list(SMALL_NODES), list(SMALL_LINKS))
