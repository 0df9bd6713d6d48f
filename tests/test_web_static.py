"""The web view's static files without a browser: every script and stylesheet the page loads is
this server's own and exists, the vendored graph library keeps its licence files and ships in the
package, and the README names the versions that are vendored."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch

from fastapi import FastAPI
from fastapi.testclient import TestClient

from stancestream.services.storage.routes import web
from tests.stack_helpers import ROOT

STATIC = ROOT / "services" / "storage" / "static"
VENDOR = STATIC / "vendor"
# each vendored file and its npm version (named in the README); NAME.LICENSE lies beside it
VENDORED = {
    "cytoscape.min.js": "3.35.0",
    "cytoscape-fcose.js": "2.2.0",
    "cose-base.js": "2.2.0",
    "layout-base.js": "2.0.1",
}


def _page_refs() -> list[str]:
    html = (STATIC / "index.html").read_text()
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_page_loads_only_its_own_files():
    refs = _page_refs()
    assert refs, "index.html references no files"
    for ref in refs:
        assert not re.match(r"^(https?:)?//", ref), f"{ref} is loaded from another host"
        if ref.startswith("/static/"):
            assert (STATIC / ref.removeprefix("/static/")).is_file(), ref
    scripts = [r for r in refs if r.endswith(".js")]
    assert scripts[-1] == "/static/app.js"  # the libraries load first
    assert {f"/static/vendor/{name}" for name in VENDORED} <= set(scripts)


def test_vendored_files_keep_their_licences_and_ship_in_the_package():
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = conf["tool"]["setuptools"]["package-data"]["stancestream.services.storage"]
    for name in VENDORED:
        lic = VENDOR / (name.removesuffix(".min.js").removesuffix(".js") + ".LICENSE")
        assert (VENDOR / name).is_file() and lic.is_file(), name
        assert "MIT" in lic.read_text() or "Permission is hereby granted" in lic.read_text()
        for path in (VENDOR / name, lic):
            rel = path.relative_to(STATIC.parent).as_posix()
            assert any(fnmatch(rel, g) for g in globs), f"{rel} is not in package-data {globs}"


def test_readme_names_the_vendored_versions():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Web view") : readme.index("### Exports")]
    assert "Cytoscape.js" in section and "fCoSE" in section and "MIT" in section
    for version in VENDORED.values():
        assert version in section, version


def test_static_files_are_served():
    app = FastAPI()
    web.mount(app)
    with TestClient(app) as client:
        assert "cytoscape" in client.get("/").text
        for ref in _page_refs():
            if ref.startswith("/static/"):
                assert client.get(ref).status_code == 200, ref
