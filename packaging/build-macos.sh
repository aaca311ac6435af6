#!/usr/bin/env bash
# Build Newsdesk.app and a disk image to drag it from:
#   dist/pyinstaller/Newsdesk.app
#   dist/newsdesk-<version>-macos-<arch>.dmg
#
# Usage: packaging/build-macos.sh            (uses $PYTHON, else .venv/bin/python, else a
#                                             fresh build/venv with the project installed)
# Optional: NEWSDESK_CODESIGN_IDENTITY="Developer ID Application: ..." signs with that identity
#           (ad-hoc signature otherwise); NEWSDESK_TARGET_ARCH=universal2 for a fat binary
#           (needs a universal2 Python and universal2 wheels); SKIP_SELF_TEST=1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"

if [ -z "${PYTHON:-}" ]; then
    if [ -x "$root/.venv/bin/python" ]; then
        PYTHON="$root/.venv/bin/python"
    else
        python3 -m venv "$root/build/venv"
        PYTHON="$root/build/venv/bin/python"
        "$PYTHON" -m pip install --upgrade pip
        "$PYTHON" -m pip install "$root"
    fi
fi
if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    "$PYTHON" -m pip install "pyinstaller>=6"
fi

version=$("$PYTHON" -c "import sys; sys.path.insert(0, 'packaging'); import bundle_metadata as m; print(m.project_version())")
arch=${NEWSDESK_TARGET_ARCH:-$(uname -m)}
app="$root/dist/pyinstaller/Newsdesk.app"
dmg="$root/dist/newsdesk-$version-macos-$arch.dmg"

start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean \
    --distpath "$root/dist/pyinstaller" --workpath "$root/build/pyinstaller" \
    "$here/newsdesk.spec"

echo "Bundle id: $(/usr/libexec/PlistBuddy -c 'Print :CFBundleIdentifier' "$app/Contents/Info.plist")"
if [ -z "${SKIP_SELF_TEST:-}" ]; then
    QT_QPA_PLATFORM=offscreen "$app/Contents/MacOS/newsdesk" --self-test
fi

# The disk image holds the app and a link to /Applications, the usual drag-to-install window.
staging="$root/build/dmg"
rm -rf "$staging" "$dmg"
mkdir -p "$staging"
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
hdiutil create -volname "Newsdesk $version" -srcfolder "$staging" -ov -format UDZO "$dmg"
end=$(date +%s)
echo "Built $dmg in $((end - start)) s"
echo "App size: $(du -sh "$app" | cut -f1); disk image: $(du -sh "$dmg" | cut -f1)"
