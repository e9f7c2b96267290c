"""The theory of change drawn as an SVG diagram: readable on screen, printable, and ready for the PDF.

Two steps, both plain functions with no Django:

- `layout` places the nodes in up to six columns (need → activity → output → short-term outcome → medium-term
  outcome → impact), wraps their labels, orders each column to reduce crossing links (barycentre heuristic) and
  draws each link as a cubic Bézier curve from the right side of its source to the left side of its target;
- `render_svg` turns that layout into a self-contained `<svg>` string. Colours come from CSS classes
  (`toc-node`, `toc-{kind}`, `toc-link`, `toc-highlight`, `toc-status-{value}`) and are also given as inline
  attributes, so the diagram is right when printed or converted without the page's stylesheet.

Everything taken from the document or the caller is XML-escaped, and characters XML cannot carry are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Column heading keys, in stage order; the caller gives their translated titles.
COLUMN_KEYS = ("need", "activity", "output", "outcome_short", "outcome_medium", "impact")
STAGES = {"need": 0, "activity": 1, "output": 2, "outcome": 3, "impact": 5}

# Geometry, in px.
COLUMN_WIDTH = 190.0
COLUMN_GAP = 40.0
MARGIN = 32.0  # around the drawing; wide enough for same-column curves and status markers on the right
HEADING_HEIGHT = 44.0  # room for a two-line column heading
BOX_GAP = 16.0  # vertical space between boxes of a column
PADDING_Y = 10.0  # inside a box, above the first line and below the last
LINE_HEIGHT = 16.0
BASELINE = 12.0  # from the top of a line to its baseline
PORT_INSET = 6.0  # links attach no closer than this to a box's corners
SIDE_BULGE = 24.0  # how far a same-column curve goes out to the right
STATUS_RADIUS = 9.0
FONT_SIZE = 13
FONT_FAMILY = "system-ui, sans-serif"

# Text wrapping, in characters.
LINE_CHARS = 24
MAX_LINES = 5
HEADING_LINES = 2
ELLIPSIS = "…"

# Default colours (WCAG AA: TEXT_COLOUR on every fill has a contrast ratio of at least 4.5).
TEXT_COLOUR = "#1f2328"
BACKGROUND_COLOUR = "#ffffff"
LINK_COLOUR = "#57606a"


@dataclass(frozen=True)
class KindColours:
    fill: str
    stroke: str


KIND_COLOURS: Mapping[str, KindColours] = {
    "need": KindColours(fill="#fde2e1", stroke="#b42318"),
    "activity": KindColours(fill="#dbeafe", stroke="#1d4ed8"),
    "output": KindColours(fill="#ede9fe", stroke="#6d28d9"),
    "outcome": KindColours(fill="#dcfce7", stroke="#15803d"),
    "impact": KindColours(fill="#fef3c7", stroke="#b45309"),
}


@dataclass(frozen=True)
class StatusStyle:
    colour: str  # the marker's fill; its glyph is white, with a contrast ratio of at least 4.5
    glyph: str  # a text cue, so that colour is never the only one


STATUS_STYLES: Mapping[str, StatusStyle] = {
    "good": StatusStyle(colour="#15803d", glyph="✓"),
    "mixed": StatusStyle(colour="#b45309", glyph="~"),
    "poor": StatusStyle(colour="#b91c1c", glyph="✗"),
    "none": StatusStyle(colour="#6b7280", glyph="?"),
}
STATUS_GLYPH_COLOUR = "#ffffff"


@dataclass(frozen=True)
class Box:
    code: str
    kind: str
    column: int  # the stage: 0 need … 5 impact (see COLUMN_KEYS), not the drawn position
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    path: str  # SVG path data


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    columns: tuple[tuple[str, float], ...]  # (heading key, x of the column's left side), drawn columns only


# --- Text -----------------------------------------------------------------------------------------------------

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(value: object) -> str:
    """Text safe inside an XML element or a double- or single-quoted attribute."""
    text = _NOT_XML.sub("", str(value))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def wrap(text: str, width: int = LINE_CHARS, max_lines: int = MAX_LINES) -> tuple[str, ...]:
    """Lines of at most `width` characters, broken between words; a longer word is cut with a hyphen.

    Beyond `max_lines`, the last kept line ends with an ellipsis.
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        if current and len(current) + 1 + len(word) <= width:
            current = f"{current} {word}"
        else:
            if current:
                lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _with_ellipsis(lines[-1], width)
    return tuple(lines)


