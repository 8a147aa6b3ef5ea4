"""QR codes of claim codes, as inline SVG that the counter's scanner reads.

The QR holds the bare claim code: the merchant console's verify box accepts the code on its
own (or any URL ending in it), so the same picture works with a handheld scanner or a phone.
"""

import segno
from django.utils.safestring import SafeString, mark_safe

DARK = "#082e34"
LIGHT = "#ffffff"
# Four modules of quiet zone around the code, as the QR standard asks, so scanners lock on.
QUIET_ZONE = 4


def qr_svg(*, data: str, title: str) -> SafeString:
    """An inline, scalable SVG of a full-size QR code (never a Micro QR, which phones cannot read).

    The SVG carries ``role="img"`` and a ``<title>`` so screen readers announce what it is; its
    size comes from CSS (``.qr``), so it has no width or height of its own.
    """
    code = segno.make_qr(data, error="m")
    svg = code.svg_inline(
        scale=1,
        border=QUIET_ZONE,
        omitsize=True,
        dark=DARK,
        light=LIGHT,
        svgclass="qr",
        lineclass="qr__modules",
        title=title,  # segno escapes it
    )
    # segno writes no role; add it so the picture is announced as an image with its title.
    return mark_safe(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))  # noqa: S308
