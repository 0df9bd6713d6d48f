"""Page furniture that is not the story: photo credits and captions, "Trending" and "Related"
boxes, teasers of other stories, a dateline printed on a line of its own.

Left in, it costs twice: trafilatura glues a credit to the sentence after it ("Shamil
Zhumatov/REUTERSThe UK may ..."), and a sidebar's headlines become actors and claims of a story
they are not part of. Two passes: ``prune_tree`` removes the elements from the parsed page before
trafilatura reads it (markup says best what is a caption or a sidebar); ``drop_furniture_lines``
removes what markup did not label, from the extracted text.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

# class/id words that mark a caption or a credit ("wp-caption-text", "image_caption", "credits")
_CAPTION_ATTR = re.compile(r"caption|(?:^|[\s_-])(?:photo|image|img)?[-_]?credits?(?:$|\s)", re.I)
# a credit's own element beside its image: <span class="source">Shamil Zhumatov/REUTERS</span>
_SOURCE_ATTR = re.compile(r"(?:^|\s)(?:photo-?|image-?)?source(?:$|\s)", re.I)
# a box's heading: "Trending On Reuters", "Trending Now in News", "Related Video", "Related:"
_BOX_HEADING = re.compile(r"^(?:trending|related)\b", re.I)
# the link that ends a teaser of another story
_TEASER_LINK = re.compile(
    r"^(?:full article|read more|read the full (?:story|article)|continue reading)\W*$", re.I
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CAPTION_MAX_WORDS = 80  # captions are short; a long element named "caption" holds more than one
_BOX_MAX_WORDS = 150  # how far a box reaches up from its heading or teaser
_BODY_PARAGRAPH_WORDS = 15
_STOP_TAGS = {"html", "body", "article", "main"}


def _visible_words(el: HtmlElement) -> int:
    texts = el.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")
    return sum(len(t.split()) for t in texts)


def _attrs(el: HtmlElement) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _is_body_paragraph(p: HtmlElement) -> bool:
    """A paragraph of prose: enough words, few of them links."""
    words = _visible_words(p)
    if words < _BODY_PARAGRAPH_WORDS:
        return False
    linked = sum(len(" ".join(a.itertext()).split()) for a in p.iter("a"))
    return linked * 3 < words


def _box_of(start: HtmlElement) -> HtmlElement:
    """The box ``start`` (a heading, a teaser) belongs to: its largest ancestor that stays small
    and holds no prose paragraph besides ``start``'s own, and is not the article itself."""
    own = {id(p) for p in start.iter("p")}
    box = start
    while (parent := box.getparent()) is not None and parent.tag not in _STOP_TAGS:
        if _visible_words(parent) > _BOX_MAX_WORDS:
            break
        if any(id(p) not in own and _is_body_paragraph(p) for p in parent.iter("p")):
            break
        box = parent
        own.update(id(p) for p in box.iter("p"))
    return box


def _captions(root: HtmlElement) -> list[HtmlElement]:
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _STOP_TAGS:
            continue
        attrs = _attrs(el)
        if el.tag == "figcaption" or _CAPTION_ATTR.search(attrs):
            if _visible_words(el) <= _CAPTION_MAX_WORDS:
                found.append(el)
        elif _SOURCE_ATTR.search(attrs) and _visible_words(el) <= 12:
            parent = el.getparent()
            if parent is not None and next(parent.iter("img"), None) is not None:
                found.append(el)
    return found


def _boxes(root: HtmlElement) -> list[HtmlElement]:
    found = []
    for h in root.iter(*_HEADINGS):
        if _BOX_HEADING.match(" ".join(" ".join(h.itertext()).split())):
            found.append(_box_of(h))
    for a in root.iter("a"):
        if _TEASER_LINK.match(" ".join(" ".join(a.itertext()).split())):
            teaser = next((p for p in a.iterancestors("p", "div")), None)
            if teaser is not None and not _is_teaser_of_body(teaser):
                found.append(_box_of(teaser))
    return found


def _is_teaser_of_body(el: HtmlElement) -> bool:
    """A "Read more" that continues this very page (a folded article body) is no teaser."""
    return any(_is_body_paragraph(p) for p in el.itersiblings("p"))


def prune_tree(root: HtmlElement) -> HtmlElement:
    """Remove captions, credits, "Trending"/"Related" boxes and teasers from a parsed page, in
    place (text following a removed element stays: the sentence a credit was glued to)."""
    doomed = _captions(root) + _boxes(root)
    ids = {id(el) for el in doomed}
    for el in doomed:
        if any(id(a) in ids for a in el.iterancestors()):
            continue  # goes with its box
        if el.getparent() is not None:
            el.drop_tree()
    return root


_AGENCY = (
    r"(?:REUTERS|Reuters|AP|AFP|EPA|Getty Images|Bloomberg|AP Photo|USA TODAY Sports|TASS"
    r"|Barcroft|Shutterstock|Xinhua)"
)
_NAME = r"[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){0,3}"
# "Shamil Zhumatov/REUTERS" glued to the sentence after it
_GLUED_CREDIT = re.compile(rf"^(?:{_NAME}/{_AGENCY}|{_AGENCY}/{_NAME})(?=[A-Z“\"‘'])")
_CREDIT_LINE = [
    re.compile(rf"^(?:{_NAME}/{_AGENCY}|{_AGENCY}(?:/{_NAME})+)\.?$"),
    re.compile(r"^(?:photo|image|picture|file photo)s?\s*(?:credit)?\s*:.{0,120}$", re.I),
    re.compile(r"^(?:photographer|mandatory credit|credit)\s*:.{0,120}$", re.I),
]
_BOX_LINE = re.compile(r"^(?:trending|related)\b[^.!?]{0,60}$", re.I)
_BOX_LINE_MAX_WORDS = 8


def drop_furniture_lines(text: str) -> str:
    """Blank-line separated text without credit lines and "Trending"/"Related" headings (with
    the short lines of links under them), with credits unglued from the paragraph they start,
    and without a first line that is the dateline the next paragraph opens with."""
    kept: list[str] = []
    in_box = False
    for para in text.split("\n\n"):
        para = _GLUED_CREDIT.sub("", para, count=1)
        if _BOX_LINE.match(para) and len(para.split()) <= _BOX_LINE_MAX_WORDS:
            in_box = True
            continue
        if in_box and len(para.split()) <= _BOX_LINE_MAX_WORDS:
            continue  # the box's headlines
        in_box = False
        if any(p.match(para) for p in _CREDIT_LINE):
            continue
        kept.append(para)
    return "\n\n".join(_drop_dateline_line(kept))


def _drop_dateline_line(paras: list[str]) -> list[str]:
    """Wire pages print the dateline above the story and again at its start ("LONDON", then
    "LONDON (Reuters) - ..."): the line alone goes."""
    if len(paras) > 1:
        first, second = paras[0], paras[1]
        if len(first.split()) <= 6 and not first.endswith((".", "!", "?")):
            rest = second[len(first) :]
            if second.startswith(first) and rest.startswith((" (", " -", " —", ", ")):
                return paras[1:]
    return paras