def _with_ellipsis(line: str, width: int) -> str:
    kept = line[: width - len(ELLIPSIS)] if len(line) + len(ELLIPSIS) > width else line
    return kept.rstrip(" -") + ELLIPSIS


def label_text(node: Mapping[str, Any], language: str) -> str:
    """The node's label in `language`, else in French, else its code."""
    label = node.get("label")
    if isinstance(label, Mapping):
        for lang in (language, "fr"):
            value = label.get(lang)
            if isinstance(value, str) and value.strip():
                return value
    elif isinstance(label, str) and label.strip():
        return label
    return str(node["code"])


def stage(node: Mapping[str, Any]) -> int:
    """The node's column: need 0, activity 1, output 2, short-term outcome 3, medium-term outcome 4, impact 5."""
    kind = str(node["kind"])
    if kind not in STAGES:
        raise ValueError(f"node '{node.get('code')}' has an unknown kind '{kind}'")
    if kind == "outcome" and node.get("term") == "medium":
        return 4
    return STAGES[kind]


# --- Layout ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    code: str
    kind: str
    column: int
    lines: tuple[str, ...]

    @property
    def height(self) -> float:
        return 2 * PADDING_Y + max(1, len(self.lines)) * LINE_HEIGHT


Columns = list[list[str]]  # node codes per stage, top to bottom


def layout(
    nodes: Sequence[Mapping[str, Any]],
    links: Sequence[Mapping[str, Any]],
    *,
    language: str = "fr",
    highlight: Collection[str] = (),
) -> Layout:
    """Place the theory of change's nodes and links; see the module's docstring.

    Links to unknown nodes and repeated nodes or links are left out (validation reports them). Links touching a
    highlighted node come last, so they are drawn on top of the others.
    """
    by_code = _nodes(nodes, language)
    pairs = _pairs(links, by_code)
    columns: Columns = [[] for _ in COLUMN_KEYS]
    for node in by_code.values():
        columns[node.column].append(node.code)
    columns = _order(columns, pairs, by_code)
    drawn = [stage for stage, codes in enumerate(columns) if codes]
    lefts = {stage: MARGIN + index * (COLUMN_WIDTH + COLUMN_GAP) for index, stage in enumerate(drawn)}
    tops = _tops(columns, by_code)
    boxes = {code: _box(by_code[code], lefts[by_code[code].column], tops[code]) for code in _codes(columns)}
    pairs.sort(key=lambda pair: pair[0] in highlight or pair[1] in highlight)
    width = 2 * MARGIN + len(drawn) * COLUMN_WIDTH + max(0, len(drawn) - 1) * COLUMN_GAP
    height = 2 * MARGIN + HEADING_HEIGHT + _tallest(columns, by_code)
    return Layout(
        width=_round(width),
        height=_round(height),
        boxes=tuple(boxes.values()),
        edges=_edges(pairs, boxes),
        columns=tuple((COLUMN_KEYS[stage], _round(lefts[stage])) for stage in drawn),
    )


def _nodes(nodes: Sequence[Mapping[str, Any]], language: str) -> dict[str, _Node]:
    by_code: dict[str, _Node] = {}
    for node in nodes:
        code = str(node["code"])
        if code not in by_code:
            lines = wrap(label_text(node, language))
            by_code[code] = _Node(code=code, kind=str(node["kind"]), column=stage(node), lines=lines)
    return by_code


