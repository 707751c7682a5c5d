"""Bootstrap's CSS is vendored from the npm package: the pinned files, served by the portal itself."""

import importlib.util

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("vendor_bootstrap", ROOT / "scripts/lib/vendor_bootstrap.py")
vendor_bootstrap = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vendor_bootstrap)


def test_the_vendored_files_are_the_pinned_ones_of_the_npm_package():
    assert vendor_bootstrap.check() == []
    pins = vendor_bootstrap.load_pins()
    assert pins["tarball"].startswith("https://registry.npmjs.org/bootstrap/-/")
    css = (ROOT / "static/vendor/bootstrap/css/bootstrap.min.css").read_text()
    assert f"Bootstrap  v{pins['version']} " in css
    assert "MIT License" in (ROOT / "static/vendor/bootstrap/LICENSE").read_text()


def test_a_changed_file_is_found(tmp_path, monkeypatch):
    target = tmp_path / "bootstrap"
    for name in vendor_bootstrap.load_pins()["files"]:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes((vendor_bootstrap.TARGET / name).read_bytes())
    monkeypatch.setattr(vendor_bootstrap, "ROOT", tmp_path)
    monkeypatch.setattr(vendor_bootstrap, "TARGET", target)
    assert vendor_bootstrap.check() == []
    with (target / "css/bootstrap.min.css").open("a") as css:
        css.write("body{color:red}")
    (target / "css/extra.css").write_text("")
    assert vendor_bootstrap.check() == [
        "bootstrap/css/bootstrap.min.css is not the file of bootstrap "
        + vendor_bootstrap.load_pins()["version"],
        "static/vendor/bootstrap/css/extra.css is not a pinned file",
    ]


def test_the_static_files_finder_finds_the_css():
    assert finders.find("vendor/bootstrap/css/bootstrap.min.css") == str(
        ROOT / "static/vendor/bootstrap/css/bootstrap.min.css"
    )


def test_production_collects_it_with_hashed_names(tmp_path):
    """The manifest storage follows the CSS's sourceMappingURL: the map must be vendored as well."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    collected = {p.name for p in (tmp_path / "vendor/bootstrap/css").iterdir()}
    assert any(n.startswith("bootstrap.min.") and n.endswith(".css") and n.count(".") == 3 for n in collected)
    assert any(n.endswith(".css.gz") for n in collected)
