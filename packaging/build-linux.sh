#!/usr/bin/env bash
# Build the Linux one-folder bundle and pack it with its desktop integration as a tarball:
#   dist/newsdesk-<version>-linux-<arch>.tar.gz   (unpacks to newsdesk-<version>-linux-<arch>/)
# inside: lib/newsdesk/ (the app), share/ (.desktop, metainfo, hicolor icons), install.sh.
#
# Usage: packaging/build-linux.sh            (uses $PYTHON, else .venv/bin/python, else a
#                                             fresh build/venv with the project installed)
#        SKIP_SELF_TEST=1 packaging/build-linux.sh   (no smoke test of the result)
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

app_id=io.github.newsdesk_reader.Newsdesk
version=$("$PYTHON" -c "import sys; sys.path.insert(0, 'packaging'); import bundle_metadata as m; print(m.project_version())")
name="newsdesk-$version-linux-$(uname -m)"
stage="$root/dist/$name"

start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean \
    --distpath "$root/dist/pyinstaller" --workpath "$root/build/pyinstaller" \
    "$here/newsdesk.spec"

rm -rf "$stage"
mkdir -p "$stage/lib" "$stage/share/applications" "$stage/share/metainfo"
cp -R "$root/dist/pyinstaller/newsdesk" "$stage/lib/newsdesk"
cp "$here/linux/$app_id.desktop" "$stage/share/applications/"
cp "$here/linux/$app_id.metainfo.xml" "$stage/share/metainfo/"
for size in 16 24 32 48 64 128 256 512; do
    icon_dir="$stage/share/icons/hicolor/${size}x${size}/apps"
    mkdir -p "$icon_dir"
    cp "$root/resources/icons/newsdesk-$size.png" "$icon_dir/$app_id.png"
done
mkdir -p "$stage/share/icons/hicolor/scalable/apps"
cp "$root/resources/icons/newsdesk.svg" "$stage/share/icons/hicolor/scalable/apps/$app_id.svg"
cp "$here/linux/install.sh" "$stage/install.sh"
chmod +x "$stage/install.sh"

if [ -z "${SKIP_SELF_TEST:-}" ]; then
    QT_QPA_PLATFORM=offscreen "$stage/lib/newsdesk/newsdesk" --self-test
fi

tar -C "$root/dist" -czf "$root/dist/$name.tar.gz" "$name"
end=$(date +%s)
echo "Built $root/dist/$name.tar.gz in $((end - start)) s"
echo "Bundle size: $(du -sh "$stage/lib/newsdesk" | cut -f1); tarball: $(du -sh "$root/dist/$name.tar.gz" | cut -f1)"
