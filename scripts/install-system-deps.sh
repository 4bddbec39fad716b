#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the project needs when they are missing:
#   tesseract-ocr + tesseract-ocr-por (screen OCR), espeak-ng + sox (sample voice notes),
#   and, with --browser, chromium + chromium-driver (the UI test).
# Needs root or password-less sudo; otherwise prints the apt-get line to run and fails.
set -euo pipefail

want=()
command -v tesseract >/dev/null 2>&1 || want+=(tesseract-ocr)
if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx por; then
  want+=(tesseract-ocr-por)
fi
command -v espeak-ng >/dev/null 2>&1 || want+=(espeak-ng)
command -v sox >/dev/null 2>&1 || want+=(sox)
command -v psql >/dev/null 2>&1 || want+=(postgresql-client)
if [[ "${1:-}" == "--browser" ]]; then
  [[ -x /usr/bin/chromium ]] || want+=(chromium)
  [[ -x /usr/bin/chromedriver ]] || want+=(chromium-driver)
fi

if [[ ${#want[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Missing system packages: ${want[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${want[*]}" >&2
  exit 1
fi

echo "Installing system packages: ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
