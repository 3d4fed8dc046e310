"""What the timeline shows of a message: its new words only, and HTML only once it is made harmless.

Plain text is preferred when a message has both. An HTML-only message is sanitised with nh3 (Ammonia):
scripts, event handlers, styles and remote-loading attributes go, links get rel="noopener noreferrer".
Quoted history and the signature are cut by mail-parser-reply, which knows the quote headers of the
common mail clients in several languages; the raw message keeps everything.
"""

import html as html_escapes
import re
from functools import cache

import nh3
from mailparser_reply import EmailReplyParser

# Tags a customer's email may keep on the case screen; everything else is dropped with its attributes.
ALLOWED_TAGS = {"p", "br", "div", "span", "b", "strong", "i", "em", "u", "ul", "ol", "li", "blockquote", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt"]


def sanitised_html(html: str) -> str:
    if not html.strip():
        return ""
    cleaned = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"}
    )
    return cleaned.strip()


def html_as_text(html: str) -> str:
    """The words of an HTML body, for a message that has no text part: no tags, one blank line per block."""
    blocks = re.sub(r"(?i)<\s*(br|/p|/div|/li|/blockquote)\b[^>]*>", "\n", html)
    text = html_escapes.unescape(nh3.clean(blocks, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def new_words(text: str) -> str:
    """The reply without the quoted history and the signature; the whole text if nothing is left."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return ""
    replies = _parser().read(text=text).replies
    latest = replies[0].body.strip() if replies else ""
    return latest or text


@cache
def _parser() -> EmailReplyParser:
    return EmailReplyParser(languages=REPLY_LANGUAGES)
