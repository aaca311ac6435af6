"""Packaging checks: desktop files, icons, the PyInstaller spec and, marked slow, real builds.

The quick tests read files only. The slow ones build a wheel and install it into a fresh venv,
and build the Linux bundle with PyInstaller, then run `--help` and `--self-test` from each.
"""

from __future__ import annotations

import ast
import configparser
import http.server
import json
import plistlib
import re
import shutil
import subprocess
import sys
import threading
import time
import tomllib
import venv
import xml.etree.ElementTree as ElementTree
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
LINUX = PACKAGING / "linux"
# packaging/ is not a package (it would shadow the "packaging" library); import its modules flat.
if str(PACKAGING) not in sys.path:
    sys.path.insert(0, str(PACKAGING))

import bundle_metadata  # noqa: E402
import icon_formats  # noqa: E402
import make_icons  # noqa: E402
import measure_bundle  # noqa: E402

APP_ID = "io.github.newsdesk_reader.Newsdesk"
DESKTOP_FILE = LINUX / f"{APP_ID}.desktop"
METAINFO_FILE = LINUX / f"{APP_ID}.metainfo.xml"
VERSION = bundle_metadata.project_version()
# The PySide6 modules the bundle may carry (the spec's QT_MODULES_KEPT).
QT_ALLOWED = {"QtCore", "QtGui", "QtWidgets", "QtSvg"}


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install desktop-file-utils appstream)")
    return path


# --- Linux desktop integration -------------------------------------------------------------


