import io

from django.core.mail import EmailMultiAlternatives

from portal.mail import EmailBackend


def test_console_mail_prints_links_whole_and_lists_attachments():
    link = "http://127.0.0.1:8000/accounts/confirm-email/MTAwNg:1xWZWX:-JLfSl7YUBWERKb_Vq7O0DeshDocGa6wBZG15r9hWrQ/"
    message = EmailMultiAlternatives(
        "Bekräfta din e-postadress", f"Hej!\n\nGå till {link}\n", "a@example.org", ["b@example.org"]
    )
    message.attach("invite.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    stream = io.StringIO()
    EmailBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert link in printed
    assert "Subject: Bekräfta din e-postadress" in printed
    assert "[attachment: invite.ics (text/calendar)]" in printed
