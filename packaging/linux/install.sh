#!/bin/sh
# Install (or, with --uninstall, remove) the Newsdesk bundle this script ships in.
#
#   ./install.sh                  # into ~/.local (no root needed)
#   sudo ./install.sh /usr/local  # for every user
#   ./install.sh --uninstall [PREFIX]
#
# Lays out PREFIX/lib/newsdesk (the app), PREFIX/bin/newsdesk (a symlink), the .desktop file,
# the AppStream metainfo and the icons in every hicolor size, then refreshes the desktop caches
# when their tools exist. The user's archive is never touched.
set -eu

APP_ID=io.github.newsdesk_reader.Newsdesk
uninstall=no
if [ "${1:-}" = "--uninstall" ]; then
    uninstall=yes
    shift
fi
prefix=${1:-"$HOME/.local"}
here=$(cd "$(dirname "$0")" && pwd)

installed_files() {
    echo "bin/newsdesk"
    echo "share/applications/$APP_ID.desktop"
    echo "share/metainfo/$APP_ID.metainfo.xml"
    (cd "$here" && find share/icons -type f)
}

refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$prefix/share/applications" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$prefix/share/icons/hicolor" || true
    fi
}

if [ "$uninstall" = yes ]; then
    installed_files | while read -r file; do rm -f "$prefix/$file"; done
    rm -rf "$prefix/lib/newsdesk"
    refresh_caches
    echo "Removed Newsdesk from $prefix (your archive is left where it is)."
    exit 0
fi

mkdir -p "$prefix/bin" "$prefix/lib"
rm -rf "$prefix/lib/newsdesk"
cp -R "$here/lib/newsdesk" "$prefix/lib/newsdesk"
ln -sf "$prefix/lib/newsdesk/newsdesk" "$prefix/bin/newsdesk"
(cd "$here" && find share -type f) | while read -r file; do
    mkdir -p "$(dirname "$prefix/$file")"
    cp "$here/$file" "$prefix/$file"
done
# Point the menu entry at the installed program: PREFIX/bin may not be on the PATH that the
# desktop session uses, and a TryExec that is not found hides the entry.
desktop="$prefix/share/applications/$APP_ID.desktop"
sed -e "s|^Exec=newsdesk|Exec=\"$prefix/bin/newsdesk\"|" \
    -e "s|^TryExec=newsdesk|TryExec=$prefix/bin/newsdesk|" "$here/share/applications/$APP_ID.desktop" >"$desktop"
refresh_caches
echo "Installed Newsdesk in $prefix/lib/newsdesk; run it with: $prefix/bin/newsdesk"
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "Note: $prefix/bin is not on your PATH." ;;
esac
