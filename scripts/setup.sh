#!/usr/bin/env bash
# Installs whatever Ringdesk needs that is missing, and nothing else: Debian packages (build
# libraries for Tauri/WebKitGTK and the real parts tests drive: Xvfb, WebKitWebDriver, D-Bus,
# gnome-keyring, dunst), Node.js >= 20.19 and Rust when absent, the UI's node modules, and
# tauri-driver. Idempotent: with everything present it only checks, in about a second.
# Sourced by run.sh and test.sh; can also be run on its own.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  # Tauri v2 on Linux: WebKitGTK 4.1, GTK 3, tray, SVG, xdo, OpenSSL, toolchain bits
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev
  build-essential pkg-config file curl ca-certificates
  # The real window under Xvfb, WebDriver, screenshots
  xvfb xauth x11-utils imagemagick webkit2gtk-driver
  # Session bus, keychain (Secret Service), notifications
  dbus dbus-x11 libglib2.0-bin dunst gnome-keyring libsecret-tools libnotify-bin
  # Desktop integration (tel: handler registration)
  xdg-utils desktop-file-utils
  # Real SIP peers for the voice engine's tests: registrar/proxy, softphone, SIPp, audio tools
  kamailio kamailio-tls-modules openssl baresip-core sip-tester sox espeak-ng pulseaudio libasound2-plugins cmake
  # The shared backend's real parts for the sync tests: PostgreSQL 15 and pgbouncer (transaction pooler)
  postgresql pgbouncer
  # Audio devices (cpal's ALSA host)
  libasound2-dev
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${#missing[@]} Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js >= 20.19 (Vite 7). Debian 12 ships 18, so a fresh machine gets NodeSource's 22.x.
node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)||(a===20&&b>=19)||a===21?0:1)'
}
if ! node_ok; then
  log "installing Node.js 22 (NodeSource)"
  curl -fsSL https://deb.nodesource.com/setup_22.x | $SUDO bash - >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs >/dev/null
fi

# Rust (stable, via rustup) when cargo is absent.
if ! command -v cargo >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
  log "installing Rust (rustup, stable)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt >/dev/null
fi
export PATH="$HOME/.cargo/bin:$PATH"

# The UI's node modules, reinstalled only when package-lock.json changed.
if ! cmp -s "$ROOT/ui/package-lock.json" "$ROOT/ui/node_modules/.ringdesk-lock" 2>/dev/null; then
  log "installing the UI's node modules (npm ci)"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$ROOT/ui/package-lock.json" "$ROOT/ui/node_modules/.ringdesk-lock"
fi

# tauri-driver: WebDriver front for the real app window (end-to-end tests).
if ! command -v tauri-driver >/dev/null 2>&1; then
  log "installing tauri-driver"
  cargo install tauri-driver --locked --version 2.0.6 --quiet
fi