def test_desktop_file_validates() -> None:
    tool = _require_tool("desktop-file-validate")
    done = subprocess.run([tool, str(DESKTOP_FILE)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


def test_desktop_file_launches_the_command_with_the_app_icon() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP_FILE, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Exec"].split()[0] == "newsdesk"
    assert entry["Icon"] == APP_ID
    assert "newsdesk" in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]


def test_metainfo_validates_without_warnings() -> None:
    tool = _require_tool("appstreamcli")
    done = subprocess.run(
        [tool, "validate", "--no-net", "--no-color", str(METAINFO_FILE)],
        capture_output=True,
        text=True,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    # Info-level notes (I:) and pedantic ones (P:) are allowed; warnings and errors are not.
    assert not re.search(r"^\s*[WE]: ", output, re.MULTILINE), output


def test_metainfo_matches_the_app() -> None:
    component = ElementTree.parse(METAINFO_FILE).getroot()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP_FILE.name
    assert component.findtext("provides/binary") == "newsdesk"
    assert component.find("content_rating[@type='oars-1.1']") is not None
    releases = [release.get("version") for release in component.iter("release")]
    assert VERSION in releases, f"add a <release> for {VERSION} to {METAINFO_FILE.name}"


# --- Icons ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", make_icons.PNG_SIZES)
def test_icon_png_exists_in_its_declared_size(size: int) -> None:
    path = make_icons.png_path(size)
    assert path.is_file(), f"{path} is missing: run packaging/make_icons.py"
    assert icon_formats.png_dimensions(path.read_bytes()) == (size, size)


def test_icon_svg_is_a_square_svg() -> None:
    root = ElementTree.parse(make_icons.SVG_SOURCE).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    _, _, width, height = (float(part) for part in root.get("viewBox", "").split())
    assert width == height


def test_icon_pngs_are_current_renderings_of_the_svg() -> None:
    """Catches an SVG edited without regenerating the PNGs (small rendering drift allowed)."""
    from PySide6.QtGui import QImage

    for size in (32, 256):
        fresh = QImage.fromData(make_icons.render_png(make_icons.SVG_SOURCE, size))
        committed = QImage(str(make_icons.png_path(size)))
        assert (fresh.width(), committed.width()) == (size, size)
        difference = 0
        for y in range(size):
            for x in range(size):
                a, b = fresh.pixelColor(x, y), committed.pixelColor(x, y)
                difference += abs(a.red() - b.red()) + abs(a.alpha() - b.alpha())
        mean = difference / (size * size * 2)
        assert mean < 2.0, f"the {size} px PNG differs from the SVG: run packaging/make_icons.py"


def test_every_resource_file_is_package_data_of_the_wheel() -> None:
    assert (ROOT / "resources" / "icons" / "__init__.py").is_file()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert package_data["package-data"]["resources"] == ["**/*"]


def test_ico_and_icns_hold_every_size_they_can() -> None:
    pngs = make_icons.load_pngs()
    ico = icon_formats.ico_from_pngs(pngs)
    assert icon_formats.read_ico_sizes(ico) == list(icon_formats.ICO_SIZES)
    icns = icon_formats.icns_from_pngs(pngs)
    assert icon_formats.read_icns_types(icns) == list(icon_formats.ICNS_TYPES)


def test_icon_packers_refuse_a_mislabelled_image() -> None:
    pngs = make_icons.load_pngs()
    with pytest.raises(ValueError, match="32 px"):
        icon_formats.ico_from_pngs({32: pngs[16]})
    with pytest.raises(ValueError, match="not a PNG"):
        icon_formats.png_dimensions(b"GIF89a" + bytes(40))


# --- The spec and the metadata it uses -----------------------------------------------------


def test_spec_parses_and_builds_from_the_entry_script() -> None:
    spec = PACKAGING / "newsdesk.spec"
    tree = ast.parse(spec.read_text(encoding="utf-8"), filename=str(spec))
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert {"Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"} <= called
    assert "newsdesk_entry.py" in spec.read_text(encoding="utf-8")
    entry = (PACKAGING / "newsdesk_entry.py").read_text(encoding="utf-8")
    assert "freeze_support()" in entry and "from ui.launcher import main" in entry


def test_spec_keeps_only_the_allowed_qt_modules() -> None:
    tree = ast.parse((PACKAGING / "newsdesk.spec").read_text(encoding="utf-8"))
    kept = next(
        ast.literal_eval(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "QT_MODULES_KEPT" for t in node.targets)
    )
    assert kept == QT_ALLOWED


def test_version_is_the_same_everywhere() -> None:
    import reader

    assert reader.__version__ == VERSION
    assert bundle_metadata.numeric_version("1.2.0rc1") == (1, 2, 0, 0)
    assert bundle_metadata.numeric_version("10.4") == (10, 4, 0, 0)


def test_macos_info_plist_supports_dark_mode_and_retina() -> None:
    plist = plistlib.loads(plistlib.dumps(bundle_metadata.macos_info_plist(VERSION)))
    assert plist["CFBundleIdentifier"] == APP_ID
    assert plist["NSRequiresAquaSystemAppearance"] is False
    assert plist["NSHighResolutionCapable"] is True
    assert plist["CFBundleShortVersionString"] == VERSION


def test_windows_version_file_carries_the_package_version(tmp_path: Path) -> None:
    text = bundle_metadata.windows_version_info(VERSION, "Newsdesk.exe")
    numbers = bundle_metadata.numeric_version(VERSION)
    try:  # PyInstaller's own reader needs pefile, which is only installed on Windows
        from PyInstaller.utils.win32 import versioninfo
    except ImportError:
        versioninfo = None
    if versioninfo is not None:
        version_file = tmp_path / "version.txt"
        version_file.write_text(text, encoding="utf-8")
        info = versioninfo.load_version_info_from_text_file(str(version_file))
        assert info.ffi.fileVersionMS == (numbers[0] << 16) | numbers[1]
        return
    # The same check without PyInstaller: evaluate the expression with recording stand-ins.
    calls: dict[str, list[tuple[object, ...]]] = {}

    def recorder(name: str) -> Callable[..., str]:
        def record(*args: object, **kwargs: object) -> str:
            calls.setdefault(name, []).append(args + tuple(kwargs.items()))
            return name

        return record

    names = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable",
             "StringStruct", "VarFileInfo", "VarStruct"]  # fmt: skip
    eval(text, {"__builtins__": {}} | {name: recorder(name) for name in names})
    assert ("filevers", numbers) in calls["FixedFileInfo"][0]
    assert ("ProductVersion", VERSION) in calls["StringStruct"]
    assert ("OriginalFilename", "Newsdesk.exe") in calls["StringStruct"]


@pytest.mark.parametrize(
    ("shell", "script"),
    [
        ("bash", "build-linux.sh"),
        ("bash", "build-macos.sh"),
        ("sh", "linux/install.sh"),
    ],
)
def test_build_scripts_are_valid_shell(shell: str, script: str) -> None:
    done = subprocess.run([shell, "-n", str(PACKAGING / script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_install_script_installs_and_uninstalls_a_staged_tree(tmp_path: Path) -> None:
    """install.sh on a tree laid out like the tarball, with a stand-in for the frozen app."""
    stage = tmp_path / "stage"
    app = stage / "lib" / "newsdesk" / "newsdesk"
    app.parent.mkdir(parents=True)
    app.write_text("#!/bin/sh\necho stand-in\n", encoding="utf-8")
    app.chmod(0o755)
    shutil.copy2(LINUX / "install.sh", stage / "install.sh")
    (stage / "share" / "applications").mkdir(parents=True)
    shutil.copy2(DESKTOP_FILE, stage / "share" / "applications")
    icon = stage / "share" / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png"
    icon.parent.mkdir(parents=True)
    shutil.copy2(make_icons.png_path(48), icon)
    prefix = tmp_path / "a prefix"  # a space, as in many home folders

    subprocess.run(["sh", str(stage / "install.sh"), str(prefix)], check=True, capture_output=True)
    command = prefix / "bin" / "newsdesk"
    assert subprocess.run([command], capture_output=True, text=True).stdout == "stand-in\n"
    assert (prefix / "share" / "icons" / "hicolor" / "48x48" / "apps" / icon.name).is_file()
    desktop = prefix / "share" / "applications" / DESKTOP_FILE.name
    assert f'Exec="{command}"' in desktop.read_text(encoding="utf-8").splitlines()
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True)
        assert done.returncode == 0, done.stdout

    uninstall = ["sh", str(stage / "install.sh"), "--uninstall", str(prefix)]
    subprocess.run(uninstall, check=True, capture_output=True)
    assert not command.exists() and not desktop.exists()
    assert not (prefix / "lib" / "newsdesk").exists()


# --- Slow: real builds ---------------------------------------------------------------------

FIXTURES = ROOT / ".." / "shared" / "fixtures"


def _require_self_test() -> None:
    """Skip unless `--self-test` works from the source tree: a build can only be asked to do
    what the source does."""
    command = [sys.executable, "-m", "ui.launcher", "--self-test"]
    result = measure_bundle.run_timed(command, cwd=ROOT)
    if measure_bundle.self_test_unsupported(result):
        pytest.skip("newsdesk --self-test is not implemented yet (unrecognized arguments)")
    if result.returncode != 0:
        pytest.skip(f"--self-test fails from the source tree too: {result.stderr[-300:]}")


def _copy_source(target: Path) -> Path:
    """Copy what a wheel is built from, so the build leaves no build/ or egg-info behind."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("reader", "ui", "resources"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, target / name)
        else:
            (target / name).write_text("Newsdesk\n", encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def wheel_install(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Build the wheel from a copy of the source and install it, non-editable, into a fresh
    venv without system site-packages. Returns (wheel, the venv's `newsdesk` command)."""
    work = tmp_path_factory.mktemp("wheel")
    source = _copy_source(work / "source")
    wheels = work / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), "."],
        cwd=source,
        check=True,
    )
    (wheel,) = wheels.glob("newsdesk-*.whl")
    environment = work / "venv"
    venv.create(environment, with_pip=True, system_site_packages=False)
    python = environment / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    # pip's own cache makes the dependency downloads a one-time cost.
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    return wheel, python.parent / "newsdesk"


