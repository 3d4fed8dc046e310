"""The enrolment QR code as SVG markup, drawn on the server: no image library, no script, and nothing
an inline style attribute would have to colour (the page's stylesheet sizes it)."""

import qrcode
from qrcode.image.svg import SvgPathImage


def svg(data: str) -> str:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image(image_factory=SvgPathImage).to_string(encoding="unicode")