def _pairs(links: Sequence[Mapping[str, Any]], by_code: Mapping[str, _Node]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for link in links:
        pair = (str(link.get("from")), str(link.get("to")))
        if pair[0] in by_code and pair[1] in by_code and pair[0] != pair[1] and pair not in pairs:
            pairs.append(pair)
    return pairs


def _codes(columns: Columns) -> Iterable[str]:
    for codes in columns:
        yield from codes


def _column_height(codes: Sequence[str], by_code: Mapping[str, _Node]) -> float:
    return sum(by_code[code].height for code in codes) + max(0, len(codes) - 1) * BOX_GAP


def _tallest(columns: Columns, by_code: Mapping[str, _Node]) -> float:
    return max((_column_height(codes, by_code) for codes in columns), default=0.0)


def _tops(columns: Columns, by_code: Mapping[str, _Node]) -> dict[str, float]:
    """The top of every box, each column centred vertically against the tallest."""
    tallest = _tallest(columns, by_code)
    tops: dict[str, float] = {}
    for codes in columns:
        y = MARGIN + HEADING_HEIGHT + (tallest - _column_height(codes, by_code)) / 2
        for code in codes:
            tops[code] = y
            y += by_code[code].height + BOX_GAP
    return tops


def _centres(columns: Columns, by_code: Mapping[str, _Node]) -> dict[str, float]:
    tops = _tops(columns, by_code)
    return {code: top + by_code[code].height / 2 for code, top in tops.items()}


def _order(columns: Columns, pairs: Sequence[tuple[str, str]], by_code: Mapping[str, _Node]) -> Columns:
    """Reorder each column to reduce crossings: two forward and backward barycentre sweeps, keeping the best."""
    neighbours: dict[str, list[str]] = {code: [] for code in by_code}
    for source, target in pairs:
        neighbours[source].append(target)
        neighbours[target].append(source)
    best, fewest = columns, _crossings(columns, pairs, by_code)
    current = columns
    for _ in range(2):
        for forward in (True, False):
            current = _sweep(current, neighbours, by_code, forward)
            crossings = _crossings(current, pairs, by_code)
            if crossings < fewest:
                best, fewest = current, crossings
    return best


def _sweep(
    columns: Columns, neighbours: Mapping[str, list[str]], by_code: Mapping[str, _Node], forward: bool
) -> Columns:
    """One pass over the columns, ordering each by the mean height of its neighbours in the columns already seen."""
    result = [list(codes) for codes in columns]
    stages = range(1, len(result)) if forward else range(len(result) - 2, -1, -1)
    for stage_ in stages:
        centres = _centres(result, by_code)
        keys = {
            code: (_barycentre(code, stage_, forward, neighbours, by_code, centres), index)
            for index, code in enumerate(result[stage_])
        }
        result[stage_] = sorted(result[stage_], key=keys.__getitem__)
    return result


def _barycentre(
    code: str,
    stage_: int,
    forward: bool,
    neighbours: Mapping[str, list[str]],
    by_code: Mapping[str, _Node],
    centres: Mapping[str, float],
) -> float:
    """The mean height of the node's neighbours before (forward) or after its column; its own if it has none."""
    ys = [
        centres[other]
        for other in neighbours[code]
        if (by_code[other].column < stage_ if forward else by_code[other].column > stage_)
    ]
    return sum(ys) / len(ys) if ys else centres[code]


def _crossings(columns: Columns, pairs: Sequence[tuple[str, str]], by_code: Mapping[str, _Node]) -> int:
    """Crossings between links joining the same two columns (links sharing a node never count)."""
    rank = {code: index for codes in columns for index, code in enumerate(codes)}
    count = 0
    for i, (a, b) in enumerate(pairs):
        for c, d in pairs[i + 1 :]:
            if len({a, b, c, d}) < 4:
                continue
            if (by_code[a].column, by_code[b].column) != (by_code[c].column, by_code[d].column):
                continue
            if (rank[a] - rank[c]) * (rank[b] - rank[d]) < 0:
                count += 1
    return count


def _box(node: _Node, x: float, y: float) -> Box:
    return Box(
        code=node.code,
        kind=node.kind,
        column=node.column,
        x=_round(x),
        y=_round(y),
        width=COLUMN_WIDTH,
        height=_round(node.height),
        lines=node.lines,
    )


def _edges(pairs: Sequence[tuple[str, str]], boxes: Mapping[str, Box]) -> tuple[Edge, ...]:
    """One curve per link, the links meeting a side of a box spread along it in the order of their other ends."""
    ports = _ports(pairs, boxes)
    edges: list[Edge] = []
    for index, (source, target) in enumerate(pairs):
        start, end = boxes[source], boxes[target]
        sx, sy = start.x + start.width, ports[(index, source)]
        ty = ports[(index, target)]
        if start.column == end.column:
            bulge = sx + SIDE_BULGE
            path = f"M{_num(sx)},{_num(sy)} C{_num(bulge)},{_num(sy)} {_num(bulge)},{_num(ty)} {_num(sx)},{_num(ty)}"
        else:
            tx = end.x
            pull = max(abs(tx - sx) / 2, COLUMN_GAP / 2)
            path = (
                f"M{_num(sx)},{_num(sy)} C{_num(sx + pull)},{_num(sy)} {_num(tx - pull)},{_num(ty)} "
                f"{_num(tx)},{_num(ty)}"
            )
        edges.append(Edge(source=source, target=target, path=path))
    return tuple(edges)


def _ports(pairs: Sequence[tuple[str, str]], boxes: Mapping[str, Box]) -> dict[tuple[int, str], float]:
    """The height at which each link (by index) meets each of its boxes."""
    sides: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for index, (source, target) in enumerate(pairs):
        same = boxes[source].column == boxes[target].column
        sides.setdefault((source, "right"), []).append((_middle(boxes[target]), index))
        sides.setdefault((target, "right" if same else "left"), []).append((_middle(boxes[source]), index))
    ports: dict[tuple[int, str], float] = {}
    for (code, _side), attached in sides.items():
        box = boxes[code]
        span = box.height - 2 * PORT_INSET
        for position, (_, index) in enumerate(sorted(attached)):
            ports[(index, code)] = _round(box.y + PORT_INSET + span * (position + 1) / (len(attached) + 1))
    return ports


def _middle(box: Box) -> float:
    return box.y + box.height / 2


def _round(value: float) -> float:
    return round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def _num(value: float) -> str:
    """A coordinate with at most one decimal: 12, 12.5."""
    text = f"{_round(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


# --- SVG ------------------------------------------------------------------------------------------------------


def render_svg(
    layout: Layout,
    *,
    title: str,
    column_titles: Mapping[str, str],
    classes: Mapping[str, str] | None = None,
    highlight: Collection[str] = (),
    status: Mapping[str, str] | None = None,
) -> str:
    """The layout as a complete `<svg>` element.

    `column_titles` maps COLUMN_KEYS to translated headings; `classes` maps node codes to extra CSS classes;
    `highlight` lists node codes drawn with a thicker border (and their links thicker); `status` maps node codes
    to "good", "mixed", "poor" or "none", shown by a class, a coloured marker and a glyph (other values are
    ignored).
    """
    status = {code: value for code, value in (status or {}).items() if value in STATUS_STYLES}
    width, height = _num(layout.width), _num(layout.height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="toc-diagram" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="toc-title" aria-describedby="toc-desc" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}">',
        f'<title id="toc-title">{escape(title)}</title>',
        f'<desc id="toc-desc">{escape(_description(layout, column_titles, status))}</desc>',
        _defs(),
        f'<rect class="toc-background" x="0" y="0" width="{width}" height="{height}" fill="{BACKGROUND_COLOUR}"/>',
        *_headings(layout, column_titles),
        *(_edge(edge, highlight) for edge in layout.edges),
        *(
            _node(box, (classes or {}).get(box.code, ""), box.code in highlight, status.get(box.code))
            for box in layout.boxes
        ),
        "</svg>",
    ]
    return "\n".join(parts)


