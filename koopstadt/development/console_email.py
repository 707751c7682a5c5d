"""E-mails on the console for the demo and development: readable rather than raw MIME.

Django's console backend prints the message as it would go over the wire: the subject MIME-encoded
(``=?utf-8?q?Neue_C+R-Anfrage…?=``) and links wherever the text puts them. This one prints who, the
decoded subject, the names of attachments (the ``.ics`` of a meeting) and the text with every link on
a line of its own, so that a link can be copied from the terminal as it is. Only where this package is
installed (never in production: settings.EMAIL_BACKEND).
"""

import re
import sys
import threading
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

LINK = re.compile(r"https?://[^\s<>\"']+")


def links_on_own_lines(text: str) -> str:
    """The text with every link on a line of its own (the words around it on the lines before and after)."""
    lines: list[str] = []
    for line in text.splitlines():
        position = 0
        for match in LINK.finditer(line):
            before = line[position : match.start()].strip()
            if before:
                lines.append(before)
            lines.append(match.group())
            position = match.end()
        rest = line[position:].strip() if position else line
        if rest or not position:
            lines.append(rest)
    return "\n".join(lines)


def readable(message: EmailMessage) -> str:
    attachments = [name for name, *_ in (_attachment(a) for a in message.attachments) if name]
    header = [
        f"From: {message.from_email}",
        f"To: {', '.join(message.to)}",
        *([f"Cc: {', '.join(message.cc)}"] if message.cc else []),
        f"Subject: {message.subject}",
        *([f"Attachments: {', '.join(attachments)}"] if attachments else []),
    ]
    return "\n".join(header) + "\n\n" + links_on_own_lines(message.body) + "\n"


def _attachment(attachment: Any) -> Sequence[Any]:
    if isinstance(attachment, tuple):  # (filename, content, mimetype), a named tuple in Django 5.2
        return attachment
    return (attachment.get_filename() or "",)  # a MIME part


class EmailBackend(BaseEmailBackend):
    def __init__(self, *args: Any, stream: TextIO | None = None, **kwargs: Any) -> None:
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages: Iterable[EmailMessage]) -> int:
        count = 0
        with self._lock:
            for message in email_messages:
                self.stream.write(readable(message))
                self.stream.write("-" * 79 + "\n")
                self.stream.flush()
                count += 1
        return count
