#!/usr/bin/env bash
# System packages the browser tests need: Debian's Chromium (Playwright drives it; it never downloads a browser).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "需要 Debian 的 chromium 软件包：sudo apt-get install -y chromium" >&2
  exit 1
fi
echo "安装 Debian chromium（浏览器测试使用）…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
