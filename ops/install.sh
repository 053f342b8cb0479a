#!/usr/bin/env bash
# Installs wst-sync as systemd services.
#
#   sudo ops/install.sh [--prefix DIR] [--root DIR] [--role agent|coordinator|both] [--no-systemctl]
#
# The app goes to <root><prefix>/lib/wst-sync (runtime dependencies from `npm ci --omit=dev`),
# the units to <root>/etc/systemd/system, example settings to <root>/etc/wst-sync/<role>.env
# (only when absent; mode 0600). Without --root it also creates the wst-sync user and the data,
# mount and meetings directories. WST_INSTALL_SKIP_NPM=1 skips `npm ci` (tests).
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX=/usr/local
ROOT=
ROLE=both
SYSTEMCTL=1
USER_NAME=wst-sync

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
die() { echo "install.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; PREFIX="$2"; shift 2 ;;
    --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT="$2"; shift 2 ;;
    --role) [ $# -ge 2 ] || die "--role needs agent, coordinator or both"; ROLE="$2"; shift 2 ;;
    --no-systemctl) SYSTEMCTL=0; shift ;;
    -h|--help) usage 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
case "$ROLE" in
  agent) ROLES=(agent) ;;
  coordinator) ROLES=(coordinator) ;;
  both) ROLES=(coordinator agent) ;;
  *) die "--role must be agent, coordinator or both, got $ROLE" ;;
esac
case "$PREFIX" in /*) ;; *) die "--prefix must be an absolute path" ;; esac
# The prefix is written into unit files: keep it to characters systemd and sed take as they are.
[[ "$PREFIX" =~ ^[A-Za-z0-9/._-]+$ ]] || die "--prefix may hold only letters, digits and / . _ -"
if [ -n "$ROOT" ]; then
  mkdir -p "$ROOT"
  ROOT="$(cd "$ROOT" && pwd)"
fi

APP="$ROOT$PREFIX/lib/wst-sync"
UNITS="$ROOT/etc/systemd/system"
CONFIG="$ROOT/etc/wst-sync"

echo "installing wst-sync ($ROLE) into $APP"
# A fresh copy: files removed from the app do not linger from an earlier version.
rm -rf "$APP.new"
mkdir -p "$APP.new"
cp -a "$SOURCE/package.json" "$SOURCE/package-lock.json" "$SOURCE/README.md" "$APP.new/"
for dir in coordinator agent shared scripts; do
  cp -a "$SOURCE/$dir" "$APP.new/$dir"
done
find "$APP.new" -name '*.test.ts' -delete
if [ "${WST_INSTALL_SKIP_NPM:-0}" != 1 ]; then
  (cd "$APP.new" && npm ci --omit=dev --no-audit --no-fund)
  [ -f "$APP.new/node_modules/tsx/dist/loader.mjs" ] || die "tsx loader missing after npm ci"
fi
rm -rf "$APP.old"
[ -e "$APP" ] && mv "$APP" "$APP.old"
mv "$APP.new" "$APP"
rm -rf "$APP.old"

mkdir -p "$UNITS" "$CONFIG"
chmod 0750 "$CONFIG"
for role in "${ROLES[@]}"; do
  unit="wst-sync-$role.service"
  sed "s|@PREFIX@|$PREFIX|g" "$SOURCE/ops/systemd/$unit" > "$UNITS/$unit.tmp"
  chmod 0644 "$UNITS/$unit.tmp"
  mv "$UNITS/$unit.tmp" "$UNITS/$unit"
  echo "wrote $UNITS/$unit"

  env_file="$CONFIG/$role.env"
  if [ -e "$env_file" ]; then
    echo "kept $env_file"
  else
    (umask 077 && cp "$SOURCE/ops/env/$role.env" "$env_file")
    chmod 0600 "$env_file"
    echo "wrote $env_file (edit it, then: systemctl enable --now wst-sync-$role)"
  fi
done

if [ -z "$ROOT" ]; then
  if ! id -u "$USER_NAME" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/wst-sync --no-create-home \
      --shell /usr/sbin/nologin "$USER_NAME"
    echo "created user $USER_NAME"
  fi
  for role in "${ROLES[@]}"; do
    install -d -m 0700 -o "$USER_NAME" -g "$USER_NAME" "/var/lib/wst-sync/$role"
  done
  for role in "${ROLES[@]}"; do
    case "$role" in
      agent) install -d -m 0755 -o "$USER_NAME" -g "$USER_NAME" /mnt/wst300 ;;
      coordinator) install -d -m 0750 -o "$USER_NAME" -g "$USER_NAME" /srv/wst-sync/meetings ;;
    esac
  done
fi

if [ "$SYSTEMCTL" = 1 ]; then
  systemctl daemon-reload
  echo "systemd reloaded; start with: systemctl enable --now ${ROLES[*]/#/wst-sync-}"
fi
