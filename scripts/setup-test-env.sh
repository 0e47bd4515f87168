#!/usr/bin/env bash
# System packages the tests need: Debian's Chromium (Playwright drives it; it never downloads a browser) and
# fonts-noto-cjk (a CJK font, so that pages, screenshots and rendered sample documents show Chinese, not boxes).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "需要 Debian 软件包：sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "安装 Debian 软件包（测试使用）：${missing[*]}…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
