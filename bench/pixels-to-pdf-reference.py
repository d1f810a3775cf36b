#!/usr/bin/python3
"""Pixels-to-PDF reference for the sanitizer benchmark (issue 14), the way Dangerzone
rebuilds a document: PyMuPDF (Debian's python3-fitz) renders each page to RGB pixels at
150 dpi, then a new PDF is built from those pixels (one image per page, Flate), in one
process on one core. Written for kekkai from Dangerzone's description of its method.

Usage: pixels-to-pdf-reference.py IN.pdf OUT.pdf [DPI]; prints JSON {pages, seconds}.
"""
import json
import sys
import time

import fitz  # PyMuPDF

def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    dpi = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    t0 = time.perf_counter()
    doc = fitz.open(src)
    # Stage 1 (Dangerzone's doc-to-pixels): every page to raw RGB pixels.
    pages = []
    for page in doc:
        pix = page.get_pixmap(dpi=dpi, colorspace=fitz.csRGB, alpha=False)
        pages.append((pix.width, pix.height, bytes(pix.samples)))
    doc.close()
    # Stage 2 (pixels-to-PDF): a new document with one image per page.
    out = fitz.open()
    for width, height, rgb in pages:
        pix = fitz.Pixmap(fitz.csRGB, width, height, rgb, False)
        pix.set_dpi(dpi, dpi)
        page = out.new_page(width=width * 72 / dpi, height=height * 72 / dpi)
        page.insert_image(page.rect, pixmap=pix)
    out.save(dst, deflate=True, deflate_images=True, garbage=3)
    out.close()
    print(json.dumps({"pages": len(pages), "seconds": time.perf_counter() - t0}))

if __name__ == "__main__":
    main()