@pytest.mark.slow
def test_wheel_carries_icons_and_migrations(wheel_install: tuple[Path, Path]) -> None:
    wheel, _ = wheel_install
    names = set(zipfile.ZipFile(wheel).namelist())
    for size in make_icons.PNG_SIZES:
        assert f"resources/icons/newsdesk-{size}.png" in names
    assert "resources/icons/newsdesk.svg" in names
    # The demo archive's sources, whatever their file types (it is built from them).
    demo_files = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "resources" / "demo").rglob("*")
        if path.is_file()
    }
    assert demo_files and demo_files <= names, demo_files - names
    migration_files = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "reader").rglob("*")
        if path.suffix in (".ini", ".mako") or "migrations" in path.parts and path.suffix == ".py"
    }
    assert migration_files <= names, migration_files - names


@pytest.mark.slow
def test_installed_wheel_runs_help_and_self_test(
    wheel_install: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, command = wheel_install
    help_run = measure_bundle.run_timed([str(command), "--help"], cwd=tmp_path)
    assert help_run.returncode == 0, help_run.stderr
    assert "usage" in help_run.stdout.lower()
    _require_self_test()
    self_test = measure_bundle.run_timed([str(command), "--self-test"], cwd=tmp_path)
    assert self_test.returncode == 0, self_test.stderr
    with capsys.disabled():
        print(
            f"\ninstalled wheel: --help {help_run.seconds:.2f} s, "
            f"--self-test {self_test.seconds:.2f} s"
        )


@pytest.fixture(scope="module")
def linux_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The Linux one-folder bundle built by PyInstaller: (its folder, build seconds)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("builds the Linux bundle")
    pytest.importorskip("PyInstaller", reason="PyInstaller 6 is not installed in this venv")
    return measure_bundle.build_bundle(tmp_path_factory.mktemp("bundle"))


@pytest.mark.slow
def test_linux_bundle_carries_migrations_icons_and_only_allowed_qt(
    linux_bundle: tuple[Path, float],
) -> None:
    internal = linux_bundle[0] / "_internal"
    for path in (ROOT / "reader").rglob("*"):
        if "migrations" in path.parts and path.suffix in (".py", ".mako", ".ini"):
            assert (internal / path.relative_to(ROOT)).is_file(), path
    assert (internal / "resources" / "icons" / "newsdesk-256.png").is_file()
    assert (internal / "resources" / "icons" / "newsdesk.svg").is_file()
    bundled_qt = {path.name.split(".")[0] for path in (internal / "PySide6").glob("Qt*.*")}
    assert bundled_qt <= QT_ALLOWED, bundled_qt - QT_ALLOWED


class _ChangingPageHandler(http.server.BaseHTTPRequestHandler):
    """Serves the seed live-blog pages with a fresh comment appended to every response, so
    each refresh really parses (no 304, no identical body)."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        page = FIXTURES / "liveblogs" / "seed" / Path(self.path.split("?")[0]).name
        if not page.is_file():
            self.send_error(404)
            return
        body = page.read_bytes() + f"<!-- {time.time_ns()} -->".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.mark.slow
def test_linux_bundle_runs_headless_commands_with_worker_processes(
    linux_bundle: tuple[Path, float], tmp_path: Path
) -> None:
    """parse, add and a refresh of enough sources to start the parse worker processes (a
    frozen app that forgot freeze_support() would hang or fail here), then search and cluster,
    which load the bundled SQLite FTS5 and numpy."""
    if not (FIXTURES / "liveblogs" / "seed").is_dir():
        pytest.skip(f"the shared fixtures are not at {FIXTURES}")
    command = str(linux_bundle[0] / "newsdesk")
    data = ["--data-dir", str(tmp_path / "archive")]

    page = FIXTURES / "liveblogs" / "seed" / "snapshot-2.html"
    parsed = measure_bundle.run_timed([command, "parse", str(page), "--json"], cwd=tmp_path)
    assert parsed.returncode == 0, parsed.stderr
    assert json.loads(parsed.stdout)["kind"] == "liveblog"

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ChangingPageHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        pages = sorted(path.name for path in page.parent.glob("*.html"))
        for name in pages:
            added = measure_bundle.run_timed([command, *data, "add", f"{base}/{name}"], tmp_path)
            assert added.returncode == 0, added.stderr
        refreshed = measure_bundle.run_timed([command, *data, "refresh", "--json"], tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert refreshed.returncode == 0, refreshed.stderr
    statuses = [source["status"] for source in json.loads(refreshed.stdout)["sources"]]
    assert len(statuses) == len(pages) and "error" not in statuses

    # FTS5 in the bundled SQLite, and numpy (with its OpenBLAS) through topic threading.
    searched = measure_bundle.run_timed([command, *data, "search", "Putin", "--json"], tmp_path)
    assert searched.returncode == 0, searched.stderr
    assert json.loads(searched.stdout)["hits"], "the refreshed pages should mention Putin"
    lines = [
        {"id": "a", "title": "Ceasefire talks open in Geneva", "text": "Ceasefire talks opened.",
         "published": "2025-03-14T10:00:00Z", "source": "x"},
        {"id": "b", "title": "Geneva ceasefire talks resume", "text": "Ceasefire talks resumed.",
         "published": "2025-03-14T11:00:00Z", "source": "y"},
        {"id": "c", "title": "Cup final tonight", "text": "The cup final kicks off at eight.",
         "published": "2025-03-14T12:00:00Z", "source": "y"},
    ]  # fmt: skip
    entries = tmp_path / "entries.jsonl"
    entries.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    clustered = measure_bundle.run_timed([command, "cluster", str(entries), "--json"], tmp_path)
    assert clustered.returncode == 0, clustered.stderr
    threads = json.loads(clustered.stdout)["threads"]
    assert sorted(i for thread in threads for i in thread["entry_ids"]) == ["a", "b", "c"]


@pytest.mark.slow
def test_linux_bundle_self_test_and_measurements(
    linux_bundle: tuple[Path, float], capsys: pytest.CaptureFixture[str]
) -> None:
    bundle, build_seconds = linux_bundle
    with capsys.disabled():
        print()
        numbers = measure_bundle.report(bundle, build_seconds)
    assert numbers["help_seconds"] is not None, "newsdesk --help failed in the bundle"
    _require_self_test()
    assert numbers["self_test_seconds"] is not None, "newsdesk --self-test failed in the bundle"
