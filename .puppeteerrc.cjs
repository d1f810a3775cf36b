// kekkai never lets puppeteer download a browser: it drives Debian's Chromium
// (/usr/bin/chromium by default, KEKKAI_CHROMIUM_PATH to change it).
module.exports = { skipDownload: true };
