"""A console e-mail backend for local use that people can read.

Django's console backend prints the encoded MIME message, in which quoted-printable soft
line breaks cut links (such as the e-mail verification link) in pieces. This one prints
the headers and the plain-text body as they are, and lists the attachments.
"""

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


class EmailBackend(DjangoConsoleBackend):
    def write_message(self, message):
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            "",
            message.body.rstrip(),
        ]
        for name, _content, mimetype in message.attachments:
            lines.append(f"[attachment: {name} ({mimetype})]")
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