def _description(layout: Layout, column_titles: Mapping[str, str], status: Mapping[str, str]) -> str:
    """The boxes' texts column by column, for assistive technologies."""
    sentences = []
    for key, _x in layout.columns:
        stage_ = COLUMN_KEYS.index(key)
        texts = [_joined(box.lines) + _glyph(status.get(box.code)) for box in layout.boxes if box.column == stage_]
        sentences.append(f"{column_titles.get(key, key)}: {'; '.join(texts)}.")
    return " ".join(sentences)


def _joined(lines: Sequence[str]) -> str:
    """A box's lines as one text again, words cut by `wrap` rejoined."""
    text = ""
    for line in lines:
        text += line[:-1] if line.endswith("-") and len(line) == LINE_CHARS else f"{line} "
    return text.strip()


def _glyph(value: str | None) -> str:
    return f" ({STATUS_STYLES[value].glyph})" if value else ""


def _defs() -> str:
    return (
        '<defs><marker id="toc-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        f'markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{LINK_COLOUR}"/></marker></defs>'
    )


def _headings(layout: Layout, column_titles: Mapping[str, str]) -> list[str]:
    headings = []
    for key, x in layout.columns:
        lines = wrap(column_titles.get(key, key), max_lines=HEADING_LINES)
        centre = _num(x + COLUMN_WIDTH / 2)
        y = MARGIN + BASELINE + (HEADING_LINES - len(lines)) * LINE_HEIGHT  # one-line headings sit low
        headings.append(
            f'<text class="toc-heading" x="{centre}" y="{_num(y)}" text-anchor="middle" '
            f'font-weight="bold" fill="{TEXT_COLOUR}">{_tspans(lines, centre)}</text>'
        )
    return headings


