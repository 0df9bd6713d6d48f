"""Text and URL normalisation: the same article must give the same text, hash and id every time.

Downstream offsets index into the normalised text, and dedupe compares hashes of it, so
``normalize_text`` is idempotent and never raises; ``canonical_url`` likewise.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from stancestream.shared.contracts import stable_id

# line and paragraph separators other than "\n" that text from the web carries
_NEWLINES = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028]")
_PARAGRAPH_SEP = "\u2029"
_HSPACE = re.compile(r"[^\S\n]+")  # any whitespace run except newlines (tabs included)
_BLANK_RUN = re.compile(r"\n{3,}")

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "ocid",
        "cmpid",
        "__twitter_impression",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _keep_char(ch: str) -> bool:
    """Drop control (Cc) and format (Cf: zero-width, BOM, soft hyphen, bidi) characters, keeping
    newlines and tabs; unassigned/surrogate code points are dropped too since they cannot be
    encoded reliably downstream."""
    if ch in "\n\t":
        return True
    cat = unicodedata.category(ch)
    return cat not in ("Cc", "Cf", "Cs", "Co", "Cn")


def normalize_text(text: str) -> str:
    """NFC, no control/zero-width characters, single spaces inside lines, lines stripped, paragraphs
    separated by exactly one blank line, no leading/trailing blank lines."""
    text = text.replace(_PARAGRAPH_SEP, "\n\n")
    text = _NEWLINES.sub("\n", text)
    text = "".join(ch for ch in text if _keep_char(ch))
    text = unicodedata.normalize("NFC", text)
    lines = [_HSPACE.sub(" ", line).strip(" ") for line in text.split("\n")]
    text = _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip("\n")
    # NFC once more: removing characters above can bring combinable code points together
    return unicodedata.normalize("NFC", text)


def paragraphs_to_blocks(text: str) -> str:
    """Text with one paragraph per line (trafilatura's txt output) -> blank-line separated."""
    return "\n\n".join(line for line in text.split("\n") if line.strip())


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k in TRACKING_PARAMS or k.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """One spelling per page: lower-case scheme/host, no default port, no fragment, no tracking
    parameters, the other query parameters sorted; ``/`` for an empty path. Never raises: what is
    not parseable as a URL comes back stripped. Idempotent (applied to a fixed point: dropping a
    fragment can expose edge characters that a second pass would strip)."""
    out = _canonical_once(url)
    for _ in range(8):
        nxt = _canonical_once(out)
        if nxt == out:
            break
        out = nxt
    return out


def _canonical_once(url: str) -> str:
    raw = _strip_url(url)
    try:
        parts = urlsplit(raw)
        scheme = parts.scheme.lower()
        netloc = parts.netloc
        if netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            host, port = parts.hostname or "", parts.port
            if host and ":" in host:  # IPv6 literal
                host = f"[{host}]"
            if port is None or port == _DEFAULT_PORTS.get(scheme):
                hostport = host
            else:
                hostport = f"{host}:{port}"
            netloc = f"{userinfo}@{hostport}" if userinfo else hostport
        path = parts.path or ("/" if netloc else "")
        query = urlencode(
            sorted(
                (k, v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if not _is_tracking(k)
            )
        )
        out = urlunsplit((scheme, netloc, path, query, ""))
        return out if _stable(out) else raw.split("#", 1)[0]
    except ValueError:
        return raw


_URL_EDGE = "".join(map(chr, range(0x21)))  # what urlsplit strips (WHATWG C0 control or space)


def _strip_url(url: str) -> str:
    """Strip what either str.strip or urlsplit would strip (tab/CR/LF anywhere, as urlsplit does),
    to a fixed point, so a second call sees nothing more to remove."""
    s = url.replace("\t", "").replace("\r", "").replace("\n", "")
    while (t := s.strip().strip(_URL_EDGE)) != s:
        s = t
    return s


def _stable(url: str) -> bool:
    try:
        parts = urlsplit(url)
        _ = parts.port
        return urlunsplit(parts) == url
    except ValueError:
        return False


def content_hash(text: str) -> str:
    """sha1 of the normalised, case-folded, whitespace-collapsed text: same words, same hash."""
    folded = " ".join(normalize_text(text).casefold().split())
    return hashlib.sha1(folded.encode("utf-8", errors="surrogatepass")).hexdigest()


def url_hash(url: str) -> str:
    """sha1 of the canonical URL (dedupe key component)."""
    return hashlib.sha1(canonical_url(url).encode("utf-8", errors="surrogatepass")).hexdigest()


def article_id(url: str | None, text_hash: str) -> str:
    """``a_`` + stable hash of the canonical URL when there is one, else of the content hash."""
    if url:
        return stable_id(canonical_url(url), prefix="a_")
    return stable_id(text_hash, prefix="a_")