def _tspans(lines: Sequence[str], x: str) -> str:
    return "".join(
        f'<tspan x="{x}" dy="{0 if index == 0 else _num(LINE_HEIGHT)}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )


def _edge(edge: Edge, highlight: Collection[str]) -> str:
    strong = edge.source in highlight or edge.target in highlight
    css = "toc-link toc-link-highlight" if strong else "toc-link"
    return (
        f'<path class="{css}" d="{escape(edge.path)}" fill="none" stroke="{LINK_COLOUR}" '
        f'stroke-width="{2.5 if strong else 1.5}" marker-end="url(#toc-arrow)" '
        f'data-from="{escape(edge.source)}" data-to="{escape(edge.target)}"/>'
    )


def _node(box: Box, extra: str, highlighted: bool, status: str | None) -> str:
    colours = KIND_COLOURS.get(box.kind, KindColours(fill=BACKGROUND_COLOUR, stroke=LINK_COLOUR))
    css = ["toc-node", f"toc-{box.kind}"]
    if box.kind == "outcome":
        css.append("toc-term-medium" if box.column == 4 else "toc-term-short")
    if highlighted:
        css.append("toc-highlight")
    if status:
        css.append(f"toc-status-{status}")
    if extra.strip():
        css.append(extra.strip())
    centre = _num(box.x + box.width / 2)
    return (
        f'<g class="{escape(" ".join(css))}" id="toc-{escape(box.code)}">'
        f'<rect x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(box.width)}" height="{_num(box.height)}" rx="6" '
        f'fill="{colours.fill}" stroke="{colours.stroke}" stroke-width="{3 if highlighted else 1.5}"/>'
        f'<text x="{centre}" y="{_num(box.y + PADDING_Y + BASELINE)}" text-anchor="middle" fill="{TEXT_COLOUR}">'
        f"{_tspans(box.lines, centre)}</text>"
        f"{_status_marker(box, status)}</g>"
    )


def _status_marker(box: Box, status: str | None) -> str:
    """A coloured disc with a glyph on the box's top right corner."""
    if not status:
        return ""
    style = STATUS_STYLES[status]
    cx, cy = _num(box.x + box.width), _num(box.y)
    return (
        f'<circle class="toc-status-marker" cx="{cx}" cy="{cy}" r="{_num(STATUS_RADIUS)}" fill="{style.colour}" '
        f'stroke="{BACKGROUND_COLOUR}" stroke-width="1.5"/>'
        f'<text class="toc-status-glyph" x="{cx}" y="{_num(box.y + 4)}" text-anchor="middle" font-size="11" '
        f'font-weight="bold" fill="{STATUS_GLYPH_COLOUR}">{escape(style.glyph)}</text>'
    )
